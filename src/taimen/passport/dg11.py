"""DG11 (additional personal details) and DG12 (additional document details), 9303-10 §4.7.11–12.

Only the elements a counter shows are decoded; the rest are listed by tag. Text is UTF-8 (9303-10 §4.6).
"""

from __future__ import annotations

from taimen.core import tlv
from taimen.errors import ParseError
from taimen.passport.lds import outer_value

DG11_NAMES = {
    0x5F0E: "full_name", 0x5F10: "personal_number", 0x5F2B: "full_birth_date", 0x5F11: "place_of_birth",
    0x5F42: "address", 0x5F12: "telephone", 0x5F13: "profession", 0x5F14: "title",
    0x5F15: "personal_summary", 0x5F17: "other_td_numbers", 0x5F18: "custody",
}  # fmt: skip
DG12_NAMES = {
    0x5F19: "issuing_authority", 0x5F26: "date_of_issue", 0x5F1B: "endorsements", 0x5F1C: "tax_exit",
    0x5F55: "personalisation_time", 0x5F56: "personalisation_device",
}  # fmt: skip
MAX_TEXT = 1024


def _text(value: bytes, what: str) -> str:
    if len(value) > MAX_TEXT:
        raise ParseError(f"{what}: {len(value)} bytes of text")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{what} is not UTF-8") from exc


def _parse(data: bytes, dg: int, names: dict[int, str]) -> dict[str, object]:
    out: dict[str, object] = {}
    other: list[str] = []
    for obj in tlv.parse_all(outer_value(data, dg)):
        if obj.tag == 0x5C:
            continue  # the tag list
        name = names.get(obj.tag)
        if name is None or obj.constructed:
            other.append(f"{obj.tag:X}")
            continue
        if name in out:
            raise ParseError(f"DG{dg} element {obj.tag:X} appears twice")
        out[name] = _text(obj.value, f"DG{dg} {name}")
    if other:
        out["other_elements"] = other
    return out


def parse_dg11(data: bytes) -> dict[str, object]:
    """Decoded DG11; ``full_name`` is the name in national characters when the issuer records it."""
    return _parse(data, 11, DG11_NAMES)


def parse_dg12(data: bytes) -> dict[str, object]:
    return _parse(data, 12, DG12_NAMES)


def encode_dg11(elements: dict[int, str]) -> bytes:
    body = tlv.encode(0x5C, b"".join(tlv.encode_tag(t) for t in elements))
    body += b"".join(tlv.encode(t, v.encode("utf-8")) for t, v in elements.items())
    return tlv.encode(0x6B, body)


def encode_dg12(elements: dict[int, str]) -> bytes:
    body = tlv.encode(0x5C, b"".join(tlv.encode_tag(t) for t in elements))
    body += b"".join(tlv.encode(t, v.encode("utf-8")) for t, v in elements.items())
    return tlv.encode(0x6C, body)
