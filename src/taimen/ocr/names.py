"""A Japanese name read again against a list of family and given names, where the recogniser slipped on one
character (宮本 read 官本, 芽衣 read 茸衣, 増田 read as the Chinese form 增田).

The list (``data/names.tsv.gz``, built by ``scripts/build_names.py`` from UniDic's 人名 entries: about 15 700
family and 30 400 given names, BSD licence in ``data/NAMES-LICENSE``) is used only one way: a part of the name
(family or given) that is **not** in the list is read again as a listed name that differs from it in one
character, when the recogniser's frames give that character some probability (``SUPPORT``) and clearly more
than any other listed name's (``CLEAR``). The value is then flagged ``repaired``: a proposal the operator
confirms against the card, never a sure value. A name in the list is never changed, and a rare name not in it
is only changed where the frames themselves nearly read the listed one.

Without the data file (or with ``TAIMEN_OCR_NAMES=0``) names are read as before.
"""

from __future__ import annotations

import gzip
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from taimen.ocr import fields as fp
from taimen.ocr import places, variants
from taimen.ocr.ctc import Support

DATA = Path(__file__).with_name("data") / "names.tsv.gz"
#: The listed name's changed character must have at least this probability in its frames …
SUPPORT = 0.02
#: … and this many times the support of the next listed name's.
CLEAR = 4.0
_KANA_KANJI = "\u3005\u4e00-\u9fff\u3040-\u30ff"
_CJK = re.compile(f"[{_KANA_KANJI}]+")
#: A name part with one character read as a mark or a Latin letter (邉 read 「-」 or 「b」): read again too.
_ONE_SLIP = re.compile(f"(?=.*[{_KANA_KANJI}])[{_KANA_KANJI}]*[^\\s{_KANA_KANJI}][{_KANA_KANJI}]*")

_lock = threading.Lock()
_loaded: list[Names | None] = []


