"""taimen.trust.certinfo (the light certificate reader) agrees with cryptography.x509 field for field, and is
strict: anything but a well-formed DER certificate outline is a ParseError, never another exception."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from taimen.errors import OperatorInputError, ParseError
from taimen.license.signature import key_identifier
from taimen.trust import certinfo
from taimen.trust.store import RAW_CATEGORIES, CertificateAnchor, TrustStore, split_certificates

ANCHORS = Path(__file__).resolve().parents[1] / "src" / "taimen" / "trust" / "anchors"
_RSA = rsa.generate_private_key(public_exponent=65537, key_size=1024)
_EC = ec.generate_private_key(ec.SECP256R1())


def _cert(subject: x509.Name, *, ski: bool, serial: int, key: object = _RSA) -> x509.Certificate:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Issuer, Inc.")]))
        .public_key(key.public_key())  # type: ignore[attr-defined]
        .serial_number(serial)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
    )
    if ski:
        b = b.add_extension(x509.SubjectKeyIdentifier(b"\x01\x02\x03" * 4), critical=False)
    b = b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    return b.sign(_RSA, hashes.SHA256())


NAMES = [
    x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
               x509.NameAttribute(NameOID.ORGANIZATION_NAME, "警察庁")]),
    x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ' #lead "q" +,;<> trail ')]),
    x509.Name([x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COMMON_NAME, "a"),
                                               x509.NameAttribute(NameOID.SERIAL_NUMBER, "42")])]),
    x509.Name([x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "example"),
               x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Unit\\1"),
               x509.NameAttribute(NameOID.EMAIL_ADDRESS, "x@example.jp")]),
    x509.Name([]),
]  # fmt: skip


def _builtin() -> list[bytes]:
    """The built-in X.509 anchors (the CSCAs are kept raw: some are not strict DER, see trust/store.py)."""
    files = [f for f in sorted(ANCHORS.glob("*/*.pem")) if f.parent.name not in RAW_CATEGORIES]
    return [d for f in files for d in split_certificates(f.read_bytes(), f.name)]


def _agrees(der: bytes) -> None:
    ours, theirs = certinfo.parse(der), x509.load_der_x509_certificate(der)
    assert ours.serial == theirs.serial_number
    assert ours.subject == theirs.subject.public_bytes() and ours.issuer == theirs.issuer.public_bytes()
    assert ours.subject_text() == theirs.subject.rfc4514_string()
    assert ours.issuer_text() == theirs.issuer.rfc4514_string()
    assert ours.spki == theirs.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert ours.method1_key_id == x509.SubjectKeyIdentifier.from_public_key(theirs.public_key()).digest  # type: ignore[arg-type]
    try:
        want = theirs.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        want = None
    assert ours.ski == want


@pytest.mark.parametrize("der", _builtin(), ids=lambda d: d[-8:].hex())
def test_builtin_anchors_read_as_cryptography_reads_them(der: bytes) -> None:
    _agrees(der)


@pytest.mark.parametrize("name", NAMES, ids=range(len(NAMES)))
@pytest.mark.parametrize("ski", [True, False])
def test_generated_certificates(name: x509.Name, ski: bool) -> None:
    for serial in (1, 0x7F, 0x80, 2**150 + 17):
        _agrees(_cert(name, ski=ski, serial=serial).public_bytes(serialization.Encoding.DER))
    _agrees(_cert(name, ski=ski, serial=5, key=_EC).public_bytes(serialization.Encoding.DER))


def test_key_identifier_is_rfc5280_method1() -> None:
    for key in (_RSA.public_key(), _EC.public_key()):
        assert key_identifier(key) == x509.SubjectKeyIdentifier.from_public_key(key).digest


def test_anchor_from_der_parses_with_cryptography_only_when_asked() -> None:
    der = _cert(NAMES[0], ski=True, serial=9).public_bytes(serialization.Encoding.DER)
    a = CertificateAnchor("license", der, "x")
    assert "certificate" not in a.__dict__
    assert a.info.serial == 9 and a.public_key().public_numbers() == _RSA.public_key().public_numbers()
    assert "certificate" not in a.__dict__
    assert a.certificate.serial_number == 9
    assert a.fingerprint == CertificateAnchor("license", x509.load_der_x509_certificate(der), "y").fingerprint


GOOD = _cert(NAMES[1], ski=True, serial=3).public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        GOOD[:-1],  # truncated
        GOOD + b"\x00",  # trailing byte
        b"\x30\x80" + GOOD[4:] + b"\x00\x00",  # indefinite length
        b"\x30\x82\x00\x05" + b"\x02\x01\x01\x30\x00",  # length not in its shortest form
        b"\x31" + GOOD[1:],  # SET, not SEQUENCE
        b"\x30\x03\x02\x01\x01",  # no tbsCertificate
        b"\x30" + b"\x84\xff\xff\xff\xff",  # huge length
    ],
)
def test_malformed_is_a_parse_error(bad: bytes) -> None:
    with pytest.raises(ParseError):
        certinfo.parse(bad)


@settings(max_examples=400, deadline=None)
@given(st.integers(0, len(GOOD) - 1), st.integers(0, 255), st.integers(0, 40))
def test_mutations_fail_cleanly(pos: int, byte: int, cut: int) -> None:
    data = bytearray(GOOD)
    data[pos] = byte
    data = data[: len(data) - cut]
    try:
        info = certinfo.parse(bytes(data))
        info.subject_text()
        info.issuer_text()
    except ParseError:
        pass


def test_trust_store_refuses_a_non_certificate_at_load(tmp_path: Path) -> None:
    (tmp_path / "license").mkdir()
    (tmp_path / "license" / "x.der").write_bytes(b"\x30\x03\x02\x01\x01")
    with pytest.raises(OperatorInputError, match=r"not an X\.509 certificate"):
        TrustStore.load([tmp_path], builtin=False, environment=False)
