"""Chip authentication (9303-11 §6.2; BSI TR-03110 part 1 §4.2), ECDH with AES, the "General Authenticate" form.

The chip's static key pair: the public half in DG14 (covered by EF.SOD), the private half inside the chip.
The terminal sends an ephemeral public key (MSE:Set AT 41 A4, GENERAL AUTHENTICATE 7C{80 PK}); both sides
derive new SM keys from ECDH(SK_eph, PK_chip) and restart SM with SSC 0. Only a chip holding DG14's private
key can answer the next command under those keys, so a correct answer proves the chip is not a copy.

Supported: id-CA-ECDH-AES-CBC-CMAC-128/192/256 with an EC key on a curve ``cryptography`` knows. Not supported
(reported as offered, not run): DH, 3DES (MSE:Set KAT).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from taimen.core import apdu, tlv
from taimen.core.apdu import Command, Response
from taimen.core.conversation import Conversation
from taimen.core.secure_messaging import ICAO_9303, SecureChannel, SecureMessagingError, secured
from taimen.core.symmetric import SessionKeys
from taimen.errors import CardError, ParseError
from taimen.passport import lds
from taimen.passport.dg14 import BSI, SecurityInfo
from taimen.passport.pace import kdf

CA_ECDH_AES = {f"{BSI}.3.2.2": 16, f"{BSI}.3.2.3": 24, f"{BSI}.3.2.4": 32}
PK_ECDH = f"{BSI}.1.2"


@dataclass(frozen=True)
class CaParams:
    oid: str
    key_length: int
    public_key: ec.EllipticCurvePublicKey
    key_id: int | None


def supported(infos: list[SecurityInfo]) -> CaParams | None:
    """The chip-authentication variant taimen runs from DG14's SecurityInfos, or None."""
    keys = [i for i in infos if i.oid == PK_ECDH]
    for info in infos:
        if info.oid not in CA_ECDH_AES:
            continue
        key = next((k for k in keys if k.key_id == info.key_id or info.key_id is None), None)
        if key is None:
            continue
        try:
            public = serialization.load_der_public_key(key.required_der)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            continue
        if isinstance(public, ec.EllipticCurvePublicKey):
            return CaParams(info.oid, CA_ECDH_AES[info.oid], public, info.key_id)
    return None


def _oid_value(oid: str) -> bytes:
    from asn1crypto import core

    return core.ObjectIdentifier(oid).dump()[2:]


def commands(params: CaParams, ephemeral_point: bytes) -> Conversation[None]:
    data = tlv.encode(0x80, _oid_value(params.oid))
    if params.key_id is not None:
        data += tlv.encode(0x84, params.key_id.to_bytes(max(1, (params.key_id.bit_length() + 7) // 8), "big"))
    resp = yield Command(0x00, 0x22, 0x41, 0xA4, data, label="MSE:Set AT (CA)")
    if resp.sw != 0x9000:
        raise ChipAuthFailed(f"MSE:Set AT for chip authentication answered {resp.sw:04X}")
    resp = yield Command(0x00, 0x86, 0x00, 0x00, tlv.encode(0x7C, tlv.encode(0x80, ephemeral_point)), le=256,
                         label="GENERAL AUTHENTICATE (CA)")  # fmt: skip
    if resp.sw != 0x9000:
        raise ChipAuthFailed(f"GENERAL AUTHENTICATE for chip authentication answered {resp.sw:04X}")


class ChipAuthFailed(CardError):
    """The chip did not complete chip authentication with its DG14 key."""


def authenticate(params: CaParams, channel: SecureChannel) -> Conversation[SecureChannel]:
    """Run CA inside ``channel``; prove it with a SELECT EF.COM under the new keys; return the new channel."""
    ephemeral = ec.generate_private_key(params.public_key.curve)
    point = ephemeral.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    yield from secured(commands(params, point), channel)
    shared = ephemeral.exchange(ec.ECDH(), params.public_key)
    new = SecureChannel(SessionKeys("AES", kdf(shared, 1, "AES", params.key_length),
                                    kdf(shared, 2, "AES", params.key_length)), ICAO_9303, ssc=0)  # fmt: skip
    try:
        resp = yield from secured(_select_com(), new)
    except SecureMessagingError as exc:
        raise ChipAuthFailed(f"the chip's answer under the chip-authentication keys does not verify: {exc}") from exc
    if resp.sw != 0x9000:
        raise ChipAuthFailed(f"SELECT under the chip-authentication keys answered {resp.sw:04X}")
    return new


def _select_com() -> Conversation[Response]:
    resp = yield apdu.select_ef(lds.EF_COM, label="SELECT EF.COM (CA proof)")
    return resp


# --- chip side (emulator) ----------------------------------------------------------------------------------


def chip_step(
    key: ec.EllipticCurvePrivateKey, oid: str, key_length: int, c: Command, armed: bool
) -> tuple[Response, SessionKeys | None, bool]:
    """The chip's answer to MSE:Set AT (CA) or GENERAL AUTHENTICATE (CA): (answer, new keys, armed)."""
    if c.ins == 0x22:
        try:
            objects = tlv.index(tlv.parse_all(c.data), unique=True)
        except ParseError:
            return Response(b"", 0x6A80), None, False
        ok = objects.get(0x80) is not None and objects[0x80].value == _oid_value(oid)
        return Response(b"", 0x9000 if ok else 0x6A80), None, ok
    if not armed:
        return Response(b"", 0x6985), None, False
    try:
        inner = tlv.index(tlv.parse_single(c.data, 0x7C).children(), unique=True)
        peer = ec.EllipticCurvePublicKey.from_encoded_point(key.curve, inner[0x80].value)
    except (ParseError, KeyError, ValueError):
        return Response(b"", 0x6A80), None, False
    shared = key.exchange(ec.ECDH(), peer)
    keys = SessionKeys("AES", kdf(shared, 1, "AES", key_length), kdf(shared, 2, "AES", key_length))
    return Response(tlv.encode(0x7C, b""), 0x9000), keys, False
