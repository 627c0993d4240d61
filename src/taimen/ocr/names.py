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
from taimen.ocr import places
from taimen.ocr.ctc import Support

DATA = Path(__file__).with_name("data") / "names.tsv.gz"
#: The listed name's changed character must have at least this probability in its frames …
SUPPORT = 0.02
#: … and this many times the support of the next listed name's.
CLEAR = 4.0
_CJK = re.compile(r"[\u3005\u4e00-\u9fff\u3040-\u30ff]+")

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
    scored: list[tuple[float, str]] = []
    for cand in data.by_len.get((kind, len(part)), ()):
        diff = [k for k in range(len(part)) if cand[k] != part[k]]
        if len(diff) == 1:
            s = support(at[diff[0]], cand[diff[0]])
            if s >= SUPPORT:
                scored.append((s, cand))
    if not scored:
        return None
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[0][0] < CLEAR * scored[1][0]:
        return None
    return scored[0][1]


def check_name(ocr: Any, reading: fp.FieldReading, pieces: Sequence[places.Piece]) -> fp.FieldReading:
    """The Japanese name ``reading`` (family and given name apart by U+3000, read from ``pieces``) with a part
    that is not in the list read again as a listed name (flag ``repaired``). Unchanged otherwise."""
    data = names()
    value = reading.value
    if data is None or value is None or "\u3000" not in value:
        return reading
    family, _, given = value.partition("\u3000")
    if not (_CJK.fullmatch(family) and _CJK.fullmatch(given)):
        return reading
    text, frames, positions = places._joined(pieces)
    scorer = places._scorer(ocr) if frames is not None else None
    if scorer is None or frames is None:
        return reading
    # each character of the value at its index in the decoded text (the label and spaces are not in the value)
    flat = [(i, ch) for i, ch in enumerate(text) if not ch.isspace()]
    joined = "".join(ch for _, ch in flat)
    start = joined.rfind(family + given)
    if start < 0:
        return reading
    at = [flat[start + k][0] for k in range(len(family + given))]
    support = Support(frames, positions, scorer.slot)
    new_family = read_again(family, "姓", at[: len(family)], support, data) or family
    new_given = read_again(given, "名", at[len(family) :], support, data) or given
    if (new_family, new_given) == (family, given):
        return reading
    new = f"{new_family}\u3000{new_given}"
    extra = {**reading.extra, "read": value}
    return replace(reading, value=new, text=new, flags=(*reading.flags, "repaired"), extra=extra)
