"""Assign recognised text lines to a card's fields by what they say and where they stand relative to each
other, not by millimetre boxes.

Input: the text lines found anywhere on the rectified card (position in mm, text as read). Output: for each
field, the pieces of lines that hold its value (a line may hold a label, one value and the start of the next:
「氏名 平野 春香 昭和55年…生」) and the reasons to doubt the choice. Anchors, strongest first:

- the value's own grammar: a date followed by 生 is a birth date, by まで有効 an expiry; twelve digits are a
  licence number; two letters, eight digits and two letters a residence card number;
- the printed labels (氏名, 住所, 住居地, 生年月日, 性別, 交付, セキュリティコード, 第…号): a value stands on the
  label's row to its right, or just below it;
- neighbour relations: an address continues on the lines below its first line at about the same left edge
  until a line that is something else (a date, a label); a name ends where a date begins;
- the printed layout only as a prior: where two candidates remain, the one nearer the usual place wins and
  the field is marked as having had two candidates.

Pure functions over ``TextLine`` lists (tested on synthetic line lists, without OCR).
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from taimen.ocr import variants

ERA = "明治|大正|昭和|平成|令和"
_NUM = r"\d{1,2}"
#: A printed date, lenient about spaces: 和暦 「昭和55年 2月17日」, 西暦 「1980年02月17日」, or the licence's
#: 「2028年(令和10年)03月17日」 (also with the era in brackets misread: 「(合和07年)」).
#: An era name with its first character misread or lost (委和 or 和 for 令和), or its second misread (平威 for
#: 平成: the first names the era alone): the date is decoded again over date characters only, and an era still
#: without its first character is completed where only one era fits (``date_rules.complete_era``), or it
#: fails to parse.
_ERA_FUZZY = r"(?:[^\s\d年月日]?[和成治正](?=\s*(?:元|\d))|[明大昭平令][^\s\d年月日()（）](?=\s*(?:元|\d)))"
#: 日 is read as 目 or 曰 now and then (「2026年01月20目」); after a year, a month and the day's digits nothing
#: else can stand there, and the span is decoded again over date characters, where the frames give 日 or fail.
DAY = "[日目曰]"
DATE = re.compile(
    rf"(?:(?:{ERA}|{_ERA_FUZZY})\s*(?:元|{_NUM})|\d{{4}})\s*年\s*"
    rf"(?:[(（]\s*(?:{ERA}|[^\s\d年月日()（）]?[和成治正])?\s*(?:元|{_NUM})\s*年?\s*[)）]\s*)?{_NUM}\s*月\s*{_NUM}\s*{DAY}"
)
#: A licence expiry's form, its year printed twice: 「2023年(令和05年)…」.
BRACKETED = re.compile(r"\d{4}\s*年\s*[(（]")
#: A date whose line ends right after the day's digits (日 and what follows lost at the box's end), or after
#: one mark that is no 日 (a finger over 「日生」 read as 「F」): the span ends with the digits.
CUT_DATE = re.compile(rf"(?:(?:{ERA})\s*(?:元|{_NUM})|\d{{4}})\s*年\s*{_NUM}\s*月\s*{_NUM}(?=\s*[^\d\s日生]?\s*$)")
#: The start of a date: where a name or an address must end.
DATE_START = re.compile(rf"(?:{ERA}|[明大昭平令](?=\s*[\d元])|\d{{4}}\s*年|\d{{1,2}}\s*年\s*\d)")

LABELS: dict[str, tuple[str, ...]] = {
    "name": ("氏名", "氏 名"),
    "address": ("住所", "住居地", "住 所"),
    "birth": ("生年月日",),
    "sex": ("性別",),
    "issue": ("交付",),
    "code": ("セキュリティコード", "セキュリティ", "コード"),
    "number": ("番号",),
    "nationality": ("国籍・地域", "国籍"),
    "status": ("在留資格",),
    "period": ("在留期間", "(満了日)", "（満了日）"),
    "card": ("このカードは",),
    "valid": ("まで有効です。", "まで有効です", "有効期限"),
    "title": ("個人番号カード", "運転免許証", "在留カード"),
    "other": ("免許の", "条件等", "二・小・原", "二種", "就労制限の有無", "臓器提供意思", "電子証明書", "公安委員会"),
}
_ALL_LABELS = sorted({lab.replace(" ", "") for labs in LABELS.values() for lab in labs}, key=len, reverse=True)


@dataclass(frozen=True, slots=True)
class TextLine:
    """One text line found on the rectified card: its box in mm and what was read (NFKC)."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    confidence: float = 1.0

    @property
    def h(self) -> float:
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(frozen=True, slots=True)
class Span:
    """Characters ``start:end`` of line ``line``."""

    line: int
    start: int
    end: int


@dataclass
class Pick:
    spans: list[Span]
    reasons: list[str] = field(default_factory=list)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


#: ``label_kind`` and ``strip_label`` are pure functions of a line's text, asked of the same lines many times over
#: while fields are assigned (about a hundred calls a photo): their answers are kept.
_TEXT_CACHE = 4096


@functools.lru_cache(maxsize=_TEXT_CACHE)
def label_kind(text: str) -> str | None:
    t = re.sub(r"\s+", "", text)
    for kind, labs in LABELS.items():
        for lab in labs:
            lab = lab.replace(" ", "")
            if t == lab or (len(lab) >= 4 and len(t) >= len(lab) - 1 and _close(t, lab)):
                return kind
    return None


