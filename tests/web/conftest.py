"""Fixtures for the web app: an app on the demo's virtual reader, a client that holds a session."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from starlette.testclient import TestClient

from taimen.emulator.card import DedicatedFile, ElementaryFile, VirtualCard
from taimen.web.app import Settings, create_app
from taimen.web.demo import DemoCatalog
from taimen.web.readers import VirtualReader, VirtualSource
from taimen.web.security import Guard

PORT = 18765

#: Debian's chromium, driven by Playwright in the browser tests (test_browser*.py, test_records_browser.py).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@contextmanager
def chromium(*extra_args: str) -> Iterator[Any]:
    """A headless Debian chromium for one test module (the browser fixtures' common part)."""
    from playwright import sync_api

    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args])
        yield b
        b.close()


@contextmanager
def watched_page(browser: Any, url: str, *, camera_origin: str | None = None, **context: Any) -> Iterator[Any]:
    """A page at ``url`` in a fresh context; fails the test on a CSP violation or an uncaught script error."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="ja-JP", **context)
    if camera_origin:
        ctx.grant_permissions(["camera"], origin=camera_origin)
    p = ctx.new_page()
    errors: list[str] = []
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.goto(url)
    yield p
    ctx.close()
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors


def plain_card() -> VirtualCard:
    """An ISO 7816 card with one free EF: enough to exercise readers, not a document."""
    mf = DedicatedFile("MF")
    mf.add_file(ElementaryFile(0x0001, b"\x00" * 8))
    return VirtualCard(mf)


@pytest.fixture
def guard() -> Guard:
    return Guard(port=PORT)


@pytest.fixture
def reader() -> VirtualReader:
    return VirtualReader()


@pytest.fixture
def app(guard: Guard, reader: VirtualReader):  # type: ignore[no-untyped-def]
    settings = Settings(port=PORT, guard=guard, sources=[VirtualSource(reader)], demo=DemoCatalog([], reader))
    return create_app(settings)


@pytest.fixture
def anon(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A client without a session."""
    with TestClient(app, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False) as c:
        yield c


@pytest.fixture
def client(app, guard: Guard) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A client that opened a launch URL (so it holds a session cookie)."""
    with TestClient(app, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False) as c:
        r = c.get(f"/?code={guard.new_code()}")
        assert r.status_code == 303
        yield c


# --- the demo flow through the API (test_flow_api.py, test_residence_flow.py) -------------------------------


@contextmanager
def demo_client(catalog: DemoCatalog, guard: Guard, port: int) -> Iterator[TestClient]:
    """A client of an app on the demo catalog's reader, past the launch code."""
    settings = Settings(
        port=port, guard=guard, sources=[VirtualSource(catalog.reader)], demo=catalog, trust_dirs=catalog.trust_dirs
    )
    with TestClient(create_app(settings), base_url=f"http://127.0.0.1:{port}", follow_redirects=False) as c:
        assert c.get(f"/?code={guard.new_code()}").status_code == 303
        yield c


def app_state(c: TestClient) -> Any:
    return c.app.state.taimen  # type: ignore[attr-defined]


def csrf_headers(guard: Guard) -> dict[str, str]:
    return {"x-csrf-token": guard.csrf}


def place_demo_card(c: TestClient, guard: Guard, key: str) -> VirtualCard:
    """Put a demo card on the reader and wait until it is detected; its APDU log starts empty."""
    r = c.post("/api/demo/place", data={"card": key}, headers=csrf_headers(guard))
    assert r.status_code == 200, r.text
    st = app_state(c)
    name = st.readers.current_name()
    for _ in range(500):  # detection runs in a worker thread
        if name in st.detected:
            break
        time.sleep(0.01)
    card = st.settings.demo.entries[key]._card
    assert card is not None
    card.log = []
    return card
