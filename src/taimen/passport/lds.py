"""The Logical Data Structure (ICAO 9303-10): file identifiers, data-group tags, EF.COM.

Every file is one BER object whose outer tag names it; the parsers here and in ``dg*.py``/``sod.py`` are
strict and bounded (core/tlv.py) and fail with ``ParseError`` on anything a forged chip could send.
"""

from __future__ import annotations

from dataclasses import dataclass

from taimen.core import tlv
from taimen.errors import ParseError

#: eMRTD application (9303-10 §3.6.2).
LDS1_AID = bytes.fromhex("A0000002471001")
EF_CARD_ACCESS = 0x011C
EF_COM = 0x011E
EF_SOD = 0x011D

#: Data group number → (file identifier, outer tag). 9303-10 Table 34.
DATA_GROUPS: dict[int, tuple[int, int]] = {
    1: (0x0101, 0x61), 2: (0x0102, 0x75), 3: (0x0103, 0x63), 4: (0x0104, 0x76),
    5: (0x0105, 0x65), 6: (0x0106, 0x66), 7: (0x0107, 0x67), 8: (0x0108, 0x68),
    9: (0x0109, 0x69), 10: (0x010A, 0x6A), 11: (0x010B, 0x6B), 12: (0x010C, 0x6C),
    13: (0x010D, 0x6D), 14: (0x010E, 0x6E), 15: (0x010F, 0x6F), 16: (0x0110, 0x70),
}  # fmt: skip
TAG_TO_DG = {tag: dg for dg, (_, tag) in DATA_GROUPS.items()}
TAG_COM = 0x60
TAG_SOD = 0x77

#: Sizes taimen agrees to read (a forged chip may claim any length). DG2 holds a face of some 10–30 kB.
MAX_SIZE = {2: 200_000, 3: 200_000, 4: 200_000, 5: 100_000, 7: 100_000}
DEFAULT_MAX_SIZE = 32_000
MAX_SOD = 32_000
#: Data groups taimen reads when EF.COM lists them (DG3/DG4 need EAC; the others carry nothing a counter uses).
READ_GROUPS = (1, 2, 11, 12, 14, 15)


def max_size(dg: int) -> int:
    return MAX_SIZE.get(dg, DEFAULT_MAX_SIZE)


@dataclass(frozen=True, slots=True)
class Com:
    lds_version: str  # e.g. "0107"
    unicode_version: str  # e.g. "040000"
    data_groups: tuple[int, ...]  # as EF.COM lists them
    unknown_tags: tuple[int, ...]  # tags in the list that name no data group


def parse_com(data: bytes) -> Com:
    outer = tlv.parse_single(data, TAG_COM)
    objects = tlv.index(outer.children(), unique=True)
    tag_list = tlv.require(objects, 0x5C, what="EF.COM tag list").value
    if len(tag_list) > 32:
        raise ParseError("EF.COM lists more than 32 tags")
    version = objects.get(0x5F01)
    unicode = objects.get(0x5F36)
    groups = tuple(TAG_TO_DG[t] for t in tag_list if t in TAG_TO_DG)
    if len(set(groups)) != len(groups):
        raise ParseError("EF.COM lists a data group twice")
    return Com(
        version.value.decode("ascii", "replace") if version else "",
        unicode.value.decode("ascii", "replace") if unicode else "",
        groups,
        tuple(t for t in tag_list if t not in TAG_TO_DG),
    )


def encode_com(groups: list[int], lds_version: str = "0107", unicode_version: str = "040000") -> bytes:
    body = tlv.encode(0x5F01, lds_version.encode()) + tlv.encode(0x5F36, unicode_version.encode())
    body += tlv.encode(0x5C, bytes(DATA_GROUPS[g][1] for g in groups))
    return tlv.encode(TAG_COM, body)


def outer_value(data: bytes, dg: int) -> bytes:
    """The value of a data group's outer object, checking its tag."""
    return tlv.parse_single(data, DATA_GROUPS[dg][1]).value


def outer_value_card_access(data: bytes) -> bytes:
    """EF.CardAccess is a bare DER ``SecurityInfos`` SET (tag 31), not wrapped in an LDS tag."""
    obj = tlv.parse_single(data, 0x31)
    return obj.raw
