"""Sample driving-licence card images (and the test signer certificate that verifies them).

``build(out_dir)`` writes one card image per sample person with a licence, covering the emulated layouts:
spec v009 with 追記 and 令和 dates (yamada), v008 without PINs and a 平成33年 expiry (showa64), v009 with 外字,
many categories and 本籍 changes (long), v008 with every 記載事項 tag filled (foreign), v006 without the
準中型 tag (expired). All are signed by one freshly generated key; ``trust/license/`` beside the images holds
its self-signed certificate, so ``--trust-dir OUT/trust`` shows a verified signature. The key is a sample key
(NOT the NPA's) and is not written anywhere.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from taimen.emulator.card import VirtualCard
from taimen.emulator.image import save_card
from taimen.emulator.license_card import SignerInfo, build_license_card, build_myna_license_df
from taimen.samples.persons import PERSONS, Person, person

#: Persons whose sample My Number Card also carries the 免許AP (one with a licence PIN, one without).
MYNA_LICENSE_PERSONS = ("yamada", "showa64")

SIGNER_CN = "TAIMEN SAMPLE LICENSE SIGNER"
ISSUER_CN = "TAIMEN SAMPLE LICENSE CA (NOT NPA)"


def sample_signer(key: rsa.RSAPrivateKey | None = None) -> tuple[SignerInfo, x509.Certificate]:
    """A signer for emulated licences and its self-signed certificate (SKI = the key's identifier)."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    serial = 0x7A1E
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SIGNER_CN)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER_CN)]))
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365 * 30))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return SignerInfo(key, serial=f"{serial:X}", issuer=ISSUER_CN, subject=SIGNER_CN), cert


def license_persons() -> list[Person]:
    return [p for p in PERSONS if p.license is not None]


def describe(p: Person) -> str:
    f = p.license
    assert f is not None
    pins = f"PIN1 {f.pin1} / PIN2 {f.pin2}" if f.pin_set else "no PIN set (DPIN ****)"
    return f"IC driving licence of {p.key} (spec {f.spec_version}, {pins}); synthetic sample, not a real person"


def myna_license_card(
    key: str, signer: SignerInfo | None = None, *, holder: Person | None = None, **kw: object
) -> tuple[VirtualCard, dict[str, str]]:
    """A マイナ免許証: the person's sample My Number Card plus the 免許AP DF. Returns the card and the values
    a clerk would enter (照合番号B from the card face, and the licence PIN if one was set). ``holder`` replaces
    the person's licence facts (e.g. another PIN) for the 免許AP."""
    from taimen.samples import mynumber_cards

    p = holder or person(key)
    sample = mynumber_cards.genuine(key)
    card = sample.card()
    card.applications.append(build_myna_license_df(p, signer, **kw))  # type: ignore[arg-type]
    card.card_type = "mynumber_license"
    unlock = dict(sample.printed.unlock())
    facts = p.license
    assert facts is not None
    if facts.pin_set:
        unlock["license_pin"] = facts.pin1
    return card, unlock


def no_photo_card(key: str = "yamada", signer: SignerInfo | None = None) -> tuple[VirtualCard, dict[str, str]]:
    """A licence whose DF2 holds no photo EF (SELECT/READ answer 6A82): everything else must still show."""
    p = person(key)
    facts = p.license
    assert facts is not None
    card = build_license_card(p, signer or sample_signer()[0], omit=("df2_ef01",))
    unlock = {"pin1": facts.pin1, "pin2": facts.pin2} if facts.pin_set else {}
    return card, unlock


def expected_verdict(p: Person, today: dt.date | None = None) -> str:
    """What a read with the sample trust directory concludes: a signed, unexpired licence whose dates all fit
    their era is genuine; an expired one or one recording a year after its era ended needs attention."""
    f = p.license
    assert f is not None
    today = today or dt.date.today()
    return "attention" if f.expiry < today or f.expiry_era else "genuine"


def build(out_dir: Path) -> list[Path]:
    """Write ``license-<person>.json`` and ``myna-license-<person>.json`` card images, the sample licence
    signer certificate (``trust/license/``) and the test J-LIS anchors the マイナ免許証 samples need."""
    out_dir.mkdir(parents=True, exist_ok=True)
    signer, cert = sample_signer()
    written: list[Path] = []
    for p in license_persons():
        assert p.license is not None
        path = out_dir / f"license-{p.key}.json"
        facts = p.license
        save_card(
            build_license_card(p, signer),
            path,
            description=describe(p),
            person={
                "key": p.key,
                "document": "license",
                "pin1": facts.pin1 if facts.pin_set else None,
                "pin2": facts.pin2 if facts.pin_set else None,
                "spec_version": facts.spec_version,
                "trust_dir": "trust",
                "expected_verdict": expected_verdict(p),
            },
        )
        written.append(path)
    card, unlock = no_photo_card("yamada", signer)
    path = out_dir / "license-yamada-nophoto.json"
    save_card(
        card,
        path,
        description="IC driving licence of yamada without its DF2 photo EF; synthetic sample, not a real person",
        person={
            "key": "yamada",
            "document": "license",
            "pin1": unlock.get("pin1"),
            "pin2": unlock.get("pin2"),
            "trust_dir": "trust",
            # photo missing (warning); the signature covers the photo, so it cannot be verified
            "expected_verdict": "attention",
        },
    )
    written.append(path)
    from taimen.samples import jlis_test_pki

    for key in MYNA_LICENSE_PERSONS:
        card, unlock = myna_license_card(key, signer)
        path = out_dir / f"myna-license-{key}.json"
        save_card(
            card,
            path,
            description=f"マイナ免許証 of {key}: sample My Number Card with the 免許AP; synthetic, not a real person",
            person={
                "key": key,
                "document": "mynumber_license",
                "unlock": unlock,
                "trust_dir": "trust",
                # the licence data's signature cannot be verified (what 001C signs is not published)
                "expected_verdict": "attention",
            },
        )
        written.append(path)
    written += jlis_test_pki.default().write_trust_dir(out_dir / "trust")
    trust = out_dir / "trust" / "license"
    trust.mkdir(parents=True, exist_ok=True)
    pem = trust / "sample-signer.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    written.append(pem)
    return written
