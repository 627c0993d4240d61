"""Reading the emulator's exchange log: which AP was selected, which EFs, which VERIFYs."""

from __future__ import annotations

from taimen.core.apdu import Command
from taimen.mynumber.aids import JPKI_AP, KENMEN_AP, TEXT_AP

APS = {TEXT_AP: "text", KENMEN_AP: "kenmen", JPKI_AP: "jpki"}


def walk_log(log: list[tuple[bytes, bytes]]) -> list[tuple[str, Command, int]]:
    """(current AP, command, status word) for every exchange, tracking SELECT by AID."""
    current = "mf"
    out = []
    for raw, answer in log:
        cmd = Command.from_bytes(raw)
        sw = int.from_bytes(answer[-2:], "big")
        if cmd.ins == 0xA4 and cmd.p1 == 0x04 and sw == 0x9000:
            current = APS.get(cmd.data, cmd.data.hex())
        out.append((current, cmd, sw))
    return out


def selected_efs(log: list[tuple[bytes, bytes]]) -> set[tuple[str, int]]:
    return {(ap, int.from_bytes(c.data, "big")) for ap, c, _ in walk_log(log) if c.ins == 0xA4 and c.p1 in (0x00, 0x02)}


def verifies(log: list[tuple[bytes, bytes]]) -> list[tuple[str, int, bool, int]]:
    """Every VERIFY as (AP, key FID selected before it, carried data?, status word)."""
    out = []
    key = -1
    for ap, c, sw in walk_log(log):
        if c.ins == 0xA4 and c.p1 == 0x02:
            key = int.from_bytes(c.data, "big")
        if c.ins == 0x20:
            out.append((ap, key, bool(c.data), sw))
    return out
