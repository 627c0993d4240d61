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
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
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
GIVEN_KANA = [
    "タロウ",
    "ハナコ",
    "イチロウ",
    "ヒナ",
    "レン",
    "ユイ",
    "ヒロト",
    "ミサキ",
    "ショウタ",
    "アオイ",
    "ケン",
    "サクラ",
    "マコト",
    "アイ",
    "タクミ",
    "ナナミ",
    "ユウマ",
    "メイ",
    "ミナト",
    "リン",
]
PAGE = 26  # the 記録一覧 page asks for 25 + 1 (is there a next page?)


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


# ---- growth to 1 000 000: the store's own encryption and blind index, bulk inserts, no chain -------------------

#: Readings of FAMILY (kana search needs realistic kana too).
FAMILY_KANA = [
    "サトウ",
    "スズキ",
    "タカハシ",
    "タナカ",
    "イトウ",
    "ワタナベ",
    "ヤマモト",
    "ナカムラ",
    "コバヤシ",
    "カトウ",
    "ヨシダ",
    "ヤマダ",
    "ササキ",
    "ヤマグチ",
    "マツモト",
    "イノウエ",
    "キムラ",
    "ハヤシ",
    "サイトウ",
    "シミズ",
    "ヤマザキ",
    "モリ",
    "イケダ",
    "ハシモト",
    "アベ",
    "イシカワ",
    "ヤマシタ",
    "ナカジマ",
    "イシイ",
    "オガワ",
    "マエダ",
    "オカダ",
    "ハセガワ",
    "フジタ",
    "ゴトウ",
    "コンドウ",
    "ムラカミ",
    "エンドウ",
    "アオキ",
    "サカモト",
]
TAIL = 20_000  # family names in all; rank k has weight 1/k^0.8: the top one ~3 % of records, the top 40 ~20 %
JST = timezone(timedelta(hours=9))


class Population:
    """Who comes to the counters: Zipf-like family names, 300 clerks of unequal load, weekdays busier."""

    def __init__(self, seed: int, end: date, days: int) -> None:
        self.rng = random.Random(seed)
        self.family = FAMILY + [f"姓{k:05d}" for k in range(len(FAMILY), TAIL)]
        self.family_kana = FAMILY_KANA + [f"セイ{k:05d}" for k in range(len(FAMILY), TAIL)]
        self.family_cw = list(itertools.accumulate(1 / (k + 1) ** 0.8 for k in range(TAIL)))
        self.clerk_cw = list(itertools.accumulate(1 / (k + 1) ** 0.5 for k in range(300)))
        days_list = [end - timedelta(days=d) for d in range(days)]
        self.days = days_list
        self.day_cw = list(itertools.accumulate(1.0 if d.weekday() < 5 else 0.6 for d in days_list))
        self.docs = ["mynumber"] * 55 + ["license"] * 25 + ["mynumber_license"] * 5 + ["residence"] * 10
        self.docs += ["passport"] * 5
        self.verdicts = ["genuine"] * 93 + ["attention"] * 6 + ["not_genuine"]

    def draft(self, i: int) -> RecordDraft:
        rng = self.rng
        k = rng.choices(range(TAIL), cum_weights=self.family_cw)[0]
        fam, fam_kana = self.family[k], self.family_kana[k]
        if i % 1000 == 7:
            fam, fam_kana = rare_family(i), f"マレ{i:07d}"
        g = rng.randrange(len(GIVEN))
        day = rng.choices(self.days, cum_weights=self.day_cw)[0]
        when = datetime(day.year, day.month, day.day, 9, tzinfo=JST) + timedelta(seconds=rng.randrange(10 * 3600))
        d = make_draft(rng, i, when)
        return d.with_changes(
            name=f"{fam}　{GIVEN[g]}",
            name_kana=f"{fam_kana}　{GIVEN_KANA[g]}",
            operator=f"clerk{rng.choices(range(300), cum_weights=self.clerk_cw)[0]}",
            document=rng.choice(self.docs),
            verdict=rng.choice(self.verdicts),
        )


