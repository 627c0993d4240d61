"""Rules between a card's dates, over text and readings only (no image): a My Number expiry falls on a
birthday, a birth year or an expiry lost its part and is completed from the other date, an era or a
century lost its first character, and dates that cannot both be true are both doubtful."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from taimen import wareki
from taimen.ocr import assign as asg
from taimen.ocr import fields as fp
from taimen.ocr import license_dates, repair
from taimen.ocr.recline import RecLine, pieces_on_row


def birthdays(md: tuple[int, int]) -> list[tuple[int, int]]:
    """The month and day a card tied to ``md`` may print: one born on 29 February expires on 1 March too."""
    return {(2, 29): [(2, 29), (3, 1)], (3, 1): [(3, 1), (2, 29)]}.get(md, [md])


def expiry_on_birthday(out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """An expiry whose month and day were hidden (a finger over 「7月10日」: 「2035年7日」 read, no trace of
    them in the frames) set on the birthday of a surely read birth date, in the year read; flagged
    ``repaired``, like a birth date completed from the expiry (``birth_from_expiry``)."""
    birth, exp = out["birth_date"], out["expiry"]
    if birth.date is None or exp.date is None or birth.confidence < 0.9 or set(birth.reasons) - {"inconsistent"}:
        return out
    if exp.confidence >= 0.9 and "repaired" not in exp.reasons:  # read surely: a card that expires otherwise
        return out
    try:
        d = date(exp.date.year, birth.date.month, birth.date.day)
    except ValueError:  # 29 February in a common year
        d = date(exp.date.year, 3, 1)
    if not (repair.plausible(d, "expiry") and d > birth.date):
        return out
    reasons = [r for r in exp.reasons if r not in ("grammar", "inconsistent")]
    reasons.append("repaired")
    reading = replace(
        exp,
        value=d.isoformat(),
        date=d,
        flags=(*exp.flags, "repaired"),
        problem="month and day taken from the birth date (the card expires on a birthday)",
        reasons=tuple(dict.fromkeys(reasons)),
    )
    return {**out, "birth_date": disagreed(birth), "expiry": reading}


def disagreed(reading: fp.FieldReading) -> fp.FieldReading:
    """The date another was set against stays doubtful: as read, the two disagreed, and a confident misreading
    of this one would otherwise go through unflagged."""
    return replace(reading, reasons=tuple(dict.fromkeys((*reading.reasons, "inconsistent"))))


_PARTIAL_BIRTH = re.compile(r"(明治|大正|昭和|平成|令和)\s*(元|\d{1,2})\s*年\s*(?:(\d{1,2})\s*月)?")


def birth_from_expiry(recs: list[RecLine], out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """A 和暦 birth date whose end was lost (glare over 「…10月 6日生」: 「昭和7年10月」 read) completed from a
    surely read expiry: a Japanese national's My Number Card expires on a birthday, so the expiry gives the
    month and day. Only with one such partial date on the card, a month read (if any) that agrees, and always
    flagged ``repaired``: the year, which 照合番号B needs, is the one read."""
    birth, exp = out.get("birth_date"), out.get("expiry")
    if birth is None or birth.value is not None or exp is None or exp.date is None or exp.doubtful:
        return out
    hits = []
    for r in recs:
        text = r.decoded.text
        for m in _PARTIAL_BIRTH.finditer(text):
            if not asg.DATE.match(text, m.start()) or _day_lost(text[m.end() :], exp.date.day):
                hits.append((r, m))
    if len(hits) != 1:
        return out
    r, m = hits[0]
    if m.group(3) and int(m.group(3)) != exp.date.month:
        return out
    year = 1 if m.group(2) == "元" else int(m.group(2))
    try:
        d = wareki.from_era(wareki.BY_NAME[m.group(1)], year, exp.date.month, exp.date.day, strict=True)
    except wareki.EraError:
        return out
    if not (date(1868, 1, 25) <= d <= date.today() and d < exp.date):
        return out
    confs = r.decoded.char_confidences[m.start() : m.end()] or (r.decoded.confidence,)
    text = f"{m.group(0).strip()}…({exp.date.month}月{exp.date.day}日)"
    reading = fp.FieldReading(
        "birth_date",
        d.isoformat(),
        text,
        min(min(confs), exp.confidence),
        date=d,
        calendar="wareki",
        era_year=year,
        flags=("repaired",),
        problem="month and day taken from the expiry (a birthday)",
        reasons=("repaired",),
    )
    return {**out, "birth_date": reading}


#: What follows a birth date's month when its day lost a digit (「10月0日生」 for 「10月04日生」).
_NO_DAY = re.compile(r"\s*(\d{1,2})\s*日\s*生")


def _day_lost(rest: str, day: int) -> bool:
    """Whether ``rest`` (what follows a birth date's month) is a day that is no day (0, or beyond 31) read from
    ``day`` with a digit lost: its digits stand, in order, in the day's two digits (「0」 from 04)."""
    m = _NO_DAY.match(rest)
    if m is None or 1 <= int(m.group(1)) <= 31:
        return False
    it = iter(f"{day:02d}")
    return all(ch in it for ch in m.group(1))


#: A Gregorian year and month without a whole day: nothing after 月, or the first digit of the day alone
#: (「2036年 7月2」: glare over 「2日ま」 of 22日まで).
_PARTIAL_EXPIRY = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d)?(?!\s*[\d日])")


