"""Turn recognised text into field values: regular expressions over NFKC-normalised text, strict dates.

Each parser returns a ``FieldReading``: the value (or None), the text it came from, a confidence, and what
was wrong when the text did not fit. Parsers are pure functions (tested on their own, without OCR).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from taimen import wareki
from taimen.ocr import address_rest, variants

#: Below this confidence a value is doubtful (the same threshold as ``proposals.CONFIDENT``).
DOUBT_BELOW = 0.90
#: Multiplies the recogniser's confidence when the text read does not have the field's shape.
MALFORMED = 0.3


@dataclass(frozen=True, slots=True)
class FieldReading:
    key: str
    value: str | None  # normalised value proposed to the operator (dates: ISO yyyy-mm-dd)
    text: str  # what was recognised, NFKC-normalised
    confidence: float  # 0..1
    date: date | None = None
    #: for birth dates: "wareki" or "seireki", as printed; for dates: the printed era year when there is one
    calendar: str | None = None
    era_year: int | None = None
    flags: tuple[str, ...] = ()  # e.g. ("past_era_end",)
    problem: str = ""  # English; why the value is missing or doubtful
    extra: dict[str, str] = field(default_factory=dict)
    #: why the value is doubtful (codes of ``taimen.ocr.fieldread.REASONS``: cut_off, glare, grammar …)
    reasons: tuple[str, ...] = ()

    @property
    def doubtful(self) -> bool:
        """The operator must look at this value twice: missing, not confidently read, or with a reason."""
        return self.value is None or self.confidence < DOUBT_BELOW or bool(self.reasons)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "key": self.key,
            "value": self.value,
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "calendar": self.calendar,
            "flags": list(self.flags),
            "problem": self.problem,
            "reasons": list(self.reasons),
            "doubtful": self.doubtful,
        }
        if "rival" in self.extra:
            # the place the frames could not tell from the proposed one (湊町 or 浜町): what the operator checks
            out["alternative"] = self.extra["rival"]
        return out


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


_ERA = r"(明治|大正|昭和|平成|令和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_WESTERN = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"


def _missing(key: str, text: str, conf: float, problem: str) -> FieldReading:
    return FieldReading(key, None, text, conf * MALFORMED if text else 0.0, problem=problem if text else "nothing read")


#: A Japanese name read as one part (no space between 氏 and 名).
ONE_PART = "one part only: the family or the given name may be lost"


def parse_name(text: str, conf: float, *, latin: bool = False, positions: tuple[int, ...] = ()) -> FieldReading:
    """A name; for a Japanese name without a recognised space, U+3000 goes where the characters are widest
    apart (the card prints a space between family and given name, which the recogniser often drops)."""
    t = nfkc(text)
    t = re.sub(r"^(氏名|NAME)\s*", "", t)
    reasons: tuple[str, ...] = ()
    if latin:
        t = re.sub(r"\s+", " ", t.upper()).strip(" ,.")
        if " " not in t:
            # No space read: letters lost under glare take the space with them (「MARTIN SARAH」 read
            # 「MARTSARAH」), and where the frames jump a right name's space jumps as far. A right Latin name
            # is read with its space all but always (536 of 537 on the development photos), so say so.
            reasons = ("gap",)
            if len(positions) == len(t) >= 4:  # the space between family and given name put at the widest gap
                gaps = [b - a for a, b in itertools.pairwise(positions)]
                widest = max(range(1, len(gaps) - 1), key=lambda i: gaps[i])
                second = max((g for i, g in enumerate(gaps) if i != widest), default=0)
                if gaps[widest] >= 1.4 * sorted(gaps)[len(gaps) // 2] and gaps[widest] >= 1.25 * second:
                    t = t[: widest + 1] + " " + t[widest + 1 :]
    elif not re.search(r"\s", t) and len(positions) == len(t) >= 3:
        gaps = [b - a for a, b in itertools.pairwise(positions)]
        widest = max(range(len(gaps)), key=lambda i: gaps[i])
        if gaps[widest] >= 1.7 * min(gaps):
            t = t[: widest + 1] + "\u3000" + t[widest + 1 :]
    else:  # a Latin name printed on a My Number Card keeps an ASCII space
        t = re.sub(r"\s+", " " if t.isascii() else "\u3000", t)
    if len(re.findall(r"\w", t)) < 2:
        return _missing("name", text, conf, "no name")
    if re.search(r"\d", t):  # no name has digits: this is another line (the card was found out of place?)
        return _missing("name", text, conf, "digits in a name")
    if not latin and not re.search(r"\s", t):
        # a Japanese card prints 氏 and 名 apart; one part alone lost the other (a given name washed out by glare:
        # 「坂本」 for 「坂本　豊」) or ran them together: a face–chip mismatch from it must be checked by eye
        return FieldReading("name", t, t, conf, problem=ONE_PART)
    return FieldReading("name", t, t, conf, reasons=reasons)


def parse_address(lines: list[tuple[str, float]]) -> FieldReading:
    texts = [nfkc(t) for t, _ in lines if nfkc(t)]
    if not texts:
        return _missing("address", "", 0.0, "no address")
    t = variants.prefecture(variants.address(re.sub(r"^(住所|住居地)\s*", "", "".join(texts))))
    t = address_rest.long_vowels(t)  # シャト一新富町, コ-ポ: a bar after katakana is the long-vowel mark
    t = re.sub(r"ー(?=[番丁条])", "一", t)  # 一番町, 一丁目: a long-vowel mark never precedes these
    t = re.sub(r"(?<=\d)丁[日曰]", "丁目", t)  # 6丁日: after a number, 丁 is always followed by 目
    conf = min(c for t0, c in lines if nfkc(t0))
    if re.search(r"\d+\s*年\s*\d+\s*月", t):  # a date has no place in an address: another line crept in
        return FieldReading("address", t, t, conf * MALFORMED, problem="a date inside the address")
    if not re.match(r"^.{2,3}[都道府県]", t):
        return FieldReading("address", t, t, conf * 0.6, problem="does not start with a prefecture")
    if _LOST_GO.search(t):
        return FieldReading("address", t, t, conf, problem="the block number ends without 号: characters lost")
    return FieldReading("address", t, t, conf)


#: 住居表示 prints 「…丁目14番23号」 and 地番 「…14番地23」: a number after 番 with no 号 (「…14番23」), or 丁目 and
#: 番 with nothing after but a building (「4丁目1番メゾン…」), is a line whose end the recogniser lost.
_LOST_GO = re.compile(r"\d番\d+(?![\d号])|丁目\d+番(?![\d地の])")


def parse_birth_date(text: str, conf: float, *, key: str = "birth_date") -> FieldReading:
    """「昭和55年2月17日生」 (和暦) or 「1985年7月4日生」 (西暦); the era year printed is kept for 照合番号B."""
    t = nfkc(text)
    m = re.search(_ERA, t)
    if m:
        era = wareki.BY_NAME[m.group(1)]
        year = 1 if m.group(2) == "元" else int(m.group(2))
        try:
            d = wareki.from_era(era, year, int(m.group(3)), int(m.group(4)), strict=True)
        except wareki.EraError as exc:
            return _missing(key, t, conf, str(exc))
        return FieldReading(key, d.isoformat(), t, conf, date=d, calendar="wareki", era_year=year)
    m = re.search(_WESTERN, t)
    if m:
        try:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return _missing(key, t, conf, "not a date")
        if key == "birth_date" and not 1868 <= d.year <= date.today().year:
            return _missing(key, t, conf, "not a plausible birth year")
        return FieldReading(key, d.isoformat(), t, conf, date=d, calendar="seireki", era_year=None)
    return _missing(key, t, conf, "no date")


def parse_mynumber_expiry(text: str, conf: float) -> FieldReading:
    """「2035年2月17日まで有効」."""
    t = nfkc(text)
    m = re.search(_WESTERN, t)
    if not m:
        return _missing("expiry", t, conf, "no date")
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return _missing("expiry", t, conf, "not a date")
    c = conf if "有効" in t else conf * 0.9
    return FieldReading("expiry", d.isoformat(), t, c, date=d, calendar="seireki")


def parse_license_expiry(text: str, conf: float) -> FieldReading:
    """「2028年(令和10年)03月17日まで有効」, or on licences issued under 平成 「平成33年02月07日まで有効」
    (an era year past the era's end: converted arithmetically and flagged)."""
    t = nfkc(text)
    # an era year only after its bracket or era name: 「2023年11月09日」 has none (read loosely, the month's
    # first digit was taken for an era year: 11月 became 1月)
    m = re.search(
        r"(\d{4})\s*年\s*(?:(?=\(|明治|大正|昭和|平成|令和)\(?\s*(?:(明治|大正|昭和|平成|令和)|\S?[和成治正])?\s*(元|\d{1,2})\s*年?\s*\)?\s*)?"
        r"(\d{1,2})\s*月\s*(\d{1,2})\s*日",
        t,
    )
    if m:
        try:
            d = date(int(m.group(1)), int(m.group(4)), int(m.group(5)))
        except ValueError:
            return _missing("expiry", t, conf, "not a date")
        c = conf
        if m.group(2) and m.group(3):  # the era year in parentheses must agree with the Gregorian year
            era = wareki.BY_NAME[m.group(2)]
            ey = 1 if m.group(3) == "元" else int(m.group(3))
            if era.offset + ey != d.year:
                c *= MALFORMED
        return FieldReading("expiry", d.isoformat(), t, c, date=d, calendar="seireki")
    m = re.search(_ERA, t)
    if m:
        era = wareki.BY_NAME[m.group(1)]
        ey = 1 if m.group(2) == "元" else int(m.group(2))
        try:
            d = wareki.from_era(era, ey, int(m.group(3)), int(m.group(4)), strict=False)
        except wareki.EraError as exc:
            return _missing("expiry", t, conf, str(exc))
        flags = ("past_era_end",) if wareki.past_era_end(era, d) else ()
        return FieldReading("expiry", d.isoformat(), t, conf, date=d, calendar="wareki", era_year=ey, flags=flags)
    return _missing("expiry", t, conf, "no date")


def parse_western_date(text: str, conf: float, key: str) -> FieldReading:
    t = nfkc(text)
    m = re.search(_WESTERN, t)
    if not m:
        return _missing(key, t, conf, "no date")
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return _missing(key, t, conf, "not a date")
    return FieldReading(key, d.isoformat(), t, conf, date=d, calendar="seireki")


def parse_era_date(text: str, conf: float, key: str) -> FieldReading:
    r = parse_birth_date(text, conf, key=key)
    return r if r.calendar != "seireki" else FieldReading(key, r.value, r.text, r.confidence * 0.8, date=r.date)


#: The residence card prints a letter after the kanji (「女 F.」): M or F alone is the value too.
_SEX_LETTER = {"M": "male", "F": "female"}


def parse_sex(text: str, conf: float) -> FieldReading:
    """男 or 女; the residence card's letter alone (its kanji not read) is the value, flagged ``repaired``; a
    letter that disagrees with the kanji leaves the value the kanji's, doubtful (``two_candidates``)."""
    t = nfkc(text)
    kanji = [v for ch, v in (("男", "male"), ("女", "female")) if ch in t]
    letter = re.fullmatch(r"[男女]?\s*([MF])\.?", t)
    if len(kanji) == 1:
        differs = letter is not None and _SEX_LETTER[letter.group(1)] != kanji[0]
        return FieldReading("sex", kanji[0], t, conf, reasons=("two_candidates",) if differs else ())
    if not kanji and letter is not None:
        return FieldReading("sex", _SEX_LETTER[letter.group(1)], t, conf, flags=("repaired",))
    return _missing("sex", t, conf, "neither 男 nor 女")


def parse_digits(text: str, conf: float, key: str, length: int) -> FieldReading:
    t = nfkc(text)
    digits = re.sub(r"\D", "", t)
    if len(digits) != length:
        return _missing(key, t, conf, f"{length} digits expected, read {len(digits)}")
    return FieldReading(key, digits, t, conf)


_AS_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"})
_AS_DIGIT = str.maketrans(
    {"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "G": "6", "T": "7", "B": "8"}
)


def parse_card_number(text: str, conf: float) -> FieldReading:
    """Residence card number: 2 letters, 8 digits, 2 letters. Characters that can only be a letter (or a
    digit) at their position are mapped (0→O, O→0 …), with the confidence lowered for each such repair."""
    t = re.sub(r"[^0-9A-Z]", "", nfkc(text).upper())
    if len(t) != 12:
        return _missing("card_number", t, conf, f"12 characters expected, read {len(t)}")
    fixed = t[:2].translate(_AS_LETTER) + t[2:10].translate(_AS_DIGIT) + t[10:].translate(_AS_LETTER)
    repairs = sum(a != b for a, b in zip(t, fixed, strict=True))
    if not re.fullmatch(r"[A-Z]{2}\d{8}[A-Z]{2}", fixed):
        return _missing("card_number", t, conf, "not 2 letters + 8 digits + 2 letters")
    return FieldReading("card_number", fixed, t, conf * (0.8**repairs), flags=("repaired",) if repairs else ())


def parse_text(text: str, conf: float, key: str) -> FieldReading:
    t = nfkc(text)
    return FieldReading(key, t or None, t, conf if t else 0.0, problem="" if t else "nothing read")