class Names:
    """Family (姓) and given (名) names by length, and the folded forms of each (崎/﨑, 髙/高 made equal)."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.by_len: dict[tuple[str, int], list[str]] = {}
        for kind, name in rows:
            self.by_len.setdefault((kind, len(name)), []).append(name)
        self.folded = {kind: {_fold(n) for n in self.names(kind)} for kind in ("姓", "名")}

    def names(self, kind: str) -> list[str]:
        return [n for (k, _), ns in self.by_len.items() if k == kind for n in ns]

    def listed(self, kind: str, name: str) -> bool:
        return _fold(name) in self.folded[kind]


def _fold(name: str) -> str:
    """The name with its characters' registered forms made equal (the places' folding, character by character)."""
    return name.translate(_FOLD)


_FOLD = str.maketrans(places._FOLD)


def names() -> Names | None:
    """The list of names, read once on first use; None without the data file or with TAIMEN_OCR_NAMES=0."""
    with _lock:
        if not _loaded:
            _loaded.append(_load())
        return _loaded[0]


def _load() -> Names | None:
    if os.environ.get("TAIMEN_OCR_NAMES", "1") == "0" or not DATA.is_file():
        return None
    rows = [line.split("\t", 2)[:2] for line in gzip.decompress(DATA.read_bytes()).decode("utf-8").splitlines()]
    return Names([(kind, name) for kind, name in rows])


def read_again(part: str, kind: str, at: Sequence[int], support: Support, data: Names) -> str | None:
    """The listed name ``part`` (not listed itself) is most likely a slip of: one character changed, supported
    by the frames (``at``: each character's index in the decoded line) and clearly better than the next."""
    if not part or data.listed(kind, part):
        return None
    # one name however many of its printed forms are listed (浜田, 濱田): its forms share the support
    best: dict[str, tuple[float, str]] = {}
    for cand in data.by_len.get((kind, len(part)), ()):
        diff = [k for k in range(len(part)) if cand[k] != part[k]]
        if len(diff) == 1:
            s = support(at[diff[0]], cand[diff[0]])
            if s >= SUPPORT and s > best.get(_fold(cand), (0.0, ""))[0]:
                best[_fold(cand)] = (s, cand)
    scored = sorted(best.values(), reverse=True)
    if not scored or (len(scored) > 1 and scored[0][0] < CLEAR * scored[1][0]):
        return None
    return scored[0][1]


def printed_form(name: str, part: str, at: Sequence[int], exact: Support) -> str:
    """``name`` (read again from ``part``) with its changed character in the registered form the frames give
    most (``exact``: each form's own classes): a variant (濱, 邉) where it has ``SUPPORT`` and ``CLEAR`` times the
    common form's, else the common form. A simplified Chinese form (边, 广) stands for every form of its group
    alike and decides nothing."""
    k = next(k for k in range(len(name)) if name[k] != part[k])
    group = [f for f in variants.NAME_GROUP.get(name[k], name[k]) if f not in variants.CHINESE_FORMS] or [name[k]]
    common, *others = group
    form = max(others, key=lambda f: exact(at[k], f), default=common)
    s = exact(at[k], form)
    chosen = form if s >= SUPPORT and s >= CLEAR * exact(at[k], common) else common
    return name[:k] + chosen + name[k + 1 :]


def split_listed(value: str, data: Names) -> str | None:
    """A name read as one part (the recogniser dropped the space) split where exactly one listed family name of
    two characters or more is followed by a listed given name (「沢田花子」 → 沢田　花子). None when no split or
    several fit, or the family name would be one character: a lost family name leaves a given name that splits
    into listed names that way (「恵美子」 → 恵 + 美子, 「千春」 → 千 + 春), and 「坂本」 alone lost its given name."""
    fits = [k for k in range(1, len(value)) if data.listed("姓", value[:k]) and data.listed("名", value[k:])]
    if len(fits) != 1 or fits[0] < 2:
        return None
    return f"{value[: fits[0]]}\u3000{value[fits[0] :]}"


#: Characters of the small-print 氏名 label the recogniser leaves before a name as a part of its own (「氏爾」,
#: 「民威」): a first part of at most this many characters, in no list, before a whole name.
LABEL_RESIDUE = 2


def residue_in(family: str, data: Names) -> int:
    """How many first characters of a family name in no list are the small-print 氏名 label's residue run into it
    (「者山下」, 「洪屯小川」): the fewest, at most ``LABEL_RESIDUE``, that leave a listed family name of two
    characters or more (德永 is no 永); 0 when none do."""
    if data.listed("姓", family):
        return 0
    fits = (k for k in range(1, LABEL_RESIDUE + 1) if len(family) - k >= 2 and data.listed("姓", family[k:]))
    return next(fits, 0)


def check_name(ocr: Any, reading: fp.FieldReading, pieces: Sequence[places.Piece]) -> fp.FieldReading:
    """The Japanese name ``reading`` (family and given name apart by U+3000, read from ``pieces``) with a part
    that is not in the list read again as a listed name (flag ``repaired``), and a label's residue read as a
    part of its own before a whole name dropped (``neighbour_text_removed``). Unchanged otherwise."""
    data = names()
    value = reading.value
    if data is not None and value is not None and reading.problem == fp.ONE_PART:
        split = split_listed(value, data)
        if split is not None:  # read without its space: where a listed family and given name meet
            reading, value = replace(reading, value=split, text=split, problem=""), split
    if data is None or value is None or "\u3000" not in value:
        return reading
    parts = value.split("\u3000")
    if len(parts) == 2 and len(parts[0]) <= LABEL_RESIDUE and not data.listed("姓", parts[0]):
        # the label's residue as a part of its own, and the name after it read without its space (「民名 安藤拓海」)
        split = split_listed(parts[1], data)
        if split is not None:
            parts = [parts[0], *split.split("\u3000")]
    if len(parts) not in (2, 3) or not all(_CJK.fullmatch(p) or _ONE_SLIP.fullmatch(p) for p in parts[-2:]):
        return reading
    if len(parts) == 3 and not _CJK.fullmatch(parts[0]):
        return reading
    text, frames, positions = places._joined(pieces)
    scorer = places._scorer(ocr) if frames is not None else None
    if scorer is None or frames is None:
        return reading
    # each character of the value at its index in the decoded text (the label and spaces are not in the value)
    flat = [(i, ch) for i, ch in enumerate(text) if not ch.isspace()]
    start = "".join(ch for _, ch in flat).rfind("".join(parts))
    if start < 0:
        return reading
    at = [flat[start + k][0] for k in range(len("".join(parts)))]
    support = Support(frames, positions, scorer.slot)
    exact = Support(frames, positions, lambda ch: scorer.classes.get(ch, ()))

    def printed(part: str, part_at: Sequence[int], name: str | None) -> str:
        return part if name is None else printed_form(name, part, part_at, exact)

    head = parts[0] if len(parts) == 3 else ""
    family, given = parts[-2:]
    at = at[len(head) :]
    named = read_again(family, "姓", at[: len(family)], support, data)  # read again once, as the name stands
    dropped = bool(head)
    if head:
        whole = data.listed("姓", family) or named is not None
        if len(head) > LABEL_RESIDUE or data.listed("姓", head) or not whole:
            return reading
    elif named is None and (cut := residue_in(family, data)):  # the label's residue run into it (「者山下」)
        family, at, dropped = family[cut:], at[cut:], True
        named = read_again(family, "姓", at[: len(family)], support, data)
    new_family = printed(family, at[: len(family)], named)
    given_at = at[len(family) :]
    new_given = printed(given, given_at, read_again(given, "名", given_at, support, data))
    repaired = (new_family, new_given) != (family, given)
    if not (repaired or dropped):
        return reading
    new = f"{new_family}\u3000{new_given}"
    flags = (*reading.flags, "repaired") if repaired else reading.flags
    reasons = (*reading.reasons, "neighbour_text_removed") if dropped else reading.reasons
    extra = {**reading.extra, "read": value}
    return replace(reading, value=new, text=new, flags=flags, reasons=reasons, extra=extra)
