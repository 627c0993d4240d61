"""The residence flow in Debian's Chromium: a typed card number (lower case, upper-cased by the page) → the
result with 在留資格, 在留期間 and 就労制限 where the clerk looks; an expired period flagged; a forged chip not
genuine; a wrong number stopped without a retry. Screenshots: result-residence-ja.png, result-residence-sprc-ja.png."""

# ruff: noqa: F811  (the fixtures come from test_browser and are used as parameters)
from __future__ import annotations

import re

import pytest

from .test_browser import browser, open_demo, page, poll, server, shot, sync_api  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
pytest.importorskip("taimen.samples.residence_cards")

DETECTED = "在留カード"


def place(p, key: str) -> None:  # type: ignore[no-untyped-def]
    open_demo(p)
    p.select_option("#demo-card", key)
    p.click("#demo-place")
    sync_api.expect(p.locator("#detected-text")).to_have_text(re.compile(DETECTED), timeout=10_000)


def to_confirm(p, *, sample_face: bool = False) -> None:  # type: ignore[no-untyped-def]
    p.click("#doc-next")
    p.wait_for_url("**/capture")
    if sample_face:
        p.click("#sample-face")  # the demo's stand-in for photographing the card
        p.wait_for_url("**/confirm", timeout=30_000)
    else:
        p.click("#type-values")
        p.wait_for_url("**/confirm")
    sync_api.expect(p.locator("#tries li").first).to_have_attribute("data-state", "none", timeout=10_000)
    sync_api.expect(p.locator("#tries")).to_contain_text("残り回数の仕組みなし")


def read(p, number: str) -> None:  # type: ignore[no-untyped-def]
    p.fill("#f-card_number", "")
    p.type("#f-card_number", number)
    sync_api.expect(p.locator("#read-start")).to_be_enabled()
    p.click("#read-start")


def test_typed_number_result_shows_status_period_and_work(page, server) -> None:  # type: ignore[no-untyped-def]
    p = page
    expect = sync_api.expect
    place(p, "residence-rc2-restricted")
    to_confirm(p)
    p.type("#f-card_number", "wx1357 2468yz")
    expect(p.locator("#f-card_number")).to_have_value("WX13572468YZ")  # upper-cased, space dropped as typed
    p.click("#read-start")
    p.wait_for_url("**/result", timeout=30_000)
    expect(p.locator("#verdict-label")).to_have_text("真正")
    expect(p.locator("#rc-panel")).to_be_visible()
    expect(p.locator('#rc-items [data-item="status"]')).to_contain_text("在留資格")
    expect(p.locator('#rc-items [data-item="period"]')).to_contain_text("1年3月")
    expect(p.locator('#rc-items [data-item="period"]')).to_contain_text("2027年9月30日")
    expect(p.locator("#rc-work")).to_have_attribute("data-badge", "none")
    expect(p.locator("#rc-work")).to_contain_text("就労不可")
    expect(p.locator('#rc-items [data-item="outside"]')).to_contain_text("28時間")
    assert p.eval_on_selector("#chip-photo", "img => img.complete && img.naturalWidth") > 0
    assert p.eval_on_selector("#chip-front", "img => img.complete && img.naturalWidth") > 0
    assert p.eval_on_selector("#rc-address-image", "img => img.complete && img.naturalWidth") > 0
    # 失効情報照会: a link for a new tab, nothing sent; the number and expiry are there to copy.
    link = p.locator("#rc-lookup-open")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(p.locator("#rc-number")).to_have_text("WX13572468YZ")
    expect(p.locator("#rc-expiry")).to_have_text("20270930")
    p.click('.js-copy[data-copy-from="rc-number"]')
    # Headless Chromium may refuse the clipboard: then the value is selected for Ctrl+C instead.
    poll(p, "document.querySelector('.js-copy').textContent === 'コピーしました' || "
         "window.getSelection().toString() === 'WX13572468YZ'")


def test_expired_period_flagged(page, server) -> None:  # type: ignore[no-untyped-def]
    p = page
    expect = sync_api.expect
    place(p, "residence-rc2-expired")
    to_confirm(p)
    read(p, "ST24681357UV")
    p.wait_for_url("**/result", timeout=30_000)
    expect(p.locator("#verdict-label")).to_have_text("要確認")
    period = p.locator('#rc-items [data-item="period"]')
    expect(period).to_have_class(re.compile("rc-bad"))
    expect(p.locator("#rc-period-expired")).to_have_text("満了日経過")
    expect(period).to_contain_text("在留期間の満了日を過ぎています")
    colour = p.eval_on_selector('#rc-items [data-item="period"]', "e => getComputedStyle(e).color")
    assert colour == "rgb(163, 0, 27)"  # --bad: red, with the words above


