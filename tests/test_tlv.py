"""Strict BER-TLV and simple-TLV: what a forged chip could send must be refused with ParseError."""

from __future__ import annotations

import pytest

from taimen.core import tlv
from taimen.core.tlv import Tlv
from taimen.errors import ParseError


def test_single_byte_tag_short_length() -> None:
    t, end = tlv.parse_one(bytes.fromhex("8103010203"))
    assert (t.tag, t.value, t.raw, t.offset, end) == (0x81, b"\x01\x02\x03", bytes.fromhex("8103010203"), 0, 5)
    assert t.header_len == 2 and not t.constructed


@pytest.mark.parametrize(
    ("hexstr", "tag"),
    [
        ("5F1F0141", 0x5F1F),  # two-byte tag
        ("9F7F0141", 0x9F7F),
        ("DF2101FF", 0xDF21),
        ("7F21020000", 0x7F21),
        ("5F8101" + "0141", 0x5F8101),  # three-byte tag: second byte has b8 set
    ],
)
def test_multi_byte_tags(hexstr: str, tag: int) -> None:
    t, end = tlv.parse_one(bytes.fromhex(hexstr))
    assert t.tag == tag
    assert end == len(bytes.fromhex(hexstr))
    assert tlv.encode_tag(tag) == bytes.fromhex(hexstr)[: t.header_len - 1]


def test_four_byte_tag_refused() -> None:
    with pytest.raises(ParseError, match="longer than 3"):
        tlv.parse_one(bytes.fromhex("5F818101" + "0100"))


def test_constructed_bit_is_read_from_the_first_tag_byte() -> None:
    assert tlv.parse_one(bytes.fromhex("7F210100"))[0].constructed
    assert not tlv.parse_one(bytes.fromhex("5F1F0100"))[0].constructed
    assert tlv.parse_one(bytes.fromhex("300100"))[0].constructed
    assert not tlv.parse_one(bytes.fromhex("0400"))[0].constructed


@pytest.mark.parametrize(
    ("header", "length"),
    [
        ("04" + "7F", 127),
        ("04" + "8180", 128),
        ("04" + "81FF", 255),
        ("04" + "820100", 256),
        ("04" + "82FFFF", 65535),
        ("04" + "83010000", 65536),
    ],
)
def test_long_form_lengths(header: str, length: int) -> None:
    raw = bytes.fromhex(header) + bytes(length)
    t, end = tlv.parse_one(raw)
    assert len(t.value) == length and end == len(raw)
    assert tlv.encode(0x04, t.value)[: len(bytes.fromhex(header))] == bytes.fromhex(header)


def test_non_minimal_long_form_is_accepted_as_ber() -> None:
    t, _ = tlv.parse_one(bytes.fromhex("04" + "8103" + "010203"))
    assert t.value == b"\x01\x02\x03"


@pytest.mark.parametrize("hexstr", ["0480", "3080" + "0400" + "0000"])
def test_indefinite_length_refused(hexstr: str) -> None:
    with pytest.raises(ParseError, match="indefinite"):
        tlv.parse_one(bytes.fromhex(hexstr))


@pytest.mark.parametrize("hexstr", ["04" + "84" + "00000001" + "00", "04" + "FF"])
def test_length_fields_over_3_bytes_refused(hexstr: str) -> None:
    with pytest.raises(ParseError, match="not allowed"):
        tlv.parse_one(bytes.fromhex(hexstr))


@pytest.mark.parametrize(
    "hexstr",
    [
        "",  # no tag
        "5F",  # multi-byte tag cut
        "5F81",  # three-byte tag cut
        "04",  # no length
        "0482",  # length bytes missing
        "048201",  # length bytes cut
        "0403AABB",  # value cut (3 claimed, 2 present)
        "04820100" + "00" * 255,  # value cut by one byte
    ],
)
def test_truncated_refused(hexstr: str) -> None:
    with pytest.raises(ParseError):
        tlv.parse_one(bytes.fromhex(hexstr))


def test_parse_one_at_position_and_offsets() -> None:
    buf = bytes.fromhex("0101AA" + "0202BBCC")
    t, end = tlv.parse_one(buf, 3)
    assert (t.tag, t.value, t.offset, end) == (0x02, b"\xbb\xcc", 3, 7)


