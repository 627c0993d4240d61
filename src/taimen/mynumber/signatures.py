"""RSA public keys as the My Number Card writes them, and PKCS#1 v1.5 signature checks.

A card key is the two-object value ``90 <exponent> 91 82 0100 <256-byte modulus>`` (reference §2: DF24,
DF12, DF42, DF51 and the CVC body). Signatures are RSA-2048 PKCS#1 v1.5 over a SHA-256 ``DigestInfo``; the
券面AP card face uses a DigestInfo whose OCTET STRING holds 96 bytes, so verification recovers the whole
DigestInfo and compares it exactly (the padding itself is checked by cryptography).
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from taimen.core import tlv
from taimen.errors import ParseError

MODULUS_BYTES = 256
KEY_VALUE_BYTES = 265  # 90 03 010001 91 82 0100 <256>
SIGNATURE_BYTES = 256

_SHA256_ALGORITHM = bytes.fromhex("300d060960864801650304020105 00".replace(" ", ""))


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    if n <= 0xFF:
        return b"\x81" + bytes((n,))
    return b"\x82" + n.to_bytes(2, "big")


def sha256_digest_info(octets: bytes) -> bytes:
    """DER ``DigestInfo`` naming SHA-256 around ``octets`` (32 bytes normally, 96 for the 券面AP face)."""
    inner = _SHA256_ALGORITHM + b"\x04" + _der_length(len(octets)) + octets
    return b"\x30" + _der_length(len(inner)) + inner


def parse_rsa_public_key(value: bytes) -> rsa.RSAPublicKey:
    """Parse ``90 e 91 n`` strictly: an odd exponent of 1-4 bytes, a 2048-bit modulus, nothing else."""
    if len(value) > 600:
        raise ParseError("RSA key object too long")
    objs = tlv.parse_all(value)
    if [o.tag for o in objs] != [0x90, 0x91]:
        raise ParseError("RSA key: objects 90 (exponent) then 91 (modulus) expected")
    e_raw, n_raw = objs[0].value, objs[1].value
    if not 1 <= len(e_raw) <= 4:
        raise ParseError(f"RSA key: exponent of {len(e_raw)} bytes")
    if len(n_raw) != MODULUS_BYTES or not n_raw[0] & 0x80:
        raise ParseError("RSA key: modulus is not 2048 bits")
    e = int.from_bytes(e_raw, "big")
    n = int.from_bytes(n_raw, "big")
    if e < 3 or e % 2 == 0 or n % 2 == 0:
        raise ParseError("RSA key: implausible exponent or modulus")
    try:
        return rsa.RSAPublicNumbers(e, n).public_key()
    except ValueError as exc:
        raise ParseError(f"RSA key rejected: {exc}") from exc


def encode_rsa_public_key(key: rsa.RSAPublicKey) -> bytes:
    """The card's encoding of a public key (inverse of ``parse_rsa_public_key``; used by the emulator)."""
    numbers = key.public_numbers()
    e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
    n = numbers.n.to_bytes(MODULUS_BYTES, "big")
    return tlv.encode(0x90, e) + tlv.encode(0x91, n)


def verify_digest_info(key: rsa.RSAPublicKey, signature: bytes, expected: bytes) -> bool:
    """True if ``signature`` is a PKCS#1 v1.5 signature whose payload is exactly ``expected``."""
    if len(signature) != (key.key_size + 7) // 8:
        return False
    try:
        recovered = key.recover_data_from_signature(signature, padding.PKCS1v15(), None)
    except (InvalidSignature, ValueError):
        return False
    return hmac.compare_digest(recovered, expected)


def verify_sha256(key: rsa.RSAPublicKey, signature: bytes, data: bytes) -> bool:
    """RSA PKCS#1 v1.5 with SHA-256 over ``data``."""
    return verify_digest_info(key, signature, sha256_digest_info(hashlib.sha256(data).digest()))


def fingerprint(key: rsa.RSAPublicKey) -> str:
    """A short stable identifier of a public key (SHA-256 of its card encoding), for display."""
    return hashlib.sha256(encode_rsa_public_key(key)).hexdigest()[:16].upper()


def sign_sha256(key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    """Issuer-side helper for the emulator and tests: PKCS#1 v1.5 SHA-256 signature."""
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
