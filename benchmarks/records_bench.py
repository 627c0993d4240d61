"""Record-store benchmark: records written per second, search latency at 100 000 and 1 000 000 records, bytes per
record. Prints numbers; it is not a test.

    python3 benchmarks/records_bench.py                              # SQLite: writes, 100k, 1M
    python3 benchmarks/records_bench.py --postgres URL --sizes 100000  # also PostgreSQL (URL of an empty db)

Writes go through ``RecordStore.save`` (one transaction per record, as at a counter). The large stores are
filled with a bulk loader that builds exactly the rows ``save`` builds (encrypted payload, blind-index tokens,
chained MAC) but inserts 5 000 per transaction; the time it took is printed. Names are drawn from a skewed
(Zipf-like) distribution of family names, so a common family name matches many records and a rare one few —
the search numbers are not measured on uniformly unique keys.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import sqlalchemy as sa  # noqa: E402

from taimen.records import KeySource, Operator, RecordQuery, Role, create_key_file, open_store  # noqa: E402
from taimen.records.keys import tokens  # noqa: E402
from taimen.records.model import BusinessFields, CheckSummary, ReasonSummary, RecordDraft  # noqa: E402
from taimen.records.schema import access_log, chain, chain_head, record_tokens, records  # noqa: E402
from taimen.records.store import SqlRecordStore, _chain_body, _digest  # noqa: E402

FAMILY = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
    "山下",
    "中島",
    "石井",
    "小川",
    "前田",
    "岡田",
    "長谷川",
    "藤田",
    "後藤",
    "近藤",
    "村上",
    "遠藤",
    "青木",
    "坂本",
]
GIVEN = [
    "太郎",
    "花子",
    "一郎",
    "陽菜",
    "蓮",
    "結衣",
    "大翔",
    "美咲",
    "翔太",
    "葵",
    "健",
    "さくら",
    "誠",
    "愛",
    "拓海",
    "七海",
    "悠真",
    "芽依",
    "湊",
    "凛",
]
DOCS = ["mynumber", "license", "mynumber_license"]
VERDICTS = ["genuine"] * 90 + ["attention"] * 9 + ["not_genuine"]
SUPERVISOR = Operator("bench", "bench", Role.SUPERVISOR)


def rare_family(i: int) -> str:
    return f"稀{i:06d}"


def make_draft(rng: random.Random, i: int, when: datetime, *, rare: bool = False) -> RecordDraft:
    # Zipf-like: family k with weight 1/(k+1)
    fam = rare_family(i) if rare else rng.choices(FAMILY, weights=[1 / (k + 1) for k in range(len(FAMILY))])[0]
    given = rng.choice(GIVEN)
    return RecordDraft(
        idempotency_key=uuid.uuid4().hex,
        presented_at=when,
        operator=f"clerk{rng.randrange(40)}",
        counter=f"支店{rng.randrange(20)}-{rng.randrange(4)}",
        document=rng.choice(DOCS),
        document_generation=None,
        method="ic_chip_read",
        checks=(
            CheckSummary("kenmen_ap.signature", "passed", "券面APの署名", True),
            CheckSummary("presence", "passed", "チップの実在", True),
        ),
        verdict=rng.choice(VERDICTS),
        reasons=(ReasonSummary("all_passed", "すべての必須検証に合格しました"),),
        name=f"{fam}　{given}",
        name_kana="テスト　カナ",
        address=f"東京都千代田区霞が関{rng.randrange(1, 4)}丁目{rng.randrange(1, 30)}番{rng.randrange(1, 20)}号",
        birth_date=(date(1940, 1, 1) + timedelta(days=rng.randrange(25000))).isoformat(),
        document_number=f"{rng.randrange(10**12):012d}",
        expiry="2032-01-01",
        business=BusinessFields(
            transaction_type="口座開設", purpose="生計費決済", occupation="会社員", reference=f"C{i:08d}"
        ),
    )


def bulk_load(store: SqlRecordStore, n: int, seed: int, *, start: datetime, days: int, batch: int = 5000) -> float:
    """Insert ``n`` records as ``save`` would build them (encrypted, indexed, chained), ``batch`` per transaction."""
    cipher = store._ready()
    rng = random.Random(seed)
    t0 = time.perf_counter()
    with store.engine.connect() as conn:
        head_seq, head_mac = conn.execute(sa.select(chain_head.c.seq, chain_head.c.mac)).one()
    head = (int(head_seq), bytes(head_mac))
    done = 0
    while done < n:
        m = min(batch, n - done)
        rows, toks, links = [], [], []
        for j in range(m):
            i = done + j
            when = start + timedelta(seconds=rng.randrange(days * 86400))
            d = make_draft(rng, i, when, rare=(i % 1000 == 7))
            rid = uuid.uuid4().hex
            created = when + timedelta(seconds=30)
            row = store._row(cipher, d, rid, rid, 1, None, None, d.operator, created)
            rows.append(row)
            toks += [
                {"record_id": rid, "field": f, "token": cipher.index_token(f, t)}
                for f, text in (("name", d.name), ("kana", d.name_kana))
                for t in tokens(text)
            ]
            seq = head[0] + 1
            at = row["created_at"]
            digest = _digest(row)
            mac = cipher.chain_mac(head[1], _chain_body(seq, "record", rid, digest, at))
            links.append(
                {
                    "seq": seq,
                    "kind": "record",
                    "record_id": rid,
                    "digest": digest,
                    "created_at": at,
                    "prev": head[1],
                    "mac": mac,
                }
            )
            head = (seq, mac)
        with store.engine.begin() as conn:
            conn.execute(records.insert(), rows)
            conn.execute(record_tokens.insert(), toks)
            conn.execute(chain.insert(), links)
            conn.execute(chain_head.update().where(chain_head.c.id == 1).values(seq=head[0], mac=head[1]))
        done += m
        if done % 100_000 == 0 or done == n:
            print(f"    loaded {done:>9,} ({time.perf_counter() - t0:.0f} s)", flush=True)
    return time.perf_counter() - t0


def measure_writes(url: str, key: KeySource, n: int) -> float:
    store = open_store(url, key)
    rng = random.Random(1)
    actor = Operator("clerk1", "clerk", Role.OPERATOR)
    now = datetime.now(UTC)
    drafts = [make_draft(rng, i, now).with_changes(operator="clerk1") for i in range(n)]
    t0 = time.perf_counter()
    for d in drafts:
        store.save(d, actor)
    rate = n / (time.perf_counter() - t0)
    store.close()
    return rate


def measure_parallel_writes(url: str, keyfile: Path, writers: int, each: int) -> float:
    writer = ROOT / "tests" / "records" / "writer.py"
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, str(writer), url, str(keyfile), str(w), str(each)], stdout=subprocess.DEVNULL)
        for w in range(writers)
    ]
    for p in procs:
        if p.wait() != 0:
            raise SystemExit("a writer failed")
    return writers * each / (time.perf_counter() - t0)


def timed(fn, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    return statistics.median(ts), ts[int(len(ts) * 0.9) - 1]


def measure_search(store: SqlRecordStore, n: int, start: datetime) -> None:
    def q(**kw: object) -> int:
        return len(store.search(RecordQuery(**kw), SUPERVISOR))  # type: ignore[arg-type]

    rare = rare_family(7 + 1000 * (n // 2000))
    day = (start + timedelta(days=100)).date()
    cases = [
        ("full name (common)", {"name": "佐藤 太郎", "limit": 50}),
        ("family name, most common (~1/6 of all)", {"name": "佐藤", "limit": 50}),
        ("family name, rare (1 record)", {"name": rare}),
        ("one day", {"presented_from": day, "presented_to": day, "limit": 50}),
        (
            "operator + month + verdict",
            {
                "operator": "clerk3",
                "presented_from": day,
                "presented_to": day + timedelta(days=30),
                "verdict": "attention",
                "limit": 50,
            },
        ),
        ("newest 50, no filter", {"limit": 50}),
    ]
    for label, kw in cases:
        hits = q(**kw)
        med, p90 = timed(lambda kw=kw: q(**kw), 15)
        print(f"    {label:<42} {hits:>4} shown   median {med:7.1f} ms   p90 {p90:7.1f} ms")


def size_per_record(store: SqlRecordStore, n: int) -> float:
    if store.dialect == "sqlite":
        import sqlite3

        assert store.sqlite_path is not None
        with sqlite3.connect(store.sqlite_path) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return store.sqlite_path.stat().st_size / n
    with store.engine.connect() as conn:
        total = conn.exec_driver_sql(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace"
            " WHERE s.nspname = 'public' AND c.relkind = 'r'"
        ).scalar_one()
    return float(total) / n


def run_backend(label: str, make_url, key: KeySource, keyfile: Path, sizes: list[int], writes: int) -> None:  # type: ignore[no-untyped-def]
    print(f"\n== {label} ==")
    url = make_url("writes")
    rate = measure_writes(url, key, writes)
    print(f"  save(): {rate:7.1f} records/s (one process, one transaction per record, {writes} records)")
    if label == "PostgreSQL":
        url8 = make_url("writes8")
        open_store(url8, key).close()
        print(f"  save(): {measure_parallel_writes(url8, keyfile, 8, 250):7.1f} records/s (8 processes × 250)")
    for n in sizes:
        url = make_url(f"s{n}")
        store = open_store(url, key)
        assert isinstance(store, SqlRecordStore)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        print(f"  {n:,} records: bulk load")
        secs = bulk_load(store, n, seed=n, start=start, days=365)
        print(f"    bulk load took {secs:.0f} s ({n / secs:,.0f} records/s)")
        with store.engine.begin() as conn:
            conn.execute(access_log.delete())
        if store.dialect == "postgresql":
            with store.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        print(f"    size: {size_per_record(store, n):,.0f} bytes per record (tables, indexes, chain, blind index)")
        measure_search(store, n, start)
        t0 = time.perf_counter()
        rep = store.verify_chain()
        print(
            f"    verify_chain: {'ok' if rep.ok else 'BROKEN'} over {rep.entries:,} entries"
            f" in {time.perf_counter() - t0:.1f} s"
        )
        store.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100000,1000000", help="store sizes for the search benchmark")
    ap.add_argument("--writes", type=int, default=500, help="records saved one by one for records/s")
    ap.add_argument("--postgres", metavar="URL", help="a PostgreSQL URL whose role may create databases")
    ap.add_argument("--postgres-sizes", default="100000")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="taimen-records-bench-") as tmp:
        keyfile = create_key_file(Path(tmp) / "bench.key")
        key = KeySource.from_file(keyfile)
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        if not args.no_sqlite:
            sizes = [int(s) for s in args.sizes.split(",") if s]
            run_backend("SQLite", lambda name: str(Path(tmp) / f"{name}.sqlite3"), key, keyfile, sizes, args.writes)
        if args.postgres:
            import psycopg

            made: list[str] = []

            def pg_url(name: str) -> str:
                db = f"bench_{name}_{uuid.uuid4().hex[:6]}"
                with psycopg.connect(args.postgres, autocommit=True) as conn:
                    conn.execute(f"CREATE DATABASE {db}")
                made.append(db)
                return args.postgres.rsplit("/", 1)[0] + "/" + db

            try:
                sizes = [int(s) for s in args.postgres_sizes.split(",") if s]
                run_backend("PostgreSQL", pg_url, key, keyfile, sizes, args.writes)
            finally:
                with psycopg.connect(args.postgres, autocommit=True) as conn:
                    for db in made:
                        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
