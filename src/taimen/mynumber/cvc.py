"""Card-verifiable certificates (CVC) in EF 0004 of the 券面AP and the 券面事項入力補助AP (reference §2).

    7F21 { 5F4E body (297 bytes) = 証明者鍵ID (16) ‖ 被証明者鍵ID (16) ‖ RSA key (265);
           5F37 signature (256) over the 297 body bytes, PKCS#1 v1.5 SHA-256 }

The issuing J-LIS CA key is not on the card: it is looked up in the trust store by the full 16-byte
証明者鍵ID. A key the store does not hold makes the certificate "not verifiable", never genuine. Each CA key
signs one AP's certificates, so a certificate moved from the other AP is caught by the anchor's role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric import rsa

from taimen.core import tlv
from taimen.errors import ParseError
from taimen.mynumber import signatures
from taimen.mynumber.aids import KENMEN_AP_NAME, TEXT_AP_NAME
from taimen.result import Check, CheckStatus
from taimen.trust import CvcAnchor, TrustStore

KEY_ID_BYTES = 16
BODY_BYTES = 2 * KEY_ID_BYTES + signatures.KEY_VALUE_BYTES  # 297
MAX_CVC_BYTES = 1024


@dataclass(frozen=True)
class Cvc:
    issuer_key_id: bytes  # 証明者鍵ID: the CA key that signed this certificate
    subject_key_id: bytes  # 被証明者鍵ID: the key this certificate certifies
    public_key: rsa.RSAPublicKey
    body: bytes  # the 297 signed bytes
    signature: bytes


def format_key_id(key_id: bytes) -> str:
    """``5000023/001`` for the usual 7 digits ‖ 08 05 ‖ 3 digits ‖ padding; hex otherwise."""
    number, sep, group = key_id[:7], key_id[7:9], key_id[9:12]
    if len(key_id) == KEY_ID_BYTES and number.isdigit() and sep == b"\x08\x05" and group.isdigit():
        return f"{number.decode()}/{group.decode()}"
    return key_id.hex().upper()


def make_key_id(number: str, group: str = "001", padding: bytes = b"\x00\x00\x00\x00") -> bytes:
    if len(number) != 7 or len(group) != 3 or len(padding) != 4 or not (number + group).isdigit():
        raise ValueError("key ID is 7 digits, 08 05, 3 digits and 4 bytes of padding")
    return number.encode() + b"\x08\x05" + group.encode() + padding


def parse_cvc(data: bytes) -> Cvc:
    """Parse EF 0004 (the ``7F21`` template, trailing filler allowed) strictly."""
    if len(data) > MAX_CVC_BYTES:
        raise ParseError(f"CVC larger than {MAX_CVC_BYTES} bytes")
    outer = tlv.parse_single(data, 0x7F21)
    objects = tlv.parse_all(outer.value)
    if [o.tag for o in objects] != [0x5F4E, 0x5F37]:
        raise ParseError("CVC: objects 5F4E (body) then 5F37 (signature) expected")
    body, sig = objects[0].value, objects[1].value
    if len(body) != BODY_BYTES:
        raise ParseError(f"CVC body of {len(body)} bytes, {BODY_BYTES} expected")
    if len(sig) != signatures.SIGNATURE_BYTES:
        raise ParseError(f"CVC signature of {len(sig)} bytes, {signatures.SIGNATURE_BYTES} expected")
    key = signatures.parse_rsa_public_key(body[2 * KEY_ID_BYTES :])
    return Cvc(body[:KEY_ID_BYTES], body[KEY_ID_BYTES : 2 * KEY_ID_BYTES], key, body, sig)


def encode_cvc(
    issuer_key_id: bytes, subject_key_id: bytes, key: rsa.RSAPublicKey, sign: Callable[[bytes], bytes]
) -> bytes:
    """Issuer-side inverse (emulator and tests); ``sign`` is the CA's PKCS#1 v1.5 SHA-256 signer."""
    body = issuer_key_id + subject_key_id + signatures.encode_rsa_public_key(key)
    if len(body) != BODY_BYTES:
        raise ValueError("CVC body must be 297 bytes")
    return tlv.encode(0x7F21, tlv.encode(0x5F4E, body) + tlv.encode(0x5F37, sign(body)))


