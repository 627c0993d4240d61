"""A transport wrapper that counts the APDUs and bytes of one read, for the result's statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from taimen.core.apdu import Command, Response
    from taimen.core.conversation import Transport


class CountingTransport:
    """Counts APDUs and bytes of one read for the result's statistics."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.name = inner.name
        self.apdus = 0
        self.bytes_sent = 0
        self.bytes_received = 0

    def transmit(self, command: Command) -> Response:
        response = self.inner.transmit(command)
        self.apdus += 1
        self.bytes_sent += len(command.to_bytes())
        self.bytes_received += len(response.data) + 2
        return response

    def close(self) -> None:
        self.inner.close()
