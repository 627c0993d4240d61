"""DF1/EF01 記載事項（本籍除く）: every element of the licence face, tags 11–33 (reference §2 table).

All four public sources (TRET, 50so, perl, JDCard) agree on the table. Dates are 元号 digit + YYMMDD in JIS
X 0201 (era digits 1 明治 … 5 令和, converted by ``taimen.wareki``); a category the holder does not have is
the era digit followed by 000000.
"""

from __future__ import annotations

from dataclasses import dataclass

from taimen.errors import ParseError
from taimen.jistext import JisText
from taimen.license.elements import Element, decode_date, element, parse_records, unknown_element
from taimen.result import DateValue
from taimen.wareki import EraCodedDate

#: tag → (kind, 名称, English name)
TAGS: dict[int, tuple[str, str, str]] = {
    0x11: ("binary", "JIS X 0208 制定年番号", "JIS X 0208 edition"),
    0x12: ("x0208", "氏名", "name"),
    0x13: ("x0208", "呼び名（カナ）", "name reading (kana)"),
    0x14: ("x0208", "通称名", "common name (通称名)"),
    0x15: ("x0208", "統一氏名（カナ）", "unified name (kana)"),
    0x16: ("date", "生年月日", "date of birth"),
    0x17: ("x0208", "住所", "address"),
    0x18: ("date", "交付年月日", "date of issue"),
    0x19: ("x0201", "照会番号", "reference number (照会番号)"),
    0x1A: ("x0208", "免許証の色区分", "licence colour class"),
    0x1B: ("date", "有効期間の末日", "expiry date"),
    0x1C: ("x0208", "免許の条件1", "condition 1"),
    0x1D: ("x0208", "免許の条件2", "condition 2"),
    0x1E: ("x0208", "免許の条件3", "condition 3"),
    0x1F: ("x0208", "免許の条件4", "condition 4"),
    0x20: ("x0208", "公安委員会名", "issuing public safety commission"),
    0x21: ("x0201", "免許証の番号", "licence number"),
}

#: Category tags → (short name as printed, English). Dates per category; 22–24 are the grouped dates.
CATEGORIES: dict[int, tuple[str, str]] = {
    0x22: ("二・小・原", "motorcycle/small special/moped (二・小・原)"),
    0x23: ("他", "other categories (他)"),
    0x24: ("二種", "class 2 (二種)"),
    0x25: ("大型", "large vehicle"),
    0x26: ("普通", "ordinary vehicle"),
    0x27: ("大特", "large special vehicle"),
    0x28: ("大自二", "large motorcycle"),
    0x29: ("普自二", "ordinary motorcycle"),
    0x2A: ("小特", "small special vehicle"),
    0x2B: ("原付", "moped"),
    0x2C: ("け引", "towing"),
    0x2D: ("大二", "large vehicle class 2"),
    0x2E: ("普二", "ordinary vehicle class 2"),
    0x2F: ("大特二", "large special vehicle class 2"),
    0x30: ("け引二", "towing class 2"),
    0x31: ("中型", "medium vehicle"),
    0x32: ("中二", "medium vehicle class 2"),
    0x33: ("準中型", "semi-medium vehicle (from spec v007)"),
}
CATEGORY_BY_NAME = {name: tag for tag, (name, _) in CATEGORIES.items()}

for _tag, (_ja, _en) in CATEGORIES.items():
    TAGS[_tag] = ("date", f"免許の年月日（{_ja}）", f"date licensed: {_en}")

FILE = "DF1/EF01"


def edition_meaning(value: bytes) -> str | None:
    """Tag 11: 0x78 is read as 1978 (JIS C 6226) by the JDCard blog; decoded as a BCD year, unverified."""
    if len(value) == 1 and value.hex().isdigit():
        return f"19{value.hex()}"
    return None


@dataclass(frozen=True, slots=True)
class Category:
    tag: int
    name_ja: str
    name_en: str
    date: DateValue
    coded: EraCodedDate

    @property
    def licensed(self) -> bool:
        return not self.coded.empty

    def to_json(self) -> dict[str, object]:
        return {
            "tag": f"{self.tag:02X}",
            "name": {"ja": self.name_ja, "en": self.name_en},
            "licensed": self.licensed,
            "date": self.date.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Kisai:
    """The decoded DF1/EF01. ``elements`` holds every tag found, known or not, in card order."""

    elements: tuple[Element, ...]

    def get(self, tag: int) -> Element | None:
        return next((e for e in self.elements if e.tag == tag), None)

    def text(self, tag: int) -> JisText | None:
        e = self.get(tag)
        return e.decoded if e is not None and isinstance(e.decoded, JisText) else None

    def coded_date(self, tag: int) -> EraCodedDate | None:
        e = self.get(tag)
        return decode_date(e.raw)[0] if e is not None and e.kind == "date" else None

    def date(self, tag: int) -> DateValue | None:
        e = self.get(tag)
        return e.decoded if e is not None and isinstance(e.decoded, DateValue) else None

    @property
    def name(self) -> JisText | None:
        return self.text(0x12)

    @property
    def address(self) -> JisText | None:
        return self.text(0x17)

    @property
    def number(self) -> str | None:
        t = self.text(0x21)
        return t.text if t is not None else None

    @property
    def conditions(self) -> list[JisText]:
        return [t for tag in (0x1C, 0x1D, 0x1E, 0x1F) if (t := self.text(tag)) is not None and t.segments]

    @property
    def categories(self) -> list[Category]:
        out = []
        for e in self.elements:
            if e.tag in CATEGORIES:
                coded, value = decode_date(e.raw)
                ja, en = CATEGORIES[e.tag]
                out.append(Category(e.tag, ja, en, value, coded))
        return out


def parse_kisai(data: bytes) -> Kisai:
    records = parse_records(data)
    if 0x12 not in records:
        raise ParseError(f"{FILE}: the name (tag 12) is missing")
    elements = []
    for tag, t in records.items():
        if tag in TAGS:
            kind, ja, en = TAGS[tag]
            el = element(tag, t.value, kind, ja, en, FILE)
            if tag == 0x11:
                el = Element(
                    tag, ja, en, t.value, {"hex": t.value.hex().upper(), "year": edition_meaning(t.value)}, kind, FILE
                )
            elements.append(el)
        else:
            elements.append(unknown_element(t, FILE))
    return Kisai(tuple(elements))
