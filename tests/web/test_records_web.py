"""確認記録 in the counter app over HTTP, against a real SQLite store: sign-in and roles, the save flow, the
records list, detail and export, and what the clerk is told when saving fails."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from taimen.samples.persons import person
from taimen.web.app import Settings, State, create_app
from taimen.web.demo import DemoCatalog, load_catalog
from taimen.web.readers import VirtualSource
from taimen.web.records_setup import DEMO_PASSWORD, RecordsSetup, open_demo
from taimen.web.security import Guard

pytest.importorskip("taimen.samples.mynumber_cards")
pytest.importorskip("fpdf")

PORT = 18767
ROOT = Path(__file__).resolve().parents[2]
YAMADA = person("yamada")
MYNUMBER = {"birth": "550217", "calendar": "wareki", "expiry_year": "2035", "security_code": "2285"}
LICENSE = {"pin1": "1234", "pin2": "5678"}
BUSINESS = {
    "transaction_type": "預貯金口座の開設",
    "purpose": '=HYPERLINK("http://evil.example")',  # formula injection attempt: exported as text
    "occupation": "会社員",
    "reference": "C-0001",
    "note": 'テスト, "引用"\n改行',
}


@pytest.fixture(scope="module")
def records() -> Iterator[RecordsSetup]:
    setup = open_demo(counter="本店1番窓口")
    yield setup
    setup.close()


@pytest.fixture
def catalog() -> Iterator[DemoCatalog]:
    c = load_catalog(realtime=False)
    yield c
    c.close()


@pytest.fixture
def guard() -> Guard:
    return Guard(port=PORT)


def make_client(catalog: DemoCatalog, guard: Guard, **settings: Any) -> TestClient:
    s = Settings(
        port=PORT,
        guard=guard,
        sources=[VirtualSource(catalog.reader)],
        demo=catalog,
        trust_dirs=catalog.trust_dirs,
        **settings,
    )
    return TestClient(create_app(s), base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False)


@pytest.fixture
def client(catalog: DemoCatalog, guard: Guard, records: RecordsSetup) -> Iterator[TestClient]:
    with make_client(catalog, guard, **records.settings()) as c:
        assert c.get(f"/?code={guard.new_code()}").status_code == 303
        yield c


def _st(c: TestClient) -> State:
    return c.app.state.taimen  # type: ignore[attr-defined,no-any-return]


def sign_in(c: TestClient, guard: Guard, login: str, password: str = DEMO_PASSWORD) -> Any:
    return c.post("/signin", data={"csrf": guard.csrf, "operator_id": login, "password": password})


def sign_out(c: TestClient, guard: Guard) -> None:
    assert c.post("/signout", data={"csrf": guard.csrf}).status_code == 303


def read_card(c: TestClient, guard: Guard, key: str, values: dict[str, str]) -> None:
    h = {"x-csrf-token": guard.csrf}
    assert c.post("/api/demo/place", data={"card": key}, headers=h).status_code == 200
    st = _st(c)
    for _ in range(500):  # detection runs in a worker thread
        if st.readers.current_name() in st.detected:
            break
        time.sleep(0.01)
    assert c.post("/document", data={"csrf": guard.csrf, "document": "auto"}).status_code == 303
    r = c.post("/api/read", data=values, headers=h)
    assert r.status_code == 200, r.text


def supervisor(records: RecordsSetup) -> Any:
    return records.store.authenticate("kanri", DEMO_PASSWORD)


def all_records(records: RecordsSetup) -> list[Any]:
    from taimen.records import RecordQuery

    return records.store.search(RecordQuery(limit=1000), supervisor(records))


def test_signin_is_required_and_checks_the_password(client: TestClient, guard: Guard) -> None:
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/signin"
    assert client.post("/api/read", data={}, headers={"x-csrf-token": guard.csrf}).status_code == 401
    timed_out = client.post("/record/save", data={"csrf": guard.csrf, **BUSINESS})
    assert timed_out.status_code == 303 and timed_out.headers["location"] == "/signin"
    page = client.get("/signin")
    assert page.status_code == 200 and 'name="password"' in page.text and "担当者IDとパスワード" in page.text
    bad = sign_in(client, guard, "madoguchi", "wrong-password")
    assert bad.status_code == 401 and "パスワードが違います" in bad.text
    assert "wrong-password" not in bad.text
    assert client.post("/signin", data={"operator_id": "madoguchi", "password": DEMO_PASSWORD}).status_code == 403
    ok = sign_in(client, guard, "madoguchi")
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    cookie = ok.cookies.get(f"taimen_{PORT}_op")
    assert cookie and "HttpOnly" in ok.headers["set-cookie"] and "SameSite=Strict" in ok.headers["set-cookie"]
    home = client.get("/")
    assert home.status_code == 200 and "窓口 太郎" in home.text and "サインアウト" in home.text
    again = sign_in(client, guard, "madoguchi")  # a new sign-in gets a new session id (no fixation)
    assert again.cookies.get(f"taimen_{PORT}_op") != cookie
    sign_out(client, guard)
    assert client.get("/").headers["location"] == "/signin"


def test_counter_operator_cannot_browse(client: TestClient, guard: Guard, records: RecordsSetup) -> None:
    sign_in(client, guard, "madoguchi")
    read_card(client, guard, "mynumber-yamada", MYNUMBER)
    assert client.post("/record/save", data={"csrf": guard.csrf, **BUSINESS}).status_code == 303
    rid = _st(client).session.saved_record
    assert rid
    assert client.get("/records").status_code == 403
    assert client.get(f"/records/{rid}").status_code == 403
    assert client.get(f"/records/{rid}/image/photo.png").status_code == 403
    r = client.post("/records/export", data={"csrf": guard.csrf, "id": rid, "format": "csv"})
    assert r.status_code == 403 and YAMADA.name not in r.text
    assert "記録一覧" not in client.get("/result").text.split("<main", 1)[0]  # no link to the records


def test_auditor_browses_but_cannot_export(client: TestClient, guard: Guard, records: RecordsSetup) -> None:
    sign_in(client, guard, "kansa")
    assert client.get("/records").status_code == 200
    r = client.post("/records/export", data={"csrf": guard.csrf, "all": "1", "format": "csv"})
    assert r.status_code == 403 and "書き出す権限がありません" in r.text


def test_save_then_supervisor_finds_opens_and_exports(client: TestClient, guard: Guard, records: RecordsSetup) -> None:
    before = {r.id for r in all_records(records)}
    sign_in(client, guard, "madoguchi")
    read_card(client, guard, "mynumber-yamada", MYNUMBER)
    result = client.get("/result").text
    assert 'id="record-open"' in result and "js-unsaved" in result
    form = client.get("/record/new")
    assert form.status_code == 200
    html = form.text
    assert YAMADA.name in html and "窓口 太郎（madoguchi）" in html and 'value="本店1番窓口"' in html
    assert "記録しない（個人番号は記録しません）" in html and 'name="document_number"' not in html
    assert "画像は保存しません" in html and 'name="name"' not in html  # chip values cannot be edited
    r = client.post("/record/save", data={"csrf": guard.csrf, **BUSINESS, "counter": "本店1番窓口"})
    assert r.status_code == 303 and r.headers["location"] == "/record/new"
    saved = client.get("/record/new").text
    rid = _st(client).session.saved_record
    assert rid and "確認記録を保存しました" in saved and rid in saved
    assert 'value="会社員" disabled' in saved and 'id="record-submit"' not in saved  # what was saved, read-only
    assert f'id="result-record-id">{rid}<' in client.get("/result").text
    # Saving again (double click, reload) stores nothing more.
    client.post("/record/save", data={"csrf": guard.csrf, **BUSINESS})
    new = [r for r in all_records(records) if r.id not in before]
    assert [r.id for r in new] == [rid]
    rec = new[0]
    assert rec.name == YAMADA.name and rec.operator == "madoguchi" and rec.counter == "本店1番窓口"
    assert rec.draft.business.purpose == BUSINESS["purpose"] and rec.document_number is None
    assert rec.draft.images == {}
    assert client.post("/finish", data={"csrf": guard.csrf}).status_code == 303
    assert _st(client).session.empty and _st(client).session.saved_record is None

    sign_out(client, guard)
    r = sign_in(client, guard, "kanri")
    assert r.headers["location"] == "/records"
    listing = client.get("/records", params={"name": YAMADA.family_name})
    assert listing.status_code == 200 and f'data-record="{rid}"' in listing.text
    assert f'data-record="{rid}"' not in client.get("/records", params={"name": "存在しない"}).text
    assert f'data-record="{rid}"' in client.get("/records", params={"operator": "madoguchi", "verdict": "genuine"}).text
    assert f'data-record="{rid}"' not in client.get("/records", params={"verdict": "not_genuine"}).text
    bad_date = client.get("/records", params={"from": "2026-13-45"})
    assert bad_date.status_code == 200 and "形式が正しくありません" in bad_date.text

    detail = client.get(f"/records/{rid}")
    assert detail.status_code == 200
    d = detail.text
    assert YAMADA.name in d and YAMADA.address in d and "真正" in d and "預貯金口座の開設" in d
    assert YAMADA.individual_number not in d
    assert client.get("/records/no-such-record").status_code == 404

    csv_resp = client.post("/records/export", data={"csrf": guard.csrf, "id": rid, "format": "csv"})
    assert csv_resp.status_code == 200 and csv_resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_resp.headers["content-disposition"]
    assert csv_resp.headers["cache-control"].startswith("no-store")
    assert csv_resp.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(csv_resp.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[0][0] == "記録番号" and rows[1][0] == rid
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert cells["氏名"] == YAMADA.name and cells["取引を行う目的"] == "'" + BUSINESS["purpose"]
    assert cells["備考"] == BUSINESS["note"]

    pdf_resp = client.post("/records/export", data={"csrf": guard.csrf, "id": rid, "format": "pdf"})
    assert pdf_resp.status_code == 200 and pdf_resp.content.startswith(b"%PDF-")
    assert YAMADA.family_name in pdf_text(pdf_resp.content)

    # Reading and exporting are logged by the store, and shown on the detail page.
    actions = [e.action for e in records.store.access_log(supervisor(records), record_id=rec.root_id)]
    assert "view" in actions and "export" in actions
    assert "書き出し" in client.get(f"/records/{rid}").text


def pdf_text(data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return out.stdout.decode()


def test_supervisor_corrects_as_a_new_version(client: TestClient, guard: Guard, records: RecordsSetup) -> None:
    sign_in(client, guard, "madoguchi")
    read_card(client, guard, "mynumber-yamada", MYNUMBER)
    client.post("/record/save", data={"csrf": guard.csrf, **BUSINESS})
    rid = _st(client).session.saved_record
    assert rid
    assert client.post(f"/records/{rid}/correct", data={"csrf": guard.csrf, "reason": "x"}).status_code == 403
    sign_out(client, guard)
    sign_in(client, guard, "kanri")
    fields = {**BUSINESS, "occupation": "自営業"}
    no_reason = client.post(f"/records/{rid}/correct", data={"csrf": guard.csrf, **fields})
    assert no_reason.status_code == 400 and "訂正の理由を入力してください" in no_reason.text
    same = client.post(f"/records/{rid}/correct", data={"csrf": guard.csrf, **BUSINESS, "reason": "確認"})
    assert same.status_code == 400 and "変更された項目がありません" in same.text
    r = client.post(
        f"/records/{rid}/correct",
        data={"csrf": guard.csrf, **fields, "contract_end": "2027-03-31", "reason": "職業の聞き間違い"},
    )
    assert r.status_code == 303
    new_id = r.headers["location"].rsplit("/", 1)[1]
    assert new_id != rid
    page = client.get(f"/records/{new_id}").text
    assert "自営業" in page and "第2版" in page and f'href="/records/{rid}"' in page and "職業の聞き間違い" in page
    assert "令和9年3月31日" in page and 'id="correct-form"' in page
    old = client.get(f"/records/{rid}").text
    assert 'id="correct-form"' not in old  # a superseded version is not corrected again
    listing = client.get("/records", params={"occupation": "", "operator": "madoguchi"}).text
    assert f'data-record="{new_id}"' in listing and f'data-record="{rid}"' not in listing
    rows = list(csv.reader(io.StringIO(client.post(
        "/records/export", data={"csrf": guard.csrf, "id": [rid, new_id], "format": "csv"}
    ).content.decode("utf-8-sig"))))  # fmt: skip
    assert [r[1] for r in rows[1:]] == ["1", "2"]


def test_licence_record_keeps_its_number(client: TestClient, guard: Guard, records: RecordsSetup) -> None:
    sign_in(client, guard, "madoguchi")
    read_card(client, guard, "license-yamada", LICENSE)
    html = client.get("/record/new").text
    assert "書類の記号番号" in html
    assert "データ真正（チップ未証明）" in html  # as the result screen says it for a licence
    client.post("/record/save", data={"csrf": guard.csrf, "transaction_type": "携帯電話の契約"})
    rid = _st(client).session.saved_record
    rec = next(r for r in all_records(records) if r.id == rid)
    assert rec.document == "license" and rec.document_number


def test_finish_without_saving_keeps_nothing(client: TestClient, guard: Guard, records: RecordsSetup) -> None:
    before = len(all_records(records))
    sign_in(client, guard, "madoguchi")
    read_card(client, guard, "mynumber-yamada", MYNUMBER)
    client.get("/record/new")
    assert client.post("/finish", data={"csrf": guard.csrf}).status_code == 303
    assert len(all_records(records)) == before
    r = client.get("/record/new")
    assert r.status_code == 409 and "保存する確認結果がありません" in r.text
    assert client.post("/record/save", data={"csrf": guard.csrf, **BUSINESS}).status_code == 409
    assert len(all_records(records)) == before


def test_sign_out_ends_the_check_on_screen(client: TestClient, guard: Guard, records: RecordsSetup) -> None:
    before = len(all_records(records))
    sign_in(client, guard, "madoguchi")
    read_card(client, guard, "mynumber-yamada", MYNUMBER)
    assert 'id="signout"' in client.get("/result").text and "js-unsaved" in client.get("/record/new").text
    sign_out(client, guard)
    assert _st(client).session.empty and _st(client).session.record_key is None
    sign_in(client, guard, "kanri")  # the next operator finds nothing of the previous customer
    main = client.get("/result").text.split("<main", 1)[1].split("</main>", 1)[0]
    assert "no_result" not in main and YAMADA.family_name not in main and "結果はありません" in main
    assert client.get("/record/new").status_code == 409
    assert len(all_records(records)) == before


def test_save_needs_csrf(client: TestClient, guard: Guard, records: RecordsSetup) -> None:
    sign_in(client, guard, "madoguchi")
    read_card(client, guard, "mynumber-yamada", MYNUMBER)
    before = len(all_records(records))
    assert client.post("/record/save", data=BUSINESS).status_code == 403
    r = client.post("/record/save", data={"csrf": guard.csrf, **BUSINESS}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    assert len(all_records(records)) == before


def test_overlong_input_is_refused_with_the_values_kept(client: TestClient, guard: Guard) -> None:
    sign_in(client, guard, "madoguchi")
    read_card(client, guard, "mynumber-yamada", MYNUMBER)
    r = client.post("/record/save", data={"csrf": guard.csrf, "occupation": "会社員", "purpose": "あ" * 201})
    assert r.status_code == 400 and "長すぎます" in r.text and 'value="会社員"' in r.text
    assert _st(client).session.saved_record is None


class FailingStore:
    """The real store, except that ``save`` fails the way SQLite or the OS does."""

    def __init__(self, store: Any, exc: BaseException) -> None:
        self._store = store
        self._exc = exc

    def save(self, draft: Any, actor: Any) -> Any:
        raise self._exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.mark.parametrize(
    ("exc", "status", "words"),
    [
        (sqlite3.OperationalError("database or disk is full"), 507, "ディスクがいっぱい"),
        (OSError(28, "No space left on device"), 507, "ディスクがいっぱい"),
        (sqlite3.OperationalError("attempt to write a readonly database"), 503, "読み取り専用"),
    ],
)
def test_a_failed_save_says_what_happened_and_what_to_do(
    catalog: DemoCatalog, guard: Guard, records: RecordsSetup, exc: BaseException, status: int, words: str
) -> None:
    settings = {**records.settings(), "records": FailingStore(records.store, exc)}
    with make_client(catalog, guard, **settings) as c:
        c.get(f"/?code={guard.new_code()}")
        sign_in(c, guard, "madoguchi")
        read_card(c, guard, "mynumber-yamada", MYNUMBER)
        r = c.post("/record/save", data={"csrf": guard.csrf, **BUSINESS})
        assert r.status_code == status
        assert "確認記録を保存できませんでした" in r.text and words in r.text
        assert "「終了」は押さないでください" in r.text  # what to do, before the customer leaves
        assert 'value="会社員"' in r.text and 'id="record-submit"' in r.text  # nothing typed is lost; retry
        assert _st(c).session.result is not None and _st(c).session.saved_record is None


def test_images_are_kept_only_under_that_policy(catalog: DemoCatalog, guard: Guard, records: RecordsSetup) -> None:
    with make_client(catalog, guard, **{**records.settings(), "keep_images": True}) as c:
        c.get(f"/?code={guard.new_code()}")
        sign_in(c, guard, "madoguchi")
        read_card(c, guard, "mynumber-yamada", MYNUMBER)
        assert "画像も暗号化して保存します" in c.get("/record/new").text
        c.post("/record/save", data={"csrf": guard.csrf, **BUSINESS})
        rid = _st(c).session.saved_record
        rec = next(r for r in all_records(records) if r.id == rid)
        assert "photo" in rec.draft.images
        sign_out(c, guard)
        sign_in(c, guard, "kanri")
        assert f'src="/records/{rid}/image/photo.png"' in c.get(f"/records/{rid}").text
        img = c.get(f"/records/{rid}/image/photo.png")
        assert img.status_code == 200 and img.content.startswith(b"\x89PNG\r\n\x1a\n")
        assert c.get(f"/records/{rid}/image/nothing.png").status_code == 404
        pdf = c.post("/records/export", data={"csrf": guard.csrf, "id": rid, "format": "pdf"}).content
        assert b"/Subtype /Image" in pdf


def test_the_list_pages_through_many_records(client: TestClient, guard: Guard, records: RecordsSetup) -> None:
    from datetime import datetime, timedelta

    from taimen.records import draft_from_result
    from taimen.result import Check, CheckStatus, ReadResult

    sup = supervisor(records)
    start = datetime(2026, 4, 1, 9, 0).astimezone()
    for i in range(30):
        result = ReadResult(
            document="mynumber",
            name="頁送　試験",
            address="東京都",
            checks=[Check("kenmen_ap.signature", CheckStatus.PASSED, "署名", "sig")],
        ).finish()
        draft = draft_from_result(
            result,
            document_key="mynumber",
            operator="kanri",
            counter="C",
            presented_at=start + timedelta(minutes=i),
            keep_images=False,
        )
        records.store.save(draft, sup)
    sign_in(client, guard, "kanri")
    first = client.get("/records", params={"name": "頁送"}).text
    assert first.count('data-record="') == 25 and 'id="page-next"' in first and 'id="page-prev"' not in first
    second = client.get("/records", params={"name": "頁送", "page": "2"}).text
    assert second.count('data-record="') == 5 and 'id="page-prev"' in second and 'id="page-next"' not in second
    assert "page=1" in second and "name=%E9%A0%81%E9%80%81" in second  # the search is kept across pages
    day = client.get("/records", params={"name": "頁送", "from": "2026-04-01", "to": "2026-04-01"}).text
    assert day.count('data-record="') == 25
    assert client.get("/records", params={"name": "頁送", "from": "2026-04-02"}).text.count('data-record="') == 0
    everything = client.post(
        "/records/export", data={"csrf": guard.csrf, "all": "1", "format": "csv", "name": "頁送"}
    ).content
    assert len(list(csv.reader(io.StringIO(everything.decode("utf-8-sig"))))) == 31


def test_identify_only_without_accounts(catalog: DemoCatalog, guard: Guard, records: RecordsSetup) -> None:
    settings = {**records.settings(), "require_password": False, "demo_accounts": ()}
    with make_client(catalog, guard, **settings) as c:
        c.get(f"/?code={guard.new_code()}")
        page = c.get("/signin").text
        assert 'name="operator_name"' in page and 'name="password"' not in page
        assert c.post("/signin", data={"csrf": guard.csrf, "operator_id": "A-12"}).status_code == 400
        r = c.post("/signin", data={"csrf": guard.csrf, "operator_id": "A-12", "operator_name": "佐藤 三郎"})
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert "佐藤 三郎（A-12）" in c.get("/").text and "窓口担当者" in c.get("/").text
        assert c.get("/records").status_code == 403


def test_records_screens_in_english(client: TestClient, guard: Guard) -> None:
    sign_in(client, guard, "kanri")
    r = client.post("/lang", data={"csrf": guard.csrf, "lang": "en", "next": "/records?name=x"})
    assert r.status_code == 303 and r.headers["location"] == "/records?name=x"
    page = client.get("/records").text
    assert "<h1>Records</h1>" in page and "Sign out" in page and ">Search</button>" in page
    assert "記録一覧" not in page


@pytest.fixture
def pg_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database on the test PostgreSQL (scripts/start-postgres.sh, as tests/records uses)."""
    base = os.environ.get("TAIMEN_TEST_POSTGRES_URL")
    if not base:
        try:
            out = subprocess.run(
                [str(ROOT / "scripts" / "start-postgres.sh")], capture_output=True, text=True, timeout=120, check=True
            ).stdout
        except (OSError, subprocess.SubprocessError):
            if os.environ.get("CI"):
                pytest.fail("PostgreSQL is required under CI")
            pytest.skip("no PostgreSQL")
        base = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)["TAIMEN_TEST_POSTGRES_URL"]
    psycopg = pytest.importorskip("psycopg")
    name = "w_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield base.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_central_postgresql_store_end_to_end(catalog: DemoCatalog, guard: Guard, pg_url: str, tmp_path: Path) -> None:
    """`taimen serve --records postgresql://…`: passwords required, and the same flow as on SQLite."""
    import argparse

    from taimen.records import KeySource, Role, create_key_file, open_store
    from taimen.web.records_setup import open_from_args

    key_file = create_key_file(tmp_path / "records.key")
    admin_store = open_store(pg_url, KeySource.from_file(key_file), password_memory_kib=8 * 1024)
    boss = admin_store.create_account("boss", "boss-password-1", Role.SUPERVISOR, display_name="責任者 恵美")
    admin_store.create_account("clerk", "clerk-password-1", Role.OPERATOR, display_name="窓口 太郎", actor=boss)
    admin_store.close()
    args = argparse.Namespace(
        records=pg_url, records_key=str(key_file), counter="支店2番", keep_images=False, sign_in="auto"
    )
    setup = open_from_args(args)
    try:
        assert setup.require_password is True
        with make_client(catalog, guard, **setup.settings()) as c:
            c.get(f"/?code={guard.new_code()}")
            assert 'name="password"' in c.get("/signin").text
            assert sign_in(c, guard, "clerk", "wrong-password-1").status_code == 401
            assert sign_in(c, guard, "clerk", "clerk-password-1").status_code == 303
            read_card(c, guard, "mynumber-yamada", MYNUMBER)
            assert 'value="支店2番"' in c.get("/record/new").text
            assert c.post("/record/save", data={"csrf": guard.csrf, **BUSINESS}).status_code == 303
            rid = _st(c).session.saved_record
            assert c.get("/records").status_code == 403
            sign_out(c, guard)
            sign_in(c, guard, "boss", "boss-password-1")
            assert f'data-record="{rid}"' in c.get("/records", params={"kana": "", "name": YAMADA.given_name}).text
            assert YAMADA.address in c.get(f"/records/{rid}").text
            exported = c.post("/records/export", data={"csrf": guard.csrf, "id": rid, "format": "csv"}).content
            assert YAMADA.name in exported.decode("utf-8-sig")
    finally:
        setup.close()


