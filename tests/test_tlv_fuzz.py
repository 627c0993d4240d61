"""Fuzzing every parser of card bytes in the core: TLV entry points and APDU parsing.

Properties, for any input:
- the only exception is taimen's ``ParseError`` (no IndexError, RecursionError, ValueError…);
- a successful parse is faithful (the objects' raw bytes re-assemble the input);
- peak allocation during the call stays within ``K × len(input) + C`` (tracemalloc).

Why K is what it is: every returned object has a fixed cost (a ``Tlv`` ≈ 64 B, its raw bytes ≈ 35 B, an offset
int, a list slot; ``parse_tree`` adds a node tuple and a child list). The worst input is a run of 2-byte
objects, measured at ≈ 70 B (flat) and ≈ 130 B (tree) per input byte; nested values are copied once per
level, at most ``MAX_DEPTH + 1`` times. So a hostile 64 KB file costs at most ≈ 10 MB, never more: the
bound proves there is no amplification (a length field can never make the parser allocate what the input
does not contain).

Example counts scale with the hypothesis profile (tests/conftest.py): with ``default`` the six TLV
targets run 6 × 2 500 = 15 000 cases; ``HYPOTHESIS_PROFILE=long`` runs 100 000 per target.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taimen.core import tlv
from taimen.core.apdu import Command, Response
from taimen.errors import ParseError

N = 25 * settings().max_examples  # per target: 2 500 with the default profile, 100 000 with ``long``
K_FLAT = 96
K_TREE = 160
K_APDU = 2
C = 16 * 1024


def measured(fn: Callable[[], Any], size: int, k: int) -> tuple[Any, BaseException | None]:
    """Run ``fn`` under tracemalloc; assert the peak allocation bound; return (result, exception)."""
    tracemalloc.start()
    try:
        try:
            result, error = fn(), None
        except Exception as exc:
            result, error = None, exc
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= k * size + C, f"peak {peak} B for {size} input bytes"
    if error is not None and not isinstance(error, ParseError):
        raise AssertionError(f"{type(error).__name__} escaped: {error}") from error
    return result, error


# --- strategies ----------------------------------------------------------------------------------------
# Generation must be cheap to reach ≥ 10 000 cases in CI: ``_built`` draws one byte string and interprets it
# as a little program that writes TLV (tags, length forms, nesting, filler, deliberate corruption), so
# hypothesis shrinks a plain byte string while the parser sees mostly well-formed structure.

_PRIMITIVE_TAGS = (b"\x04", b"\x02", b"\x5f\x1f", b"\x9f\x7f", b"\xdf\x21", b"\x5f\x81\x01", b"\x80", b"\x1f\x00")
_CONSTRUCTED_TAGS = (b"\x30", b"\x31", b"\x7f\x21", b"\x61", b"\xa0", b"\x3f\x81\x01", b"\x20", b"\x7f\x61")
_BAD_TAGS = (b"\x5f", b"\x5f\x81", b"\x5f\x81\x81\x01", b"\xff\xff\xff\xff", b"\x00", b"\xff")


def _length(n: int, form: int) -> bytes:
    if form == 0 and n < 0x80:
        return bytes((n,))
    width = max(1, form, (n.bit_length() + 7) // 8)
    return bytes((0x80 | width,)) + n.to_bytes(width, "big")


class _Program:
    def __init__(self, code: bytes) -> None:
        self.code, self.pos = code, 0

    def next(self) -> int:
        self.pos += 1
        return self.code[self.pos - 1] if self.pos <= len(self.code) else 0

    @property
    def done(self) -> bool:
        return self.pos >= len(self.code)

    def obj(self, depth: int) -> bytes:
        op = self.next() % 32
        if op == 31:  # garbage bytes where an object is expected
            return bytes(self.next() for _ in range(self.next() % 5))
        if op == 30:
            tag = _BAD_TAGS[self.next() % len(_BAD_TAGS)]
        elif op < 12 and depth < 12:
            tag = _CONSTRUCTED_TAGS[self.next() % len(_CONSTRUCTED_TAGS)]
            value = b"".join(self.obj(depth + 1) for _ in range(self.next() % 4))
            return tag + self._len(len(value)) + value
        else:
            tag = _PRIMITIVE_TAGS[self.next() % len(_PRIMITIVE_TAGS)]
        value = bytes(self.next() for _ in range(self.next() % 48))
        return tag + self._len(len(value)) + value

    def _len(self, n: int) -> bytes:
        form = self.next()
        if form % 32 == 31:  # a lying or malformed length
            return bytes(self.next() for _ in range(1 + form // 64))
        if form % 32 == 30:
            return _length(max(0, n + (1 if form & 0x20 else -1)), 0)
        return _length(n, form % 4)

    def run(self) -> bytes:
        out = bytearray()
        while not self.done and len(out) < 4096:
            out += self.obj(0)
            if self.next() % 16 == 1:
                out += bytes((0xFF if self.next() & 1 else 0x00,)) * (1 + self.next() % 6)
        return bytes(out)


_built = st.binary(min_size=1, max_size=160).map(lambda code: _Program(code).run())


def _deep() -> st.SearchStrategy[bytes]:
    """Nesting around and beyond MAX_DEPTH, as a forger would send to exhaust the stack."""
    leaf = st.one_of(st.binary(max_size=6), st.binary(max_size=6).map(lambda v: tlv.encode(0x04, v)))
    return st.tuples(st.one_of(st.integers(0, 12), st.integers(0, 200)), leaf).map(lambda a: _nest(*a))


def _nest(levels: int, leaf: bytes) -> bytes:
    for i in range(levels):
        leaf = tlv.encode((0x30, 0x7F21, 0x61)[i % 3], leaf)
    return leaf


TLV_INPUT = st.one_of(_built, _deep(), st.binary(max_size=200))


# --- the TLV targets (6 × N cases) ----------------------------------------------------------------------


@settings(max_examples=N)
@given(buf=TLV_INPUT, data=st.data())
def test_fuzz_parse_one(buf: bytes, data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, len(buf)))
    result, error = measured(lambda: tlv.parse_one(buf, pos), len(buf), K_FLAT)
    if error is None:
        t, end = result
        assert t.raw == buf[pos:end] and t.offset == pos
        assert t.raw.endswith(t.value) and end - pos == t.header_len + len(t.value)


@settings(max_examples=N)
@given(buf=TLV_INPUT)
def test_fuzz_parse_all(buf: bytes) -> None:
    objs, error = measured(lambda: tlv.parse_all(buf), len(buf), K_FLAT)
    if error is None:
        assert b"".join(t.raw for t in objs) == buf
        assert all(tlv.parse_one(t.raw) == (tlv.Tlv(t.tag, t.value, t.raw, 0), len(t.raw)) for t in objs)


@settings(max_examples=N)
@given(buf=TLV_INPUT)
def test_fuzz_parse_all_filler(buf: bytes) -> None:
    objs, error = measured(lambda: tlv.parse_all(buf, stop_on_filler=True), len(buf), K_FLAT)
    if error is None:
        consumed = b"".join(t.raw for t in objs)
        assert buf.startswith(consumed)
        rest = buf[len(consumed) :]
        assert not rest or rest[0] in tlv.FILLER


@settings(max_examples=N)
@given(buf=TLV_INPUT, filler=st.booleans())
def test_fuzz_parse_tree(buf: bytes, filler: bool) -> None:
    tree, error = measured(lambda: tlv.parse_tree(buf, stop_on_filler=filler), len(buf), K_TREE)
    if error is None:

        def depth(nodes: list) -> int:
            return 1 + max((depth(kids) for _, kids in nodes), default=0) if nodes else 0

        assert depth(tree) <= tlv.MAX_DEPTH + 1
        for t, kids in tree:
            assert bool(kids) <= t.constructed  # only constructed objects have children


@settings(max_examples=N)
@given(buf=TLV_INPUT, tag=st.sampled_from([0x30, 0x5F1F, 0x7F21, 0x04, 0x61]), trailing=st.booleans())
def test_fuzz_parse_single(buf: bytes, tag: int, trailing: bool) -> None:
    t, error = measured(lambda: tlv.parse_single(buf, tag, allow_trailing_filler=trailing), len(buf), K_FLAT)
    if error is None:
        assert t.tag == tag and buf.startswith(t.raw)
        rest = buf[len(t.raw) :]
        assert not rest or (trailing and set(rest) <= set(tlv.FILLER))


_SIMPLE_INPUT = st.one_of(
    st.binary(max_size=200),
    st.lists(st.builds(tlv.encode_simple, st.integers(1, 0xFE), st.binary(max_size=300)), max_size=4).map(b"".join),
    _built,
)


@settings(max_examples=N)
@given(buf=_SIMPLE_INPUT)
def test_fuzz_iter_simple(buf: bytes) -> None:
    objs, error = measured(lambda: list(tlv.iter_simple(buf)), len(buf), K_FLAT)
    if error is None:
        consumed = b"".join(t.raw for t in objs)
        assert buf.startswith(consumed)
        rest = buf[len(consumed) :]
        assert not rest or rest[0] in tlv.FILLER


def test_the_bound_catches_amplification() -> None:
    # The measurement itself must be able to fail: 1 MB allocated for a 10-byte input.
    with pytest.raises(AssertionError, match="peak"):
        measured(lambda: bytes(1 << 20), 10, K_FLAT)


def test_other_exceptions_escape_the_check() -> None:
    with pytest.raises(AssertionError, match="IndexError escaped"):
        measured(lambda: b""[1], 0, K_FLAT)


# --- APDU parsing (the emulator parses what a terminal sends) -------------------------------------------


@st.composite
def _apdu_bytes(draw: st.DrawFn) -> bytes:
    header = draw(st.binary(min_size=4, max_size=4))
    kind = draw(st.sampled_from(["random", "short", "extended"]))
    if kind == "random":
        return header + draw(st.binary(max_size=20))
    n = draw(st.integers(0, 300 if kind == "extended" else 255))
    data = draw(st.binary(min_size=n, max_size=n))
    lc = (b"\x00" + n.to_bytes(2, "big") if kind == "extended" else bytes((n,))) if n else b""
    le = draw(st.sampled_from([b"", b"\x00", b"\x01", b"\x00\x00", b"\x01\x00", b"\x00\x00\x00", b"\xff\xff"]))
    raw = header + lc + data + le
    cut = draw(st.integers(0, len(raw)))
    return raw if draw(st.booleans()) else raw[:cut]


@settings(max_examples=N // 2)
@given(raw=_apdu_bytes())
def test_fuzz_command_from_bytes(raw: bytes) -> None:
    c, error = measured(lambda: Command.from_bytes(raw), len(raw), K_APDU)
    if error is None:
        # Parsing is exact: the encoding of what was parsed is the input, byte for byte.
        assert c.to_bytes() == raw
        assert Command.from_bytes(c.to_bytes()) == c


@settings(max_examples=N // 4)
@given(raw=st.binary(max_size=300))
def test_fuzz_response_from_bytes(raw: bytes) -> None:
    r, error = measured(lambda: Response.from_bytes(raw), len(raw), K_APDU)
    if error is None:
        assert r.to_bytes() == raw and 0 <= r.sw <= 0xFFFF
    else:
        assert len(raw) < 2


@settings(max_examples=N // 4)
@given(
    cla=st.integers(0, 255),
    ins=st.integers(0, 255),
    data=st.binary(max_size=300),
    le=st.one_of(st.none(), st.integers(1, 65536)),
    extended=st.booleans(),
)
def test_fuzz_command_encode_parse_round_trip(cla: int, ins: int, data: bytes, le: int | None, extended: bool) -> None:
    c = Command(cla, ins, 0x12, 0x34, data, le, extended)
    assert Command.from_bytes(c.to_bytes()) == c