def test_forged_chip_not_genuine(page, server) -> None:  # type: ignore[no-untyped-def]
    p = page
    expect = sync_api.expect
    place(p, "residence-forged-photo")
    to_confirm(p)
    read(p, "AB12345678CD")
    p.wait_for_url("**/result", timeout=30_000)
    expect(p.locator("#verdict")).to_have_class(re.compile("verdict-not_genuine"))
    expect(p.locator("#verdict-label")).to_have_text("真正でない")
    expect(p.locator('[data-check="residence.signature"]')).to_have_attribute("data-status", "failed")


@pytest.mark.parametrize(
    ("gen", "number", "check"), [(1, "EF98765432GH", "face.front.birth_date"), (2, "AB12345678CD", "face.birth_date")]
)
def test_printed_birth_date_over_genuine_chip(page, server, gen: int, number: str, check: str) -> None:  # type: ignore[no-untyped-def]
    p = page
    expect = sync_api.expect
    place(p, f"residence-forged-face-birth-gen{gen}")
    to_confirm(p, sample_face=True)
    expect(p.locator("#f-card_number")).to_have_value(number)
    p.click("#read-start")
    p.wait_for_url("**/result", timeout=60_000)
    expect(p.locator("#verdict-label")).to_have_text("真正でない")
    expect(p.locator('[data-check="residence.signature"]')).to_have_attribute("data-status", "passed")
    expect(p.locator(f'[data-check="{check}"]')).to_have_attribute("data-status", "failed")
    expect(p.locator('#field-table tr[data-field="birth_date"]')).to_have_class(re.compile("match-no"))


def test_wrong_number_stops_without_retry(page, server) -> None:  # type: ignore[no-untyped-def]
    p = page
    expect = sync_api.expect
    place(p, "residence-rc2-smith")
    to_confirm(p)
    read(p, "AB12345678CE")
    expect(p.locator("#read-error")).to_be_visible(timeout=30_000)
    expect(p.locator("#read-error-text")).to_contain_text("一致しません")
    expect(p.locator("#read-error-text")).to_contain_text("券面")
    expect(p.locator("#read-retry")).to_be_hidden()
    shot(p, "residence-wrong-number-ja")


def test_screenshots_gen2_with_face_and_sprc(page, server) -> None:  # type: ignore[no-untyped-def]
    p = page
    expect = sync_api.expect
    place(p, "residence-rc2-restricted")
    to_confirm(p, sample_face=True)
    # OCR proposed the printed number; the clerk confirms it (the field is filled, flagged as from OCR).
    expect(p.locator("#f-card_number")).to_have_value("WX13572468YZ")
    p.click("#read-start")
    p.wait_for_url("**/result", timeout=60_000)
    expect(p.locator("#captured-face")).to_be_visible()
    expect(p.locator('[data-check="face.card_number"]')).to_have_attribute("data-status", "passed")
    expect(p.locator('#field-table tr[data-field="period"]')).to_have_class(re.compile("match-yes"))
    shot(p, "result-residence-ja", docs=True)
    p.click("#finish-bottom")
    p.wait_for_url(re.compile(r"/$"))
    place(p, "residence-sprc2-park")
    to_confirm(p, sample_face=False)
    read(p, "NP55667788QR")
    p.wait_for_url("**/result", timeout=30_000)
    expect(p.locator("#rc-panel")).to_have_attribute("data-kind", "special_permanent_resident_certificate")
    assert p.locator("#rc-work").count() == 0
    shot(p, "result-residence-sprc-ja", docs=True)
    p.click("#finish-bottom")
    p.wait_for_url(re.compile(r"/$"))
    place(p, "residence-rc1-nguyen")
    to_confirm(p, sample_face=True)
    p.click("#read-start")
    p.wait_for_url("**/result", timeout=60_000)
    expect(p.locator("#rc-address-latest")).to_contain_text("天満橋")
    shot(p, "result-residence-gen1-ja")
    poll(p, "true")
