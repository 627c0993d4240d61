"""Records indexed by an offset table: ``FF20 { DF21 <u16 offsets> , field objects… }``.

Both 券面 APs keep their main record this way (reference §2 and §3). The table is never trusted: each offset
must equal where the named object actually starts, counted from the first byte of the file (the outer
``FF 20 …`` header included). Positions are computed from the outer header's own length, not from the
number of bytes read, because a file read off the card carries filler after the object.
"""

from __future__ import annotations

from dataclasses import dataclass

from taimen.core import tlv
from taimen.errors import ParseError


@dataclass(frozen=True, slots=True)
class IndexedRecord:
    outer: tlv.Tlv
    table: tlv.Tlv
    fields: dict[int, tlv.Tlv]  # tag → object, in file order
    offsets: tuple[int, ...]

    def after_table(self) -> bytes:
        """The outer value from the first byte after the offset table to its end."""
        return self.outer.value[self.table.offset + len(self.table.raw) :]


def parse_indexed_record(
    data: bytes, *, outer_tag: int, table_tag: int, field_tags: tuple[int, ...], what: str
) -> IndexedRecord:
    """Parse strictly: the table comes first, then exactly ``field_tags`` in order, then only filler."""
    outer = tlv.parse_single(data, outer_tag)
    if outer.offset != 0:
        raise ParseError(f"{what}: record does not start the file")
    children = tlv.parse_all(outer.value, stop_on_filler=True)
    used = children[-1].offset + len(children[-1].raw) if children else 0
    if any(b not in tlv.FILLER for b in outer.value[used:]):
        raise ParseError(f"{what}: data after the filler inside the record")
    if not children or children[0].tag != table_tag:
        raise ParseError(f"{what}: the offset table {table_tag:X} must come first")
    table, objects = children[0], children[1:]
    found = tuple(o.tag for o in objects)
    if found != field_tags:
        raise ParseError(
            f"{what}: objects {' '.join(f'{t:X}' for t in found)} found, "
            f"{' '.join(f'{t:X}' for t in field_tags)} expected"
        )
    if len(table.value) != 2 * len(field_tags):
        raise ParseError(f"{what}: offset table of {len(table.value)} bytes, {2 * len(field_tags)} expected")
    offsets = tuple(int.from_bytes(table.value[i : i + 2], "big") for i in range(0, len(table.value), 2))
    base = outer.header_len
    for tag, claimed, obj in zip(field_tags, offsets, objects, strict=True):
        actual = base + obj.offset
        if claimed != actual:
            raise ParseError(f"{what}: offset table puts {tag:X} at {claimed}, it starts at {actual}")
    return IndexedRecord(outer, table, {o.tag: o for o in objects}, offsets)


def encode_indexed_record(*, outer_tag: int, table_tag: int, fields: list[tuple[int, bytes]]) -> bytes:
    """Issuer-side inverse (emulator and tests): build the record with a correct offset table."""
    encoded = [tlv.encode(tag, value) for tag, value in fields]
    table_len = len(tlv.encode(table_tag, bytes(2 * len(fields))))
    body_len = table_len + sum(len(e) for e in encoded)
    header_len = len(tlv.encode_tag(outer_tag) + tlv.encode_length(body_len))
    offsets = []
    pos = header_len + table_len
    for e in encoded:
        offsets.append(pos)
        pos += len(e)
    if pos > 0xFFFF:
        raise ValueError("record too large for 16-bit offsets")
    table = tlv.encode(table_tag, b"".join(o.to_bytes(2, "big") for o in offsets))
    return tlv.encode(outer_tag, table + b"".join(encoded))
