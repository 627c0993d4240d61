"""Sample residence cards and SPRCs (both generations) and the forgeries that taimen must catch.

Every sample is synthetic. The chip data is signed by taimen's own sample CAs ("TAIMEN SAMPLE …", NOT ISA):
an RSA-2048 CA for gen 1 and an EC P-384 CA for gen 2, written to ``trust/residence/`` beside the card images,
so the samples verify only with ``--trust-dir`` of the samples. Code values for nationality (C8), status of
residence (C9) and permission type (CA) are sample values: the official code lists were not available.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw

from taimen.core.tlv import encode
from taimen.emulator.card import DedicatedFile, ElementaryFile, KeyRef, VirtualCard
from taimen.emulator.image import save_card
from taimen.emulator.license_card import photo_jpeg2000
from taimen.emulator.residence_card import NUMBER_KEY_FID, NUMBER_RULE, ResidenceAccess
from taimen.residence import layout
from taimen.residence.layout import EfSpec
from taimen.residence.signature import gen1_target, gen2_target
from taimen.samples.persons import Person, ResidenceFacts
from taimen.samples.text_images import font

RESIDENCE_ATR = bytes.fromhex("3B8880010000000000000000")  # Type B card as a PC/SC reader reports it (sample)
CA1_NAME = "TAIMEN SAMPLE ZairyuCard CA (NOT ISA)"
CA2_NAME = "TAIMEN SAMPLE ZairyuCard CA2 (NOT ISA)"
SIGNER_NAME = "TAIMEN SAMPLE residence card signer"


@dataclass(frozen=True)
class ResidenceSample:
    key: str
    person: Person
    generation: int
    card_type: str  # "1", "2", "05", "06"
    number: str
    card_expiry: dt.date
    nationality_code: str = "USA"
    status_code: str = "T015"
    period: str = "0500"  # YYMM, DDD or 0000
    period_expiry: dt.date | None = None
    permission_type: str = "02"
    permission_date: dt.date = dt.date(2024, 7, 4)
    work: str = "1"
    comprehensive: str = "0"
    comprehensive_expiry: dt.date | None = None
    individual: str = "0"
    renewal: str = "0"
    note: str = ""
    address_entries: tuple[tuple[dt.date, str, str], ...] = ()
    gen1_permissions: tuple[str, str] = ("", "")
    forgery: str | None = None  # front, photo, resigned, any_number, gen1_as_gen2
    description: str = ""
    expected_verdict: str = "genuine"
    expected_check: str | None = None  # the check meant to catch the forgery
    unlock_number: str | None = None  # what the test types (a wrong number for the any-number chip)

    @property
    def sprc(self) -> bool:
        return self.card_type in ("2", "06")


def _person(
    key: str,
    family: str,
    given: str,
    birth: dt.date,
    sex: str,
    address: str,
    seed: int,
    number: str,
    expiry: dt.date,
    nationality: str,
    status: str,
    kind: str = "residence",
) -> Person:
    return Person(
        key=key,
        family_name=family,
        given_name=given,
        family_kana="",
        given_kana="",
        birth_date=birth,
        sex=sex,
        address=address,
        nationality=nationality,
        face_seed=seed,
        birth_calendar="seireki",
        residence=ResidenceFacts(number, expiry, nationality, status, kind),
    )


def samples() -> list[ResidenceSample]:
    smith = _person(
        "rc2-smith",
        "SMITH",
        "JOHN",
        dt.date(1990, 7, 4),
        "1",
        "東京都新宿区西新宿２丁目８番１号",
        11,
        "AB12345678CD",
        dt.date(2030, 7, 4),
        "米国",
        "技術・人文知識・国際業務",
    )
    nguyen = _person(
        "rc1-nguyen",
        "NGUYEN",
        "THI THANH HUONG MARIA-ALEXANDRA",
        dt.date(1998, 2, 14),
        "2",
        "大阪府大阪市北区中之島１丁目３番２０号",
        12,
        "EF98765432GH",
        dt.date(2027, 3, 31),
        "ベトナム",
        "留学",
    )
    kim = _person(
        "sprc1-kim",
        "金",
        "美淑",
        dt.date(1955, 10, 1),
        "2",
        "大阪府大阪市生野区勝山北３丁目１３番",
        13,
        "JK11223344LM",
        dt.date(2031, 10, 1),
        "韓国",
        "特別永住者",
        "special_permanent",
    )
    park = _person(
        "sprc2-park",
        "朴",
        "龍之介太郎右衛門",
        dt.date(1972, 12, 24),
        "1",
        "神奈川県川崎市川崎区宮本町１番地　川崎宮本町レジデンス１２０３号室",
        14,
        "NP55667788QR",
        dt.date(2033, 12, 24),
        "韓国",
        "特別永住者",
        "special_permanent",
    )
    silva = _person(
        "rc2-expired",
        "SILVA",
        "ANA",
        dt.date(1985, 5, 5),
        "2",
        "愛知県豊田市元城町１丁目４８番地",
        15,
        "ST24681357UV",
        dt.date(2029, 5, 5),
        "ブラジル",
        "定住者",
    )
    rahman = _person(
        "rc2-restricted",
        "RAHMAN",
        "MOHAMMAD",
        dt.date(2001, 1, 9),
        "1",
        "福岡県福岡市博多区博多駅前２丁目１番１号",
        16,
        "WX13572468YZ",
        dt.date(2027, 9, 30),
        "バングラデシュ",
        "家族滞在",
    )
    base = [
        ResidenceSample(
            "rc2-smith",
            smith,
            2,
            "05",
            "AB12345678CD",
            dt.date(2030, 7, 4),
            period="0500",
            period_expiry=dt.date(2030, 7, 4),
            description="2nd-generation residence card, no work restriction",
        ),
        ResidenceSample(
            "rc1-nguyen",
            nguyen,
            1,
            "1",
            "EF98765432GH",
            dt.date(2027, 3, 31),
            address_entries=(
                (dt.date(2023, 4, 1), "271276", "大阪府大阪市北区中之島１丁目３番２０号"),
                (dt.date(2025, 4, 10), "271276", "大阪府大阪市北区天満橋１丁目８番３０号　天満橋ハイツ５０２"),
            ),
            gen1_permissions=("許可：原則週２８時間以内・風俗営業等の従事を除く", ""),
            description="1st-generation residence card, long alphabet name, two address entries",
        ),
        ResidenceSample(
            "sprc1-kim",
            kim,
            1,
            "2",
            "JK11223344LM",
            dt.date(2031, 10, 1),
            address_entries=((dt.date(2021, 10, 1), "271284", "大阪府大阪市生野区勝山北３丁目１３番"),),
            description="1st-generation special permanent resident certificate",
        ),
        ResidenceSample(
            "sprc2-park",
            park,
            2,
            "06",
            "NP55667788QR",
            dt.date(2033, 12, 24),
            nationality_code="KOR",
            status_code="S001",
            period="0000",
            description="2nd-generation SPRC, long kanji name and address",
        ),
        ResidenceSample(
            "rc2-expired",
            silva,
            2,
            "05",
            "ST24681357UV",
            dt.date(2029, 5, 5),
            nationality_code="BRA",
            status_code="T025",
            period="0300",
            period_expiry=dt.date(2025, 5, 5),
            renewal="1",
            description="2nd-generation residence card whose period of stay has expired (renewal pending)",
            expected_verdict="attention",
            expected_check="residence.period_of_stay",
        ),
        ResidenceSample(
            "rc2-restricted",
            rahman,
            2,
            "05",
            "WX13572468YZ",
            dt.date(2027, 9, 30),
            nationality_code="BGD",
            status_code="T027",
            period="0103",
            period_expiry=dt.date(2027, 9, 30),
            work="9",
            comprehensive="1",
            comprehensive_expiry=dt.date(2027, 9, 30),
            description="2nd-generation residence card, work not permitted, comprehensive permission",
        ),
    ]
    by = {s.key: s for s in base}
    forged = [
        replace(
            by["rc1-nguyen"],
            key="forged-front",
            forgery="front",
            expected_verdict="not_genuine",
            expected_check="residence.signature",
            description="FORGED: gen-1 front image altered after signing",
        ),
        replace(
            by["rc2-smith"],
            key="forged-photo",
            forgery="photo",
            expected_verdict="not_genuine",
            expected_check="residence.signature",
            description="FORGED: gen-2 face photo swapped",
        ),
        replace(
            by["rc2-smith"],
            key="forged-resigned",
            forgery="resigned",
            expected_verdict="not_genuine",
            expected_check="residence.certificate",
            description="FORGED: data re-signed by an unknown key under a CA named like the sample CA",
        ),
        replace(
            by["rc2-smith"],
            key="forged-any-number",
            forgery="any_number",
            expected_verdict="not_genuine",
            expected_check="residence.card_number",
            unlock_number="ZZ00000000ZZ",
            description="FORGED: chip accepts any card number (does not know the printed one)",
        ),
        replace(
            by["rc1-nguyen"],
            key="forged-gen1-as-gen2",
            forgery="gen1_as_gen2",
            card_type="05",
            expected_verdict="not_genuine",
            expected_check="residence.signature",
            description="FORGED: gen-1 chip data on a chip claiming gen 2 (card type 05)",
        ),
    ]
    return base + forged


# --- PKI ------------------------------------------------------------------------------------------------


@dataclass
class SamplePki:
    ca1_key: rsa.RSAPrivateKey
    ca1: x509.Certificate
    ca2_key: ec.EllipticCurvePrivateKey
    ca2: x509.Certificate
    signer1_key: rsa.RSAPrivateKey
    signer1: x509.Certificate
    signer2_key: ec.EllipticCurvePrivateKey
    signer2: x509.Certificate
    extra: dict[str, object] = field(default_factory=dict)


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "taimen samples"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _cert(subject: str, issuer: str, key: object, signer: object, *, ca: bool) -> x509.Certificate:
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    b = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())  # type: ignore[attr-defined]
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * 14))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return b.sign(signer, hashes.SHA256())  # type: ignore[arg-type]


def make_pki() -> SamplePki:
    ca1_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca2_key = ec.generate_private_key(ec.SECP384R1())
    s1 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    s2 = ec.generate_private_key(ec.SECP384R1())
    ca1 = _cert(CA1_NAME, CA1_NAME, ca1_key, ca1_key, ca=True)
    ca2 = _cert(CA2_NAME, CA2_NAME, ca2_key, ca2_key, ca=True)
    return SamplePki(
        ca1_key,
        ca1,
        ca2_key,
        ca2,
        s1,
        _cert(SIGNER_NAME, CA1_NAME, s1, ca1_key, ca=False),
        s2,
        _cert(SIGNER_NAME + " 2", CA2_NAME, s2, ca2_key, ca=False),
    )


def rogue_gen2() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """An unknown CA that copies the sample CA2's name, and a signer under it."""
    ca_key = ec.generate_private_key(ec.SECP384R1())
    key = ec.generate_private_key(ec.SECP384R1())
    return key, _cert(SIGNER_NAME + " 2", CA2_NAME, key, ca_key, ca=False)