def _close(a: str, b: str) -> bool:
    """Equal but for one character (a label read with one slip)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@functools.lru_cache(maxsize=_TEXT_CACHE)
def strip_label(text: str, kinds: tuple[str, ...]) -> int:
    """How many leading characters of ``text`` are one of the labels of ``kinds`` (and the spaces after)."""
    for kind in kinds:
        for lab in sorted(LABELS[kind], key=len, reverse=True):
            m = re.match(r"\s*" + r"\s*".join(map(re.escape, lab.replace(" ", ""))) + r"\s*", text)
            if m:
                return m.end()
    return 0


def _rows_overlap(a: TextLine, b: TextLine) -> float:
    return max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0)) / max(1e-6, min(a.h, b.h))


@dataclass(frozen=True, slots=True)
class DateHit:
    line: int
    start: int
    end: int  # end of the date itself
    kind: str  # "birth" (…生), "expiry" (…まで有効), "period" (in parentheses), "date"
    western: bool


def find_dates(lines: list[TextLine]) -> list[DateHit]:
    out = []
    for i, ln in enumerate(lines):
        for m in DATE.finditer(ln.text):
            after = ln.text[m.end() : m.end() + 6]
            before = ln.text[max(0, m.start() - 2) : m.start()]
            if re.match(r"\s*\S?\s*生", after):  # one stray mark before 生 (「…08日1生」) is read now and then
                kind, end = "birth", m.end() + after.index("生") + 1
            elif re.match(r"\s*\S?\s*(まで|で有|有効|迄)", after):  # one mark misread before it (「日8で有始」)
                kind = "expiry"
                mm = re.match(r"\s*(まで有効|まで|有効)", after)
                end = m.end() + (mm.end() if mm else 0)
            elif re.search(r"[(（]\s*$", before):
                kind, end = "period", m.end()
            else:
                kind, end = "date", m.end()
            out.append(DateHit(i, m.start(), end, kind, bool(re.match(r"\d{4}", m.group(0)))))
    return out


def _label_lines(lines: list[TextLine], kind: str) -> list[tuple[int, int]]:
    """(line, characters the label takes) for lines that start with a label of ``kind``."""
    out = []
    for i, ln in enumerate(lines):
        n = strip_label(ln.text, (kind,))
        if n:
            out.append((i, n))
        elif label_kind(ln.text) == kind:
            out.append((i, len(ln.text)))
        elif kind == "code" and (m := CODE_LABEL.match(ln.text)):
            out.append((i, m.end()))
    return out


#: セキュリティコード in small print, read with slips (セキュリチィコード, セキ2リラィコード, せキュソチ<コ-ド) or cut
#: where it wraps (セキュリ / ティコード): at least three of its characters in order at the start of a line.
CODE_LABEL = re.compile(r"\s*(?:[セせ][キ][ュユ2工]\S*|\S?キュリ\S*|\S*[ィイ]コ[ーｰ-]?ド)\s*(?![\S\s]*[^\d\s])")


def _right_of(lines: list[TextLine], label: TextLine, used: set[int], max_gap: float = 30.0) -> list[int]:
    """Lines on the label's row to its right, nearest first."""
    cands = [
        i
        for i, ln in enumerate(lines)
        if i not in used and ln.x0 >= label.x1 - 1.5 and ln.x0 - label.x1 < max_gap and _rows_overlap(ln, label) >= 0.3
    ]
    return sorted(cands, key=lambda i: abs(lines[i].cy - label.cy) + 0.2 * (lines[i].x0 - label.x1))


def _is_label_only(text: str) -> bool:
    return label_kind(text) is not None


class Assigner:
    """Field picks for one document; ``prior`` gives each field's usual place (mm) for tie-breaks."""

    def __init__(self, lines: list[TextLine]) -> None:
        self.lines = lines
        self.dates = find_dates(lines)
        self.used: dict[int, list[tuple[int, int]]] = {}  # line → character ranges already given to a field

    # -- bookkeeping
    def take(self, span: Span) -> None:
        self.used.setdefault(span.line, []).append((span.start, span.end))

    def free(self, line: int, start: int, end: int) -> bool:
        return all(e <= start or s >= end for s, e in self.used.get(line, []))

    # -- dates
    def date(
        self,
        kinds: tuple[str, ...],
        *,
        near: str | None = None,
        prior: tuple[float, float] | None = None,
        western: bool | None = None,
    ) -> Pick | None:
        cands = [
            d
            for d in self.dates
            if d.kind in kinds and self.free(d.line, d.start, d.end) and (western is None or d.western == western)
        ]
        if not cands:
            return None
        reasons: list[str] = []

        def dist(d: DateHit) -> float:
            ln = self.lines[d.line]
            score = 0.0
            if near:
                labels = _label_lines(self.lines, near)
                if labels:
                    lab = min(
                        (self.lines[i] for i, _ in labels), key=lambda lb: abs(lb.cy - ln.cy) + abs(lb.x1 - ln.x0)
                    )
                    same_line = any(i == d.line for i, _ in labels)
                    score += 0 if same_line else abs(lab.cy - ln.cy) + 0.3 * max(0.0, ln.x0 - lab.x1)
            if prior:
                score += 0.25 * (abs(ln.x0 - prior[0]) + abs(ln.y0 - prior[1]))
            return score

        cands.sort(key=dist)
        if len(cands) > 1 and abs(dist(cands[0]) - dist(cands[1])) < 2.0 and cands[0].kind == cands[1].kind == "date":
            reasons.append("two_candidates")
        d = cands[0]
        return Pick([Span(d.line, d.start, d.end)], reasons)

    # -- text after a label on its row
    def after_label(self, kind: str, *, prior: tuple[float, float] | None = None) -> tuple[int, int] | None:
        """(line, first character) of the value that follows the label ``kind``: on the label's own line, or
        the nearest line to its right on the same row."""
        for i, n in _label_lines(self.lines, kind):
            rest = self.lines[i].text[n:].strip()
            if rest and n < len(self.lines[i].text):
                return i, n
            right = _right_of(self.lines, self.lines[i], set())
            if right:
                return right[0], strip_label(self.lines[right[0]].text, (kind,))
        return None


# -- per field ----------------------------------------------------------------------------------------------


def _cut_at_date(text: str, start: int) -> int:
    m = DATE_START.search(text, start)
    return m.start() if m else len(text)


_ERA_CHARS = "明大昭平令"
#: Before a name at the label's place: a run of marks, digits or Latin letters (the label 氏名 misread, dirt),
#: never kana or kanji, which may be the family name's own first character.
_KANJI_NAME_HEAD = r"\s*[^\s\u3040-\u30ff\u3400-\u9fff々]{1,3}\s*(?=[\u3040-\u30ff\u3400-\u9fff々])"
#: … or the label's 氏 with its 名 misread as a mark, digit or letter (「氏8上田 恵美子」); 氏 followed by kana or
#: kanji may be a family name's own (氏家).
_HALF_LABEL_HEAD = r"\s*氏[^\s\u3040-\u30ff\u3400-\u9fff々]\s*(?=[\u3040-\u30ff\u3400-\u9fff々])"
#: … or 氏名 read as a character and a digit (「我6村田貴子」): no name holds a digit.
_DIGIT_LABEL_HEAD = r"\s*\S?\d\s*(?=[\u3040-\u30ff\u3400-\u9fff々]{2})"
#: Before a Latin name: anything that is not a Latin letter (「氏名」 read with a slip, 「#」), or a short word
#: that is not all capitals (「nn MOORE JESSICA」: the label read as letters; the name is printed in capitals).
_LATIN_NAME_HEAD = r"\s*(?:[^A-Za-z\s]+|(?=\S{0,2}[^A-Z\s])\S{1,3}\s+)\s*(?=[A-Za-z])"
#: A Latin name ends where the 性別 label or value begins (「WALKER NANCY男 M.」: the row ran into it).
_LATIN_NAME_END = re.compile(r"\s*[男女性]")
_TITLES = LABELS["title"]


