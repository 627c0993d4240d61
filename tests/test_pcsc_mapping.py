"""How PC/SC failures become taimen errors, and how a reader is chosen (pure functions of transport.pcsc)."""

from __future__ import annotations

import pytest

from taimen.errors import AnswerTooLong, CardRemovedError, ExtendedLengthUnsupported, OperatorInputError, TransportError
from taimen.transport import pcsc
from taimen.transport.pcsc import choose_reader, map_failure


@pytest.mark.parametrize(
    ("code", "extended", "card", "expected"),
    [
        (pcsc.E_NOT_TRANSACTED, True, "present", ExtendedLengthUnsupported),
        (pcsc.E_COMM_DATA_LOST, True, "present", ExtendedLengthUnsupported),
        (pcsc.E_COMM_ERROR, True, "present", TransportError),
        (pcsc.E_INSUFFICIENT_BUFFER, True, "present", ExtendedLengthUnsupported),
        (pcsc.E_NOT_TRANSACTED, True, "gone", CardRemovedError),
        (pcsc.E_NOT_TRANSACTED, False, "gone", CardRemovedError),
        (pcsc.E_NOT_TRANSACTED, False, "present", TransportError),
        (pcsc.W_REMOVED_CARD, True, "present", CardRemovedError),
        (pcsc.E_NO_SMARTCARD, False, "present", CardRemovedError),
        (pcsc.W_RESET_CARD, False, "present", CardRemovedError),
        (pcsc.E_NO_SERVICE, True, "present", TransportError),
        (pcsc.E_INVALID_HANDLE, False, "present", TransportError),
        (pcsc.E_NOT_TRANSACTED, True, "service", TransportError),
    ],
)
def test_failure_mapping(code: int, extended: bool, card: pcsc.CardState, expected: type[Exception]) -> None:
    err = map_failure(code, extended=extended, card=card)
    assert type(err) is expected
    assert f"0x{code:08X}" in str(err)
    assert err.message_ja


@pytest.mark.parametrize(
    ("code", "answer", "expected"),
    [
        (pcsc.E_INSUFFICIENT_BUFFER, 256, AnswerTooLong),
        (pcsc.E_NOT_TRANSACTED, 256, AnswerTooLong),
        (pcsc.E_COMM_DATA_LOST, 128, AnswerTooLong),
        (pcsc.E_NOT_TRANSACTED, 64, TransportError),  # 64 bytes fit every reader: a real link failure
        (pcsc.E_NOT_TRANSACTED, 0, TransportError),
        (pcsc.E_COMM_ERROR, 256, TransportError),  # pcscd itself was lost
    ],
)
def test_short_command_whose_long_answer_was_lost(code: int, answer: int, expected: type[Exception]) -> None:
    """Item 11: a short APDU expecting more than 64 bytes that the reader lost may fit in smaller pieces."""
    err = map_failure(code, extended=False, card="present", expected_answer=answer)
    assert type(err) is expected


READERS = ["SONY FeliCa RC-S300/P 00 00", "Virtual PCD 00 00", "Virtual PCD 00 01"]


def test_choose_reader_by_unique_part() -> None:
    assert choose_reader(READERS, "rc-s300") == READERS[0]
    assert choose_reader(READERS, "PCD 00 01") == READERS[2]
    assert choose_reader(READERS, "Virtual PCD 00 00") == READERS[1]
    assert choose_reader(["A", "AB"], "A") == "A"  # an exact name wins over a longer match


def test_choose_reader_errors_say_what_to_do() -> None:
    with pytest.raises(TransportError) as none:
        choose_reader([], None)
    assert "接続" in none.value.message_ja
    with pytest.raises(OperatorInputError) as missing:
        choose_reader(READERS, "ACR122")
    assert "Virtual PCD 00 01" in missing.value.message_ja
    with pytest.raises(OperatorInputError) as ambiguous:
        choose_reader(READERS, "virtual")
    assert "複数" in ambiguous.value.message_ja
    with pytest.raises(OperatorInputError):
        choose_reader(READERS, None)


def test_choose_reader_without_name_takes_the_one_with_a_card() -> None:
    assert choose_reader(READERS[:1], None) == READERS[0]
    assert choose_reader(READERS, None, present={READERS[2]}) == READERS[2]
