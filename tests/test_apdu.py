"""Command/Response APDUs: ISO 7816-4 cases 1-4, short and extended, and strict parsing."""

from __future__ import annotations

import pytest

from taimen.core import apdu
from taimen.core.apdu import Command, Response
from taimen.errors import ParseError

H = bytes.fromhex("00B00000")  # header used by most vectors


# (command, exact encoding): hand-written from ISO 7816-4 §5.1, not produced by the code under test.
VECTORS = [
    # case 1
    (Command(0x00, 0xA4, 0x00, 0x00), "00A40000"),
    # case 2 short; Le 256 encodes as 00
    (Command(0x00, 0xB0, 0x00, 0x00, le=1), "00B0000001"),
    (Command(0x00, 0xB0, 0x00, 0x00, le=255), "00B00000FF"),
    (Command(0x00, 0xB0, 0x00, 0x00, le=256), "00B0000000"),
    # case 3 short
    (Command(0x00, 0xA4, 0x02, 0x0C, b"\x00\x06"), "00A4020C020006"),
    (Command(0x00, 0xDA, 0x00, 0x00, b"\xaa" * 255), "00DA0000FF" + "AA" * 255),
    # case 4 short
    (Command(0x80, 0x2A, 0x00, 0x00, b"\x01\x02", le=256), "802A0000020102" + "00"),
    (Command(0x80, 0x2A, 0x00, 0x00, b"\x01", le=16), "802A00000101" + "10"),
    # case 2 extended; Le 65536 encodes as 0000
    (Command(0x00, 0xB0, 0x00, 0x00, le=257), "00B00000000101"),
    (Command(0x00, 0xB0, 0x00, 0x00, le=65535), "00B0000000FFFF"),
    (Command(0x00, 0xB0, 0x00, 0x00, le=65536), "00B00000000000"),
    (Command(0x00, 0xB0, 0x00, 0x00, le=1, extended=True), "00B00000000001"),
    # case 3 extended
    (Command(0x00, 0xDA, 0x00, 0x00, b"\xbb" * 256), "00DA0000000100" + "BB" * 256),
    (Command(0x00, 0xDA, 0x00, 0x00, b"\x01", extended=True), "00DA000000000101"),
    # case 4 extended: Lc 3 bytes, Le 2 bytes
    (Command(0x80, 0x2A, 0x00, 0x00, b"\xcc" * 300, le=65536), "802A000000012C" + "CC" * 300 + "0000"),
    (Command(0x80, 0x2A, 0x00, 0x00, b"\x01", le=300), "802A0000000001" + "01" + "012C"),
]


@pytest.mark.parametrize(("command", "encoding"), VECTORS)
def test_encode_matches_iso_vector(command: Command, encoding: str) -> None:
    assert command.to_bytes().hex().upper() == encoding


@pytest.mark.parametrize(("command", "encoding"), VECTORS)
def test_parse_round_trip(command: Command, encoding: str) -> None:
    parsed = Command.from_bytes(bytes.fromhex(encoding))
    assert parsed == command
    assert parsed.to_bytes() == bytes.fromhex(encoding)


@pytest.mark.parametrize(
    ("command", "case"),
    [
        (Command(0, 0xA4, 0, 0), 1),
        (Command(0, 0xB0, 0, 0, le=5), 2),
        (Command(0, 0xA4, 0, 0, b"\x3f\x00"), 3),
        (Command(0, 0x2A, 0, 0, b"\x01", le=5), 4),
    ],
)
def test_case_number(command: Command, case: int) -> None:
    assert command.case == case


def test_short_limits_switch_to_extended_automatically() -> None:
    assert not Command(0, 0xB0, 0, 0, le=256).extended
    assert Command(0, 0xB0, 0, 0, le=257).extended
    assert not Command(0, 0xDA, 0, 0, b"x" * 255).extended
    assert Command(0, 0xDA, 0, 0, b"x" * 256).extended


