"""確認記録 in Debian's Chromium: a demo read, the record saved, then a supervisor finds it, opens it and
exports it as CSV and PDF; the screens in Japanese and in English. Screenshots as in test_browser.py."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from taimen.samples.persons import person
from taimen.web.app import Settings
from taimen.web.demo import DemoCatalog, load_catalog
from taimen.web.readers import VirtualSource
from taimen.web.records_setup import DEMO_PASSWORD, RecordsSetup, open_demo
from taimen.web.server import Running, running_in_thread

from .conftest import CHROMIUM, chromium, watched_page
from .test_browser import YAMADA, place, shot, sync_api, type_values, wait_tries
from .test_records_web import pdf_text

pytestmark = pytest.mark.browser
pytest.importorskip("fpdf")

if not Path(CHROMIUM).exists():  # pragma: no cover
    pytest.skip("Debian chromium is not installed", allow_module_level=True)

PERSON = person("yamada")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium("--lang=ja-JP") as b:
        yield b


@pytest.fixture
def server() -> Iterator[tuple[Running, DemoCatalog, RecordsSetup]]:
    catalog = load_catalog(realtime=False)
    records = open_demo(counter="本店1番窓口")

    def settings(port: int) -> Settings:
        return Settings(
            port=port,
            sources=[VirtualSource(catalog.reader)],
            demo=catalog,
            trust_dirs=catalog.trust_dirs,
            **records.settings(),
        )

    with running_in_thread(settings) as run:
        yield run, catalog, records
    records.close()
    catalog.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    with watched_page(browser, server[0].launch_url(), accept_downloads=True) as p:
        yield p


def sign_in(p, login: str) -> None:  # type: ignore[no-untyped-def]
    p.wait_for_url("**/signin")
    p.fill("#operator_id", login)
    p.fill("#password", DEMO_PASSWORD)
    p.click("#signin-submit")


def seed_other_records(records: RecordsSetup) -> None:
    """Other customers' records, saved through the store as another counter would (fictitious persons)."""
    from datetime import datetime, timedelta

    from taimen.records import BusinessFields, Role, draft_from_result
    from taimen.result import Check, CheckStatus, DateValue, ReadResult

    sup = records.store.authenticate("kanri", DEMO_PASSWORD)
    assert sup.role is Role.SUPERVISOR
    now = datetime.now().astimezone()
    rows = [
        ("佐藤", "license", "健一", "サトウ　ケンイチ", CheckStatus.PASSED, "tanaka", 3),
        ("鈴木", "mynumber", "一郎", "", CheckStatus.WARNING, "madoguchi", 26),
        ("高橋", "license", "結衣", "タカハシ　ユイ", CheckStatus.FAILED, "madoguchi", 50),
        ("伊藤", "mynumber", "美咲", "", CheckStatus.PASSED, "tanaka", 75),
    ]
    for family, doc, given, kana, status, operator, minutes in rows:
        result = ReadResult(
            document=doc,
            name=f"{family}　{given}",
            name_kana=kana or None,
            address="東京都千代田区千代田１番１号",
            birth_date=DateValue("1990-01-01", "平成2年1月1日"),
            fields={"license_number": {"number": f"3012345678{minutes:02d}"}} if doc == "license" else {},
            checks=[Check(f"{doc}.signature", status, "署名検証", "signature")]
            + ([Check("kenmen_ap.presence", CheckStatus.PASSED, "実在確認", "presence")] if doc == "mynumber" else []),
        ).finish()
        draft = draft_from_result(
            result,
            document_key=doc,
            operator=operator,
            counter="本店2番窓口",
            presented_at=now - timedelta(minutes=minutes),
            keep_images=False,
            business=BusinessFields(transaction_type="携帯電話の契約"),
        )
        records.store.save(draft, sup)