#: Kanji drawn like the title's katakana (「個人委号力一F」 for 個人番号カード): compared as the katakana.
_KANA_LIKE = str.maketrans("力一ｰ-", "カーーー")


def _title_like(text: str) -> bool:
    """The card's title read with slips (「個人番考カ一字」 for 個人番号カード): half of it or more in order."""
    t = re.sub(r"\s", "", text).translate(_KANA_LIKE)
    return any(difflib.SequenceMatcher(None, t, title).ratio() >= 0.5 for title in _TITLES)


#: A name over a date right of 氏名 has its middle this many of the date's heights above the date's middle.
NAME_OVER_DATE = 0.25


def _name_above_date(a: Assigner, date_line: int, latin: bool) -> tuple[int, int] | None:
    """The name when the line right of 氏名 holds a date (the birth date printed high, up to the label's row,
    and the name printed higher): the nearest free line right of the label, above the date, about one line
    height from the label's middle at most."""
    labels = [a.lines[i] for i, _ in _label_lines(a.lines, "name") if _is_label_only(a.lines[i].text)]
    d = a.lines[date_line]
    if not labels and (n := strip_label(d.text, ("name",))):  # 「氏名1981年11月13日」: the label heads the date's box
        labels = [TextLine(d.x0, d.y0, d.x0 + (d.x1 - d.x0) * n / max(1, len(d.text)), d.y1, d.text[:n])]
    cands = []
    for lab in labels:
        for j, ln in enumerate(a.lines):
            t = ln.text.strip()
            if (
                j != date_line
                # printed up to a few mm left, above the label's end (the residence card's name over 氏名)
                and ln.x0 >= min(lab.x1 - 1.5, (lab.x0 + lab.x1) / 2)
                and ln.x1 > lab.x1 + 2.0
                and ln.x0 - lab.x1 < 30.0
                # above the date's middle: a name printed high over the label's row may overlap the date's box
                # by up to half its height (「PARK MARCO」 over 「氏名1980年02月02日」)
                and ln.cy < d.cy - NAME_OVER_DATE * d.h
                and abs(ln.cy - lab.cy) < 1.2 * max(ln.h, lab.h)
                and a.free(j, 0, len(ln.text))
                and len(re.findall(r"\w", t)) >= 2
                and not re.search(r"\d", t)
                and not _is_label_only(t)
                and not _title_like(t)
                and (not latin or re.fullmatch(r"[A-Z ,.'-]+", t))
            ):
                cands.append((abs(ln.cy - lab.cy) + 0.2 * (ln.x0 - lab.x1), j))
    return (min(cands)[1], 0) if cands else None


#: Labels stand in the card's left column, in small print.
LABEL_COLUMN_MM = 6.0
#: A label's type is at most this share of the height of the value beside it.
LABEL_HEIGHT = 0.8


def _small_label_before(a: Assigner, i: int) -> bool:
    """Line ``i`` is a label read with slips (「氏爾」, 「民威」 for 氏名): one to three characters without digits in
    the label column, in smaller type than the line that follows it closely on its row. A family name split
    from its given name at the left edge (「和田」 「恵美子」) is in the same type as the rest and stays a name."""
    ln = a.lines[i]
    t = re.sub(r"\s", "", ln.text)
    if ln.x0 >= LABEL_COLUMN_MM or not 1 <= len(t) <= 3 or re.search(r"\d", t):
        return False
    return any(
        j != i
        and o.x0 >= ln.x1 - 1.5
        and o.x0 - ln.x1 < 3.0
        and _rows_overlap(o, ln) >= 0.5
        and ln.h < LABEL_HEIGHT * o.h
        and len(re.findall(r"\w", o.text)) >= 2
        for j, o in enumerate(a.lines)
    )


#: A name printed this many line heights or more right of its label has lost its start (「絵里」 read alone,
#: 「森田」 under glare): names follow their label closely.
NAME_GAP = 1.8


