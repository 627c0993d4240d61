"""The record store on SQLite (embedded default) or PostgreSQL (many counters), through SQLAlchemy Core.

Every write is one transaction that first takes the chain head: ``BEGIN IMMEDIATE`` on SQLite,
``SELECT … FOR UPDATE`` of the one ``chain_head`` row on PostgreSQL. Appends are therefore serialised, the
chain has no forks, and an idempotency key seen before returns the stored record instead of a duplicate.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import secrets
import sqlite3
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from taimen.records import codec
from taimen.records.errors import (
    AuthenticationFailed,
    InvalidChange,
    NotAuthorized,
    RecordNotFound,
    RecordSaveError,
    RecordsError,
    StoreUnavailable,
    WrongKey,
)
from taimen.records.keys import KeySource, RecordCipher, tokens, unwrap, wrap
from taimen.records.model import (
    CORRECTABLE,
    AccessEntry,
    BusinessFields,
    ChainReport,
    Operator,
    PurgeReport,
    Record,
    RecordDraft,
    RecordQuery,
    Retention,
    Role,
)
from taimen.records.schema import (
    access_log,
    accounts,
    chain,
    chain_head,
    keyring,
    pending_seal,
    record_tokens,
    records,
    store_meta,
)

#: How long a counter operator may reopen a record they saved ("what they just saved").
OPERATOR_WINDOW = timedelta(minutes=30)
#: Who may export: supervisors. Auditors are read-only: they browse and open every record (each read logged) but
#: take no copy out of the encrypted store (docs/records.md, "Roles").
EXPORT_ROLES = frozenset({Role.SUPERVISOR})
#: Argon2id for account passwords (RFC 9106 second recommendation).
PASSWORD_MEMORY_KIB = 64 * 1024
GENESIS = b"\x00" * 32


def default_sqlite_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "taimen" / "records.sqlite3"


def engine_url(url: str | None) -> tuple[str, str]:
    """(SQLAlchemy URL, dialect) from what the operator typed."""
    if url is None or url == "":
        url = str(default_sqlite_path())
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1], "postgresql"
    if url.startswith("postgresql+"):
        return url, "postgresql"
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
    elif "://" in url:
        raise RecordsError(f"unsupported records URL scheme: {url.split('://', 1)[0]}")
    else:
        path = Path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}", "sqlite"


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="microseconds")


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def retention_until(draft: RecordDraft) -> date | None:
    """Last day the record must be kept. 犯収法: 7 years (from the contract end when one is recorded, else from
    the presentation). 携帯法: 3 years after the contract ends; unknown (kept) until the end is entered."""
    end = draft.business.contract_end
    if draft.retention is Retention.KEITAI:
        return _add_years(end, 3) if end else None
    start = end or draft.presented_at.date()
    return _add_years(start, 7)


def _is_unavailable(exc: BaseException) -> bool:
    """True when the database cannot be reached (as opposed to refusing the write)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    orig = getattr(exc, "orig", None)
    try:
        import psycopg

        if isinstance(orig, psycopg.OperationalError) and not isinstance(orig, psycopg.errors.DiskFull):
            return True
    except ImportError:  # pragma: no cover - psycopg is an optional dependency
        pass
    return False


def _read_only(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        if os.statvfs(path.parent).f_flag & os.ST_RDONLY:
            return True
        return not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK))
    except OSError:
        return False


def _save_error(exc: BaseException, path: Path | None = None) -> RecordSaveError:
    detail = str(getattr(exc, "orig", None) or exc)
    low = detail.lower()
    if "readonly" in low or "read-only" in low or "read only" in low or _read_only(path):
        why = "データベースが読み取り専用です。"
    elif "full" in low or "no space" in low or (isinstance(exc, OSError) and exc.errno == errno.ENOSPC):
        why = "ディスクの空き容量がありません。"
    else:
        why = ""
    err = RecordSaveError(f"the record was not saved: {detail}")
    err.message_ja = why + RecordSaveError.message_ja
    return err


