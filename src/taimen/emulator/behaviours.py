"""Card-type behaviours the emulator can plug into a DF, and their registry for card-image files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from taimen.core.apdu import Command, Response
from taimen.emulator.card import DedicatedFile, KeyRef, VirtualCard


def _load_rsa(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("behaviour key must be an RSA private key")
    return key


def raw_pkcs1_sign(key: rsa.RSAPrivateKey, digest_info: bytes) -> bytes:
    """PKCS#1 v1.5 type-1 signature over a caller-supplied DigestInfo (what the card's 80 2A P1=00 does)."""
    k = key.key_size // 8
    if len(digest_info) > k - 11:
        raise ValueError("DigestInfo too long for the key")
    block = b"\x00\x01" + b"\xff" * (k - 3 - len(digest_info)) + b"\x00" + digest_info
    n = key.private_numbers().public_numbers.n
    d = key.private_numbers().d
    return pow(int.from_bytes(block, "big"), d, n).to_bytes(k, "big")


@dataclass
class RsaChallenge:
    """``80 2A 00 P2 <DigestInfo> 00``: sign a caller-chosen DigestInfo with the AP's own card key.

    P2=00 uses the AP's default key and needs no credential (the 券面AP/入力補助AP presence proof).
    ``required``: key FIDs of this DF that must be verified first (e.g. a JPKI PIN); empty for none.
    """

    key: rsa.RSAPrivateKey
    p2_values: tuple[int, ...] = (0x00,)
    required: tuple[int, ...] = ()
    pem: str = ""

    def handle(self, card: VirtualCard, df: DedicatedFile, c: Command) -> Response | None:
        if c.cla != 0x80 or c.ins != 0x2A:
            return None
        if c.p1 != 0x00 or c.p2 not in self.p2_values:
            return Response(b"", 0x6A86)
        if any(not card.is_verified(df, fid) for fid in self.required):
            return Response(b"", 0x6982)
        try:
            return Response(raw_pkcs1_sign(self.key, c.data), 0x9000)
        except ValueError:
            return Response(b"", 0x6700)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "rsa-challenge",
            "private_key_pem": self.pem or _pem(self.key),
            "p2": [f"{p:02X}" for p in self.p2_values],
            "required": [f"{f:04X}" for f in self.required],
        }


@dataclass
class Mute:
    """Answers nothing useful for an instruction: models copied files on a card that cannot sign."""

    cla: int
    ins: int
    sw: int = 0x6D00

    def handle(self, card: VirtualCard, df: DedicatedFile, c: Command) -> Response | None:
        if c.cla == self.cla and c.ins == self.ins:
            return Response(b"", self.sw)
        return None

    def to_json(self) -> dict[str, Any]:
        return {"type": "mute", "cla": f"{self.cla:02X}", "ins": f"{self.ins:02X}", "sw": f"{self.sw:04X}"}


@dataclass
class AcceptAnyVerify:
    """A forged chip: VERIFY with any value succeeds at these key FIDs (it does not know the printed values).

    The non-consuming query (no data) still answers 63Cx, so a reader cannot tell before it tries.
    """

    fids: tuple[int, ...]

    def handle(self, card: VirtualCard, df: DedicatedFile, c: Command) -> Response | None:
        key = card.current_ef
        is_verify = c.cla == 0x00 and c.ins == 0x20 and c.p2 == 0x80 and bool(c.data)
        if is_verify and isinstance(key, KeyRef) and key.fid in self.fids:
            card.verified.add((id(df), key.fid))
            return Response(b"", 0x9000)
        return None

    def to_json(self) -> dict[str, Any]:
        return {"type": "accept-any-verify", "fids": [f"{f:04X}" for f in self.fids]}


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _rsa_challenge(spec: dict[str, Any]) -> RsaChallenge:
    pem = spec["private_key_pem"]
    return RsaChallenge(
        _load_rsa(pem),
        tuple(int(p, 16) for p in spec.get("p2", ["00"])),
        tuple(int(f, 16) for f in spec.get("required", [])),
        pem,
    )


def _mute(spec: dict[str, Any]) -> Mute:
    return Mute(int(spec["cla"], 16), int(spec["ins"], 16), int(spec.get("sw", "6D00"), 16))


#: Behaviour type name → factory from its card-image JSON. Card-type modules register more.
def _accept_any_verify(spec: dict[str, Any]) -> AcceptAnyVerify:
    return AcceptAnyVerify(tuple(int(f, 16) for f in spec.get("fids", [])))


def _icao_emrtd(spec: dict[str, Any]) -> Any:
    from taimen.emulator.passport_card import from_json  # the passport chip lives with its own module

    return from_json(spec)


REGISTRY: dict[str, Callable[[dict[str, Any]], Any]] = {
    "icao-emrtd": _icao_emrtd,
    "rsa-challenge": _rsa_challenge,
    "mute": _mute,
    "accept-any-verify": _accept_any_verify,
}