def test_parse_all_fills_buffer_exactly() -> None:
    objs = tlv.parse_all(bytes.fromhex("0101AA" + "0200" + "5F1F0142"))
    assert [(o.tag, o.value) for o in objs] == [(0x01, b"\xaa"), (0x02, b""), (0x5F1F, b"B")]
    assert [o.offset for o in objs] == [0, 3, 5]


def test_parse_all_filler_stop() -> None:
    buf = bytes.fromhex("0101AA" + "FFFFFF")
    assert [o.tag for o in tlv.parse_all(buf, stop_on_filler=True)] == [0x01]
    assert [o.tag for o in tlv.parse_all(bytes.fromhex("0101AA0000FF"), stop_on_filler=True)] == [0x01]
    # Without the filler stop, FF FF FF is a (too long) multi-byte tag and must fail.
    with pytest.raises(ParseError):
        tlv.parse_all(buf)


def test_parse_all_rejects_garbage_after_objects() -> None:
    with pytest.raises(ParseError):
        tlv.parse_all(bytes.fromhex("0101AA" + "0105"))


def _nest(levels: int, leaf: bytes = b"") -> bytes:
    data = leaf
    for _ in range(levels):
        data = tlv.encode(0x30, data)
    return data


def test_nesting_bound() -> None:
    ok = tlv.parse_tree(_nest(tlv.MAX_DEPTH, tlv.encode(0x04, b"x")))
    depth, node = 0, ok
    while node:
        depth += 1
        node = node[0][1]
    assert depth == tlv.MAX_DEPTH + 1  # eight constructed levels and the primitive leaf
    with pytest.raises(ParseError, match="too deep"):
        tlv.parse_tree(_nest(tlv.MAX_DEPTH + 1))
    with pytest.raises(ParseError, match="too deep"):
        tlv.parse_tree(_nest(500))  # far deeper: refused, no RecursionError


def test_parse_tree_structure() -> None:
    inner = tlv.encode(0x02, b"\x01") + tlv.encode(0x31, tlv.encode(0x04, b"ab"))
    buf = tlv.encode(0x30, inner) + tlv.encode(0x05, b"")
    tree = tlv.parse_tree(buf)
    assert [t.tag for t, _ in tree] == [0x30, 0x05]
    seq_kids = tree[0][1]
    assert [t.tag for t, _ in seq_kids] == [0x02, 0x31]
    assert seq_kids[1][1][0][0].value == b"ab"
    assert tree[1][1] == []


def test_parse_tree_error_in_nested_object() -> None:
    with pytest.raises(ParseError):
        tlv.parse_tree(tlv.encode(0x30, bytes.fromhex("0405AA")))


def test_children() -> None:
    t, _ = tlv.parse_one(tlv.encode(0x7F21, tlv.encode(0x5F1F, b"a") + tlv.encode(0x5F20, b"bc")))
    assert [(c.tag, c.value) for c in t.children()] == [(0x5F1F, b"a"), (0x5F20, b"bc")]
    leaf = t.children()[0]
    with pytest.raises(ParseError, match="primitive"):
        leaf.children()


def test_parse_single() -> None:
    obj = tlv.encode(0x5F1F, b"hello")
    assert tlv.parse_single(obj + b"\xff" * 10, 0x5F1F).value == b"hello"
    assert tlv.parse_single(obj + b"\x00" * 3, 0x5F1F).value == b"hello"
    assert tlv.parse_single(obj, 0x5F1F).raw == obj
    with pytest.raises(ParseError, match="expected tag"):
        tlv.parse_single(obj, 0x5F20)
    with pytest.raises(ParseError, match="unexpected bytes"):
        tlv.parse_single(obj + b"\x01", 0x5F1F)
    with pytest.raises(ParseError, match="unexpected bytes"):
        tlv.parse_single(obj + b"\xff", 0x5F1F, allow_trailing_filler=False)
    with pytest.raises(ParseError):
        tlv.parse_single(b"", 0x5F1F)


def test_index_unique_refuses_duplicates() -> None:
    objs = tlv.parse_all(bytes.fromhex("0101AA" + "0201BB" + "0101CC"))
    with pytest.raises(ParseError, match="appears twice"):
        tlv.index(objs)
    lenient = tlv.index(objs, unique=False)
    assert lenient[0x01].value == b"\xaa"  # first wins when duplicates are tolerated
    assert set(lenient) == {0x01, 0x02}


