"""Fixtures for the web app: an app on the demo's virtual reader, a client that holds a session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from taimen.emulator.card import DedicatedFile, ElementaryFile, VirtualCard
from taimen.web.app import Settings, create_app
from taimen.web.demo import DemoCatalog
from taimen.web.readers import VirtualReader, VirtualSource
from taimen.web.security import Guard

PORT = 18765


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
