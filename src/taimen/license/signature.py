"""DF1/EF07 電子署名 and its verification.

EF07: B1 電子署名 (signature value), B2 シリアル番号, B3 RFU, B4 発行者名, B5 主体者名 (B2/B4/B5 JIS X 0201
text), B6 主体者鍵識別子 (SKI). The card names its signer; it carries no certificate. The public key must come
from a trust store (``signer_key`` argument here, chosen by B6/B4/B2).

What is signed is **unverified**: the only claim (civ docs/jpdl.md, mock-tested) is SHA-256 over DF1/EF01 ‖
DF1/EF02 ‖ DF2/EF01 with RSA-2048 PKCS#1 v1.5; LibJeID also feeds the 記載事項, the 本籍 and the photo, in
that order. Two readings of "the file" are tried and the one that verified is reported: the files as
physically read (padding included), and each file's TLV data without the trailing 0xFF padding. Nothing else
is tried. A signature that verifies proves the three files are what the key holder signed; it does not prove
that the chip is not a copy (the licence has no documented challenge-response), and it says nothing about
EF03–EF06 (外字, 追記), which it does not cover.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from taimen.core.tlv import parse_all
from taimen.errors import ParseError
from taimen.license.elements import Element, element, parse_records, unknown_element
from taimen.trust.certinfo import key_id_from_spki

if TYPE_CHECKING:
    from taimen.trust import CertificateAnchor

FILE = "DF1/EF07"
TAGS = {
    0xB1: ("binary_raw", "電子署名", "signature value"),
    0xB2: ("x0201", "シリアル番号", "signer certificate serial number"),
    0xB3: ("raw", "RFU", "reserved (RFU)"),
    0xB4: ("x0201", "発行者名", "signer certificate issuer"),
    0xB5: ("x0201", "主体者名", "signer certificate subject"),
    0xB6: ("raw", "主体者鍵識別子", "signer key identifier (SKI)"),
}
COVERED = ("DF1/EF01", "DF1/EF02", "DF2/EF01")
NOT_COVERED = ("DF1/EF03 外字", "DF1/EF04 追記", "DF1/EF05 外字（追記）", "DF1/EF06 本籍の追記", "chip copy protection")


@dataclass(frozen=True, slots=True)
class SignatureInfo:
    value: bytes | None
    serial: str | None
    issuer: str | None
    subject: str | None
    ski: bytes | None
    elements: tuple[Element, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "signature_bytes": len(self.value) if self.value else 0,
            "serial": self.serial,
            "issuer": self.issuer,
            "subject": self.subject,
            "ski": self.ski.hex().upper() if self.ski else None,
        }


def parse_ef07(data: bytes) -> SignatureInfo:
    records = parse_records(data)
    elements: list[Element] = []
    for tag, t in records.items():
        if tag in TAGS:
            kind, ja, en = TAGS[tag]
            if kind == "binary_raw":
                elements.append(Element(tag, ja, en, t.value, {"bytes": len(t.value)}, "raw", FILE))
            elif tag == 0xB6:
                elements.append(Element(tag, ja, en, t.value, {"hex": t.value.hex().upper()}, "raw", FILE))
            else:
                elements.append(element(tag, t.value, kind, ja, en, FILE))
        else:
            elements.append(unknown_element(t, FILE))

    def text(tag: int) -> str | None:
        e = next((x for x in elements if x.tag == tag), None)
        return e.text if e is not None else None

    sig = records.get(0xB1)
    ski = records.get(0xB6)
    return SignatureInfo(
        sig.value if sig else None, text(0xB2), text(0xB4), text(0xB5), ski.value if ski else None, tuple(elements)
    )


def _tlv_part(data: bytes, *, single_byte_tags: bool = True) -> bytes:
    """The file's TLV objects without the 0xFF padding after them."""
    objs = parse_all(data, stop_on_filler=True, single_byte_tags=single_byte_tags)
    end = objs[-1].offset + len(objs[-1].raw) if objs else 0
    return data[:end]


#: Readings of "the signed files": key → (Japanese, English).
VARIANTS = {
    "physical": ("読み取ったファイルそのまま（埋め草を含む）", "files as read (padding included)"),
    "tlv": ("各ファイルのTLV部分（埋め草を除く）", "TLV data of each file (padding excluded)"),
}


