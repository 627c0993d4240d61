"""PACE with the MRZ password, ECDH generic mapping (9303-11 §4.4; BSI TR-03110 part 2 §3.2).

Supported: id-PACE-ECDH-GM-3DES and -AES-CBC-CMAC-128/192/256 on the Table 12 curves in ``ecc.CURVES``
(NIST P-256/384/521, brainpoolP256r1/384r1/512r1). DH and integrated/chip-authentication mappings are not:
a chip offering only those is read through BAC. Vectors: Doc 9303-11 Appendix G.1 (tests/passport/test_pace.py).

Terminal side as a conversation; chip side (``PaceChip``) for the emulator. MSE:Set AT is marked secret so
that a support trace redacts every answer after it: the encrypted nonce and the tokens allow an offline
search of the MRZ, as the BAC cryptograms do.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import core

from taimen.core import tlv
from taimen.core.apdu import Command, Response
from taimen.core.conversation import Conversation
from taimen.core.secure_messaging import ICAO_9303, SecureChannel
from taimen.core.symmetric import (
    SessionKeys,
    aes_cbc_decrypt,
    aes_cbc_encrypt,
    aes_cmac,
    retail_mac,
    tdes_cbc_decrypt,
    tdes_cbc_encrypt,
)
from taimen.errors import ParseError, StatusError
from taimen.passport.bac import AccessRefused, ChipProofInvalid, adjust_parity
from taimen.passport.dg14 import SecurityInfo
from taimen.passport.ecc import CURVES, Curve
from taimen.passport.mrz import MrzKey

Random = Callable[[int], bytes]
ECDH_GM = "0.4.0.127.0.7.2.2.4.2"
#: OID suffix → (cipher, key length)
CIPHERS = {1: ("3DES", 16), 2: ("AES", 16), 3: ("AES", 24), 4: ("AES", 32)}
PASSWORD_MRZ = 0x01


@dataclass(frozen=True)
class PaceParams:
    oid: str
    cipher: str  # "3DES" | "AES"
    key_length: int
    curve: Curve
    send_parameter_id: bool

    @property
    def oid_der_value(self) -> bytes:
        return core.ObjectIdentifier(self.oid).dump()[2:]


def supported(info: SecurityInfo) -> PaceParams | None:
    """The parameters for a PACEInfo taimen can run, else None."""
    if not info.oid.startswith(ECDH_GM + ".") or info.version != 2:
        return None
    suffix = int(info.oid.rsplit(".", 1)[1])
    if suffix not in CIPHERS or info.parameter_id not in CURVES:
        return None
    cipher, length = CIPHERS[suffix]
    return PaceParams(info.oid, cipher, length, CURVES[info.parameter_id], info.parameter_id is not None)


def kdf(secret: bytes, counter: int, cipher: str, length: int) -> bytes:
    """9303-11 §9.7.1: SHA-1 for 3DES and AES-128, SHA-256 for AES-192/256."""
    digest = (hashlib.sha1 if cipher == "3DES" or length == 16 else hashlib.sha256)(
        secret + counter.to_bytes(4, "big")
    ).digest()
    return adjust_parity(digest[:16]) if cipher == "3DES" else digest[:length]


def _decrypt(cipher: str, key: bytes, data: bytes) -> bytes:
    block = 8 if cipher == "3DES" else 16
    if not data or len(data) % block:
        raise ChipProofInvalid(f"encrypted nonce of {len(data)} bytes")
    return tdes_cbc_decrypt(key, data) if cipher == "3DES" else aes_cbc_decrypt(key, data)


def _encrypt(cipher: str, key: bytes, data: bytes) -> bytes:
    return tdes_cbc_encrypt(key, data) if cipher == "3DES" else aes_cbc_encrypt(key, data)


def token(params: PaceParams, ks_mac: bytes, point: bytes) -> bytes:
    """Authentication token over the other party's ephemeral public key (9303-11 §4.4.3.4)."""
    data = tlv.encode(0x7F49, tlv.encode(0x06, params.oid_der_value) + tlv.encode(0x86, point))
    if params.cipher == "3DES":
        return retail_mac(ks_mac, data)
    return aes_cmac(ks_mac, data)[:8]


