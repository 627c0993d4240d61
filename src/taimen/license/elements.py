"""The licence's data elements: its TLV form, and how each element's value is decoded for display and JSON.

TLV (reference §2): tags are one byte (5F40, the photo, is the only two-byte tag and lives alone in DF2),
lengths one byte or ``82 hi lo`` (BER; ``81 xx`` is accepted too), 0xFF where a tag is expected ends the data
(padding), zero-length values are allowed. A tag that appears twice is refused: a forger's ambiguity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from taimen.core.tlv import Tlv, index, parse_all
from taimen.jistext import JisText, decode_x0201, decode_x0208
from taimen.result import DateValue
from taimen.wareki import EraCodedDate, format_ja, parse_era_coded


def parse_records(data: bytes) -> dict[int, Tlv]:
    """Parse a licence EF into tag → object (strict, bounded by the bytes present)."""
    return index(parse_all(data, stop_on_filler=True, single_byte_tags=True))


def era_date_value(coded: EraCodedDate) -> DateValue:
    """DateValue for an era-coded date: ISO form, the Japanese form as recorded, and flags."""
    flags: list[str] = []
    if coded.empty:
        return DateValue(None, "なし", coded.raw, ("empty",))
    if coded.problem:
        flags.append(coded.problem)
    if coded.past_era_end:
        flags.append("past_era_end")
    display = coded.format()
    if coded.past_era_end and coded.date is not None:
        display += f"（{format_ja(coded.date)}）"
    return DateValue(coded.date.isoformat() if coded.date else None, display, coded.raw, tuple(flags))


def decode_date(value: bytes) -> tuple[EraCodedDate, DateValue]:
    text = decode_x0201(value).text
    coded = parse_era_coded(text)
    return coded, era_date_value(coded)


@dataclass(frozen=True, slots=True)
class Element:
    """One decoded data element, as the JSON output shows it (tag hex, names, raw bytes, decoded value)."""

    tag: int
    name_ja: str
    name_en: str
    raw: bytes
    decoded: Any  # JisText | DateValue | str | dict | None (None: kept raw only)
    kind: str  # "x0208", "x0201", "date", "binary", "raw", …
    file: str = ""

    @property
    def text(self) -> str | None:
        d = self.decoded
        if isinstance(d, JisText):
            return d.text
        if isinstance(d, DateValue):
            return d.display_ja
        if isinstance(d, str):
            return d
        return None

    def to_json(self) -> dict[str, Any]:
        d = self.decoded
        decoded = d.to_json() if hasattr(d, "to_json") else d
        return {
            "tag": f"{self.tag:02X}",
            "name": {"ja": self.name_ja, "en": self.name_en},
            "file": self.file,
            "kind": self.kind,
            "raw": self.raw.hex().upper(),
            "decoded": decoded,
        }


def _binary(value: bytes) -> Any:
    return {"hex": value.hex().upper(), "int": int.from_bytes(value, "big") if 0 < len(value) <= 4 else None}


DECODERS: dict[str, Callable[[bytes], Any]] = {
    "x0208": decode_x0208,
    "x0201": decode_x0201,
    "date": lambda v: decode_date(v)[1],
    "binary": _binary,
    "raw": lambda v: None,
}


def element(tag: int, value: bytes, kind: str, name_ja: str, name_en: str, file: str) -> Element:
    return Element(tag, name_ja, name_en, value, DECODERS[kind](value), kind, file)


def unknown_element(t: Tlv, file: str) -> Element:
    """A tag this version of taimen does not know: shown raw, never dropped."""
    return Element(t.tag, f"不明なタグ {t.tag:02X}", f"unknown tag {t.tag:02X}", t.value, None, "raw", file)
