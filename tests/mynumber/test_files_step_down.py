"""Issue 13 item 11: a reader that cannot carry 256-byte answers: short reads step down (128, 64)."""

from __future__ import annotations

import pytest

from taimen.core.apdu import Command
from taimen.core.conversation import Conversation, drive
from taimen.core.files import ReadSession, select_and_read
from taimen.emulator.card import ElementaryFile
from taimen.errors import AnswerTooLong, TransportError
from taimen.mynumber.document import DOCUMENT
from taimen.samples import mynumber_cards as mc
from taimen.transport.inprocess import InProcessTransport
from test_files import AID, BIG, make_card


def _read(max_answer: int, session: ReadSession) -> tuple[bytes, list[int]]:
    card = make_card([ElementaryFile(0x0001, BIG)])
    transport = InProcessTransport(card, reader_extended=False, max_answer=max_answer)

    def conv() -> Conversation[bytes]:
        yield Command(0x00, 0xA4, 0x04, 0x0C, AID)
        return (yield from select_and_read(session, 0x0001, max_size=8192))

    data = drive(conv(), transport)
    assert card.log is not None
    return data, [Command.from_bytes(raw).le or 0 for raw, _ in card.log if raw[1] == 0xB0]


@pytest.mark.parametrize(("max_answer", "step"), [(200, 128), (128, 128), (100, 64), (64, 64)])
def test_short_reads_step_down_until_the_reader_carries_them(max_answer: int, step: int) -> None:
    session = ReadSession()
    data, les = _read(max_answer, session)
    assert data == BIG
    assert session.short_le == step
    assert max(les[-3:]) <= step  # after stepping down, every read fits the reader


def test_a_reader_that_cannot_carry_even_64_bytes_fails_with_a_clear_error() -> None:
    with pytest.raises(TransportError) as err:
        _read(40, ReadSession())
    assert isinstance(err.value, AnswerTooLong)


def test_whole_mynumber_read_through_a_128_byte_reader(store: object) -> None:
    sample = mc.genuine("yamada")
    card = mc.build_card(sample.chip)
    t = InProcessTransport(card, reader_extended=False, max_answer=128)
    result = DOCUMENT.read(t, sample.printed.unlock(), store=store)  # type: ignore[arg-type]
    assert result.name and result.photo is not None  # every file read in 128-byte pieces
    checks = {c.name: c for c in result.checks}
    # The 256-byte challenge signature cannot pass such a reader: presence is not tested, and the result says why.
    assert checks["kenmen_ap.presence"].status == "not_verifiable"
    assert "256" in checks["kenmen_ap.presence"].detail_en
    assert all(c.status != "failed" for c in result.checks)
    assert result.verdict is not None and result.verdict.status == "attention"


@pytest.mark.parametrize("max_answer", [128, 64])
def test_whole_licence_read_through_a_small_answer_reader(max_answer: int) -> None:
    from license_helpers import card_for
    from taimen.license.document import DOCUMENT as LICENSE

    card = card_for("yamada")
    t = InProcessTransport(card, reader_extended=False, max_answer=max_answer)
    result = LICENSE.read(t, {"pin1": "1234", "pin2": "5678"})
    assert result.name == "山田　花子" and result.photo is not None
    assert result.fields["files_not_read"] == {}
