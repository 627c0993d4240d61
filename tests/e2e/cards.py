"""Test cards for the PC/SC end-to-end tests, built with the emulator API."""

from __future__ import annotations

from taimen.emulator.card import DedicatedFile, ElementaryFile, KeyRef, VirtualCard

AID = bytes.fromhex("D392F000260100000001")
PIN = b"1234"
BIG_FID = 0x0005
SMALL_FID = 0x0006
PIN_FID = 0x0011
PIN_TRIES = 3


def tlv_file(size: int, seed: int = 0) -> bytes:
    """One BER object (tag 5F50) of ``size`` bytes in total, with recognisable content."""
    body_len = size - 5
    body = bytes((seed + i * 7) & 0xFF for i in range(body_len))
    return b"\x5f\x50\x82" + body_len.to_bytes(2, "big") + body


def build_card(*, big: int = 3000, extended_length: bool = True) -> VirtualCard:
    """An MF and one application with a PIN-protected 3000-byte file and a free short file."""
    mf = DedicatedFile("MF")
    app = DedicatedFile("test AP", aid=AID)
    app.add_key(KeyRef(PIN_FID, PIN, tries_left=PIN_TRIES, max_tries=PIN_TRIES, sfi=0x11, name="PIN"))
    app.add_file(ElementaryFile(BIG_FID, tlv_file(big), sfi=5, read=((f"{PIN_FID:04X}",),), name="big"))
    app.add_file(ElementaryFile(SMALL_FID, b"\x01\x02\x03\x04", sfi=6, name="small"))
    return VirtualCard(mf, [app], atr=bytes.fromhex("3B8880010000000000718100000000"), extended_length=extended_length)
