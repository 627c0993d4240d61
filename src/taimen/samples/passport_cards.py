"""Sample passports (synthetic persons, a sample CSCA that is NOT the Ministry of Foreign Affairs') and forgeries.

``build(out_dir)`` writes one card image per sample and ``trust/csca/taimen-sample-csca.pem``; read them with
``--trust-dir OUT/trust``. Keys are generated afresh per process and never written except as part of the card
images (which hold every secret of a card in clear, docs/card-image.md).

Forgeries, each caught by the check meant for it:

- ``forged-dg2-swapped``: the face (DG2) replaced after signing → ``passport.dg_hashes`` fails;
- ``forged-unknown-signer``: the EF.SOD signed by a signer under a look-alike CSCA → ``passport.dsc_chain`` fails;
- ``forged-clone-no-aa``: every file copied onto a chip without the AA private key → ``passport.active_auth``;
- ``forged-any-key``: a chip that answers MUTUAL AUTHENTICATE "successfully" to any key →
  ``passport.access_control``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from asn1crypto import algos, cms, core
from asn1crypto import x509 as a509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from PIL import Image

from taimen.core.tlv import encode
from taimen.emulator.card import DedicatedFile, ElementaryFile, VirtualCard
from taimen.emulator.image import save_card
from taimen.emulator.passport_card import AaPrivateKey, EmrtdChip
from taimen.passport import lds
from taimen.passport.certs import Cert
from taimen.passport.certs import load as load_cert
from taimen.passport.dg1 import encode_dg1
from taimen.passport.dg2 import encode_dg2
from taimen.passport.dg11 import encode_dg11, encode_dg12
from taimen.passport.dg14 import encode_dg14, encode_security_infos
from taimen.passport.dg15 import encode_dg15
from taimen.passport.mrz import MrzKey, make_td3
from taimen.passport.sod import OID_LDS_SECURITY_OBJECT, LdsSecurityObject
from taimen.samples.face import portrait

CSCA_CN = "TAIMEN SAMPLE e-passport CSCA (NOT MOFA)"
TRUST_FILE = "taimen-sample-csca.pem"
OID_AA_INFO = "2.23.136.1.1.5"
OID_ECDSA_PLAIN_SHA256 = "0.4.0.127.0.7.1.1.4.1.3"


@dataclass(frozen=True)
class PassportPerson:
    key: str
    surname: str
    given: str
    name_ja: str
    number: str
    birth: str  # YYMMDD
    sex: str
    expiry: str  # YYMMDD
    issued: str  # YYYYMMDD
    face_seed: int
    face_format: str  # "jpeg" | "jp2"
    aa: str | None  # "rsa" | "ec" | None
    pace: tuple[str, int] | None = None  # (PACE OID, Table 12 parameter ID) offered in EF.CardAccess
    ca: bool = False  # chip authentication (DG14, ECDH P-256, AES-128)


PERSONS = {
    p.key: p
    for p in (
        PassportPerson("yamada", "YAMADA", "HANAKO", "山田　花子", "TS1234567", "850217", "F", "340331", "20240401",
                       3, "jpeg", "rsa"),
        PassportPerson("sato", "SATO", "TARO", "佐藤　太郎", "TT7654321", "700805", "M", "300915", "20200915",
                       11, "jp2", "ec", ("0.4.0.127.0.7.2.2.4.2.2", 13), ca=True),
        PassportPerson("suzuki", "SUZUKI", "ICHIRO", "鈴木　一郎", "MZ0000321", "010101", "M", "270610", "20170610",
                       5, "jpeg", None),
    )
}  # fmt: skip


def mrz_lines(p: PassportPerson) -> tuple[str, str]:
    return make_td3(issuing_state="JPN", surname=p.surname, given_names=p.given, document_number=p.number,
                    nationality="JPN", birth=p.birth, sex=p.sex, expiry=p.expiry)  # fmt: skip


def mrz_key(p: PassportPerson) -> MrzKey:
    return MrzKey(p.number, p.birth, p.expiry)


# --- the sample PKI ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    csca_key: ec.EllipticCurvePrivateKey
    csca: x509.Certificate
    dsc_key: ec.EllipticCurvePrivateKey
    dsc: x509.Certificate


def _name(cn: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "taimen samples"),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])  # fmt: skip


def _pki(serial: int) -> Pki:
    csca_key = ec.generate_private_key(ec.SECP384R1())
    start, end = dt.datetime(2015, 1, 1, tzinfo=dt.UTC), dt.datetime(2045, 1, 1, tzinfo=dt.UTC)
    ku_ca = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
    csca = (
        x509.CertificateBuilder().subject_name(_name(CSCA_CN)).issuer_name(_name(CSCA_CN))
        .public_key(csca_key.public_key()).serial_number(serial).not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(ku_ca, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(csca_key.public_key()), critical=False)
        .sign(csca_key, hashes.SHA384())
    )  # fmt: skip
    dsc_key = ec.generate_private_key(ec.SECP256R1())
    ku_ds = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
    dsc = (
        x509.CertificateBuilder().subject_name(_name("TAIMEN SAMPLE DOCUMENT SIGNER")).issuer_name(csca.subject)
        .public_key(dsc_key.public_key()).serial_number(serial + 1)
        .not_valid_before(start).not_valid_after(dt.datetime(2040, 1, 1, tzinfo=dt.UTC))
        .add_extension(ku_ds, critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(csca_key.public_key()), critical=False)
        .sign(csca_key, hashes.SHA384())
    )  # fmt: skip
    return Pki(csca_key, csca, dsc_key, dsc)


@cache
def pki() -> Pki:
    return _pki(0x5A0001)


@cache
def rogue_pki() -> Pki:
    """A look-alike CSCA (same name, different key): what a forger who cannot get MOFA's key would build."""
    return _pki(0x5A0001)


