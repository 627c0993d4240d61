"""Card-type behaviours the emulator can plug into a DF, and their registry for card-image files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from taimen.core.apdu import Command, Response
from taimen.emulator.card import DedicatedFile, KeyRef, VirtualCard


def _load_rsa(pem: str) -> rsa.RSAPrivateKey:
    # The emulator's own test keys, from its card image. OpenSSL's key validation (primality of p and q) took
    # ~75 ms per 2048-bit key, most of a command-line read; a broken key only yields signatures the reader
    # refuses, which is what a forged card does anyway.
    key = serialization.load_pem_private_key(pem.encode(), password=None, unsafe_skip_rsa_key_validation=True)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("behaviour key must be an RSA private key")
    return key


#: DER prefixes of DigestInfo (RFC 8017 §9.2 note 1): a DigestInfo of a known hash is signed by
#: cryptography's own private-key operation (OpenSSL, with CRT), byte for byte the same signature.
_DIGEST_INFO_PREFIXES: tuple[tuple[bytes, Callable[[], hashes.HashAlgorithm]], ...] = (
    (bytes.fromhex("3021300906052b0e03021a05000414"), hashes.SHA1),
    (bytes.fromhex("302d300d06096086480165030402040500041c"), hashes.SHA224),
    (bytes.fromhex("3031300d060960864801650304020105000420"), hashes.SHA256),
    (bytes.fromhex("3041300d060960864801650304020205000430"), hashes.SHA384),
    (bytes.fromhex("3051300d060960864801650304020305000440"), hashes.SHA512),
)


def raw_pkcs1_sign(key: rsa.RSAPrivateKey, digest_info: bytes) -> bytes:
    """PKCS#1 v1.5 type-1 signature over a caller-supplied DigestInfo (what the card's 80 2A P1=00 does)."""
    k = key.key_size // 8
    if len(digest_info) > k - 11:
        raise ValueError("DigestInfo too long for the key")
    for prefix, algorithm in _DIGEST_INFO_PREFIXES:
        h = algorithm()
        if digest_info.startswith(prefix) and len(digest_info) == len(prefix) + h.digest_size:
            return key.sign(digest_info[len(prefix) :], padding.PKCS1v15(), utils.Prehashed(h))
    # Any other block (a reader may send anything): the same operation by hand, with CRT.
    block = int.from_bytes(b"\x00\x01" + b"\xff" * (k - 3 - len(digest_info)) + b"\x00" + digest_info, "big")
    priv = key.private_numbers()
    m1, m2 = pow(block, priv.dmp1, priv.p), pow(block, priv.dmq1, priv.q)
    return (m2 + priv.q * (priv.iqmp * (m1 - m2) % priv.p)).to_bytes(k, "big")


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
        is_verify = c.cla == 0x00 and c.ins == 0x20 and bool(c.data)
        key = card._key_for_verify(c.p2) if is_verify else None  # P2 80 (current key EF) or 80|SFI
        if is_verify and isinstance(key, KeyRef) and key.fid in self.fids:
            card.verified.add((id(df), key.fid))
            return Response(b"", 0x9000)
        return None

    def to_json(self) -> dict[str, Any]:
        return {"type": "accept-any-verify", "fids": [f"{f:04X}" for f in self.fids]}


@dataclass
class FirstAnswer:
    """The first ``count`` commands after power-up or reset get ``sw`` (some cards answer the first APDU 6F00)."""

    sw: int = 0x6F00
    count: int = 1

    def handle(self, card: VirtualCard, df: DedicatedFile, c: Command) -> Response | None:
        if card.since_power_on < self.count:
            return Response(b"", self.sw)
        return None

    def to_json(self) -> dict[str, Any]:
        return {"type": "first-answer", "sw": f"{self.sw:04X}", "count": self.count}


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


def _first_answer(spec: dict[str, Any]) -> FirstAnswer:
    count = spec.get("count", 1)
    if type(count) is not int or not 1 <= count <= 16:
        raise ValueError("first-answer count must be 1..16")
    return FirstAnswer(int(spec.get("sw", "6F00"), 16), count)


def _selected_key_sign(spec: dict[str, Any]) -> Any:
    from taimen.emulator.keysign import SelectedKeySign  # it builds on this module

    keys, pems = {}, {}
    for fid, k in spec.get("keys", {}).items():
        f = int(fid, 16)
        keys[f] = (_load_rsa(k["private_key_pem"]), int(k["required"], 16))
        pems[f] = k["private_key_pem"]
    return SelectedKeySign(keys, pems)


def _icao_emrtd(spec: dict[str, Any]) -> Any:
    from taimen.emulator.passport_card import from_json  # the passport chip lives with its own module

    return from_json(spec)


def _residence_access(spec: dict[str, Any]) -> Any:
    from taimen.emulator.residence_card import from_json  # imported only by images of residence cards

    return from_json(spec)


REGISTRY: dict[str, Callable[[dict[str, Any]], Any]] = {
    "selected-key-sign": _selected_key_sign,
    "first-answer": _first_answer,
    "icao-emrtd": _icao_emrtd,
    "residence-access": _residence_access,
    "rsa-challenge": _rsa_challenge,
    "mute": _mute,
    "accept-any-verify": _accept_any_verify,
}