def grow(store: SqlRecordStore, n: int, seed: int, *, end: date, days: int, batch: int = 20_000) -> float:
    """Add ``n`` records, each encrypted under its own id with its own blind-index tokens, in bulk.

    Bypassed (docs/records.md): the chain (no chain entries, so ``verify_chain`` reports them), the
    access log, the idempotency check and one transaction per record. Search reads exactly what save writes.
    """
    cipher = store._ready()
    pop = Population(seed, end, days)
    cols = [c.name for c in records.columns]
    tcols = [c.name for c in record_tokens.columns]
    t0 = time.perf_counter()
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        if store.dialect == "sqlite":
            cur.execute("PRAGMA synchronous = OFF")  # the load only; saves keep FULL
        done = 0
        while done < n:
            m = min(batch, n - done)
            rows, toks = [], []
            for j in range(m):
                d = pop.draft(done + j)
                rid = uuid.uuid4().hex
                row = store._row(cipher, d, rid, rid, 1, None, None, d.operator, d.presented_at + timedelta(seconds=40))
                rows.append(tuple(row[c] for c in cols))
                for f, text in (("name", d.name), ("kana", d.name_kana)):
                    for t in tokens(text):
                        toks.append((rid, f, cipher.index_token(f, t), row["presented_date"], row["presented_at"]))
            if store.dialect == "sqlite":
                cur.execute("BEGIN")
                cur.executemany(f"INSERT INTO records ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})", rows)
                cur.executemany(f"INSERT INTO record_tokens ({','.join(tcols)}) VALUES (?,?,?,?,?)", toks)
                cur.execute("COMMIT")
            else:
                with cur.copy(f"COPY records ({','.join(cols)}) FROM STDIN") as cp:
                    for r in rows:
                        cp.write_row(r)
                with cur.copy(f"COPY record_tokens ({','.join(tcols)}) FROM STDIN") as cp:
                    for r in toks:
                        cp.write_row(r)
                raw.commit()
            done += m
            if done % 100_000 == 0 or done == n:
                print(f"    grown {done:>9,} ({time.perf_counter() - t0:.0f} s)", flush=True)
    finally:
        raw.close()
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


def list_cases(end: date) -> list[tuple[str, dict[str, object]]]:
    """Every search the 記録一覧 page offers, as the page asks for it (25 + 1 rows)."""
    month = (end - timedelta(days=120), end - timedelta(days=90))
    day = end - timedelta(days=100)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return [
        ("newest, no filter (page 1)", {}),
        ("no filter, page 200 (offset 4 975)", {"offset": 4975}),
        ("no filter, page 2 000 (offset 49 975)", {"offset": 49975}),
        ("name: most common family name", {"name": "佐藤"}),
        ("name: most common, page 200", {"name": "佐藤", "offset": 4975}),
        ("name: common full name", {"name": "佐藤 太郎"}),
        ("name: rare family name (1 record)", {"name": rare_family(500007)}),
        ("name: unknown (0 records)", {"name": "存在しない"}),
        ("kana: most common family name", {"kana": "サトウ"}),
        ("name + one month", {"name": "鈴木", "presented_from": month[0], "presented_to": month[1]}),
        ("date: one day", {"presented_from": day, "presented_to": day}),
        ("date: one month", {"presented_from": month[0], "presented_to": month[1]}),
        ("date: one month, page 20", {"presented_from": month[0], "presented_to": month[1], "offset": 475}),
        ("document: passport (5 %)", {"document": "passport"}),
        ("operator: busiest clerk", {"operator": "clerk0"}),
        ("operator: quiet clerk", {"operator": "clerk299"}),
        ("verdict: not genuine (1 %)", {"verdict": "not_genuine"}),
        (
            "operator + month + verdict",
            {"operator": "clerk3", "presented_from": month[0], "presented_to": month[1], "verdict": "attention"},
        ),
        ("document + verdict + name", {"name": "高橋", "document": "residence", "verdict": "attention"}),
    ]