def pick_name(a: Assigner, *, latin: bool = False, top_limit: float = 30.0) -> Pick | None:
    """The name: after 氏名 (on its row), up to where a date begins; a lone era character left at the end
    (「平野春香 昭」: the start of the birth date) is cut and flagged."""
    reasons: list[str] = []
    at = a.after_label("name")
    if at is not None and DATE_START.match(a.lines[at[0]].text[at[1] :].lstrip()):
        at = _name_above_date(a, at[0], latin) or at
    if at is None:  # no label read: the highest plausible line in the upper part of the card
        cands = []
        for i, ln in enumerate(a.lines):
            # the label read as one or two other marks (「6 井上 健太」): it stands at the left edge, then a space
            m = re.match(r"\s*(\S{1,2})\s+(?=\S)", ln.text) if ln.x0 < 6.0 and not latin else None
            # ... but a two-character family name is followed by a space too (「和田 恵美子」): a label is taken
            # off only when no kanji or kana is in it, or a family and a given name still follow it
            k = 0
            if m and len(ln.text) - m.end() >= 2:
                rest = ln.text[m.end() :].strip()
                k = m.end() if not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", m.group(1)) or " " in rest else 0
            elif ln.x0 < 6.0:  # marks run into the name (「[6松本 典子」, 「彪名 PEREZ」, 「# ALLEN」)
                m = re.match(_LATIN_NAME_HEAD if latin else _KANJI_NAME_HEAD, ln.text)
                m = m or (None if latin else re.match(_HALF_LABEL_HEAD, ln.text))
                m = m or (None if latin else re.match(_DIGIT_LABEL_HEAD, ln.text))
                k = m.end() if m and len(ln.text) - m.end() >= 2 else 0
            t = ln.text[k:]
            if (
                ln.y0 < top_limit
                and not re.search(r"\d|[カ力][ーｰ一-]ド|番号|免許|条件|眼鏡", t)  # カード read 「力一ド」 too
                and not _title_like(t)
                and not _is_label_only(t)
                and len(re.findall(r"\w", t)) >= 2
                and ln.x0 < 40
                and not _small_label_before(a, i)
                and (not latin or re.fullmatch(r"[A-Z ,.'-]+", t.strip()))
            ):
                cands.append((i, k))
        if not cands:
            return None
        at = min(cands, key=lambda c: a.lines[c[0]].y0)
        reasons.append("no_label")
    i, start = at
    labels = [a.lines[j] for j, _ in _label_lines(a.lines, "name") if j != i]
    if start == 0 and labels and not reasons:
        lab = min(labels, key=lambda lb: abs(lb.cy - a.lines[i].cy))
        if a.lines[i].x0 - lab.x1 > NAME_GAP * a.lines[i].h:  # the start of the name was not read (glare)
            reasons.append("gap")
    # a label read with a slip (「氏千名」, 「名」) stands at the left edge; without any label read, a lone 名 there
    # may be a family name's own (名取): the reader takes it off only when it is in a label's small print
    # (``look_again.drop_label_head``)
    if start == 0 and a.lines[i].x0 < 6.0:
        m = re.match(r"\s*氏\S?名\s*" if "no_label" in reasons else r"\s*(?:氏\S?名|名)\s*", a.lines[i].text)
        if m and len(a.lines[i].text) - m.end() >= 2:
            start = m.end()
    # the name may be split into pieces on its row (family and given name apart): take them left to right
    # until a date begins
    first = a.lines[i]
    row = sorted(
        (
            j
            for j, ln in enumerate(a.lines)
            # a piece may overlap the first one's box (「三浦」 drawn wide over the gap before 「秀明」)
            if j != i
            and ln.x0 > min(first.x1 - 1.0, (first.x0 + first.x1) / 2)
            and ln.x1 > first.x1 + 1.0
            and _rows_overlap(ln, first) >= 0.5
            and a.free(j, 0, len(ln.text))
        ),
        key=lambda j: a.lines[j].x0,
    )
    spans: list[Span] = []
    prev_x1, cut_inside = first.x0, False
    for j, st in [(i, start), *((j, 0) for j in row)]:
        ln = a.lines[j]
        # text further along the row: perhaps the rest of the name; one with digits is another field (the
        # residence card's number at the row's far end)
        far = spans and ln.x0 - prev_x1 > 3.0 * ln.h
        if far and not DATE.search(ln.text) and not label_kind(ln.text) and not re.search(r"\d", ln.text):
            reasons.append("more_lines")
            break
        if spans and (ln.x0 - prev_x1 > 3.0 * ln.h or DATE_START.match(ln.text.strip()) or label_kind(ln.text)):
            break
        if spans and re.match(r"\s*[治正和成]\s*(?:元|\d)", ln.text):  # the rest of an era name: a date
            break
        if spans and latin and not re.match(r"\s*[A-Z]", ln.text[st:]):  # 「性交F、」: 性別 and its value
            break
        end = _cut_at_date(ln.text, st)
        if latin and (sx := _LATIN_NAME_END.search(ln.text, st, end)) and sx.start() > st:
            end = sx.start()
        piece = ln.text[st:end]
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            spans.append(Span(j, st + lead, st + len(piece.rstrip())))
        prev_x1 = ln.x1
        if end < len(ln.text):
            cut_inside = True
            break
    if not spans:
        return None
    rest_of_row = " ".join(  # every line further right on the row, also those already given to the birth date
        ln.text
        for ln in sorted(a.lines, key=lambda ln: ln.x0)
        if ln is not first and ln.x0 > a.lines[spans[-1].line].x1 - 1.0 and _rows_overlap(ln, first) >= 0.5
    )
    last = spans[-1]
    last_text = a.lines[last.line].text[last.start : last.end]
    m = re.search(rf"(^|\s+)[{_ERA_CHARS}]$", last_text)
    if m and (len(spans) > 1 or m.start() > 0):
        after = a.lines[last.line].text[last.end :] + " " + rest_of_row
        continues = re.match(r"\s*[治正和成]\s*(?:元|\d)", after)
        date_later = DATE.search(after)
        # a birth date read in full on a row of its own below the name (My Number Card): 昭 is a given name
        birth_below = any(
            d.kind == "birth" and a.lines[d.line].y0 >= first.cy and _rows_overlap(a.lines[d.line], first) < 0.3
            for d in a.dates
        )
        # … or read with its era in full in a box of its own wholly right of the name's (a licence's birth date
        # printed a little above the name's row: 「杉山 昭」 and 「昭和33年09月11日生」): 昭 is not printed twice
        birth_apart = any(
            d.kind == "birth"
            and d.line != last.line
            and a.lines[d.line].x0 >= a.lines[last.line].x1 - 0.5
            and re.match(rf"\s*(?:{ERA})", a.lines[d.line].text[d.start :])
            for d in a.dates
        )
        birth_below = birth_below or birth_apart
        if continues or not (date_later or birth_below):  # 「平野 春香 昭」: the birth date's era, not a name
            if m.start() > 0 or last_text.strip() != last_text[m.start() :].strip():
                spans[-1] = Span(last.line, last.start, last.start + m.start())
            else:
                spans.pop()
            reasons.append("neighbour_text_removed")
    elif cut_inside and not DATE.search(a.lines[spans[-1].line].text, spans[-1].end):
        reasons.append("neighbour_text_removed")
    spans = [sp for sp in spans if sp.end > sp.start]
    if not spans:
        return None
    for sp in spans:
        a.take(sp)
    return Pick(spans, reasons)


#: A date whose era was misread beyond the date grammar (「会和002年07月05日」), or whose year a finger or glare
#: took (「-05月07日」, the issue date under the address): still no part of an address.
LOOSE_DATE = re.compile(r"\d\s*月\s*\d{1,2}\s*日")


def _date_like(text: str) -> bool:
    return bool(DATE.search(text) or LOOSE_DATE.search(text))


def _label_in_column(ln: TextLine) -> bool:
    """A short line without digits in the label column below an address is the next label read with slips
    (「童付」 for 交付, 「在常商格」 for 在留資格): an address goes on at its own left edge, right of the labels."""
    t = re.sub(r"\s", "", ln.text)
    return ln.x0 < LABEL_COLUMN_MM and 1 <= len(t) <= 4 and not re.search(r"\d", t)


def _misread_label_head(ln: TextLine) -> int:
    """Where an address line found by its form starts: after one or two characters and a space at the label's
    place (住所 read 「住 」), which are the label; otherwise after the leading spaces."""
    lead = len(ln.text) - len(ln.text.lstrip())
    m = re.match(r"\s*[^\d\s]{1,2}\s+(?=\S)", ln.text) if ln.x0 < ADDRESS_LABEL_X_MM else None
    return m.end() if m and ADDRESS_FORM.search(ln.text, m.end()) else lead


def _prefecture_beside_label(a: Assigner, kind: str) -> tuple[int, int] | None:
    """A line on the label's row that starts with a prefecture and goes on like an address, when the line
    nearest the label does not: the address printed higher, its first line only grazing the label's row and
    the line that ends it (「43」) standing nearer."""
    for i, n in _label_lines(a.lines, kind):
        if n < len(a.lines[i].text.rstrip()):
            continue  # the value follows the label on its own line
        for j in _right_of(a.lines, a.lines[i], set()):
            t = a.lines[j].text
            if a.free(j, 0, len(t)) and _prefecture_start(t.lstrip()) and re.search(r"[市区町村郡]|\d", t):
                return j, len(t) - len(t.lstrip())
    return None


