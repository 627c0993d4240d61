"""Retention: delete what is due, leave a tombstone in the chain. Called by ``taimen records purge`` and at the
start-up of ``taimen serve``.

犯収法 6条: 確認記録 are kept 7 years (counted here from the contract end when one is recorded, else from the
day the document was presented). 携帯電話不正利用防止法: 本人確認記録 are kept 3 years after the contract ends;
until an end date is entered (a correction) such a record is kept.
"""

from __future__ import annotations

from datetime import UTC, datetime

from taimen.records.model import Operator, PurgeReport, RecordStore, Retention

PRESETS: dict[str, Retention] = {"hanshu": Retention.HANSHU, "keitai": Retention.KEITAI}


def purge_due(store: RecordStore, *, now: datetime | None = None, actor: Operator | None = None) -> PurgeReport:
    """Delete every record whose retention ended before ``now`` (default: now)."""
    return store.purge(now or datetime.now(UTC), actor)
