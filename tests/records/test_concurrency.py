"""Many counters, one store: 8 writer processes and 5 000 records on a real PostgreSQL lose nothing and
duplicate nothing; the chain stays linear."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from taimen.records import KeySource, Role, open_store

from .conftest import FAST_ARGON2

WRITER = Path(__file__).with_name("writer.py")


def _run_writers(url: str, keyfile: Path, workers: int, each: int, overlap: int) -> float:
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, str(WRITER), url, str(keyfile), str(w), str(each), "--overlap", str(overlap)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(workers)
    ]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    return time.perf_counter() - start


def _check(url: str, key: KeySource, expected_keys: set[str]) -> None:
    store = open_store(url, key, password_memory_kib=FAST_ARGON2)
    with store.engine.connect() as conn:
        keys = [r[0] for r in conn.execute(sa.text("SELECT idempotency_key FROM records"))]
        seqs = sorted(r[0] for r in conn.execute(sa.text("SELECT seq FROM chain")))
    assert len(keys) == len(set(keys)) == len(expected_keys)  # nothing duplicated
    assert set(keys) == expected_keys  # nothing lost
    assert seqs == list(range(1, len(keys) + 1))  # one linear chain
    report = store.verify_chain()
    assert report.ok and report.records == len(expected_keys), report
    boss = store.create_account("boss", "boss-password-1", Role.SUPERVISOR)
    from taimen.records import RecordQuery

    found = store.search(RecordQuery(name="試験 太郎3-7"), boss)
    # w3-7, and shared-7 too when worker 3 won that race
    assert found and {r.document_number for r in found} == {"030000000007"}
    store.close()


def test_eight_counters_5000_records_postgresql(pg_url: str, key: KeySource) -> None:
    assert key.key_file is not None
    open_store(pg_url, key).close()  # created once (the writers also race on open: tested below)
    elapsed = _run_writers(pg_url, key.key_file, workers=8, each=625, overlap=20)
    expected = {f"w{w}-{i}" for w in range(8) for i in range(625)} | {f"shared-{i}" for i in range(20)}
    _check(pg_url, key, expected)
    print(f"8 writers, 5 000 records on PostgreSQL: {elapsed:.1f} s")


def test_counters_racing_to_create_the_store(pg_url: str, key: KeySource, tmp_path: Path) -> None:
    assert key.key_file is not None
    _run_writers(pg_url, key.key_file, workers=8, each=10, overlap=0)
    _check(pg_url, key, {f"w{w}-{i}" for w in range(8) for i in range(10)})


def test_four_counters_one_sqlite_file(tmp_path: Path, key: KeySource) -> None:
    """Several processes on one embedded file (a shared counter PC): BEGIN IMMEDIATE serialises them."""
    assert key.key_file is not None
    url = str(tmp_path / "records.sqlite3")
    _run_writers(url, key.key_file, workers=4, each=100, overlap=10)
    _check(url, key, {f"w{w}-{i}" for w in range(4) for i in range(100)} | {f"shared-{i}" for i in range(10)})