#: How much further right than its first line's start an address's next line may begin when the first line
#: starts with its label misread (about a label's width).
LABEL_SHIFT_MM = 5.0
#: Lines starting below this (mm) are in the card's last rows, where the licence names its issuer (「…県公安委員会」).
ISSUER_ROW_MM = 40.0
#: An address line starting left of this (mm) starts at its label's place.
ADDRESS_LABEL_X_MM = 8.0
#: The least height, as a share of the first line's box, of an address's next line when that box holds the
#: label too (``pick_address``).
WITH_LABEL_LOW = 0.4


def _prefecture_start(text: str) -> bool:
    t = variants.prefecture(text)
    return t.startswith(variants.PREFECTURES)


#: An address without its prefecture: a municipality (市区町村郡) and, later on the line, a block number (its
#: 番 may be misread before 地: 「…三名町1961香地」), or a 政令市 and its ward (「…北九州市小自北区焦町」: the block
#: number on the next line).
ADDRESS_FORM = re.compile(r"[^\d\s]{2}[市区町村郡]\S*?\d+\s*(?:丁[目日]|番|号|[^\d\s]地)|[^\d\s]{2}市[^\d\s市]{1,4}区")
#: … starting in the card's left half, where every card prints its address.
ADDRESS_FORM_X0_MM = 30.0


def prefecture_at(text: str, heads: int = 4) -> int | None:
    """Where a prefecture starts ``text``, after fewer than ``heads`` characters of its label (住所 or 住居地 with
    slips: 「徐北海道…」, 「主居地 熊本県…」); None when none does."""
    lead = len(text) - len(text.lstrip())
    for k in range(heads):
        rest = text[lead + k :].lstrip()
        if _prefecture_start(rest):
            return len(text) - len(rest)
    return None


def pick_address(a: Assigner, max_lines: int, *, label: str = "address") -> Pick | None:
    """The first address line (after 住所/住居地, or starting with a prefecture) and the lines that continue
    it below at about the same left edge, until a line that is something else."""
    reasons: list[str] = []
    at = a.after_label(label)
    if at is not None and not _prefecture_start(a.lines[at[0]].text[at[1] :].lstrip()):
        at = _prefecture_beside_label(a, label) or at
    if at is None or not re.search(r"\w", a.lines[at[0]].text[at[1] :]):
        # a line starting with a prefecture, or with up to three characters before it at the label's place (住所
        # misread: 「徐北海道…」, 「住北海道…」)
        found: list[tuple[int, int]] = []
        for i, ln in enumerate(a.lines):
            if re.search(r"公安|委員会|長$", ln.text) or not a.free(i, 0, len(ln.text)):  # a name's line too
                continue
            # the licence's issuer 「岡山県公安委員会」 with 公安委員会 lost: no address is a bare prefecture
            if ln.y0 > ISSUER_ROW_MM and variants.prefecture(ln.text.strip()) in variants.PREFECTURES:
                continue
            if (j := prefecture_at(ln.text, 4 if ln.x0 < 8.0 else 1)) is not None:
                found.append((i, j))
        if not found:
            # no prefecture read at all (blurred into 「千集眼」, or cut off with the card's edge): a line with an
            # address's form, a municipality and then a block number (「倉敷市阿知84番地38」); doubtful, and its
            # place part is left to the list of places (``places``)
            found = [
                (i, _misread_label_head(ln))
                for i, ln in enumerate(a.lines)
                if ln.x0 < ADDRESS_FORM_X0_MM
                and a.free(i, 0, len(ln.text))
                and ADDRESS_FORM.search(ln.text)
                and not DATE.search(ln.text)
            ]
            if not found:
                return None
            reasons.append("grammar")
        at = min(found, key=lambda f: a.lines[f[0]].y0)
        reasons.append("no_label")
    i, start = at
    first = a.lines[i]
    text = first.text
    while start < len(text) and (text[start].isspace() or _mark(text[start])):  # 「住所~岡山県…」: dirt, no address
        start += 1
    end = _cut_at_date(text, start)
    if end < len(text):
        reasons.append("neighbour_text_removed")
    spans = [Span(i, start, end)]
    prev = first
    left = first.x0 + (start / max(1, len(text))) * (first.x1 - first.x0) if start else first.x0
    # a first line found without its label yet starting at the label's place holds the label misread and run
    # into it (「住州神奈川県…」): the address's own left edge, where its next line starts, is further right
    reach = 7.0 + (LABEL_SHIFT_MM if not start and "no_label" in reasons and first.x0 < LABEL_COLUMN_MM else 0.0)
    taken = {i}
    if end == len(text):
        prev = _row_pieces(a, first, spans, taken, reasons)
    rows = 1
    while rows < max_lines:
        # a first line boxed together with its label, printed up to 4 mm above or below the value's row, is up
        # to twice as tall as its type: a line of the same type below it is then less than half the box's height
        low = WITH_LABEL_LOW if rows == 1 and start > 0 and prev is first else 0.55
        below = [
            j
            for j, ln in enumerate(a.lines)
            if j not in taken
            and _free_head(a, j) > 0
            and _row_under(ln, prev, left)
            and ln.y0 - prev.y1 < 0.9 * max(prev.h, ln.h)
            and (-7.0 < ln.x0 - left < reach or (ln.x0 - left > -ROOM_LEFT_MM and _room_line(ln.text)))
            and low < ln.h / max(prev.h, 1e-6) < 1.7
            # the address's own label read with slips, printed lower beside its first line (「徐所」), is no next line
            and not (_label_in_column(ln) and _rows_overlap(ln, prev) >= 0.5)
        ]
        if not below:
            break
        j = min(below, key=lambda k: a.lines[k].y0)
        ln = a.lines[j]
        if _date_like(ln.text) or _is_label_only(ln.text) or re.match(r"^\s*(男|女)\s*$", ln.text):
            break
        if _label_in_column(ln):
            break
        if strip_label(ln.text, ("birth", "sex", "issue", "nationality", "status", "valid", "other")):
            break
        head = _free_head(a, j)
        if head < len(ln.text):  # another field's value read into the line's end (性別's 男): cut off
            reasons.append("neighbour_text_removed")
        cut = min(_cut_at_date(ln.text, 0), head)
        spans.append(Span(j, 0, cut))
        taken.add(j)
        prev, rows = ln, rows + 1
        if cut == len(ln.text):
            prev = _row_pieces(a, ln, spans, taken, reasons)
    # one more line right below that looks like it continues the address: say so rather than drop it
    for j, ln in enumerate(a.lines):
        if j in taken or not a.free(j, 0, len(ln.text)):
            continue
        close = 0 <= ln.y0 - prev.y1 < 0.9 * prev.h and abs(ln.x0 - left) < 7.0
        if close and not _date_like(ln.text) and not _is_label_only(ln.text) and rows >= max_lines:
            reasons.append("more_lines")
    for s in spans:
        a.take(s)
    return Pick(spans, reasons)


