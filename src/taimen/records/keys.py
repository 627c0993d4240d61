"""Keys the business controls, and the record crypto built on them.

A store has one random 256-bit data key. It never leaves memory in clear: the database keeps it wrapped
(AES-GCM) under a key-encryption key (KEK) derived from what the business holds — a key file (HKDF) or a
passphrase (Argon2id, memory-hard). Rotating re-wraps the data key; no record is rewritten. From the data key
HKDF derives three independent keys: record encryption (AES-GCM), blind index (HMAC-SHA256) and chain (HMAC).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from taimen.records.errors import WrongKey

KEY_FILE_MAGIC = "taimen-records-key-v1:"

#: Argon2id cost for passphrases (RFC 9106 second recommended option: 64 MiB, 3 passes).
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_ITERATIONS = 3


def _hkdf(material: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(material)


@dataclass(frozen=True, slots=True)
class KeySource:
    """What unlocks a store: exactly one of a key file path or a passphrase."""

    key_file: Path | None = None
    passphrase: str | None = None
    #: Argon2id memory (KiB); lowered only by tests and benchmarks.
    argon2_memory_kib: int = ARGON2_MEMORY_KIB

    def __post_init__(self) -> None:
        if (self.key_file is None) == (self.passphrase is None):
            raise ValueError("give exactly one of key_file or passphrase")

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> KeySource:
        return cls(key_file=Path(path))

    @classmethod
    def from_passphrase(cls, passphrase: str, *, argon2_memory_kib: int = ARGON2_MEMORY_KIB) -> KeySource:
        if len(passphrase) < 12:
            raise ValueError("a passphrase needs at least 12 characters")
        return cls(passphrase=passphrase, argon2_memory_kib=argon2_memory_kib)

    @property
    def kind(self) -> str:
        return "key_file" if self.key_file is not None else "passphrase"

    def derive(self, salt: bytes, info: bytes) -> bytes:
        """A 32-byte key for ``info`` (e.g. b"kek", b"queue"), different for every salt."""
        if self.key_file is not None:
            return _hkdf(read_key_file(self.key_file), salt, b"taimen.records." + info)
        assert self.passphrase is not None
        stretched = Argon2id(
            salt=salt, length=32, iterations=ARGON2_ITERATIONS, lanes=1, memory_cost=self.argon2_memory_kib
        ).derive(unicodedata.normalize("NFC", self.passphrase).encode())
        return _hkdf(stretched, salt, b"taimen.records." + info)

    def describe(self) -> str:
        return f"key file {self.key_file}" if self.key_file is not None else "passphrase"


def create_key_file(path: str | os.PathLike[str]) -> Path:
    """Write a new random key file (mode 0600). Refuses to overwrite: losing a key loses the records."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(KEY_FILE_MAGIC + base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    return p


def read_key_file(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise WrongKey(f"cannot read key file {path}: {exc}") from exc
    if not text.startswith(KEY_FILE_MAGIC):
        raise WrongKey(f"{path} is not a taimen records key file")
    raw = base64.b64decode(text[len(KEY_FILE_MAGIC) :], validate=True)
    if len(raw) != 32:
        raise WrongKey(f"{path}: key must be 32 bytes")
    return raw


def wrap(kek: bytes, data_key: bytes, aad: bytes) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(kek).encrypt(nonce, data_key, aad)


def unwrap(kek: bytes, blob: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(kek).decrypt(blob[:12], blob[12:], aad)
    except InvalidTag as exc:
        raise WrongKey("the key does not unwrap this store's data key") from exc


class RecordCipher:
    """Encryption, blind index and chain MAC derived from one data key."""

    def __init__(self, data_key: bytes, store_id: str) -> None:
        self._aead = AESGCM(_hkdf(data_key, store_id.encode(), b"taimen.records.enc"))
        self._index_key = _hkdf(data_key, store_id.encode(), b"taimen.records.index")
        self._chain_key = _hkdf(data_key, store_id.encode(), b"taimen.records.chain")
        self.store_id = store_id

    def aad(self, record_id: str, version: int, part: str) -> bytes:
        return f"taimen.record/1|{self.store_id}|{record_id}|{version}|{part}".encode()

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._aead.encrypt(nonce, plaintext, aad)

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        try:
            return self._aead.decrypt(blob[:12], blob[12:], aad)
        except InvalidTag as exc:
            raise WrongKey("a record does not decrypt: wrong key, or the ciphertext was moved or altered") from exc

    def index_token(self, field: str, value: str) -> str:
        """Keyed blind-index token of a normalised value (equality search without storing the value)."""
        mac = hmac.new(self._index_key, f"{field}\x00{value}".encode(), hashlib.sha256).digest()
        return base64.b32encode(mac[:15]).decode().lower()

    def chain_mac(self, prev: bytes, body: bytes) -> bytes:
        return hmac.new(self._chain_key, prev + body, hashlib.sha256).digest()


def normalise(text: str) -> str:
    """NFKC, no spaces, katakana → hiragana, lower case: the form names and kana are indexed under."""
    t = unicodedata.normalize("NFKC", text)
    t = "".join(ch for ch in t if not ch.isspace())
    t = "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in t)
    return t.lower()


def tokens(text: str | None) -> set[str]:
    """Index forms of a name: the whole name and each space-separated part (family, given)."""
    if not text:
        return set()
    parts = unicodedata.normalize("NFKC", text).split()
    out = {normalise(text)}
    if len(parts) > 1:
        out |= {normalise(p) for p in parts}
    out.discard("")
    return out
