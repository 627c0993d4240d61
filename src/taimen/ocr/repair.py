"""Dates whose first reading has not got a date's form, decoded again under the date's grammar
(``taimen.ocr.ctc``) from the recogniser's kept per-frame probabilities.

Greedy decoding loses one of two equal digits (「1955年」 read 「195年」, 「11月」 read 「月」), lets a mark from
the background in (「1男974年」) or loses an era's first character under glare (「和2年」). The constrained
path must emit a digit in each place a date needs one, so it finds the character the greedy reading gave to
the blank or to a neighbour. Each era (and the Gregorian form) is tried and the most probable path that is a
real, plausible date wins. A value found this way is always flagged ``repaired``: the operator confirms it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import numpy as np

from taimen import wareki
from taimen.ocr.ctc import Path, Slot, best_path, classes_of
from taimen.ocr.engine import Engine, Line, span_frames

DIGITS = "0123456789"
ERAS = ("昭和", "平成", "令和", "大正", "明治")
_SP = Slot(" ", optional=True)

#: The key under which a driving licence's expiry is decoded: 「2028年(令和10年)…」 or, on licences issued
#: under 平成, an era year past the era's end (「平成33年」) that only converts leniently.
LICENSE_EXPIRY = "license_expiry"


def _md(md: tuple[int, int] | None = None, padded: bool = False) -> list[Slot]:
    """「 7月 1日」, 「07月01日」, 「7月1日」: a month's tens digit is 0 or 1, a day's 0 to 3; with ``md`` that
    month and day exactly (printed zero-padded, space-padded or plain); ``padded``: both tens digits printed."""
    if md is None:
        month, day = Slot("01", not padded), Slot("0123", not padded)
        return [_SP, month, Slot(DIGITS), Slot("月"), _SP, day, Slot(DIGITS), Slot("日")]

    def two(n: int) -> list[Slot]:
        return [Slot("0", True), Slot(str(n))] if n < 10 else [Slot(str(n // 10)), Slot(str(n % 10))]

    return [_SP, *two(md[0]), Slot("月"), _SP, *two(md[1]), Slot("日")]


def western_forms(key: str, md: tuple[int, int] | None = None, padded: bool = False) -> list[list[Slot]]:
    """Years 1868-1999 (not for an expiry) and from 2000 to the decade of the latest plausible year."""
    tail = [Slot(DIGITS), Slot("年"), *_md(md, padded)]
    latest = date.today().year + (12 if key in ("expiry", "period", "date", LICENSE_EXPIRY) else 0)
    out = [[Slot("2"), Slot("0"), Slot(DIGITS[: (latest - 2000) // 10 + 1]), *tail]]
    tail = [Slot(DIGITS), *tail]
    if key not in ("expiry", "period", LICENSE_EXPIRY):
        out.append([Slot("1"), Slot("89"), *tail])
    return out


def era_form(era: str, md: tuple[int, int] | None = None, padded: bool = False) -> list[Slot]:
    return [Slot(era[0]), Slot(era[1]), _SP, Slot(DIGITS + "元"), Slot(DIGITS, True), Slot("年"), *_md(md, padded)]


def era_forms_within(era: str, md: tuple[int, int] | None = None, padded: bool = False) -> list[list[Slot]]:
    """An era's form split by the year's tens digit so that no path spells a year past the era's last (昭和 ends
    in its 64th: 「66」 has no form, 「56」 has), which the one form per era cannot say: its best path may be a
    year that does not exist while the next best is a real date."""
    w = wareki.BY_NAME[era]
    end = wareki.era_end(w)
    last = (end.year if end is not None else date.today().year) - w.offset
    head, tail = [Slot(era[0]), Slot(era[1]), _SP], [Slot("年"), *_md(md, padded)]
    out = [[*head, Slot("0", True), Slot("123456789元"[: min(9, last)] + "元"), *tail]]
    for tens in range(1, last // 10 + 1):
        units = DIGITS if tens < last // 10 else DIGITS[: last % 10 + 1]
        out.append([*head, Slot(str(tens)), Slot(units), *tail])
    return out


def bracket_forms(md: tuple[int, int] | None = None, padded: bool = False) -> list[list[Slot]]:
    """The licence's 「2028年(令和10年)03月17日」, one form per year: the Gregorian year and the 令和 year in
    brackets must agree, which no slot-by-slot grammar can say."""
    out = []
    for y in range(2019, date.today().year + 13):
        ey = y - 2018
        era_year = [Slot("0", True), Slot(str(ey))] if ey < 10 else [Slot(str(ey // 10)), Slot(str(ey % 10))]
        head = [Slot(c) for c in str(y)]
        bracket = [Slot("(", True), Slot("令"), Slot("和"), *era_year, Slot("年"), Slot(")", True)]
        out.append([*head, Slot("年"), _SP, *bracket, *_md(md, padded)])
    return out


def _era_year(ey: int) -> list[Slot]:
    """An era year as a licence prints it: 「06」 or 「6」 (a leading 0 optional), 元 or 1 for the first."""
    if ey == 1:
        return [Slot("0", True), Slot("1元")]
    return [Slot("0", True), Slot(str(ey))] if ey < 10 else [Slot(str(ey // 10)), Slot(str(ey % 10))]


def year_forms(
    key: str,
    years: range,
    western: bool | None,
    mds: list[tuple[int, int] | None] | None = None,
    padded: bool = False,
) -> list[list[Slot]]:
    """One form per year of ``years`` (and per month and day of ``mds``, any when None): a date another date of
    the card bounds to a few years (a licence's issue date lies at most a few years before its expiry). Per
    year, where the slot-by-slot grammar only knows digits: the year a misread digit would leave the bounds
    with cannot win. Gregorian (``western`` True), an era's (False: every era the year falls in, a licence
    expiry's 平成 counted on past its end) or both (None); a licence expiry also in its bracketed form."""
    expiry = key == LICENSE_EXPIRY
    eras = [wareki.BY_NAME[e] for e in (("平成", "令和") if expiry else ERAS)]
    out: list[list[Slot]] = []
    for md in mds or [None]:
        tail = [Slot("年"), *_md(md, padded)]
        for y in years:
            if western is not False:
                out.append([*(Slot(c) for c in str(y)), *tail])
                if expiry and y >= 2019:
                    ey = y - 2018
                    bracket = [Slot("(", True), Slot("令"), Slot("和"), *_era_year(ey), Slot("年"), Slot(")", True)]
                    out.append([*(Slot(c) for c in str(y)), Slot("年"), _SP, *bracket, *_md(md, padded)])
            if western is True:
                continue
            for era in eras:
                end = wareki.era_end(era)
                ey = y - era.offset
                if ey < 1 or (end is not None and y > end.year and not (expiry and era.name == "平成")):
                    continue
                out.append([Slot(era.name[0]), Slot(era.name[1]), _SP, *_era_year(ey), *tail])
    return out


_BRACKET_RE = re.compile(r"(\d{4})\s*年\s*\(?令和(\d{1,2})年\)?\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ERA_RE = re.compile(r"(明治|大正|昭和|平成|令和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_WEST_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def _past_era_end(text: str) -> str | None:
    """The era of an era date whose year is past the era's last (「昭和66年」), else None."""
    m = _ERA_RE.fullmatch(text.strip())
    if m is None or m.group(2) == "元":
        return None
    era = wareki.BY_NAME[m.group(1)]
    end = wareki.era_end(era)
    return m.group(1) if end is not None and era.offset + int(m.group(2)) > end.year else None


def as_date(text: str, *, strict: bool = True) -> date | None:
    """The date a constrained reading spells (strict: 昭和64年1月8日 and 2月30日 do not exist; not strict: an
    era year past the era's end, as licences issued under 平成 print, is counted on)."""
    m = _ERA_RE.fullmatch(text.strip())
    try:
        if m:
            year = 1 if m.group(2) == "元" else int(m.group(2))
            era = wareki.BY_NAME[m.group(1)]
            return wareki.from_era(era, year, int(m.group(3)), int(m.group(4)), strict=strict)
        m = _BRACKET_RE.fullmatch(text.strip())
        if m and int(m.group(1)) == 2018 + int(m.group(2)):
            return date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        m = _WEST_RE.fullmatch(text.strip())
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except (ValueError, wareki.EraError):
        return None
    return None


def plausible(d: date, key: str) -> bool:
    """A birth or issue date is not in the future and not before 1868; an expiry or period end is not before
    1990 nor more than 12 years ahead (cards run 10 years at most, periods of stay 5); a date of unknown use
    lies between those bounds."""
    today = date.today()
    if key in ("birth_date", "issue_date"):
        return date(1868, 1, 25) <= d <= today
    if key in ("expiry", "period", LICENSE_EXPIRY):
        return 1990 <= d.year <= today.year + 12
    return date(1868, 1, 25) <= d and d.year <= today.year + 12


#: A character the recogniser gave less than this in all its frames was not seen at all: no reading.
MIN_P = 0.002
#: A form that makes the reading this much less probable (log) than what the frames say on their own is not a
#: repair but an invention (the most the tuning split's repairs cost was 6.6).
MAX_GAP = 8.0


class DateRepair:
    """Constrained date decoding over one engine's dictionary."""

    def __init__(self, table: list[str]) -> None:
        self.classes = classes_of(table)
        self._ids: dict[str, np.ndarray] = {}

    def _feasible(self, peak: np.ndarray, form: list[Slot]) -> bool:
        """Whether every required slot has a character the frames give at least ``MIN_P`` somewhere: a path
        through a form that has not is refused anyway (its confidence is below ``MIN_P``), so it is not run."""
        for slot in form:
            if slot.optional:
                continue
            ids = self._ids.get(slot.chars)
            if ids is None:
                ids = self._ids[slot.chars] = np.array(
                    sorted({i for ch in slot.chars for i in self.classes.get(ch, ())}), np.intp
                )
            if ids.size == 0 or float(peak[ids].max()) < MIN_P:
                return False
        return True

    def decode(
        self,
        probs: np.ndarray,
        key: str,
        western: bool | None = None,
        md: tuple[int, int] | None = None,
        padded: bool = False,
        *,
        head_lost: bool = False,
        born_before: date | None = None,
        within: tuple[date, date] | None = None,
        mds: list[tuple[int, int]] | None = None,
        century_lost: bool = False,
    ) -> Path | None:
        """The most probable reading of ``probs`` (the frames of one date, 「…日」 inclusive) that is a real,
        plausible date for ``key``: Gregorian (``western`` True), an era (False) or either (None); with ``md``
        only dates on that month and day; ``padded``: with two-digit months and days (「01月05日」). With
        ``head_lost``, when no form fits, an era whose first character left no trace (``_head_lost``), a
        birth before ``born_before`` (the card's expiry) if given. With ``within`` (first and last day), only
        dates between them, each year its own form (``year_forms``); with ``mds`` (months and days) only dates
        on one of them, the frames choosing. With ``century_lost`` and ``western`` True, when no form fits, a year whose
        first digit was lost (``_century_lost``)."""
        forms: list[tuple[list[Slot], tuple[int, int] | None]] = []
        for one in mds or [md]:
            if within is not None:
                years = range(within[0].year, within[1].year + 1)
                forms += [(f, one) for f in year_forms(key, years, western, [one] if one else None, padded)]
                continue
            if western is not False:
                forms += [(f, one) for f in western_forms(key, one, padded)]
                if key == LICENSE_EXPIRY:
                    forms += [(f, one) for f in bracket_forms(one, padded)]
            if western is not True:
                eras = ("平成", "令和") if key == LICENSE_EXPIRY else ERAS
                forms += [(era_form(e, one, padded), one) for e in eras]
        best: Path | None = None
        past_end: list[list[Slot]] = []  # an era's best path a year past its end: its real years may hold a date
        peak = probs.max(axis=0)
        for form, one in forms:
            if not self._feasible(peak, form):
                continue
            p = best_path(probs, self.classes, form)
            if p is None or p.confidence < MIN_P or p.gap > MAX_GAP or (best is not None and p.score <= best.score):
                continue
            d = as_date(p.text, strict=key != LICENSE_EXPIRY)
            if d is not None and plausible(d, key) and (within is None or within[0] <= d <= within[1]):
                best = p
            elif d is None and key != LICENSE_EXPIRY and (era := _past_era_end(p.text)) is not None:
                past_end += era_forms_within(era, one, padded)
        for form in past_end:  # 「昭和66年」: the era's best path is no date, the best of its real years may be
            p = best_path(probs, self.classes, form)
            if p is None or p.confidence < MIN_P or p.gap > MAX_GAP or (best is not None and p.score <= best.score):
                continue
            d = as_date(p.text)
            if d is not None and plausible(d, key):
                best = p
        if best is None and head_lost and western is not True and key != LICENSE_EXPIRY:
            best = self._head_lost(probs, key, md, padded, born_before)
        if best is None and century_lost and western is True and md is None and within is None:
            best = self._century_lost(probs, key, padded)
        return best

    def _century_lost(self, probs: np.ndarray, key: str, padded: bool) -> Path | None:
        """A Gregorian year read with three digits whose first left no trace (「348年08月22日」 for 1948: the box
        began past the 1, the 9 read 3 with 9 at 0.2): the other three digits, the month and the day, the lost
        digit put back as the one that makes the year (1 before 8 or 9, 2 before 0) on the next one's frame, with
        no confidence (always doubtful). The most probable plausible date wins."""
        peak = probs.max(axis=0)
        tail = [Slot(DIGITS), Slot(DIGITS), Slot("年"), *_md(None, padded)]
        heads = [("2", "0")] if key in ("expiry", "period", LICENSE_EXPIRY) else [("2", "0"), ("1", "89")]
        best: Path | None = None
        for head, second in heads:
            form = [Slot(second), *tail]
            if not self._feasible(peak, form):
                continue
            p = best_path(probs, self.classes, form)
            if p is None or p.confidence < MIN_P or p.gap > MAX_GAP or (best is not None and p.score <= best.score):
                continue
            d = as_date(head + p.text)
            if d is not None and plausible(d, key if key != LICENSE_EXPIRY else "expiry"):
                best = Path(head + p.text, (0.0, *p.confidences), (p.positions[0], *p.positions), p.score, p.gap)
        return best

    def _head_lost(
        self, probs: np.ndarray, key: str, md: tuple[int, int] | None, padded: bool, born_before: date | None
    ) -> Path | None:
        """An era of which the frames hold only the second character (「潮36年7月21日」: 昭和 squeezed into one
        glyph whose frames give 和 some weight and 昭 none; 昭 under glare or another print): the era's second
        character, then the year, month and day. Taken only when exactly one era with that second character
        gives a plausible date (和: 昭和36 is a birth, 令和36 is not; 和3 fits both and gives nothing); the first
        character, never seen, is put on the second's frame with no confidence (always doubtful)."""
        peak = probs.max(axis=0)
        fits: list[tuple[str, Path]] = []
        for era in ERAS:
            form = era_form(era, md, padded)[1:]
            if not self._feasible(peak, form):
                continue
            p = best_path(probs, self.classes, form)
            if p is None or p.confidence < MIN_P or p.gap > MAX_GAP:
                continue
            d = as_date(era[0] + p.text)
            if d is not None and plausible(d, key) and (born_before is None or d < born_before):
                fits.append((era, p))
        if not fits:
            return None
        era, p = max(fits, key=lambda f: f[1].score)
        if any(e[1] == era[1] and e != era for e, _ in fits):  # two eras the frames cannot tell apart
            return None
        return Path(era[0] + p.text, (0.0, *p.confidences), (p.positions[0], *p.positions), p.score, p.gap)


_BY_ENGINE: dict[int, DateRepair] = {}


def for_engine(ocr: Engine) -> DateRepair | None:
    """The date decoder over ``ocr``'s dictionary, made once per engine; None for an engine without per-class
    probabilities (Tesseract in the benchmark)."""
    if id(ocr) not in _BY_ENGINE:
        try:
            table = ocr.character_table()
        except AttributeError:
            return None
        _BY_ENGINE[id(ocr)] = DateRepair(table)
    return _BY_ENGINE[id(ocr)]


#: Where a broken date may start before its 年: digits, an era's characters, 元, spaces, kanji numerals the
#: recogniser reads for digits.
_LEAD = set(DIGITS + "元二三〇明大昭平令治正和成 ")


def broken_date_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of ``text`` that look like a date the first reading broke: something date-like before
    a 年 and a 日 at most eight characters after it, and no strict date there already."""
    out: list[tuple[int, int]] = []
    whole = []  # the licence's 「2029年(令和11年)02月25日」 as one date, broken or not
    for m in _BRACKET_SPAN.finditer(text):
        whole.append(m.span())
        if as_date(m.group(0), strict=False) is None:
            out.append(m.span())
    for m in re.finditer("年", text):
        if any(s <= m.start() < e for s, e in whole):
            continue
        start = m.start()
        while start > 0 and m.start() - start < 6:
            if text[start - 1] in _LEAD:
                start -= 1
            elif start > 1 and text[start - 2].isdigit():  # a mark read inside the year (「1男974年」)
                start -= 2
            else:
                break
        while start < m.start() and text[start] == " ":
            start += 1
        if start == m.start() or not re.search(r"[\d元二三〇和成治正]", text[start : m.start()]):
            continue
        end = text.find("日", m.end(), m.end() + 9)
        if end < 0 or any(s <= start < e or s < end + 1 <= e or start <= s < end + 1 for s, e in out):
            continue
        if as_date(text[start : end + 1], strict=False) is not None:  # a date's form (平成33年 on licences)
            continue
        out.append((start, end + 1))
    for pattern in (_YEAR_MARK_LOST, _DAY_MARK_LOST, _DAY_AS_DIGITS):  # 「2028ヶ05月16日」, 「昭和52年 2月 1月生」
        for m in pattern.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e in out):
                out.append(m.span())
    return sorted(out)


#: A Gregorian year, something in brackets, a month and a day: the licence's expiry with any of it misread.
_BRACKET_SPAN = re.compile(r"(?<!\d)\d{4}\s*年\s*[(（][^()（）月日]{0,7}[)）][^年月日]{0,4}月[^年月日]{0,4}日")
#: The first and the second characters of the eras' names.
_ERA_HEADS = "".join(dict.fromkeys(e.name[0] for e in wareki.ERAS))
_ERA_SECOND = "".join(dict.fromkeys(e.name[1] for e in wareki.ERAS))  # 昭和 and 令和 share 和
#: An era, or its second character alone (the first under glare or another print: 「和42年12月291生」).
_ERA = "(?:" + "|".join(e.name for e in wareki.ERAS) + f"|(?<![{_ERA_HEADS}])[{_ERA_SECOND}])"
#: A year (four digits or an era's) and a month and day, with one mark other than 年 between year and month.
_YEAR_MARK_LOST = re.compile(
    r"(?<!\d)(?:\d{4}|" + _ERA + r"\s*(?:元|\d{1,2}))[^\d年月日]\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
)


#: A year, a month and a day whose 日 was read as another mark (「昭和52年 2月 1月生」), before 生 or まで.
_DAY_MARK_LOST = re.compile(
    r"(?<!\d)(?:\d{4}|" + _ERA + r"\s*(?:元|\d{1,2}))\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[^\d年日\s](?=\s*(?:生|まで))"
)


#: A year, a month and a day whose 日 was read as digits (「平成15年08月0111生」, 「平成30年10月1911」 at the line's
#: end): three or four digits after 月 before 生, まで or the end of the line.
_DAY_AS_DIGITS = re.compile(
    r"(?<!\d)(?:\d{4}|" + _ERA + r"\s*(?:元|\d{1,2}))\s*年\s*\d{1,2}\s*月\s*\d{3,4}(?=\s*(?:生|まで|$))"
)


def repair_line(
    rep: DateRepair,
    text: str,
    line: Line,
    probs: np.ndarray,
    key: str,
    *,
    head_lost: bool = False,
    western: bool | None = None,
) -> tuple[Line, bool]:
    """``line`` with each broken date in it decoded again (positions and confidences kept in step); whether
    anything changed. With ``head_lost``, a date with an era year and no era before it that does not decode
    is tried once more from the one glyph before it, with the era's first character allowed to be lost
    (「潮36年7月21日生」: 昭和 read as one glyph, ``DateRepair._head_lost``). ``western`` True: the card prints
    this date in the Gregorian calendar only, so a year read with three digits lost its first."""
    if not line.positions or len(line.positions) != len(text):
        return line, False
    changed = False
    for start, end in reversed(broken_date_spans(text)):
        pos = line.positions
        t0, t1 = span_frames(line, start, end, probs.shape[0])
        path = rep.decode(probs[t0:t1], key)
        lone = text[start] in _ERA_SECOND and (start == 0 or not _glyph(text[start - 1]))
        if path is None and head_lost and lone:  # 「和42年12月291生」: glare left no glyph of the era's first character
            path = rep.decode(probs[t0:t1], key, head_lost=True)
        era_cut = start > 0 and _glyph(text[start - 1]) and bool(_ERA_TAIL.match(text, start))
        if path is None and CENTURY_LOST.match(text, start):  # 「348年08月22日」: the year's first digit lost
            path = rep.decode(probs[t0:t1], key, western, century_lost=True)
        if path is None and era_cut:  # the era's first character misread as another glyph (「合和02年」 for 令和)
            start -= 1
            t0 = span_frames(line, start, end, probs.shape[0])[0]
            path = rep.decode(probs[t0:t1], key)
            if path is None and head_lost and _ERA_YEAR.match(text, start + 1):
                path = rep.decode(probs[t0:t1], key, head_lost=True)
        if path is None:
            continue
        text = text[:start] + path.text + text[end:]
        confs = line.char_confidences[:start] + path.confidences + line.char_confidences[end:]
        positions = pos[:start] + tuple(t0 + p for p in path.positions) + pos[end:]
        line = replace(line, text=text, confidence=min(confs), char_confidences=confs, positions=positions)
        changed = True
    return line, changed


#: A year read with three digits: a Gregorian one that lost its first (``DateRepair._century_lost``).
CENTURY_LOST = re.compile(r"(?<!\d)\d{3}\s*年")
#: An era's year (one or two digits, or 元) and 年, with no era before it.
_ERA_YEAR = re.compile(r"(?:元|\d{1,2})\s*年")
#: What a date has after an era's first character: the era's second character or, that lost too, the era year.
_ERA_TAIL = re.compile(rf"[{_ERA_SECOND}]?\s*(?:元|\d{{1,3}})\s*年")


def _glyph(ch: str) -> bool:
    """A character an era's two could have been read as: a kanji that is no part of a date's own marks."""
    return "\u4e00" <= ch <= "\u9fff" and ch not in "年月日生元二三〇"