def test_read_only_and_vanished_postgresql_are_told_at_the_counter(
    catalog: DemoCatalog, guard: Guard, pg_url: str, tmp_path: Path
) -> None:
    """Real faults, not stand-ins: the database switched to read-only, then dropped while the app runs."""
    import psycopg

    from taimen.records import KeySource, Role, create_key_file, open_store

    key = KeySource.from_file(create_key_file(tmp_path / "records.key"))
    first = open_store(pg_url, key, password_memory_kib=8 * 1024)
    boss = first.create_account("boss", "boss-password-1", Role.SUPERVISOR)
    first.create_account("clerk", "clerk-password-1", Role.OPERATOR, actor=boss)
    first.close()
    name = pg_url.rsplit("/", 1)[1]
    admin = pg_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    store = open_store(pg_url, key)
    try:
        with make_client(catalog, guard, records=store, require_password=True) as c:
            c.get(f"/?code={guard.new_code()}")
            assert sign_in(c, guard, "clerk", "clerk-password-1").status_code == 303
            read_card(c, guard, "mynumber-yamada", MYNUMBER)
            r = c.post("/record/save", data={"csrf": guard.csrf, **BUSINESS})
            assert r.status_code == 503 and "読み取り専用" in r.text and "「終了」は押さないでください" in r.text
            assert _st(c).session.saved_record is None and _st(c).session.result is not None
            try:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE {name} WITH (FORCE)")
            except psycopg.Error:
                pytest.skip("the test role may not connect to the postgres database")
            r = c.post("/record/save", data={"csrf": guard.csrf, **BUSINESS})
            assert r.status_code == 503 and "確認記録を保存できませんでした" in r.text
            assert "記録の保存先に接続できません" in r.text and "読み取り専用" not in r.text
            assert 'value="会社員"' in r.text and _st(c).session.result is not None
    finally:
        store.close()