def test_save_then_supervisor_finds_opens_exports(page, server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = page
    expect = sync_api.expect
    records = server[2]
    expect(p.locator("h1")).to_have_text("担当者の確認")
    expect(p.locator("#demo-accounts")).to_contain_text("kanri")
    sign_in(p, "madoguchi")
    p.wait_for_url(re.compile(r"/$"))
    expect(p.locator("#who")).to_contain_text("窓口 太郎")
    place(p, "mynumber-yamada")
    p.click("#doc-next")
    p.click("#type-values")
    wait_tries(p)
    type_values(p, YAMADA)
    p.click("#read-start")
    p.wait_for_url("**/result", timeout=20_000)
    expect(p.locator("#verdict-label")).to_have_text("真正")
    shot(p, "record-result-ja")
    p.click("#record-open")
    p.wait_for_url("**/record/new")
    expect(p.locator('#chip-table tr[data-field="name"] td')).to_have_text(PERSON.name)
    expect(p.locator("#r-operator")).to_have_text("窓口 太郎（madoguchi）")
    expect(p.locator("#r-counter")).to_have_value("本店1番窓口")
    p.fill("#r-transaction_type", "預貯金口座の開設")
    p.fill("#r-purpose", "生活費の決済")
    p.fill("#r-occupation", "会社員")
    p.fill("#r-reference", "C-2026-0042")
    p.evaluate("document.activeElement.blur()")
    shot(p, "save-record-ja", docs=True)
    p.click("#record-submit")
    expect(p.locator("#record-saved")).to_be_visible()
    record_id = p.locator("#saved-record-id").inner_text()
    assert record_id
    shot(p, "record-saved-ja")
    p.click("#finish-after-save")  # saved: no question asked
    p.wait_for_url(re.compile(r"/$"))
    assert PERSON.family_name not in p.locator("main").inner_text()

    # A counter operator cannot open the records.
    resp = p.goto(p.url.rstrip("/") + "/records")
    assert resp is not None and resp.status == 403
    expect(p.locator("#records-message")).to_contain_text("権限がありません")
    resp = p.goto(p.url.split("/records")[0] + f"/records/{record_id}")
    assert resp is not None and resp.status == 403
    assert PERSON.family_name not in p.locator("main").inner_text()

    p.goto(p.url.split("/records")[0] + "/")
    p.click("#signout")
    sign_in(p, "kanri")
    p.wait_for_url("**/records")
    expect(p.locator("h1")).to_have_text("記録一覧")
    seed_other_records(records)
    p.reload()
    expect(p.locator("#records-table tbody tr")).to_have_count(5)
    shot(p, "records-list-ja", docs=True)
    p.fill("#q-name", PERSON.family_name)
    p.select_option("#q-verdict", "genuine")
    p.click("#search-submit")
    row = p.locator(f'tr[data-record="{record_id}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("真正")
    expect(p.locator("#records-table tbody tr")).to_have_count(1)
    p.check("#select-all")
    expect(p.locator(f"#sel-{record_id}")).to_be_checked()
    p.uncheck("#select-all")
    expect(p.locator(f"#sel-{record_id}")).not_to_be_checked()

    row.locator(".record-link").click()
    p.wait_for_url(f"**/records/{record_id}")
    expect(p.locator("#record-id")).to_have_text(record_id)
    expect(p.locator('#detail-chip tr[data-field="address"] td')).to_have_text(PERSON.address)
    expect(p.locator('#detail-business tr[data-field="purpose"] td')).to_have_text("生活費の決済")
    expect(p.locator("#access-log")).to_contain_text("閲覧")
    shot(p, "record-detail-ja", docs=True)

    with p.expect_download() as dl:
        p.click("#detail-export-csv")
    csv_path = tmp_path / "export.csv"
    dl.value.save_as(csv_path)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["記録番号"] for r in rows] == [record_id] and rows[0]["氏名"] == PERSON.name

    with p.expect_download() as dl:
        p.click("#detail-export-pdf")
    pdf_path = tmp_path / "export.pdf"
    dl.value.save_as(pdf_path)
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert PERSON.family_name in text and "確認記録" in text

    # The exports are logged, and the detail page says so.
    p.reload()
    expect(p.locator("#access-log")).to_contain_text("書き出し")

    # English on the same screens.
    p.click("button[lang=en]")
    p.wait_for_url(f"**/records/{record_id}")
    expect(p.locator("h1")).to_contain_text("Record details")
    p.click("#back-list")
    expect(p.locator("h1")).to_have_text("Records")
    expect(p.locator(f'tr[data-record="{record_id}"]')).to_contain_text("Genuine")
    shot(p, "records-list-en")


def test_finish_without_saving_asks_first(page, server) -> None:  # type: ignore[no-untyped-def]
    p = page
    expect = sync_api.expect
    _run, _catalog, records = server
    sign_in(p, "madoguchi")
    p.wait_for_url(re.compile(r"/$"))
    place(p, "mynumber-yamada")
    p.click("#doc-next")
    p.click("#type-values")
    wait_tries(p)
    type_values(p, YAMADA)
    p.click("#read-start")
    p.wait_for_url("**/result", timeout=20_000)
    asked: list[str] = []

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    p.on("dialog", answer)
    p.click("#finish-bottom")  # dismissed: still on the result
    expect(p.locator("#verdict-label")).to_have_text("真正")
    p.click("#finish-bottom")  # accepted: everything erased, nothing kept
    p.wait_for_url(re.compile(r"/$"))
    assert asked and "保存されていません" in asked[0]
    from taimen.records import RecordQuery

    sup = records.store.authenticate("kanri", DEMO_PASSWORD)
    assert records.store.search(RecordQuery(limit=10), sup) == []