def test_require() -> None:
    idx = tlv.index(tlv.parse_all(bytes.fromhex("0102AABB")))
    assert tlv.require(idx, 0x01, length=2).value == b"\xaa\xbb"
    with pytest.raises(ParseError, match="missing"):
        tlv.require(idx, 0x03, what="birth date")
    with pytest.raises(ParseError, match="expected 3"):
        tlv.require(idx, 0x01, length=3)


def test_encode_round_trip_all_length_forms() -> None:
    for n in (0, 1, 127, 128, 255, 256, 65535, 65536, 70000):
        for tag in (0x04, 0x5F1F, 0x5F8101):
            raw = tlv.encode(tag, bytes(n))
            t, end = tlv.parse_one(raw)
            assert (t.tag, len(t.value), end) == (tag, n, len(raw))


def test_encode_length_refuses_over_3_bytes() -> None:
    with pytest.raises(ValueError):
        tlv.encode_length(1 << 24)


def test_values_are_bytes_even_from_bytearray() -> None:
    t, _ = tlv.parse_one(bytearray.fromhex("0101AA"))
    assert type(t.value) is bytes and type(t.raw) is bytes


# --- simple-TLV -----------------------------------------------------------------------------------------


def test_simple_tlv_one_and_three_byte_lengths() -> None:
    buf = tlv.encode_simple(0x01, b"abc") + tlv.encode_simple(0x02, b"x" * 300) + tlv.encode_simple(0x03, b"")
    assert buf[5:9] == b"\x02\xff\x01\x2c"
    objs = tlv.parse_simple(buf)
    assert [(o.tag, len(o.value)) for o in objs] == [(0x01, 3), (0x02, 300), (0x03, 0)]
    assert objs[1].offset == 5 and objs[1].raw == buf[5:309]


def test_simple_tlv_length_fe_and_ff_boundary() -> None:
    assert tlv.encode_simple(0x10, b"x" * 254)[1] == 0xFE
    assert tlv.encode_simple(0x10, b"x" * 255)[1:4] == b"\xff\x00\xff"


def test_simple_tlv_stops_at_filler() -> None:
    buf = tlv.encode_simple(0x01, b"a") + b"\xff\xff\x01\x05"
    assert [o.tag for o in tlv.iter_simple(buf)] == [0x01]
    assert [o.tag for o in tlv.iter_simple(tlv.encode_simple(0x01, b"a") + b"\x00")] == [0x01]


@pytest.mark.parametrize("hexstr", ["01", "0105AA", "01FF00", "01FF0002AA"])
def test_simple_tlv_truncated(hexstr: str) -> None:
    with pytest.raises(ParseError):
        tlv.parse_simple(bytes.fromhex(hexstr))


@pytest.mark.parametrize("tag", [0x00, 0xFF, 0x100])
def test_simple_tlv_encode_refuses_bad_tags(tag: int) -> None:
    with pytest.raises(ValueError):
        tlv.encode_simple(tag, b"")


def test_tlv_object_is_immutable() -> None:
    t = Tlv(1, b"a", b"\x01\x01a", 0)
    with pytest.raises(AttributeError):
        t.tag = 2  # type: ignore[misc]


class _CountingBuffer(bytearray):
    copies = 0

    def __bytes__(self) -> bytes:
        type(self).copies += 1
        return bytes(memoryview(self))


@pytest.mark.parametrize(
    "parse",
    [
        tlv.parse_all,
        lambda b: tlv.parse_all(b, stop_on_filler=True),
        tlv.parse_tree,
        lambda b: list(tlv.iter_simple(b)),
    ],
)
def test_non_bytes_buffer_is_copied_once_not_per_object(parse) -> None:  # type: ignore[no-untyped-def]
    # A copy per object made parsing a 64 KB bytearray of tiny objects quadratic (gigabytes of copying).
    _CountingBuffer.copies = 0
    objs = parse(_CountingBuffer(b"\x01\x00" * 1000))
    assert len(objs) == 1000
    assert _CountingBuffer.copies <= 1
