"""ISO 7816-4 command and response APDUs (cases 1-4, short and extended)."""

from __future__ import annotations

from dataclasses import dataclass, field

from taimen.errors import ParseError

SHORT_MAX_DATA = 255
SHORT_MAX_LE = 256
EXTENDED_MAX_DATA = 65535
EXTENDED_MAX_LE = 65536


@dataclass(frozen=True, slots=True)
class Command:
    """A command APDU. ``le`` is the maximum expected response length (None: no data expected).

    ``secret`` marks data that must never be traced or logged (PINs, 照合番号). ``label`` is a short
    human description used in traces and progress ("SELECT 券面AP").
    """

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    extended: bool = False
    secret: bool = field(default=False, compare=False)
    label: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        for name in ("cla", "ins", "p1", "p2"):
            v = getattr(self, name)
            if not 0 <= v <= 0xFF:
                raise ValueError(f"{name} out of range: {v}")
        if len(self.data) > EXTENDED_MAX_DATA:
            raise ValueError("command data longer than 65535 bytes")
        if self.le is not None and not 1 <= self.le <= EXTENDED_MAX_LE:
            raise ValueError(f"Le out of range: {self.le}")
        if not self.extended and (len(self.data) > SHORT_MAX_DATA or (self.le is not None and self.le > SHORT_MAX_LE)):
            object.__setattr__(self, "extended", True)
        elif self.extended and not self.data and self.le is None:
            object.__setattr__(self, "extended", False)  # case 1 has no length fields to extend

    @property
    def case(self) -> int:
        if not self.data:
            return 1 if self.le is None else 2
        return 3 if self.le is None else 4

    def to_bytes(self) -> bytes:
        header = bytes((self.cla, self.ins, self.p1, self.p2))
        n, le = len(self.data), self.le
        if not self.extended:
            body = b""
            if n:
                body += bytes((n,)) + self.data
            if le is not None:
                body += bytes((le & 0xFF,))  # 256 encodes as 00
            return header + body
        body = b""
        if n:
            body += b"\x00" + n.to_bytes(2, "big") + self.data
        if le is not None:
            le_bytes = (le & 0xFFFF).to_bytes(2, "big")  # 65536 encodes as 0000
            body += le_bytes if n else b"\x00" + le_bytes
        return header + body

    @classmethod
    def from_bytes(cls, raw: bytes) -> Command:
        """Parse a command APDU strictly (used by the emulator: the terminal side is also input)."""
        if len(raw) < 4:
            raise ParseError(f"command APDU shorter than 4 bytes ({len(raw)})")
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, le=body[0] or 256)
        if body[0] != 0:  # short case 3 or 4
            n = body[0]
            if len(body) == 1 + n:
                return cls(cla, ins, p1, p2, data=bytes(body[1:]))
            if len(body) == 2 + n:
                return cls(cla, ins, p1, p2, data=bytes(body[1 : 1 + n]), le=body[-1] or 256)
            raise ParseError("short APDU length byte disagrees with the body")
        # body[0] == 0 and len >= 2: extended
        if len(body) == 3:
            le = int.from_bytes(body[1:3], "big") or 65536
            return cls(cla, ins, p1, p2, le=le, extended=True)
        if len(body) < 3:
            raise ParseError("truncated extended APDU")
        n = int.from_bytes(body[1:3], "big")
        if n == 0:
            raise ParseError("extended Lc of zero")
        rest = body[3:]
        if len(rest) == n:
            return cls(cla, ins, p1, p2, data=bytes(rest), extended=True)
        if len(rest) == n + 2:
            le = int.from_bytes(rest[n:], "big") or 65536
            return cls(cla, ins, p1, p2, data=bytes(rest[:n]), le=le, extended=True)
        raise ParseError("extended APDU length disagrees with the body")

    def describe(self) -> str:
        return self.label or f"{self.cla:02X} {self.ins:02X} {self.p1:02X} {self.p2:02X}"


@dataclass(frozen=True, slots=True)
class Response:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == 0x9000

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF

    def to_bytes(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")

    @classmethod
    def from_bytes(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise ParseError(f"response APDU shorter than 2 bytes ({len(raw)})")
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))


# --- Builders for the commands taimen uses (ISO 7816-4 / JICSAP) -----------------------------------


def select_aid(aid: bytes, label: str = "") -> Command:
    """SELECT by DF name, no response data (P2=0C), as every Japanese card here expects."""
    return Command(0x00, 0xA4, 0x04, 0x0C, aid, label=label or f"SELECT AID {aid.hex().upper()}")


def select_ef(fid: int, label: str = "") -> Command:
    return Command(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big"), label=label or f"SELECT EF {fid:04X}")


def select_mf() -> Command:
    return Command(0x00, 0xA4, 0x00, 0x00, label="SELECT MF")


def read_binary(offset: int, le: int, *, sfi: int | None = None, label: str = "") -> Command:
    """READ BINARY at a 15-bit offset of the current EF, or at an 8-bit offset of a short EF."""
    if sfi is not None:
        if not 1 <= sfi <= 30 or not 0 <= offset <= 0xFF:
            raise ValueError("SFI read needs 1<=sfi<=30 and offset<=255")
        return Command(0x00, 0xB0, 0x80 | sfi, offset, le=le, label=label or f"READ BINARY SFI {sfi}")
    if not 0 <= offset <= 0x7FFF:
        raise ValueError("offset out of the 15-bit range")
    return Command(0x00, 0xB0, offset >> 8, offset & 0xFF, le=le, label=label or "READ BINARY")


def verify(data: bytes, p2: int = 0x80, label: str = "VERIFY") -> Command:
    return Command(0x00, 0x20, 0x00, p2, data, secret=True, label=label)


def verify_query(p2: int = 0x80, label: str = "VERIFY (tries left)") -> Command:
    """VERIFY with no data: asks the remaining tries without spending one (answers 63Cx)."""
    return Command(0x00, 0x20, 0x00, p2, label=label)
