"""A date whose start glare washed out: the detector's box began at 「年06月08日生」 or 「06月04日生」, the era and
year (「昭和60」, 「1945」) too faint beside the rest to be taken for text, or the year was read in part
(「2004月6日生」 for 2001年4月6日生). The row left of the box, and the box, is read again with its levels
stretched (``taimen.ocr.recline``). The other way round, a date whose end glare washed out (「昭和62年」 boxed,
「02月14日生」 beside it too faint) is read again from its box's start to where the whole date would end."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from taimen.ocr import assign as asg
from taimen.ocr import repair
from taimen.ocr.engine import Engine
from taimen.ocr.recline import RecLine, read_box, stretch

#: A date line that starts after its year, or whose year glare washed out in part: an optional rest of the
#: 生年月日 label (「生」), an optional rest of the year with or without 年 (「2004月6日生」 for 2001年4月6日生),
#: then month, day and 生 (birth) or まで (expiry).
HEAD_LOST = re.compile(r"\s*(?:生\s*)?(?:\d{0,4}\s*年?\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(生|ま)")
#: How many characters left of the box are read again: what a date has before its month (「昭和60年」,
#: 「1945年」).
HEAD_CHARS = 5
_MONTH_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def _head_read(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine, rl: RecLine) -> RecLine | None:
    """``rl``'s line read again from up to ``HEAD_CHARS`` characters further left (never into another line on
    its row; the box alone when there is no room), levels stretched: the faint start shows."""
    ln = rl.line
    per_char = (ln.x1 - ln.x0) / max(1, len(ln.text.strip()))
    row_ends = [
        o.line.x1 + 0.3
        for o in recs
        if o is not rl and o.line.x1 <= ln.x0 + 0.5 and asg._rows_overlap(o.line, ln) >= 0.3
    ]
    left = min(ln.x0, max([0.0, ln.x0 - HEAD_CHARS * per_char, *row_ends]))  # no room: the box alone
    h, w = card.shape[:2]
    x0, y0 = int(left * ppm), max(0, int(ln.y0 * ppm))
    x1, y1 = min(w, int(np.ceil(ln.x1 * ppm))), min(h, int(np.ceil(ln.y1 * ppm)))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return _read_stretched(card, ppm, ocr, (x0, y0, x1, y1))


def _read_stretched(card: np.ndarray, ppm: float, ocr: Engine, px: tuple[int, int, int, int]) -> RecLine | None:
    """The card's region ``px`` (x0, y0, x1, y1 in pixels) read as one line, levels stretched, flagged
    ``repaired``; its box in millimetres on the card."""
    x0, y0, x1, y1 = px
    region = card[y0:y1, x0:x1]
    got = read_box(stretch(region), (0, 0, x1 - x0, y1 - y0), ppm, ocr)
    if got is None:
        return None
    g = got.line
    box = asg.TextLine(x0 / ppm, y0 / ppm, x1 / ppm, y1 / ppm, g.text, g.confidence)
    return replace(got, line=box, crop=region, repaired=True)


def date_head_lost(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine, kind: str) -> RecLine | None:
    """The birth date (``kind`` "birth") or expiry ("expiry") whose line was read from after its year: read again
    with its start (``_head_read``) and taken only when it then holds one whole date of that kind with the
    month and day first read; always flagged ``repaired`` (its start was read only the second time). None or
    several such lines: nothing."""
    found: list[RecLine] = []
    for r in recs:
        m = HEAD_LOST.match(r.line.text)
        if m is None or asg.DATE.search(r.line.text) or (m.group(3) == "生") != (kind == "birth"):
            continue
        got = _head_read(card, ppm, recs, ocr, r)
        if got is None:
            continue
        dates = [d for d in asg.find_dates([got.line]) if d.kind == kind]
        md = _MONTH_DAY.search(got.line.text[dates[0].start : dates[0].end]) if len(dates) == 1 else None
        if md and (int(md.group(1)), int(md.group(2))) == (int(m.group(1)), int(m.group(2))):
            found.append(got)
    return found[0] if len(found) == 1 else None


#: A line that ends inside a date, after its year (「昭和62年」) or in its month or day (「昭和15年02月0」).
TAIL_LOST = re.compile(
    rf"\s*(?:(?:{asg.ERA})\s*(?:元|\d{{1,2}})|\d{{4}})\s*年(?:\s*\d{{1,2}}(?:\s*月(?:\s*\d{{1,2}})?)?)?\s*$"
)
#: The characters of the longest date a line can end inside (「昭和62年02月14日生」, 「2031年02月08日まで」) and two
#: more: how far past the box the line is read again.
DATE_CHARS = 13
_YEAR = re.compile(r"(?:元|\d{1,4})\s*年")


def _tail_read(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine, rl: RecLine) -> RecLine | None:
    """``rl``'s line read again from its start to ``DATE_CHARS`` characters in all (never into another line on its
    row, nor past the card), levels stretched: the faint end shows."""
    ln = rl.line
    per_char = (ln.x1 - ln.x0) / max(1, len(ln.text.strip()))
    row_starts = [
        o.line.x0 - 0.3
        for o in recs
        if o is not rl and o.line.x0 >= ln.x1 - 0.5 and asg._rows_overlap(o.line, ln) >= 0.3
    ]
    h, w = card.shape[:2]
    right = min([w / ppm, ln.x0 + DATE_CHARS * per_char, *row_starts])
    x0, y0 = max(0, int(ln.x0 * ppm)), max(0, int(ln.y0 * ppm))
    x1, y1 = min(w, int(np.ceil(max(right, ln.x1) * ppm))), min(h, int(np.ceil(ln.y1 * ppm)))
    if x1 - x0 <= int(ln.x1 * ppm) - x0 + 2 or y1 - y0 < 2:  # no room past the box
        return None
    return _read_stretched(card, ppm, ocr, (x0, y0, x1, y1))


def date_tail_lost(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine, kind: str) -> RecLine | None:
    """The birth date (``kind`` "birth") or expiry ("expiry") whose line ends inside it (``TAIL_LOST``): read again
    past its end (``_tail_read``) and taken only when it then holds one whole date of that kind (or of none: 生
    misread) whose year reads as first read; always flagged ``repaired`` (its end was read only the second
    time). None or several such lines: nothing."""
    found: list[RecLine] = []
    for r in recs:
        if not TAIL_LOST.fullmatch(r.line.text) or asg.DATE.search(r.line.text):
            continue
        got = _tail_read(card, ppm, recs, ocr, r)
        if got is None:
            continue
        got = _repaired(got, ocr, kind)
        # 生 itself may be misread (「…07日4」): a plain date will do, the assignment places it by its row
        dates = [d for d in asg.find_dates([got.line]) if d.kind in (kind, "date")]
        if len(dates) != 1:
            continue
        year = _YEAR.search(got.line.text, dates[0].start, dates[0].end)
        first = _YEAR.search(r.line.text)
        if year and first and year.group(0).replace(" ", "") == first.group(0).replace(" ", ""):
            found.append(got)
    return found[0] if len(found) == 1 else None


def _repaired(got: RecLine, ocr: Engine, kind: str) -> RecLine:
    """``got`` with a date it holds broken (「昭和62年0日生」: the faint month read as nothing) decoded again under
    the date grammar, as the first reading's lines are (``repair.repair_line``)."""
    rep = repair.for_engine(ocr)
    if rep is None or got.probs is None or not repair.broken_date_spans(got.decoded.text):
        return got
    key = "birth_date" if kind == "birth" else "expiry"
    dec, changed = repair.repair_line(rep, got.decoded.text, got.decoded, got.probs, key)
    return replace(got, line=replace(got.line, text=dec.text), decoded=dec) if changed else got
