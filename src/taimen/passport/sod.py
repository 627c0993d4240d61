"""EF.SOD, the document security object (9303-10 §4.6.2): CMS SignedData over an LDSSecurityObject.

Parsed with asn1crypto (strict DER), never by hand. ``77 { ContentInfo { SignedData } }``; the signed content
(OID 2.23.136.1.1.1) lists one hash per data group. Nothing here trusts the document signer certificate the
chip supplies: that is passiveauth.py's job, against pinned CSCAs.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import algos, cms, core

from taimen.core import tlv
from taimen.errors import ParseError
from taimen.passport import certs
from taimen.passport.lds import TAG_SOD

OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"
MAX_DATA_GROUPS = 16
HASHES = {"sha1", "sha224", "sha256", "sha384", "sha512"}


class DataGroupHash(core.Sequence):
    _fields = [("number", core.Integer), ("hash", core.OctetString)]  # noqa: RUF012 (asn1crypto schema)


class DataGroupHashes(core.SequenceOf):
    _child_spec = DataGroupHash


class LdsVersionInfo(core.Sequence):
    _fields = [  # noqa: RUF012 (asn1crypto schema)
        ("lds_version", core.PrintableString),
        ("unicode_version", core.PrintableString),
    ]


class LdsSecurityObject(core.Sequence):
    _fields = [  # noqa: RUF012 (asn1crypto schema)
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("hashes", DataGroupHashes),
        ("version_info", LdsVersionInfo, {"optional": True}),
    ]


@dataclass(frozen=True)
class Sod:
    hash_algorithm: str  # "sha256"…
    hashes: dict[int, bytes]  # data group number → hash
    content: bytes  # the encapsulated LDSSecurityObject DER (what the message digest covers)
    signer_info: cms.SignerInfo
    certificates: tuple[certs.Cert, ...]  # as supplied by the chip (untrusted)
    raw: bytes


def parse_sod(data: bytes) -> Sod:
    outer = tlv.parse_single(data, TAG_SOD)
    try:
        info = cms.ContentInfo.load(outer.value, strict=True)
        if info["content_type"].native != "signed_data":
            raise ParseError("EF.SOD is not CMS SignedData")
        signed = info["content"]
        eci = signed["encap_content_info"]
        if eci["content_type"].dotted != OID_LDS_SECURITY_OBJECT:
            raise ParseError(f"EF.SOD signs {eci['content_type'].dotted}, not an LDSSecurityObject")
        content = eci["content"].native
        if not isinstance(content, bytes):
            raise ParseError("EF.SOD has no encapsulated content")
        lso = LdsSecurityObject.load(content, strict=True)
        algorithm = lso["hash_algorithm"]["algorithm"].native
        if algorithm not in HASHES:
            raise ParseError(f"EF.SOD hash algorithm {algorithm} is not supported")
        hashes: dict[int, bytes] = {}
        entries = list(lso["hashes"])
        if not entries or len(entries) > MAX_DATA_GROUPS:
            raise ParseError(f"EF.SOD lists {len(entries)} data-group hashes")
        for entry in entries:
            number = entry["number"].native
            if not 1 <= number <= 16 or number in hashes:
                raise ParseError(f"EF.SOD data-group number {number} out of range or repeated")
            hashes[number] = entry["hash"].native
        signer_infos = list(signed["signer_infos"])
        if len(signer_infos) != 1:
            raise ParseError(f"EF.SOD carries {len(signer_infos)} signer infos, ICAO requires one")
        certificates = [certs.load(c.chosen.dump()) for c in signed["certificates"] or [] if c.name == "certificate"]
        if len(certificates) > 4:
            raise ParseError(f"EF.SOD carries {len(certificates)} certificates")
        return Sod(algorithm, hashes, content, signer_infos[0], tuple(certificates), bytes(data))
    except ParseError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise ParseError(f"EF.SOD is malformed: {exc}") from exc


def signed_attributes_der(signer_info: cms.SignerInfo) -> bytes:
    """The DER the signature covers: the signed attributes as written by the signer, re-tagged as a SET."""
    attrs = signer_info["signed_attrs"]
    contents = attrs.contents
    if not contents:
        raise ParseError("EF.SOD signer info has no signed attributes")
    return b"\x31" + tlv.encode_length(len(contents)) + contents