#: A line starting within this (mm) of where the address's lines start, its box's top this share of the line
#: above's box lower than that one's, is the next row even when the two boxes overlap by half (``_row_under``).
ALIGNED_MM = 1.5
SLANTED_ROW = 0.4


def _row_under(ln: TextLine, prev: TextLine, left: float) -> bool:
    """Whether ``ln`` stands on the row under ``prev``: its box's top below the middle of prev's, or, for a line
    starting where the address's lines start, below prev's top by ``SLANTED_ROW`` of its height: on a card
    rectified a few degrees off, both lines' boxes are tall with their slant (tune-3586: 「ヴィラ中央913号室」 boxed
    from 6.9 mm under a first line boxed 4.3–9.7 mm)."""
    if ln.y0 >= prev.cy:
        return True
    return abs(ln.x0 - left) < ALIGNED_MM and ln.y0 - prev.y0 >= SLANTED_ROW * prev.h


#: How far left of where the address's first line was read to start its room line may start: a finger or glare
#: over the first line's start (「本市中央区水前寺…」 read from 20 mm) moves that start right, and printers move
#: each line by up to 4 mm.
ROOM_LEFT_MM = 16.0
#: A building's line: a room number ending in 号室 (「101号室」, 「ハイム水前寺702号室」).
_ROOM_LINE = re.compile(r"\d\s*号\s*室\s*$")


def _room_line(text: str) -> bool:
    """Whether a line is a building's or a room's, which only an address has (``ROOM_LEFT_MM``)."""
    return bool(_ROOM_LINE.search(text)) and not _date_like(text)


def _free_head(a: Assigner, j: int) -> int:
    """How much of line ``j`` from its start no field has taken: all of it, or what stands before a value another
    field took at its end (性別's 男 read into an address's last line: 「コーボ小坂本町210号室男」); 0 when that is
    under three characters."""
    used = a.used.get(j, [])
    if not used:
        return len(a.lines[j].text)
    k = min(s for s, _ in used)
    return k if len(a.lines[j].text[:k].strip()) >= 3 else 0


def _row_pieces(a: Assigner, ln: TextLine, spans: list[Span], taken: set[int], reasons: list[str]) -> TextLine:
    """Further pieces of an address line on its row (the detector splits a line where glare or a wide space
    interrupts it: 「…北九州市小」 and 「町9丁目20番」): appended left to right; a gap wider than a character
    means text was lost in between, which is said (``gap``). Returns the last piece."""
    last = ln
    while True:
        row = [
            j
            for j, o in enumerate(a.lines)
            if j not in taken
            and a.free(j, 0, len(o.text))
            and o.x0 > last.x1 - 1.0
            and o.x0 - last.x1 < 3.0 * last.h
            and _rows_overlap(o, last) >= 0.5
            and 0.6 < o.h / max(last.h, 1e-6) < 1.6
            # pieces of one printed line share its middle; the licence's five-digit number right of the
            # address's second line stands lower (「…806号室」 and 「34014」)
            and abs(o.cy - last.cy) < 0.3 * max(o.h, last.h)
        ]
        if not row:
            return last
        j = min(row, key=lambda k: a.lines[k].x0)
        o = a.lines[j]
        others = tuple(k for k in LABELS if k != "address")
        if _date_like(o.text) or _is_label_only(o.text) or strip_label(o.text, others):
            return last
        if re.fullmatch(r"\s*(男|女)\s*[MF]?\.?\s*", o.text):
            return last
        if o.x0 - last.x1 > 0.8 * last.h:
            reasons.append("gap")
        spans.append(Span(j, 0, _cut_at_date(o.text, 0)))
        taken.add(j)
        last = o


#: What is left of the licence's 番号 label run into its number: read with one slip, or one of its characters
#: lost (a lone 番 or 号 before the digits).
NUMBER_LABEL_HEAD = re.compile(r"\s*(?:番\S?|\S?号)\s*")
#: Where a My Number Card prints its セキュリティコード, in either arrangement and with the offsets prints
#: show (mm, left and top): four digits read wholly left of or above it, with no code label read, are no code
#: (the small 生年月日 label left of the birth date read 「5916」 and taken, and the real code never looked for).
CODE_PLACE_MM = (50.0, 38.0)
#: Added to the score of a number joined to marks before it (a misread label), so that a clean one wins.
JOINED_PENALTY = 4.0


def _mark(ch: str) -> bool:
    """A punctuation mark or symbol (「-」, 「~」, 「±」), not a letter, kana, kanji or digit."""
    return unicodedata.category(ch)[0] in "PS"


def pick_digits(
    a: Assigner, n: int, *, label: str | None, prior: tuple[float, float], on_card: bool = True
) -> Pick | None:
    """A run of exactly ``n`` digits (spaces allowed) that is not part of a date. ``on_card``: positions are
    mm on the card (an outline was found), not the whole photo's rough frame."""
    cands: list[tuple[float, Span]] = []
    joined_spans: set[Span] = set()
    label_lines = [a.lines[i] for i, _ in _label_lines(a.lines, label)] if label else []
    for i, ln in enumerate(a.lines):
        for m in re.finditer(r"(?<![\d年月日])\d(?:\s?\d)*(?![\d年月日])", ln.text):
            digits = re.sub(r"\s", "", m.group(0))
            if len(digits) != n or not a.free(i, m.start(), m.end()):
                continue
            if any(d.line == i and d.start <= m.start() < d.end for d in a.dates):
                continue
            before, after = ln.text[m.start() - 1 : m.start()], ln.text[m.end() : m.end() + 1]
            if after and not after.isspace() and after not in "号":
                continue  # digits inside other text (「1353番地」 in an address) are not a number of their own
            # the security code joined to its label read as marks (「…コ-ド」 as 「世帝31942-0751」): taken last
            # and never without a doubt flag
            # 号 before the digits is the 番号 label run into the number; a mark there is dirt or a misread label
            joined = bool(before) and not before.isspace() and before not in "第ド:：号"
            # 番号 read with one slip or half lost and run into the number (「番管537243779642」, 「番658067149696」:
            # the small label above 第 joined to a number printed high): the label, not dirt
            misread_label = label == "number" and bool(NUMBER_LABEL_HEAD.fullmatch(ln.text[: m.start()]))
            joined = joined and not misread_label
            # 第 misread as another kanji and run into a number of its own (「箱226011241476」): taken last, doubtful
            dai_misread = label == "number" and bool(re.fullmatch(r"\s*[\u4e00-\u9fff]\s*", ln.text[: m.start()]))
            if joined and not _mark(before) and not dai_misread:
                continue
            if joined and not (label == "number" or (label == "code" and m.end() == len(ln.text.rstrip()))):
                continue
            far = ln.x1 < CODE_PLACE_MM[0] or ln.y1 < CODE_PLACE_MM[1]
            if label == "code" and not label_lines and on_card and far:
                continue  # unlabelled, far from where the code is printed: a small label read as digits
            score = 0.2 * (abs(ln.x0 - prior[0]) + abs(ln.y0 - prior[1])) + (JOINED_PENALTY if joined else 0.0)
            if label_lines:
                lab = min(label_lines, key=lambda lb: abs(lb.cy - ln.cy) + abs(lb.x0 - ln.x0))
                if lab is ln:
                    score -= 20
                else:
                    score += 0.5 * (abs(lab.cy - ln.cy) + max(0.0, abs(ln.x0 - lab.x1) - 20))
            cands.append((score, Span(i, m.start(), m.end())))
            if joined:
                joined_spans.add(cands[-1][1])
    if not cands:
        return None
    cands.sort(key=lambda c: c[0])
    reasons = ["two_candidates"] if len(cands) > 1 and cands[1][0] - cands[0][0] < 6.0 else []
    if cands[0][1] in joined_spans:
        reasons.append("neighbour_text_removed")
    best = a.lines[cands[0][1].line].text
    sp = cands[0][1]
    own_form = (
        label == "number"
        and bool(  # 第…号 is its own label
            re.search(r"第\s*$", best[: sp.start])
            or re.match(r"\s*号", best[sp.end :])
            or NUMBER_LABEL_HEAD.fullmatch(best[: sp.start])
        )
    )
    if label and not label_lines and not own_form:  # placed by position alone
        reasons.append("no_label")
    a.take(cands[0][1])
    return Pick([cands[0][1]], reasons)