# --- file contents --------------------------------------------------------------------------------------


def _tiff_g4(img: Image.Image, limit: int) -> bytes:
    for scale in (1.0, 0.8, 0.65, 0.5, 0.4):
        im = img if scale == 1.0 else img.resize((int(img.width * scale), int(img.height * scale)))
        bw = im.convert("L").point(lambda v: 255 if v > 100 else 0).convert("1", dither=Image.Dither.NONE)
        buf = io.BytesIO()
        bw.save(buf, "TIFF", compression="group4")
        if len(buf.getvalue()) <= limit:
            return buf.getvalue()
    raise ValueError("image does not fit its field")


def text_image(text: str, width: int = 512, size: int = 28) -> Image.Image:
    f = font(size)
    lines, line = [], ""
    for ch in text:
        if f.getlength(line + ch) > width - 8:
            lines.append(line)
            line = ""
        line += ch
    lines.append(line)
    img = Image.new("L", (width, len(lines) * (size + 6) + 6), 255)
    draw = ImageDraw.Draw(img)
    for i, s in enumerate(lines):
        draw.text((4, 4 + i * (size + 6)), s, font=f, fill=0)
    return img


def front_image(s: ResidenceSample, *, altered: bool = False) -> bytes:
    from taimen.face.residence import render

    img = render(s.person, ppm=10).convert("L")
    if altered:  # the forger rewrites the status of residence: a new value painted over the old one
        draw = ImageDraw.Draw(img)
        draw.rectangle((img.width // 4, img.height // 2, img.width // 2, img.height // 2 + 30), fill=255)
        draw.text((img.width // 4, img.height // 2), "永住者", font=font(26), fill=0)
    return _tiff_g4(img, 7000)


def face_photo(s: ResidenceSample, *, seed_shift: int = 0) -> bytes:
    return photo_jpeg2000(s.person.face_seed + seed_shift, "jp2", limit=3000)


def _fixed(value: str, width: int) -> bytes:
    raw = value.encode("utf-8")
    if len(raw) > width:
        raise ValueError(f"{value!r} longer than {width}")
    return raw.ljust(width, b"\x00")  # *assumed*: fixed-width fields padded with 00


def _ymd(d: dt.date | None) -> str:
    return d.strftime("%Y%m%d") if d else "00000000"


def printed_entries(s: ResidenceSample) -> list[tuple[int, bytes]]:
    out = [
        (0xC5, _fixed(_ymd(s.card_expiry), 8)),
        (0xC6, _fixed(_ymd(s.person.birth_date), 8)),
        (0xC7, _fixed({"1": "1", "2": "2"}.get(s.person.sex, "3"), 1)),
        (0xC8, _fixed(s.nationality_code, 3)),
        (0xC9, _fixed(s.status_code, 10)),
        (0xCE, _fixed(s.period, 4)),
    ]
    if not s.sprc:
        out += [
            (0xCA, _fixed(s.permission_type, 2)),
            (0xCB, _fixed(_ymd(s.permission_date), 8)),
            (0xCC, _fixed(s.work, 1)),
            (0xCD, _fixed(_ymd(s.period_expiry), 8)),
        ]
    return out


def _sjis(text: str) -> bytes:
    return text.encode("shift_jisx0213")


def _file(spec: EfSpec, content: bytes) -> bytes:
    if len(content) > spec.capacity:
        raise ValueError(f"{spec.label}: {len(content)} bytes exceed the capacity {spec.capacity}")
    return content.ljust(spec.capacity, b"\x00")


def _gen1_files(s: ResidenceSample, pki: SamplePki) -> dict[str, bytes]:
    d0 = front_image(s)
    d1 = face_photo(s)
    signature = pki.signer1_key.sign(gen1_target(d0, d1), padding.PKCS1v15(), hashes.SHA256())
    if s.forgery == "front":
        d0 = front_image(s, altered=True)
    files = {
        "df1_ef01": encode(0xD0, d0.ljust(7000, b"\x00")),
        "df1_ef02": encode(0xD1, d1.ljust(3000, b"\x00")),
    }
    addr = b"".join(
        encode(0xD2, _ymd(d).encode()) + encode(0xD3, code.encode()) + encode(0xD4, _sjis(a))
        for d, code, a in s.address_entries
    )
    files["df2_ef01"] = addr
    if not s.sprc:
        files["df2_ef02"] = encode(0xD5, _sjis(s.gen1_permissions[0]))
        files["df2_ef03"] = encode(0xD6, _sjis(s.gen1_permissions[1]))
        files["df2_ef04"] = encode(0xD7, s.renewal.encode())
    files["df3_ef01"] = encode(0xDA, signature) + encode(0xDB, pki.signer1.public_bytes(serialization.Encoding.DER))
    return files


def _gen2_files(s: ResidenceSample, pki: SamplePki) -> dict[str, bytes]:
    name = (
        s.person.name.replace("\u3000", " ")
        if not s.person.family_name.isascii()
        else (f"{s.person.family_name} {s.person.given_name}")
    )
    d0 = _tiff_g4(text_image(name), 2500).ljust(2500, b"\x00")
    d1 = face_photo(s).ljust(3000, b"\x00")
    addr = _tiff_g4(text_image(s.person.address), 2500).ljust(2500, b"\x00")
    entries = printed_entries(s)
    target = gen2_target([v for _, v in entries], d1, d0)
    key, cert = pki.signer2_key, pki.signer2
    if s.forgery == "resigned":
        key, cert = rogue_gen2()
    der = key.sign(target, ec.ECDSA(hashes.SHA256()))
    r, sig_s = decode_dss_signature(der)
    raw_sig = r.to_bytes(48, "big") + sig_s.to_bytes(48, "big")  # DC as raw r‖s (Appendix 2: DC 60)
    if s.forgery == "photo":
        d1 = face_photo(s, seed_shift=101).ljust(3000, b"\x00")
    files = {
        "df1_ef01": encode(0xC2, s.number.encode()),
        "df1_ef02": b"".join(encode(t, v) for t, v in entries),
        "df1_ef03": encode(0xD0, d0) + encode(0xD1, d1),
        "df1_ef04": encode(0xDFD1, addr),
        "df2_ef03": encode(0xD9, b"1" if s.note else b"0") + encode(0xDE, s.note.encode()),
        "df3_ef01": encode(0xDC, raw_sig) + encode(0xDD, cert.public_bytes(serialization.Encoding.DER)),
    }
    if not s.sprc:
        files["df2_ef01"] = (
            encode(0xD5, s.comprehensive.encode())
            + encode(0xD6, _ymd(s.comprehensive_expiry).encode())
            + encode(0xD7, s.individual.encode())
        )
        files["df2_ef02"] = encode(0xD8, s.renewal.encode())
    return files


def build_card(s: ResidenceSample, pki: SamplePki) -> VirtualCard:
    data_gen = 1 if s.forgery == "gen1_as_gen2" else s.generation
    files = _gen1_files(s, pki) if data_gen == 1 else _gen2_files(s, pki)
    chip_gen = 2 if s.card_type in ("05", "06") else 1
    mf = DedicatedFile("MF")
    mf.add_key(KeyRef(NUMBER_KEY_FID, s.number.encode("ascii"), 15, 15, None, "在留カード等番号"))
    ctype = s.card_type.encode()
    mf.add_file(ElementaryFile(0x0001, encode(0xC0, b"0001").ljust(6, b"\x00"), layout.MF_COMMON_SFI, (), "共通データ"))
    mf.add_file(
        ElementaryFile(
            0x0002,
            encode(0xC1, ctype).ljust(4 if chip_gen == 2 else 3, b"\x00"),
            layout.MF_CARD_TYPE_SFI,
            (),
            "カード種別",
        )
    )
    dfs = {name: DedicatedFile(name, aid) for name, aid in layout.AIDS.items()}
    if data_gen == 1:
        specs = (*layout.GEN1_DF1, *(layout.GEN1_DF2_SPRC if s.sprc else layout.GEN1_DF2_RESIDENCE), *layout.GEN1_DF3)
    else:
        specs = (*layout.GEN2_DF1, *(layout.GEN2_DF2_SPRC if s.sprc else layout.GEN2_DF2_RESIDENCE), *layout.GEN2_DF3)
    for spec in specs:
        content = files[spec.key]
        # gen 2 EFs are their full capacity (Appendix 2); gen-1 DF2 address padded to its read length
        data = _file(spec, content)
        fid = int(spec.key[-2:], 16)
        dfs[spec.df].add_file(ElementaryFile(fid, data, spec.sfi, NUMBER_RULE, spec.name_ja))
    access = ResidenceAccess(chip_gen, (layout.DF1_AID,), accept_any_number=s.forgery == "any_number")
    return VirtualCard(
        mf, list(dfs.values()), atr=RESIDENCE_ATR, card_type="residence", behaviours=[access], description=s.description
    )


def sample_meta(s: ResidenceSample) -> dict[str, object]:
    return {
        "key": s.key,
        "document": "residence",
        "unlock": {"card_number": s.unlock_number or s.number},
        "generation": s.generation,
        "card_type": s.card_type,
        "forgery": s.forgery,
        "trust_dir": "trust",
        "expected_verdict": s.expected_verdict,
        "expected_check": s.expected_check,
    }


def build(out_dir: Path, pki: SamplePki | None = None) -> list[Path]:
    """Write ``residence-<key>.json`` card images and the sample CAs (``trust/residence/``)."""
    pki = pki or make_pki()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for s in samples():
        path = out_dir / f"residence-{s.key}.json"
        save_card(
            build_card(s, pki),
            path,
            description=f"{s.description}; synthetic sample, not a real person",
            person=sample_meta(s),
        )
        written.append(path)
    faces = out_dir / "faces"
    faces.mkdir(parents=True, exist_ok=True)
    from taimen.face.residence import render

    for s in samples():
        if s.forgery is None:  # the printed front as the holder shows it (for OCR and the face comparison)
            png = faces / f"face-residence-{s.key}.png"
            render(s.person, ppm=12.0).save(png)
            written.append(png)
    trust = out_dir / "trust" / "residence"
    trust.mkdir(parents=True, exist_ok=True)
    for name, cert in (("sample-zairyucard-ca.pem", pki.ca1), ("sample-zairyucard-ca2.pem", pki.ca2)):
        (trust / name).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        written.append(trust / name)
    return written
