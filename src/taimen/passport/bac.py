"""Basic Access Control (ICAO 9303-11 §4.3, §9.7): keys from the MRZ, mutual authentication, SM session.

Terminal side as a conversation (sans-I/O), chip side as plain functions for the emulator. Vectors:
Doc 9303-11 Appendix D.2/D.3 (tests/passport/test_bac.py).

The MUTUAL AUTHENTICATE exchange is marked secret: its cryptograms allow an offline search of the MRZ,
so a support trace must never hold them (transport/trace.py redacts the command and everything after).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable

from taimen.core.apdu import Command, Response
from taimen.core.conversation import Conversation
from taimen.core.secure_messaging import ICAO_9303, SecureChannel
from taimen.core.symmetric import SessionKeys, retail_mac, tdes_cbc_decrypt, tdes_cbc_encrypt
from taimen.errors import CardError, StatusError
from taimen.passport.mrz import MrzKey

Random = Callable[[int], bytes]


class AccessRefused(CardError):
    """The chip refused the key derived from the MRZ (wrong values typed, or another passport)."""

    message_ja = (
        "旅券のICチップが、入力されたMRZ（旅券番号・生年月日・有効期限）から作った鍵を受け付けませんでした。"
        "入力値を旅券の身分事項ページと照らし合わせてください。"
    )


class ChipProofInvalid(CardError):
    """The chip answered as if authenticated but did not prove it knows the key: a forged or broken chip."""

    message_ja = "ICチップが鍵を知っていることを証明できませんでした。偽造されたICチップの可能性があります。"


def adjust_parity(key: bytes) -> bytes:
    """DES odd parity in the low bit of every byte (9303-11 §9.7.1 keys are parity-adjusted)."""
    out = bytearray()
    for b in key:
        b &= 0xFE
        out.append(b | (bin(b).count("1") % 2 == 0))
    return bytes(out)


def kdf_3des(seed: bytes, counter: int) -> bytes:
    """9303-11 §9.7.1.1 for two-key 3DES: SHA-1(K_seed ‖ c)[:16], parity-adjusted."""
    return adjust_parity(hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()[:16])


def access_keys(key: MrzKey) -> tuple[bytes, bytes]:
    """K_enc and K_mac of BAC."""
    seed = key.seed()
    return kdf_3des(seed, 1), kdf_3des(seed, 2)


def session_from(k_ifd: bytes, k_icc: bytes, rnd_icc: bytes, rnd_ifd: bytes) -> SecureChannel:
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_icc, strict=True))
    keys = SessionKeys("3DES", kdf_3des(seed, 1), kdf_3des(seed, 2))
    return SecureChannel(keys, ICAO_9303, ssc=int.from_bytes(rnd_icc[4:] + rnd_ifd[4:], "big"))


def get_challenge() -> Command:
    return Command(0x00, 0x84, 0x00, 0x00, le=8, label="GET CHALLENGE")


def authenticate(key: MrzKey, random: Random = os.urandom) -> Conversation[SecureChannel]:
    """GET CHALLENGE, MUTUAL AUTHENTICATE; return the SM channel (SSC = RND.ICC[4:] ‖ RND.IFD[4:])."""
    k_enc, k_mac = access_keys(key)
    resp = yield get_challenge()
    if resp.sw != 0x9000:
        raise StatusError(resp.sw, "GET CHALLENGE (BAC)")
    if len(resp.data) != 8:
        raise ChipProofInvalid(f"GET CHALLENGE answered {len(resp.data)} bytes, not 8")
    rnd_icc = resp.data
    rnd_ifd, k_ifd = random(8), random(16)
    e_ifd = tdes_cbc_encrypt(k_enc, rnd_ifd + rnd_icc + k_ifd)
    command = Command(0x00, 0x82, 0x00, 0x00, e_ifd + retail_mac(k_mac, e_ifd), le=40,
                      secret=True, label="MUTUAL AUTHENTICATE (BAC)")  # fmt: skip
    resp = yield command
    k_icc = verify_chip_answer(resp, k_enc, k_mac, rnd_icc, rnd_ifd)
    return session_from(k_ifd, k_icc, rnd_icc, rnd_ifd)


def verify_chip_answer(resp: Response, k_enc: bytes, k_mac: bytes, rnd_icc: bytes, rnd_ifd: bytes) -> bytes:
    """Check the chip's E.ICC ‖ M.ICC; return K.ICC. A refusal is ``AccessRefused``, a bad proof a forgery."""
    if resp.sw != 0x9000:
        raise AccessRefused(f"MUTUAL AUTHENTICATE refused with {resp.sw:04X}: the MRZ values do not fit this chip")
    data = resp.data
    if len(data) != 40:
        raise ChipProofInvalid(f"MUTUAL AUTHENTICATE answered {len(data)} bytes, not 40")
    e_icc, m_icc = data[:32], data[32:]
    if not hmac.compare_digest(retail_mac(k_mac, e_icc), m_icc):
        raise ChipProofInvalid("the chip's MUTUAL AUTHENTICATE checksum does not verify under the MRZ key")
    r = tdes_cbc_decrypt(k_enc, e_icc)
    if r[:8] != rnd_icc or r[8:16] != rnd_ifd:
        raise ChipProofInvalid("the chip's MUTUAL AUTHENTICATE answer does not echo the nonces")
    return r[16:32]


# --- chip side (emulator) ----------------------------------------------------------------------------------


def chip_answer(
    k_enc: bytes, k_mac: bytes, rnd_icc: bytes, data: bytes, random: Random = os.urandom
) -> tuple[bytes, SecureChannel] | None:
    """The chip's MUTUAL AUTHENTICATE: None when the terminal's cryptogram fails (the chip answers 6300)."""
    if len(data) != 40:
        return None
    e_ifd, m_ifd = data[:32], data[32:]
    if not hmac.compare_digest(retail_mac(k_mac, e_ifd), m_ifd):
        return None
    s = tdes_cbc_decrypt(k_enc, e_ifd)
    rnd_ifd, echoed, k_ifd = s[:8], s[8:16], s[16:32]
    if echoed != rnd_icc:
        return None
    k_icc = random(16)
    e_icc = tdes_cbc_encrypt(k_enc, rnd_icc + rnd_ifd + k_icc)
    return e_icc + retail_mac(k_mac, e_icc), session_from(k_ifd, k_icc, rnd_icc, rnd_ifd)
