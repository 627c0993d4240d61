"""CVC parsing and verification against the trust store."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from taimen.core import tlv
from taimen.errors import ParseError
from taimen.mynumber import cvc
from taimen.mynumber.signatures import encode_rsa_public_key, sign_sha256
from taimen.result import CheckStatus
from taimen.trust import CvcAnchor, TrustStore

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CA_ID = cvc.make_key_id("9000023")
SUBJECT_ID = cvc.make_key_id("9100023")


def _cert(issuer: bytes = CA_ID, signer: rsa.RSAPrivateKey = CA) -> bytes:
    return cvc.encode_cvc(issuer, SUBJECT_ID, KEY.public_key(), lambda body: sign_sha256(signer, body))


def _store(role: str | None = "kenmen_ap", hierarchy: str = "taimen-sample", key_id: bytes = CA_ID) -> TrustStore:
    return TrustStore([CvcAnchor(key_id, "9000023/001", hierarchy, role, CA.public_key(), "test")])


def test_layout_matches_the_reference() -> None:
    raw = _cert()
    assert len(raw) == 568
    assert raw[:5] == bytes.fromhex("7F21820233")
    assert raw[5:10] == bytes.fromhex("5F4E820129")
    assert raw[10 + 297 : 10 + 297 + 5] == bytes.fromhex("5F37820100")
    parsed = cvc.parse_cvc(raw + b"\xff" * 10)
    assert parsed.issuer_key_id == CA_ID and parsed.subject_key_id == SUBJECT_ID
    assert parsed.public_key.public_numbers() == KEY.public_key().public_numbers()
    assert cvc.format_key_id(CA_ID) == "9000023/001"
    assert cvc.format_key_id(bytes.fromhex("353030303032300805303031000000A8")) == "5000020/001"
    assert cvc.format_key_id(b"\x01" * 16) == "01" * 16


def test_outcomes() -> None:
    parsed = cvc.parse_cvc(_cert())
    assert cvc.verify_cvc(parsed, _store(), "kenmen_ap").status is cvc.CvcStatus.VERIFIED
    assert cvc.verify_cvc(parsed, TrustStore(), "kenmen_ap").status is cvc.CvcStatus.UNKNOWN_ISSUER
    assert cvc.verify_cvc(parsed, _store(role="text_ap"), "kenmen_ap").status is cvc.CvcStatus.WRONG_ROLE
    assert cvc.verify_cvc(parsed, _store(hierarchy="test (JPKI-TEST cards)"), "kenmen_ap").status is (
        cvc.CvcStatus.JLIS_TEST
    )
    # same key ID, different padding byte: a different key, so unknown
    other_id = cvc.make_key_id("9000023", padding=b"\x00\x00\x00\x01")
    assert cvc.verify_cvc(parsed, _store(key_id=other_id), "kenmen_ap").status is cvc.CvcStatus.UNKNOWN_ISSUER
    forged = cvc.parse_cvc(_cert(signer=KEY))  # names the known ID, signed by someone else
    assert cvc.verify_cvc(forged, _store(), "kenmen_ap").status is cvc.CvcStatus.BAD_SIGNATURE


def test_checks_map_to_statuses() -> None:
    parsed = cvc.parse_cvc(_cert())
    assert cvc.check_cvc("x", "kenmen_ap", parsed, _store())[0].status is CheckStatus.PASSED
    assert cvc.check_cvc("x", "kenmen_ap", parsed, TrustStore())[0].status is CheckStatus.NOT_VERIFIABLE
    assert cvc.check_cvc("x", "kenmen_ap", parsed, _store(role="text_ap"))[0].status is CheckStatus.FAILED
    check, v = cvc.check_cvc("x", "kenmen_ap", parsed, _store(hierarchy="test"))
    assert check.status is CheckStatus.WARNING and v.trusted


def test_jlis_test_card_keys_are_built_in_and_warn() -> None:
    builtin = TrustStore.load(builtin=True, environment=False)
    anchor = builtin.cvc_key(bytes.fromhex("36303030303233080530303100000000"))
    assert anchor is not None and anchor.is_jlis_test


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b[:-1],  # truncated
        lambda b: b[:2] + b"\x82\x02\x34" + b[5:],  # outer length too long
        lambda b: tlv.encode(0x7F21, tlv.encode(0x5F4E, b[10:306]) + b[307:]),  # body of 296 bytes
        lambda b: tlv.encode(0x7F21, b[307:] + b[5:307]),  # objects swapped
        lambda b: b"\x7f\x22" + b[2:],  # wrong template
    ],
)
def test_malformed_certificates(mutate) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParseError):
        cvc.parse_cvc(mutate(_cert()))


def test_key_encoding_is_strict() -> None:
    from taimen.mynumber.signatures import parse_rsa_public_key

    good = encode_rsa_public_key(KEY.public_key())
    assert len(good) == 265
    assert parse_rsa_public_key(good).public_numbers() == KEY.public_key().public_numbers()
    with pytest.raises(ParseError):
        parse_rsa_public_key(tlv.encode(0x90, b"\x01\x00\x00") + good[5:])  # even exponent
    with pytest.raises(ParseError):
        parse_rsa_public_key(good[5:] + good[:5])
    with pytest.raises(ParseError):
        parse_rsa_public_key(tlv.encode(0x90, b"\x01\x00\x01") + tlv.encode(0x91, b"\x80" + bytes(127)))


def test_unofficial_anchor_is_said_so() -> None:
    parsed = cvc.parse_cvc(_cert())
    anchor = CvcAnchor(CA_ID, "9000023/001", "production", "kenmen_ap", CA.public_key(), "test", unofficial=True)
    check, _ = cvc.check_cvc("x", "kenmen_ap", parsed, TrustStore([anchor]))
    assert check.status is CheckStatus.PASSED
    assert "unofficially" in check.detail_en and "非公式" in check.detail_ja
