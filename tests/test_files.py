"""Reading transparent EFs: extended in one APDU, short chunks, fallbacks, caps and hostile cards.

Two kinds of peer: the emulator behind the in-process transport (with and without extended-length support in
the "reader" and the card), and hand-scripted responses fed straight into the sans-I/O conversation for what
no honest card would send.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taimen.core import tlv
from taimen.core.apdu import Command, Response
from taimen.core.conversation import Conversation, drive
from taimen.core.files import ReadSession, read_file, select_and_read
from taimen.emulator.card import DedicatedFile, ElementaryFile, VirtualCard
from taimen.errors import ExtendedLengthUnsupported, ParseError, StatusError
from taimen.transport.inprocess import InProcessTransport

AID = bytes.fromhex("D3921000310001010408")
BIG = tlv.encode(0x5F1F, bytes(range(256)) * 12)  # a 3 077-byte object
assert len(BIG) == 3077


def make_card(files: Sequence[ElementaryFile], **kw: object) -> VirtualCard:
    app = DedicatedFile("app", AID)
    for f in files:
        app.add_file(f)
    card = VirtualCard(DedicatedFile("MF"), [app], **kw)  # type: ignore[arg-type]
    card.log = []
    return card


def read(
    card: VirtualCard,
    fid: int = 0x0001,
    *,
    reader_extended: bool = True,
    session: ReadSession | None = None,
    **kw: object,
) -> bytes:
    transport = InProcessTransport(card, reader_extended=reader_extended)
    session = session if session is not None else ReadSession()

    def conv() -> Conversation[bytes]:
        yield Command(0x00, 0xA4, 0x04, 0x0C, AID)
        return (yield from select_and_read(session, fid, **kw))  # type: ignore[arg-type]

    return drive(conv(), transport)


def reads(card: VirtualCard) -> list[Command]:
    assert card.log is not None
    return [c for c in (Command.from_bytes(raw) for raw, _ in card.log) if c.ins == 0xB0]


def sws(card: VirtualCard) -> list[int]:
    assert card.log is not None
    return [int.from_bytes(answer[-2:], "big") for raw, answer in card.log if raw[1] == 0xB0]


# --- extended and short paths ---------------------------------------------------------------------------


def test_extended_reads_a_3kb_file_in_one_apdu() -> None:
    card = make_card([ElementaryFile(0x0001, BIG + b"\xff" * 100)])
    assert read(card, max_size=8192) == BIG
    rb = reads(card)
    assert len(rb) == 1
    assert rb[0].extended and rb[0].le == 65536
    assert rb[0].to_bytes().hex().upper() == "00B00000000000"


def test_short_path_chunks_of_256_exactly_as_far_as_the_header_says() -> None:
    card = make_card([ElementaryFile(0x0001, BIG + b"\xff" * 300)])
    session = ReadSession(extended=False)
    assert read(card, max_size=8192, session=session) == BIG
    rb = reads(card)
    assert [c.le for c in rb] == [256] * 12 + [5]  # 3 077 = 12 × 256 + 5: no read past the object
    assert [(c.p1 << 8) | c.p2 for c in rb] == [i * 256 for i in range(13)]
    assert not any(c.extended for c in rb)


def test_fallback_when_the_reader_cannot_carry_extended_apdus() -> None:
    card = make_card([ElementaryFile(0x0001, BIG), ElementaryFile(0x0002, tlv.encode(0x04, b"x" * 600))])
    session = ReadSession()
    assert read(card, 0x0001, reader_extended=False, session=session, max_size=8192) == BIG
    assert not session.extended and session.extended_fallbacks == 1
    # The card never saw an extended APDU (the "reader" refused it), and the fallback is permanent:
    assert read(card, 0x0002, reader_extended=False, session=session, max_size=8192) == tlv.encode(0x04, b"x" * 600)
    assert session.extended_fallbacks == 1
    assert not any(c.extended for c in reads(card))
    assert len(reads(card)) == 13 + 3


def test_fallback_when_the_card_refuses_extended_length() -> None:
    card = make_card([ElementaryFile(0x0001, BIG)], extended_length=False)
    session = ReadSession()
    assert read(card, session=session, max_size=8192) == BIG
    rb = reads(card)
    assert rb[0].extended and sws(card)[0] == 0x6700
    assert not any(c.extended for c in rb[1:]) and len(rb) == 1 + 13
    assert session.extended_fallbacks == 1 and not session.extended


@pytest.mark.parametrize("cap", [100, 255, 256, 1000, 3076])
def test_card_capping_responses_still_yields_the_whole_object(cap: int) -> None:
    card = make_card([ElementaryFile(0x0001, BIG + b"\x00" * 50)], max_response=cap)
    assert read(card, max_size=8192) == BIG
    got = sum(len(answer) - 2 for raw, answer in card.log or [] if raw[1] == 0xB0)
    assert got == len(BIG)  # nothing read twice, nothing past the object


def test_non_tlv_file_on_a_capping_card_is_whole_through_short_reads() -> None:
    content = bytes(range(256)) * 10
    card = make_card([ElementaryFile(0x0001, content)], max_response=1000)
    assert read(card, max_size=8192, tlv=False, session=ReadSession(extended=False)) == content


def test_non_tlv_extended_read_is_one_apdu() -> None:
    # 9000 to a wildcard Le means everything up to the end of the file (ISO 7816-4): no confirming read.
    content = b"\x12" * 3000
    card = make_card([ElementaryFile(0x0001, content)])
    assert read(card, max_size=8192, tlv=False) == content
    assert sws(card) == [0x9000]


def test_non_tlv_short_path_stops_at_eof() -> None:
    card = make_card([ElementaryFile(0x0001, b"\x34" * 600), ElementaryFile(0x0002, b"\x56" * 512)])
    session = ReadSession(extended=False)
    assert read(card, 0x0001, session=session, max_size=8192, tlv=False) == b"\x34" * 600
    assert [c.le for c in reads(card)] == [256, 256, 256]
    assert sws(card) == [0x9000] * 3  # 88 bytes answered to a wildcard Le: the end
    card.log = []
    assert read(card, 0x0002, session=session, max_size=8192, tlv=False) == b"\x56" * 512
    assert sws(card) == [0x9000, 0x9000, 0x6B00]  # exactly two chunks, then past the end


def test_non_tlv_file_larger_than_max_size_is_refused() -> None:
    card = make_card([ElementaryFile(0x0001, b"\x00" * 300)])
    with pytest.raises(ParseError, match="larger than 100"):
        read(card, max_size=100, tlv=False)
    card = make_card([ElementaryFile(0x0001, b"\x00" * 200)])
    with pytest.raises(ParseError, match="larger than 100"):
        read(card, max_size=100, tlv=False, session=ReadSession(extended=False))
    assert [c.le for c in reads(card)] == [101]  # never asks for more than one byte past the limit


def test_sfi_read_extended_then_short() -> None:
    card = make_card([ElementaryFile(0x0005, BIG, sfi=5)])
    transport = InProcessTransport(card)

    def conv(session: ReadSession) -> Conversation[bytes]:
        yield Command(0x00, 0xA4, 0x04, 0x0C, AID)
        return (yield from read_file(session, sfi=5, max_size=8192))

    assert drive(conv(ReadSession()), transport) == BIG
    assert reads(card)[0].to_bytes().hex().upper() == "00B08500000000"
    card.log = []
    assert drive(conv(ReadSession(extended=False)), transport) == BIG
    rb = reads(card)
    assert rb[0].p1 == 0x85 and rb[0].p2 == 0  # first chunk by SFI …
    assert all(c.p1 & 0x80 == 0 for c in rb[1:])  # … then by offset in the EF the SFI read made current


def test_hostile_header_claiming_more_than_max_size_stops_at_once() -> None:
    lying = bytes.fromhex("5F1F" + "83010000") + b"\x00" * 500  # claims 65 536 bytes
    for session in (ReadSession(), ReadSession(extended=False)):
        card = make_card([ElementaryFile(0x0001, lying)])
        with pytest.raises(ParseError, match="limit is 4096"):
            read(card, max_size=4096, session=session)
        assert len(reads(card)) == 1  # refused after the first response, before asking for more


def test_header_claiming_more_than_the_file_holds() -> None:
    short_file = bytes.fromhex("5F1F" + "8201F4") + b"\x00" * 300  # claims 500, holds 300
    for session in (ReadSession(), ReadSession(extended=False)):
        card = make_card([ElementaryFile(0x0001, short_file)])
        with pytest.raises(ParseError, match="ends inside"):
            read(card, max_size=4096, session=session)


def test_access_denied_is_a_status_error() -> None:
    card = make_card([ElementaryFile(0x0001, BIG, read=(("0010",),))])
    with pytest.raises(StatusError) as info:
        read(card, max_size=8192)
    assert info.value.sw == 0x6982


def test_select_failure_is_a_status_error() -> None:
    card = make_card([ElementaryFile(0x0001, BIG)])
    with pytest.raises(StatusError) as info:
        read(card, 0x0009, max_size=8192)
    assert info.value.sw == 0x6A82 and "SELECT" in str(info.value)


def test_empty_tlv_file_is_a_parse_error() -> None:
    card = make_card([ElementaryFile(0x0001, b"")])
    with pytest.raises(ParseError):
        read(card, max_size=100)


# --- hand-scripted peers --------------------------------------------------------------------------------


def script(conv: Conversation[bytes], answers: Sequence[Response | type[Exception]]) -> tuple[bytes, list[Command]]:
    """Feed ``answers`` to the conversation in order; return its result and the commands it sent."""
    sent = [next(conv)]
    try:
        for a in answers:
            if isinstance(a, type):
                sent.append(conv.throw(a("scripted")))
            else:
                sent.append(conv.send(a))
    except StopIteration as done:
        return done.value, sent
    raise AssertionError(f"conversation wants more after {len(sent)} commands: {sent[-1]}")


def test_script_6282_ends_a_non_tlv_read() -> None:
    data, sent = script(
        read_file(ReadSession(), max_size=1000, tlv=False),
        [Response(b"", 0x6700), Response(b"a" * 256, 0x9000), Response(b"b" * 10, 0x6282)],
    )
    assert data == b"a" * 256 + b"b" * 10
    assert [c.extended for c in sent] == [True, False, False]


def test_script_6282_on_the_extended_read_is_accepted() -> None:
    obj = tlv.encode(0x04, b"z" * 40)
    data, sent = script(read_file(ReadSession(), max_size=1000), [Response(obj + b"\xff", 0x6282)])
    assert data == obj and len(sent) == 1


def test_script_6282_before_the_object_is_complete() -> None:
    with pytest.raises(ParseError, match="ends inside"):
        script(
            read_file(ReadSession(extended=False), max_size=1000),
            [Response(tlv.encode(0x04, b"z" * 300)[:200], 0x6282)],
        )


def test_script_card_returning_more_than_le_is_refused() -> None:
    with pytest.raises(ParseError, match="for Le 256"):
        script(read_file(ReadSession(extended=False), max_size=10_000, tlv=False), [Response(b"x" * 300, 0x9000)])
    obj = tlv.encode(0x04, b"z" * 300)
    with pytest.raises(ParseError, match="for Le 48"):
        script(
            read_file(ReadSession(extended=False), max_size=10_000),
            [Response(obj[:256], 0x9000), Response(obj[256:] + b"extra", 0x9000)],
        )


def test_script_reader_exception_is_thrown_into_the_conversation() -> None:
    obj = tlv.encode(0x04, b"q" * 10)
    session = ReadSession()
    data, sent = script(read_file(session, max_size=100), [ExtendedLengthUnsupported, Response(obj, 0x9000)])
    assert data == obj and [c.extended for c in sent] == [True, False]
    assert not session.extended


def test_script_6cxx_asks_again_with_the_exact_length() -> None:
    data, sent = script(
        read_file(ReadSession(extended=False), max_size=1000, tlv=False),
        [Response(b"", 0x6C20), Response(b"k" * 32, 0x9000)],
    )
    assert data == b"k" * 32 and [c.le for c in sent] == [256, 32]  # 6C20: 32 bytes left, so no more reads


@pytest.mark.parametrize("sw", [0x6700, 0x6D00, 0x6A86, 0x6F00, 0x6C10])
def test_script_extended_refusals_fall_back(sw: int) -> None:
    obj = tlv.encode(0x04, b"r")
    session = ReadSession()
    data, _ = script(read_file(session, max_size=100), [Response(b"", sw), Response(obj, 0x9000)])
    assert data == obj and not session.extended


@pytest.mark.parametrize("sw", [0x6982, 0x6A82, 0x6281])
def test_script_other_status_words_are_errors(sw: int) -> None:
    with pytest.raises(StatusError):
        script(read_file(ReadSession(), max_size=100), [Response(b"", sw)])


def test_script_card_answering_nothing_forever_cannot_loop() -> None:
    # Empty 9000 answers: the read ends (no progress means the end), it never spins.
    with pytest.raises(ParseError):
        script(read_file(ReadSession(extended=False), max_size=100), [Response(b"", 0x9000)])


def test_script_capped_chunks_make_progress_until_the_object_is_complete() -> None:
    obj = tlv.encode(0x04, bytes(range(250)))
    answers = [Response(obj[i : i + 60], 0x9000) for i in range(0, len(obj), 60)]
    data, sent = script(read_file(ReadSession(extended=False), max_size=1000), answers)
    assert data == obj and len(sent) == len(answers)


# --- fuzz: any sequence of answers ends the read with bytes, ParseError or StatusError --------------------

_ANSWER = st.builds(
    Response,
    st.one_of(st.binary(max_size=300), st.builds(lambda n: tlv.encode(0x04, bytes(n)), st.integers(0, 600))),
    st.sampled_from([0x9000, 0x9000, 0x9000, 0x6282, 0x6B00, 0x6700, 0x6C10, 0x6C00, 0x6982, 0x6D00]),
)


@settings(max_examples=5 * settings().max_examples)
@given(
    answers=st.lists(_ANSWER, min_size=1, max_size=12),
    extended=st.booleans(),
    as_tlv=st.booleans(),
    max_size=st.integers(1, 2000),
    sfi=st.one_of(st.none(), st.integers(1, 30)),
)
def test_fuzz_read_file_against_arbitrary_answers(
    answers: list[Response], extended: bool, as_tlv: bool, max_size: int, sfi: int | None
) -> None:
    # The answers repeat for ever: the read must still end, after at most ~2 commands per allowed byte
    # (each answer adds a byte or ends the read; a 6Cxx costs one repeat).
    limit = 2 * (max_size + 10)
    conv = read_file(ReadSession(extended=extended), sfi=sfi, max_size=max_size, tlv=as_tlv)
    try:
        cmd = next(conv)
        for n, answer in enumerate(itertools.cycle(answers)):
            assert n < limit, "the read does not end"
            assert cmd.ins == 0xB0 and cmd.le is not None
            assert cmd.extended or cmd.le <= 256
            cmd = conv.send(answer)
    except StopIteration as done:
        result = done.value
        assert isinstance(result, bytes) and len(result) <= max_size
        if as_tlv:
            _, end = tlv.parse_one(result)
            assert end == len(result)
    except (ParseError, StatusError):
        pass
