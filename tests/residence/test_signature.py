"""Signature targets as the reference states them, both DC encodings, and the path to a pinned CA."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from taimen.core.tlv import encode
from taimen.errors import ParseError
from taimen.residence.document import DOCUMENT
from taimen.residence.entries import split
from taimen.residence.signature import (
    OFFICIAL_FINGERPRINTS,
    OFFICIAL_TEST_FINGERPRINTS,
    chain,
    verify_gen1,
    verify_gen2,
)
from taimen.samples import residence_cards as rc
from taimen.transport.inprocess import InProcessTransport
from taimen.trust import TrustStore
from taimen.trust.store import CertificateAnchor

SAMPLES = {s.key: s for s in rc.samples()}


def _values(data: bytes) -> dict[int, bytes]:
    return {o.tag: o.value for o in split(data, "t")}


def test_gen1_target_is_d0_7000_then_d1_3000(pki: rc.SamplePki) -> None:
    files = rc._gen1_files(SAMPLES["rc1-nguyen"], pki)
    d0 = _values(files["df1_ef01"])[0xD0]
    d1 = _values(files["df1_ef02"])[0xD1]
    sig = _values(files["df3_ef01"])
    target = d0 + bytes(7000 - len(d0)) + d1 + bytes(3000 - len(d1))
    assert len(target) == 10000
    assert verify_gen1(pki.signer1, sig[0xDA], target)
    assert not verify_gen1(pki.signer1, sig[0xDA], d1 + d0)


def test_gen2_target_and_both_dc_encodings(pki: rc.SamplePki) -> None:
    files = rc._gen2_files(SAMPLES["sprc2-park"], pki)
    printed = b"".join(o.value for o in split(files["df1_ef02"], "t"))
    assert len(printed) == 34  # SPRC: 34 bytes of values, NUL-padded to 53 in the target
    images = _values(files["df1_ef03"])
    target = printed + bytes(19) + images[0xD1] + images[0xD0]
    raw = _values(files["df3_ef01"])[0xDC]
    assert len(raw) == 96
    assert verify_gen2(pki.signer2, raw, target) == (True, "raw r‖s")
    der = pki.signer2_key.sign(target, ec.ECDSA(hashes.SHA256()))
    assert verify_gen2(pki.signer2, der, target) == (True, "DER")
    r, s = decode_dss_signature(der)
    assert verify_gen2(pki.signer2, r.to_bytes(48, "big") + s.to_bytes(48, "big"), target)[0]
    assert not verify_gen2(pki.signer2, raw, printed + images[0xD1] + images[0xD0])[0]  # no padding: refuted


def test_der_signature_on_a_card_exceeds_the_96_byte_field(pki: rc.SamplePki, store: TrustStore) -> None:
    """The conflict of residence-card.md §3: a DER P-384 signature is 102-104 bytes, more than DC's 96-byte
    maximum, so the table's "ASN.1" cannot be literal; the card's DC is raw r‖s and a longer DC is refused."""
    s = SAMPLES["rc2-smith"]
    card = rc.build_card(s, pki)
    df3 = next(a for a in card.applications if a.name == "DF3")
    ef = df3.files[0x01]
    vals = _values(ef.data)
    files = rc._gen2_files(s, pki)
    printed = b"".join(o.value for o in split(files["df1_ef02"], "t"))
    imgs = _values(next(a for a in card.applications if a.name == "DF1").files[0x03].data)
    der = pki.signer2_key.sign(printed + imgs[0xD1] + imgs[0xD0], ec.ECDSA(hashes.SHA256()))
    ef.data = (encode(0xDC, der) + encode(0xDD, vals[0xDD])).ljust(704, b"\x00")
    assert len(der) > 96
    with pytest.raises(ParseError, match="at most 96"):
        DOCUMENT.read(InProcessTransport(card), {"card_number": s.number}, store=store)  # type: ignore[arg-type]


def test_chain_outcomes(pki: rc.SamplePki) -> None:
    now = datetime(2026, 12, 5, tzinfo=UTC)
    assert chain(pki.signer2, TrustStore(), now).status == "no_anchor"
    assert chain(pki.signer2, TrustStore([], [CertificateAnchor("residence", pki.ca2, "x")]), now).status == "anchored"
    test_only = TrustStore([], [CertificateAnchor("residence-test", pki.ca2, "t")])
    assert chain(pki.signer2, test_only, now).status == "test_anchor"
    _, rogue = rc.rogue_gen2()
    assert chain(rogue, TrustStore([], [CertificateAnchor("residence", pki.ca2, "x")]), now).status == "broken"


def test_official_fingerprints_are_the_published_ones() -> None:
    # residence-card.md §3: four 1st-gen ZairyuCard CA, the CA2 and (separately) the test CA2
    assert len(OFFICIAL_FINGERPRINTS) == 5 and len(OFFICIAL_TEST_FINGERPRINTS) == 1
    assert all(len(k) == 64 and k == k.upper() for k in (*OFFICIAL_FINGERPRINTS, *OFFICIAL_TEST_FINGERPRINTS))
    assert "11E6AD8B8E64F0CDB1D8BA9E3689926C80E8479A2F098616F674A23582BEC13B" in OFFICIAL_FINGERPRINTS


@pytest.mark.parametrize("category", ["residence-test"])
def test_test_anchor_never_genuine(pki: rc.SamplePki, category: str) -> None:
    s = SAMPLES["rc2-smith"]
    store = TrustStore([], [CertificateAnchor(category, pki.ca2, "t")])
    r = DOCUMENT.read(
        InProcessTransport(rc.build_card(s, pki)),
        {"card_number": s.number},
        store=store,  # type: ignore[arg-type]
        today=date(2026, 12, 5),
    )
    assert r.verdict is not None and r.verdict.status == "attention"


def test_an_isa_look_alike_anchor_is_ignored() -> None:
    """A self-made CA named exactly like ISA's, dropped into the trust directory, does not match the published
    fingerprint: it is never used as an anchor."""
    import datetime as dt

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Japanese Government"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "The Ministry of Justice"),
            x509.NameAttribute(NameOID.COMMON_NAME, "ZairyuCard CA2"),
        ]
    )
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    ca = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
          .serial_number(1).not_valid_before(start).not_valid_after(start + dt.timedelta(days=3650))
          .sign(key, hashes.SHA256()))  # fmt: skip
    signer_key = ec.generate_private_key(ec.SECP384R1())
    signer = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(signer_key.public_key())
              .serial_number(2).not_valid_before(start).not_valid_after(start + dt.timedelta(days=3650))
              .sign(key, hashes.SHA256()))  # fmt: skip
    store = TrustStore([], [CertificateAnchor("residence", ca, "look-alike")])
    assert chain(signer, store, datetime(2026, 12, 5, tzinfo=UTC)).status == "no_anchor"


def test_hostile_certificate_with_an_unknown_key_algorithm(pki: rc.SamplePki, store: TrustStore) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    der = pki.signer2.public_bytes(Encoding.DER)
    ec_oid = bytes.fromhex("06072A8648CE3D0201")  # id-ecPublicKey
    assert ec_oid in der
    bad = der.replace(ec_oid, bytes.fromhex("06072A8648CE3D0209"), 1)  # an OID no library knows as a key
    s = SAMPLES["rc2-smith"]
    card = rc.build_card(s, pki)
    ef = next(a for a in card.applications if a.name == "DF3").files[0x01]
    vals = _values(ef.data)
    ef.data = (encode(0xDC, vals[0xDC]) + encode(0xDD, bad)).ljust(704, b"\x00")
    r = DOCUMENT.read(InProcessTransport(card), {"card_number": s.number}, store=store)  # type: ignore[arg-type]
    assert r.verdict is not None and r.verdict.status == "not_genuine"
