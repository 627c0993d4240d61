"""``taimen demo`` as a newcomer runs it: the whole flow in Chromium, then every file the server wrote under its
HOME, working directory and TMPDIR is scanned for secrets, personal data and images. None may be there: the
one 確認記録 the operator saves lives in the demo's temporary store, encrypted, and goes with it at exit.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from taimen.samples.persons import person
from taimen.web.records_setup import DEMO_PASSWORD

from .fakecam import camera_file

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
YAMADA = person("yamada")

#: What must never reach a file: secrets (as typed, as sent, as form fields), personal data, the 個人番号.
FORBIDDEN_TEXT = [
    "55021720352285",  # 照合番号B of the sample person
    "security_code=",
    "pin1=",
    "pin2=",
    "expiry_year=",
    "card_number=",
    "AB12345678CD",  # the residence sample's card number: the key that unlocks its chip
    YAMADA.individual_number,
    YAMADA.name,
    YAMADA.family_name,
    YAMADA.given_name,
    YAMADA.address,
    "ヤマダ",
    "昭和55年2月17日",
    "19800217",
    "1980-02-17",
]
#: Image signatures (PNG, JPEG, JPEG 2000 codestream and JP2 box) anywhere in a file.
IMAGE_MAGIC = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"\xff\x4f\xff\x51", b"jP  \r\n\x87\n"]


def _scan(roots: list[Path]) -> list[str]:
    problems = []
    needles = [(s, enc, s.encode(enc)) for s in FORBIDDEN_TEXT for enc in ("utf-8", "utf-16-le", "shift_jis")]
    for root in roots:
        for path in root.rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            hits = {text for text, _enc, raw in needles if raw in data}
            problems += [f"{path}: contains {text!r}" for text in sorted(hits)]
            for magic in IMAGE_MAGIC:
                if magic in data:
                    problems.append(f"{path}: contains image data ({magic!r})")
    return problems


@pytest.fixture
def demo_process(tmp_path: Path) -> Iterator[tuple[str, list[Path], subprocess.Popen[str]]]:
    home, tmp, cwd = tmp_path / "home", tmp_path / "tmp", tmp_path / "cwd"
    for d in (home, tmp, cwd):
        d.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "PYTHONPATH": str(ROOT / "src"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "taimen", "demo", "--no-browser", "--port", "0"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        m = re.search(r"http://127\.0\.0\.1:\d+/\?code=[\w-]+", line)
        if m:
            url = m.group(0)
            break
    assert url, "taimen demo did not print its URL"
    yield url, [home, tmp, cwd], proc
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def test_demo_flow_leaves_nothing_on_disk(demo_process, tmp_path_factory: pytest.TempPathFactory) -> None:  # type: ignore[no-untyped-def]
    url, roots, proc = demo_process
    cam = camera_file(YAMADA, tmp_path_factory.mktemp("cam") / "card.y4m")
    expect = sync_api.expect
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={cam}",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("dialog", lambda d: d.accept())  # 「終了」 without saving the record: yes, keep nothing
        page.goto(url)
        page.fill("#operator_id", "madoguchi")
        page.fill("#password", DEMO_PASSWORD)
        page.click("#signin-submit")
        page.wait_for_url(re.compile(r"/$"))
        for key, title, values, verdict in (
            (
                "mynumber-yamada",
                "マイナンバーカード",
                {"birth": "550217", "expiry_year": "2035", "security_code": "2285"},
                "真正",
            ),
            ("license-yamada", "運転免許証", {"pin1": "1234", "pin2": "5678"}, "データ真正（チップ未証明）"),
            ("residence-rc2-smith", "在留カード・特別永住者証明書", {"card_number": "AB12345678CD"}, "真正"),
        ):
            page.click("#demo-details summary") if not page.evaluate(
                "document.getElementById('demo-details').open"
            ) else None
            page.select_option("#demo-card", key)
            page.click("#demo-place")
            expect(page.locator("#detected-text")).to_have_text(title, timeout=10_000)
            page.click("#doc-next")
            page.wait_for_url("**/capture")
            page.click("#camera-start")
            expect(page.locator("#camera-shoot")).to_be_visible()
            for _ in range(200):  # until the (fake) camera delivers frames
                if page.evaluate("document.getElementById('camera-video').videoWidth > 0"):
                    break
                page.wait_for_timeout(50)
            page.click("#camera-shoot")
            page.wait_for_url("**/confirm", timeout=20_000)
            expect(page.locator("#tries li").first).to_contain_text("残り", timeout=10_000)
            for k, v in values.items():
                page.fill(f"#f-{k}", v)
            page.click("#read-start")
            page.wait_for_url("**/result", timeout=30_000)
            expect(page.locator("#verdict-label")).to_have_text(verdict)
            # While the result is on screen, the server has written nothing personal either.
            assert _scan(roots) == []
            if key.startswith("mynumber"):  # keep its 確認記録: encrypted, nothing in clear in the store's files
                page.click("#record-open")
                page.fill("#r-transaction_type", "預貯金口座の開設")
                page.click("#record-submit")
                expect(page.locator("#record-saved")).to_be_visible()
                assert _scan(roots) == []
                assert any(p.is_file() for p in roots[1].rglob("*")), "the demo store should be under TMPDIR"
            page.click("#finish-bottom" if not key.startswith("mynumber") else "#finish-after-save")
            page.wait_for_url(re.compile(r"/$"))
        browser.close()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    # nothing about the visit on the console
    for secret in ("55021720352285", "2285", "1234", "5678", "AB12345678CD", YAMADA.name):
        assert not re.search(rf"(?<![0-9A-Za-z_-]){secret}(?![0-9A-Za-z_-])", out), secret
    assert _scan(roots) == []
    # The temporary trust anchors of the sample cards and the demo's record store are removed at exit.
    assert [p for p in roots[1].rglob("*")] == []


def test_the_scan_finds_planted_secrets_and_images(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("read ok 55021720352285\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.bin").write_bytes(b"xx" + IMAGE_MAGIC[0] + b"yy")
    (tmp_path / "c.txt").write_bytes(YAMADA.address.encode("shift_jis"))
    (tmp_path / "clean.txt").write_text("nothing here\n")
    found = _scan([tmp_path])
    assert len(found) == 3
    assert any("a.log" in f for f in found) and any("b.bin" in f for f in found) and any("c.txt" in f for f in found)
