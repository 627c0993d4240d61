"""和暦 (Japanese era calendar): the one era module for the whole project.

Five eras since the Gregorian calendar was adopted (1873-01-01). Conversions are arithmetic: a licence may
record 平成33年 for a date after 平成 ended; that converts to 2021 and is flagged, never range-rejected,
where the source is a card. Parsing of what a person typed or OCR read is strict instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Era:
    code: int  # the licence's era digit: 1 明治 … 5 令和
    name: str
    romaji: str
    start: date  # first day of the era
    offset: int  # Gregorian year = era year + offset

    @property
    def first_year(self) -> int:
        return self.offset + 1


ERAS: tuple[Era, ...] = (
    Era(1, "明治", "Meiji", date(1868, 1, 25), 1867),
    Era(2, "大正", "Taisho", date(1912, 7, 30), 1911),
    Era(3, "昭和", "Showa", date(1926, 12, 25), 1925),
    Era(4, "平成", "Heisei", date(1989, 1, 8), 1988),
    Era(5, "令和", "Reiwa", date(2019, 5, 1), 2018),
)
BY_CODE = {e.code: e for e in ERAS}
BY_NAME = {e.name: e for e in ERAS}


class EraError(ValueError):
    """A date that does not exist in the stated era, or an unknown era."""


def era_of(d: date) -> Era:
    for era in reversed(ERAS):
        if d >= era.start:
            return era
    raise EraError(f"{d.isoformat()} is before 明治")


def era_end(era: Era) -> date | None:
    """Last day of an era (None for the current one)."""
    later = [e for e in ERAS if e.start > era.start]
    if not later:
        return None
    nxt = later[0].start
    return date.fromordinal(nxt.toordinal() - 1)


@dataclass(frozen=True, slots=True)
class WarekiDate:
    era: Era
    year: int  # era year, 1 = 元年
    month: int
    day: int

    def year_text(self) -> str:
        return "元" if self.year == 1 else str(self.year)

    def format(self) -> str:
        """Japanese display form: 令和2年4月8日, 令和元年5月1日."""
        return f"{self.era.name}{self.year_text()}年{self.month}月{self.day}日"

    def yymmdd(self) -> str:
        return f"{self.year % 100:02d}{self.month:02d}{self.day:02d}"


def to_wareki(d: date) -> WarekiDate:
    era = era_of(d)
    return WarekiDate(era, d.year - era.offset, d.month, d.day)


def format_ja(d: date) -> str:
    """令和2年4月8日; dates before 明治 fall back to the Gregorian form (1867年1月1日)."""
    try:
        return to_wareki(d).format()
    except EraError:
        return f"{d.year}年{d.month}月{d.day}日"


def format_seireki(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def from_era(era: Era, year: int, month: int, day: int, *, strict: bool = True) -> date:
    """The Gregorian date of era year/month/day.

    ``strict``: the date must fall inside the era (for what people type or OCR reads).
    Otherwise the conversion is arithmetic (for what cards record; see ``past_era_end``).
    """
    if year < 1:
        raise EraError(f"{era.name}{year}年: era years start at 1")
    try:
        d = date(era.offset + year, month, day)
    except ValueError as exc:
        raise EraError(f"{era.name}{year}年{month}月{day}日 does not exist") from exc
    if strict:
        end = era_end(era)
        if d < era.start or (end is not None and d > end):
            raise EraError(f"{era.name}{year}年{month}月{day}日 is outside {era.name}")
    elif d < era.start:
        raise EraError(f"{era.name}{year}年{month}月{day}日 is before {era.name} began")
    return d


def past_era_end(era: Era, d: date) -> bool:
    """True when ``d`` was recorded in ``era`` but falls after that era ended (e.g. 平成33年)."""
    end = era_end(era)
    return end is not None and d > end


_ERA_NAMES = "明治|大正|昭和|平成|令和"
# Digits must not run on into more digits (令和502年, 12020年) and a Gregorian year must not follow an era name
# (令和2020年): such text is not a date, and guessing one would be the kind of error strict parsing exists for.
_JA_DATE = re.compile(rf"({_ERA_NAMES})\s*(元|\d{{1,2}})(?!\d)\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日")
_SEIREKI_DATE = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ERA_BEFORE = re.compile(rf"(?:{_ERA_NAMES})\s*$")


def parse_ja(text: str) -> date:
    """Parse 昭和55年2月17日 / 令和元年5月1日 / 1980年2月17日 (full-width digits allowed), strictly."""
    t = unicodedata.normalize("NFKC", text)
    m = _JA_DATE.search(t)
    if m:
        era = BY_NAME[m.group(1)]
        year = 1 if m.group(2) == "元" else int(m.group(2))
        return from_era(era, year, int(m.group(3)), int(m.group(4)))
    m = _SEIREKI_DATE.search(t)
    if m and _ERA_BEFORE.search(t, 0, m.start()):
        raise EraError(f"{text!r}: an era name followed by a Gregorian year is not a date")
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError as exc:
            raise EraError(f"{text!r} is not a date") from exc
    raise EraError(f"{text!r} is not a recognised date")


# --- 元号コード + YYMMDD, as the driving licence records dates ---------------------------------------


@dataclass(frozen=True, slots=True)
class EraCodedDate:
    """A date recorded as one era digit followed by YYMMDD (e.g. ``5020408`` = 令和2年4月8日).

    Card input: nothing here raises. The era digit comes from ``BY_CODE`` (never a fallback era: an
    unknown digit stays unknown, which is how "502年" and 「昭和」-for-everything bugs are avoided). Years
    are converted arithmetically and not range-checked (平成33年 → 2021, ``past_era_end``).
    """

    raw: str
    era: Era | None
    year: int
    month: int
    day: int
    date: date | None
    #: YYMMDD is 000000: no date recorded (a licence category the holder does not have).
    empty: bool = False
    past_era_end: bool = False
    #: "" when fine; "malformed" (not 7 digits), "unknown_era" or "invalid" (no such day).
    problem: str = ""

    def format(self) -> str:
        """Japanese display form as recorded: 令和2年4月8日, 令和元年5月1日, 平成33年2月7日."""
        if self.problem == "malformed":
            return f"［日付形式不正:{self.raw}］"
        if self.era is None:
            return f"［元号不明:{self.raw[:1]}］{self.year:02d}年{self.month:02d}月{self.day:02d}日"
        if self.empty or self.problem:
            return f"{self.era.name}{self.year:02d}年{self.month:02d}月{self.day:02d}日"
        return WarekiDate(self.era, self.year, self.month, self.day).format()


def parse_era_coded(raw: str) -> EraCodedDate:
    """Parse 元号コード(1 明治 … 5 令和) + YYMMDD."""
    if len(raw) != 7 or not raw.isascii() or not raw.isdigit():
        return EraCodedDate(raw, None, 0, 0, 0, None, problem="malformed")
    era = BY_CODE.get(int(raw[0]))
    year, month, day = int(raw[1:3]), int(raw[3:5]), int(raw[5:7])
    if era is None:
        return EraCodedDate(raw, None, year, month, day, None, problem="unknown_era")
    if year == month == day == 0:
        return EraCodedDate(raw, era, 0, 0, 0, None, empty=True)
    try:
        d = from_era(era, year, month, day, strict=False)
    except EraError:
        return EraCodedDate(raw, era, year, month, day, None, problem="invalid")
    return EraCodedDate(raw, era, year, month, day, d, past_era_end=past_era_end(era, d))


def era_coded(d: date, era: Era | None = None) -> str:
    """Encode a date as era digit + YYMMDD; ``era`` forces an era (e.g. 平成 for a date after its end)."""
    era = era or era_of(d)
    year = d.year - era.offset
    if not 1 <= year <= 99:
        raise EraError(f"{d.isoformat()} cannot be written as a {era.name} year of two digits")
    return f"{era.code}{year:02d}{d.month:02d}{d.day:02d}"