def expiry_from_birth(recs: list[RecLine], out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """A My Number Card expiry whose day was lost (glare over 「2日まで」: 「2031年 5月」 and 「で有効」 read
    apart) completed from a surely read birth date, as ``birth_from_expiry`` the other way round: the card
    expires on a birthday. Only with one Gregorian year-and-month without its day on the card (or with only
    the day's first digit, agreeing with the birthday: 「2036年 7月2」), the month agreeing with the birth month,
    a plausible expiry after the birth; always flagged ``repaired``: the year,
    which 照合番号B needs, is the one read."""
    birth, exp = out.get("birth_date"), out.get("expiry")
    if exp is None or exp.value is not None or birth is None or birth.date is None:
        return out
    hits = [(r, m) for r in recs for m in _PARTIAL_EXPIRY.finditer(r.decoded.text)]
    if not hits:
        return _year_and_day_apart(recs, out)
    if len(hits) != 1 or birth.doubtful:
        return out
    r, m = hits[0]
    if int(m.group(2)) != birth.date.month:
        return out
    day = birth.date.day
    if m.group(3) and not (str(day).startswith(m.group(3)) or f"{day:02d}".startswith(m.group(3))):
        return out  # the day's first digit, read, disagrees with the birthday
    try:
        d = date(int(m.group(1)), birth.date.month, birth.date.day)
    except ValueError:  # 29 February in a common year
        d = date(int(m.group(1)), 3, 1)
    if not (repair.plausible(d, "expiry") and d > birth.date):
        return out
    confs = r.decoded.char_confidences[m.start() : m.end()] or (r.decoded.confidence,)
    reading = fp.FieldReading(
        "expiry",
        d.isoformat(),
        f"{m.group(0).strip()}…({d.day}日)",
        min(min(confs), birth.confidence),
        date=d,
        calendar="seireki",
        flags=("repaired",),
        problem="day taken from the birth date (the card expires on a birthday)",
        reasons=("repaired",),
    )
    return {**out, "expiry": reading}


#: A residence card expiry whose year glare took in part (「このカードは20年09月29日まで有効です。」 for 2022年):
#: one to three digits before 年, a month and a day, まで.
_SHORT_YEAR_EXPIRY = re.compile(r"(?<!\d)(\d{1,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*まで")


def expiry_from_period(recs: list[RecLine], out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """A residence card expiry whose year lost digits (「20年09月29日まで有効」), taken from the period of stay read
    surely: the card of a resident other than a permanent one is valid until the period's last day (入管法
    19条の5), so only when the month and day read are the period's and the digits read stand at the start or the
    end of its year; the only such line on the card. Always flagged ``repaired``: the lost digits were not seen
    (a permanent resident's or a child's card may expire on another day of that month)."""
    period, exp = out.get("period"), out.get("expiry")
    if exp is None or exp.value is not None or period is None or period.date is None or period.doubtful:
        return out
    hits = [(r, m) for r in recs for m in _SHORT_YEAR_EXPIRY.finditer(r.decoded.text)]
    if len(hits) != 1:
        return out
    r, m = hits[0]
    d, year = period.date, str(period.date.year)
    if (int(m.group(2)), int(m.group(3))) != (d.month, d.day) or not (
        year.startswith(m.group(1)) or year.endswith(m.group(1))
    ):
        return out
    confs = r.decoded.char_confidences[m.start() : m.end()] or (r.decoded.confidence,)
    reading = fp.FieldReading(
        "expiry",
        d.isoformat(),
        f"{m.group(0).strip()}…({year}年)",
        min(min(confs), period.confidence),
        date=d,
        calendar="seireki",
        flags=("repaired",),
        problem="year taken from the period of stay (the card is valid until it ends)",
        reasons=("repaired",),
    )
    return {**out, "expiry": reading}


#: An expiry's Gregorian year read alone (「2032」, 「2032年」) and its day with まで read alone (「09日まで有効」):
#: glare over 「年12月」 split the line in two.
_YEAR_ALONE = re.compile(r"\s*(20\d\d)\s*年?\s*")
_DAY_UNTIL = re.compile(r"\s*(\d{1,2})\s*日\s*まで")


def _year_and_day_apart(recs: list[RecLine], out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """A My Number Card expiry split in two by glare over its month (「2032」 and 「09日まで有効」 on one row): the
    day read agrees with the birth date's, so the card expires on that birthday in the year read. The birth
    date may itself be doubtful (its day is checked against the one read here, its month is taken); the
    expiry made so is always ``repaired``. Only with exactly one such pair on the card."""
    birth = out["birth_date"]
    assert birth.date is not None
    pairs = [
        (r, int(y.group(1)), o, int(d.group(1)))
        for r, y, o, d in pieces_on_row(recs, _YEAR_ALONE, _DAY_UNTIL, lambda r: r.decoded.text)
    ]
    if len(pairs) != 1:
        return out
    r, year, o, day = pairs[0]
    if day != birth.date.day:
        return out
    try:
        d = date(year, birth.date.month, birth.date.day)
    except ValueError:  # 29 February in a common year
        d = date(year, 3, 1)
    if not (repair.plausible(d, "expiry") and d > birth.date):
        return out
    confs = (*(r.decoded.char_confidences or (r.decoded.confidence,)), birth.confidence)
    reading = fp.FieldReading(
        "expiry",
        d.isoformat(),
        f"{r.decoded.text.strip()}…{o.decoded.text.strip()}",
        min(confs),
        date=d,
        calendar="seireki",
        flags=("repaired",),
        problem="month taken from the birth date (the card expires on a birthday)",
        reasons=("repaired",),
    )
    return {**out, "expiry": reading}


#: The eras an era name's second character can belong to.
_ERA_BY_TAIL = {"和": ("昭和", "令和"), "成": ("平成",), "治": ("明治",), "正": ("大正",)}


_ERA_HEADS = "明大昭平令"


def complete_era(text: str, key: str) -> tuple[str, bool]:
    """An era read without its first character (「和17年…」, 「0和02年…」: the first character lost to glare
    or decoded as a digit): completed when exactly one era gives a plausible date for the field (a birth or
    issue date not in the future, an issue date not before 1950, an expiry not before 1990). Returns the
    text and whether it was completed; the value is then flagged ``repaired`` (doubtful)."""
    m = re.search(r"([^\s年月日]?)([和成治正])(\s*(?:元|\d{1,2})\s*年)", text)
    if not m or (m.group(1) and m.group(1) in _ERA_HEADS):
        return text, False
    fits = []
    eras = _ERA_BY_TAIL[m.group(2)]
    for era in eras:
        cand = text[: m.start()] + era + m.group(3) + text[m.end() :]
        r = fp.parse_birth_date(cand if "生" in cand else cand + "生", 1.0, key=key)
        if len(eras) > 1 and r.date is None:
            continue
        if r.date is not None and (
            (key in ("birth_date", "issue_date") and r.date > date.today())
            or (key == "issue_date" and r.date.year < 1950)
            or (key == "expiry" and r.date.year < 1990)
        ):
            continue
        fits.append(cand)
    return (fits[0], True) if len(fits) == 1 else (text, False)


#: A Gregorian birth date whose year lost its first digit (「男974年 5月18日生」: the 1 under a mark, glare or
#: dirt): three digits, then 年, month, day and 生, with at most one other mark before the digits.
_LOST_MILLENNIUM = re.compile(
    r"(?<![\d和成治正元])([^\d\s年月日生和成治正元]?)(\d{3})(\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*生)"
)


#: The same for an expiry (「031年08月08日まで有効」: the 2 cut off with the card's edge by the outline).
_LOST_MILLENNIUM_EXPIRY = re.compile(
    r"(?<![\d和成治正元])([^\d\s年月日生和成治正元]?)(\d{3})(\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*まで)"
)


def complete_century(text: str, key: str = "birth_date") -> tuple[str, bool]:
    """A birth date's (or, with ``key`` "expiry", an expiry's) Gregorian year read with three digits, completed
    with the one first digit that gives a plausible date (「974」 can only be 1974: 0974 and 2974 are no birth
    years; an expiry's 「031」 only 2031); a mark read in the lost digit's place is replaced by it, so the text
    keeps its length. Returns the text and whether it was completed; the value is then flagged ``repaired``
    (doubtful)."""
    m = (_LOST_MILLENNIUM_EXPIRY if key == "expiry" else _LOST_MILLENNIUM).search(text)
    if not m:
        return text, False
    fits = []
    for head in "12":
        try:
            d = date(int(head + m.group(2)), int(m.group(4)), int(m.group(5)))
        except ValueError:
            continue
        if repair.plausible(d, key):
            fits.append(head)
    if len(fits) != 1:
        return text, False
    return text[: m.start()] + fits[0] + m.group(2) + m.group(3) + text[m.end() :], True


def consistent(document: str, out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """Rules tying a card's dates together: a My Number Card expires on a birthday; a driving licence one
    month after a birthday (a few days' tolerance). A month or day misread in either date breaks the rule:
    both are then doubtful."""
    birth, exp = out.get("birth_date"), out.get("expiry")
    if not (birth and exp and birth.date and exp.date) or document == "residence":
        return out
    b, e = birth.date, exp.date
    if document == "mynumber":
        ok = (e.month, e.day) == (b.month, b.day) or (b.month, b.day, e.month, e.day) == (2, 29, 3, 1)
    else:
        ok = license_dates.birthday_fits(b, e)
    if not ok:
        for k in ("birth_date", "expiry"):
            out[k] = replace(out[k], reasons=tuple(dict.fromkeys((*out[k].reasons, "inconsistent"))))
    return out
