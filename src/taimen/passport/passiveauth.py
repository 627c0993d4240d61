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
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from taimen.errors import ParseError
from taimen.passport.sod import Sod, signed_attributes_der
from taimen.result import Check, CheckStatus

TRUST_CATEGORY = "csca"
_HASH = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
         "sha512": hashes.SHA512}  # fmt: skip


def _hash(name: str) -> hashes.HashAlgorithm:
    if name not in _HASH:
        raise ParseError(f"hash {name} is not supported")
    return _HASH[name]()


def verify_cms_signature(signer_info: cms.SignerInfo, content: bytes, certificate: x509.Certificate) -> None:
    """Verify a CMS signer info over ``content`` with ``certificate``; raise InvalidSignature or ParseError."""
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    attrs = {a["type"].native: a["values"] for a in signer_info["signed_attrs"]}
    digest = attrs.get("message_digest")
    if digest is None or len(digest) != 1:
        raise ParseError("signed attributes lack exactly one message digest")
    expected = hashlib.new(digest_name, content).digest() if digest_name in _HASH else None
    if expected is None:
        raise ParseError(f"digest {digest_name} is not supported")
    if not hmac.compare_digest(digest[0].native, expected):
        raise InvalidSignature("message digest of the signed content does not match")
    message = signed_attributes_der(signer_info)
    signature = signer_info["signature"].native
    algo = signer_info["signature_algorithm"]
    kind = algo.signature_algo
    key = certificate.public_key()
    if kind == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, message, padding.PKCS1v15(), _hash(digest_name))
    elif kind == "rsassa_pss" and isinstance(key, rsa.RSAPublicKey):
        params = algo["parameters"]
        h = _hash(params["hash_algorithm"]["algorithm"].native)
        key.verify(signature, message, padding.PSS(padding.MGF1(h), params["salt_length"].native), h)
    elif kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, message, ec.ECDSA(_hash(digest_name)))
    else:
        raise ParseError(f"signature algorithm {kind} does not fit the signer's {type(key).__name__}")


def _signer_certificate(sod: Sod) -> x509.Certificate | None:
    sid = sod.signer_info["sid"]
    for cert in sod.certificates:
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            if cert.serial_number == ias["serial_number"].native and cert.issuer.public_bytes() == ias["issuer"].dump():
                return cert
        elif sid.name == "subject_key_identifier":
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
            except x509.ExtensionNotFound:
                continue
            if ski == sid.chosen.native:
                return cert
    return None


def _country(name: x509.Name) -> str:
    attrs = name.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)
    return str(attrs[0].value).upper() if attrs else ""


def _key_usage(cert: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


def verify_passive(
    sod: Sod, files: dict[int, bytes], cscas: list[x509.Certificate], now: dt.datetime | None = None
) -> list[Check]:
    """The three checks of passive authentication: signature, chain, hashes (in that order)."""
    now = now or dt.datetime.now(dt.UTC)
    checks: list[Check] = []
    dsc = _signer_certificate(sod)
    # 1. the SOD's signature under the document signer certificate it names
    if dsc is None:
        checks.append(Check("passport.sod_signature", CheckStatus.FAILED, "EF.SODの署名", "EF.SOD signature",
                            "署名者証明書がEF.SODにありません", "the document signer certificate is missing"))
    else:
        try:
            verify_cms_signature(sod.signer_info, sod.content, dsc)
            checks.append(Check("passport.sod_signature", CheckStatus.PASSED, "EF.SODの署名", "EF.SOD signature",
                                "文書署名者証明書で署名が検証できました",
                                "the signature verifies under the document signer certificate",
                                covers=("EF.SOD",)))
        except (InvalidSignature, ParseError, ValueError) as exc:
            checks.append(Check("passport.sod_signature", CheckStatus.FAILED, "EF.SODの署名", "EF.SOD signature",
                                "署名が検証できません（改ざんの可能性）", f"the signature does not verify: {exc}",
                                covers=("EF.SOD",)))
    checks.append(_chain_check(dsc, cscas, now))
    checks.append(_hash_check(sod, files))
    return checks


def _chain_check(dsc: x509.Certificate | None, cscas: list[x509.Certificate], now: dt.datetime) -> Check:
    title = ("発行国CSCAへの証明書チェーン", "chain to the issuing state's CSCA")
    if dsc is None:
        return Check("passport.dsc_chain", CheckStatus.FAILED, *title, "署名者証明書がありません",
                     "no document signer certificate")
    country = _country(dsc.issuer)
    same_country = [c for c in cscas if _country(c.subject) == country]
    if not same_country:
        return Check("passport.dsc_chain", CheckStatus.NOT_VERIFIABLE, *title,
                     f"発行国（{country or '不明'}）のCSCA証明書がトラストストアにないため、ここでは検証できません。"
                     "CSCA証明書かICAOマスターリストを取り込んでください。",
                     f"not verifiable here: no CSCA of {country or 'the issuing state'} is pinned; import a CSCA "
                     "certificate or an ICAO master list",
                     not_covered=("DSC",))
    for csca in same_country:
        if csca.subject != dsc.issuer:
            continue
        try:
            dsc.verify_directly_issued_by(csca)
        except (InvalidSignature, ValueError, TypeError):
            continue
        problems_ja, problems_en = [], []
        ku = _key_usage(dsc)
        if ku is None or not ku.digital_signature:
            return Check("passport.dsc_chain", CheckStatus.FAILED, *title, "署名者証明書の鍵用途が署名ではありません",
                         "the document signer certificate's key usage lacks digitalSignature", covers=("DSC",))
        cku = _key_usage(csca)
        try:
            ca = csca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            ca = False
        if cku is None or not cku.key_cert_sign or not ca:
            return Check("passport.dsc_chain", CheckStatus.FAILED, *title, "CSCA証明書がCAとして使えません",
                         "the pinned CSCA lacks keyCertSign or CA basic constraints", covers=("DSC", "CSCA"))
        for cert, ja, en in ((dsc, "署名者証明書", "document signer certificate"), (csca, "CSCA証明書", "CSCA")):
            if now < cert.not_valid_before_utc:
                problems_ja.append(f"{ja}の有効期間前")
                problems_en.append(f"{en} not yet valid")
            elif now > cert.not_valid_after_utc:
                problems_ja.append(f"{ja}の有効期限切れ")
                problems_en.append(f"{en} expired")
        subject = csca.subject.rfc4514_string()
        if problems_ja:
            return Check("passport.dsc_chain", CheckStatus.WARNING, *title,
                         "CSCAへのチェーンは検証できましたが、" + "、".join(problems_ja) + "です",
                         f"the chain to {subject} verifies, but: " + ", ".join(problems_en), covers=("DSC", "CSCA"))
        return Check("passport.dsc_chain", CheckStatus.PASSED, *title,
                     f"署名者証明書は登録済みのCSCA（{subject}）が発行したものです",
                     f"the document signer certificate was issued by the pinned CSCA {subject}",
                     covers=("DSC", "CSCA"))
    return Check("passport.dsc_chain", CheckStatus.FAILED, *title,
                 f"署名者証明書は発行国（{country}）の登録済みCSCAのどれからも発行されていません（未知の署名者）",
                 f"the document signer certificate was not issued by any pinned CSCA of {country} (unknown signer)",
                 covers=("DSC",))


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