def measure_list(store: SqlRecordStore, end: date, repeat: int) -> list[tuple[str, int, float, float, float]]:
    out = []
    for label, kw in list_cases(end):
        query = RecordQuery(limit=PAGE, **kw)  # type: ignore[arg-type]
        hits = len(store.search(query, SUPERVISOR))  # warm
        ts = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            store.search(query, SUPERVISOR)
            ts.append((time.perf_counter() - t0) * 1000)
        ts.sort()
        p95 = ts[min(len(ts) - 1, round(0.95 * (len(ts) - 1)))]
        load = os.getloadavg()[0]
        out.append((label, hits, statistics.median(ts), p95, load))
        print(f"    {label:<40} {hits:>3} shown  p50 {ts[len(ts) // 2]:7.1f} ms  p95 {p95:7.1f} ms  load {load:.1f}")
    return out


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


def run_grown(label: str, url: str, key: KeySource, n: int, repeat: int) -> None:
    """A store grown to ``n`` records (see ``grow``), then every list search of the page."""
    print(f"\n== {label}: {n:,} records grown in bulk (load average {os.getloadavg()[0]:.1f}) ==")
    store = open_store(url, key)
    assert isinstance(store, SqlRecordStore)
    end = date(2026, 12, 4)
    secs = grow(store, n, seed=n, end=end, days=3 * 365)
    print(f"    grown in {secs:.0f} s ({n / secs:,.0f} records/s)")
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":  # what autovacuum does after a big load; SQLite runs without statistics
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    print(f"    size: {size_per_record(store, n):,.0f} bytes per record (tables, indexes, blind index; no chain)")
    measure_list(store, end, repeat)
    store.close()


def run_backend(label: str, make_url, key: KeySource, keyfile: Path, sizes: list[int], writes: int) -> None:  # type: ignore[no-untyped-def]
    print(f"\n== {label} ==")
    if writes <= 0:
        return
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
    ap.add_argument("--grow", type=int, metavar="N", help="only: grow a store to N records and time every list search")
    ap.add_argument("--repeat", type=int, default=20, help="runs of each list search (p50, p95)")
    ap.add_argument("--dir", help="where the SQLite file goes (default: a temporary directory, removed after)")
    ap.add_argument("--measure", metavar="URL", help="only: time every list search on an existing store")
    ap.add_argument("--key-file", help="the key of the store given with --measure")
    args = ap.parse_args()
    if args.measure:
        store = open_store(args.measure, KeySource.from_file(args.key_file))
        assert isinstance(store, SqlRecordStore)
        with store.engine.connect() as conn:
            n = conn.execute(sa.select(sa.func.count()).select_from(records)).scalar_one()
        print(f"== {store.dialect}: {n:,} records (load average {os.getloadavg()[0]:.1f}) ==")
        measure_list(store, date(2026, 12, 4), args.repeat)
        store.close()
        return 0
    if args.grow:
        with tempfile.TemporaryDirectory(prefix="taimen-records-grow-", dir=args.dir) as tmp:
            key = KeySource.from_file(create_key_file(Path(tmp) / "bench.key"))
            print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
            if not args.no_sqlite:
                run_grown("SQLite", str(Path(tmp) / "grown.sqlite3"), key, args.grow, args.repeat)
            if args.postgres:
                import psycopg

                db = f"bench_grow_{uuid.uuid4().hex[:6]}"
                with psycopg.connect(args.postgres, autocommit=True) as conn:
                    conn.execute(f"CREATE DATABASE {db}")
                try:
                    run_grown("PostgreSQL", args.postgres.rsplit("/", 1)[0] + "/" + db, key, args.grow, args.repeat)
                finally:
                    with psycopg.connect(args.postgres, autocommit=True) as conn:
                        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        return 0
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
