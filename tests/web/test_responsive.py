"""One bad request must not freeze the app (issue 13, item 14): with a 20 KB unlock value being checked, other
pages and the event stream keep answering. Runs the real server (uvicorn) in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from taimen.web.app import Settings
from taimen.web.demo import DemoCatalog, load_catalog
from taimen.web.readers import VirtualSource
from taimen.web.server import Running, running_in_thread

pytest.importorskip("taimen.samples.mynumber_cards")

#: 20 KB that made the old birth-date pattern backtrack for seconds (quadratic in the length).
HOSTILE_BIRTH = "x" + "1 " * 10_000 + "\nx"


@pytest.fixture
def server() -> Iterator[tuple[Running, DemoCatalog]]:
    catalog = load_catalog(realtime=False)

    def settings(port: int) -> Settings:
        return Settings(port=port, sources=[VirtualSource(catalog.reader)], demo=catalog, trust_dirs=catalog.trust_dirs)

    with running_in_thread(settings) as run:
        yield run, catalog
    catalog.close()


def _client(run: Running) -> httpx.Client:
    c = httpx.Client(base_url=run.origin, timeout=30)
    assert c.get(run.launch_url()).status_code == 303
    return c


def test_a_hostile_unlock_value_does_not_block_other_requests(server: tuple[Running, DemoCatalog]) -> None:
    run, _catalog = server
    c = _client(run)
    h = {"x-csrf-token": run.guard.csrf}
    assert c.post("/api/demo/place", data={"card": "mynumber-yamada"}, headers=h).status_code == 200
    c.post("/document", data={"csrf": run.guard.csrf, "document": "mynumber"})

    answered: list[int] = []

    def hostile() -> None:
        for _ in range(3):
            form = {"birth": HOSTILE_BIRTH, "expiry_year": "2035", "security_code": "2285"}
            answered.append(c.post("/api/read", data=form, headers=h).status_code)

    other = _client(run)
    worker = threading.Thread(target=hostile)
    worker.start()
    slowest = 0.0
    with other.stream("GET", "/events") as events:
        assert events.status_code == 200
        while worker.is_alive():
            started = time.perf_counter()
            assert other.get("/api/state").status_code == 200
            slowest = max(slowest, time.perf_counter() - started)
    worker.join()
    assert answered == [400, 400, 400]  # refused as malformed, nothing sent to the card
    assert slowest < 0.5, f"the app stopped answering for {slowest:.2f} s"