class SqlRecordStore:
    """``RecordStore`` on SQLAlchemy Core. Use ``taimen.records.open_store``."""

    def __init__(
        self,
        engine: Engine,
        dialect: str,
        key: KeySource,
        *,
        queue: Any = None,
        password_memory_kib: int = PASSWORD_MEMORY_KIB,
    ) -> None:
        self.engine = engine
        self.dialect = dialect
        self._key = key
        self._cipher: RecordCipher | None = None
        self._queue = queue
        self._password_memory_kib = password_memory_kib
        self.read_engine = engine
        #: the SQLite file, to tell a read-only file system from other failures
        self.sqlite_path = Path(engine.url.database) if dialect == "sqlite" and engine.url.database else None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        url: str | None,
        key: KeySource,
        *,
        queue_path: str | os.PathLike[str] | None = None,
        password_memory_kib: int = PASSWORD_MEMORY_KIB,
        connect_timeout: int = 5,
    ) -> SqlRecordStore:
        sa_url, dialect = engine_url(url)
        read_engine = None
        if dialect == "sqlite":
            engine = sa.create_engine(sa_url, poolclass=sa.pool.NullPool)
            _sqlite_pragmas(engine, immediate=True)
            read_engine = sa.create_engine(sa_url, poolclass=sa.pool.NullPool)
            _sqlite_pragmas(read_engine, immediate=False)  # readers do not take the write lock (WAL)
        else:
            engine = sa.create_engine(
                sa_url, pool_pre_ping=True, pool_size=2, connect_args={"connect_timeout": connect_timeout}
            )
        queue = None
        if queue_path is not None:
            from taimen.records.queue import LocalQueue

            queue = LocalQueue(Path(queue_path), key)
        store = cls(engine, dialect, key, queue=queue, password_memory_kib=password_memory_kib)
        store.read_engine = read_engine or engine
        try:
            store._ready()
        except StoreUnavailable:
            if queue is None:
                raise
        return store

    def close(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()
        if self._queue is not None:
            self._queue.close()

    def _connect_error(self, exc: BaseException) -> StoreUnavailable:
        return StoreUnavailable(f"cannot reach the records database: {getattr(exc, 'orig', None) or exc}")

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One write transaction holding the chain lock for its whole life."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except (RecordsError, IntegrityError):
            raise
        except DBAPIError as exc:
            if _is_unavailable(exc):
                raise self._connect_error(exc) from exc
            raise

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.read_engine.connect() as conn:
                yield conn
        except DBAPIError as exc:
            if _is_unavailable(exc):
                raise self._connect_error(exc) from exc
            raise

    def _ready(self) -> RecordCipher:
        """Migrate and unlock on first use (lazily, so an unreachable PostgreSQL does not stop the counter)."""
        if self._cipher is not None:
            return self._cipher
        try:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    # concurrent counters starting together: one migrates, the others wait
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7314001)")
                _migrate(conn)
                meta = dict(conn.execute(sa.select(store_meta.c.key, store_meta.c.value)).all())
                if "store_id" not in meta:
                    self._cipher = self._initialise(conn)
                else:
                    row = conn.execute(sa.select(keyring).order_by(keyring.c.key_id.desc())).first()
                    if row is None:
                        raise WrongKey("the store has no data key")
                    kek = self._key.derive(row.salt, b"kek")
                    data_key = unwrap(kek, row.wrapped, _wrap_aad(meta["store_id"]))
                    self._cipher = RecordCipher(data_key, meta["store_id"])
        except DBAPIError as exc:
            if _is_unavailable(exc):
                raise self._connect_error(exc) from exc
            raise _save_error(exc, self.sqlite_path) from exc
        return self._cipher

    def _initialise(self, conn: Connection) -> RecordCipher:
        store_id = uuid.uuid4().hex
        data_key = secrets.token_bytes(32)
        salt = secrets.token_bytes(16)
        kek = self._key.derive(salt, b"kek")
        now = _iso(_now())
        conn.execute(store_meta.insert(), [{"key": "store_id", "value": store_id}, {"key": "created_at", "value": now}])
        conn.execute(
            keyring.insert().values(
                key_id=1,
                kind=self._key.kind,
                salt=salt,
                wrapped=wrap(kek, data_key, _wrap_aad(store_id)),
                created_at=now,
            )
        )
        conn.execute(chain_head.insert().values(id=1, seq=0, mac=GENESIS))
        return RecordCipher(data_key, store_id)

    @property
    def store_id(self) -> str:
        return self._ready().store_id

    # ------------------------------------------------------------------ chain

    def seal(self) -> int:
        """Link every committed-but-unlinked record into the chain (PostgreSQL), in one transaction.

        Each saving writer calls this after its commit and waits for the chain lock, so its record is linked
        before ``save`` returns — by itself or by the writer ahead of it, which takes all that is pending.
        """
        if self.dialect != "postgresql":
            return 0
        cipher = self._ready()
        with self._tx() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_CHAIN_LOCK})")  # no WAL: cheap when idle
            pending = conn.execute(sa.select(pending_seal).order_by(pending_seal.c.n)).all()
            if not pending:
                return 0
            head = self._lock_head(conn)
            done = []
            for p in pending:
                expect = cipher.chain_mac(b"pending", _chain_body(0, "record", p.record_id, p.digest, p.created_at))
                if bytes(p.mac) != expect:  # planted by hand: never sealed; verify_chain reports the row
                    continue
                head = self._append_chain(conn, head, "record", p.record_id, p.digest, p.created_at)
                done.append(p.n)
            if done:
                conn.execute(pending_seal.delete().where(pending_seal.c.n.in_(done)))
            return len(done)

    def _lock_head(self, conn: Connection) -> tuple[int, bytes]:
        q = sa.select(chain_head.c.seq, chain_head.c.mac).where(chain_head.c.id == 1)
        if self.dialect == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_CHAIN_LOCK})")  # the same lock as seal()
            q = q.with_for_update()
        row = conn.execute(q).one()
        return int(row.seq), bytes(row.mac)

    def _append_chain(
        self, conn: Connection, head: tuple[int, bytes], kind: str, record_id: str, digest: str, at: str
    ) -> tuple[int, bytes]:
        cipher = self._ready()
        seq = head[0] + 1
        mac = cipher.chain_mac(head[1], _chain_body(seq, kind, record_id, digest, at))
        values = {
            "seq": seq,
            "kind": kind,
            "record_id": record_id,
            "digest": digest,
            "at": at,
            "prev": head[1],
            "mac": mac,
        }
        if self.dialect == "postgresql":  # one round trip while the head is locked
            conn.execute(_PG_APPEND, values)
        else:
            conn.execute(
                chain.insert().values(
                    seq=seq, kind=kind, record_id=record_id, digest=digest, created_at=at, prev=head[1], mac=mac
                )
            )
            conn.execute(chain_head.update().where(chain_head.c.id == 1).values(seq=seq, mac=mac))
        return seq, mac

    # ------------------------------------------------------------------ writing

    def save(self, draft: RecordDraft, actor: Operator) -> Record:
        _require(actor, {Role.OPERATOR, Role.SUPERVISOR}, "save a record")
        if actor.role is Role.OPERATOR and draft.operator != actor.name:
            raise NotAuthorized(f"{actor.name} cannot save a record in the name of {draft.operator}")
        record_id = uuid.uuid4().hex
        try:
            return self._insert(
                draft, actor.name, record_id, root_id=record_id, version=1, supersedes=None, reason=None, action="save"
            )
        except StoreUnavailable:
            if self._queue is None:
                raise _save_error_unavailable() from None
            self._queue.put(record_id, draft, actor.name)
            return Record(
                id=record_id,
                version=1,
                root_id=record_id,
                supersedes=None,
                superseded_by=None,
                created_at=_now(),
                created_by=actor.name,
                correction_reason=None,
                draft=draft,
                pending=True,
            )

    def _insert(
        self,
        draft: RecordDraft,
        actor_name: str,
        record_id: str,
        *,
        root_id: str,
        version: int,
        supersedes: str | None,
        reason: str | None,
        action: str,
    ) -> Record:
        if draft.presented_at.tzinfo is None:
            raise ValueError("presented_at must be timezone-aware")
        try:
            cipher = self._ready()
            created = _now()
            row = self._row(cipher, draft, record_id, root_id, version, supersedes, reason, actor_name, created)
            digest = _digest(row)
            toks = [
                {
                    "record_id": record_id,
                    "field": f,
                    "token": cipher.index_token(f, t),
                    "presented_date": row["presented_date"],
                    "presented_at": row["presented_at"],
                }
                for f, text in (("name", draft.name), ("kana", draft.name_kana))
                for t in tokens(text)
            ]
            with self._tx() as conn:
                if supersedes is not None:  # corrections of one version are serialised on the chain head
                    head = self._lock_head(conn)
                    newer = conn.execute(sa.select(records.c.id).where(records.c.supersedes == supersedes)).first()
                    if newer is not None:
                        raise InvalidChange(f"record {supersedes} was already corrected by {newer.id}; correct that")
                # the row first, the chain head last: the lock is held only for the chain append and the commit.
                # A key stored before (retry, queue redelivery) inserts nothing; a concurrent save of the same key
                # waits on the unique index until the other commits, then inserts nothing.
                inserted = conn.execute(_insert_once(self.dialect).values(**row).returning(records.c.id)).first()
                if inserted is None:
                    existing = conn.execute(
                        sa.select(records).where(records.c.idempotency_key == draft.idempotency_key)
                    ).one()
                    return self._decode(existing, conn)
                if toks:
                    conn.execute(record_tokens.insert(), toks)
                self._log(conn, actor_name, action, [record_id], "")
                if supersedes is None and self.dialect == "postgresql":
                    # commit in parallel with other counters (PostgreSQL groups the fsyncs); sealed just below
                    conn.execute(
                        pending_seal.insert().values(
                            record_id=record_id,
                            digest=digest,
                            created_at=row["created_at"],
                            mac=cipher.chain_mac(
                                b"pending", _chain_body(0, "record", record_id, digest, row["created_at"])
                            ),
                        )
                    )
                else:
                    if supersedes is None:
                        head = self._lock_head(conn)
                    self._append_chain(conn, head, "record", record_id, digest, row["created_at"])
            if supersedes is None and self.dialect == "postgresql":
                self.seal()
        except (RecordsError, ValueError):
            raise
        except IntegrityError as exc:
            # a concurrent writer stored the same idempotency key between our check and our insert: theirs wins
            with self._read() as conn:
                row = conn.execute(sa.select(records).where(records.c.idempotency_key == draft.idempotency_key)).first()
                if row is None:
                    raise _save_error(exc, self.sqlite_path) from exc
                return self._decode(row, conn)
        except (DBAPIError, OSError, sqlite3.Error) as exc:
            raise _save_error(exc, self.sqlite_path) from exc
        return Record(
            id=record_id,
            version=version,
            root_id=root_id,
            supersedes=supersedes,
            superseded_by=None,
            created_at=created,
            created_by=actor_name,
            correction_reason=reason,
            draft=draft,
        )

    def _row(
        self,
        cipher: RecordCipher,
        d: RecordDraft,
        record_id: str,
        root_id: str,
        version: int,
        supersedes: str | None,
        reason: str | None,
        actor_name: str,
        created: datetime,
    ) -> dict[str, Any]:
        personal = codec.personal_payload(d)
        personal["correction_reason"] = reason
        payload = cipher.encrypt(codec.dumps(personal), cipher.aad(record_id, version, "payload"))
        images = (
            cipher.encrypt(codec.dumps(codec.images_payload(d.images)), cipher.aad(record_id, version, "images"))
            if d.images
            else None
        )
        until = retention_until(d)
        return {
            "id": record_id,
            "root_id": root_id,
            "version": version,
            "supersedes": supersedes,
            "idempotency_key": d.idempotency_key,
            "created_at": _iso(created),
            "created_by": actor_name,
            "presented_at": _iso(d.presented_at),
            "presented_date": d.presented_at.date().isoformat(),
            "operator": d.operator,
            "counter": d.counter,
            "document": d.document,
            "document_generation": d.document_generation,
            "method": d.method,
            "verdict": d.verdict,
            "retention": str(d.retention),
            "retention_until": until.isoformat() if until else None,
            "payload": payload,
            "images": images,
        }

    def correct(self, record_id: str, changes: Mapping[str, Any], actor: Operator, *, reason: str) -> Record:
        _require(actor, {Role.OPERATOR, Role.SUPERVISOR}, "correct a record")
        bad = set(changes) - CORRECTABLE
        if bad:
            raise InvalidChange(f"not correctable: {', '.join(sorted(bad))} (only {', '.join(sorted(CORRECTABLE))})")
        if not reason.strip():
            raise InvalidChange("a correction needs a reason", message_ja="訂正の理由を入力してください。")
        old = self._fetch(record_id)
        self._check_read(old, actor)
        biz = old.draft.business
        biz_changes = {k: v for k, v in changes.items() if k in BusinessFields.__dataclass_fields__}
        if "contract_end" in biz_changes and isinstance(biz_changes["contract_end"], str):
            biz_changes["contract_end"] = date.fromisoformat(biz_changes["contract_end"])
        draft = replace(
            old.draft,
            idempotency_key=uuid.uuid4().hex,
            business=replace(biz, **biz_changes),
            document_number=changes.get("document_number", old.draft.document_number),
        )
        if draft.document == "mynumber" and draft.document_number:
            raise InvalidChange("a My Number Card has no 記号番号; the 個人番号 is never recorded")
        new_id = uuid.uuid4().hex
        try:
            return self._insert(
                draft,
                actor.name,
                new_id,
                root_id=old.root_id,
                version=old.version + 1,
                supersedes=old.id,
                reason=reason,
                action="correct",
            )
        except StoreUnavailable:
            raise _save_error_unavailable() from None

    # ------------------------------------------------------------------ reading

    def _decode(self, row: Any, conn: Connection, *, superseded_by: str | None = None) -> Record:
        cipher = self._ready()
        personal = json.loads(cipher.decrypt(bytes(row.payload), cipher.aad(row.id, row.version, "payload")))
        images = (
            codec.images_from(json.loads(cipher.decrypt(bytes(row.images), cipher.aad(row.id, row.version, "images"))))
            if row.images is not None
            else {}
        )
        plain = {k: getattr(row, k) for k in (*codec.PLAIN_FIELDS, "idempotency_key", "retention")}
        draft = codec.draft_from_parts(plain, personal, images)
        return Record(
            id=row.id,
            version=row.version,
            root_id=row.root_id,
            supersedes=row.supersedes,
            superseded_by=superseded_by,
            created_at=datetime.fromisoformat(row.created_at),
            created_by=row.created_by,
            correction_reason=personal.get("correction_reason"),
            draft=draft,
        )

    def _fetch(self, record_id: str, *, conn: Connection | None = None) -> Record:
        with self._read() if conn is None else _same(conn) as c:
            row = c.execute(sa.select(records).where(records.c.id == record_id)).first()
            if row is None:
                raise RecordNotFound(f"no record {record_id}")
            newer = c.execute(sa.select(records.c.id).where(records.c.supersedes == record_id)).first()
            return self._decode(row, c, superseded_by=newer.id if newer else None)

    def _check_read(self, rec: Record, actor: Operator) -> None:
        if actor.role in (Role.SUPERVISOR, Role.AUDITOR):
            return
        if actor.role is Role.OPERATOR and rec.created_by == actor.name and _now() - rec.created_at <= OPERATOR_WINDOW:
            return
        raise NotAuthorized(
            f"{actor.name} ({actor.role}) cannot open record {rec.id}",
            message_ja="窓口担当者は、直前に保存した記録しか開けません。責任者に依頼してください。",
        )

    def get(self, record_id: str, actor: Operator) -> Record:
        rec = self._fetch(record_id)
        self._check_read(rec, actor)
        self._log_now(actor.name, "view", [record_id], "")
        return rec

    def history(self, record_id: str, actor: Operator) -> list[Record]:
        rec = self._fetch(record_id)
        self._check_read(rec, actor)
        with self._read() as conn:
            rows = conn.execute(
                sa.select(records).where(records.c.root_id == rec.root_id).order_by(records.c.version)
            ).all()
            out = [self._decode(r, conn) for r in rows]
        nxt = {r.supersedes: r.id for r in out if r.supersedes}
        out = [replace(r, superseded_by=nxt.get(r.id)) for r in out]
        self._log_now(actor.name, "view", [r.id for r in out], "history")
        return out

    def search(self, query: RecordQuery, actor: Operator) -> list[Record]:
        if actor.role not in (Role.OPERATOR, Role.SUPERVISOR, Role.AUDITOR) or not actor.active:
            raise NotAuthorized(f"{actor.role} cannot search")
        with self._read() as conn:
            out = [self._decode(r, conn) for r in conn.execute(self._search_query(query, actor)).all()]
        self._log_now(actor.name, "search", [r.id for r in out], _describe_query(query))
        return out

    def _search_query(self, query: RecordQuery, actor: Operator) -> sa.Select[Any]:
        """The page's ids first, through an index in list order; then only those rows (with their ciphertexts).

        The list order is (presented_date, presented_at, id), newest first. A name or kana search is driven by
        the blind index, which carries the date and time (migration 0004), so its index range is already in list
        order; the other filters have an index (column, presented_date, presented_at, id). A page therefore
        reads limit + offset index entries, not every match (docs/records.md, "Search at 1 000 000 records").
        """
        from taimen.records.keys import normalise

        cipher = self._ready()
        token_filters = []
        for fieldname, text in (("name", query.name), ("kana", query.kana)):
            if text:
                # the query's whole form must be one of the record's tokens (whole name or one part)
                tok = cipher.index_token(fieldname, normalise(text)) if tokens(text) else ""
                token_filters.append((fieldname, tok))
        if token_filters:
            t = record_tokens.alias("t")
            key_id, key_date, key_at = t.c.record_id, t.c.presented_date, t.c.presented_at
            ids = sa.select(key_id.label("id")).select_from(t)
            ids = ids.where(t.c.field == token_filters[0][0], t.c.token == token_filters[0][1])
            for fieldname, tok in token_filters[1:]:
                t2 = record_tokens.alias()
                ids = ids.where(
                    sa.exists(
                        sa.select(t2.c.record_id).where(
                            t2.c.record_id == key_id, t2.c.field == fieldname, t2.c.token == tok
                        )
                    )
                )
        else:
            key_id, key_date, key_at = records.c.id, records.c.presented_date, records.c.presented_at
            ids = sa.select(key_id.label("id"))
        plain = [
            (records.c.document, query.document),
            (records.c.operator, query.operator),
            (records.c.verdict, query.verdict),
        ]
        needs_row = actor.role is Role.OPERATOR or any(v for _, v in plain)
        if token_filters and needs_row:
            ids = ids.join(records, records.c.id == key_id)
        if actor.role is Role.OPERATOR:  # only what they just saved
            ids = ids.where(
                records.c.created_by == actor.name, records.c.created_at >= _iso(_now() - OPERATOR_WINDOW)
            )
        for col, val in plain:
            if val:
                ids = ids.where(col == val)
        if query.presented_from:
            ids = ids.where(key_date >= query.presented_from.isoformat())
        if query.presented_to:
            ids = ids.where(key_date <= query.presented_to.isoformat())
        if not query.include_superseded:
            r2 = records.alias("r2")
            ids = ids.where(~sa.exists(sa.select(r2.c.id).where(r2.c.supersedes == key_id)))
        page = (
            ids.order_by(key_date.desc(), key_at.desc(), key_id.desc())
            .limit(max(0, min(query.limit, 1000)))
            .offset(max(0, query.offset))
            .subquery("page")
        )
        return (
            sa.select(records)
            .join(page, page.c.id == records.c.id)
            .order_by(records.c.presented_date.desc(), records.c.presented_at.desc(), records.c.id.desc())
        )

    def export_records(self, ids: Sequence[str], fmt: str, actor: Operator) -> list[Record]:
        """The records to export, for a supervisor only, logged as one "export" entry naming every record.

        No "view" entry per record: the export entry is the trace (``access_log(record_id=…)`` finds it for
        each record). The entry is written before any record is returned; if it cannot be, nothing is.
        Auditors read on screen but do not export (docs/records.md, "Roles").
        """
        _require(actor, EXPORT_ROLES, "export records")
        unique = list(dict.fromkeys(ids))
        with self._read() as conn:
            out = [self._fetch(i, conn=conn) for i in unique]
        self._log_now(actor.name, "export", [r.id for r in out], fmt)
        return out

    def access_log(self, actor: Operator, *, record_id: str | None = None, limit: int = 200) -> list[AccessEntry]:
        _require(actor, {Role.SUPERVISOR, Role.AUDITOR}, "read the access log")
        q = sa.select(access_log).order_by(access_log.c.id.desc()).limit(limit)
        if record_id:
            q = q.where(access_log.c.record_ids.contains(record_id))
        with self._read() as conn:
            rows = conn.execute(q).all()
        return [
            AccessEntry(
                datetime.fromisoformat(r.at),
                r.actor,
                r.action,
                tuple(x for x in r.record_ids.split(",") if x),
                r.detail,
            )
            for r in rows
        ]

    def _log(self, conn: Connection, actor: str, action: str, ids: Sequence[str], detail: str) -> None:
        conn.execute(
            access_log.insert().values(
                at=_iso(_now()), actor=actor, action=action, record_ids=",".join(ids), detail=detail
            )
        )

    def _log_now(self, actor: str, action: str, ids: Sequence[str], detail: str) -> None:
        try:
            with self.engine.begin() as conn:
                self._log(conn, actor, action, ids, detail)
        except DBAPIError as exc:
            # reading without a trace of who read is not allowed: refuse instead
            raise RecordsError(
                f"cannot log the access: {getattr(exc, 'orig', None) or exc}",
                message_ja="閲覧記録を残せないため、表示できません。",
            ) from exc

    # ------------------------------------------------------------------ chain check

    def verify_chain(self) -> ChainReport:
        cipher = self._ready()
        self.seal()  # what a crash left between commit and link
        with self._read() as conn:
            entries = conn.execute(sa.select(chain).order_by(chain.c.seq)).all()
            head = conn.execute(sa.select(chain_head)).first()
            rows = conn.execute(sa.select(records)).all()
        problems: list[tuple[int, str | None, str, str]] = []
        prev = GENESIS
        by_record: dict[str, Any] = {}
        tombstoned: dict[str, int] = {}
        expected = 1
        for e in entries:
            if e.seq != expected:
                problems.append(
                    (expected, None, f"chain entry {expected} is missing", f"連鎖の{expected}番目がありません")
                )
                break
            if bytes(e.prev) != prev or cipher.chain_mac(
                prev, _chain_body(e.seq, e.kind, e.record_id, e.digest, e.created_at)
            ) != bytes(e.mac):
                problems.append(
                    (e.seq, e.record_id, f"chain entry {e.seq} was altered", f"連鎖の{e.seq}番目が改ざんされています")
                )
                break
            prev = bytes(e.mac)
            expected += 1
            if e.kind == "record":
                by_record[e.record_id] = e
            elif e.kind == "tombstone":
                tombstoned[e.record_id] = e.seq
        n = len(entries)
        if not problems and (head is None or head.seq != n or bytes(head.mac) != prev):
            problems.append(
                (
                    n + 1,
                    None,
                    "the chain head does not match the last entry (entries removed at the end?)",
                    "連鎖の末尾が一致しません（末尾の記録が削除された可能性があります）",
                )
            )
        present = set()
        for r in rows:
            present.add(r.id)
            e = by_record.get(r.id)
            if e is None:
                problems.append(
                    (
                        n + 1,
                        r.id,
                        f"record {r.id} is not in the chain (inserted by hand?)",
                        f"記録 {r.id} が連鎖にありません（手で追加された可能性があります）",
                    )
                )
            elif _digest(r._asdict()) != e.digest:
                problems.append((e.seq, r.id, f"record {r.id} was altered", f"記録 {r.id} が改ざんされています"))
            elif r.id in tombstoned:
                problems.append(
                    (
                        tombstoned[r.id],
                        r.id,
                        f"record {r.id} is tombstoned but still present",
                        f"記録 {r.id} は削除済みのはずですが残っています",
                    )
                )
        for rid, e in by_record.items():
            if rid not in present and rid not in tombstoned:
                problems.append(
                    (
                        e.seq,
                        rid,
                        f"record {rid} was deleted without a tombstone",
                        f"記録 {rid} が削除されています（保存期間による削除の記録がありません）",
                    )
                )
        tomb = sum(1 for e in entries if e.kind == "tombstone")
        if problems:
            seq, rid, en, ja = min(problems, key=lambda p: p[0])
            return ChainReport(False, n, len(rows), tomb, prev.hex(), seq, rid, en, ja)
        return ChainReport(True, n, len(rows), tomb, prev.hex())

    # ------------------------------------------------------------------ retention

    def purge(self, now: datetime, actor: Operator | None = None) -> PurgeReport:
        if actor is not None:
            _require(actor, {Role.SUPERVISOR}, "purge records")
        self._ready()
        today = now.astimezone(UTC).date().isoformat()
        r2 = records.alias("r2")
        latest_due = sa.select(records.c.root_id).where(
            records.c.retention_until.is_not(None),
            records.c.retention_until < today,
            ~sa.exists(sa.select(r2.c.id).where(r2.c.supersedes == records.c.id)),
        )
        purged: list[str] = []
        self.seal()
        try:
            with self._tx() as conn:
                head = self._lock_head(conn)
                rows = conn.execute(
                    sa.select(records.c.id)
                    .where(records.c.root_id.in_(latest_due))
                    .order_by(records.c.created_at, records.c.id)
                ).all()
                at = _iso(_now())
                for r in rows:
                    digest = conn.execute(
                        sa.select(chain.c.digest).where(chain.c.record_id == r.id, chain.c.kind == "record")
                    ).scalar_one()
                    head = self._append_chain(conn, head, "tombstone", r.id, digest, at)
                    conn.execute(record_tokens.delete().where(record_tokens.c.record_id == r.id))
                    conn.execute(records.delete().where(records.c.id == r.id))
                    purged.append(r.id)
                if purged:
                    self._log(conn, actor.name if actor else "system", "purge", purged, f"retention until < {today}")
                kept = conn.execute(sa.select(sa.func.count()).select_from(records)).scalar_one()
        except DBAPIError as exc:
            raise _save_error(exc, self.sqlite_path) from exc
        return PurgeReport(tuple(purged), int(kept))

    # ------------------------------------------------------------------ keys

    def rotate_key(self, new_key: KeySource, actor: Operator) -> None:
        """Re-wrap the data key under ``new_key``; the old key stops opening the store. Records are untouched."""
        _require(actor, {Role.SUPERVISOR}, "rotate the key")
        self._ready()
        with self._tx() as conn:
            self._lock_head(conn)
            meta = dict(conn.execute(sa.select(store_meta.c.key, store_meta.c.value)).all())
            row = conn.execute(sa.select(keyring).order_by(keyring.c.key_id.desc())).first()
            assert row is not None
            data_key = unwrap(self._key.derive(row.salt, b"kek"), row.wrapped, _wrap_aad(meta["store_id"]))
            salt = secrets.token_bytes(16)
            wrapped = wrap(new_key.derive(salt, b"kek"), data_key, _wrap_aad(meta["store_id"]))
            conn.execute(keyring.delete())
            conn.execute(
                keyring.insert().values(
                    key_id=row.key_id + 1, kind=new_key.kind, salt=salt, wrapped=wrapped, created_at=_iso(_now())
                )
            )
            self._log(conn, actor.name, "rotate_key", [], f"{row.kind} -> {new_key.kind}")
        self._key = new_key
        if self._queue is not None:
            self._queue.rekey(new_key)

    # ------------------------------------------------------------------ accounts

    def create_account(
        self,
        name: str,
        password: str,
        role: Role,
        *,
        display_name: str = "",
        staff_id: str = "",
        actor: Operator | None = None,
    ) -> Operator:
        self._ready()
        if not name or len(name) > 128 or any(c.isspace() for c in name) or "," in name:
            raise InvalidChange(f"invalid account name {name!r}", message_ja="担当者名が正しくありません。")
        if len(password) < 10:
            raise InvalidChange(
                "a password needs at least 10 characters", message_ja="パスワードは10文字以上にしてください。"
            )
        hashed = Argon2id(
            salt=secrets.token_bytes(16), length=32, iterations=3, lanes=1, memory_cost=self._password_memory_kib
        ).derive_phc_encoded(password.encode())
        op = Operator(name=name, display_name=display_name or name, role=Role(role), staff_id=staff_id)
        with self._tx() as conn:
            self._lock_head(conn)
            count = conn.execute(sa.select(sa.func.count()).select_from(accounts)).scalar_one()
            if count == 0:
                if op.role is not Role.SUPERVISOR:
                    raise NotAuthorized(
                        "the first account must be a supervisor",
                        message_ja="最初の担当者は責任者（supervisor）にしてください。",
                    )
            elif actor is None or actor.role is not Role.SUPERVISOR:
                raise NotAuthorized("only a supervisor creates accounts")
            if conn.execute(sa.select(accounts.c.name).where(accounts.c.name == name)).first():
                raise InvalidChange(f"account {name} exists", message_ja="その担当者名は既に使われています。")
            conn.execute(
                accounts.insert().values(
                    name=name,
                    display_name=op.display_name,
                    role=str(op.role),
                    staff_id=staff_id,
                    password_hash=hashed,
                    active=True,
                    created_at=_iso(_now()),
                )
            )
            self._log(conn, actor.name if actor else name, "account", [], f"create {name} ({op.role})")
        return op

    def set_active(self, name: str, active: bool, actor: Operator) -> None:
        _require(actor, {Role.SUPERVISOR}, "change accounts")
        with self._tx() as conn:
            n = conn.execute(accounts.update().where(accounts.c.name == name).values(active=active)).rowcount
            if not n:
                raise RecordNotFound(f"no account {name}")
            self._log(conn, actor.name, "account", [], f"{'enable' if active else 'disable'} {name}")

    def has_accounts(self) -> bool:
        """Whether any account exists: the sign-in page asks for a password then. Says nothing else (no names,
        no roles, no record), so it needs no actor and writes no access-log entry."""
        self._ready()
        with self._read() as conn:
            return conn.execute(sa.select(accounts.c.name).limit(1)).first() is not None

    def authenticate(self, name: str, password: str) -> Operator:
        self._ready()
        with self._read() as conn:
            row = conn.execute(sa.select(accounts).where(accounts.c.name == name)).first()
        if row is None or not row.active:
            raise AuthenticationFailed(f"unknown or disabled account {name!r}")
        try:
            Argon2id.verify_phc_encoded(password.encode(), row.password_hash)
        except Exception as exc:  # InvalidKey; never say which part was wrong
            raise AuthenticationFailed(f"wrong password for {name!r}") from exc
        return Operator(row.name, row.display_name, Role(row.role), row.staff_id, bool(row.active))

    def accounts(self, actor: Operator) -> list[Operator]:
        _require(actor, {Role.SUPERVISOR, Role.AUDITOR}, "list accounts")
        with self._read() as conn:
            rows = conn.execute(sa.select(accounts).order_by(accounts.c.name)).all()
        return [Operator(r.name, r.display_name, Role(r.role), r.staff_id, bool(r.active)) for r in rows]

    # ------------------------------------------------------------------ offline queue

    def queued(self) -> int:
        return 0 if self._queue is None else self._queue.count()

    def deliver_queued(self) -> int:
        """Deliver records queued while the store was unreachable; each exactly once. Returns how many."""
        if self._queue is None:
            return 0
        delivered = 0
        for record_id, draft, actor_name in self._queue.items():
            try:
                self._insert(
                    draft,
                    actor_name,
                    record_id,
                    root_id=record_id,
                    version=1,
                    supersedes=None,
                    reason=None,
                    action="save",
                )
            except StoreUnavailable:
                break
            # the store now holds it (or held it already: same idempotency key) — only then drop it locally
            self._queue.remove(record_id)
            delivered += 1
        return delivered