def _scalar(curve: Curve, random: Random) -> int:
    while True:
        k = int.from_bytes(random(curve.size + 8), "big") % curve.n
        if k:
            return k


def mse_set_at(params: PaceParams) -> Command:
    data = tlv.encode(0x80, params.oid_der_value) + tlv.encode(0x83, bytes((PASSWORD_MRZ,)))
    if params.send_parameter_id:
        data += tlv.encode(0x84, bytes((params.curve.parameter_id,)))
    return Command(0x00, 0x22, 0xC1, 0xA4, data, secret=True, label="MSE:Set AT (PACE)")


def general_authenticate(tag: int | None, value: bytes, *, last: bool = False) -> Command:
    data = tlv.encode(0x7C, tlv.encode(tag, value) if tag is not None else b"")
    return Command(0x00 if last else 0x10, 0x86, 0x00, 0x00, data, le=256, label="GENERAL AUTHENTICATE (PACE)")


def _dynamic(resp: Response, tag: int, step: str) -> bytes:
    if resp.sw != 0x9000:
        if step == "nonce":
            raise StatusError(resp.sw, "GENERAL AUTHENTICATE (PACE nonce)")
        raise AccessRefused(f"PACE {step} refused with {resp.sw:04X}: the MRZ values do not fit this chip")
    try:
        outer = tlv.parse_single(resp.data, 0x7C, allow_trailing_filler=False)
        inner = tlv.index(outer.children(), unique=True)
    except ParseError as exc:
        raise ChipProofInvalid(f"PACE {step} answer is malformed: {exc}") from exc
    if tag not in inner:
        raise ChipProofInvalid(f"PACE {step} answer lacks tag {tag:02X}")
    return inner[tag].value


def authenticate(key: MrzKey, params: PaceParams, random: Random = os.urandom) -> Conversation[SecureChannel]:
    """MSE:Set AT and the four GENERAL AUTHENTICATE steps; return the SM channel (SSC 0)."""
    curve = params.curve
    resp = yield mse_set_at(params)
    if resp.sw != 0x9000:
        raise StatusError(resp.sw, "MSE:Set AT (PACE)")
    k_pi = kdf(key.password(), 3, params.cipher, params.key_length)
    z = _dynamic((yield general_authenticate(None, b"")), 0x80, "nonce")
    s = int.from_bytes(_decrypt(params.cipher, k_pi, z), "big")
    sk_map = _scalar(curve, random)
    pk_map_ic = curve.decode(_dynamic((yield general_authenticate(0x81, curve.encode(curve.mul(sk_map, curve.g)))),
                                      0x82, "mapping"))  # fmt: skip
    h = curve.mul(sk_map, pk_map_ic)
    g_mapped = curve.add(curve.mul(s, curve.g), h)
    if g_mapped is None or h is None:
        raise ChipProofInvalid("PACE mapping gave the point at infinity")
    sk = _scalar(curve, random)
    pk_ifd = curve.encode(curve.mul(sk, g_mapped))
    pk_ic_raw = _dynamic((yield general_authenticate(0x83, pk_ifd)), 0x84, "key agreement")
    pk_ic = curve.decode(pk_ic_raw)
    if curve.encode(pk_ic) == pk_ifd:
        raise ChipProofInvalid("the chip echoed the terminal's ephemeral key")
    shared = curve.mul(sk, pk_ic)
    if shared is None:
        raise ChipProofInvalid("PACE key agreement gave the point at infinity")
    k = shared[0].to_bytes(curve.size, "big")
    ks_enc, ks_mac = kdf(k, 1, params.cipher, params.key_length), kdf(k, 2, params.cipher, params.key_length)
    t_ic = _dynamic((yield general_authenticate(0x85, token(params, ks_mac, pk_ic_raw), last=True)), 0x86,
                    "mutual authentication")  # fmt: skip
    if not hmac.compare_digest(t_ic, token(params, ks_mac, pk_ifd)):
        raise ChipProofInvalid("the chip's PACE authentication token does not verify (it does not know the MRZ key)")
    return SecureChannel(SessionKeys(params.cipher, ks_enc, ks_mac), ICAO_9303, ssc=0)


