"""The emulator signs with cryptography's private-key operation (CRT in OpenSSL), not Python's pow over the
full exponent (issue 13, item 20: that pow was 48 of the 53 ms of an in-process My Number read)."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from taimen.emulator import behaviours
from taimen.mynumber import signatures

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _textbook(key: rsa.RSAPrivateKey, digest_info: bytes) -> bytes:
    k = key.key_size // 8
    block = b"\x00\x01" + b"\xff" * (k - 3 - len(digest_info)) + b"\x00" + digest_info
    n, d = key.private_numbers().public_numbers.n, key.private_numbers().d
    return pow(int.from_bytes(block, "big"), d, n).to_bytes(k, "big")


def test_known_digest_info_is_signed_without_python_pow(monkeypatch: pytest.MonkeyPatch) -> None:
    digest_info = signatures.sha256_digest_info(hashlib.sha256(b"challenge").digest())
    expected = _textbook(KEY, digest_info)

    def no_pow(*args: object) -> int:
        raise AssertionError("Python pow used for an RSA private-key operation")

    monkeypatch.setattr(behaviours, "pow", no_pow, raising=False)
    assert behaviours.raw_pkcs1_sign(KEY, digest_info) == expected


@pytest.mark.parametrize("payload", [b"\x30\x00", b"any block a reader sends", bytes(range(200))])
def test_any_other_block_gives_the_textbook_signature(payload: bytes) -> None:
    assert behaviours.raw_pkcs1_sign(KEY, payload) == _textbook(KEY, payload)


def test_too_long_is_refused() -> None:
    with pytest.raises(ValueError):
        behaviours.raw_pkcs1_sign(KEY, bytes(246))


class _Card:
    """Just the state SelectedKeySign consults: the selected key object and which PINs are verified."""

    current_key_object = 0x0017

    def is_verified(self, df: object, fid: int) -> bool:
        return fid == 0x0018


@pytest.mark.parametrize("payload", [b"known", b"any block a reader sends", bytes(246)])
def test_jpki_signature_command_uses_the_one_digest_info_table(payload: bytes) -> None:
    """The JPKI COMPUTE DIGITAL SIGNATURE behaviour signs exactly as ``raw_pkcs1_sign`` (one DigestInfo table,
    the same length limit): textbook signatures for a known DigestInfo and any other block, 6700 when too long."""
    from taimen.core.apdu import Command
    from taimen.emulator.keysign import SelectedKeySign

    if payload == b"known":
        payload = signatures.sha256_digest_info(hashlib.sha256(b"challenge").digest())
    sign = SelectedKeySign({0x0017: (KEY, 0x0018)})
    r = sign.handle(_Card(), None, Command(0x80, 0x2A, 0x00, 0x80, payload, 256))  # type: ignore[arg-type]
    assert r is not None
    if len(payload) > KEY.key_size // 8 - 11:
        assert (r.data, r.sw) == (b"", 0x6700)
    else:
        assert (r.data, r.sw) == (_textbook(KEY, payload), 0x9000)