def signed_variants(ef01: bytes, ef02: bytes, photo: bytes) -> list[tuple[str, bytes]]:
    out = [("physical", ef01 + ef02 + photo)]
    try:
        trimmed = _tlv_part(ef01) + _tlv_part(ef02) + _tlv_part(photo, single_byte_tags=False)
    except ParseError:
        return out
    if trimmed != out[0][1]:
        out.append(("tlv", trimmed))
    return out


def key_identifier(key: PublicKeyTypes) -> bytes:
    """RFC 5280 method-1 key identifier (SHA-1 of the subjectPublicKey bits)."""
    return key_id_from_spki(key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


@dataclass(frozen=True, slots=True)
class Verification:
    status: str  # "verified", "failed", "not_verifiable"
    variant: str | None
    detail_ja: str
    detail_en: str
    ski_matches: bool | None = None


def verify(
    info: SignatureInfo, ef01: bytes | None, ef02: bytes | None, photo: bytes | None, signer_key: PublicKeyTypes | None
) -> Verification:
    """Verify B1 with ``signer_key`` over the signed files; never 'verified' on the data alone."""
    if info.value is None:
        return Verification("failed", None, "電子署名（B1）がありません。", "the signature (B1) is missing")
    if ef02 is None or photo is None:
        return Verification(
            "not_verifiable",
            None,
            "署名は本籍と写真も対象とするため、暗証番号2なしでは検証できません。",
            "the signature also covers 本籍 and the photo, which need PIN 2; not verifiable without it",
        )
    if signer_key is None:
        return Verification(
            "not_verifiable",
            None,
            "署名者（発行者）の公開鍵が信頼ストアにないため、ここでは検証できません。",
            "the signer's public key is not in the trust store; not verifiable here",
        )
    ski_ok = info.ski == key_identifier(signer_key) if info.ski else None
    if ski_ok is False:
        return Verification(
            "not_verifiable",
            None,
            "信頼ストアの鍵はカードが示す署名者（主体者鍵識別子）と一致しません。",
            "the trust-store key is not the signer the card names (subject key identifier differs)",
            ski_ok,
        )
    if not isinstance(signer_key, rsa.RSAPublicKey):
        return Verification(
            "not_verifiable", None, "署名鍵の種類に対応していません。", "unsupported signer key type", ski_ok
        )
    assert ef01 is not None
    for variant, message in signed_variants(ef01, ef02, photo):
        try:
            signer_key.verify(info.value, message, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            continue
        ja, en = VARIANTS[variant]
        return Verification(
            "verified",
            variant,
            f"RSA PKCS#1 v1.5 / SHA-256 の署名を {', '.join(COVERED)}（{ja}）に対して検証しました。",
            f"RSA PKCS#1 v1.5 / SHA-256 signature verified over {', '.join(COVERED)} ({en})",
            ski_ok,
        )
    return Verification(
        "failed",
        None,
        "署名が記載事項・本籍・写真と一致しません（改ざん、または署名対象の解釈違いの可能性）。",
        "the signature does not match the particulars, 本籍 and photo (tampering, or the signed content is "
        "not what the unverified rule assumes)",
        ski_ok,
    )


#: Trust-store category (sub-directory of a trust directory) holding licence signer certificates.
TRUST_CATEGORY = "license"


def find_signer(anchors: list[CertificateAnchor], info: SignatureInfo) -> tuple[CertificateAnchor | None, str]:
    """The pinned certificate the card names: by B6 key identifier (the certificate's subjectKeyIdentifier or
    its key's method-1 identifier), else by B4 issuer + B2 serial.

    Returns the anchor (or None) and how it was matched. Only pinned certificates are considered.
    """
    if info.ski:
        for anchor in anchors:
            if info.ski in (anchor.info.ski, anchor.info.method1_key_id):
                return anchor, "B6 主体者鍵識別子"
    if info.issuer and info.serial:
        for anchor in anchors:
            issuer = anchor.info.issuer_text()
            n = anchor.info.serial
            forms = {str(n), f"{n:X}", f"{n:x}"}
            if info.issuer.strip() in issuer and info.serial.strip().lstrip("0") in {f.lstrip("0") for f in forms}:
                return anchor, "B4 発行者名 + B2 シリアル番号"
    return None, ""
