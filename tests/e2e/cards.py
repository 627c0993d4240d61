"""Test cards for the PC/SC end-to-end tests, built with the emulator API."""

from __future__ import annotations

from collections.abc import Callable

from taimen.core.apdu import Command, Response
from taimen.emulator.card import DedicatedFile, ElementaryFile, KeyRef, VirtualCard

AID = bytes.fromhex("D392F000260100000001")
ATR_T1 = bytes.fromhex("3B8880010000000000718100000000")
#: TS and T0 only: no interface bytes, so the card offers T=0 alone.
ATR_T0_ONLY = bytes.fromhex("3B00")
PIN = b"1234"
BIG_FID = 0x0005
SMALL_FID = 0x0006
PIN_FID = 0x0011
PIN_SFI = 0x11
PIN_TRIES = 3
BLOB = bytes(range(256)) * 2 + b"tail"  # served by the chained and wrong-Le behaviours


def tlv_file(size: int, seed: int = 0) -> bytes:
    """One BER object (tag 5F50) of ``size`` bytes in total, with recognisable content."""
    body_len = size - 5
    body = bytes((seed + i * 7) & 0xFF for i in range(body_len))
    return b"\x5f\x50\x82" + body_len.to_bytes(2, "big") + body


class ChainedResponse:
    """80 CA: answers ``BLOB`` T=0 style, 200 bytes at a time with 61xx, the rest via GET RESPONSE (00 C0)."""

    def __init__(self) -> None:
        self.pending = b""

    def handle(self, card: VirtualCard, df: DedicatedFile, command: Command) -> Response | None:
        if (command.cla, command.ins) == (0x80, 0xCA):
            self.pending = BLOB
        elif (command.cla, command.ins) != (0x00, 0xC0) or not self.pending:
            return None
        piece, self.pending = self.pending[:200], self.pending[200:]
        if self.pending:
            return Response(piece, 0x6100 | min(len(self.pending), 200))
        return Response(piece, 0x9000)


class ExactLe:
    """80 CB: wants Le to equal its 16-byte answer exactly, else 6C10 (ISO 7816-3 "wrong Le")."""

    def handle(self, card: VirtualCard, df: DedicatedFile, command: Command) -> Response | None:
        if (command.cla, command.ins) != (0x80, 0xCB):
            return None
        if command.le != 16:
            return Response(b"", 0x6C10)
        return Response(BLOB[:16], 0x9000)


class AfterReads:
    """Calls ``action`` when the card receives its ``n``-th READ BINARY (e.g. the card leaves the field)."""

    def __init__(self, n: int, action: Callable[[], None]) -> None:
        self.n = n
        self.action = action
        self.seen = 0

    def handle(self, card: VirtualCard, df: DedicatedFile, command: Command) -> Response | None:
        if command.ins == 0xB0:
            self.seen += 1
            if self.seen == self.n:
                self.action()
        return None


def build_card(
    *, big: int = 3000, atr: bytes = ATR_T1, extended_length: bool = True, test_behaviours: bool = True
) -> VirtualCard:
    """An MF and one application with a PIN-protected ``big``-byte file and a free short file.

    ``test_behaviours`` adds the 80 CA / 80 CB commands above (they cannot be saved to a card image).
    """
    mf = DedicatedFile("MF")
    app = DedicatedFile("test AP", aid=AID)
    app.add_key(KeyRef(PIN_FID, PIN, tries_left=PIN_TRIES, max_tries=PIN_TRIES, sfi=PIN_SFI, name="PIN"))
    app.add_file(ElementaryFile(BIG_FID, tlv_file(big), sfi=5, read=((f"{PIN_FID:04X}",),), name="big"))
    app.add_file(ElementaryFile(SMALL_FID, b"\x01\x02\x03\x04", sfi=6, name="small"))
    behaviours = [ChainedResponse(), ExactLe()] if test_behaviours else []
    return VirtualCard(mf, [app], atr=atr, extended_length=extended_length, behaviours=behaviours)
