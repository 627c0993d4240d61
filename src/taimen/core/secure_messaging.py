"""ISO/IEC 7816-4 secure messaging, both sides, as a pure state machine over APDUs (no I/O).

One code path serves every document that wraps its APDUs:

- ``ICAO_9303``: eMRTD BAC/PACE SM — CLA ``0C``, cryptogram in DO87 (01 ‖ enc), Le in DO97, the status in
  DO99, an 8-byte checksum in DO8E over SSC ‖ padded header ‖ DOs; the send sequence counter SSC is
  incremented before every command and every response; AES uses IV = E(KSenc, SSC), 3DES a zero IV.
- ``ENCRYPTION_ONLY``: the residence card (在留カード / 特別永住者証明書, both generations) — CLA ``08``,
  cryptogram in DO86 (01 ‖ enc), Le in DO96, zero IV, **no** checksum, counter or DO99: confidentiality only
  (residence-card.md §2), so integrity has to come from the card's signature.

``SecureChannel.protect``/``unprotect`` are the terminal's side; ``card_unprotect``/``card_protect`` the
chip's (taimen's emulator). ``secured`` wraps a plain conversation so that file reading, with its extended →
short fallback, runs unchanged inside SM.

A chip chooses every byte it sends: response DOs are parsed strictly (known tags only, no duplicates, lengths
checked), the checksum is verified before anything is decrypted, and padding must be exact. After a failure
the channel is closed: a real chip drops its session keys too, and going on could only mislead.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TypeVar

from taimen.core import tlv
from taimen.core.apdu import Command, Response
from taimen.core.conversation import Conversation
from taimen.core.symmetric import SessionKeys, pad, unpad
from taimen.errors import AnswerTooLong, CardError, ExtendedLengthUnsupported, ParseError

T_CRYPTOGRAM_ODD = 0x87
T_CRYPTOGRAM_EVEN = 0x86
T_LE_ODD = 0x97
T_LE_EVEN = 0x96
T_STATUS = 0x99
T_CHECKSUM = 0x8E

#: Status words a chip answers in plain when it cannot process an SM command (ISO 7816-4 §10.2).
SW_SM_MISSING = 0x6987
SW_SM_INCORRECT = 0x6988

#: Largest plain answer a short READ BINARY may ask for inside SM: the wrapped answer (cryptogram padded to a
#: whole block, DO87/DO99/DO8E headers) must still fit the 256 bytes of a short response.
SM_SHORT_LE = 0xDF

T = TypeVar("T")


class SecureMessagingError(CardError):
    """The chip's secure-messaging response is missing, malformed or fails its checksum."""

    message_ja = (
        "カードとの暗号通信（セキュアメッセージング）の応答が不正です。通信が乱れたか、カードが偽造されている"
        "可能性があります。カードを置き直して、もう一度読み取ってください。"
    )


class SmCommandError(ParseError):
    """The terminal's SM command is malformed (raised on the chip's side; ``sw`` is what the chip answers)."""

    def __init__(self, message: str, sw: int = SW_SM_INCORRECT) -> None:
        super().__init__(message)
        self.sw = sw


@dataclass(frozen=True, slots=True)
class SmProfile:
    name: str
    cla_bits: int  # 0x0C: SM with the header authenticated; 0x08: SM, header not authenticated
    cryptogram_tag: int
    le_tag: int
    authenticated: bool  # DO8E checksum, DO99 status and a send sequence counter
    always_le: bool  # the protected command always asks for a response (it carries DO99/DO8E)


ICAO_9303 = SmProfile("ICAO 9303", 0x0C, T_CRYPTOGRAM_ODD, T_LE_ODD, authenticated=True, always_le=True)
ENCRYPTION_ONLY = SmProfile(
    "encryption only (在留カード)", 0x08, T_CRYPTOGRAM_EVEN, T_LE_EVEN, authenticated=False, always_le=False
)


def _le_value(le: int, extended: bool) -> bytes:
    if extended:
        return (le & 0xFFFF).to_bytes(2, "big")  # 65536 → 0000
    return bytes((le & 0xFF,))  # 256 → 00


def _parse_le(value: bytes) -> int:
    if len(value) == 1:
        return value[0] or 256
    if len(value) == 2:
        return int.from_bytes(value, "big") or 65536
    raise SmCommandError(f"Le data object of {len(value)} bytes")


