"""Reading transparent EFs with as few APDUs as the reader and card allow.

Extended-length READ BINARY (Le = 65536) fetches a whole file in one exchange. When the reader cannot carry
it (``ExtendedLengthUnsupported``) or the card refuses it (6700, 6Cxx, 6D00 on an extended command), the
session falls back to short reads of up to 256 bytes for good. A file holding one BER object is read only as
far as its header says, capped by ``max_size`` because a forged chip may claim any length.
"""

from __future__ import annotations

from dataclasses import dataclass

from taimen.core import apdu
from taimen.core.conversation import Conversation
from taimen.core.tlv import _read_length, _read_tag
from taimen.errors import ExtendedLengthUnsupported, ParseError, StatusError

_EXTENDED_REFUSED = {0x6700, 0x6D00, 0x6A86, 0x6F00}


@dataclass
class ReadSession:
    """Per-card read state shared by all file reads of one session."""

    extended: bool = True
    #: Largest data field a single short read asks for.
    short_le: int = 256
    extended_fallbacks: int = 0


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

    With ``tlv`` the file is one BER object (plus filler): only the object's bytes are returned.
    Without it, reading stops where the card reports the end of file.
    """
    data = bytearray()
    target: int | None = None
    if session.extended:
        cmd = apdu.read_binary(0, 65536, sfi=sfi, label=label)
        cmd = apdu.Command(cmd.cla, cmd.ins, cmd.p1, cmd.p2, le=65536, extended=True, label=label)
        try:
            resp = yield cmd
        except ExtendedLengthUnsupported:
            resp = None
        if resp is not None and resp.sw in (0x9000, 0x6282):
            data += resp.data
            if tlv:
                target = _tlv_total(bytes(data))
                if target is None or target > len(data):
                    # A card that caps extended responses: continue with short reads below.
                    pass
                else:
                    return _finish(bytes(data), target, max_size)
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
        if len(data) > max_size:
            raise ParseError(f"{label}: file larger than {max_size} bytes")
        want = session.short_le if target is None else min(session.short_le, target - len(data))
        offset = len(data)
        if first_sfi is not None:
            cmd = apdu.read_binary(0, want, sfi=first_sfi, label=label)
            first_sfi = None
        else:
            if offset > 0x7FFF:
                raise ParseError(f"{label}: offset beyond the 15-bit READ BINARY range")
            cmd = apdu.read_binary(offset, want, label=label)
        resp = yield cmd
        if resp.sw == 0x6B00 and offset > 0:
            break  # offset past the end: the previous chunk ended exactly at EOF
        if resp.sw1 == 0x6C and resp.sw2:  # card tells the exact length to ask for
            resp = yield apdu.Command(cmd.cla, cmd.ins, cmd.p1, cmd.p2, le=resp.sw2, label=label)
        if resp.sw not in (0x9000, 0x6282):
            raise StatusError(resp.sw, label)
        if len(resp.data) > want:
            raise ParseError(f"{label}: card returned {len(resp.data)} bytes for Le {want}")
        data += resp.data
        if resp.sw == 0x6282 or len(resp.data) < want or not resp.data:
            break
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
