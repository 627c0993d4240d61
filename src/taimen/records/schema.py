"""Tables of the record store (SQLAlchemy Core). The DDL itself lives in the alembic migrations."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()

#: store_id, created_at: one row per key.
store_meta = Table(
    "store_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: The data key wrapped under the business's key. Rotation replaces the row; records are not touched.
keyring = Table(
    "keyring",
    metadata,
    Column("key_id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # key_file | passphrase
    Column("salt", LargeBinary, nullable=False),
    Column("wrapped", LargeBinary, nullable=False),
    Column("created_at", String(40), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("display_name", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("staff_id", String(64), nullable=False),
    Column("password_hash", Text, nullable=False),  # Argon2id, PHC string
    Column("active", Boolean, nullable=False),
    Column("created_at", String(40), nullable=False),
)

#: One row per record version; never updated. Personal values only inside ``payload``/``images`` (AES-GCM).
records = Table(
    "records",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("root_id", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("supersedes", String(32), nullable=True),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("presented_at", String(40), nullable=False),
    Column("presented_date", String(10), nullable=False),
    Column("operator", String(128), nullable=False),
    Column("counter", String(128), nullable=False),
    Column("document", String(32), nullable=False),
    Column("document_generation", String(32), nullable=True),
    Column("method", String(32), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("retention", String(40), nullable=False),
    Column("retention_until", String(10), nullable=True),  # NULL: not yet known (携帯法 before contract end)
    Column("payload", LargeBinary, nullable=False),
    Column("images", LargeBinary, nullable=True),
)

#: Blind index: keyed HMAC tokens of normalised name and kana (see docs/records.md for what this leaks).
record_tokens = Table(
    "record_tokens",
    metadata,
    Column("record_id", String(32), primary_key=True),
    Column("field", String(8), primary_key=True),
    Column("token", String(24), primary_key=True),
    # copies of the record's, so that a name search walks its index in list order (migration 0004)
    Column("presented_date", String(10), nullable=True),
    Column("presented_at", String(40), nullable=True),
)

#: Hash chain over record versions and tombstones, MACed with a key derived from the data key.
chain = Table(
    "chain",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(12), nullable=False),  # record | tombstone
    Column("record_id", String(32), nullable=False),
    Column("digest", String(64), nullable=False),  # sha256 of the record row's canonical form
    Column("created_at", String(40), nullable=False),
    Column("prev", LargeBinary, nullable=False),
    Column("mac", LargeBinary, nullable=False),
)

#: One row: the chain's last position, locked by every append (SELECT … FOR UPDATE on PostgreSQL).
chain_head = Table(
    "chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("mac", LargeBinary, nullable=False),
)

access_log = Table(
    "access_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(16), nullable=False),
    Column("record_ids", Text, nullable=False),
    Column("detail", Text, nullable=False),
)

#: PostgreSQL saves commit in parallel and are linked into the chain right after, in batches, by whichever writer
#: takes the chain lock (one fsync for many records). ``mac`` proves the entry came from a key holder.
pending_seal = Table(
    "pending_seal",
    metadata,
    Column("n", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(32), nullable=False, unique=True),
    Column("digest", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("mac", LargeBinary, nullable=False),
)