# --- chip side (emulator) ----------------------------------------------------------------------------------


class PaceChip:
    """The chip's half of PACE for one session; ``step`` returns the answer and, at the end, the channel."""

    def __init__(self, key: MrzKey, params: PaceParams, random: Random = os.urandom) -> None:
        self.params = params
        self.random = random
        self.k_pi = kdf(key.password(), 3, params.cipher, params.key_length)
        self.state = 0
        self.s = 0
        self.sk_map = 0
        self.sk = 0
        self.g_mapped: tuple[int, int] | None = None
        self.pk_ic = b""
        self.ks: tuple[bytes, bytes] | None = None

    def step(self, c: Command) -> tuple[Response, SecureChannel | None]:
        curve, p = self.params.curve, self.params
        try:
            outer = tlv.parse_single(c.data, 0x7C, allow_trailing_filler=False)
            inner = outer.children()
        except ParseError:
            return Response(b"", 0x6A80), None
        if self.state == 0 and not inner:
            size = 8 if p.cipher == "3DES" else 16
            nonce = self.random(size)
            self.s = int.from_bytes(nonce, "big")
            self.state = 1
            return self._answer(0x80, _encrypt(p.cipher, self.k_pi, nonce)), None
        if len(inner) != 1:
            return Response(b"", 0x6A80), None
        tag, value = inner[0].tag, inner[0].value
        try:
            if self.state == 1 and tag == 0x81:
                pk_map_ifd = curve.decode(value)
                self.sk_map = _scalar(curve, self.random)
                h = curve.mul(self.sk_map, pk_map_ifd)
                self.g_mapped = curve.add(curve.mul(self.s, curve.g), h)  # type: ignore[assignment]
                self.state = 2
                return self._answer(0x82, curve.encode(curve.mul(self.sk_map, curve.g))), None
            if self.state == 2 and tag == 0x83 and self.g_mapped is not None:
                pk_ifd = curve.decode(value)
                self.sk = _scalar(curve, self.random)
                self.pk_ic = curve.encode(curve.mul(self.sk, self.g_mapped))
                shared = curve.mul(self.sk, pk_ifd)
                if shared is None:
                    return Response(b"", 0x6300), None
                k = shared[0].to_bytes(curve.size, "big")
                self.ks = (kdf(k, 1, p.cipher, p.key_length), kdf(k, 2, p.cipher, p.key_length))
                self._pk_ifd = curve.encode(pk_ifd)
                self.state = 3
                return self._answer(0x84, self.pk_ic), None
            if self.state == 3 and tag == 0x85 and self.ks is not None and c.cla == 0x00:
                if not hmac.compare_digest(value, token(p, self.ks[1], self.pk_ic)):
                    self.state = 0
                    return Response(b"", 0x6300), None  # wrong password: the terminal's token fails
                self.state = 4
                channel = SecureChannel(SessionKeys(p.cipher, *self.ks), ICAO_9303, ssc=0)
                return self._answer(0x86, token(p, self.ks[1], self._pk_ifd)), channel
        except ParseError:
            return Response(b"", 0x6A80), None
        return Response(b"", 0x6985), None

    @staticmethod
    def _answer(tag: int, value: bytes) -> Response:
        return Response(tlv.encode(0x7C, tlv.encode(tag, value)), 0x9000)
