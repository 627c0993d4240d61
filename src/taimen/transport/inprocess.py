"""In-process transport: direct calls into an emulated card, with the same code path after it as PC/SC."""

from __future__ import annotations

from taimen.core.apdu import Command, Response
from taimen.emulator.card import VirtualCard
from taimen.errors import AnswerTooLong, CardRemovedError, ExtendedLengthUnsupported


class InProcessTransport:
    """Carries APDUs to a ``VirtualCard``.

    ``reader_extended=False`` models a short-APDU-only reader such as the ACR122U: an extended command
    fails in the "reader" before the card sees it, as SCARD_E_NOT_TRANSACTED does with pcscd.
    ``max_answer`` models a reader that cannot carry long answers (``AnswerTooLong``).
    """

    def __init__(
        self,
        card: VirtualCard,
        *,
        reader_extended: bool = True,
        max_answer: int = 65536,
        name: str = "in-process",
    ) -> None:
        self.card = card
        self.reader_extended = reader_extended
        #: Most data bytes the "reader" carries in one answer (some cannot take 256): longer ones are lost.
        self.max_answer = max_answer
        self.name = name
        self.exchanges = 0
        self.bytes_sent = 0
        self.bytes_received = 0
        card.power_on()

    def transmit(self, command: Command) -> Response:
        if not self.card.present:
            raise CardRemovedError("the card was removed")
        if command.extended and not self.reader_extended:
            raise ExtendedLengthUnsupported("reader cannot carry extended-length APDUs")
        raw = command.to_bytes()
        answer = self.card.execute(raw)
        if len(answer) - 2 > self.max_answer:
            raise AnswerTooLong(f"the reader cannot carry a {len(answer) - 2}-byte answer (at most {self.max_answer})")
        self.exchanges += 1
        self.bytes_sent += len(raw)
        self.bytes_received += len(answer)
        return Response.from_bytes(answer)

    def close(self) -> None:
        self.card.power_off()