@cache
def aa_key(kind: str, who: str) -> AaPrivateKey:
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


# --- files -------------------------------------------------------------------------------------------------


def face_image(seed: int, fmt: str) -> tuple[bytes, int, int]:
    img = portrait(seed).resize((240, 320), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "jp2":
        img.save(out, "JPEG2000", irreversible=True, quality_mode="rates", quality_layers=[20], no_jp2=False)
    else:
        img.save(out, "JPEG", quality=80)
    return out.getvalue(), img.width, img.height


def build_sod(groups: dict[int, bytes], signer: Pki) -> bytes:
    lso = LdsSecurityObject({
        "version": 0,
        "hash_algorithm": {"algorithm": "sha256"},
        "hashes": [{"number": n, "hash": hashlib.sha256(d).digest()} for n, d in sorted(groups.items())],
    }).dump()  # fmt: skip
    attrs = cms.CMSAttributes([
        {"type": "content_type", "values": [OID_LDS_SECURITY_OBJECT]},
        {"type": "message_digest", "values": [hashlib.sha256(lso).digest()]},
    ])  # fmt: skip
    signature = signer.dsc_key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
    dsc = a509.Certificate.load(signer.dsc.public_bytes(serialization.Encoding.DER))
    signed = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
        "encap_content_info": {"content_type": OID_LDS_SECURITY_OBJECT, "content": core.ParsableOctetString(lso)},
        "certificates": [dsc],
        "signer_infos": [{
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
                "issuer": dsc.issuer, "serial_number": dsc.serial_number}}),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attrs,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": signature,
        }],
    })  # fmt: skip
    return encode(lds.TAG_SOD, cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump())


OID_CA_ECDH_AES128 = "0.4.0.127.0.7.2.2.3.2.2"
OID_PK_ECDH = "0.4.0.127.0.7.2.2.1.2"


@cache
def ca_key(who: str) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def data_groups(p: PassportPerson, aa: AaPrivateKey | None) -> dict[int, bytes]:
    l1, l2 = mrz_lines(p)
    image, w, h = face_image(p.face_seed, p.face_format)
    groups = {
        1: encode_dg1(l1, l2),
        2: encode_dg2(image, w, h, 1 if p.face_format == "jp2" else 0),
        11: encode_dg11({0x5F0E: p.name_ja, 0x5F2B: ("19" if int(p.birth[:2]) > 30 else "20") + p.birth}),
        12: encode_dg12({0x5F19: "MINISTRY OF FOREIGN AFFAIRS (SAMPLE)", 0x5F26: p.issued}),
    }
    infos: list[tuple[str, bytes, bytes | None]] = []
    if aa is not None:
        groups[15] = encode_dg15(aa.public_key())
        if isinstance(aa, ec.EllipticCurvePrivateKey):  # 9303-11 §6.1: ECDSA AA is announced in DG14
            infos.append((OID_AA_INFO, core.Integer(1).dump(), core.ObjectIdentifier(OID_ECDSA_PLAIN_SHA256).dump()))
    if p.ca:
        spki = ca_key(p.key).public_key().public_bytes(serialization.Encoding.DER,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)  # fmt: skip
        infos.append((OID_CA_ECDH_AES128, core.Integer(1).dump(), None))
        infos.append((OID_PK_ECDH, spki, None))
    if infos:
        groups[14] = encode_dg14(infos)
    return groups


def passport_card(groups: dict[int, bytes], sod: bytes, chip: EmrtdChip, description: str,
                  sample: dict[str, object]) -> VirtualCard:  # fmt: skip
    mf = DedicatedFile("MF")
    if chip.pace_offer is not None:
        oid, pid = chip.pace_offer
        infos = encode_security_infos([(oid, core.Integer(2).dump(), core.Integer(pid).dump())])
        mf.add_file(ElementaryFile(lds.EF_CARD_ACCESS, infos, name="EF.CardAccess"))
    app = DedicatedFile("eMRTD LDS1", lds.LDS1_AID)
    app.add_file(ElementaryFile(lds.EF_COM, lds.encode_com(sorted(groups)), name="EF.COM"))
    app.add_file(ElementaryFile(lds.EF_SOD, sod, name="EF.SOD"))
    for dg, data in sorted(groups.items()):
        app.add_file(ElementaryFile(lds.DATA_GROUPS[dg][0], data, name=f"DG{dg}"))
    return VirtualCard(mf, [app], card_type="passport", description=description, sample=sample, behaviours=[chip])


