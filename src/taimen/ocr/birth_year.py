"""A My Number birth date whose year lost its start (glare over 「19」 of 「1965年」, 「昭和1」 of 「昭和15年」): the
detector boxed 「5年11月12日生」 and no field took it. Its row is read again from further left, and the year read
is completed the one way a birth can be: a Gregorian year or an era's that exists, lies in the past, at most 120
years ago and at least five years before the card's expiry (a card runs to the fifth or tenth birthday after it is
issued). Only when the expiry was read surely and the month and day read are its birthday (a national's card
expires on one), and always flagged ``repaired``: 照合番号B takes the two digits of the year as printed."""

from __future__ import annotations

import re
from datetime import date

import numpy as np

from taimen import wareki
from taimen.ocr import fields as fp
from taimen.ocr import repair
from taimen.ocr.date_rules import birthdays
from taimen.ocr.engine import Engine
from taimen.ocr.recline import RecLine, read_box

#: A birth date with only the last digits of its year: 「5年09月24日生」.
_SHORT = re.compile(r"^\s*(\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*生")
#: The same after whatever of the year's start was read as marks (「(15年09月24日生」 for 昭和15).
_TAIL = re.compile(r"(?<!\d)(\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*生")
#: How far left of the box the row is read again, in line heights (four characters: 「昭和1」 or 「19」 and a mark).
REACH = 4.0
#: A card expires on the fifth birthday after it is issued at the earliest.
MIN_YEARS = 5


def year_lost(
    card: np.ndarray, ppm: float, ocr: Engine, recs: list[RecLine], out: dict[str, fp.FieldReading]
) -> dict[str, fp.FieldReading]:
    """``out`` with the birth date completed as above, or unchanged."""
    birth, exp = out.get("birth_date"), out.get("expiry")
    if birth is None or birth.value is not None or exp is None or exp.date is None or exp.doubtful:
        return out
    hits = [r for r in recs if r.probs is not None and _SHORT.match(r.decoded.text)]
    if len(hits) != 1:
        return out
    ln = hits[0].line
    box = ((ln.x0 - REACH * ln.h) * ppm, ln.y0 * ppm, ln.x1 * ppm, ln.y1 * ppm)
    again = read_box(card, box, ppm, ocr)
    text = ocr.decode(again.probs, "date").text if again is not None and again.probs is not None else ""
    reading = fp.parse_birth_date(text, again.decoded.confidence) if again is not None else None
    if reading is None or reading.date is None:
        m = _TAIL.search(text) or _SHORT.match(hits[0].decoded.text)
        if m is None or len(m.group(1)) != 2:
            return out
        month, day = int(m.group(2)), int(m.group(3))
        found = _completed(int(m.group(1)), month, day, exp.date)
        if len(found) > 1 and again is not None:  # the frames may hold the era's second character: they choose
            found = _by_frames(ocr, again, (month, day), exp.date, found)
        if len(found) != 1:
            return out
        reading = fp.parse_birth_date(found[0], min(hits[0].decoded.confidence, exp.confidence))
    d = reading.date
    if d is None or (d.month, d.day) not in birthdays((exp.date.month, exp.date.day)) or not _before(d, exp.date):
        return out
    problem = "the year's start read again from further left, or completed the one way a birth can be"
    reasons = (*[r for r in reading.reasons if r != "grammar"], "repaired")
    return {
        **out,
        "birth_date": fp.FieldReading(
            "birth_date",
            reading.value,
            reading.text,
            reading.confidence,
            date=d,
            calendar=reading.calendar,
            era_year=reading.era_year,
            flags=("repaired",),
            problem=problem,
            reasons=tuple(dict.fromkeys(reasons)),
        ),
    }


#: No holder is older than this many years.
MAX_AGE = 120


def _before(d: date, expiry: date) -> bool:
    return repair.plausible(d, "birth_date") and date.today().year - MAX_AGE <= d.year <= expiry.year - MIN_YEARS


def _by_frames(ocr: Engine, again: RecLine, md: tuple[int, int], expiry: date, found: list[str]) -> list[str]:
    """Those of the completions ``found`` that the row's frames read under the date grammar, an era allowed to
    be named by its second character alone (「(1S年」 where glare took 「昭和」 but left weight on 和: only 昭和
    puts 15年 in the past; ``DateRepair._head_lost``)."""
    rep = repair.for_engine(ocr)
    dec = again.decoded
    cut = dec.text.rfind("日")
    if rep is None or again.probs is None or cut < 0 or len(dec.positions) != len(dec.text):
        return []
    end = (dec.positions[cut] + dec.positions[cut + 1]) // 2 + 1 if cut + 1 < len(dec.text) else len(again.probs)
    path = rep.decode(again.probs[:end], "birth_date", None, md, head_lost=True, born_before=expiry)
    if path is None:
        return []
    d = fp.parse_birth_date(path.text + "生", path.confidence)
    return [f for f in found if (p := fp.parse_birth_date(f, 1.0)).date == d.date and p.era_year == d.era_year]


def _completed(yy: int, month: int, day: int, expiry: date) -> list[str]:
    """Every printed birth date whose year ends in ``yy``: 19yy, 20yy, or an era's year yy, that can be one."""
    out = []
    for year in (1900 + yy, 2000 + yy):
        try:
            if _before(date(year, month, day), expiry):
                out.append(f"{year}年{month:02d}月{day:02d}日生")
        except ValueError:
            continue
    for name, era in wareki.BY_NAME.items():
        try:
            d = wareki.from_era(era, yy, month, day, strict=True)
        except (wareki.EraError, ValueError):
            continue
        if _before(d, expiry):
            out.append(f"{name}{yy}年{month:02d}月{day:02d}日生")
    return out
