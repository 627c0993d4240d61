"""A card read is a *conversation*: a generator that yields command APDUs and is sent the responses.

The conversation never touches a reader (sans-I/O, in the spirit of h11): ``drive`` runs it over any
``Transport``; tests can also feed responses by hand. Sub-steps compose with ``yield from``.
Transport failures the conversation can handle (``ExtendedLengthUnsupported``, ``AnswerTooLong``) are thrown
into it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from taimen.core.apdu import Command, Response
from taimen.errors import AnswerTooLong, ExtendedLengthUnsupported, StatusError

T = TypeVar("T")
Conversation = Generator[Command, Response, T]


class Transport(Protocol):
    """Anything that carries one command APDU to a card and brings back its response."""

    name: str

    def transmit(self, command: Command) -> Response: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Progress:
    """Emitted by ``drive`` after every exchange, for progress bars and SSE."""

    step: str
    exchanges: int


def drive(
    conversation: Conversation[T],
    transport: Transport,
    on_progress: Callable[[Progress], None] | None = None,
) -> T:
    """Run a conversation to completion over ``transport`` and return its result."""
    count = 0
    try:
        command = next(conversation)
        while True:
            try:
                response = transport.transmit(command)
            except (ExtendedLengthUnsupported, AnswerTooLong) as exc:
                command = conversation.throw(exc)
                continue
            count += 1
            if on_progress is not None:
                on_progress(Progress(command.describe(), count))
            command = conversation.send(response)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    finally:
        conversation.close()


def expect_ok(response: Response, context: str) -> Response:
    if response.sw != 0x9000:
        raise StatusError(response.sw, context)
    return response


def transmit_ok(command: Command) -> Conversation[Response]:
    """Send one command and require 9000."""
    response = yield command
    return expect_ok(response, command.describe())
