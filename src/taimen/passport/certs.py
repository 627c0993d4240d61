"""X.509 certificates of the passport PKI (CSCA, document signer, master-list signer), read with asn1crypto.

Some states' CSCA certificates are not strict DER (Japan's ECDSA CSCAs of 2019 and 2024 carry bytes that
``cryptography``'s strict parser refuses as "ExtraData"), so certificates are parsed with asn1crypto, which
keeps the bytes as signed; only the public key goes to ``cryptography`` for the signature arithmetic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from asn1crypto import x509 as a509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from taimen.errors import ParseError

_HASH = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
         "sha512": hashes.SHA512}  # fmt: skip
MAX_CERT_BYTES = 16_384


def hash_algorithm(name: str) -> hashes.HashAlgorithm:
    if name not in _HASH:
        raise ParseError(f"hash {name} is not supported")
    return _HASH[name]()


@dataclass(frozen=True)
class Cert:
    der: bytes
    parsed: a509.Certificate

    @property
    def subject(self) -> bytes:
        return self.parsed.subject.dump()

    @property
    def issuer(self) -> bytes:
        return self.parsed.issuer.dump()

    @property
    def subject_text(self) -> str:
        return self.parsed.subject.human_friendly

    @property
    def country(self) -> str:
        return str(self.parsed.subject.native.get("country_name", "")).upper()

    @property
    def issuer_country(self) -> str:
        return str(self.parsed.issuer.native.get("country_name", "")).upper()

    @property
    def serial(self) -> int:
        return int(self.parsed.serial_number)

    @property
    def key_identifier(self) -> bytes | None:
        return self.parsed.key_identifier

    @property
    def not_before(self) -> dt.datetime:
        return self.parsed.not_valid_before

    @property
    def not_after(self) -> dt.datetime:
        return self.parsed.not_valid_after

    @property
    def key_usage(self) -> set[str]:
        return set(self.parsed.key_usage_value.native) if self.parsed.key_usage_value else set()

    @property
    def is_ca(self) -> bool:
        bc = self.parsed.basic_constraints_value
        return bool(bc and bc["ca"].native)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.der).hexdigest().upper()

    def public_key(self) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey:
        spki = self.parsed["tbs_certificate"]["subject_public_key_info"].dump()
        try:
            key = serialization.load_der_public_key(spki)
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise ParseError(f"public key of {self.subject_text} cannot be used: {exc}") from exc
        if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            raise ParseError("certificate key is neither RSA nor EC")
        return key


def load(der: bytes) -> Cert:
    if len(der) > MAX_CERT_BYTES:
        raise ParseError(f"certificate of {len(der)} bytes")
    try:
        parsed = a509.Certificate.load(der)
        parsed.native  # noqa: B018  (forces a full parse: errors surface here, not later)
    except (ValueError, TypeError) as exc:
        raise ParseError(f"not an X.509 certificate: {exc}") from exc
    return Cert(der, parsed)


def verify_signature(key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey, algorithm: object, signature: bytes,
                     message: bytes, digest: str) -> None:  # fmt: skip
    """Verify ``signature`` over ``message``; ``algorithm`` is an asn1crypto SignedDigestAlgorithm."""
    kind = algorithm.signature_algo  # type: ignore[attr-defined]
    if kind == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, message, padding.PKCS1v15(), hash_algorithm(digest))
    elif kind == "rsassa_pss" and isinstance(key, rsa.RSAPublicKey):
        params = algorithm["parameters"]  # type: ignore[index]
        h = hash_algorithm(params["hash_algorithm"]["algorithm"].native)
        key.verify(signature, message, padding.PSS(padding.MGF1(h), params["salt_length"].native), h)
    elif kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, message, ec.ECDSA(hash_algorithm(digest)))
    else:
        raise ParseError(f"signature algorithm {kind} does not fit a {type(key).__name__}")


def issued_by(child: Cert, issuer: Cert) -> bool:
    """True when ``issuer``'s key verifies ``child``'s signature and the names chain."""
    if child.issuer != issuer.subject:
        return False
    algorithm = child.parsed["signature_algorithm"]
    try:
        digest = algorithm.hash_algo
        verify_signature(issuer.public_key(), algorithm, child.parsed["signature_value"].native,
                         child.parsed["tbs_certificate"].dump(), digest)  # fmt: skip
    except (InvalidSignature, ParseError, ValueError):
        return False
    return True
