"""DG14 and EF.CardAccess: ``SecurityInfos`` (9303-11 §9.2), the protocols a chip offers.

``SET OF SecurityInfo { protocol OBJECT IDENTIFIER, requiredData ANY, optionalData ANY OPTIONAL }``, parsed
with asn1crypto. taimen lists the protocols by name; chip authentication itself is not run yet (docs/passport.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import core

from taimen.core import tlv
from taimen.errors import ParseError
from taimen.passport.lds import outer_value

BSI = "0.4.0.127.0.7.2.2"
PROTOCOLS = {
    f"{BSI}.1.1": "chip authentication public key (DH)",
    f"{BSI}.1.2": "chip authentication public key (ECDH)",
    f"{BSI}.3.1.1": "chip authentication DH-3DES",
    f"{BSI}.3.2.1": "chip authentication ECDH-3DES",
    f"{BSI}.3.2.2": "chip authentication ECDH-AES-128",
    f"{BSI}.3.2.3": "chip authentication ECDH-AES-192",
    f"{BSI}.3.2.4": "chip authentication ECDH-AES-256",
    f"{BSI}.4.2.2": "PACE ECDH-GM-AES-128",
    f"{BSI}.4.2.3": "PACE ECDH-GM-AES-192",
    f"{BSI}.4.2.4": "PACE ECDH-GM-AES-256",
    f"{BSI}.4.2.1": "PACE ECDH-GM-3DES",
    f"{BSI}.4.4.2": "PACE ECDH-IM-AES-128",
    f"{BSI}.4.6.2": "PACE ECDH-CAM-AES-128",
    f"{BSI}.2": "terminal authentication",
    "2.23.136.1.1.5": "active authentication (ECDSA)",
}
MAX_INFOS = 32


class _SecurityInfo(core.Sequence):
    _fields = [  # noqa: RUF012 (asn1crypto schema)
        ("protocol", core.ObjectIdentifier),
        ("required", core.Any),
        ("optional", core.Any, {"optional": True}),
    ]


class _SecurityInfos(core.SetOf):
    _child_spec = _SecurityInfo


@dataclass(frozen=True, slots=True)
class SecurityInfo:
    oid: str
    name: str
    version: int | None = None  # requiredData when it is an INTEGER (PACEInfo, ActiveAuthenticationInfo…)
    parameter_id: int | None = None  # optionalData when it is an INTEGER (PACEInfo: Table 12 domain parameters)
    required_der: bytes = b""  # requiredData as encoded (ChipAuthenticationPublicKeyInfo: SubjectPublicKeyInfo)

    @property
    def key_id(self) -> int | None:
        """The keyId of a ChipAuthenticationInfo / ChipAuthenticationPublicKeyInfo (optionalData)."""
        return self.parameter_id

    @property
    def is_chip_authentication(self) -> bool:
        return self.oid.startswith(f"{BSI}.3.") or self.oid.startswith(f"{BSI}.1.")

    @property
    def is_chip_authentication_key(self) -> bool:
        return self.oid.startswith(f"{BSI}.1.")

    @property
    def is_pace(self) -> bool:
        return self.oid.startswith(f"{BSI}.4.")


def _integer(value: core.Any) -> int | None:
    """An ANY that holds a small INTEGER, else None."""
    try:
        number = value.parse(core.Integer).native
    except (ValueError, TypeError, AttributeError):
        return None
    return number if isinstance(number, int) and 0 <= number < 1 << 16 else None


def parse_security_infos(der: bytes) -> list[SecurityInfo]:
    try:
        infos = _SecurityInfos.load(der, strict=True)
        if len(infos) > MAX_INFOS:
            raise ParseError(f"{len(infos)} SecurityInfos")
        return [
            SecurityInfo(
                i["protocol"].dotted,
                PROTOCOLS.get(i["protocol"].dotted, "unknown"),
                _integer(i["required"]),
                None if isinstance(i["optional"], core.Void) else _integer(i["optional"]),
                i["required"].dump(),
            )
            for i in infos
        ]
    except (ValueError, TypeError) as exc:
        raise ParseError(f"SecurityInfos: {exc}") from exc


def parse_dg14(data: bytes) -> list[SecurityInfo]:
    return parse_security_infos(outer_value(data, 14))


def encode_security_infos(infos: list[tuple[str, bytes, bytes | None]]) -> bytes:
    """(protocol OID, DER of requiredData, DER of optionalData or None) as a DER SET OF (for samples)."""
    out = []
    for oid, required, optional in infos:
        item = {"protocol": oid, "required": core.Any.load(required)}
        if optional is not None:
            item["optional"] = core.Any.load(optional)
        out.append(item)
    return _SecurityInfos(out).dump()


def encode_dg14(oids: list[tuple[str, bytes, bytes | None]]) -> bytes:
    return tlv.encode(0x6E, encode_security_infos(oids))
