"""Block ciphers and MACs of ISO 7816 secure messaging: two-key 3DES and AES in CBC, ISO/IEC 9797-1.

Pure functions over bytes. Two MACs are used by Japanese and ICAO cards:

- ``retail_mac``: ISO/IEC 9797-1 MAC algorithm 3 with padding method 2 (single DES-CBC with K1, then
  DES⁻¹ with K2 and DES with K1 on the last block) — BAC, the 1st-generation residence card;
- ``aes_cmac``: AES-CMAC (NIST SP 800-38B), no padding of its own — PACE/AES SM pads first, the
  2nd-generation residence card's MUTUAL AUTHENTICATE MACs its 32-byte cryptogram as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

from taimen.errors import ParseError

DES_BLOCK = 8
AES_BLOCK = 16


def pad(data: bytes, block: int) -> bytes:
    """ISO/IEC 9797-1 padding method 2 (ISO 7816-4): 80 then 00s up to a whole block, always added."""
    fill = block - (len(data) + 1) % block
    return data + b"\x80" + b"\x00" * (fill % block)


def unpad(data: bytes, block: int) -> bytes:
    """Remove padding method 2 strictly: the 80 must stand in the last block, only 00s after it."""
    if not data or len(data) % block:
        raise ParseError(f"padded data of {len(data)} bytes is not a whole number of {block}-byte blocks")
    end = len(data) - 1
    stop = len(data) - block
    while end >= stop and data[end] == 0:
        end -= 1
    if end < stop or data[end] != 0x80:
        raise ParseError("padding (80 00…) missing or malformed")
    return data[:end]


def _des_key(key: bytes) -> bytes:
    """Two-key 3DES K1‖K2 is three-key K1‖K2‖K1 (spelled out: cryptography deprecates 16-byte keys)."""
    if len(key) == 16:
        return key + key[:8]
    if len(key) == 24:
        return key
    raise ValueError(f"3DES key must be 16 or 24 bytes, not {len(key)}")


def tdes_cbc_encrypt(key: bytes, data: bytes, iv: bytes = bytes(DES_BLOCK)) -> bytes:
    enc = Cipher(TripleDES(_des_key(key)), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def tdes_cbc_decrypt(key: bytes, data: bytes, iv: bytes = bytes(DES_BLOCK)) -> bytes:
    dec = Cipher(TripleDES(_des_key(key)), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def aes_cbc_encrypt(key: bytes, data: bytes, iv: bytes = bytes(AES_BLOCK)) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def aes_cbc_decrypt(key: bytes, data: bytes, iv: bytes = bytes(AES_BLOCK)) -> bytes:
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def aes_ecb_block(key: bytes, block: bytes) -> bytes:
    """One AES block encryption (the ICAO AES IV is E(KSenc, SSC))."""
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3, padding method 2, with a two-key 3DES key K1‖K2 (8-byte MAC)."""
    if len(key) != 16:
        raise ValueError("retail MAC key must be 16 bytes (K1‖K2)")
    padded = pad(data, DES_BLOCK)
    k1 = key[:8]
    chain = bytes(DES_BLOCK)
    if len(padded) > DES_BLOCK:
        # single DES-CBC with K1 over all but the last block (3DES with K1‖K1‖K1 is single DES)
        chain = tdes_cbc_encrypt(k1 * 3, padded[:-DES_BLOCK])[-DES_BLOCK:]
    last = bytes(a ^ b for a, b in zip(chain, padded[-DES_BLOCK:], strict=True))
    # E(K1, D(K2, E(K1, x))) on the last block is exactly 3DES-EDE with K1‖K2‖K1
    return tdes_cbc_encrypt(key + k1, last)


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """Full 16-byte AES-CMAC; callers truncate to 8 bytes where the protocol says so."""
    mac = CMAC(algorithms.AES(key))
    mac.update(data)
    return mac.finalize()


@dataclass(frozen=True, slots=True)
class SessionKeys:
    """Secure-messaging keys: ``algorithm`` is "3DES" (two-key) or "AES" (128/192/256)."""

    algorithm: str
    enc: bytes
    mac: bytes

    def __post_init__(self) -> None:
        if self.algorithm == "3DES":
            if len(self.enc) != 16 or len(self.mac) != 16:
                raise ValueError("two-key 3DES session keys are 16 bytes")
        elif self.algorithm == "AES":
            if len(self.enc) not in (16, 24, 32) or len(self.mac) not in (16, 24, 32):
                raise ValueError("AES session keys are 16, 24 or 32 bytes")
        else:
            raise ValueError(f"unknown SM algorithm {self.algorithm!r}")

    def __repr__(self) -> str:  # keys never reach logs or tracebacks
        return f"SessionKeys({self.algorithm}, <redacted>)"

    @property
    def block_size(self) -> int:
        return DES_BLOCK if self.algorithm == "3DES" else AES_BLOCK

    def encrypt(self, data: bytes, iv: bytes) -> bytes:
        if self.algorithm == "3DES":
            return tdes_cbc_encrypt(self.enc, data, iv)
        return aes_cbc_encrypt(self.enc, data, iv)

    def decrypt(self, data: bytes, iv: bytes) -> bytes:
        if len(data) % self.block_size:
            raise ParseError(f"cryptogram of {len(data)} bytes is not a whole number of blocks")
        if self.algorithm == "3DES":
            return tdes_cbc_decrypt(self.enc, data, iv)
        return aes_cbc_decrypt(self.enc, data, iv)

    def iv(self, ssc: bytes | None) -> bytes:
        """The CBC IV: zero for 3DES and without a counter; E(KSenc, SSC) for AES with a counter (ICAO)."""
        if self.algorithm == "AES" and ssc is not None:
            return aes_ecb_block(self.enc, ssc)
        return bytes(self.block_size)

    def sm_mac(self, data: bytes) -> bytes:
        """The 8-byte SM checksum over ``data``, padded once with method 2 (ICAO 9303-11 §9.8)."""
        if self.algorithm == "3DES":
            return retail_mac(self.mac, data)
        return aes_cmac(self.mac, pad(data, AES_BLOCK))[:8]