@dataclass(slots=True)
class SecureChannel:
    """An established SM session. ``ssc`` is the send sequence counter (None where the profile has none)."""

    keys: SessionKeys
    profile: SmProfile
    ssc: int | None = None
    closed: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if self.profile.authenticated and self.ssc is None:
            raise ValueError(f"{self.profile.name} SM needs a send sequence counter")

    def __repr__(self) -> str:
        return f"SecureChannel({self.profile.name}, {self.keys.algorithm}, closed={self.closed})"

    # --- counter -------------------------------------------------------------------------------------------

    def _ssc_bytes(self) -> bytes | None:
        if self.ssc is None:
            return None
        return self.ssc.to_bytes(self.keys.block_size, "big")

    def _step(self) -> bytes | None:
        if self.ssc is None:
            return None
        self.ssc = (self.ssc + 1) % (1 << (8 * self.keys.block_size))
        return self._ssc_bytes()

    def _mac(self, ssc: bytes | None, message: bytes) -> bytes:
        return self.keys.sm_mac((ssc or b"") + message)

    def _header(self, cla: int, ins: int, p1: int, p2: int) -> bytes:
        return pad(bytes((cla, ins, p1, p2)), self.keys.block_size)

    def _check_open(self) -> None:
        if self.closed:
            raise SecureMessagingError("secure messaging session already ended after an error")

    # --- terminal side -------------------------------------------------------------------------------------

    def protect(self, command: Command) -> Command:
        """Wrap a plain command. ISO 7816-4 inter-industry CLA only (no logical channels beyond 0)."""
        self._check_open()
        if command.cla & 0x0C:
            raise ValueError("command is already secured")
        if command.ins & 1:
            raise ValueError("odd INS (DO85) commands are not used by any document taimen reads")
        p = self.profile
        ssc = self._step()
        cla = command.cla | p.cla_bits
        dos = b""
        if command.data:
            iv = self.keys.iv(ssc)
            cryptogram = self.keys.encrypt(pad(command.data, self.keys.block_size), iv)
            dos += tlv.encode(p.cryptogram_tag, b"\x01" + cryptogram)
        extended = command.extended
        if command.le is not None:
            dos += tlv.encode(p.le_tag, _le_value(command.le, extended))
        if p.authenticated:
            mac = self._mac(ssc, self._header(cla, command.ins, command.p1, command.p2) + dos)
            dos += tlv.encode(T_CHECKSUM, mac)
        le: int | None = None
        if p.always_le or command.le is not None:
            le = 65536 if extended or len(dos) > 255 else 256
            extended = extended or len(dos) > 255
        return Command(
            cla, command.ins, command.p1, command.p2, dos, le, extended=extended,
            secret=command.secret, label=command.label,
        )

    def unprotect(self, response: Response) -> Response:
        """Unwrap the chip's answer to the last protected command; verify before decrypting."""
        self._check_open()
        p = self.profile
        ssc = self._step()
        if not response.data:
            if response.sw in (SW_SM_MISSING, SW_SM_INCORRECT):
                self.closed = True  # the chip has dropped its session keys
            elif p.authenticated and response.sw == 0x9000:
                self.closed = True
                raise SecureMessagingError("9000 without the secure-messaging checksum")
            return response  # a plain status (encryption-only success, or an error the caller reports)
        try:
            objects = tlv.index(tlv.parse_all(response.data), unique=True)
        except ParseError as exc:
            self.closed = True
            raise SecureMessagingError(f"secure-messaging response is not valid TLV: {exc}") from exc
        allowed = {p.cryptogram_tag} | ({T_STATUS, T_CHECKSUM} if p.authenticated else set())
        unknown = set(objects) - allowed
        if unknown:
            self.closed = True
            raise SecureMessagingError(f"unexpected data objects {sorted(unknown)} in an SM response")
        sw = response.sw
        if p.authenticated:
            checksum = objects.get(T_CHECKSUM)
            status = objects.get(T_STATUS)
            if checksum is None or status is None:
                self.closed = True
                raise SecureMessagingError("SM response lacks its checksum (DO8E) or status (DO99)")
            covered = b"".join(o.raw for o in sorted(objects.values(), key=lambda o: o.offset) if o.tag != T_CHECKSUM)
            if objects[T_CHECKSUM].offset < max(o.offset for o in objects.values()):
                self.closed = True
                raise SecureMessagingError("SM checksum (DO8E) is not the last data object")
            if len(checksum.value) != 8 or checksum.value != self._mac(ssc, covered):
                self.closed = True
                raise SecureMessagingError("SM checksum of the response does not verify (wrong key or altered data)")
            if len(status.value) != 2:
                self.closed = True
                raise SecureMessagingError("SM status object DO99 is not 2 bytes")
            inner = int.from_bytes(status.value, "big")
            if inner != sw:
                self.closed = True
                raise SecureMessagingError(f"protected status {inner:04X} disagrees with the outer status {sw:04X}")
        data = b""
        crypto = objects.get(p.cryptogram_tag)
        if crypto is not None:
            value = crypto.value
            if len(value) < 1 + self.keys.block_size or value[0] != 0x01:
                self.closed = True
                raise SecureMessagingError("cryptogram object lacks the padding indicator 01 or a whole block")
            try:
                data = unpad(self.keys.decrypt(value[1:], self.keys.iv(ssc)), self.keys.block_size)
            except ParseError as exc:
                self.closed = True
                raise SecureMessagingError(f"decrypted response is malformed: {exc}") from exc
        return Response(data, sw)

    def skip_response(self) -> None:
        """Step the counter past a response the reader lost (the chip counted it), so both sides stay in step."""
        self._check_open()
        self._step()

    def rollback(self) -> None:
        """Undo the counter step of a ``protect`` whose command never reached the chip."""
        if self.ssc is not None:
            self.ssc = (self.ssc - 1) % (1 << (8 * self.keys.block_size))

    # --- chip side (emulator) ------------------------------------------------------------------------------

    def card_unprotect(self, command: Command) -> Command:
        """Check and unwrap a protected command as the chip does; raises ``SmCommandError`` (6987/6988)."""
        p = self.profile
        if command.cla & 0x0C != p.cla_bits:
            raise SmCommandError(f"CLA {command.cla:02X} is not {p.name} SM", SW_SM_MISSING)
        ssc = self._step()
        try:
            objects = tlv.parse_all(command.data)
        except ParseError as exc:
            raise SmCommandError(f"SM command data is not TLV: {exc}") from exc
        index = {o.tag: o for o in objects}
        if len(index) != len(objects) or set(index) - {p.cryptogram_tag, p.le_tag, T_CHECKSUM}:
            raise SmCommandError("unexpected or repeated SM data objects")
        if p.authenticated:
            checksum = index.get(T_CHECKSUM)
            if checksum is None or objects[-1].tag != T_CHECKSUM:
                raise SmCommandError("SM command lacks its checksum", SW_SM_MISSING)
            header = self._header(command.cla, command.ins, command.p1, command.p2)
            if checksum.value != self._mac(ssc, header + b"".join(o.raw for o in objects[:-1])):
                raise SmCommandError("SM command checksum does not verify")
        elif T_CHECKSUM in index:
            raise SmCommandError("checksum object in an encryption-only SM command")
        data = b""
        crypto = index.get(p.cryptogram_tag)
        if crypto is not None:
            if len(crypto.value) < 1 + self.keys.block_size or crypto.value[0] != 0x01:
                raise SmCommandError("cryptogram lacks the padding indicator 01")
            try:
                data = unpad(self.keys.decrypt(crypto.value[1:], self.keys.iv(ssc)), self.keys.block_size)
            except ParseError as exc:
                raise SmCommandError(f"SM command cryptogram: {exc}") from exc
        le_do = index.get(p.le_tag)
        le = _parse_le(le_do.value) if le_do is not None else None
        return Command(command.cla & ~0x0C & 0xFF, command.ins, command.p1, command.p2, data, le,
                       extended=command.extended, secret=command.secret)

    def card_protect(self, response: Response) -> Response:
        """Wrap the chip's plain answer (after a successful ``card_unprotect``)."""
        p = self.profile
        ssc = self._step()
        dos = b""
        if response.data:
            cryptogram = self.keys.encrypt(pad(response.data, self.keys.block_size), self.keys.iv(ssc))
            dos += tlv.encode(p.cryptogram_tag, b"\x01" + cryptogram)
        if p.authenticated:
            dos += tlv.encode(T_STATUS, response.sw.to_bytes(2, "big"))
            dos += tlv.encode(T_CHECKSUM, self._mac(ssc, dos))
        return Response(dos, response.sw)


def secured(conversation: Conversation[T], channel: SecureChannel) -> Generator[Command, Response, T]:
    """Run a plain conversation inside ``channel``: each command is protected, each answer unprotected.

    Give the inner file reads ``ReadSession(short_le=SM_SHORT_LE)`` so that short reads still fit once wrapped.
    A reader that refuses an extended APDU never delivered the command, so the counter step is undone
    before the refusal is passed to the inner conversation (which then falls back to short reads). A reader
    that lost a too-long answer (``AnswerTooLong``) did deliver it: the counter steps past the chip's response
    and the inner conversation steps down to smaller reads.
    """
    command = next(conversation)
    while True:
        try:
            response = yield channel.protect(command)
        except ExtendedLengthUnsupported as exc:
            channel.rollback()
            try:
                command = conversation.throw(exc)
            except StopIteration as done:
                return done.value
            continue
        except AnswerTooLong as exc:
            # The chip processed the command and answered; only the reader lost the answer. With a counter the
            # chip has stepped it for its response too, so step past it; then the inner read asks for less.
            channel.skip_response()
            try:
                command = conversation.throw(exc)
            except StopIteration as done:
                return done.value
            continue
        try:
            command = conversation.send(channel.unprotect(response))
        except StopIteration as done:
            return done.value
