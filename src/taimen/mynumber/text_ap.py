"""券面事項入力補助AP (card-info input support AP): the 4 attributes as text, their digest record and signed key.

Files read with 照合番号B (reference §3): EF 0002 基本4情報, EF 0003 digests + signature, EF 0004 CVC (free),
EF 0007 the AP's challenge key with its signature. EF 0001 (個人番号) is never selected.

    EF 0002: FF20 { DF21 4×u16 offsets, DF22 氏名, DF23 住所, DF24 生年月日 YYYYMMDD, DF25 性別 }
    EF 0003: FF30 { DF31 SHA-256(EF 0001, 17 physical bytes), DF32 SHA-256(EF 0002 after DF21), DF33 sig }
    EF 0007: FF50 { DF51 RSA key (public half of key 0013), DF52 sig over the DF51 object }

This module is reusable on its own: the マイナ免許証 read combines the 免許AP with ``read_attributes`` and
``evaluate`` here.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date

from cryptography.hazmat.primitives.asymmetric import rsa

from taimen.core import tlv
from taimen.core.conversation import Conversation
from taimen.core.files import ReadSession
from taimen.errors import CardError, ParseError
from taimen.mynumber import cvc as cvc_mod
from taimen.mynumber import presence, shogo_b, signatures
from taimen.mynumber.aids import TEXT_AP, TEXT_AP_NAME, TextAp
from taimen.mynumber.efs import FileResult, parse_file, read_ef, select_application, signature_status
from taimen.mynumber.offset_table import parse_indexed_record
from taimen.mynumber.values import parse_date8, parse_sex, parse_text
from taimen.pinsafety import TriesState, must_verify
from taimen.result import Check, CheckStatus
from taimen.trust import TrustStore

AP_JA, AP_EN = TEXT_AP_NAME
ATTRIBUTE_TAGS = (0xDF22, 0xDF23, 0xDF24, 0xDF25)
MAX_ATTRIBUTES_BYTES = 2048
MAX_INTEGRITY_BYTES = 512
MAX_SIGNED_KEY_BYTES = 1024
MAX_NAME_CHARS = 100
MAX_ADDRESS_CHARS = 300


# --- records -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attributes:
    """EF 0002, the 基本4情報."""

    name: str  # family and given name separated by U+3000 (a mononym has none)
    address: str
    birth_date: date
    sex: str  # raw JIS X 0303 code, preserved
    offsets: tuple[int, ...]
    #: What DF32 digests: the record's value after the DF21 offset table (the DF22..DF25 objects).
    signed_region: bytes = field(repr=False)
    #: 外字 shown as a placeholder: (field "name"/"address", "U+XXXX", "private_use"/"unassigned").
    gaiji: tuple[tuple[str, str, str], ...] = ()

    @property
    def family_name(self) -> str:
        return self.name.split("\u3000", 1)[0]

    @property
    def given_name(self) -> str:
        parts = self.name.split("\u3000", 1)
        return parts[1] if len(parts) == 2 else ""


def parse_attributes(data: bytes) -> Attributes:
    if len(data) > MAX_ATTRIBUTES_BYTES:
        raise ParseError(f"入力補助AP EF 0002 larger than {MAX_ATTRIBUTES_BYTES} bytes")
    rec = parse_indexed_record(
        data, outer_tag=0xFF20, table_tag=0xDF21, field_tags=ATTRIBUTE_TAGS, what="入力補助AP EF 0002"
    )
    f = rec.fields
    in_name: list[tuple[str, str]] = []
    in_address: list[tuple[str, str]] = []
    return Attributes(
        name=parse_text(f[0xDF22].value, "氏名 (DF22)", max_chars=MAX_NAME_CHARS, gaiji=in_name),
        address=parse_text(f[0xDF23].value, "住所 (DF23)", max_chars=MAX_ADDRESS_CHARS, gaiji=in_address),
        birth_date=parse_date8(f[0xDF24].value, "生年月日 (DF24)"),
        sex=parse_sex(f[0xDF25].value, "性別 (DF25)"),
        offsets=rec.offsets,
        signed_region=rec.after_table(),
        gaiji=tuple(("name", cp, k) for cp, k in in_name) + tuple(("address", cp, k) for cp, k in in_address),
    )


@dataclass(frozen=True)
class IntegrityRecord:
    """EF 0003: the digests of EF 0001 and EF 0002 and a signature over both digest objects."""

    number_digest: bytes  # DF31: SHA-256 of EF 0001 (never compared: taimen never reads EF 0001)
    attributes_digest: bytes  # DF32
    signature: bytes  # DF33
    signed_data: bytes = field(repr=False)  # the DF31 and DF32 objects as written


def parse_integrity(data: bytes) -> IntegrityRecord:
    if len(data) > MAX_INTEGRITY_BYTES:
        raise ParseError(f"入力補助AP EF 0003 larger than {MAX_INTEGRITY_BYTES} bytes")
    outer = tlv.parse_single(data, 0xFF30)
    objs = tlv.parse_all(outer.value, stop_on_filler=True)
    if [o.tag for o in objs] != [0xDF31, 0xDF32, 0xDF33]:
        raise ParseError("入力補助AP EF 0003: objects DF31, DF32, DF33 expected")
    d31, d32, d33 = objs
    if len(d31.value) != 32 or len(d32.value) != 32 or len(d33.value) != signatures.SIGNATURE_BYTES:
        raise ParseError("入力補助AP EF 0003: DF31/DF32 must be 32 bytes and DF33 256 bytes")
    return IntegrityRecord(d31.value, d32.value, d33.value, d31.raw + d32.raw)


@dataclass(frozen=True)
class SignedKey:
    """EF 0007: the AP's own key (it signs challenges) and the issuer's signature over it."""

    key: rsa.RSAPublicKey
    signature: bytes
    signed_data: bytes = field(repr=False)  # the DF51 object as written


def parse_signed_key(data: bytes) -> SignedKey:
    if len(data) > MAX_SIGNED_KEY_BYTES:
        raise ParseError(f"入力補助AP EF 0007 larger than {MAX_SIGNED_KEY_BYTES} bytes")
    outer = tlv.parse_single(data, 0xFF50)
    objs = tlv.parse_all(outer.value, stop_on_filler=True)
    if [o.tag for o in objs] != [0xDF51, 0xDF52]:
        raise ParseError("入力補助AP EF 0007: objects DF51, DF52 expected")
    if len(objs[1].value) != signatures.SIGNATURE_BYTES:
        raise ParseError("入力補助AP EF 0007: DF52 must be 256 bytes")
    return SignedKey(signatures.parse_rsa_public_key(objs[0].value), objs[1].value, objs[0].raw)


# --- conversation --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextApRecords:
    """What the card gave (raw bytes or the card's refusal), before any verification."""

    attributes: FileResult
    integrity: FileResult
    cvc: FileResult
    signed_key: FileResult
    challenge: presence.ChallengeResult | None
    tries_before: int | None = None


def read_records(
    session: ReadSession, *, challenge: bool = True, tries_before: int | None = None
) -> Conversation[TextApRecords]:
    """Read EF 0002/0003/0004/0007 and challenge the AP. The AP is selected and 照合番号B accepted."""
    attributes = yield from read_ef(
        session, TEXT_AP, TextAp.ATTRIBUTES, max_size=MAX_ATTRIBUTES_BYTES, tlv=True, label="入力補助AP EF 0002"
    )
    integrity = yield from read_ef(
        session, TEXT_AP, TextAp.INTEGRITY, max_size=MAX_INTEGRITY_BYTES, tlv=True, label="入力補助AP EF 0003"
    )
    cvc_file = yield from read_ef(
        session, TEXT_AP, TextAp.CVC, max_size=cvc_mod.MAX_CVC_BYTES, tlv=True, label="入力補助AP EF 0004"
    )
    signed_key = yield from read_ef(
        session, TEXT_AP, TextAp.SIGNED_KEY, max_size=MAX_SIGNED_KEY_BYTES, tlv=True, label="入力補助AP EF 0007"
    )
    answer = (yield from presence.challenge("入力補助AP")) if challenge else None
    return TextApRecords(attributes, integrity, cvc_file, signed_key, answer, tries_before)


def select() -> Conversation[None]:
    sw = yield from select_application(TEXT_AP, "入力補助AP")
    if sw != 0x9000:
        raise CardError(
            f"the 券面事項入力補助AP is missing ({sw:04X}): not a My Number Card",
            message_ja=f"券面事項入力補助APがありません（{sw:04X}）。マイナンバーカードではありません。",
        )


def query_tries() -> Conversation[TriesState]:
    """Remaining tries of 照合番号B at this AP (selects the AP first); spends nothing."""
    yield from select()
    return (yield from shogo_b.query_tries(TextAp.SHOGO_B, "入力補助AP"))


def read_attributes(
    b: shogo_b.ShogoB, session: ReadSession, *, confirm_last_try: bool = False, challenge: bool = True
) -> Conversation[TextApRecords]:
    """The whole safe sequence for this AP alone: query tries, pin-safety, one VERIFY, read.

    A refused 照合番号B raises ``SecretRejected`` with the tries left; nothing is retried.
    """
    state = yield from query_tries()
    if must_verify(shogo_b.secret_at(AP_JA, AP_EN), state, confirm_last_try=confirm_last_try):
        refused = yield from shogo_b.present(b, AP_JA, AP_EN)
        if refused is not None:
            raise shogo_b.rejected(refused, AP_JA, AP_EN)
    return (yield from read_records(session, challenge=challenge, tries_before=state.tries_left))


# --- verification --------------------------------------------------------------------------------------


@dataclass
class TextApEvaluation:
    attributes: Attributes | None
    checks: list[Check]
    cvc: cvc_mod.Cvc | None = None
    cvc_verification: cvc_mod.CvcVerification | None = None


def evaluate(records: TextApRecords, store: TrustStore) -> TextApEvaluation:
    checks: list[Check] = []
    attrs, c1 = parse_file(
        records.attributes, parse_attributes, "text_ap.ef0002", f"{AP_JA} EF 0002", f"{AP_EN} EF 0002"
    )
    integ, c2 = parse_file(records.integrity, parse_integrity, "text_ap.ef0003", f"{AP_JA} EF 0003", f"{AP_EN} EF 0003")
    cert, c3 = parse_file(records.cvc, cvc_mod.parse_cvc, "text_ap.ef0004", f"{AP_JA} EF 0004", f"{AP_EN} EF 0004")
    skey, c4 = parse_file(
        records.signed_key, parse_signed_key, "text_ap.ef0007", f"{AP_JA} EF 0007", f"{AP_EN} EF 0007"
    )
    checks += [c for c in (c1, c2, c3, c4) if c is not None]
    verification = None
    trusted = False
    if cert is not None:
        check, verification = cvc_mod.check_cvc("text_ap.cvc", "text_ap", cert, store)
        checks.append(check)
        trusted = verification.trusted
    if integ is not None and cert is not None:
        valid = signatures.verify_sha256(cert.public_key, integ.signature, integ.signed_data)
        status = signature_status(valid, trusted)
        checks.append(
            Check(
                "text_ap.signature",
                status,
                f"{AP_JA}の署名（EF 0003 DF33）",
                f"{AP_EN} signature (EF 0003 DF33)",
                {
                    CheckStatus.PASSED: "DF31‖DF32 への署名をCVCの鍵で確認しました。",
                    CheckStatus.FAILED: "DF31‖DF32 への署名がCVCの鍵と一致しません（改ざんの疑い）。",
                }.get(status, "署名はCVCの鍵と一致しますが、そのCVCを信頼できるCA鍵で確認できていません。"),
                {
                    CheckStatus.PASSED: "signature over DF31‖DF32 verified with the key certified in EF 0004",
                    CheckStatus.FAILED: "the signature over DF31‖DF32 does not verify with the EF 0004 key (altered)",
                }.get(status, "the signature verifies with the EF 0004 key, but that certificate is not anchored"),
                ("EF 0003 DF31 (digest of EF 0001)", "EF 0003 DF32 (digest of EF 0002)"),
                ("DF31 is not compared with anything: taimen never reads EF 0001 (the 個人番号)",),
            )
        )
    if integ is not None and attrs is not None:
        match = hmac.compare_digest(hashlib.sha256(attrs.signed_region).digest(), integ.attributes_digest)
        checks.append(
            Check(
                "text_ap.digest",
                CheckStatus.PASSED if match else CheckStatus.FAILED,
                "4情報のハッシュ（EF 0003 DF32）",
                "digest of the 4 attributes (EF 0003 DF32)",
                "EF 0002 の氏名・住所・生年月日・性別が署名されたハッシュと一致しました。"
                if match
                else "EF 0002 の内容が署名されたハッシュと一致しません（4情報が改ざんされています）。",
                "name, address, birth date and sex in EF 0002 match the signed digest"
                if match
                else "EF 0002 does not match the signed digest: the attributes were altered",
                ("EF 0002 DF22 氏名", "DF23 住所", "DF24 生年月日", "DF25 性別"),
                ("EF 0002 DF21 offset table (checked against the object positions instead)",),
            )
        )
    if attrs is not None and attrs.gaiji:
        listed = ", ".join(f"{cp} ({'氏名' if f == 'name' else '住所'})" for f, cp, _ in attrs.gaiji)
        listed_en = ", ".join(f"{cp} in the {f}" for f, cp, _ in attrs.gaiji)
        checks.append(
            Check(
                "text_ap.gaiji",
                CheckStatus.WARNING,
                "外字",
                "characters without a standard glyph (外字)",
                f"チップの氏名・住所に標準の文字にない文字（外字）があり、〓で表示しています：{listed}。"
                "券面の印字と照らし合わせてください。",
                f"the chip's name or address holds private-use or unassigned code points (外字), shown as 〓: "
                f"{listed_en}; compare with what the card face prints",
                ("EF 0002 DF22 氏名", "DF23 住所"),
                required=False,
            )
        )
    key_trusted = False
    if skey is not None and cert is not None:
        valid = signatures.verify_sha256(cert.public_key, skey.signature, skey.signed_data)
        status = signature_status(valid, trusted)
        key_trusted = valid and trusted
        checks.append(
            Check(
                "text_ap.signed_key",
                status,
                f"{AP_JA}のチップ鍵（EF 0007）",
                f"{AP_EN} chip key (EF 0007)",
                "チップの鍵 DF51 への署名 DF52 をCVCの鍵で確認しました。"
                if status is CheckStatus.PASSED
                else "チップの鍵 DF51 の署名が一致しません。"
                if status is CheckStatus.FAILED
                else "署名はCVCの鍵と一致しますが、そのCVCを信頼できるCA鍵で確認できていません。",
                "the chip key DF51 is signed (DF52) by the key certified in EF 0004"
                if status is CheckStatus.PASSED
                else "the signature over the chip key DF51 does not verify"
                if status is CheckStatus.FAILED
                else "the signature verifies with the EF 0004 key, but that certificate is not anchored",
                ("EF 0007 DF51 (the AP's challenge key)",),
            )
        )
    checks.append(
        presence.check_presence(
            "text_ap.presence",
            AP_JA,
            AP_EN,
            records.challenge,
            skey.key if skey is not None else None,
            "EF 0007 DF51",
            key_trusted,
            tested_on_cards=False,
        )
    )
    return TextApEvaluation(attrs, checks, cert, verification)
