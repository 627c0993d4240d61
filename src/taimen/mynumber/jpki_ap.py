"""公的個人認証AP (JPKI) read without any PIN (reference §1, §4).

EF 0006 token information says what holds the JPKI keys (a card, not a smartphone); EF 000A is the
利用者証明用 (user-authentication) certificate and EF 000B its CA certificate, both free to read. The signing
certificate (EF 0001, which carries personal data) needs the signing password and is never read.

The authentication certificate is checked against the JPKI roots pinned in the trust store (category
``jpki``). The CA certificate the card supplies is only an intermediate candidate: it must itself chain to a
pinned root. Revocation (OCSP/CRL) is not checked: taimen works offline.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding

from taimen.core.conversation import Conversation
from taimen.core.files import ReadSession
from taimen.errors import ParseError
from taimen.mynumber.aids import JPKI_AP, JpkiAp
from taimen.mynumber.efs import FileResult, read_ef, select_application
from taimen.result import Check, CheckStatus
from taimen.trust import CertificateAnchor, TrustStore

CATEGORY = "jpki"
MAX_TOKEN_BYTES = 512
MAX_CERT_BYTES = 4096

#: Token labels (EF 0006) and what they mean.
TOKENS = {
    "JPKIAPICCTOKEN2": ("マイナンバーカード", "My Number Card"),
    "JPKIAPICCTOKEN": ("住民基本台帳カード", "Basic Resident Registration card (住基カード)"),
    "JPKIAPGPSETOKEN": ("スマートフォン（Android）", "smartphone (Android)"),
    "JPKIAPIOSTOKEN": ("スマートフォン（iPhone）", "smartphone (iPhone)"),
}
CARD_TOKEN = "JPKIAPICCTOKEN2"


def parse_token_info(data: bytes) -> str:
    """The token label: the first 32 bytes, space padded (the rest, if any, is a CK_TOKEN_INFO tail)."""
    if not data or len(data) > MAX_TOKEN_BYTES:
        raise ParseError(f"JPKI EF 0006 of {len(data)} bytes")
    label = data[:32].rstrip(b" \x00")
    if not label or not all(0x20 < b < 0x7F for b in label):
        raise ParseError("JPKI EF 0006: the token label is not printable ASCII")
    return label.decode("ascii")


def parse_certificate(data: bytes) -> x509.Certificate:
    if len(data) > MAX_CERT_BYTES:
        raise ParseError(f"certificate larger than {MAX_CERT_BYTES} bytes")
    try:
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise ParseError(f"not a DER X.509 certificate: {exc}") from exc


# --- conversation --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JpkiRecords:
    select_sw: int
    token: FileResult = field(default_factory=FileResult)
    auth_cert: FileResult = field(default_factory=FileResult)
    ca_cert: FileResult = field(default_factory=FileResult)


def read_records(session: ReadSession) -> Conversation[JpkiRecords]:
    """SELECT the JPKI AP and read EF 0006, 000A and 000B. No PIN is presented."""
    sw = yield from select_application(JPKI_AP, "JPKI AP")
    if sw != 0x9000:
        return JpkiRecords(sw)
    token = yield from read_ef(
        session, JPKI_AP, JpkiAp.TOKEN_INFO, max_size=MAX_TOKEN_BYTES, tlv=False, label="JPKI EF 0006"
    )
    auth = yield from read_ef(
        session, JPKI_AP, JpkiAp.AUTH_CERT, max_size=MAX_CERT_BYTES, tlv=True, label="JPKI EF 000A"
    )
    ca = yield from read_ef(
        session, JPKI_AP, JpkiAp.AUTH_CA_CERT, max_size=MAX_CERT_BYTES, tlv=True, label="JPKI EF 000B"
    )
    return JpkiRecords(sw, token, auth, ca)


# --- verification --------------------------------------------------------------------------------------


@dataclass
class JpkiEvaluation:
    token: str | None
    checks: list[Check]
    info: dict[str, Any] = field(default_factory=dict)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _ext(cert: x509.Certificate, kind: type) -> Any:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _constraint_problems(leaf: x509.Certificate, cas: list[x509.Certificate]) -> list[str]:
    problems = []
    bc = _ext(leaf, x509.BasicConstraints)
    if bc is not None and bc.ca:
        problems.append("the user certificate claims to be a CA")
    ku = _ext(leaf, x509.KeyUsage)
    if ku is None or not ku.digital_signature:
        problems.append("the user certificate's KeyUsage lacks digitalSignature")
    for ca in cas:
        cbc = _ext(ca, x509.BasicConstraints)
        if cbc is None or not cbc.ca:
            problems.append(f"issuer {ca.subject.rfc4514_string()} is not marked as a CA")
        cku = _ext(ca, x509.KeyUsage)
        if cku is not None and not cku.key_cert_sign:
            problems.append(f"issuer {ca.subject.rfc4514_string()} may not sign certificates")
    return problems


def find_chain(
    leaf: x509.Certificate, card_ca: x509.Certificate | None, roots: list[CertificateAnchor]
) -> tuple[list[x509.Certificate], CertificateAnchor] | None:
    """The issuers from the leaf up to a pinned root (picked by signature, since all share one DN)."""
    for root in roots:
        if _issued_by(leaf, root.certificate):
            return [root.certificate], root
    if card_ca is not None and _issued_by(leaf, card_ca):
        for root in roots:
            if card_ca != root.certificate and _issued_by(card_ca, root.certificate):
                return [card_ca, root.certificate], root
    return None


def check_auth_certificate(
    leaf: x509.Certificate, card_ca: x509.Certificate | None, store: TrustStore, now: datetime
) -> Check:
    title_ja, title_en = "利用者証明用電子証明書（JPKI EF 000A）", "JPKI user-authentication certificate (EF 000A)"
    not_covered = ("revocation: OCSP/CRL are not checked (offline)",)
    found = find_chain(leaf, card_ca, store.certificates(CATEGORY))
    if found is None:
        return Check(
            "jpki.auth_cert",
            CheckStatus.NOT_VERIFIABLE,
            title_ja,
            title_en,
            "発行元のJPKIルート証明書がトラストストアにないため検証できません（カードが示すCA証明書は信頼しません）。",
            "no pinned JPKI root issued it; the CA certificate the card supplies is never trusted on its own",
            ("signature chain to a pinned JPKI root",),
            not_covered,
            required=False,
        )
    chain, root = found
    covers = (
        f"signature chain to the pinned JPKI root {root.label}",
        "validity dates of every certificate in the chain",
        "KeyUsage and BasicConstraints",
    )
    problems = _constraint_problems(leaf, chain)
    if problems:
        return Check(
            "jpki.auth_cert",
            CheckStatus.FAILED,
            title_ja,
            title_en,
            "証明書の制約が不正です：" + "; ".join(problems),
            "certificate constraints violated: " + "; ".join(problems),
            covers,
            not_covered,
            required=False,
        )
    expired = [c for c in [leaf, *chain] if not c.not_valid_before_utc <= now <= c.not_valid_after_utc]
    if expired:
        return Check(
            "jpki.auth_cert",
            CheckStatus.WARNING,
            title_ja,
            title_en,
            f"署名は正しいものの有効期間外です（利用者証明用証明書の期限 {leaf.not_valid_after_utc:%Y-%m-%d}）。"
            "失効は確認していません（オフライン）。",
            f"the chain verifies but is outside its validity (user certificate valid to "
            f"{leaf.not_valid_after_utc:%Y-%m-%d}); revocation not checked (offline)",
            covers,
            not_covered,
            required=False,
        )
    return Check(
        "jpki.auth_cert",
        CheckStatus.PASSED,
        title_ja,
        title_en,
        f"固定したJPKIルート証明書までの署名と有効期間（{leaf.not_valid_after_utc:%Y-%m-%d}まで）を確認しました。"
        "失効は確認していません（オフライン）。",
        f"chains to a pinned JPKI root and is valid until {leaf.not_valid_after_utc:%Y-%m-%d}; revocation is not "
        "checked (offline)",
        covers,
        not_covered,
        required=False,
    )


def _garbage(err: Exception | None) -> bool:
    """The card gave the EF, but its content is no certificate (as opposed to: no such EF, access refused)."""
    return isinstance(err, ParseError)


def evaluate(records: JpkiRecords, store: TrustStore, now: datetime) -> JpkiEvaluation:
    checks: list[Check] = []
    title_ja, title_en = "JPKIトークン種別（EF 0006）", "JPKI token type (EF 0006)"
    if records.select_sw != 0x9000:
        checks.append(
            Check(
                "jpki.token",
                CheckStatus.FAILED,
                title_ja,
                title_en,
                f"公的個人認証APがありません（{records.select_sw:04X}）。マイナンバーカードにはこのAPがあります。",
                f"the JPKI AP is missing ({records.select_sw:04X}); every My Number Card has it",
            )
        )
        return JpkiEvaluation(None, checks)
    token: str | None = None
    info: dict[str, Any] = {}
    try:
        if records.token.data is None:
            raise ParseError(str(records.token.error))
        token = parse_token_info(records.token.data)
    except ParseError as exc:
        checks.append(
            Check("jpki.token", CheckStatus.FAILED, title_ja, title_en, f"読み取れません：{exc}", f"unreadable: {exc}")
        )
    if token is not None:
        kind_ja, kind_en = TOKENS.get(token, ("不明な種別", "an unknown kind"))
        info["token"] = token
        ok = token == CARD_TOKEN
        checks.append(
            Check(
                "jpki.token",
                CheckStatus.PASSED if ok else CheckStatus.FAILED,
                title_ja,
                title_en,
                f"{token}：{kind_ja}" + ("です。" if ok else "であり、マイナンバーカードではありません。"),
                f"{token}: {kind_en}" + ("" if ok else ", not a My Number Card"),
                ("JPKI EF 0006 token label",),
            )
        )
    title_ja, title_en = "利用者証明用電子証明書（JPKI EF 000A）", "JPKI user-authentication certificate (EF 000A)"
    err = records.auth_cert.error
    if records.auth_cert.data is None and not _garbage(err):
        # The EF is not there (SELECT 6A82) or the card refused it: no certificate was issued (or it was removed).
        checks.append(
            Check(
                "jpki.auth_cert",
                CheckStatus.SKIPPED,
                title_ja,
                title_en,
                "カードに証明書がありません（発行されていないか削除済み）。",
                f"no certificate on the card (not issued or removed): {err}",
                required=False,
            )
        )
        return JpkiEvaluation(token, checks, info)
    try:
        if records.auth_cert.data is None:
            raise ParseError(str(err))
        leaf = parse_certificate(records.auth_cert.data)
    except ParseError as exc:
        # The EF exists but holds no certificate (all FF, empty, truncated, not DER): a card that has a JPKI
        # token and an EF 000A has a certificate in it, so this is garbage where one should be, not "not issued".
        checks.append(
            Check(
                "jpki.auth_cert",
                CheckStatus.FAILED,
                title_ja,
                title_en,
                f"証明書があるべき場所に不正なデータがあります（未発行ではありません）：{exc}",
                f"garbage where the certificate should be (the EF exists, so this is not 'not issued'): {exc}",
            )
        )
        return JpkiEvaluation(token, checks, info)
    card_ca = None
    if records.ca_cert.data is not None:
        try:
            card_ca = parse_certificate(records.ca_cert.data)
        except ParseError:
            card_ca = None
    checks.append(check_auth_certificate(leaf, card_ca, store, now))
    pinned = {a.fingerprint for a in store.certificates(CATEGORY)}
    info["auth_cert"] = {
        "subject": leaf.subject.rfc4514_string(),
        "issuer": leaf.issuer.rfc4514_string(),
        "serial": format(leaf.serial_number, "X"),
        "not_before": leaf.not_valid_before_utc.isoformat(),
        "not_after": leaf.not_valid_after_utc.isoformat(),
    }
    if card_ca is not None:
        fp = hashlib.sha256(card_ca.public_bytes(Encoding.DER)).hexdigest().upper()
        info["card_ca_cert"] = {"subject": card_ca.subject.rfc4514_string(), "sha256": fp, "pinned": fp in pinned}
    return JpkiEvaluation(token, checks, info)
