"""Fixtures for the record store: real SQLite files and a real PostgreSQL (a fresh database per test).

PostgreSQL comes from ``TAIMEN_TEST_POSTGRES_URL`` (``.ci/run`` starts it with scripts/start-postgres.sh). Without
it the fixture starts the same throw-away cluster when it can; under CI (``CI`` set) a missing PostgreSQL fails.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from taimen.mynumber.document import DOCUMENT as MYNUMBER
from taimen.records import KeySource, Operator, RecordDraft, Role, create_key_file, draft_from_result, open_store
from taimen.records.model import BusinessFields
from taimen.records.store import SqlRecordStore
from taimen.result import ReadResult
from taimen.samples import jlis_test_pki
from taimen.samples import mynumber_cards as mc
from taimen.transport.inprocess import InProcessTransport
from taimen.trust import TrustStore

ROOT = Path(__file__).resolve().parents[2]
FAST_ARGON2 = 8 * 1024  # KiB; the product default is 64 MiB


def _pg_env() -> tuple[str, str | None] | None:
    url = os.environ.get("TAIMEN_TEST_POSTGRES_URL")
    if url:
        return url, os.environ.get("TAIMEN_TEST_POSTGRES_DATADIR")
    try:
        out = subprocess.run(
            [str(ROOT / "scripts" / "start-postgres.sh")], capture_output=True, text=True, timeout=120, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    os.environ.update(env)
    return env["TAIMEN_TEST_POSTGRES_URL"], env.get("TAIMEN_TEST_POSTGRES_DATADIR")


@pytest.fixture(scope="session")
def pg_server() -> tuple[str, str | None]:
    found = _pg_env()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required under CI: TAIMEN_TEST_POSTGRES_URL is not set and it could not start")
        pytest.skip("no PostgreSQL (set TAIMEN_TEST_POSTGRES_URL or install the postgresql package)")
    return found


@pytest.fixture
def pg_url(pg_server: tuple[str, str | None]) -> Iterator[str]:
    """A fresh, empty database for one test."""
    import psycopg

    base = pg_server[0]
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield base.rsplit("/", 1)[0] + "/" + name
    try:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except psycopg.Error:  # e.g. an autovacuum worker in it; the throw-away cluster goes with the run
        pass


@pytest.fixture
def key(tmp_path: Path) -> KeySource:
    return KeySource.from_file(create_key_file(tmp_path / "keys" / "records.key"))


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "db" / "records.sqlite3")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(url: str, key: KeySource) -> Iterator[SqlRecordStore]:
    s = open_store(url, key, password_memory_kib=FAST_ARGON2)
    assert isinstance(s, SqlRecordStore)
    yield s
    s.close()


@pytest.fixture
def people(store: SqlRecordStore) -> dict[str, Operator]:
    boss = store.create_account("boss", "boss-password-1", Role.SUPERVISOR, display_name="責任者 一郎")
    return {
        "boss": boss,
        "clerk": store.create_account("clerk", "clerk-password-1", Role.OPERATOR, actor=boss, staff_id="S-001"),
        "clerk2": store.create_account("clerk2", "clerk-password-2", Role.OPERATOR, actor=boss),
        "audit": store.create_account("audit", "audit-password-1", Role.AUDITOR, actor=boss),
    }


YAMADA = mc.genuine("yamada")


@pytest.fixture(scope="session")
def yamada_result() -> ReadResult:
    """A real read of the sample My Number Card (in-process transport, sample trust hierarchy)."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        jlis_test_pki.default().write_trust_dir(Path(d))
        trust = TrustStore.load([Path(d)], builtin=True, environment=False)
    p = YAMADA.printed
    unlock = {"birth": p.birth_digits, "expiry_year": p.expiry_year, "security_code": p.security_code}
    return MYNUMBER.read(InProcessTransport(YAMADA.card()), unlock, store=trust)


@pytest.fixture
def make_draft(yamada_result: ReadResult) -> Callable[..., RecordDraft]:
    def make(operator: str = "clerk", *, keep_images: bool = False, **changes: object) -> RecordDraft:
        d = draft_from_result(
            yamada_result,
            document_key="mynumber",
            operator=operator,
            counter="本店-1",
            presented_at=datetime.now(UTC),
            keep_images=keep_images,
            business=BusinessFields(
                transaction_type="口座開設", purpose="生計費決済", occupation="会社員", reference="C-1"
            ),
        )
        return d.with_changes(**changes) if changes else d

    return make