def pick_sex(a: Assigner) -> Pick | None:
    cands: list[tuple[float, Span]] = []
    labels = [a.lines[i] for i, _ in _label_lines(a.lines, "sex")]
    for i, ln in enumerate(a.lines):
        for m in re.finditer(r"[男女](?:\s*[MF]\.?)?", ln.text):
            if not a.free(i, m.start(), m.end()):
                continue
            rest = re.sub(r"\s|性別", "", ln.text)
            alone = len(rest) <= 4
            score = 0.0 if alone else 5.0
            if labels:
                lab = min(labels, key=lambda lb: abs(lb.cy - ln.cy))
                score += 0 if lab is ln else abs(lab.cy - ln.cy) + 0.1 * abs(ln.x0 - lab.x1)
            cands.append((score, Span(i, m.start(), m.end())))
    if not cands:
        return None
    cands.sort(key=lambda c: c[0])
    reasons = ["two_candidates"] if len(cands) > 1 and cands[1][0] - cands[0][0] < 1.0 else []
    a.take(cands[0][1])
    return Pick([cands[0][1]], reasons)


def pick_card_number(a: Assigner) -> Pick | None:
    cands: list[tuple[float, Span]] = []
    for i, ln in enumerate(a.lines):
        t = ln.text.upper()
        # every start, not only after the last match: a mark before the number (the 番号 label read 「B」 and
        # joined: 「B PE87849817UV」) must not shift the twelve characters taken
        found: list[tuple[float, Span]] = []
        for m in re.finditer(r"(?=([A-Z0-9](?:\s?[A-Z0-9]){11}))", t):
            s = re.sub(r"\s", "", m.group(1))
            letters = sum(ch.isalpha() for ch in s[:2] + s[10:])
            digits = sum(ch.isdigit() for ch in s[2:10])
            if letters + digits >= 9:
                found.append((-(letters + digits) + 0.05 * ln.y0, Span(i, m.start(1), m.end(1))))
        if found:
            best = min(found, key=lambda c: c[0])  # the first of equals
            cands.append(best)
            # another number on the line apart from it stays a candidate (two_candidates)
            cands += [c for c in found if c[1].end <= best[1].start or c[1].start >= best[1].end][:1]
    if not cands:
        return None
    cands.sort(key=lambda c: c[0])
    sp = cands[0][1]
    a.take(sp)
    reasons = ["two_candidates"] if len(cands) > 1 else []
    text = a.lines[sp.line].text.upper()
    if re.search(r"[A-Z0-9]", text[: sp.start] + text[sp.end :]):  # letters or digits left out: never surely
        reasons.append("neighbour_text_removed")
    return Pick([sp], reasons)


#: A licence's name row (birth date at its right end) lies above this (mm); the address starts below it.
TOP_ROW_MM = 9.0


