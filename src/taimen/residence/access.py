"""Access control of the residence card: key from the printed number, MUTUAL AUTHENTICATE, KSenc, VERIFY.

residence-card.md §2. Both generations share the flow and the APDU bytes; they differ in cipher and MAC:

- gen 1 (card types '1'/'2'): two-key 3DES-CBC (IV 0), ISO 9797-1 retail MAC over the padded cryptogram;
- gen 2 (types "05"/"06"): AES-128-CBC (IV 0), AES-CMAC truncated to 8 bytes over the bare cryptogram.

K = SHA-1(number)[:16] serves as both Kenc and Kmac (no ICAO counter). KSenc = SHA-1((K.IFD ⊕ K.ICC) ‖
00000001)[:16] is the only session key; secure messaging is core's ``ENCRYPTION_ONLY`` profile.

What MUTUAL AUTHENTICATE proves: that the chip knows a key derived from the number printed on the card. The
number is not a chip secret (anyone holding the card reads it), so this is **no** anti-cloning proof: a
forged chip programmed with the printed number passes it as well.

Pure functions and one sans-I/O conversation; randomness is injected so the official vectors replay.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass

from taimen.core.apdu import Command, Response
from taimen.core.conversation import Conversation
from taimen.core.secure_messaging import ENCRYPTION_ONLY, SecureChannel
from taimen.core.symmetric import (
    SessionKeys,
    aes_cbc_decrypt,
    aes_cbc_encrypt,
    aes_cmac,
    retail_mac,
    tdes_cbc_decrypt,
    tdes_cbc_encrypt,
)
from taimen.errors import CardError, SecretRejected, StatusError

#: VERIFY reference-data qualifier of the card number (P2).
VERIFY_P2 = 0x86


class AuthenticationFailed(CardError):
    """The chip answered MUTUAL AUTHENTICATE 9000 with a cryptogram that does not match the typed number."""

    message_ja = (
        "カードの相互認証応答が入力した在留カード等番号と一致しません。本物のカードは番号が違えば 6300 を返すため、"
        "偽造の疑いがあります。"
    )


class NumberRejected(SecretRejected):
    """The chip says the typed card number is not its number (6300). taimen never tries again by itself."""

    message_ja = (
        "入力した在留カード等番号はこのカードの番号と一致しません。券面の番号を確かめてから、もう一度だけ"
        "読み取ってください（誤りの許容回数は公開されていません。自動で再試行はしません）。"
    )


def base_key(number: str) -> bytes:
    """Kenc = Kmac = SHA-1(number in ASCII)[:16] for both generations."""
    raw = number.encode("ascii")
    if len(raw) != 12:
        raise ValueError("card number must be 12 ASCII characters")
    return hashlib.sha1(raw).digest()[:16]


def session_key(k_ifd: bytes, k_icc: bytes) -> bytes:
    """KSenc = SHA-1((K.IFD ⊕ K.ICC) ‖ 00 00 00 01)[:16]."""
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_icc, strict=True))
    return hashlib.sha1(seed + b"\x00\x00\x00\x01").digest()[:16]


@dataclass(frozen=True, slots=True)
class Cipher:
    """The generation's cipher and MAC for MUTUAL AUTHENTICATE."""

    algorithm: str  # "3DES" | "AES"

    def encrypt(self, key: bytes, data: bytes) -> bytes:
        return tdes_cbc_encrypt(key, data) if self.algorithm == "3DES" else aes_cbc_encrypt(key, data)

    def decrypt(self, key: bytes, data: bytes) -> bytes:
        return tdes_cbc_decrypt(key, data) if self.algorithm == "3DES" else aes_cbc_decrypt(key, data)

    def mac(self, key: bytes, data: bytes) -> bytes:
        # gen 1: retail MAC pads itself (method 2); gen 2: CMAC over the 32-byte cryptogram as it is.
        return retail_mac(key, data) if self.algorithm == "3DES" else aes_cmac(key, data)[:8]


GEN1 = Cipher("3DES")
GEN2 = Cipher("AES")


def cipher_for(generation: int) -> Cipher:
    return GEN1 if generation == 1 else GEN2


def get_challenge() -> Command:
    return Command(0x00, 0x84, 0x00, 0x00, le=8, label="GET CHALLENGE")


def authenticate_data(key: bytes, cipher: Cipher, rnd_icc: bytes, rnd_ifd: bytes, k_ifd: bytes) -> bytes:
    """E.IFD ‖ M.IFD: E = CBC(K, RND.IFD ‖ RND.ICC ‖ K.IFD), M = MAC(K, E)."""
    e_ifd = cipher.encrypt(key, rnd_ifd + rnd_icc + k_ifd)
    return e_ifd + cipher.mac(key, e_ifd)


