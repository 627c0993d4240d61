"""JPKI COMPUTE DIGITAL SIGNATURE for the emulator: the key object selected, its PIN verified, then sign."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from taimen.core.apdu import Command, Response
from taimen.emulator.behaviours import _pem, raw_pkcs1_sign
from taimen.emulator.card import DedicatedFile, VirtualCard


@dataclass
class SelectedKeySign:
    """JPKI COMPUTE DIGITAL SIGNATURE: ``80 2A 00 80 <DigestInfo> 00`` after SELECT of a key object (0017 / 001A),
    as OpenSC's card-jpki.c sends it. Each key needs its PIN verified first (0018 / 001B): else 6982.

    ``keys``: key-object FID → (private key, FID of the key EF that must be verified).
    """

    keys: dict[int, tuple[rsa.RSAPrivateKey, int]]
    pems: dict[int, str] = field(default_factory=dict)

    def handle(self, card: VirtualCard, df: DedicatedFile, c: Command) -> Response | None:
        if c.cla != 0x80 or c.ins != 0x2A or c.p2 != 0x80:
            return None
        if c.p1 != 0x00:
            return Response(b"", 0x6A86)
        selected = card.current_key_object
        if selected is None or selected not in self.keys:
            return Response(b"", 0x6985)  # no key selected: conditions of use not satisfied
        key, pin_fid = self.keys[selected]
        if not card.is_verified(df, pin_fid):
            return Response(b"", 0x6982)
        try:
            return Response(raw_pkcs1_sign(key, c.data), 0x9000)  # one DigestInfo table: behaviours'
        except ValueError:
            return Response(b"", 0x6700)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "selected-key-sign",
            "keys": {
                f"{fid:04X}": {"private_key_pem": self.pems.get(fid) or _pem(key), "required": f"{pin:04X}"}
                for fid, (key, pin) in self.keys.items()
            },
        }
