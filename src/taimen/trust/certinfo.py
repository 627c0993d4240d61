"""The few fields of a pinned X.509 certificate that a key look-up needs, read without ``cryptography.x509``.

Importing ``cryptography.x509`` costs about a sixth of a whole licence read's start-up (its name module alone
compiles an RFC 4514 grammar at import), and the licence check needs only a pinned signer's public key, its
key identifier and names for display. This is a strict DER walk of the certificate's outer structure (RFC 5280
§4.1): definite lengths only, no trailing bytes, bounded size and nesting. It verifies nothing; certificate
signatures, validity and chains stay with ``cryptography`` where a document needs them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from taimen.errors import ParseError

MAX_BYTES = 16_384

_SEQUENCE, _SET, _INTEGER, _BIT_STRING, _OCTET_STRING, _OID, _BOOLEAN = 0x30, 0x31, 0x02, 0x03, 0x04, 0x06, 0x01
_VERSION, _EXTENSIONS = 0xA0, 0xA3
_SKI_OID = "2.5.29.14"
#: Attribute names RFC 4514 gives (and ``cryptography`` prints); any other type is written as its dotted OID.
_ATTRIBUTE_NAMES = {"2.5.4.3": "CN", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
                    "2.5.4.6": "C", "2.5.4.9": "STREET", "0.9.2342.19200300.100.1.25": "DC",
                    "0.9.2342.19200300.100.1.1": "UID"}  # fmt: skip
_STRING_CODECS = {0x0C: "utf-8", 0x12: "ascii", 0x13: "ascii", 0x14: "latin-1", 0x16: "ascii", 0x1A: "ascii",
                  0x1C: "utf-32-be", 0x1E: "utf-16-be"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class CertInfo:
    der: bytes
    serial: int
    issuer: bytes  # the Name, DER
    subject: bytes
    spki: bytes  # SubjectPublicKeyInfo, DER (what ``load_der_public_key`` takes)
    subject_key_bits: bytes  # the subjectPublicKey BIT STRING's bits
    ski: bytes | None  # the subjectKeyIdentifier extension, if present

    @property
    def method1_key_id(self) -> bytes:
        """RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits."""
        return key_id_from_bits(self.subject_key_bits)

    def issuer_text(self) -> str:
        return rfc4514(self.issuer)

    def subject_text(self) -> str:
        return rfc4514(self.subject)


def key_id_from_bits(bits: bytes) -> bytes:
    return hashlib.sha1(bits, usedforsecurity=False).digest()


def key_id_from_spki(spki: bytes) -> bytes:
    """Method-1 key identifier of a SubjectPublicKeyInfo (DER)."""
    outer = _one(spki, _SEQUENCE, "SubjectPublicKeyInfo")
    items = _items(outer)
    if len(items) != 2 or items[1][0] != _BIT_STRING:
        raise ParseError("SubjectPublicKeyInfo: expected AlgorithmIdentifier and BIT STRING")
    return key_id_from_bits(_bits(items[1][1]))


def parse(der: bytes) -> CertInfo:
    """Certificate → ``CertInfo``; ``ParseError`` if the outer structure is not strict DER X.509."""
    if len(der) > MAX_BYTES:
        raise ParseError(f"certificate of {len(der)} bytes exceeds {MAX_BYTES}")
    cert = _items(_one(der, _SEQUENCE, "Certificate"))
    if len(cert) != 3 or cert[0][0] != _SEQUENCE or cert[1][0] != _SEQUENCE or cert[2][0] != _BIT_STRING:
        raise ParseError("Certificate: expected tbsCertificate, signatureAlgorithm, signatureValue")
    tbs = _items(cert[0][1])
    if tbs and tbs[0][0] == _VERSION:
        tbs = tbs[1:]
    if len(tbs) < 6:
        raise ParseError("tbsCertificate: too few fields")
    (t_serial, v_serial, _), (t_alg, _, _), (t_issuer, _, issuer), (t_validity, _, _) = tbs[:4]
    (t_subject, _, subject), (t_spki, v_spki, spki) = tbs[4:6]
    if (t_serial, t_alg, t_issuer, t_validity, t_subject, t_spki) != (
        _INTEGER, _SEQUENCE, _SEQUENCE, _SEQUENCE, _SEQUENCE, _SEQUENCE,
    ):  # fmt: skip
        raise ParseError("tbsCertificate: fields out of order or of the wrong type")
    spki_items = _items(v_spki)
    if len(spki_items) != 2 or spki_items[1][0] != _BIT_STRING:
        raise ParseError("SubjectPublicKeyInfo: expected AlgorithmIdentifier and BIT STRING")
    ski = None
    for tag, value, _ in tbs[6:]:
        if tag == _EXTENSIONS:
            ski = _ski(_one(value, _SEQUENCE, "Extensions"))
    return CertInfo(der, int.from_bytes(v_serial, "big", signed=True), issuer, subject, spki,
                    _bits(spki_items[1][1]), ski)  # fmt: skip


def rfc4514(name: bytes) -> str:
    """A Name (DER) as RFC 4514 text, last RDN first, in the form ``cryptography``'s ``rfc4514_string`` gives."""
    rdns = []
    for tag, rdn, _ in _items(_one(name, _SEQUENCE, "Name")):
        if tag != _SET:
            raise ParseError("Name: RDN is not a SET")
        parts = []
        for atag, atv, _ in _items(rdn):
            if atag != _SEQUENCE:
                raise ParseError("Name: attribute is not a SEQUENCE")
            items = _items(atv)
            if len(items) != 2 or items[0][0] != _OID:
                raise ParseError("Name: attribute without type and value")
            oid = _oid(items[0][1])
            vtag, value, raw = items[1]
            codec = _STRING_CODECS.get(vtag)
            try:
                text = _escape(value.decode(codec)) if codec else "#" + raw.hex()
            except UnicodeDecodeError as exc:
                raise ParseError(f"Name: attribute {oid} is not valid text") from exc
            parts.append(f"{_ATTRIBUTE_NAMES.get(oid, oid)}={text}")
        rdns.append("+".join(parts))
    return ",".join(reversed(rdns))