def mutual_authenticate(data: bytes) -> Command:
    # secret: with the challenge, these bytes let anyone test guesses of the card number offline
    return Command(0x00, 0x82, 0x00, 0x00, data, le=256, secret=True, label="MUTUAL AUTHENTICATE")


def check_icc_answer(key: bytes, cipher: Cipher, answer: bytes, rnd_icc: bytes, rnd_ifd: bytes) -> bytes:
    """Verify M.ICC first, then that E.ICC decrypts to RND.ICC ‖ RND.IFD ‖ K.ICC; return K.ICC."""
    if len(answer) != 40:
        raise AuthenticationFailed(f"MUTUAL AUTHENTICATE answer has {len(answer)} bytes, 40 expected")
    e_icc, m_icc = answer[:32], answer[32:]
    if not hmac.compare_digest(cipher.mac(key, e_icc), m_icc):
        raise AuthenticationFailed("M.ICC does not verify with the key of the typed card number")
    plain = cipher.decrypt(key, e_icc)
    if not hmac.compare_digest(plain[:8], rnd_icc) or not hmac.compare_digest(plain[8:16], rnd_ifd):
        raise AuthenticationFailed("E.ICC does not hold this session's RND.ICC ‖ RND.IFD (replayed or forged)")
    return plain[16:32]


def verify_command(number: str) -> Command:
    """Plain VERIFY of the card number; send it only through ``SecureChannel.protect`` (CLA 08, DO86)."""
    return Command(0x00, 0x20, 0x00, VERIFY_P2, number.encode("ascii"), secret=True, label="VERIFY（在留カード等番号）")


@dataclass
class Access:
    """Outcome of access control: the channel for DF1's SM reads."""

    channel: SecureChannel
    generation: int


def open_access(number: str, generation: int, *, random: Callable[[int], bytes] = os.urandom) -> Conversation[Access]:
    """GET CHALLENGE → MUTUAL AUTHENTICATE → VERIFY under SM. One attempt only: a refusal raises.

    6300 to MUTUAL AUTHENTICATE or VERIFY raises ``NumberRejected``: the chip says the number is not its own.
    Whether a refusal counts toward a lock is not published (residence-card.md open question 3), so nothing
    here ever sends a second attempt.
    """
    cipher = cipher_for(generation)
    key = base_key(number)
    resp = yield get_challenge()
    if resp.sw != 0x9000:
        raise StatusError(resp.sw, "GET CHALLENGE")
    if len(resp.data) != 8:
        raise CardError(f"GET CHALLENGE returned {len(resp.data)} bytes, 8 expected")
    rnd_icc = resp.data
    rnd_ifd, k_ifd = random(8), random(16)
    resp = yield mutual_authenticate(authenticate_data(key, cipher, rnd_icc, rnd_ifd, k_ifd))
    if resp.sw == 0x6300:
        raise NumberRejected("the chip refused MUTUAL AUTHENTICATE: the card number does not match this card")
    if resp.sw != 0x9000:
        raise StatusError(resp.sw, "MUTUAL AUTHENTICATE")
    k_icc = check_icc_answer(key, cipher, resp.data, rnd_icc, rnd_ifd)
    ks_enc = session_key(k_ifd, k_icc)
    del key, k_ifd, k_icc
    channel = SecureChannel(SessionKeys(cipher.algorithm, ks_enc, ks_enc), ENCRYPTION_ONLY)
    resp = yield channel.protect(verify_command(number))
    resp = channel.unprotect(resp)
    if resp.sw == 0x6300:
        raise NumberRejected("the chip refused VERIFY: the card number does not match this card")
    if resp.sw != 0x9000:
        raise StatusError(resp.sw, "VERIFY（在留カード等番号）")
    return Access(channel, generation)


def card_answer(key: bytes, cipher: Cipher, data: bytes, rnd_icc: bytes, k_icc: bytes) -> tuple[Response, bytes | None]:
    """The chip's side (emulator): check E.IFD/M.IFD, answer E.ICC ‖ M.ICC; returns (response, KSenc)."""
    if len(data) != 40:
        return Response(b"", 0x6700), None
    e_ifd, m_ifd = data[:32], data[32:]
    if not hmac.compare_digest(cipher.mac(key, e_ifd), m_ifd):
        return Response(b"", 0x6300), None
    plain = cipher.decrypt(key, e_ifd)
    if not hmac.compare_digest(plain[8:16], rnd_icc):
        return Response(b"", 0x6300), None
    rnd_ifd, k_ifd = plain[:8], plain[16:32]
    e_icc = cipher.encrypt(key, rnd_icc + rnd_ifd + k_icc)
    return Response(e_icc + cipher.mac(key, e_icc), 0x9000), session_key(k_ifd, k_icc)