@pytest.mark.parametrize(
    "kwargs",
    [
        {"le": 0},  # absent Le is None; 0 is not a length
        {"le": 65537},
        {"le": -1},
        {"data": b"x" * 65536},
    ],
)
def test_constructor_rejects_out_of_range_lengths(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        Command(0, 0xB0, 0, 0, **kwargs)


@pytest.mark.parametrize("field", ["cla", "ins", "p1", "p2"])
@pytest.mark.parametrize("value", [-1, 256])
def test_constructor_rejects_header_bytes_out_of_range(field: str, value: int) -> None:
    args = {"cla": 0, "ins": 0xB0, "p1": 0, "p2": 0, field: value}
    with pytest.raises(ValueError):
        Command(**args)


def test_case1_is_never_extended() -> None:
    # A 4-byte APDU has no length fields; flagging it extended made a short-only reader refuse it.
    c = Command(0x00, 0xA4, 0x00, 0x00, extended=True)
    assert not c.extended
    assert Command.from_bytes(c.to_bytes()) == c


def test_extended_data_of_exactly_65535_bytes_encodes() -> None:
    c = Command(0, 0xDA, 0, 0, b"\x00" * 65535, le=65536)
    raw = c.to_bytes()
    assert raw[4:7] == b"\x00\xff\xff" and raw[-2:] == b"\x00\x00"
    assert Command.from_bytes(raw) == c


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "shorter than 4"),
        ("00", "shorter than 4"),
        ("00B000", "shorter than 4"),
        ("00A4020C0300", "short Lc 3 with 1 data byte"),
        ("00A4020C01AABBCC", "short Lc 1 with 3 following bytes"),
        ("00B0000000", None),  # valid: case 2 short, Le 256 (control)
        ("00B000000000", "two bytes: neither short case nor extended"),
        ("00DA000000000001", "extended Lc of 0"),
        ("00DA00000000", "truncated extended"),
        ("00DA0000000002AA", "extended Lc 2 with 1 data byte"),
        ("00DA0000000001AABBCCDD", "extended Lc 1, Le would need 2 bytes, 3 present"),
        ("00DA0000000001AABB", "extended Lc 1 and a 1-byte trailer"),
    ],
)
def test_parse_rejects_malformed(raw: str, why: str | None) -> None:
    data = bytes.fromhex(raw)
    if why is None:
        assert Command.from_bytes(data).le == 256
        return
    with pytest.raises(ParseError):
        Command.from_bytes(data)


def test_parse_le_boundaries() -> None:
    assert Command.from_bytes(H + b"\x01").le == 1
    assert Command.from_bytes(H + b"\x00").le == 256
    assert Command.from_bytes(H + b"\x00\x00\x01").le == 1
    assert Command.from_bytes(H + b"\x00\x01\x00").le == 256
    assert Command.from_bytes(H + b"\x00\x00\x00").le == 65536
    c = Command.from_bytes(H + b"\x00\x00\x00")
    assert c.extended and c.case == 2


def test_parse_accepts_bytearray_and_returns_bytes_data() -> None:
    c = Command.from_bytes(bytearray.fromhex("00A4020C020006"))
    assert c.data == b"\x00\x06" and type(c.data) is bytes


def test_response_parse_and_accessors() -> None:
    r = Response.from_bytes(bytes.fromhex("0102039000"))
    assert r.data == b"\x01\x02\x03" and r.sw == 0x9000 and r.ok
    assert (r.sw1, r.sw2) == (0x90, 0x00)
    assert r.to_bytes() == bytes.fromhex("0102039000")
    r2 = Response.from_bytes(bytes.fromhex("63C2"))
    assert r2.data == b"" and not r2.ok and (r2.sw1, r2.sw2) == (0x63, 0xC2)


@pytest.mark.parametrize("raw", [b"", b"\x90"])
def test_response_too_short(raw: bytes) -> None:
    with pytest.raises(ParseError):
        Response.from_bytes(raw)


# --- builders -------------------------------------------------------------------------------------------


def test_select_aid_is_case3_p2_0c() -> None:
    c = apdu.select_aid(bytes.fromhex("D392F000260100000001"))
    assert c.to_bytes().hex().upper() == "00A4040C0AD392F000260100000001"


def test_select_ef_and_mf() -> None:
    assert apdu.select_ef(0x0006).to_bytes().hex().upper() == "00A4020C020006"
    assert apdu.select_mf().to_bytes().hex().upper() == "00A40000"


def test_read_binary_offset_and_sfi() -> None:
    assert apdu.read_binary(0x1234, 256).to_bytes().hex().upper() == "00B0123400"
    assert apdu.read_binary(0, 0x10).to_bytes().hex().upper() == "00B0000010"
    assert apdu.read_binary(5, 256, sfi=1).to_bytes().hex().upper() == "00B0810500"
    assert apdu.read_binary(0, 65536, sfi=30).to_bytes().hex().upper() == "00B09E00000000"


@pytest.mark.parametrize(("offset", "sfi"), [(0x8000, None), (-1, None), (256, 1), (0, 0), (0, 31)])
def test_read_binary_rejects_out_of_range(offset: int, sfi: int | None) -> None:
    with pytest.raises(ValueError):
        apdu.read_binary(offset, 256, sfi=sfi)


def test_verify_is_secret_and_query_is_not() -> None:
    v = apdu.verify(b"1234")
    assert v.secret and v.to_bytes().hex().upper() == "0020008004" + b"1234".hex().upper()
    q = apdu.verify_query()
    assert not q.secret and q.case == 1 and q.to_bytes().hex().upper() == "00200080"


def test_secret_and_label_do_not_affect_equality() -> None:
    a = Command(0, 0x20, 0, 0x80, b"1", secret=True, label="x")
    b = Command(0, 0x20, 0, 0x80, b"1")
    assert a == b


def test_describe_uses_label_or_header() -> None:
    assert Command(0, 0xB0, 1, 2, le=3).describe() == "00 B0 01 02"
    assert Command(0, 0xB0, 1, 2, le=3, label="READ X").describe() == "READ X"
