"""追記 (changes written on the back of the licence): DF1/EF04 (all but 本籍) and DF1/EF06 (本籍).

EF04: 50 追記の有無; 51–5F 新住所地公安委員会名1–15; 60–67 新氏名1–8; 68–6F 新呼び名1–8; 70–77 新住所1–8;
78–7F 新条件1–8; 80–87 条件解除1–8; 88–8F 備考1–8; 90–97 予備1–8. EF06: AA 追記の有無; AB–AF 新本籍1–5.

Layout of one entry (**unverified**, designed from the evidence): 50so skips 15 leading and 10 trailing
bytes of every entry and documents the first byte as the JIS X 0208 制定年番号; LibJeID reports a 変更年月日,
the value and a 公安委員会 abbreviated to five characters per entry, and its sample shows the 新住所 entry as
「４３００１０１東京都千代田区…東京都公安」. So an entry is read as

    1 byte   JIS X 0208 制定年番号
    14 bytes 変更年月日: 元号 digit + YYMMDD as seven JIS X 0208 full-width digits
    n bytes  the new value (JIS X 0208)
    10 bytes 公安委員会 (five JIS X 0208 characters, e.g. 東京都公安)

An entry that does not fit this layout (too short, or a date part that is not seven full-width digits) is
decoded whole as JIS X 0208 and flagged, never dropped.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from taimen.jistext import JisText, decode_x0208
from taimen.license.elements import Element, era_date_value, parse_records, unknown_element
from taimen.result import DateValue
from taimen.wareki import parse_era_coded

HEADER, TRAILER = 15, 10

#: kind → (first tag, count, 名称, English)
KINDS: dict[str, tuple[int, int, str, str]] = {
    "commission": (0x51, 15, "新住所地公安委員会名", "new commission of residence"),
    "name": (0x60, 8, "新氏名", "new name"),
    "kana": (0x68, 8, "新呼び名", "new name reading"),
    "address": (0x70, 8, "新住所", "new address"),
    "condition": (0x78, 8, "新条件", "new condition"),
    "condition_removed": (0x80, 8, "条件解除", "condition removed"),
    "remark": (0x88, 8, "備考", "remark"),
    "reserve": (0x90, 8, "予備", "reserve"),
    "honseki": (0xAB, 5, "新本籍", "new registered domicile"),
}
PRESENCE_TAGS = {0x50: "DF1/EF04", 0xAA: "DF1/EF06"}


def kind_of(tag: int) -> tuple[str, int] | None:
    """(kind, sequence number 1…) of a 追記 tag."""
    for kind, (first, count, _, _) in KINDS.items():
        if first <= tag < first + count:
            return kind, tag - first + 1
    return None


@dataclass(frozen=True, slots=True)
class TsuikiEntry:
    tag: int
    kind: str
    seq: int
    file: str
    raw: bytes
    value: JisText
    date: DateValue | None
    commission: JisText | None  # abbreviated 公安委員会 that wrote the entry
    edition: int | None  # JIS X 0208 制定年番号 byte
    layout_recognised: bool

    @property
    def label_ja(self) -> str:
        return f"{KINDS[self.kind][2]}{self.seq}"

    def to_json(self) -> dict[str, object]:
        _, _, ja, en = KINDS[self.kind]
        return {
            "tag": f"{self.tag:02X}",
            "kind": self.kind,
            "seq": self.seq,
            "name": {"ja": f"{ja}{self.seq}", "en": f"{en} {self.seq}"},
            "file": self.file,
            "value": self.value.to_json(),
            "date": self.date.to_json() if self.date else None,
            "commission": self.commission.to_json() if self.commission else None,
            "jis_edition": f"{self.edition:02X}" if self.edition is not None else None,
            "layout_recognised": self.layout_recognised,
            "raw": self.raw.hex().upper(),
        }


def _date_part(chunk: bytes) -> DateValue | None:
    text = decode_x0208(chunk)
    if not text.complete:
        return None
    digits = unicodedata.normalize("NFKC", text.text)
    if len(digits) != 7 or not digits.isascii() or not digits.isdigit():
        return None
    return era_date_value(parse_era_coded(digits))


def parse_entry(tag: int, kind: str, seq: int, value: bytes, file: str) -> TsuikiEntry:
    if len(value) >= HEADER + TRAILER and (len(value) - HEADER - TRAILER) % 2 == 0:
        date = _date_part(value[1:HEADER])
        if date is not None:
            body = decode_x0208(value[HEADER : len(value) - TRAILER])
            commission = decode_x0208(value[len(value) - TRAILER :])
            return TsuikiEntry(tag, kind, seq, file, value, body, date, commission, value[0], True)
    whole = value[1:] if len(value) % 2 else value
    return TsuikiEntry(tag, kind, seq, file, value, decode_x0208(whole), None, None, None, False)


@dataclass(frozen=True, slots=True)
class Tsuiki:
    entries: tuple[TsuikiEntry, ...]
    elements: tuple[Element, ...]  # 追記の有無 and unknown tags

    def latest(self, kind: str) -> TsuikiEntry | None:
        """The newest entry of a kind: the highest sequence number (entries are written in order)."""
        found = [e for e in self.entries if e.kind == kind and e.value.segments]
        return max(found, key=lambda e: e.seq) if found else None

    def of(self, kind: str) -> list[TsuikiEntry]:
        return sorted((e for e in self.entries if e.kind == kind), key=lambda e: e.seq)


def _blank(value: bytes) -> bool:
    return not value or all(b in (0x00, 0xFF) for b in value)


def parse_tsuiki(data: bytes, file: str) -> Tsuiki:
    entries, elements = [], []
    for tag, t in parse_records(data).items():
        if tag in PRESENCE_TAGS:
            ja = "追記の有無" if tag == 0x50 else "追記の有無（本籍）"
            elements.append(
                Element(tag, ja, "changes present", t.value, {"hex": t.value.hex().upper()}, "binary", file)
            )
            continue
        found = kind_of(tag)
        if found is None or (found[0] == "honseki") != (file == "DF1/EF06"):
            elements.append(unknown_element(t, file))
        elif not _blank(t.value):
            entries.append(parse_entry(tag, found[0], found[1], t.value, file))
    return Tsuiki(tuple(entries), tuple(elements))


def merge(*parts: Tsuiki) -> Tsuiki:
    return Tsuiki(
        tuple(e for p in parts for e in p.entries),
        tuple(e for p in parts for e in p.elements),
    )
