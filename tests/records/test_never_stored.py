"""What the database holds: scan the SQLite file (with its WAL) and PostgreSQL's data directory (heap and WAL)
for the customer's personal fields in clear and for every secret of the read. None may be there."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from license_helpers import card_for, write_trust_dir
from taimen.license.document import DOCUMENT as LICENSE
from taimen.records import KeySource, RecordQuery, Role, draft_from_result, open_store
from taimen.records.model import BusinessFields
from taimen.result import ReadResult
from taimen.samples.persons import person
from taimen.transport.inprocess import InProcessTransport

from .conftest import FAST_ARGON2, YAMADA

P = person("yamada")
LICENCE_PINS = ("1234", "5678")
#: Long image signatures only: a 3- or 4-byte one turns up by chance in megabytes of ciphertext and WAL.
IMAGE_MAGIC = [b"\x89PNG\r\n\x1a\n", b"jP  \r\n\x87\n"]


def _forbidden(licence_number: str) -> list[str]:
    texts = [
        YAMADA.printed.shogo_b(),  # 照合番号B
        P.individual_number,  # 個人番号
        P.name,
        P.family_name,
        P.given_name,
        P.name.replace("\u3000", " "),
        P.address,
        "霞が関",
        "千代田区",
        "1980-02-17",
        "19800217",
        "昭和55年2月17日",
        licence_number,  # 記号番号: stored, but only encrypted
        "ヤマダ",
        "やまだ",
        "口座開設の目的XYZ",
        "職業ABC",
        "顧客番号-777",
    ]
    return [t for t in texts if t]


def _snippets(*results: ReadResult) -> list[bytes]:
    """32-byte pieces from the middle of every image the reads gave (found only if an image is stored in clear)."""
    out = []
    for r in results:
        for img in [r.photo, *r.images.values()]:
            if img is not None and len(img.data) >= 64:
                mid = len(img.data) // 2
                out.append(img.data[mid : mid + 32])
    return out


def _scan(paths: list[Path], needles: list[str], secrets: list[str], images: list[bytes] = ()) -> list[str]:
    problems = []
    enc = [(t, t.encode(e)) for t in needles for e in ("utf-8", "utf-16-le", "shift_jis") if _encodable(t, e)]
    for root in paths:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            data = path.read_bytes()
            problems += [f"{path}: {t!r}" for t, raw in enc if raw in data]
            # secrets: short digits, so only as the form they would be written in (a field value)
            problems += [f"{path}: secret {s!r}" for s in secrets if f'"{s}"'.encode() in data]
            problems += [f"{path}: image {m!r}" for m in IMAGE_MAGIC if m in data]
            problems += [f"{path}: chip image bytes" for m in images if m in data]
    return problems


def _encodable(t: str, e: str) -> bool:
    try:
        t.encode(e)
    except UnicodeEncodeError:
        return False
    return True


@pytest.fixture(scope="module")
def licence_result(tmp_path_factory: pytest.TempPathFactory) -> ReadResult:
    trust = write_trust_dir(tmp_path_factory.mktemp("lt"))
    unlock = {"pin1": LICENCE_PINS[0], "pin2": LICENCE_PINS[1]}
    return LICENSE.read(InProcessTransport(card_for("yamada")), unlock, trust_dirs=(str(trust),))


def test_nothing_personal_in_clear_and_no_secret(
    url: str, key: KeySource, yamada_result: ReadResult, licence_result: ReadResult
) -> None:
    number = licence_result.fields["license_number"]["number"]
    assert len(number) == 12
    store = open_store(url, key, password_memory_kib=FAST_ARGON2)
    boss = store.create_account("boss", "boss-password-1", Role.SUPERVISOR)
    biz = BusinessFields(
        transaction_type="口座開設", purpose="口座開設の目的XYZ", occupation="職業ABC", reference="顧客番号-777"
    )
    now = datetime.now(UTC)
    saved = [
        store.save(
            draft_from_result(
                r, document_key=k, operator="boss", counter="1", presented_at=now, keep_images=keep, business=biz
            ),
            boss,
        )
        for r, k in ((yamada_result, "mynumber"), (licence_result, "license"))
        for keep in (False, True)
    ]
    lic = store.get(saved[3].id, boss)
    assert lic.document_number == number and lic.draft.images["photo"].data == licence_result.photo.data  # type: ignore[union-attr]
    assert store.get(saved[0].id, boss).document_number is None  # never the 個人番号
    assert len(store.search(RecordQuery(name=P.family_name), boss)) == 4
    store.close()
    secrets = [YAMADA.printed.security_code, YAMADA.printed.expiry_year, *LICENCE_PINS]
    if url.startswith("postgresql"):
        datadir = os.environ.get("TAIMEN_TEST_POSTGRES_DATADIR")
        if not datadir:
            if os.environ.get("CI"):
                pytest.fail("TAIMEN_TEST_POSTGRES_DATADIR is needed to scan PostgreSQL's files")
            pytest.skip("PostgreSQL data directory unknown")
        roots = [Path(datadir)]
    else:
        db = Path(url)
        roots = [p for p in db.parent.iterdir() if p.name.startswith(db.name)]  # file, -wal, -shm
        assert any(p.name.endswith("-wal") for p in roots) or db.stat().st_size > 0
    problems = _scan(roots, _forbidden(number), secrets, _snippets(yamada_result, licence_result))
    assert problems == []


def test_the_scan_finds_what_it_looks_for(url: str, key: KeySource) -> None:
    """Positive control: text written in clear (a staff display name) is found by the same scan. (A fresh marker,
    not a customer's value: the PostgreSQL cluster is shared by every test.)"""
    import uuid

    marker = "東京都" + uuid.uuid4().hex
    store = open_store(url, key, password_memory_kib=FAST_ARGON2)
    store.create_account("boss", "boss-password-1", Role.SUPERVISOR, display_name=marker)
    store.close()
    if url.startswith("postgresql"):
        roots = [Path(os.environ.get("TAIMEN_TEST_POSTGRES_DATADIR") or "/nonexistent") / "pg_wal"]
        if not roots[0].exists():
            pytest.skip("PostgreSQL data directory unknown")
    else:
        roots = [Path(url).parent]
    assert _scan(roots, [marker], [])
