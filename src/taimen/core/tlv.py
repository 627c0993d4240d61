"""Strict, bounded BER-TLV and ISO 7816 simple-TLV parsers and encoders.

A forged chip chooses every byte, so: lengths are checked against the bytes actually present, nesting is
bounded, tags are at most 3 bytes, indefinite lengths are refused, and every failure is a ``ParseError``.
No length field can make the parser allocate what the input does not contain: values are copies of input
slices, so memory is linear in the input size (tests/test_tlv_fuzz.py measures the bound).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from taimen.errors import ParseError

MAX_DEPTH = 8
MAX_TAG_BYTES = 3
FILLER = (0x00, 0xFF)


@dataclass(frozen=True, slots=True)
class Tlv:
    """One data object. ``raw`` is the object as written (tag, length and value bytes)."""

    tag: int
    value: bytes
    raw: bytes
    offset: int  # where the tag starts, counted from the start of the parsed buffer

    @property
    def header_len(self) -> int:
        return len(self.raw) - len(self.value)

    @property
    def constructed(self) -> bool:
        first = self.tag
        while first > 0xFF:
            first >>= 8
        return bool(first & 0x20)

    def children(self, *, stop_on_filler: bool = False, depth: int = 1) -> list[Tlv]:
        if not self.constructed:
            raise ParseError(f"tag {self.tag:X} is primitive, it has no children")
        return parse_all(self.value, stop_on_filler=stop_on_filler, _depth=depth)


def _read_tag(buf: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(buf):
        raise ParseError("truncated TLV: tag expected")
    first = buf[pos]
    tag = first
    pos += 1
    if first & 0x1F == 0x1F:
        n = 1
        while True:
            if pos >= len(buf):
                raise ParseError("truncated TLV: multi-byte tag")
            b = buf[pos]
            tag = (tag << 8) | b
            pos += 1
            n += 1
            if n > MAX_TAG_BYTES:
                raise ParseError("TLV tag longer than 3 bytes")
            if not b & 0x80:
                break
    return tag, pos


def _read_length(buf: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(buf):
        raise ParseError("truncated TLV: length expected")
    first = buf[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    if first == 0x80:
        raise ParseError("indefinite TLV length is not allowed")
    count = first & 0x7F
    if count > 3:
        raise ParseError(f"TLV length field of {count} bytes is not allowed")
    if pos + count > len(buf):
        raise ParseError("truncated TLV: length bytes")
    return int.from_bytes(buf[pos : pos + count], "big"), pos + count


def parse_one(buf: bytes, pos: int = 0, *, single_byte_tags: bool = False) -> tuple[Tlv, int]:
    """Parse the object starting at ``pos``; return it and the position after it.

    ``single_byte_tags``: every tag is one byte, even 1F/5F/7F (the driving licence's tag space, where
    1F is 条件4 and 5F a 公安委員会名; BER would read them as the start of a multi-byte tag).
    """
    start = pos
    if single_byte_tags:
        if pos >= len(buf):
            raise ParseError("truncated TLV: tag expected")
        tag, pos = buf[pos], pos + 1
    else:
        tag, pos = _read_tag(buf, pos)
    length, pos = _read_length(buf, pos)
    end = pos + length
    if end > len(buf):
        raise ParseError(f"TLV {tag:X} claims {length} bytes, only {len(buf) - pos} present")
    buf = bytes(buf) if not isinstance(buf, bytes) else buf
    return Tlv(tag, buf[pos:end], buf[start:end], start), end


def parse_all(
    buf: bytes, *, stop_on_filler: bool = False, single_byte_tags: bool = False, _depth: int = 0
) -> list[Tlv]:
    """Parse a concatenation of objects filling ``buf`` exactly.

    With ``stop_on_filler``, parsing ends at the first 00 or FF where a tag is expected (card filler).
    ``single_byte_tags``: see ``parse_one``.
    """
    if _depth > MAX_DEPTH:
        raise ParseError("TLV nesting too deep")
    if not isinstance(buf, bytes):
        buf = bytes(buf)  # once here, not once per object in parse_one
    out: list[Tlv] = []
    pos = 0
    while pos < len(buf):
        if stop_on_filler and buf[pos] in FILLER:
            break
        tlv, pos = parse_one(buf, pos, single_byte_tags=single_byte_tags)
        out.append(tlv)
    return out


def parse_tree(buf: bytes, *, stop_on_filler: bool = False, _depth: int = 0) -> list[tuple[Tlv, list]]:
    """Parse recursively: a list of (object, children) for the whole nesting, bounded by MAX_DEPTH."""
    nodes = []
    for t in parse_all(buf, stop_on_filler=stop_on_filler, _depth=_depth):
        kids = parse_tree(t.value, stop_on_filler=stop_on_filler, _depth=_depth + 1) if t.constructed else []
        nodes.append((t, kids))
    return nodes


def parse_single(buf: bytes, expected_tag: int, *, allow_trailing_filler: bool = True) -> Tlv:
    """Parse a file holding one object with ``expected_tag``; the rest may only be filler."""
    tlv, end = parse_one(buf, 0)
    if tlv.tag != expected_tag:
        raise ParseError(f"expected tag {expected_tag:X}, found {tlv.tag:X}")
    rest = buf[end:]
    if rest and not (allow_trailing_filler and all(b in FILLER for b in rest)):
        raise ParseError(f"unexpected bytes after tag {expected_tag:X}")
    return tlv


def index(objects: Iterable[Tlv], *, unique: bool = True) -> dict[int, Tlv]:
    """Map tag → object; with ``unique``, a repeated tag is a ParseError (a forger's ambiguity)."""
    out: dict[int, Tlv] = {}
    for t in objects:
        if unique and t.tag in out:
            raise ParseError(f"tag {t.tag:X} appears twice")
        out.setdefault(t.tag, t)
    return out


def require(objects: dict[int, Tlv], tag: int, *, length: int | None = None, what: str = "") -> Tlv:
    t = objects.get(tag)
    name = what or f"{tag:X}"
    if t is None:
        raise ParseError(f"required object {name} (tag {tag:X}) is missing")
    if length is not None and len(t.value) != length:
        raise ParseError(f"object {name} has {len(t.value)} bytes, expected {length}")
    return t


def encode_tag(tag: int) -> bytes:
    n = max(1, (tag.bit_length() + 7) // 8)
    return tag.to_bytes(n, "big")


def encode_length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    if n <= 0xFF:
        return b"\x81" + bytes((n,))
    if n <= 0xFFFF:
        return b"\x82" + n.to_bytes(2, "big")
    if n <= 0xFFFFFF:
        return b"\x83" + n.to_bytes(3, "big")
    raise ValueError("TLV value too long")


def encode(tag: int, value: bytes) -> bytes:
    return encode_tag(tag) + encode_length(len(value)) + value


# --- ISO 7816-4 simple-TLV: 1-byte tag (01..FE), length 00..FE or FF + 2 bytes --------------------------


def iter_simple(buf: bytes) -> Iterator[Tlv]:
    pos = 0
    while pos < len(buf):
        start = pos
        tag = buf[pos]
        if tag in FILLER:
            return
        pos += 1
        if pos >= len(buf):
            raise ParseError("truncated simple-TLV: length expected")
        length = buf[pos]
        pos += 1
        if length == 0xFF:
            if pos + 2 > len(buf):
                raise ParseError("truncated simple-TLV: 3-byte length")
            length = int.from_bytes(buf[pos : pos + 2], "big")
            pos += 2
        if pos + length > len(buf):
            raise ParseError(f"simple-TLV {tag:02X} claims {length} bytes, only {len(buf) - pos} present")
        yield Tlv(tag, bytes(buf[pos : pos + length]), bytes(buf[start : pos + length]), start)
        pos += length


def parse_simple(buf: bytes) -> list[Tlv]:
    return list(iter_simple(buf))


def encode_simple(tag: int, value: bytes) -> bytes:
    if not 0x01 <= tag <= 0xFE:
        raise ValueError("simple-TLV tag must be 01..FE")
    n = len(value)
    return bytes((tag,)) + (bytes((n,)) if n < 0xFF else b"\xff" + n.to_bytes(2, "big")) + value