def _escape(value: str) -> str:
    if not value:
        return ""
    out = "".join("\\" + c if c in '\\"+,;<>' else "\\00" if c == "\0" else c for c in value)
    if out[0] in "# ":
        out = "\\" + out
    if out.endswith(" ") and not out.endswith("\\ "):
        out = out[:-1] + "\\ "
    return out


def _ski(extensions: bytes) -> bytes | None:
    for tag, ext, _ in _items(extensions):
        if tag != _SEQUENCE:
            raise ParseError("Extension is not a SEQUENCE")
        items = _items(ext)
        if len(items) not in (2, 3) or items[0][0] != _OID or items[-1][0] != _OCTET_STRING:
            raise ParseError("Extension: expected extnID, [critical], extnValue")
        if len(items) == 3 and items[1][0] != _BOOLEAN:
            raise ParseError("Extension: critical is not a BOOLEAN")
        if _oid(items[0][1]) == _SKI_OID:
            return _one(items[-1][1], _OCTET_STRING, "subjectKeyIdentifier")
    return None


def _bits(value: bytes) -> bytes:
    if not value or value[0] != 0:
        raise ParseError("BIT STRING: a key must be whole bytes")
    return value[1:]


def _oid(value: bytes) -> str:
    if not value or value[-1] & 0x80:
        raise ParseError("OBJECT IDENTIFIER: empty or truncated")
    arcs, n = [], 0
    for b in value:
        if n == 0 and b == 0x80:
            raise ParseError("OBJECT IDENTIFIER: non-minimal arc")
        n = (n << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(n)
            n = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(map(str, [first, arcs[0] - 40 * first, *arcs[1:]]))


def _one(buf: bytes, tag: int, what: str) -> bytes:
    """The value of ``buf``, which must be exactly one element with ``tag``."""
    items = _items(buf)
    if len(items) != 1 or items[0][0] != tag:
        raise ParseError(f"{what}: expected exactly one element with tag {tag:02X}")
    return items[0][1]


def _items(buf: bytes) -> list[tuple[int, bytes, bytes]]:
    """(tag, value, raw) of each element of ``buf``, which must hold nothing else. Single-byte tags only."""
    out, pos = [], 0
    while pos < len(buf):
        start = pos
        tag = buf[pos]
        if tag & 0x1F == 0x1F:
            raise ParseError(f"DER: multi-byte tag at {pos}")
        if pos + 1 >= len(buf):
            raise ParseError("DER: truncated length")
        first = buf[pos + 1]
        pos += 2
        if first < 0x80:
            length = first
        else:
            n = first & 0x7F
            if n == 0 or n > 3 or pos + n > len(buf):
                raise ParseError("DER: indefinite, oversized or truncated length")
            length = int.from_bytes(buf[pos : pos + n], "big")
            if length < 0x80 or buf[pos] == 0:
                raise ParseError("DER: length not in its shortest form")
            pos += n
        if pos + length > len(buf):
            raise ParseError("DER: value runs past the end")
        out.append((tag, buf[pos : pos + length], buf[start : pos + length]))
        pos += length
    return out
