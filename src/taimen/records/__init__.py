"""確認記録: the records a business keeps of each verification (docs/records.md).

Public API: ``taimen.records.model`` (types), ``open_store`` (a ``RecordStore`` on SQLite or PostgreSQL),
``KeySource`` (key file or passphrase), ``taimen.records.retention.purge_due``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from taimen.records.keys import KeySource, create_key_file
from taimen.records.model import (
    AccessEntry,
    BusinessFields,
    ChainReport,
    CheckSummary,
    Operator,
    PurgeReport,
    ReasonSummary,
    Record,
    RecordDraft,
    RecordQuery,
    RecordStore,
    Retention,
    Role,
    draft_from_result,
)

if TYPE_CHECKING:
    from pathlib import Path


def open_store(url: str | None, key: KeySource, *, queue_path: str | Path | None = None, **options: Any) -> RecordStore:
    """Open (creating and migrating if needed) the store at ``url``.

    ``None`` → the embedded SQLite file under the user's data dir; ``sqlite:///path`` or a plain path → that
    file; ``postgresql://…`` → a central PostgreSQL (libpq options such as ``sslmode``/``sslrootcert`` go in the
    URL's query). ``queue_path``: a local SQLite queue used when the central store is unreachable.
    """
    from taimen.records.store import SqlRecordStore

    return SqlRecordStore.open(url, key, queue_path=queue_path, **options)


__all__ = [
    "AccessEntry",
    "AuthenticationFailed",
    "BusinessFields",
    "ChainReport",
    "CheckSummary",
    "InvalidChange",
    "KeySource",
    "NotAuthorized",
    "Operator",
    "PurgeReport",
    "ReasonSummary",
    "Record",
    "RecordDraft",
    "RecordNotFound",
    "RecordQuery",
    "RecordSaveError",
    "RecordStore",
    "RecordsError",
    "Retention",
    "Role",
    "StoreUnavailable",
    "WrongKey",
    "create_key_file",
    "draft_from_result",
    "open_store",
]
