"""JPKI AP: token information and the authentication certificate against pinned roots (never the card's CA)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from taimen.errors import ParseError
from taimen.mynumber import jpki_ap
from taimen.mynumber.efs import FileResult
from taimen.result import CheckStatus
from taimen.samples import jlis_test_pki
from taimen.trust import CertificateAnchor, TrustStore

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
PKI = jlis_test_pki.default()
KEY = jlis_test_pki.new_key()


def _store(*roots: x509.Certificate) -> TrustStore:
    return TrustStore(certificates=[CertificateAnchor("jpki", r, f"root{i}") for i, r in enumerate(roots)])


def _leaf(not_after: dt.date = dt.date(2029, 2, 17), pki: jlis_test_pki.SamplePki = PKI) -> x509.Certificate:
    return jlis_test_pki.jpki_auth_certificate(pki, KEY.public_key(), dt.date(2024, 4, 1), not_after, "000001")


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        (b"JPKIAPICCTOKEN2".ljust(32, b" "), "JPKIAPICCTOKEN2"),
        (b"JPKIAPGPSETOKEN".ljust(32, b" ") + bytes(128), "JPKIAPGPSETOKEN"),
        (b"JPKIAPICCTOKEN", "JPKIAPICCTOKEN"),
    ],
)
def test_token_labels(raw: bytes, label: str) -> None:
    assert jpki_ap.parse_token_info(raw) == label


@pytest.mark.parametrize("raw", [b"", b" " * 32, b"JPKI\x1b[2J".ljust(32, b" "), bytes(600)])
def test_bad_token_info(raw: bytes) -> None:
    with pytest.raises(ParseError):
        jpki_ap.parse_token_info(raw)


@pytest.mark.parametrize(
    ("token", "status"),
    [("JPKIAPICCTOKEN2", CheckStatus.PASSED), ("JPKIAPIOSTOKEN", CheckStatus.FAILED), ("OTHER", CheckStatus.FAILED)],
)
def test_token_check(token: str, status: CheckStatus) -> None:
    records = jpki_ap.JpkiRecords(0x9000, FileResult(token.encode().ljust(32, b" ")), FileResult(), FileResult())
    ev = jpki_ap.evaluate(records, _store(), NOW)
    assert next(c for c in ev.checks if c.name == "jpki.token").status is status
    assert next(c for c in ev.checks if c.name == "jpki.auth_cert").status is CheckStatus.SKIPPED


def test_missing_jpki_ap_fails() -> None:
    ev = jpki_ap.evaluate(jpki_ap.JpkiRecords(0x6A82), _store(), NOW)
    assert [c.status for c in ev.checks] == [CheckStatus.FAILED]


def test_chain_to_pinned_root() -> None:
    check = jpki_ap.check_auth_certificate(_leaf(), None, _store(PKI.jpki_root), NOW)
    assert check.status is CheckStatus.PASSED
    assert any("revocation" in n for n in check.not_covered)
    assert not check.required


def test_the_card_ca_is_never_an_anchor() -> None:
    """The CA certificate the card supplies does not make its own certificates trusted."""
    check = jpki_ap.check_auth_certificate(_leaf(), PKI.jpki_root, _store(), NOW)
    assert check.status is CheckStatus.NOT_VERIFIABLE


def test_issuer_is_chosen_by_signature_not_name() -> None:
    """A root with the same DN but another key (like JPKI's generations) does not verify the leaf."""
    same_name = x509.CertificateBuilder(
        subject_name=PKI.jpki_root.subject,
        issuer_name=PKI.jpki_root.subject,
        public_key=KEY.public_key(),
        serial_number=1,
        not_valid_before=dt.datetime(2015, 1, 1),
        not_valid_after=dt.datetime(2045, 1, 1),
        extensions=[x509.Extension(x509.BasicConstraints.oid, True, x509.BasicConstraints(True, None))],
    ).sign(KEY, hashes.SHA256())
    assert jpki_ap.check_auth_certificate(_leaf(), None, _store(same_name), NOW).status is CheckStatus.NOT_VERIFIABLE
    both = _store(same_name, PKI.jpki_root)
    assert jpki_ap.check_auth_certificate(_leaf(), None, both, NOW).status is CheckStatus.PASSED


def test_expired_certificate_warns() -> None:
    check = jpki_ap.check_auth_certificate(_leaf(dt.date(2025, 1, 1)), None, _store(PKI.jpki_root), NOW)
    assert check.status is CheckStatus.WARNING


def test_leaf_claiming_to_be_a_ca_fails() -> None:
    bad = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(PKI.jpki_root.subject)
        .public_key(KEY.public_key())
        .serial_number(5)
        .not_valid_before(dt.datetime(2024, 1, 1))
        .not_valid_after(dt.datetime(2029, 1, 1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, False, False, False), critical=True)
        .sign(PKI.jpki_root_key, hashes.SHA256())
    )
    assert jpki_ap.check_auth_certificate(bad, None, _store(PKI.jpki_root), NOW).status is CheckStatus.FAILED


def test_intermediate_from_the_card_must_chain_to_a_pinned_root() -> None:
    inter_key = jlis_test_pki.new_key()
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "intermediate")])
    inter = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(PKI.jpki_root.subject)
        .public_key(inter_key.public_key())
        .serial_number(7)
        .not_valid_before(dt.datetime(2020, 1, 1))
        .not_valid_after(dt.datetime(2040, 1, 1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(PKI.jpki_root_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(name)
        .public_key(KEY.public_key())
        .serial_number(8)
        .not_valid_before(dt.datetime(2024, 1, 1))
        .not_valid_after(dt.datetime(2029, 1, 1))
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .sign(inter_key, hashes.SHA256())
    )
    assert jpki_ap.check_auth_certificate(leaf, inter, _store(PKI.jpki_root), NOW).status is CheckStatus.PASSED
    assert jpki_ap.check_auth_certificate(leaf, inter, _store(), NOW).status is CheckStatus.NOT_VERIFIABLE


def test_real_jpki_roots_are_pinned_and_do_not_verify_samples() -> None:
    builtin = TrustStore.load(builtin=True, environment=False)
    assert len(builtin.certificates("jpki")) == 6  # 2015, 2019 and 2023 generations, authentication and signing
    assert jpki_ap.check_auth_certificate(_leaf(), None, builtin, NOW).status is CheckStatus.NOT_VERIFIABLE


def test_malformed_certificate_fails() -> None:
    der = bytearray(_leaf().public_bytes(Encoding.DER))
    der[-5] ^= 0xFF  # signature bits: still parses, no longer verifies
    records = jpki_ap.JpkiRecords(
        0x9000, FileResult(b"JPKIAPICCTOKEN2".ljust(32, b" ")), FileResult(bytes(der)), FileResult()
    )
    ev = jpki_ap.evaluate(records, _store(PKI.jpki_root), NOW)
    assert next(c for c in ev.checks if c.name == "jpki.auth_cert").status is CheckStatus.NOT_VERIFIABLE
    records = jpki_ap.JpkiRecords(0x9000, records.token, FileResult(b"\x30\x03\x02\x01\x00"), FileResult())
    ev = jpki_ap.evaluate(records, _store(PKI.jpki_root), NOW)
    assert next(c for c in ev.checks if c.name == "jpki.auth_cert").status is CheckStatus.FAILED
