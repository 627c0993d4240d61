"""A counter process for the concurrency and kill -9 tests: saves records with known idempotency keys.

usage: writer.py URL KEYFILE WORKER COUNT [--overlap N] [--forever] [--queue PATH]
Prints "saved N" lines; exits 0 when done.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from taimen.records import KeySource, Operator, RecordDraft, Role, open_store
from taimen.records.model import BusinessFields, CheckSummary, ReasonSummary


def draft(worker: int, i: int, key: str) -> RecordDraft:
    return RecordDraft(
        idempotency_key=key,
        presented_at=datetime.now(UTC),
        operator=f"clerk{worker}",
        counter=f"counter-{worker}",
        document="license",
        document_generation="008",
        method="ic_chip_read",
        checks=(CheckSummary("license.signature", "passed", "署名", True),),
        verdict="genuine",
        reasons=(ReasonSummary("all_passed", "すべての必須検証に合格しました"),),
        name=f"試験 太郎{worker}-{i}",
        name_kana=f"シケン タロウ{worker}",
        address=f"東京都千代田区霞が関{worker}-{i}",
        birth_date="1980-02-17",
        document_number=f"{worker:02d}{i:010d}",
        expiry="2030-01-01",
        business=BusinessFields(transaction_type="口座開設", reference=f"R{worker}-{i}"),
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("keyfile")
    ap.add_argument("worker", type=int)
    ap.add_argument("count", type=int)
    ap.add_argument("--overlap", type=int, default=0, help="also save the first N keys shared by every worker")
    ap.add_argument("--forever", action="store_true")
    args = ap.parse_args()
    store = open_store(args.url, KeySource.from_file(args.keyfile))
    actor = Operator(f"clerk{args.worker}", "試験", Role.OPERATOR)
    i = 0
    while args.forever or i < args.count:
        store.save(draft(args.worker, i, f"w{args.worker}-{i}"), actor)
        if i < args.overlap:  # a key every counter tries at once (retries of one record): one row
            store.save(draft(args.worker, i, f"shared-{i}").with_changes(operator=actor.name), actor)
        i += 1
        print(f"saved {i}", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
