"""DG15: the active-authentication public key (9303-10 §4.7.15): ``6F { SubjectPublicKeyInfo }``."""

from __future__ import annotations

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from taimen.core import tlv
from taimen.errors import ParseError
from taimen.passport.lds import outer_value

AaKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


def parse_dg15(data: bytes) -> AaKey:
    spki = outer_value(data, 15)
    tlv.parse_single(spki, 0x30, allow_trailing_filler=False)  # exactly one DER SEQUENCE
    try:
        key = serialization.load_der_public_key(spki)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:  # a chip picks the algorithm OID too
        raise ParseError(f"DG15 public key: {exc}") from exc
    if isinstance(key, rsa.RSAPublicKey):
        if not 1024 <= key.key_size <= 4096:
            raise ParseError(f"DG15 RSA key of {key.key_size} bits")
        return key
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key
    raise ParseError("DG15 key is neither RSA nor EC")


def encode_dg15(key: AaKey) -> bytes:
    spki = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return tlv.encode(0x6F, spki)