class CvcStatus(StrEnum):
    VERIFIED = "verified"
    JLIS_TEST = "jlis_test"  # verified, but by J-LIS's test hierarchy: a test card
    UNKNOWN_ISSUER = "unknown_issuer"
    BAD_SIGNATURE = "bad_signature"
    WRONG_ROLE = "wrong_role"  # a CA key that signs the other AP's certificates


@dataclass(frozen=True)
class CvcVerification:
    status: CvcStatus
    anchor: CvcAnchor | None

    @property
    def trusted(self) -> bool:
        """The certified key may be used to vouch for data (chains to a pinned anchor)."""
        return self.status in (CvcStatus.VERIFIED, CvcStatus.JLIS_TEST)


def verify_cvc(cvc: Cvc, store: TrustStore, role: str) -> CvcVerification:
    anchor = store.cvc_key(cvc.issuer_key_id)
    if anchor is None:
        return CvcVerification(CvcStatus.UNKNOWN_ISSUER, None)
    if not signatures.verify_sha256(anchor.public_key, cvc.signature, cvc.body):
        return CvcVerification(CvcStatus.BAD_SIGNATURE, anchor)
    if anchor.role is not None and anchor.role != role:
        return CvcVerification(CvcStatus.WRONG_ROLE, anchor)
    return CvcVerification(CvcStatus.JLIS_TEST if anchor.is_jlis_test else CvcStatus.VERIFIED, anchor)


_ROLE_NAMES = {"kenmen_ap": KENMEN_AP_NAME, "text_ap": TEXT_AP_NAME}


def check_cvc(name: str, role: str, cvc: Cvc, store: TrustStore) -> tuple[Check, CvcVerification]:
    """The check reported for one AP's EF 0004."""
    ap_ja, ap_en = _ROLE_NAMES[role]
    v = verify_cvc(cvc, store, role)
    issuer = format_key_id(cvc.issuer_key_id)
    subject = format_key_id(cvc.subject_key_id)
    title_ja, title_en = f"{ap_ja}の証明書（CVC, EF 0004）", f"{ap_en} certificate (CVC, EF 0004)"
    covers = (f"EF 0004 5F4E: 証明者鍵ID {issuer}, 被証明者鍵ID {subject}, certified RSA key",)
    src = v.anchor.source if v.anchor else ""
    if v.status is CvcStatus.UNKNOWN_ISSUER:
        status = CheckStatus.NOT_VERIFIABLE
        dja = f"証明者鍵ID {issuer} のJ-LIS CA鍵がトラストストアにないため検証できません。"
        den = f"the J-LIS CA key {issuer} that signed it is not in the trust store; cannot verify"
    elif v.status is CvcStatus.BAD_SIGNATURE:
        status = CheckStatus.FAILED
        dja = f"J-LIS CA鍵 {issuer} による署名が一致しません（偽造・改ざんの疑い）。"
        den = f"the signature does not verify under the pinned J-LIS CA key {issuer} (forged or altered)"
    elif v.status is CvcStatus.WRONG_ROLE:
        other_ja, other_en = _ROLE_NAMES.get(v.anchor.role or "", ("別のAP", "another AP"))  # type: ignore[union-attr]
        status = CheckStatus.FAILED
        dja = f"この証明書は{other_ja}用のCA鍵 {issuer} が署名したもので、{ap_ja}のものではありません。"
        den = f"this certificate was signed by {issuer}, which certifies the {other_en}, not the {ap_en}"
    elif v.status is CvcStatus.JLIS_TEST:
        status = CheckStatus.WARNING
        dja = (
            f"J-LISのテスト用CA鍵 {issuer} で検証されました。テストカードであり、発行済みの本人確認書類ではありません。"
        )
        den = f"verified under J-LIS test-hierarchy key {issuer}: this is a test card, not an issued identity document"
    else:
        status = CheckStatus.PASSED
        hier = v.anchor.hierarchy if v.anchor else ""
        dja = f"J-LIS CA鍵 {issuer}（{hier}、{src}）で署名を確認しました。"
        den = f"signature verified under the pinned J-LIS CA key {issuer} ({hier}, {src})"
        if v.anchor is not None and v.anchor.unofficial:
            dja += "この鍵はJ-LISが公表したものではなく、非公式に復元されたものです。"
            den += "; J-LIS does not publish this key, it was recovered unofficially"
    return Check(name, status, title_ja, title_en, dja, den, covers), v
