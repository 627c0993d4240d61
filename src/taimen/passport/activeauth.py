"""Active authentication (9303-11 §6.1): the chip signs a fresh terminal nonce with the DG15 key.

RSA answers follow ISO/IEC 9796-2 digital signature scheme 1 (message recovery, trailer BC for SHA-1 or
xx CC with an explicit hash identifier); ECDSA answers are plain r ‖ s (BSI TR-03111). Because DG15 is
covered by EF.SOD, a correct answer proves that this chip holds the private key of the signed document: a
copy of the files onto another chip cannot answer.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from taimen.core.apdu import Command, Response
from taimen.core.conversation import Conversation
from taimen.passport.dg15 import AaKey

NONCE_BYTES = 8
#: ISO/IEC 10118-3 hash identifiers used in the two-byte 9796-2 trailer.
_TRAILER_HASH = {0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384", 0x38: "sha224"}


def internal_authenticate(nonce: bytes) -> Command:
    return Command(0x00, 0x88, 0x00, 0x00, nonce, le=256, label="INTERNAL AUTHENTICATE (AA)")


def challenge(random: Callable[[int], bytes] = os.urandom) -> Conversation[tuple[bytes, Response]]:
    nonce = random(NONCE_BYTES)
    response = yield internal_authenticate(nonce)
    return nonce, response


def _ec_hash(key: ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) -> hashes.HashAlgorithm:
    size = key.curve.key_size
    return hashes.SHA256() if size <= 256 else hashes.SHA384() if size <= 384 else hashes.SHA512()


def verify(key: AaKey, nonce: bytes, signature: bytes) -> bool:
    """True when ``signature`` is the DG15 key's answer to ``nonce``."""
    if isinstance(key, rsa.RSAPublicKey):
        return _verify_9796_2(key, nonce, signature)
    n = (key.curve.key_size + 7) // 8
    if len(signature) != 2 * n:
        return False
    r, s = int.from_bytes(signature[:n], "big"), int.from_bytes(signature[n:], "big")
    try:
        key.verify(encode_dss_signature(r, s), nonce, ec.ECDSA(_ec_hash(key)))
    except InvalidSignature:
        return False
    return True


def _verify_9796_2(key: rsa.RSAPublicKey, nonce: bytes, signature: bytes) -> bool:
    numbers = key.public_numbers()
    k = (key.key_size + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if not 0 < s < numbers.n:
        return False
    m = pow(s, numbers.e, numbers.n)
    if m & 0xF != 0xC:  # 9796-2 also allows n - m (when the signer chose the smaller representative)
        m = numbers.n - m
    block = m.to_bytes(k, "big")
    if block[-1] == 0xBC:
        algorithm, trailer = "sha1", 1
    elif block[-1] == 0xCC and block[-2] in _TRAILER_HASH:
        algorithm, trailer = _TRAILER_HASH[block[-2]], 2
    else:
        return False
    size = hashlib.new(algorithm).digest_size
    body = block[: len(block) - trailer]
    # leading bits of a k-byte block may be zero when the modulus is not a whole number of bytes
    body = body.lstrip(b"\x00")
    if len(body) < size + 1 or body[0] >> 4 != 0x6:
        return False
    if body[0] & 0x0F not in (0x0A, 0x0B):  # 6A: partial recovery (the nonce is the non-recoverable part)
        return False
    m1, digest = body[1:-size], body[-size:]
    return hmac.compare_digest(hashlib.new(algorithm, m1 + nonce).digest(), digest)


# --- chip side (emulator) ----------------------------------------------------------------------------------


def sign_9796_2(key: rsa.RSAPrivateKey, nonce: bytes, random: Callable[[int], bytes] = os.urandom) -> bytes:
    """ISO 9796-2 scheme 1 with SHA-1 and trailer BC, as most RSA AA chips answer."""
    k = (key.key_size + 7) // 8
    m1 = random(k - 20 - 2)
    block = b"\x6a" + m1 + hashlib.sha1(m1 + nonce).digest() + b"\xbc"
    n = key.private_numbers().public_numbers.n
    return pow(int.from_bytes(block, "big"), key.private_numbers().d, n).to_bytes(k, "big")


def sign_ecdsa_plain(key: ec.EllipticCurvePrivateKey, nonce: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(key.sign(nonce, ec.ECDSA(_ec_hash(key))))
    n = (key.curve.key_size + 7) // 8
    return r.to_bytes(n, "big") + s.to_bytes(n, "big")