def test_without_a_store_nothing_changes(catalog: DemoCatalog, guard: Guard) -> None:
    with make_client(catalog, guard) as c:
        c.get(f"/?code={guard.new_code()}")
        assert c.get("/").status_code == 200  # no sign-in without a store
        assert c.get("/records").status_code == 404
        assert c.get("/signin").status_code == 303


class TcpRelay:
    """A TCP relay to PostgreSQL that can be cut and restored: a real network outage for one counter."""

    def __init__(self, target: tuple[str, int]) -> None:
        import socket
        import threading

        self._socket, self._threading = socket, threading
        self.target = target
        self.port = 0
        self._conns: list[Any] = []
        self._listener: Any = None
        self.up()

    def up(self) -> None:
        s = self._socket.socket()
        s.setsockopt(self._socket.SOL_SOCKET, self._socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(16)
        self.port = s.getsockname()[1]
        self._listener = s
        self._threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, listener: Any) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = self._socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            self._conns += [client, server]
            for a, b in ((client, server), (server, client)):
                self._threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: Any, dst: Any) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.close()

    def down(self) -> None:
        with contextlib.suppress(OSError):  # shutdown wakes the thread blocked in accept(); close alone does not
            self._listener.shutdown(self._socket.SHUT_RDWR)
        self._listener.close()
        for c in self._conns:
            try:
                c.shutdown(self._socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        self._conns = []


def test_unreachable_central_store_queues_then_delivers_once(
    catalog: DemoCatalog, guard: Guard, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from urllib.parse import urlsplit

    from taimen.records import KeySource, RecordQuery, Role, create_key_file, open_store
    from taimen.web import app as web_app

    monkeypatch.setattr(web_app, "DELIVERY_SECONDS", 0.2)
    parts = urlsplit(pg_url)
    relay = TcpRelay((parts.hostname or "127.0.0.1", parts.port or 5432))
    relayed = pg_url.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{relay.port}")
    key = KeySource.from_file(create_key_file(tmp_path / "records.key"))
    store = open_store(relayed, key, queue_path=tmp_path / "queue.sqlite3", password_memory_kib=8 * 1024)
    try:
        boss = store.create_account("boss", "boss-password-1", Role.SUPERVISOR)
        store.create_account("clerk", "clerk-password-1", Role.OPERATOR, actor=boss)
        with make_client(catalog, guard, records=store, require_password=True) as c:
            c.get(f"/?code={guard.new_code()}")
            assert sign_in(c, guard, "clerk", "clerk-password-1").status_code == 303
            read_card(c, guard, "mynumber-yamada", MYNUMBER)
            relay.down()  # the line to the central store is cut while the customer is at the counter
            r = c.post("/record/save", data={"csrf": guard.csrf, **BUSINESS})
            assert r.status_code == 303
            page = c.get("/record/new").text
            rid = _st(c).session.saved_record
            assert rid and "確認記録を保存しました" in page and "一時保存しました" in page
            assert store.queued() == 1
            relay.up()  # back: the app's delivery loop sends it, once
            for _ in range(100):
                if store.queued() == 0:
                    break
                time.sleep(0.05)
            assert store.queued() == 0
            found = store.search(RecordQuery(limit=10), boss)
            assert [x.id for x in found] == [rid]
    finally:
        store.close()
        relay.down()
