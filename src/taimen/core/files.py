"""Reading transparent EFs with as few APDUs as the reader and card allow.

Extended-length READ BINARY (Le = 65536) fetches a whole file in one exchange. When the reader cannot carry
it (``ExtendedLengthUnsupported``) or the card refuses it (6700, 6Cxx, 6D00 on an extended command), the
session falls back to short reads of up to 256 bytes for good; a reader that cannot carry 256-byte answers
either (``AnswerTooLong``) makes the session step down to 128, then 64 bytes. A file holding one BER object
is read only as far as its header says, capped by ``max_size`` because a forged chip may claim any length.
"""

from __future__ import annotations

from dataclasses import dataclass

from taimen.core import apdu
from taimen.core.conversation import Conversation
from taimen.core.tlv import _read_length, _read_tag
from taimen.errors import AnswerTooLong, ExtendedLengthUnsupported, ParseError, StatusError

_EXTENDED_REFUSED = {0x6700, 0x6D00, 0x6A86, 0x6F00}
_MAX_OFFSET = 0x7FFF  # READ BINARY (B0) with an offset in P1-P2 reaches 32 767
#: Short-read sizes tried in turn when a reader cannot carry 256-byte answers.
_SHORT_STEPS = (256, 128, 64)


def _step_down(session: ReadSession, exc: Exception) -> None:
    """Use the next smaller short-read size for the rest of the session, or give up below 64 bytes."""
    smaller = [s for s in _SHORT_STEPS if s < session.short_le]
    if not smaller:
        raise exc
    session.short_le = smaller[0]
    session.short_step_downs += 1


@dataclass
class ReadSession:
    """Per-card read state shared by all file reads of one session."""

    extended: bool = True
    #: Largest data field a single short read asks for.
    short_le: int = 256
    extended_fallbacks: int = 0
    short_step_downs: int = 0


def _tlv_total(head: bytes) -> int | None:
    """Total size of the BER object at the start of ``head``, or None if the header is incomplete."""
    try:
        _, pos = _read_tag(head, 0)
        length, pos = _read_length(head, pos)
    except ParseError:
        if len(head) >= 8:
            raise
        return None
    return pos + length


def read_file(
    session: ReadSession,
    *,
    sfi: int | None = None,
    max_size: int,
    tlv: bool = True,
    label: str = "READ BINARY",
) -> Conversation[bytes]:
    """Read the current EF (or the short EF ``sfi``); return its bytes.

    With ``tlv`` the file is one BER object (plus filler): only the object's bytes are returned, and reading
    continues until the object is complete even if the card or reader delivers less than asked.
    Without it, reading stops where the card reports the end of file: 6282, 6B00, no data, the length a
    6Cxx announced, or fewer bytes than a wildcard Le (00 / 0000) with 9000 — ISO 7816-4 has the card return
    everything up to the end then. A card that caps its answers below that is only caught in TLV mode, so
    read every file that holds one BER object with ``tlv=True``.
    """
    data = bytearray()
    target: int | None = None
    if session.extended:
        cmd = apdu.read_binary(0, 65536, sfi=sfi, label=label)
        cmd = apdu.Command(cmd.cla, cmd.ins, cmd.p1, cmd.p2, le=65536, extended=True, label=label)
        try:
            resp = yield cmd
        except (ExtendedLengthUnsupported, AnswerTooLong):
            resp = None
        if resp is not None and resp.sw in (0x9000, 0x6282):
            data += resp.data
            if tlv:
                target = _tlv_total(bytes(data))
                if target is not None and target <= len(data):
                    return _finish(bytes(data), target, max_size)
                # Otherwise a card or reader capped the response: continue with short reads below.
            else:
                if len(data) > max_size:
                    raise ParseError(f"{label}: file larger than {max_size} bytes")
                return bytes(data)
        elif resp is None or resp.sw in _EXTENDED_REFUSED or resp.sw1 == 0x6C:
            session.extended = False
            session.extended_fallbacks += 1
        else:
            raise StatusError(resp.sw, label)
    first_sfi = sfi if not data else None
    while True:
        if tlv and target is None and data:
            target = _tlv_total(bytes(data))
        if target is not None:
            if target > max_size:
                raise ParseError(f"{label}: object claims {target} bytes, limit is {max_size}")
            if len(data) >= target:
                return _finish(bytes(data), target, max_size)
        if not tlv and len(data) > max_size:
            raise ParseError(f"{label}: file larger than {max_size} bytes")
        if target is not None:
            want = min(session.short_le, target - len(data))
        elif tlv:
            want = session.short_le
        else:
            want = min(session.short_le, max_size + 1 - len(data))  # one byte more reveals an oversized file
        offset = len(data)
        if first_sfi is not None:
            cmd = apdu.read_binary(0, want, sfi=first_sfi, label=label)
            first_sfi = None
        else:
            if offset > _MAX_OFFSET:
                raise ParseError(f"{label}: offset beyond the 15-bit READ BINARY range")
            cmd = apdu.read_binary(offset, want, label=label)
        try:
            resp = yield cmd
        except AnswerTooLong as exc:
            # The reader cannot carry this many bytes: ask for less from now on, then the same chunk again.
            _step_down(session, exc)
            if cmd.p1 & 0x80:
                first_sfi = sfi
            continue
        if resp.sw == 0x6B00 and offset > 0:
            break  # offset past the end: the previous chunk ended exactly at EOF
        exact_end = False
        if resp.sw1 == 0x6C and resp.sw2:  # the card tells how many bytes are left: ask for exactly that
            exact_end = resp.sw2 <= want
            want = min(want, resp.sw2)
            resp = yield apdu.Command(cmd.cla, cmd.ins, cmd.p1, cmd.p2, le=want, label=label)
        if resp.sw not in (0x9000, 0x6282):
            raise StatusError(resp.sw, label)
        if len(resp.data) > want:
            raise ParseError(f"{label}: card returned {len(resp.data)} bytes for Le {want}")
        data += resp.data
        if resp.sw == 0x6282 or not resp.data:
            break  # the card reports the end of the file
        if not tlv and (exact_end or len(resp.data) < want == 256):
            break  # what 6Cxx announced, or a wildcard Le answered short with 9000: the end was reached
        # A short chunk otherwise means a cap (card or reader): ask for the rest; each round makes progress.
    if not tlv and len(data) > max_size:
        raise ParseError(f"{label}: file larger than {max_size} bytes")
    if tlv:
        target = _tlv_total(bytes(data))
        if target is None or target > len(data):
            raise ParseError(f"{label}: file ends inside its TLV object")
        return _finish(bytes(data), target, max_size)
    return bytes(data)


def _finish(data: bytes, target: int, max_size: int) -> bytes:
    if target > max_size:
        raise ParseError(f"object claims {target} bytes, limit is {max_size}")
    return data[:target]


def select_and_read(
    session: ReadSession, fid: int, *, max_size: int, tlv: bool = True, label: str = ""
) -> Conversation[bytes]:
    name = label or f"EF {fid:04X}"
    resp = yield apdu.select_ef(fid, label=f"SELECT {name}")
    if resp.sw != 0x9000:
        raise StatusError(resp.sw, f"SELECT {name}")
    return (yield from read_file(session, max_size=max_size, tlv=tlv, label=f"READ {name}"))
