"""The one place that orchestrates a passport read (9303-11 §4 and gmrtd's ``ReadDocument``), sans-I/O.

1. SELECT the MF and read EF.CardAccess in plain: it tells whether the chip offers PACE;
2. SELECT the eMRTD application; BAC with the MRZ key (PACE is not implemented yet: a chip offering PACE
   is read through BAC, which ICAO 9303 chips keep for compatibility — a PACE-only chip refuses, and the
   result says so);
3. inside secure messaging: EF.COM, EF.SOD, then the data groups EF.COM lists that a counter needs
   (DG1, DG2, DG11, DG12, DG14, DG15); the others are listed, not read;
4. active authentication over a fresh nonce when DG15 is present.

Parsing and verification happen afterwards (document.py); here only bytes are collected.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from taimen.core import apdu
from taimen.core.apdu import Response
from taimen.core.conversation import Conversation
from taimen.core.files import ReadSession, read_file, select_and_read
from taimen.core.secure_messaging import SM_SHORT_LE, SecureChannel, SecureMessagingError, secured
from taimen.errors import ParseError, StatusError
from taimen.passport import activeauth, bac, chipauth, lds, pace
from taimen.passport.dg14 import parse_dg14, parse_security_infos
from taimen.passport.mrz import MrzKey

MAX_CARD_ACCESS = 2048


@dataclass
class PassportRead:
    access: str = "BAC"
    card_access: bytes | None = None
    com: bytes = b""
    sod: bytes = b""
    files: dict[int, bytes] = field(default_factory=dict)
    #: Data groups EF.COM lists that were not read, with why ("not needed", "access denied 6982"…).
    not_read: dict[int, str] = field(default_factory=dict)
    aa_nonce: bytes | None = None
    aa_response: Response | None = None
    pace_offered: list[str] = field(default_factory=list)
    #: Chip authentication: None (not offered in DG14), "unsupported", "passed" or "failed: why".
    chip_auth: str | None = None


def _read_card_access(session: ReadSession) -> Conversation[bytes | None]:
    resp = yield apdu.Command(0x00, 0xA4, 0x00, 0x0C, b"\x3f\x00", label="SELECT MF")
    if resp.sw != 0x9000:
        return None
    resp = yield apdu.select_ef(lds.EF_CARD_ACCESS, label="SELECT EF.CardAccess")
    if resp.sw != 0x9000:
        return None  # no EF.CardAccess: the chip offers no PACE
    try:
        return (yield from read_file(session, max_size=MAX_CARD_ACCESS, label="READ EF.CardAccess"))
    except StatusError:
        return None


def _select_application() -> Conversation[Response]:
    resp = yield apdu.select_aid(lds.LDS1_AID, label="SELECT eMRTD")
    return resp


def read_passport(
    key: MrzKey,
    session: ReadSession | None = None,
    *,
    random: Callable[[int], bytes] = os.urandom,
    active_auth: bool = True,
    use_pace: bool = True,
    chip_auth: bool = True,
) -> Conversation[PassportRead]:
    result = PassportRead()
    plain = session or ReadSession()
    result.card_access = yield from _read_card_access(plain)
    params = None
    if result.card_access:
        with contextlib.suppress(ParseError):  # an unreadable EF.CardAccess leaves BAC
            infos = parse_security_infos(lds.outer_value_card_access(result.card_access))
            result.pace_offered = [i.name for i in infos if i.is_pace]
            params = next((p for p in map(pace.supported, infos) if p is not None), None)
    if params is not None and use_pace:
        channel = yield from pace.authenticate(key, params, random)
        result.access = f"PACE ({params.curve.name}, {params.cipher}-{params.key_length * 8})"
        resp = yield from secured(_select_application(), channel)
    else:
        resp = yield apdu.select_aid(lds.LDS1_AID, label="SELECT eMRTD")
        channel = None
    if resp.sw != 0x9000:
        raise StatusError(resp.sw, "SELECT eMRTD application")
    if channel is None:
        channel = yield from bac.authenticate(key, random)
    sm = ReadSession(extended=plain.extended, short_le=SM_SHORT_LE)
    result.com = yield from secured(select_and_read(sm, lds.EF_COM, max_size=1024, label="EF.COM"), channel)
    groups = lds.parse_com(result.com).data_groups
    result.sod = yield from secured(select_and_read(sm, lds.EF_SOD, max_size=lds.MAX_SOD, label="EF.SOD"), channel)
    for dg in groups:
        if dg not in lds.READ_GROUPS:
            result.not_read[dg] = "not needed at a counter" if dg not in (3, 4) else "needs EAC terminal authentication"
            continue
        fid = lds.DATA_GROUPS[dg][0]
        try:
            data = yield from secured(select_and_read(sm, fid, max_size=lds.max_size(dg), label=f"DG{dg}"), channel)
        except StatusError as exc:
            if channel.closed:
                raise
            result.not_read[dg] = f"card answered {exc.sw:04X}"
            continue
        result.files[dg] = data
    plain.extended = sm.extended  # the caller's statistics see the fallback made inside SM
    plain.extended_fallbacks += sm.extended_fallbacks
    if active_auth and 15 in result.files:
        nonce, answer = yield from secured(activeauth.challenge(random), channel)
        result.aa_nonce, result.aa_response = nonce, answer
    if chip_auth and 14 in result.files:
        result.chip_auth = yield from _chip_authentication(result.files[14], channel)
    return result


def _chip_authentication(dg14: bytes, channel: SecureChannel) -> Conversation[str | None]:
    """Last step of the read: CA replaces the SM keys, so nothing is read after it."""
    try:
        infos = parse_dg14(dg14)
    except ParseError:
        return None  # the document reports the malformed DG14
    if not any(i.is_chip_authentication for i in infos):
        return None
    params = chipauth.supported(infos)
    if params is None:
        return "unsupported"
    try:
        yield from chipauth.authenticate(params, channel)
    except (chipauth.ChipAuthFailed, SecureMessagingError) as exc:
        return f"failed: {exc}"
    return "passed"
