"""Record store benchmark: records written per second, bytes per record, search latency at 100 000 and 1 000 000.

    python3 benchmarks/records_bench.py                       # SQLite only, in a temporary directory
    python3 benchmarks/records_bench.py --postgres URL        # and PostgreSQL (an empty database you may fill)
    python3 benchmarks/records_bench.py --sizes 100000 1000000 --writes 2000 --json

Writes go through ``RecordStore.save`` exactly as a counter saves a 確認記録 (encryption, blind index, chain).
For the search sizes the store is then grown **in SQL** by cloning the saved rows with new ids and random
blind-index tokens, dated 30 days to 8 years before the saved ones and by other operators (1 000 000 records
through ``save`` would take longer than a benchmark should). A clone cannot be decrypted — its ciphertext is
bound to the original's id, as a moved ciphertext must be — so every search measured is one whose answer lies
among the real records while the indexes hold them all; the chain no longer verifies after cloning, so use a
database made for this. The numbers are the median of repeated searches as a supervisor.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from taimen.records import KeySource, Operator, RecordQuery, Role, create_key_file, open_store
from taimen.records.model import BusinessFields, CheckSummary, ReasonSummary, RecordDraft

FAMILY = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健太", "陽菜", "翔", "結衣", "大輔", "さくら"]
KANA_F = ["ヤマダ", "サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ナカムラ", "コバヤシ", "カトウ"]
KANA_G = ["タロウ", "ハナコ", "イチロウ", "ミサキ", "ケンタ", "ヒナ", "ショウ", "ユイ", "ダイスケ", "サクラ"]


def draft(i: int) -> RecordDraft:
    f, g = i % 10, (i // 10) % 10
    day = datetime(2026, 1, 1, 9, tzinfo=UTC) + timedelta(minutes=7 * i)
    return RecordDraft(
        idempotency_key=f"bench-{i}",
        presented_at=day,
        operator=f"clerk{i % 8}",
        counter=f"窓口{i % 8}",
        document=("mynumber", "license", "residence")[i % 3],
        document_generation=None,
        method="ic_chip_read",
        checks=(CheckSummary("signature", "passed", "署名", True),),
        verdict=("genuine", "genuine", "attention")[i % 3],
        reasons=(ReasonSummary("all_passed", "すべての必須検証に合格しました"),),
        name=f"{FAMILY[f]} {GIVEN[g]}{i}",
        name_kana=f"{KANA_F[f]} {KANA_G[g]}",
        address=f"東京都千代田区霞が関{i % 5 + 1}丁目{i % 9 + 1}番{i % 20 + 1}号",
        birth_date=f"19{50 + i % 50}-0{i % 9 + 1}-1{i % 9}",
        document_number=f"{i:012d}",
        expiry="2031-01-01",
        business=BusinessFields(
            transaction_type="口座開設", purpose="生計費決済", occupation="会社員", reference=f"R{i}"
        ),
    )


def _clone_sql(dialect: str, times: int) -> list[str]:
    """SQL that adds ``times`` copies of every real record, with fresh ids and random blind-index tokens."""
    if dialect == "sqlite":
        series = f"WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < {times})"
        rand = "lower(hex(randomblob(12)))"
        suffix = "'c' || n.k || '-' || r.id"
        date = "date(r.presented_date, '-' || (30 + n.k % 3000) || ' days')"
        src = "FROM records r, n WHERE r.id NOT LIKE 'c%'"
        tsrc = "FROM record_tokens t, n WHERE t.record_id NOT LIKE 'c%'"
        tsuffix = "'c' || n.k || '-' || t.record_id"
    else:
        series = ""
        rand = "substr(md5(random()::text), 1, 24)"
        suffix = "'c' || n.k || '-' || r.id"
        date = "to_char(r.presented_date::date - (30 + n.k % 3000), 'YYYY-MM-DD')"
        src = f"FROM records r, generate_series(1, {times}) AS n(k) WHERE r.id NOT LIKE 'c%'"
        tsrc = f"FROM record_tokens t, generate_series(1, {times}) AS n(k) WHERE t.record_id NOT LIKE 'c%'"
        tsuffix = "'c' || n.k || '-' || t.record_id"
    cols = (
        "root_id, version, supersedes, idempotency_key, created_at, created_by, presented_at, presented_date, "
        "operator, counter, document, document_generation, method, verdict, retention, retention_until, payload, images"
    )
    return [
        f"{series} INSERT INTO records (id, {cols}) SELECT substr({suffix}, 1, 32), substr({suffix}, 1, 32), "
        f"r.version, NULL, substr('c' || {suffix}, 1, 64), r.created_at, r.created_by, r.presented_at, {date}, "
        f"'past' || r.operator, r.counter, r.document, r.document_generation, r.method, r.verdict, r.retention, "
        f"r.retention_until, r.payload, r.images {src}",
        f"{series} INSERT INTO record_tokens (record_id, field, token) SELECT substr({tsuffix}, 1, 32), t.field, "
        f"{rand} {tsrc}",
    ]


def _grow(store: object, dialect: str, base: int, target: int) -> float:
    import sqlalchemy as sa

    times = max(0, target // base - 1)
    t0 = time.perf_counter()
    engine = store.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for stmt in _clone_sql(dialect, times):
            conn.execute(sa.text(stmt))
    if dialect != "sqlite":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
    return time.perf_counter() - t0


def _count(store: object) -> int:
    import sqlalchemy as sa

    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(sa.text("SELECT count(*) FROM records")).scalar_one())


def _size(store: object, dialect: str, path: Path | None) -> int:
    import sqlalchemy as sa

    if dialect == "sqlite" and path is not None:
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        q = "SELECT sum(pg_total_relation_size(c)) FROM unnest(ARRAY['records','record_tokens','chain']) AS c"
        return int(conn.execute(sa.text(q)).scalar_one())


def _median_ms(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench(url: str, dialect: str, key: KeySource, writes: int, sizes: list[int], path: Path | None) -> dict:
    store = open_store(url, key, password_memory_kib=8 * 1024)
    boss = Operator("boss", "責任者", Role.SUPERVISOR)
    out: dict = {"store": dialect}
    t0 = time.perf_counter()
    for i in range(writes):
        store.save(draft(i), boss)
    if hasattr(store, "seal"):
        store.seal()
    dt = time.perf_counter() - t0
    out["writes"] = writes
    out["records_per_s"] = round(writes / dt, 1)
    out["bytes_per_record"] = round(_size(store, dialect, path) / writes)
    out["search"] = []
    searches = {
        "name (blind index)": RecordQuery(name=f"{FAMILY[3]} {GIVEN[4]}43", limit=50),
        "kana (blind index)": RecordQuery(kana=f"{KANA_F[3]} {KANA_G[4]}", limit=50),
        "date range 1 week + document": RecordQuery(
            presented_from=date(2026, 1, 2), presented_to=date(2026, 1, 9), document="license", limit=50
        ),
        "operator + verdict": RecordQuery(operator="clerk3", verdict="attention", limit=50),
    }
    for size in sizes:
        grew = _grow(store, dialect, writes, size)
        n = _count(store)
        row: dict = {"records": n, "grow_s": round(grew, 1)}
        for label, q in searches.items():
            found = len(store.search(q, boss))
            row[label] = {"median_ms": round(_median_ms(lambda q=q: store.search(q, boss), 7), 1), "found": found}
        out["search"].append(row)
        print(f"  {dialect}: {n} records ({grew:.0f} s to grow)", file=sys.stderr, flush=True)
    store.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--postgres", default=os.environ.get("TAIMEN_BENCH_POSTGRES_URL"), metavar="URL")
    ap.add_argument("--writes", type=int, default=1000)
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as d:
        key = KeySource.from_file(create_key_file(Path(d) / "records.key"))
        db = Path(d) / "records.sqlite3"
        results.append(bench(str(db), "sqlite", key, args.writes, sorted(args.sizes), db))
        if args.postgres:
            results.append(bench(args.postgres, "postgresql", key, args.writes, sorted(args.sizes), None))
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    for r in results:
        print(f"{r['store']}: {r['records_per_s']} records/s written ({r['writes']} saves), "
              f"{r['bytes_per_record']} bytes per record")
        for row in r["search"]:
            print(f"  at {row['records']:>9,} records:")
            for label, v in row.items():
                if isinstance(v, dict):
                    print(f"    {label:<32} {v['median_ms']:>8.1f} ms  ({v['found']} found)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