def assign(document: str, lines: list[TextLine], *, on_card: bool = True) -> dict[str, Pick | None]:
    """Field → the line pieces holding it (None when nothing fits). ``on_card``: the lines' positions are mm on
    a located card; False for a whole photo read without an outline (a rough frame, ``fieldread.page_lines``)."""
    a = Assigner(lines)
    out: dict[str, Pick | None] = {}
    if document == "mynumber":
        out["birth_date"] = a.date(("birth",), near="birth", prior=(11, 28)) or a.date(
            ("date",), near="birth", prior=(11, 28), western=None
        )
        if out["birth_date"] and not any(d.kind == "birth" for d in a.dates):
            out["birth_date"].reasons.append("grammar")
        _take(a, out["birth_date"])
        out["expiry"] = a.date(("expiry",), prior=(5, 36)) or a.date(("date",), prior=(5, 36), western=True)
        _take(a, out["expiry"])
        out["security_code"] = pick_digits(a, 4, label="code", prior=(65, 46), on_card=on_card)
        out["sex"] = pick_sex(a)
        out["name"] = pick_name(a)
        out["address"] = pick_address(a, 3)
    elif document == "license":
        out["birth_date"] = a.date(("birth",), prior=(48, 2))
        if out["birth_date"] is None:  # 生 lost (glare, the card's edge): a date on the name's row, doubtful
            top = [
                d for d in a.dates if d.kind == "date" and a.lines[d.line].cy < TOP_ROW_MM and a.lines[d.line].x0 > 35
            ]
            if top:
                d = min(top, key=lambda d: abs(a.lines[d.line].x0 - 48) + abs(a.lines[d.line].y0 - 2))
                out["birth_date"] = Pick([Span(d.line, d.start, d.end)], ["grammar"])
            else:  # the line's box ended before 日生 (「平成05年11月08」): cut off
                for i, ln in enumerate(a.lines):
                    m = CUT_DATE.search(ln.text)
                    if m and ln.cy < TOP_ROW_MM and ln.x0 > 35 and not any(d.line == i for d in a.dates):
                        out["birth_date"] = Pick([Span(i, m.start(), m.end())], ["cut_off"])
                        break
        _take(a, out["birth_date"])
        out["expiry"] = a.date(("expiry",), prior=(4, 21))
        if out["expiry"] is None:  # まで有効 misread (「…05月08日ま効」): only the expiry prints its year twice
            bracketed = [
                d for d in a.dates if d.kind == "date" and BRACKETED.match(a.lines[d.line].text, d.start, d.end)
            ]
            if len(bracketed) == 1:
                d = bracketed[0]
                out["expiry"] = Pick([Span(d.line, d.start, d.end)], ["no_label"])
        if out["expiry"] is None:  # まで有効 and the bracketed year both lost (glare)
            out["expiry"] = _expiry_under_issue_label(a)
        _take(a, out["expiry"])
        out["license_number"] = pick_digits(a, 12, label="number", prior=(8, 40))
        out["name"] = pick_name(a)
        out["address"] = pick_address(a, 2)
        # the issue date is printed above the expiry band in every revision; the category dates further down
        # are smaller print
        exp = out["expiry"]
        # a skewed card's lines are boxed tall: the issue line's box then reaches down into the band's, whose
        # upper quarter its centre may lie in
        band = a.lines[exp.spans[0].line] if exp else None
        limit = max(band.y0 + 1.0, band.cy - band.h / 4) if band else None
        plain = [d for d in a.dates if d.kind == "date" and a.free(d.line, d.start, d.end)]
        tallest = max((a.lines[d.line].h for d in plain), default=0.0)
        issue_cands = [
            d
            for d in plain
            # by its centre: a box drawn tall over the 交付 label may reach into the expiry band
            if (a.lines[d.line].cy <= limit if limit is not None else a.lines[d.line].h >= 0.7 * tallest)
        ]
        out["issue_date"] = None
        if issue_cands:
            a.dates = [d for d in a.dates if d in issue_cands or d.kind != "date"]
            out["issue_date"] = a.date(("date",), near="issue", prior=(9, 15))
            if out["issue_date"] and not _label_lines(a.lines, "issue"):
                out["issue_date"].reasons.append("no_label")  # placed by position alone (a category date?)
            _take(a, out["issue_date"])
        if out["issue_date"] is None:  # 日 lost to glare or the box's end (「平成28年11月04」): cut off
            for i, ln in enumerate(a.lines):
                m = CUT_DATE.search(ln.text)
                above = ln.cy > TOP_ROW_MM and (limit is None or ln.cy <= limit)
                if m and above and a.free(i, m.start(), m.end()) and not any(d.line == i for d in a.dates):
                    out["issue_date"] = Pick([Span(i, m.start(), m.end())], ["cut_off"])
                    _take(a, out["issue_date"])
                    break
    else:
        out["card_number"] = pick_card_number(a)
        out["expiry"] = a.date(("expiry",), western=True, prior=(19, 48))
        if out["expiry"] is None:  # 「このカードは 2030年01月01日 まで有効です。」 read as separate lines
            out["expiry"] = _residence_expiry_apart(a) or _residence_expiry_cut(a)
        _take(a, out["expiry"])
        periods = [d for d in a.dates if d.kind == "period"]
        for d in periods:
            a.take(Span(d.line, d.start, d.end))
        if periods:  # 在留期間 … （YYYY年MM月DD日）: the end of the period of stay
            d = periods[0]
            out["period"] = Pick([Span(d.line, d.start, d.end)], ["two_candidates"] if len(periods) > 1 else [])
        out["birth_date"] = a.date(("date", "birth"), near="birth", prior=(15, 15))
        _take(a, out["birth_date"])
        out["sex"] = pick_sex(a)
        out["name"] = pick_name(a, latin=True)
        out["address"] = pick_address(a, 2)
    return out


def _residence_expiry_apart(a: Assigner) -> Pick | None:
    """The residence card's expiry when 「まで有効です」 was not read on its line: the lowest Gregorian date, but
    only below the 在留期間 line (the expiry is printed under it) and never one on the 生年月日 row (a birth
    date read without its label is no expiry). Without 「まで」 or 「有効」 on its row it is placed by position
    alone: ``no_label``."""
    periods = [a.lines[d.line] for d in a.dates if d.kind == "period"]
    births = [a.lines[i] for i, _ in _label_lines(a.lines, "birth")]
    cands = [
        d
        for d in a.dates
        if d.kind == "date"
        and d.western
        and all(a.lines[d.line].y0 > p.cy for p in periods)
        and not any(_rows_overlap(a.lines[d.line], b) >= 0.3 for b in births)
    ]
    if not cands:
        return None
    d = max(cands, key=lambda d: a.lines[d.line].y0)
    ln = a.lines[d.line]
    said = re.search("まで|有効", ln.text[d.end :]) or _said_right_of(a, ln)
    return Pick([Span(d.line, d.start, d.end)], [] if said else ["no_label"])


def _expiry_under_issue_label(a: Assigner) -> Pick | None:
    """A licence's expiry that lost まで有効: the issue date stands right of its 交付 label, on its row; the one
    date starting under the label, its box wholly below the label's and within a row of it, is on the next row,
    the expiry band's (``no_label``)."""
    labels = [a.lines[i] for i, _ in _label_lines(a.lines, "issue")]
    if len(labels) != 1:
        return None
    lab = labels[0]
    under = [
        d
        for d in a.dates
        if d.kind == "date"
        and lab.y1 <= a.lines[d.line].y0 <= lab.y1 + 1.5 * lab.h
        and a.lines[d.line].x0 < lab.x1
        and a.free(d.line, d.start, d.end)
    ]
    if len(under) != 1:
        return None
    d = under[0]
    return Pick([Span(d.line, d.start, d.end)], ["no_label"])


def _said_right_of(a: Assigner, ln: TextLine) -> bool:
    """「まで」 or 「有効」 read on a piece of ``ln``'s row that starts where it ends."""
    return any(_rows_overlap(o, ln) >= 0.5 and o.x0 >= ln.x1 - 1.0 and re.search("まで|有効", o.text) for o in a.lines)


def _residence_expiry_cut(a: Assigner) -> Pick | None:
    """The residence card's expiry whose box ended before 日 (「このカードは 2027年09月06」 and 「まで有効です。」
    apart): a Gregorian date cut after the day's digits, below the 在留期間 line, with まで or 有効 right of it on
    its row (without them a cut date says nothing): ``cut_off``."""
    periods = [a.lines[d.line] for d in a.dates if d.kind == "period"]
    dated = {d.line for d in a.dates}
    for i, ln in enumerate(a.lines):
        m = CUT_DATE.search(ln.text)
        if m is None or i in dated or not re.match(r"\d{4}", m.group(0)):
            continue
        if all(ln.y0 > p.cy for p in periods) and _said_right_of(a, ln):
            return Pick([Span(i, m.start(), m.end())], ["cut_off"])
    return None


def _take(a: Assigner, p: Pick | None) -> None:
    if p:
        for s in p.spans:
            a.take(s)
