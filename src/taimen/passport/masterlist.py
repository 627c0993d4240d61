"""ICAO CSCA master lists (9303-12 §8): CMS SignedData over ``CscaMasterList { version, certList SET OF Certificate }``.

A master list is signed by a master-list signer certificate, itself issued by a CSCA of the publishing state.
``parse_master_list`` verifies that signature and that chain *inside* the list (so the file is intact and
was published by whoever holds that state's CSCA key); whether to trust the publishing state is the operator's
decision, recorded as provenance when the certificates are pinned.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import cms, core
from asn1crypto import x509 as a509
from cryptography.exceptions import InvalidSignature

from taimen.errors import OperatorInputError, ParseError
from taimen.passport import certs
from taimen.passport.certs import Cert, issued_by
from taimen.passport.passiveauth import signer_certificate, verify_cms_signature

OID_CSCA_MASTER_LIST = "2.23.136.1.1.2"
MAX_BYTES = 8 * 1024 * 1024
MAX_CERTIFICATES = 5000


class _CertList(core.SetOf):
    _child_spec = a509.Certificate


class CscaMasterList(core.Sequence):
    _fields = [("version", core.Integer), ("certificates", _CertList)]  # noqa: RUF012 (asn1crypto schema)


@dataclass(frozen=True)
class MasterList:
    signer: Cert
    signer_issuer: Cert  # the CSCA in the list that issued the signer certificate
    certificates: tuple[Cert, ...]
    skipped: int  # entries that are not parseable certificates

    def for_country(self, country: str) -> list[Cert]:
        return [cert for cert in self.certificates if cert.country == country.upper()]


def parse_master_list(data: bytes) -> MasterList:
    """Parse and verify a master list; ``OperatorInputError`` for a file that is not one or does not verify."""
    if len(data) > MAX_BYTES:
        raise OperatorInputError(f"master list larger than {MAX_BYTES} bytes")
    try:
        info = cms.ContentInfo.load(data, strict=True)
        signed = info["content"]
        eci = signed["encap_content_info"]
        if info["content_type"].native != "signed_data" or eci["content_type"].dotted != OID_CSCA_MASTER_LIST:
            raise OperatorInputError("not an ICAO CSCA master list (content type 2.23.136.1.1.2 expected)")
        content = eci["content"].native
        master = CscaMasterList.load(content, strict=True)
        found: list[Cert] = []
        skipped = 0
        entries = list(master["certificates"])
        if len(entries) > MAX_CERTIFICATES:
            raise OperatorInputError(f"master list holds {len(entries)} certificates")
        for entry in entries:
            try:
                found.append(certs.load(entry.dump()))
            except ParseError:
                skipped += 1
        signer_infos = list(signed["signer_infos"])
        embedded = [certs.load(c.chosen.dump()) for c in signed["certificates"] or [] if c.name == "certificate"]
    except OperatorInputError:
        raise
    except (ValueError, TypeError, KeyError, ParseError) as exc:
        raise OperatorInputError(f"master list is malformed: {exc}") from exc
    if len(signer_infos) != 1:
        raise OperatorInputError("master list must carry exactly one signer")
    signer_info = signer_infos[0]
    signer = signer_certificate(signer_info, embedded)
    if signer is None:
        raise OperatorInputError("master list signer certificate is missing")
    try:
        verify_cms_signature(signer_info, content, signer.public_key())
    except (InvalidSignature, ParseError, ValueError) as exc:
        raise OperatorInputError(f"master list signature does not verify: {exc}") from exc
    for csca in [c for c in found + embedded if c.subject == signer.issuer]:
        if issued_by(signer, csca):
            return MasterList(signer, csca, tuple(found), skipped)
    raise OperatorInputError("master list signer was not issued by a CSCA of the publishing state in the list")