# ---------------------------------------------------------------------- helpers


@contextmanager
def _same(conn: Connection) -> Iterator[Connection]:
    yield conn


def _require(actor: Operator, roles: set[Role], what: str) -> None:
    if not actor.active or actor.role not in roles:
        raise NotAuthorized(f"{actor.name} ({actor.role}) may not {what}")


def _save_error_unavailable() -> RecordSaveError:
    return RecordSaveError(
        "the record was not saved: the records database is unreachable and no local queue is configured",
        message_ja="記録の保存先に接続できず、記録を保存できませんでした。お客様がお帰りになる前に、"
        "責任者に連絡し、本人確認記録を別の方法で残してください。",
    )


def _wrap_aad(store_id: str) -> bytes:
    return f"taimen.records.datakey|{store_id}".encode()


_DIGEST_COLUMNS = tuple(c.name for c in records.columns)


def _digest(row: Mapping[str, Any]) -> str:
    """SHA-256 over a record row's every column (ciphertexts included) in a fixed order."""
    h = hashlib.sha256()
    for name in _DIGEST_COLUMNS:
        v = row[name]
        if isinstance(v, bytes | bytearray | memoryview):
            b = b"b" + bytes(v)
        elif v is None:
            b = b"n"
        else:
            b = b"s" + str(v).encode()
        h.update(name.encode() + b"\x00" + len(b).to_bytes(8, "big") + b)
    return h.hexdigest()


