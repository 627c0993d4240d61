"""券面AP (券面事項確認AP): the card face as the chip holds it, and its signature (reference §2).

    EF 0002: FF20 { DF21 9×u16 offsets, DF22 生年月日, DF23 性別, DF24 card RSA key, DF25 氏名 PNG,
                    DF26 住所 PNG, DF27 顔写真 JPEG 2000, DF28 signature, DF29 有効期限, DF2A セキュリティコード PNG }
    EF 0003: FF30 { DF31 layout, DF32 key ID, DF33 version, DF34 municipality code, DF35 opaque } (free, unsigned)

DF28 is RSA PKCS#1 v1.5 over a SHA-256 DigestInfo whose OCTET STRING holds 96 bytes:
H(DF22‖DF23‖DF24) ‖ H(DF25‖DF26) ‖ H(DF27), each over the complete objects as written. DF29 and DF2A come
after the signature and are **not covered**. DF2A shows the security code, which is part of 照合番号B: it is
checked for shape and then dropped, never kept in a result. EF 0005 (個人番号 image) is never selected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from cryptography.hazmat.primitives.asymmetric import rsa

from taimen.core import tlv
from taimen.core.conversation import Conversation
from taimen.core.files import ReadSession
from taimen.errors import CardError, ParseError
from taimen.mynumber import cvc as cvc_mod
from taimen.mynumber import picture, presence, signatures
from taimen.mynumber.aids import KENMEN_AP, KENMEN_AP_NAME, KenmenAp
from taimen.mynumber.efs import FileResult, parse_file, read_ef, select_application, signature_status
from taimen.mynumber.offset_table import parse_indexed_record
from taimen.mynumber.values import parse_date8, parse_sex
from taimen.result import Check, CheckStatus
from taimen.trust import TrustStore

AP_JA, AP_EN = KENMEN_AP_NAME
FACE_TAGS = (0xDF22, 0xDF23, 0xDF24, 0xDF25, 0xDF26, 0xDF27, 0xDF28, 0xDF29, 0xDF2A)
MAX_FACE_BYTES = 32 * 1024
MAX_BASIC_INFO_BYTES = 512
TEXT_IMAGE_LIMIT = (2048, 1024)
PHOTO_LIMIT = (1024, 1024)
CODE_IMAGE_LIMIT = (256, 256)


@dataclass(frozen=True)
class CardFace:
    """EF 0002 without the security-code image (only its presence is kept)."""

    birth_date: date
    sex: str
    card_key: rsa.RSAPublicKey
    name_image: bytes = field(repr=False)
    name_image_info: picture.ImageInfo
    address_image: bytes = field(repr=False)
    address_image_info: picture.ImageInfo
    photo: bytes = field(repr=False)
    photo_info: picture.ImageInfo
    signature: bytes = field(repr=False)
    expiry: date
    security_code_image_present: bool
    offsets: tuple[int, ...]
    #: The 115-byte DigestInfo the signature must carry, computed from the objects as read.
    signed_digest_info: bytes = field(repr=False)


def face_digest_info(objects: dict[int, tlv.Tlv]) -> bytes:
    groups = ((0xDF22, 0xDF23, 0xDF24), (0xDF25, 0xDF26), (0xDF27,))
    digests = b"".join(hashlib.sha256(b"".join(objects[t].raw for t in g)).digest() for g in groups)
    return signatures.sha256_digest_info(digests)


def parse_card_face(data: bytes) -> CardFace:
    if len(data) > MAX_FACE_BYTES:
        raise ParseError(f"券面AP EF 0002 larger than {MAX_FACE_BYTES} bytes")
    rec = parse_indexed_record(data, outer_tag=0xFF20, table_tag=0xDF21, field_tags=FACE_TAGS, what="券面AP EF 0002")
    f = rec.fields
    if len(f[0xDF24].value) != signatures.KEY_VALUE_BYTES:
        raise ParseError(f"券面AP DF24: card key of {len(f[0xDF24].value)} bytes, 265 expected")
    if len(f[0xDF28].value) != signatures.SIGNATURE_BYTES:
        raise ParseError("券面AP DF28: signature must be 256 bytes")
    png = (picture.PNG,)
    # The security-code image is validated for shape only and not kept.
    picture.inspect(f[0xDF2A].value, allowed=png, max_width=CODE_IMAGE_LIMIT[0], max_height=CODE_IMAGE_LIMIT[1])
    return CardFace(
        birth_date=parse_date8(f[0xDF22].value, "生年月日 (DF22)"),
        sex=parse_sex(f[0xDF23].value, "性別 (DF23)"),
        card_key=signatures.parse_rsa_public_key(f[0xDF24].value),
        name_image=f[0xDF25].value,
        name_image_info=picture.inspect(
            f[0xDF25].value, allowed=png, max_width=TEXT_IMAGE_LIMIT[0], max_height=TEXT_IMAGE_LIMIT[1]
        ),
        address_image=f[0xDF26].value,
        address_image_info=picture.inspect(
            f[0xDF26].value, allowed=png, max_width=TEXT_IMAGE_LIMIT[0], max_height=TEXT_IMAGE_LIMIT[1]
        ),
        photo=f[0xDF27].value,
        photo_info=picture.inspect(
            f[0xDF27].value, allowed=(picture.JP2, picture.J2K), max_width=PHOTO_LIMIT[0], max_height=PHOTO_LIMIT[1]
        ),
        signature=f[0xDF28].value,
        expiry=parse_date8(f[0xDF29].value, "有効期限 (DF29)"),
        security_code_image_present=True,
        offsets=rec.offsets,
        signed_digest_info=face_digest_info(f),
    )


@dataclass(frozen=True)
class BasicInfo:
    """EF 0003: free to read and not signed; the municipality code is for display and comparison only."""

    municipality_code: str
    version: int | None
    key_id: bytes | None


_BASIC_LENGTHS = {0xDF31: (4, 4), 0xDF32: (16, 16), 0xDF33: (1, 1), 0xDF34: (5, 5), 0xDF35: (0, 400)}


def parse_basic_info(data: bytes) -> BasicInfo:
    if len(data) > MAX_BASIC_INFO_BYTES:
        raise ParseError(f"券面AP EF 0003 larger than {MAX_BASIC_INFO_BYTES} bytes")
    outer = tlv.parse_single(data, 0xFF30)
    objs = tlv.index(tlv.parse_all(outer.value, stop_on_filler=True))
    for tag, obj in objs.items():
        if tag not in _BASIC_LENGTHS:
            raise ParseError(f"券面AP EF 0003: unexpected object {tag:X}")
        lo, hi = _BASIC_LENGTHS[tag]
        if not lo <= len(obj.value) <= hi:
            raise ParseError(f"券面AP EF 0003: {tag:X} of {len(obj.value)} bytes")
    code = tlv.require(objs, 0xDF34, what="municipality code").value
    if not code.isdigit() or not 1 <= int(code[:2]) <= 47:
        raise ParseError("券面AP EF 0003: municipality code is not 5 digits with a prefecture 01-47")
    version = objs[0xDF33].value[0] if 0xDF33 in objs else None
    return BasicInfo(code.decode(), version, objs[0xDF32].value if 0xDF32 in objs else None)


# --- conversation --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KenmenApRecords:
    face: FileResult
    basic_info: FileResult
    cvc: FileResult
    challenge: presence.ChallengeResult | None


def select() -> Conversation[None]:
    sw = yield from select_application(KENMEN_AP, "券面AP")
    if sw != 0x9000:
        raise CardError(
            f"the 券面AP is missing ({sw:04X}): not a My Number Card",
            message_ja=f"券面APがありません（{sw:04X}）。マイナンバーカードではありません。",
        )


def read_records(session: ReadSession, *, challenge: bool = True) -> Conversation[KenmenApRecords]:
    """Read EF 0002/0003/0004 and challenge the AP. The AP is selected and 照合番号B accepted."""
    face = yield from read_ef(
        session, KENMEN_AP, KenmenAp.CARD_FACE, max_size=MAX_FACE_BYTES, tlv=True, label="券面AP EF 0002"
    )
    basic = yield from read_ef(
        session, KENMEN_AP, KenmenAp.BASIC_INFO, max_size=MAX_BASIC_INFO_BYTES, tlv=True, label="券面AP EF 0003"
    )
    cvc_file = yield from read_ef(
        session, KENMEN_AP, KenmenAp.CVC, max_size=cvc_mod.MAX_CVC_BYTES, tlv=True, label="券面AP EF 0004"
    )
    answer = (yield from presence.challenge("券面AP")) if challenge else None
    return KenmenApRecords(face, basic, cvc_file, answer)


# --- verification --------------------------------------------------------------------------------------


@dataclass
class KenmenApEvaluation:
    face: CardFace | None
    basic_info: BasicInfo | None
    checks: list[Check]
    cvc: cvc_mod.Cvc | None = None


def evaluate(records: KenmenApRecords, store: TrustStore) -> KenmenApEvaluation:
    checks: list[Check] = []
    face, c1 = parse_file(records.face, parse_card_face, "kenmen_ap.ef0002", f"{AP_JA} EF 0002", f"{AP_EN} EF 0002")
    cert, c2 = parse_file(records.cvc, cvc_mod.parse_cvc, "kenmen_ap.ef0004", f"{AP_JA} EF 0004", f"{AP_EN} EF 0004")
    checks += [c for c in (c1, c2) if c is not None]
    basic = None
    if records.basic_info.data is not None:
        try:
            basic = parse_basic_info(records.basic_info.data)
        except ParseError:
            basic = None  # unsigned and informational: a bad EF 0003 only loses the municipality code
    trusted = False
    if cert is not None:
        check, verification = cvc_mod.check_cvc("kenmen_ap.cvc", "kenmen_ap", cert, store)
        checks.append(check)
        trusted = verification.trusted
    face_signed = False
    if face is not None and cert is not None:
        valid = signatures.verify_digest_info(cert.public_key, face.signature, face.signed_digest_info)
        status = signature_status(valid, trusted)
        face_signed = valid and trusted
        checks.append(
            Check(
                "kenmen_ap.signature",
                status,
                f"{AP_JA}の署名（EF 0002 DF28）",
                f"{AP_EN} signature (EF 0002 DF28)",
                "生年月日・性別・チップ鍵・氏名画像・住所画像・顔写真への署名をCVCの鍵で確認しました。"
                "有効期限（DF29）とセキュリティコード画像（DF2A）は署名の対象外です。"
                if status is CheckStatus.PASSED
                else "署名が一致しません。券面データ（写真・画像・生年月日など）が改ざんされています。"
                if status is CheckStatus.FAILED
                else "署名はCVCの鍵と一致しますが、そのCVCを信頼できるCA鍵で確認できていません。",
                "birth date, sex, chip key, name image, address image and photo are signed by the key certified "
                "in EF 0004; DF29 (expiry) and DF2A (security-code image) are not covered by the signature"
                if status is CheckStatus.PASSED
                else "the signature does not verify: the card-face data (photo, images, birth date…) was altered"
                if status is CheckStatus.FAILED
                else "the signature verifies with the EF 0004 key, but that certificate is not anchored",
                (
                    "H(DF22 生年月日 ‖ DF23 性別 ‖ DF24 チップ鍵)",
                    "H(DF25 氏名画像 ‖ DF26 住所画像)",
                    "H(DF27 顔写真)",
                ),
                ("DF29 有効期限 (expiry)", "DF2A セキュリティコード画像 (security-code image)", "DF21 offset table"),
            )
        )
    checks.append(
        presence.check_presence(
            "kenmen_ap.presence",
            AP_JA,
            AP_EN,
            records.challenge,
            face.card_key if face is not None else None,
            "EF 0002 DF24",
            face_signed,
        )
    )
    return KenmenApEvaluation(face, basic, checks, cert)
