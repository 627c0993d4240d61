"""A counter's local queue for records made while the central store is unreachable.

Plain ``sqlite3`` (one file, WAL): each queued record is the draft's JSON encrypted with AES-GCM under a key
derived from the business's key source and this queue's own salt (so it works before the central store was
ever reached), bound to its record id. A record leaves the queue only after the store holds it; the store's
idempotency key makes a redelivery after a crash a no-op, so each record arrives exactly once.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from taimen.records import codec
from taimen.records.errors import RecordSaveError, WrongKey
from taimen.records.keys import KeySource
from taimen.records.model import RecordDraft


class LocalQueue:
    def __init__(self, path: Path, key: KeySource) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # The web app saves from worker threads: one connection shared under a lock (sqlite3 refuses a
        # connection from another thread unless told, and interleaved statements would mix transactions).
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        self._lock = threading.RLock()
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("PRAGMA secure_delete = ON")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB NOT NULL)")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS queue (n INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT UNIQUE NOT NULL,"
            " actor TEXT NOT NULL, queued_at TEXT NOT NULL, blob BLOB NOT NULL)"
        )
        self._db.execute("BEGIN IMMEDIATE")
        row = self._db.execute("SELECT v FROM meta WHERE k = 'salt'").fetchone()
        if row is None:
            salt = secrets.token_bytes(16)
            self._db.execute("INSERT INTO meta VALUES ('salt', ?)", (salt,))
        else:
            salt = row[0]
        self._db.execute("COMMIT")
        self._salt = salt
        self._aead = AESGCM(key.derive(salt, b"queue"))

    def _aad(self, record_id: str, actor: str) -> bytes:
        return f"taimen.queue/1|{record_id}|{actor}".encode()

    def put(self, record_id: str, draft: RecordDraft, actor: str) -> None:
        nonce = secrets.token_bytes(12)
        blob = nonce + self._aead.encrypt(nonce, codec.draft_to_json(draft), self._aad(record_id, actor))
        try:
            with self._lock:
                self._db.execute(
                    "INSERT INTO queue (record_id, actor, queued_at, blob) VALUES (?, ?, ?, ?)",
                    (record_id, actor, datetime.now(UTC).isoformat(), blob),
                )
        except sqlite3.Error as exc:
            raise RecordSaveError(f"the store is unreachable and the local queue failed: {exc}") from exc

    def items(self) -> Iterator[tuple[str, RecordDraft, str]]:
        with self._lock:
            rows = self._db.execute("SELECT record_id, actor, blob FROM queue ORDER BY n").fetchall()
        for record_id, actor, blob in rows:
            try:
                raw = self._aead.decrypt(blob[:12], blob[12:], self._aad(record_id, actor))
            except InvalidTag as exc:
                raise WrongKey(f"queued record {record_id} does not decrypt with this key") from exc
            yield record_id, codec.draft_from_json(raw), actor

    def remove(self, record_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM queue WHERE record_id = ?", (record_id,))

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM queue").fetchone()[0])

    def rekey(self, key: KeySource) -> None:
        """Re-encrypt what is queued under a new key source (after ``rotate_key``)."""
        pending = list(self.items())
        new = AESGCM(key.derive(self._salt, b"queue"))
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for record_id, draft, actor in pending:
                nonce = secrets.token_bytes(12)
                blob = nonce + new.encrypt(nonce, codec.draft_to_json(draft), self._aad(record_id, actor))
                self._db.execute("UPDATE queue SET blob = ? WHERE record_id = ?", (blob, record_id))
            self._db.execute("COMMIT")
        self._aead = new

    def close(self) -> None:
        with self._lock:
            self._db.close()
