"""The passport in Debian's Chromium with the camera: the fake camera shows the sample's data page, OCR reads
its MRZ and proposes the three key fields on the confirm screen, the clerk confirms, the chip is read through
the demo reader, and the result shows DG2 beside the portrait cut from the photographed page.
Screenshots: passport-confirm-ja.png (artifacts), result-passport-ja.png (docs)."""

# ruff: noqa: F811  (the fixtures come from test_browser and are used as parameters)
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from .fakecam import scene, write_y4m
from .test_browser import CHROMIUM, open_demo, page, server, shot, sync_api, take_photo  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
pytest.importorskip("taimen.samples.passport_cards")
pytest.importorskip("taimen.ocr.mrz_photo")
from taimen.face.passport import render  # noqa: E402
from taimen.samples import passport_cards as pc  # noqa: E402

YAMADA = pc.PERSONS["yamada"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from taimen.ocr.engine import engine

    engine().warm_up()  # the first photo is read with the models already loaded
    cam = write_y4m(scene(render(YAMADA)), tmp_path_factory.mktemp("cam") / "page.y4m")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--use-fake-ui-for-media-stream",
                  "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={cam}"],
        )  # fmt: skip
        yield b
        b.close()


def test_passport_data_page_by_camera(page, server, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from taimen.web import capture

    monkeypatch.setattr(capture, "OCR_TIMEOUT", 120.0)  # latency is the benchmark's business, not this test's
    p = page
    expect = sync_api.expect
    open_demo(p)
    p.select_option("#demo-card", "passport-yamada")
    p.click("#demo-place")
    expect(p.locator("#detected-text")).to_have_text(re.compile("旅券"), timeout=10_000)
    p.click("#doc-next")
    p.wait_for_url("**/capture")
    p.set_default_timeout(120_000)
    take_photo(p)
    # OCR read the MRZ and proposed the three fields; the clerk confirms them against the page
    expect(p.locator("#f-document_number")).to_have_value(YAMADA.number)
    expect(p.locator("#f-birth")).to_have_value(YAMADA.birth)
    expect(p.locator("#f-expiry")).to_have_value(YAMADA.expiry)
    shot(p, "passport-confirm-ja")
    p.click("#read-start")
    p.wait_for_url("**/result", timeout=60_000)
    expect(p.locator("#verdict")).to_have_class(re.compile("verdict-genuine"))
    expect(p.locator('[data-check="passport.mrz_match"] .check-status')).to_contain_text("合格")
    expect(p.locator('[data-check="face.photo"]')).to_be_visible()
    # DG2 beside the portrait cut from the photographed data page
    assert p.eval_on_selector("#chip-photo", "img => img.complete && img.naturalWidth") > 0
    assert p.eval_on_selector("#printed-portrait", "img => img.complete && img.naturalWidth") > 0
    line2 = pc.mrz_lines(YAMADA)[1]
    assert line2 not in p.content()
    shot(p, "result-passport-ja", docs=True)
