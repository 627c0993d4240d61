"""Rules between a driving licence's printed dates, over readings only (no image).

A licence expires one month after a birthday (道路交通法 92条の2: the day one month counted from the
birthday after the licence's third or fifth year; the benchmark's generator puts it 30 days after), so the
birthday's month and day lie 25 to 35 days before the expiry's, whatever the counting. A licence runs at most
five years and a month and is renewed at the earliest a month before the birthday, so its issue date (交付)
lies at most six years before the expiry, and never after it. The expiry of licences issued under 令和 prints
its year twice, 「2028年(令和10年)06月15日」: the two must agree.

A date the rules set or decode again is always flagged ``repaired`` (doubtful), and the date it was set
against keeps ``inconsistent`` when the two disagreed as read: a confident misreading of that one must not
pass either. The decoding itself is the caller's (``Again``): ``taimen.ocr.fieldread`` decodes a field's own
frames under the date grammar (``taimen.ocr.repair``) with the bounds given here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Protocol

from taimen import wareki
from taimen.ocr import fields as fp
from taimen.ocr.assign import TOP_ROW_MM
from taimen.ocr.recline import RecLine, pieces_on_row

#: Days from the birthday to the expiry: one month counted from it (28 to 31 days), or the generator's 30,
#: with a few days' tolerance.
BIRTHDAY_TO_EXPIRY = (25, 35)
#: At most this many years from the issue date to the expiry (five years and a month, renewed up to a month
#: early, and the first licence's run to the birthday after the third year).
ISSUE_YEARS = 6
#: Where the birth date stands on the name's row (mm from the card's left edge): right of the name.
NAME_ROW_DATE_X = 35.0
#: A reading at least this sure is kept as read: the rules only flag it.
SURE = fp.DOUBT_BELOW


def _made(
    key: str, d: date, text: str, conf: float, *, calendar: str, problem: str, era_year: int | None = None
) -> fp.FieldReading:
    """A date the licence's rules made from what was read: always ``repaired``, ``low_confidence`` when what it
    was made from was read unsurely."""
    return fp.FieldReading(
        key,
        d.isoformat(),
        text,
        conf,
        date=d,
        calendar=calendar,
        era_year=era_year,
        flags=("repaired",),
        problem=problem,
        reasons=("repaired", *(("low_confidence",) if conf < SURE else ())),
    )


class Again(Protocol):
    """Decodes one field's date again from its frames under the date grammar, between ``within``'s first and
    last day and on one of ``mds`` (month, day) if given: the parsed reading, or None (no such date)."""

    def __call__(
        self, key: str, *, within: tuple[date, date] | None = None, mds: list[tuple[int, int]] | None = None
    ) -> fp.FieldReading | None: ...


def _years_back(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def birthdays(expiry: date) -> list[tuple[int, int]]:
    """The months and days a birthday may fall on for a licence that expires on ``expiry``, nearest the
    usual one month first."""
    lo, hi = BIRTHDAY_TO_EXPIRY
    days = sorted(range(lo, hi + 1), key=lambda n: abs(n - 30))
    out: list[tuple[int, int]] = []
    for n in days:
        b = expiry - timedelta(days=n)
        if (b.month, b.day) not in out:
            out.append((b.month, b.day))
    return out


def birthday_fits(birth: date, expiry: date) -> bool:
    """Whether ``expiry`` falls 25 to 35 days after a birthday of one born on ``birth``."""
    return (birth.month, birth.day) in birthdays(expiry) or (
        (birth.month, birth.day) == (2, 29) and (2, 28) in birthdays(expiry)
    )


def issue_window(expiry: date) -> tuple[date, date]:
    """The first and last day a licence that expires on ``expiry`` may have been issued."""
    return _years_back(expiry, ISSUE_YEARS), expiry


def issue_fits(issue: date, expiry: date) -> bool:
    lo, hi = issue_window(expiry)
    return lo <= issue <= hi


def _sure(r: fp.FieldReading) -> bool:
    return r.date is not None and r.confidence >= SURE and not set(r.reasons) - {"check_digit"}


def _repaired(old: fp.FieldReading, new: fp.FieldReading, problem: str) -> fp.FieldReading:
    reasons = [r for r in old.reasons if r not in ("grammar", "not_found", "inconsistent")]
    reasons.append("repaired")
    if new.confidence < SURE:
        reasons.append("low_confidence")
    return replace(
        new,
        flags=tuple(dict.fromkeys((*new.flags, "repaired"))),
        problem=problem,
        reasons=tuple(dict.fromkeys((*reasons, *new.reasons))),
    )


def _inconsistent(r: fp.FieldReading) -> fp.FieldReading:
    return replace(r, reasons=tuple(dict.fromkeys((*r.reasons, "inconsistent"))))


def issue_from_expiry(again: Again, out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """An issue date that did not read as a date, or read unsurely outside the six years before the expiry
    (「支信合806年06月22日」 decoded as 2016 for a licence that expires in 2029), decoded again from its
    frames with only the years the expiry allows, each its own form: 令和06 wins where the digit-by-digit
    grammar preferred 2016. Taken (``repaired``) when the frames spell such a date; the expiry keeps
    ``inconsistent`` when the issue date had a value outside its window. A surely read issue date outside the
    window is kept and both are flagged ``inconsistent``."""
    issue, exp = out.get("issue_date"), out.get("expiry")
    if issue is None or exp is None or exp.date is None:
        return out
    if issue.date is not None and issue_fits(issue.date, exp.date):
        return out
    both_doubted = {**out, "issue_date": _inconsistent(issue), "expiry": _inconsistent(exp)}
    # read surely, or more surely than the expiry and not made by a rule: kept as read, the pair doubted
    trusted = _sure(issue) or (issue.confidence > exp.confidence and "repaired" not in issue.reasons)
    if issue.date is not None and trusted:
        return both_doubted
    got = again("issue_date", within=issue_window(exp.date))
    if got is None or got.date is None or not issue_fits(got.date, exp.date):
        return out if issue.date is None else both_doubted
    fixed = _repaired(issue, got, "decoded again within the six years before the expiry")
    return {**out, "issue_date": fixed, "expiry": _inconsistent(exp) if issue.date is not None else exp}


def birth_from_expiry(again: Again, out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """A birth date that did not read as one (「招和66年12月27日生」: no 昭和66), or read unsurely on a
    month and day the expiry does not allow, decoded again from its frames on the birthdays the expiry
    allows (25 to 35 days before it): the frames choose among them. Taken (``repaired``) when the frames
    spell such a date; the expiry keeps ``inconsistent`` when the birth date had a value."""
    birth, exp = out.get("birth_date"), out.get("expiry")
    if birth is None or exp is None or exp.date is None or not birth.text:
        return out
    if birth.date is not None and (birthday_fits(birth.date, exp.date) or _sure(birth)):
        return out
    if birth.date is not None and birth.confidence > exp.confidence and "repaired" not in birth.reasons:
        return out
    got = again("birth_date", mds=birthdays(exp.date))
    if got is None or got.date is None or not birthday_fits(got.date, exp.date) or got.date >= exp.date:
        return out
    fixed = _repaired(birth, got, "decoded again on the birthdays the expiry allows")
    return {**out, "birth_date": fixed, "expiry": _inconsistent(exp) if birth.date is not None else exp}


#: The expiry's two years as read: 「2029年(令和10年)」.
_BRACKET = re.compile(r"(\d{4})\s*年\s*[(（]\s*令和\s*(元|\d{1,2})\s*年")


def _reiwa(year: str) -> int:
    """The Gregorian year of 令和 ``year`` as printed (「元」 or digits)."""
    return wareki.BY_NAME["令和"].offset + (1 if year == "元" else int(year))


def _bracket(text: str) -> tuple[int, int] | None:
    """An expiry's Gregorian year and its bracketed 令和 year (as a Gregorian one), both as read, or None."""
    m = _BRACKET.search(text)
    return None if m is None else (int(m.group(1)), _reiwa(m.group(2)))


