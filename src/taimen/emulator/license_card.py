"""Emulated IC driving licences and the マイナ免許証 免許AP, built from the synthetic sample persons.

The layout follows drivers-license.md byte for byte where it is known: MF/EF01 at FID 2F01 (17 bytes), MF/EF02
at 000A (SFI 0A), PINs as MF IEF01/IEF02 (FID 0001/0002, SFI 1/2, 3 tries), DF1 EF01–EF07 and DF2 EF01 at the
specified sizes (880, 82, 264, 640, 663, 256, 578, 2005), PIN1 opening DF1 except 本籍, PIN1+PIN2 opening 本籍
and the photo, and VERIFY in its two forms (00 20 00 80 after SELECT, 00 20 00 81/82 from the MF; the
short-EF form sent from DF1 answers 6981).

Where the reference is silent the emulator makes a documented choice (marked *assumed*): the layout of a 追記
entry (see ``taimen.license.tsuiki``), the 外字 bitmap format (``taimen.license.gaiji``), what the signature
covers (``taimen.license.signature``), the padding byte (FF) and, for the 免許AP, everything in EF 001B other
than tag C5 and the whole of EF 001C.

Spec versions: "006" omits tag 33 (準中型, added in v007); "008" and "009" carry every tag 11–33 (what v008
and v009 changed is not published; the emulator treats them alike and differs only in MF/EF01's version).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import date

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from PIL import Image, ImageDraw, ImageFont

from taimen.core.tlv import encode
from taimen.emulator.behaviours import Mute
from taimen.emulator.card import DedicatedFile, ElementaryFile, KeyRef, VirtualCard
from taimen.jistext import encode_x0201, encode_x0208
from taimen.license import aids
from taimen.license.gaiji import encode_bitmap
from taimen.license.kisai import CATEGORIES, CATEGORY_BY_NAME
from taimen.license.signature import key_identifier
from taimen.license.tsuiki import KINDS
from taimen.samples.face import portrait
from taimen.samples.persons import LicenseChange, LicenseFacts, Person
from taimen.wareki import BY_NAME, era_coded, era_of

LICENSE_ATR = bytes.fromhex("3B888001000000000000000009")
PAD = 0xFF
JIS_EDITION = 0x78  # tag 11 value seen on real cards (JDCard blog: 11 01 78)
PHOTO_VALUE_SIZE = 2000
MYNA_INSTANCE_AID = bytes.fromhex("A0000002310600000000000000000000")
GLYPH_FONTS = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)

TWO_WHEEL_SMALL = ("大自二", "普自二", "小特", "原付")
CLASS2 = ("大二", "普二", "大特二", "け引二", "中二")


@dataclass(frozen=True)
class SignerInfo:
    """What EF07 names (B2/B4/B5/B6) and the key that signs (kept by the emulator, never on the card)."""

    key: rsa.RSAPrivateKey
    serial: str = "0001"
    issuer: str = "TAIMEN SAMPLE LICENSE CA (NOT NPA)"
    subject: str = "TAIMEN SAMPLE LICENSE SIGNER"


def _pad(data: bytes, size: int, what: str) -> bytes:
    if len(data) > size:
        raise ValueError(f"{what}: {len(data)} bytes do not fit the specified {size}")
    return data + bytes([PAD]) * (size - len(data))


def _fullwidth(text: str) -> str:
    """ASCII letters/digits/spaces as the full-width forms JIS X 0208 has (licence text is all X0208)."""
    out = []
    for ch in text:
        o = ord(ch)
        if ch == " ":
            out.append("\u3000")
        elif 0x21 <= o <= 0x7E:
            out.append(chr(o - 0x21 + 0xFF01))
        else:
            out.append(ch)
    return "".join(out)


def _x0208(text: str, facts: LicenseFacts, gaiji_range: range) -> bytes:
    mapping = {ch: n for ch, n in facts.gaiji.items() if n in gaiji_range}
    return encode_x0208(_fullwidth(text), gaiji=mapping)


def _date(d: date | None, era_name: str | None = None) -> bytes:
    if d is None:
        return b""
    return era_coded(d, BY_NAME[era_name] if era_name else None).encode("ascii")


def _empty_date(issue: date) -> bytes:
    return f"{era_of(issue).code}000000".encode("ascii")


def category_dates(facts: LicenseFacts) -> dict[int, date]:
    """Date per category tag; 22/23/24 (grouped dates) derived from the categories unless given."""
    out = {CATEGORY_BY_NAME[name]: d for name, d in facts.categories.items()}

    def earliest(names: tuple[str, ...] | list[str]) -> date | None:
        ds = [facts.categories[n] for n in names if n in facts.categories]
        return min(ds) if ds else None

    grouped = ("二・小・原", "他", "二種")
    others = [n for n in facts.categories if n not in (*TWO_WHEEL_SMALL, *CLASS2, *grouped)]
    for tag, d in ((0x22, earliest(TWO_WHEEL_SMALL)), (0x23, earliest(others)), (0x24, earliest(CLASS2))):
        if tag not in out and d is not None:
            out[tag] = d
    return out


def build_ef01(person: Person, facts: LicenseFacts) -> bytes:
    """DF1/EF01 記載事項（本籍除く）, 880 bytes."""
    face = range(1, 3)
    name = facts.name_at_issue or person.name
    address = facts.address_at_issue or person.address
    conditions = [*facts.conditions, "", "", "", ""][:4]
    parts = [
        encode(0x11, bytes([JIS_EDITION])),
        encode(0x12, _x0208(name, facts, face)),
        encode(0x13, _x0208(facts.name_kana, facts, face)),
        encode(0x14, _x0208(facts.tsushomei, facts, face)),
        encode(0x15, _x0208(facts.touitsu_kana, facts, face)),
        encode(0x16, _date(person.birth_date)),
        encode(0x17, _x0208(address, facts, face)),
        encode(0x18, _date(facts.issue)),
        encode(0x19, encode_x0201(facts.reference_number)),
        encode(0x1A, _x0208(facts.color, facts, face)),
        encode(0x1B, _date(facts.expiry, facts.expiry_era)),
        *(encode(0x1C + i, _x0208(c, facts, face)) for i, c in enumerate(conditions)),
        encode(0x20, _x0208(facts.commission, facts, face)),
        encode(0x21, encode_x0201(facts.number)),
    ]
    dates = category_dates(facts)
    last = 0x32 if facts.spec_version == "006" else 0x33
    for tag in CATEGORIES:
        if tag > last:
            continue
        d = dates.get(tag)
        parts.append(encode(tag, _date(d) if d else _empty_date(facts.issue)))
    return _pad(b"".join(parts), aids.DF1_EF01.size, "DF1/EF01")


def build_ef02(facts: LicenseFacts) -> bytes:
    honseki = facts.honseki_at_issue or facts.honseki
    return _pad(encode(0x41, _x0208(honseki, facts, range(1, 3))), aids.DF1_EF02.size, "DF1/EF02")


def glyph_bitmap(ch: str, side: int = 32) -> bytes:
    """A 外字 glyph as the card stores it (*assumed* layout): 1 byte + side×side 1-bpp bitmap."""
    img = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(img)
    font = None
    for path in GLYPH_FONTS:
        try:
            font = ImageFont.truetype(path, side - 2)
            break
        except OSError:
            continue
    if font is not None:
        draw.text((1, -1), ch, font=font, fill=0)
    else:  # no Japanese font: a recognisable stand-in pattern
        draw.rectangle((3, 3, side - 4, side - 4), outline=0, width=2)
        draw.line((3, 3, side - 4, side - 4), fill=0, width=2)
    return encode_bitmap(img)


def _gaiji_file(facts: LicenseFacts, tags: dict[int, int], header: bytes, size: int, what: str) -> bytes:
    by_index = {n: ch for ch, n in facts.gaiji.items()}
    parts = [header]
    for tag, index in tags.items():
        ch = by_index.get(index)
        value = glyph_bitmap(ch) if ch else bytes([PAD]) * 129
        parts.append(encode(tag, value))
    return _pad(b"".join(parts), size, what)


def build_ef03(facts: LicenseFacts) -> bytes:
    return _gaiji_file(facts, {0x48: 1, 0x49: 2}, b"", aids.DF1_EF03.size, "DF1/EF03")


def build_ef05(facts: LicenseFacts) -> bytes:
    used = any(n >= 3 for n in facts.gaiji.values())
    header = encode(0xA0, b"\x01" if used else b"\x00")
    tags = {0xA1: 3, 0xA2: 4, 0xA3: 5, 0xA4: 6, 0xA5: 7}
    return _gaiji_file(facts, tags, header, aids.DF1_EF05.size, "DF1/EF05")


def tsuiki_entry(change: LicenseChange, facts: LicenseFacts) -> bytes:
    """One 追記 value (*assumed* layout): 制定年番号, 変更年月日 (7 full-width digits), value, 5-char commission."""
    when = _fullwidth(era_coded(change.date))
    commission = (change.commission + "\u3000" * 5)[:5]
    return (
        bytes([JIS_EDITION])
        + encode_x0208(when)
        + _x0208(change.value, facts, range(1, 8))
        + encode_x0208(_fullwidth(commission))
    )


def _tsuiki_file(facts: LicenseFacts, kinds: tuple[str, ...], presence_tag: int, size: int, what: str) -> bytes:
    changes = [c for c in facts.changes if c.kind in kinds]
    parts = [encode(presence_tag, b"\x01" if changes else b"\x00")]
    for kind in kinds:
        first, count, _, _ = KINDS[kind]
        of_kind = sorted((c for c in changes if c.kind == kind), key=lambda c: c.date)
        if len(of_kind) > count:
            raise ValueError(f"{what}: more than {count} 追記 of kind {kind}")
        parts += [encode(first + i, tsuiki_entry(c, facts)) for i, c in enumerate(of_kind)]
    return _pad(b"".join(parts), size, what)


def build_ef04(facts: LicenseFacts) -> bytes:
    kinds = ("commission", "name", "kana", "address", "condition", "condition_removed", "remark", "reserve")
    return _tsuiki_file(facts, kinds, 0x50, aids.DF1_EF04.size, "DF1/EF04")


def build_ef06(facts: LicenseFacts) -> bytes:
    return _tsuiki_file(facts, ("honseki",), 0xAA, aids.DF1_EF06.size, "DF1/EF06")


def photo_jpeg2000(seed: int, fmt: str = "j2k", limit: int = PHOTO_VALUE_SIZE) -> bytes:
    """A greyscale JPEG 2000 portrait of at most ``limit`` bytes (Pillow/OpenJPEG with a target rate)."""
    img = portrait(seed).convert("L").resize((192, 256), Image.Resampling.LANCZOS)
    for rate in (20, 24, 28, 32, 40, 48, 64, 80, 100, 140, 200):
        buf = io.BytesIO()
        img.save(buf, "JPEG2000", quality_mode="rates", quality_layers=[rate], irreversible=True, no_jp2=fmt == "j2k")
        if len(buf.getvalue()) <= limit:
            return buf.getvalue()
    raise ValueError("could not fit the photo into the size limit")


def build_photo(person: Person, facts: LicenseFacts) -> bytes:
    jp = photo_jpeg2000(person.face_seed, facts.photo_format)
    value = jp + bytes([PAD]) * (PHOTO_VALUE_SIZE - len(jp))  # the value field is always 2000 bytes
    return _pad(encode(0x5F40, value), aids.DF2_EF01.size, "DF2/EF01")


def build_ef07(signed: bytes, signer: SignerInfo | None) -> bytes:
    """DF1/EF07: the signature over ``signed`` and the names of the signer (*assumed*: SHA-256, PKCS#1 v1.5)."""
    key = signer.key if signer else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    info = signer or SignerInfo(key)
    sig = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    parts = [
        encode(0xB1, sig),
        encode(0xB2, encode_x0201(info.serial)),
        encode(0xB3, b""),
        encode(0xB4, encode_x0201(info.issuer)),
        encode(0xB5, encode_x0201(info.subject)),
        encode(0xB6, key_identifier(key.public_key())),
    ]
    return _pad(b"".join(parts), aids.DF1_EF07.size, "DF1/EF07")


def build_license_files(person: Person, signer: SignerInfo | None = None) -> dict[str, bytes]:
    facts = person.license
    if facts is None:
        raise ValueError(f"{person.key} has no driving licence")
    issue_bcd = bytes.fromhex(facts.issue.strftime("%Y%m%d"))
    expiry_bcd = bytes.fromhex(facts.expiry.strftime("%Y%m%d"))
    common = encode(0x45, encode_x0201(facts.spec_version) + issue_bcd + expiry_bcd) + encode(0x46, b"\x01\x01")
    files = {
        "mf_ef01": _pad(common, aids.MF_EF01.size, "MF/EF01"),
        "mf_ef02": encode(0x05, b"\x01" if facts.pin_set else b"\x00"),
        "df1_ef01": build_ef01(person, facts),
        "df1_ef02": build_ef02(facts),
        "df1_ef03": build_ef03(facts),
        "df1_ef04": build_ef04(facts),
        "df1_ef05": build_ef05(facts),
        "df1_ef06": build_ef06(facts),
        "df2_ef01": build_photo(person, facts),
    }
    files["df1_ef07"] = build_ef07(files["df1_ef01"] + files["df1_ef02"] + files["df2_ef01"], signer)
    return files


def _pin_value(facts: LicenseFacts, which: int) -> bytes:
    if not facts.pin_set:
        return aids.DPIN
    return (facts.pin1 if which == 1 else facts.pin2).encode("ascii")


def build_license_card(
    person: Person,
    signer: SignerInfo | None = None,
    *,
    tries: tuple[int, int] = (3, 3),
    extended_length: bool = True,
    files: dict[str, bytes] | None = None,
    locked: tuple[str, ...] = (),
    omit: tuple[str, ...] = (),
) -> VirtualCard:
    """``locked``: file keys (``df1_ef03``…) whose READ answers 6982 whatever PIN was given (a card that
    protects an optional file differently); ``omit``: file keys the card does not have (SELECT/READ 6A82)."""
    facts = person.license
    if facts is None:
        raise ValueError(f"{person.key} has no driving licence")
    f = files or build_license_files(person, signer)
    pin1, pin2 = ("MF:0001",), ("MF:0001", "MF:0002")
    mf = DedicatedFile("MF")
    mf.add_file(ElementaryFile(aids.MF_COMMON_DATA_FID, f["mf_ef01"], name="共通データ要素"))
    mf.add_file(ElementaryFile(aids.MF_PIN_SETTING_FID, f["mf_ef02"], sfi=aids.MF_PIN_SETTING_SFI, name="暗証番号設定"))
    mf.add_key(KeyRef(aids.PIN1_FID, _pin_value(facts, 1), tries[0], aids.PIN_MAX_TRIES, aids.PIN1_SFI, "暗証番号1"))
    mf.add_key(KeyRef(aids.PIN2_FID, _pin_value(facts, 2), tries[1], aids.PIN_MAX_TRIES, aids.PIN2_SFI, "暗証番号2"))
    nobody = ("MF:000F",)
    if locked:  # a key no one can present (blocked, unknown value): its files answer 6982
        mf.add_key(KeyRef(0x000F, os.urandom(8), 0, 3, name="(no one)"))

    # The short-EF VERIFY form names an MF key; sent while DF1 is current the card answers 6981 (hiro99ma).
    df1 = DedicatedFile("DF1 記載事項", aid=aids.DF1_AID, behaviours=[Mute(0x00, 0x20, 0x6981)])
    for spec in aids.DF1_FILES:
        if spec.key in omit:
            continue
        rule = (nobody,) if spec.key in locked else (pin2,) if 2 in spec.pins else (pin1,)
        df1.add_file(ElementaryFile(spec.fid, f[spec.key], sfi=spec.sfi, read=rule, name=spec.name_ja))
    df2 = DedicatedFile("DF2 写真", aid=aids.DF2_AID, behaviours=[Mute(0x00, 0x20, 0x6981)])
    if "df2_ef01" not in omit:
        rule = (nobody,) if "df2_ef01" in locked else (pin2,)
        df2.add_file(ElementaryFile(0x0001, f["df2_ef01"], sfi=1, read=rule, name="写真"))
    df3 = DedicatedFile("DF3 RFU", aid=aids.DF3_AID)
    df3.add_file(ElementaryFile(0x0001, bytes([PAD]) * 16, sfi=1, name="RFU"))
    return VirtualCard(
        mf, [df1, df2, df3], atr=LICENSE_ATR, extended_length=extended_length, card_type="driving_licence"
    )


# --- マイナ免許証: the 免許AP on a My Number Card -------------------------------------------------------

#: *Assumed* tags for the emulated EF 001B besides C5 (the real table is not published; reference open
#: question 3). taimen shows them as unknown raw TLV, which is the point of including them.
MYNA_ASSUMED_TAGS = {"color": 0xC2, "conditions": 0xC3, "number": 0xC4, "categories": 0xC6, "photo": 0xC7}


def build_myna_license_data(person: Person) -> bytes:
    facts = person.license
    if facts is None:
        raise ValueError(f"{person.key} has no driving licence")
    # C5 有効期限: era code byte 05 then YYMMDD in JIS X 0201 (hmpow jpdlc_mynumbercard.cpp compares the
    # first byte with 0x05 and converts the next six from JIS X 0201 digits).
    coded = era_coded(facts.expiry)
    expiry = bytes([int(coded[0])]) + coded[1:].encode("ascii")
    cats = category_dates(facts)
    cat_bytes = b""
    for tag in CATEGORIES:
        if tag in (0x22, 0x23, 0x24):  # only these carry dates on the マイナ免許証 (LibJeID)
            cat_bytes += bytes([tag]) + (_date(cats[tag]) if tag in cats else b"0000000")
        else:
            cat_bytes += bytes([tag, 1 if tag in cats else 0])
    photo = photo_jpeg2000(person.face_seed, "jp2")
    parts = [
        encode(MYNA_ASSUMED_TAGS["color"], _x0208(facts.color, facts, range(0))),
        encode(0xC5, expiry),
        encode(MYNA_ASSUMED_TAGS["conditions"], _x0208("／".join(facts.conditions), facts, range(0))),
        encode(MYNA_ASSUMED_TAGS["number"], encode_x0201(facts.number)),
        encode(MYNA_ASSUMED_TAGS["categories"], cat_bytes),
        encode(MYNA_ASSUMED_TAGS["photo"], photo),
    ]
    return b"".join(parts)


def build_myna_license_df(
    person: Person, signer: SignerInfo | None = None, *, tries: int = 10, pin_set: bool | None = None
) -> DedicatedFile:
    """The 免許AP instance DF (AID …3106…): EF 001A PIN setting, IEF 0006 PIN (10 tries), 001B, 001C."""
    facts = person.license
    if facts is None:
        raise ValueError(f"{person.key} has no driving licence")
    is_set = facts.pin_set if pin_set is None else pin_set
    data = build_myna_license_data(person)
    key = signer.key if signer else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    info = signer or SignerInfo(key)
    sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())  # *assumed*: what 001C signs is not published
    security = b"".join(
        [
            encode(0xB1, sig),
            encode(0xB2, encode_x0201(info.serial)),
            encode(0xB4, encode_x0201(info.issuer)),
            encode(0xB5, encode_x0201(info.subject)),
            encode(0xB6, key_identifier(key.public_key())),
        ]
    )
    df = DedicatedFile("免許AP", aid=MYNA_INSTANCE_AID)
    pin = facts.pin1.encode("ascii") if is_set else aids.DPIN
    df.add_key(KeyRef(0x0006, pin, tries, 10, 6, "免許AP 暗証番号"))
    df.add_file(ElementaryFile(0x001A, encode(0xC1, b"\x01" if is_set else b"\x00"), sfi=0x1A, name="PIN設定"))
    df.add_file(ElementaryFile(0x001B, data, sfi=0x1B, read=(("0006",),), name="免許情報"))
    df.add_file(ElementaryFile(0x001C, security, sfi=0x1C, read=(("0006",),), name="電子署名"))
    return df
