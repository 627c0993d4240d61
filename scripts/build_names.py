"""Build taimen's lists of Japanese family and given names (src/taimen/ocr/data/names.tsv.gz) and of katakana
loanwords (src/taimen/ocr/data/katakana.txt.gz: building names are made of them) from UniDic, the
morphological dictionary of NINJAL, as packaged by unidic-lite (UniDic 2.1.2; BSD-3-Clause, GPL or LGPL at the
user's choice — taimen takes it under the BSD licence, whose notice is ``src/taimen/ocr/data/NAMES-LICENSE``).

    python scripts/build_names.py [--dic PATH/TO/sys.dic]      # default: the installed unidic_lite package
    pip download --no-deps unidic-lite                         # the sdist holds dicdir/sys.dic too

One line per name: ``姓|名<TAB>name<TAB>cost`` — UniDic's 名詞,固有名詞,人名,姓 and 人名,名 entries written in kanji
or kana, with the lowest word cost MeCab gives the written form (lower is more frequent); one line per
loanword: the written form of every noun whose word origin (語種) is 外 and which is written in katakana only.
Sorted, gzip with a fixed timestamp so the same dictionary gives the same bytes.

MeCab's compiled dictionary: a 72-byte header (ten uint32: magic, version, type, lexicon size, left and right
context sizes, then the byte sizes of the double array, the token table and the feature strings; then the
charset), the double array, 16-byte tokens (left id, right id, part-of-speech id, int16 word cost, uint32 offset
of the feature string, uint32 compound), and the NUL-terminated CSV feature strings.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import re
import struct
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "taimen" / "ocr" / "data"
OUT, KATAKANA = DATA / "names.tsv.gz", DATA / "katakana.txt.gz"
KINDS = {"姓": "姓", "名": "名"}
WRITTEN = re.compile(r"[\u3005\u3040-\u309f\u30a0-\u30ff\u4e00-\u9fff]+")
LOANWORD = re.compile(r"[\u30a1-\u30fa\u30fc]{2,}")


def default_dic() -> Path:
    spec = importlib.util.find_spec("unidic_lite")  # found, not imported
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("unidic-lite is not installed (pip install unidic-lite), or pass --dic")
    return Path(next(iter(spec.submodule_search_locations))) / "dicdir" / "sys.dic"


def names(dic: bytes) -> dict[tuple[str, str], int]:
    """(kind, written form) → lowest word cost, for every 人名 entry of the compiled dictionary ``dic``, and
    ("外", written form) for every katakana loanword noun."""
    _magic, _version, _type, _lex, _l, _r, dsize, tsize, fsize, _ = struct.unpack_from("<10I", dic, 0)
    tokens, features = 72 + dsize, 72 + dsize + tsize
    out: dict[tuple[str, str], int] = {}
    for k in range(tsize // 16):
        cost, offset = struct.unpack_from("<hI", dic, tokens + 16 * k + 6)
        end = dic.index(b"\0", features + offset)
        f = dic[features + offset : end].decode("utf-8").split(",")
        if len(f) > 12 and f[0] == "名詞" and f[12] == "外" and LOANWORD.fullmatch(f[8]):
            out[("外", f[8])] = min(out.get(("外", f[8]), cost), cost)
        if f[:3] != ["名詞", "固有名詞", "人名"] or f[3] not in KINDS or len(f) < 9:
            continue
        written = f[8]
        if WRITTEN.fullmatch(written):
            key = (KINDS[f[3]], written)
            out[key] = min(out.get(key, cost), cost)
    if fsize == 0 or not out:
        raise SystemExit("no 人名 entries: is this UniDic's sys.dic?")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dic", type=Path, default=None)
    args = ap.parse_args()
    got = names((args.dic or default_dic()).read_bytes())
    text = "".join(f"{kind}\t{name}\t{cost}\n" for (kind, name), cost in sorted(got.items()) if kind in KINDS)
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    n = {kind: sum(k == kind for k, _ in got) for kind in KINDS}
    print(f"{OUT}: {n['姓']} family names, {n['名']} given names, {OUT.stat().st_size} bytes")
    words = sorted(name for kind, name in got if kind == "外")
    KATAKANA.write_bytes(gzip.compress("".join(w + "\n" for w in words).encode("utf-8"), mtime=0))
    print(f"{KATAKANA}: {len(words)} katakana loanwords, {KATAKANA.stat().st_size} bytes")


if __name__ == "__main__":
    main()