@dataclass(frozen=True)
class SamplePassport:
    key: str
    person: PassportPerson
    description: str
    expected_verdict: str
    failing_check: str | None  # the check meant to catch a forgery

    def card(self) -> VirtualCard:
        p = self.person
        aa = aa_key(p.aa, p.key) if p.aa else None
        groups = data_groups(p, aa)
        signer = rogue_pki() if self.key == "forged-unknown-signer" else pki()
        sod = build_sod(groups, signer)
        if self.key == "forged-dg2-swapped":
            image, w, h = face_image(p.face_seed + 100, p.face_format)
            groups[2] = encode_dg2(image, w, h, 0)
        chip = EmrtdChip(mrz_key(p), None if self.key == "forged-clone-no-aa" else aa,
                         accept_any_key=self.key == "forged-any-key", pace_offer=p.pace,
                         ca_key=ca_key(p.key) if p.ca and self.key != "forged-clone-no-aa" else None)  # fmt: skip
        l1, l2 = mrz_lines(p)
        sample = {"mrz": [l1, l2], "document_number": p.number, "birth": p.birth, "expiry": p.expiry,
                  "expected_verdict": self.expected_verdict}  # fmt: skip
        return passport_card(groups, sod, chip, self.description, sample)


def all_samples() -> list[SamplePassport]:
    y = PERSONS["yamada"]
    return [
        SamplePassport("yamada", y, "sample passport, RSA active authentication, JPEG face", "genuine", None),
        SamplePassport("sato", PERSONS["sato"], "sample passport, PACE (ECDH-GM brainpoolP256r1 AES-128), ECDSA "
                       "active authentication, chip authentication (ECDH P-256), JPEG 2000 face",
                       "genuine", None),
        SamplePassport("suzuki", PERSONS["suzuki"], "sample passport without active authentication (BAC only)",
                       "genuine", None),
        SamplePassport("forged-dg2-swapped", y, "forgery: face (DG2) replaced after signing", "not_genuine",
                       "passport.dg_hashes"),
        SamplePassport("forged-unknown-signer", y, "forgery: EF.SOD signed under a look-alike CSCA", "not_genuine",
                       "passport.dsc_chain"),
        SamplePassport("forged-clone-no-aa", y, "forgery: files cloned onto a chip without the AA key",
                       "not_genuine", "passport.active_auth"),
        SamplePassport("forged-any-key", y, "forgery: chip answers MUTUAL AUTHENTICATE to any key", "not_genuine",
                       "passport.access_control"),
    ]  # fmt: skip


def sample(key: str) -> SamplePassport:
    return next(s for s in all_samples() if s.key == key)


def write_trust(out_dir: Path) -> Path:
    d = out_dir / "trust" / "csca"
    d.mkdir(parents=True, exist_ok=True)
    path = d / TRUST_FILE
    path.write_bytes(pki().csca.public_bytes(serialization.Encoding.PEM))
    return path


def build(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_trust(out_dir)]
    for s in all_samples():
        path = out_dir / f"passport-{s.key}.json"
        save_card(s.card(), path)
        written.append(path)
    return written


def sample_csca() -> Cert:
    """The sample CSCA as the passport code holds pinned anchors."""
    return load_cert(pki().csca.public_bytes(serialization.Encoding.DER))


def build_master_list(entries: list[x509.Certificate], signer_pki: Pki) -> bytes:
    """An ICAO CSCA master list signed by ``signer_pki``'s DSC key (stands in for a master-list signer)."""
    from taimen.passport.masterlist import OID_CSCA_MASTER_LIST, CscaMasterList

    content = CscaMasterList({
        "version": 0,
        "certificates": [a509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in entries],
    }).dump()  # fmt: skip
    attrs = cms.CMSAttributes([
        {"type": "content_type", "values": [OID_CSCA_MASTER_LIST]},
        {"type": "message_digest", "values": [hashlib.sha256(content).digest()]},
    ])  # fmt: skip
    signer = a509.Certificate.load(signer_pki.dsc.public_bytes(serialization.Encoding.DER))
    signed = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
        "encap_content_info": {"content_type": OID_CSCA_MASTER_LIST, "content": core.ParsableOctetString(content)},
        "certificates": [signer],
        "signer_infos": [{
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
                "issuer": signer.issuer, "serial_number": signer.serial_number}}),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attrs,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": signer_pki.dsc_key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256())),
        }],
    })  # fmt: skip
    return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()