_CHAIN_LOCK = 7314002

_PG_APPEND = sa.text(
    "WITH c AS (INSERT INTO chain (seq, kind, record_id, digest, created_at, prev, mac)"
    " VALUES (:seq, :kind, :record_id, :digest, :at, :prev, :mac) RETURNING seq)"
    " UPDATE chain_head SET seq = (SELECT seq FROM c), mac = :mac WHERE id = 1"
)


def _insert_once(dialect: str) -> Any:
    """INSERT … ON CONFLICT (idempotency_key) DO NOTHING for the dialect."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(records).on_conflict_do_nothing(index_elements=[records.c.idempotency_key])


def _chain_body(seq: int, kind: str, record_id: str, digest: str, at: str) -> bytes:
    return f"{seq}|{kind}|{record_id}|{digest}|{at}".encode()


def _describe_query(q: RecordQuery) -> str:
    parts = [
        f"{k}={v}"
        for k, v in (
            ("name", "*" if q.name else None),
            ("kana", "*" if q.kana else None),
            ("from", q.presented_from),
            ("to", q.presented_to),
            ("document", q.document),
            ("operator", q.operator),
            ("verdict", q.verdict),
        )
        if v
    ]
    return " ".join(parts)  # the searched name itself is not logged


def _sqlite_pragmas(engine: Engine, *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 30000")
        mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode and str(mode[0]).lower() != "wal":
            # a read-only file or directory cannot switch; writes will fail with a clear error later
            pass
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA secure_delete = ON")  # purged records' pages are zeroed
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _migrate(conn: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