def bracket_disagrees(text: str) -> bool:
    """Whether an expiry's Gregorian year and its bracketed 令和 year, both read, name different years."""
    years = _bracket(text)
    return years is not None and years[0] != years[1]


def bracket_years(again: Again, out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """An expiry whose Gregorian and bracketed 令和 years disagree as read (「2029年(令和10年)」: one digit
    misread) decoded again with only those two years, each one form in which the two are one: the frames
    decide which was misread. Taken ``repaired``; when nothing fits, the value read stays, doubtful."""
    exp = out.get("expiry")
    both = _bracket(exp.text) if exp is not None else None
    if exp is None or both is None or both[0] == both[1]:
        return out
    lo, hi = sorted(both)
    got = again("expiry", within=(date(lo, 1, 1), date(hi, 12, 31)))
    if got is None or got.date is None or got.date.year not in both:
        return {**out, "expiry": _inconsistent(exp)}
    return {**out, "expiry": _repaired(exp, got, "its two years disagreed: decoded again as one")}


#: A birth date on the name's row with its month or day lost (glare over 「01月」: 「昭和26年」 and 「J08日生」
#: read as two lines): an era and its year, then what is left of the month and day, then 生.
_PARTIAL_BIRTH = re.compile(
    r"(明治|大正|昭和|平成)\s*(元|\d{1,2})\s*年(?P<rest>[^年生]{0,8}?)(?:(?P<day>\d{1,2})\s*日\s*)?生"
)


def birth_on_row(recs: list[RecLine], out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """A birth date the assignment did not find because its month (or day) was lost, its era year and what is
    left read on the name's row, completed from the expiry: of the birthdays the expiry allows (25 to 35
    days before it), the one month and day that agree with every digit of them read; none or several: nothing.
    Always ``repaired``: the month, never seen, comes from the expiry."""
    birth, exp = out.get("birth_date"), out.get("expiry")
    if birth is None or birth.value is not None or birth.text or exp is None or exp.date is None:
        return out
    if exp.confidence < SURE:
        return out
    row = sorted((r for r in recs if r.line.cy < TOP_ROW_MM and r.line.x0 > NAME_ROW_DATE_X), key=lambda r: r.line.x0)
    text = " ".join(r.line.text for r in row)
    hits = list(_PARTIAL_BIRTH.finditer(text))
    if len(hits) != 1:
        return out
    m = hits[0]
    month = re.search(r"(\d{1,2})\s*月", m.group("rest"))
    fits = [
        md
        for md in birthdays(exp.date)
        if (month is None or int(month.group(1)) == md[0]) and (m.group("day") is None or int(m.group("day")) == md[1])
    ]
    if (month is None and m.group("day") is None) or len(fits) != 1:
        return out
    year = 1 if m.group(2) == "元" else int(m.group(2))
    try:
        d = wareki.from_era(wareki.BY_NAME[m.group(1)], year, *fits[0], strict=True)
    except wareki.EraError:
        return out
    if not (date(1868, 1, 25) <= d < exp.date):
        return out
    conf = min([*(r.decoded.confidence for r in row), exp.confidence])
    reading = _made(
        "birth_date",
        d,
        f"{m.group(0)}({fits[0][0]}月{fits[0][1]}日)",
        conf,
        calendar="wareki",
        era_year=year,
        problem="month and day taken from the expiry (a month after a birthday)",
    )
    return {**out, "birth_date": reading}


#: An issue date the assignment could not take for one: its era lost or misread (「104年09月25日」, glare over
#: 令和; 「登合和03年11月0611」) or its 日 read as digits: a year's last digits, a month, a day's digits.
_LOOSE_ISSUE = re.compile(r"(\d{1,4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,4})(?:\s*日|\s*$)")


def issue_on_row(
    recs: list[RecLine], expiry_line: RecLine | None, out: dict[str, fp.FieldReading]
) -> dict[str, fp.FieldReading]:
    """An issue date not found because its era was lost or misread (glare over 令和: 「104年09月25日」) or its
    日 read as digits (「…11月0611」), on the one line above the expiry band that holds a year, a month and a
    day's digits: the era year is the year's last one or two digits, the day the first two of the day's, and
    the era the one era whose year gives a date in the six years before the expiry. Taken (``repaired``,
    always doubtful: the era was never read) only when exactly one date fits; none or several: nothing."""
    issue, exp = out.get("issue_date"), out.get("expiry")
    if issue is None or issue.text or exp is None or exp.date is None or expiry_line is None:
        return out
    band = expiry_line.line
    left_half = band.x0 + 0.5 * (band.x1 - band.x0)  # the issue date's side of the row, not the number right of it
    hits = [
        (r, m)
        for r in recs
        if r is not expiry_line and TOP_ROW_MM < r.line.cy < band.y0 + 1.0 and r.line.x0 < left_half
        for m in _LOOSE_ISSUE.finditer(r.line.text)
    ]
    if len(hits) != 1 or len(hits[0][1].group(1)) == 4:  # a Gregorian year read in full needs no era
        return out
    r, m = hits[0]
    digits, day_digits = m.group(1), m.group(3)
    day = int(day_digits[:2]) if len(day_digits) >= 3 else int(day_digits)
    fits: set[date] = set()
    for era in ("平成", "令和"):
        for ey in {int(digits[-2:]), int(digits[-1])}:
            try:
                d = wareki.from_era(wareki.BY_NAME[era], ey, int(m.group(2)), day, strict=True)
            except wareki.EraError:
                continue
            if issue_fits(d, exp.date):
                fits.add(d)
    if len(fits) != 1:
        return out
    d = fits.pop()
    conf = min(r.decoded.confidence, exp.confidence)
    reading = _made(
        "issue_date",
        d,
        m.group(0),
        conf,
        calendar="wareki",
        era_year=d.year - wareki.era_of(d).offset,
        problem="its era taken from the expiry (issued at most six years before it)",
    )
    return {**out, "issue_date": reading}


#: The bracketed half of a licence expiry whose Gregorian year was lost (glare over 「2027年(令」: 「和09年)05月24日
#: まで有効」 read): the 令和 year in its bracket, the month and the day, then まで or 有効.
_BRACKET_HALF = re.compile(
    r"(?<![\d年])(?:令\s*)?和\s*(元|\d{1,2})\s*年\s*[)）]\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:まで|有効)"
)


def _reiwa_expiry(d: date, birth: fp.FieldReading | None) -> bool:
    """Whether ``d`` can be the expiry of a licence printed with a bracketed 令和 year: in 令和, at most 12 years
    ahead, and a month after a birthday the birth date allows (when one was read)."""
    if d < wareki.BY_NAME["令和"].start or d.year > date.today().year + 12:
        return False
    return birth is None or birth.date is None or birthday_fits(birth.date, d)


def expiry_from_bracket(recs: list[RecLine], out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """An expiry not found because its Gregorian year was lost (「和09年)05月24日まで有効」): the bracketed 令和
    year gives it (2018 + the era year), when exactly one line holds such a half and the date is a plausible
    expiry after a birthday the birth date allows (when one was read). Always ``repaired``: half the print,
    the year the card prints first, was never read."""
    exp, birth = out.get("expiry"), out.get("birth_date")
    if exp is None or exp.value is not None or exp.text:
        return out
    hits = [(r, m) for r in recs for m in _BRACKET_HALF.finditer(r.line.text)]
    if len(hits) != 1:
        return out
    r, m = hits[0]
    try:
        d = date(_reiwa(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return out
    if not _reiwa_expiry(d, birth):
        return out
    conf = r.decoded.confidence
    reading = _made(
        "expiry",
        d,
        m.group(0),
        conf,
        calendar="seireki",
        problem="its Gregorian year taken from the bracketed 令和 year",
    )
    return {**out, "expiry": reading}


#: A licence expiry split in two by glare over its bracketed 令和 year (「2029年(令」 and 「06月24日まで有効」 read
#: apart on one row): the Gregorian year with what is left of the bracket, and the month and day before まで.
_YEAR_PART = re.compile(r"\s*(20\d\d)\s*年\s*(?:[(（]\s*(?:令\s*(?:和\s*)?)?)?")
_MONTH_DAY_PART = re.compile(r"\s*(?:[)）]\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:まで|有効)")


def expiry_split(recs: list[RecLine], out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """An expiry not found because glare split it over its bracketed 令和 year (「2029年(令」 and 「06月24日まで
    有効」 on one row, tune-4110): the Gregorian year of the one, the month and day of the other, when exactly
    one such pair stands on the card and the date falls a month after a birthday the birth date allows (when
    one was read). Always ``repaired``: the bracket that ties the year was never read."""
    exp, birth = out.get("expiry"), out.get("birth_date")
    if exp is None or exp.value is not None:
        return out
    pairs = [
        (r, int(y.group(1)), o, int(md.group(1)), int(md.group(2)))
        for r, y, o, md in pieces_on_row(recs, _YEAR_PART, _MONTH_DAY_PART)
    ]
    if len(pairs) != 1:
        return out
    r, year, o, month, day = pairs[0]
    try:
        d = date(year, month, day)
    except ValueError:
        return out
    if not _reiwa_expiry(d, birth):
        return out
    conf = min(r.decoded.confidence, o.decoded.confidence)
    text = f"{r.line.text.strip()}…{o.line.text.strip()}"
    reading = _made("expiry", d, text, conf, calendar="seireki", problem="read in two pieces split by glare")
    return {**out, "expiry": reading}


def cross_check(
    again: Again, recs: list[RecLine], expiry_line: RecLine | None, out: dict[str, fp.FieldReading]
) -> dict[str, fp.FieldReading]:
    """The licence's date rules, the expiry's own first (the others lean on it); ``expiry_line``: the line the
    expiry was read from (the issue date is printed above it)."""
    out = expiry_from_bracket(recs, out)
    out = expiry_split(recs, out)
    out = bracket_years(again, out)
    out = issue_from_expiry(again, out)
    out = issue_on_row(recs, expiry_line, out)
    out = birth_from_expiry(again, out)
    return birth_on_row(recs, out)
