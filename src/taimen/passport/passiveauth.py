"""Passive authentication (9303-11 §5.1): EF.SOD signature, document signer → pinned CSCA, every DG hash.

Results are ``Check``s that say exactly what they covered. The CSCAs come from the trust store (category
``csca``), never from the chip; the chip's document signer certificate is only believed once it verifies
under one of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from asn1crypto import cms
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from taimen.errors import ParseError
from taimen.passport.certs import Cert, issued_by, verify_signature
from taimen.passport.sod import Sod, signed_attributes_der
from taimen.result import Check, CheckStatus

TRUST_CATEGORY = "csca"
#: MRZ issuing state (ICAO alpha-3, 9303-3) → the country in its CSCA's name (ISO alpha-2), where known.
#: A state missing here is still verified; only the cross-check of the two names is skipped.
STATE_COUNTRY = {
    "JPN": "JP", "D": "DE", "USA": "US", "GBR": "GB", "NLD": "NL", "FRA": "FR", "CHN": "CN", "KOR": "KR",
    "TWN": "TW", "PHL": "PH", "VNM": "VN", "IND": "IN", "THA": "TH", "IDN": "ID", "AUS": "AU", "CAN": "CA",
    "NZL": "NZ", "BRA": "BR", "NPL": "NP", "MMR": "MM", "LKA": "LK", "BGD": "BD", "PAK": "PK", "MYS": "MY",
    "SGP": "SG", "ITA": "IT", "ESP": "ES", "CHE": "CH", "AUT": "AT", "BEL": "BE", "SWE": "SE", "NOR": "NO",
}  # fmt: skip
_DIGESTS = {"sha1", "sha224", "sha256", "sha384", "sha512"}


def verify_cms_signature(
    signer_info: cms.SignerInfo, content: bytes, key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey
) -> None:
    """Verify a CMS signer info over ``content``; raise InvalidSignature or ParseError."""
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    if digest_name not in _DIGESTS:
        raise ParseError(f"digest {digest_name} is not supported")
    attrs = {a["type"].native: a["values"] for a in signer_info["signed_attrs"]}
    digest = attrs.get("message_digest")
    if digest is None or len(digest) != 1:
        raise ParseError("signed attributes lack exactly one message digest")
    if not hmac.compare_digest(digest[0].native, hashlib.new(digest_name, content).digest()):
        raise InvalidSignature("message digest of the signed content does not match")
    verify_signature(key, signer_info["signature_algorithm"], signer_info["signature"].native,
                     signed_attributes_der(signer_info), digest_name)  # fmt: skip


def signer_certificate(signer_info: cms.SignerInfo, candidates: tuple[Cert, ...] | list[Cert]) -> Cert | None:
    sid = signer_info["sid"]
    for cert in candidates:
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            if cert.serial == ias["serial_number"].native and cert.issuer == ias["issuer"].dump():
                return cert
        elif sid.name == "subject_key_identifier" and cert.key_identifier == sid.chosen.native:
            return cert
    return None


def verify_passive(
    sod: Sod,
    files: dict[int, bytes],
    cscas: list[Cert],
    now: dt.datetime | None = None,
    issuing_state: str | None = None,
) -> list[Check]:
    """The three checks of passive authentication: signature, chain, hashes (in that order)."""
    now = now or dt.datetime.now(dt.UTC)
    checks: list[Check] = []
    dsc = signer_certificate(sod.signer_info, sod.certificates)
    # 1. the SOD's signature under the document signer certificate it names
    if dsc is None:
        checks.append(Check("passport.sod_signature", CheckStatus.FAILED, "EF.SODの署名", "EF.SOD signature",
                            "署名者証明書がEF.SODにありません", "the document signer certificate is missing"))
    else:
        try:
            verify_cms_signature(sod.signer_info, sod.content, dsc.public_key())
            checks.append(Check("passport.sod_signature", CheckStatus.PASSED, "EF.SODの署名", "EF.SOD signature",
                                "文書署名者証明書で署名が検証できました",
                                "the signature verifies under the document signer certificate",
                                covers=("EF.SOD",)))
        except (InvalidSignature, ParseError, ValueError) as exc:
            checks.append(Check("passport.sod_signature", CheckStatus.FAILED, "EF.SODの署名", "EF.SOD signature",
                                "署名が検証できません（改ざんの可能性）", f"the signature does not verify: {exc}",
                                covers=("EF.SOD",)))
    checks.append(_chain_check(dsc, cscas, now, STATE_COUNTRY.get(issuing_state or "")))
    checks.append(_hash_check(sod, files))
    return checks


def _chain_check(dsc: Cert | None, cscas: list[Cert], now: dt.datetime, state: str | None) -> Check:
    title = ("発行国CSCAへの証明書チェーン", "chain to the issuing state's CSCA")
    if dsc is None:
        return Check("passport.dsc_chain", CheckStatus.FAILED, *title, "署名者証明書がありません",
                     "no document signer certificate")
    country = dsc.issuer_country
    if state is not None and country != state:
        return Check("passport.dsc_chain", CheckStatus.FAILED, *title,
                     f"署名者証明書の国（{country or '不明'}）がMRZの発行国（{state}）と違います",
                     f"the document signer's country ({country or 'none'}) is not the MRZ issuing state ({state})",
                     covers=("DSC", "DG1"))
    same_country = [c for c in cscas if c.country == country]
    if not same_country:
        return Check("passport.dsc_chain", CheckStatus.NOT_VERIFIABLE, *title,
                     f"発行国（{country or '不明'}）のCSCA証明書がトラストストアにないため、ここでは検証できません。"
                     "CSCA証明書かICAOマスターリストを取り込んでください。",
                     f"not verifiable here: no CSCA of {country or 'the issuing state'} is pinned; import a CSCA "
                     "certificate or an ICAO master list",
                     not_covered=("DSC",))
    csca = next((c for c in same_country if issued_by(dsc, c)), None)
    if csca is None:
        return Check("passport.dsc_chain", CheckStatus.FAILED, *title,
                     f"署名者証明書は発行国（{country}）の登録済みCSCAのどれからも発行されていません（未知の署名者）",
                     f"the document signer certificate was not issued by any pinned CSCA of {country} (unknown signer)",
                     covers=("DSC",))
    if "digital_signature" not in dsc.key_usage:
        return Check("passport.dsc_chain", CheckStatus.FAILED, *title, "署名者証明書の鍵用途が署名ではありません",
                     "the document signer certificate's key usage lacks digitalSignature", covers=("DSC",))
    if "key_cert_sign" not in csca.key_usage or not csca.is_ca:
        return Check("passport.dsc_chain", CheckStatus.FAILED, *title, "CSCA証明書がCAとして使えません",
                     "the pinned CSCA lacks keyCertSign or CA basic constraints", covers=("DSC", "CSCA"))
    problems_ja, problems_en = [], []
    for cert, ja, en in ((dsc, "署名者証明書", "document signer certificate"), (csca, "CSCA証明書", "CSCA")):
        if now < cert.not_before:
            problems_ja.append(f"{ja}の有効期間前")
            problems_en.append(f"{en} not yet valid")
        elif now > cert.not_after:
            problems_ja.append(f"{ja}の有効期限切れ")
            problems_en.append(f"{en} expired")
    subject = csca.subject_text
    if problems_ja:
        return Check("passport.dsc_chain", CheckStatus.WARNING, *title,
                     "CSCAへのチェーンは検証できましたが、" + "、".join(problems_ja) + "です",
                     f"the chain to {subject} verifies, but: " + ", ".join(problems_en), covers=("DSC", "CSCA"))
    return Check("passport.dsc_chain", CheckStatus.PASSED, *title,
                 f"署名者証明書は登録済みのCSCA（{subject}）が発行したものです",
                 f"the document signer certificate was issued by the pinned CSCA {subject}",
                 covers=("DSC", "CSCA"))


def _hash_check(sod: Sod, files: dict[int, bytes]) -> Check:
    title = ("データグループのハッシュ", "data-group hashes")
    algorithm = sod.hash_algorithm
    mismatched, unlisted, matched = [], [], []
    for dg, data in sorted(files.items()):
        expected = sod.hashes.get(dg)
        if expected is None:
            unlisted.append(dg)
        elif hmac.compare_digest(hashlib.new(algorithm, data).digest(), expected):
            matched.append(dg)
        else:
            mismatched.append(dg)
    not_read = tuple(f"DG{d}" for d in sorted(set(sod.hashes) - set(files)))
    if mismatched or unlisted:
        names = ", ".join(f"DG{d}" for d in mismatched + unlisted)
        return Check("passport.dg_hashes", CheckStatus.FAILED, *title,
                     f"{names} がEF.SODのハッシュと一致しません（データが署名後に変更されています）",
                     f"{names} do not match the hashes signed in EF.SOD (data changed after signing)",
                     covers=tuple(f"DG{d}" for d in matched + mismatched + unlisted), not_covered=not_read)
    if 1 not in matched:
        return Check("passport.dg_hashes", CheckStatus.FAILED, *title, "DG1のハッシュが確認できません",
                     "DG1 was not covered by EF.SOD", covers=tuple(f"DG{d}" for d in matched), not_covered=not_read)
    return Check("passport.dg_hashes", CheckStatus.PASSED, *title,
                 f"読み取ったデータグループ（{', '.join(f'DG{d}' for d in matched)}）はすべて署名済みハッシュと一致",
                 f"every data group read ({', '.join(f'DG{d}' for d in matched)}) matches its signed {algorithm} hash",
                 covers=tuple(f"DG{d}" for d in matched), not_covered=not_read)
