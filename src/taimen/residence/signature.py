"""Check code (signature) and certificate of the residence card, and the path to a pinned ISA CA.

residence-card.md §3:

- gen 1: DA = RSA-2048 PKCS#1 v1.5 / SHA-256 over D0 value zero-padded to 7000 ‖ D1 value zero-padded to
  3000 (the front-face image and the face photo), key from the card certificate DB;
- gen 2: DC = ECDSA P-384 / SHA-256 over the printed-entry values (file order, NUL-padded to 53 bytes; an
  SPRC has 34) ‖ D1 face ‖ D0 name image, key from DD. DC is 96 bytes: the sources conflict on its encoding
  (the spec table says "ASN.1", the Appendix example and eringoio's verifier use raw r‖s), so a 96-byte value
  is read as raw r‖s and any other length as DER; both are tested.

Not signed: DF2 (address, permissions, renewal) and, in gen 2, the address image DF D1.

The certificate must chain to exactly one CA pinned in the trust store (category ``residence``; the official
test CA2 belongs in ``residence-test``, which never yields "genuine"). Nothing from the card is a trust
anchor. Certificates are public ISA data; their fingerprints as published are listed below so that an
administrator's copy is recognised as official.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from taimen.errors import ParseError
from taimen.trust import TrustStore

CATEGORY = "residence"
TEST_CATEGORY = "residence-test"
GEN1_D0_SIZE = 7000
GEN1_D1_SIZE = 3000

#: SHA-256 of the ISA CA certificates as published (residence-card.md §3). Not bundled: their bytes could not
#: be obtained here. An administrator who drops the published files into ``<trust dir>/residence/`` gets them
#: recognised by these fingerprints.
OFFICIAL_FINGERPRINTS = {
    "97F37C5967AF5F3CD84E6ED694B09539ABB7F8E7E76B6F7496A060008982983D": "ZairyuCard CA 2015–2025",
    "FF02323CEA7B8C3DFC0DC2DE79D46E78514AF587368523086B188E9690AEC861": "ZairyuCard CA 2018–2028",
    "6F50161AA80F7FF7C630505FAF472906F7B101D5083E327A6182C82CD7985E67": "ZairyuCard CA 2021–2031",
    "BF854466ED9ABF61F559C39BF8790546F8ACDAB99B51FD2330563669CE4A71B2": "ZairyuCard CA 2024–2034",
    "11E6AD8B8E64F0CDB1D8BA9E3689926C80E8479A2F098616F674A23582BEC13B": "ZairyuCard CA2 2026–2039",
}
OFFICIAL_TEST_FINGERPRINTS = {
    "1846B815D31F04FE93D57450A6D8A8C351EAC3D8C444A2375D95734DF7DD1057": "ZairyuCard test CA2 2026–2039",
}


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest().upper()


def load_card_certificate(der: bytes, label: str) -> x509.Certificate:
    try:
        cert = x509.load_der_x509_certificate(der)
        cert.public_key()  # parsed lazily: a hostile key algorithm fails here, not later
        return cert
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ParseError(f"{label}: the certificate is not valid DER X.509: {exc}") from exc


def gen1_target(d0: bytes, d1: bytes) -> bytes:
    if len(d0) > GEN1_D0_SIZE or len(d1) > GEN1_D1_SIZE:
        raise ParseError("gen-1 signed image larger than its fixed field")
    return d0.ljust(GEN1_D0_SIZE, b"\x00") + d1.ljust(GEN1_D1_SIZE, b"\x00")


def gen2_target(printed_values: list[bytes], d1: bytes, d0: bytes, size: int = 53) -> bytes:
    printed = b"".join(printed_values)
    if len(printed) > size:
        raise ParseError(f"printed entries of {len(printed)} bytes exceed the {size}-byte signed field")
    return printed.ljust(size, b"\x00") + d1 + d0


def ecdsa_signature_der(value: bytes) -> tuple[bytes, str]:
    """(DER signature, how it was encoded on the card): 96 bytes = raw r‖s, anything else must be DER."""
    if len(value) == 96:
        r, s = int.from_bytes(value[:48], "big"), int.from_bytes(value[48:], "big")
        return encode_dss_signature(r, s), "raw r‖s"
    return value, "DER"


def verify_gen1(cert: x509.Certificate, signature: bytes, target: bytes) -> bool:
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        return False
    try:
        key.verify(signature, target, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def verify_gen2(cert: x509.Certificate, signature: bytes, target: bytes) -> tuple[bool, str]:
    key = cert.public_key()
    der, encoding = ecdsa_signature_der(signature)
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp384r1":
        return False, encoding
    try:
        key.verify(der, target, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False, encoding
    return True, encoding


@dataclass
class ChainResult:
    status: str  # "anchored" | "test_anchor" | "no_anchor" | "broken" | "ambiguous"
    anchor_label: str = ""
    official: bool = False
    detail_en: str = ""
    detail_ja: str = ""
    warnings: tuple[str, ...] = ()


def _issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    if cert.issuer != ca.subject:
        return False
    key = ca.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            assert cert.signature_hash_algorithm is not None
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            assert cert.signature_hash_algorithm is not None
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
        else:
            return False
    except (InvalidSignature, ValueError, AssertionError, TypeError):
        return False
    return True


ISA_CA_NAMES = ("ZairyuCard CA", "ZairyuCard CA2")


def claims_isa(cert: x509.Certificate) -> bool:
    """A certificate whose subject is one of ISA's CA names (O=Japanese Government, CN=ZairyuCard CA/CA2)."""
    cns = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    orgs = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    return any(cn in ISA_CA_NAMES for cn in cns) and "Japanese Government" in orgs


