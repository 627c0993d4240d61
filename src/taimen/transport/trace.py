"""Opt-in APDU trace for support staff, redacting every secret.

What is redacted: the data of any command marked ``secret`` (VERIFY with a PIN or 照合番号) or carrying reference
data (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER, even when a caller forgot the flag), the cryptograms
of MUTUAL AUTHENTICATE (made with a key derived from the residence card number or a passport's MRZ: with the
challenge they would let anyone test guesses of that number offline, then derive the session key), and the data
of every response after a secret was accepted, since that content is what the secret unlocked (names,
photos, addresses). Only lengths and status words remain for those. Nothing else about the card is hidden.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from taimen.core.apdu import Command, Response
from taimen.core.conversation import Transport

REDACTED = "<redacted>"
#: Instructions whose data field is reference data (a PIN, a 照合番号, a new PIN, an unblocking code) or a
#: cryptogram under a key derived from one (MUTUAL AUTHENTICATE, 82).
SECRET_INS = frozenset({0x20, 0x21, 0x24, 0x2C, 0x82})


def is_secret(command: Command) -> bool:
    return command.secret or (command.ins in SECRET_INS and bool(command.data))


@dataclass
class TraceEntry:
    label: str
    command: str
    response: str
    sw: str
    seconds: float


@dataclass
class Trace:
    entries: list[TraceEntry] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"{e.label}\n  > {e.command}\n  < {e.response} {e.sw}  ({e.seconds * 1000:.1f} ms)" for e in self.entries
        ]

    def text(self) -> str:
        return "\n".join(self.lines()) + "\n"


class TracingTransport:
    """Wraps a transport and records a redacted trace of every exchange."""

    def __init__(self, inner: Transport, trace: Trace | None = None) -> None:
        self.inner = inner
        self.trace = trace if trace is not None else Trace()
        self.name = inner.name
        self._unlocked = False

    def transmit(self, command: Command) -> Response:
        start = time.perf_counter()
        response = self.inner.transmit(command)
        elapsed = time.perf_counter() - start
        if is_secret(command):
            header = command.to_bytes()[:4].hex(" ").upper()
            cmd_text = f"{header} Lc={len(command.data)} {REDACTED}"
            if response.sw == 0x9000 and command.data:
                self._unlocked = True
        else:
            cmd_text = command.to_bytes().hex(" ").upper()
        if self._unlocked and response.data:
            resp_text = f"{REDACTED} ({len(response.data)} bytes)"
        else:
            resp_text = response.data.hex(" ").upper()
        self.trace.entries.append(TraceEntry(command.describe(), cmd_text, resp_text, f"{response.sw:04X}", elapsed))
        return response

    def close(self) -> None:
        self.inner.close()