def usable_anchor(cert: x509.Certificate, category: str) -> bool:
    """An anchor that names itself an ISA CA counts only with a published fingerprint (residence-card.md §3):
    a look-alike dropped into a trust directory is ignored, never trusted."""
    if not claims_isa(cert):
        return True  # an administrator's own CA (e.g. taimen's sample CA): trusted as pinned, never "official"
    allowed = OFFICIAL_FINGERPRINTS if category == CATEGORY else OFFICIAL_TEST_FINGERPRINTS
    return fingerprint(cert) in allowed


def chain(cert: x509.Certificate, store: TrustStore, now: datetime | None = None) -> ChainResult:
    """Find the pinned CA that signed ``cert``: exactly one must verify (never the newest by default)."""
    now = now or datetime.now(UTC)
    for category, status in ((CATEGORY, "anchored"), (TEST_CATEGORY, "test_anchor")):
        anchors = [a for a in store.certificates(category) if usable_anchor(a.certificate, category)]
        named = [a for a in anchors if a.certificate.subject == cert.issuer]
        valid = [a for a in named if _issued_by(cert, a.certificate)]
        if len(valid) > 1:
            return ChainResult(
                "ambiguous",
                detail_en="several pinned CAs verify this certificate",
                detail_ja="複数の固定CAがこの証明書を検証しました（曖昧）",
            )
        if valid:
            a = valid[0]
            fp = a.fingerprint
            label = OFFICIAL_FINGERPRINTS.get(fp) or OFFICIAL_TEST_FINGERPRINTS.get(fp) or a.label
            warnings = []
            if not a.certificate.not_valid_before_utc <= now <= a.certificate.not_valid_after_utc:
                warnings.append("anchor_outside_validity")
            return ChainResult(status, label, fp in OFFICIAL_FINGERPRINTS, warnings=tuple(warnings))
        if named:
            return ChainResult(
                "broken",
                detail_en=f"issuer {cert.issuer.rfc4514_string()} is pinned, but its key "
                "does not verify this certificate",
                detail_ja="発行者名は固定CAと一致しますが、そのCAの鍵で証明書の署名を検証できません",
            )
    issuer = cert.issuer.rfc4514_string()
    return ChainResult(
        "no_anchor",
        detail_en=f"no CA named {issuer} is pinned here",
        detail_ja=f"発行者 {issuer} のCA証明書がこの端末に登録されていません",
    )
