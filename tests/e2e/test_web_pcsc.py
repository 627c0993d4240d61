"""The counter app on a real PC/SC reader: pcscd → vpcd → emulated card, with the app's CardWatcher source.

Reader listing, card insert/remove events, detection, a read, and a card pulled mid-read followed by a retry
that spends no try.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from taimen.emulator.card import VirtualCard
from taimen.emulator.vpcd import VpcdBridge
from taimen.testing.pcsc import pcsc_bridge
from taimen.web.app import Settings, State, create_app
from taimen.web.demo import load_catalog
from taimen.web.security import Guard
from taimen.web.sources import PcscSource

pytestmark = pytest.mark.pcsc
PORT = 18767
YAMADA = {"birth": "550217", "expiry_year": "2035", "security_code": "2285"}


def wait(cond, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def rig() -> Iterator[tuple[TestClient, Guard, VpcdBridge, VirtualCard]]:
    catalog = load_catalog(realtime=True)
    card = catalog.entries["mynumber-yamada"].card(True)
    guard = Guard(port=PORT)
    with pcsc_bridge(card) as bridge:
        source = PcscSource(match=lambda name: name == bridge.reader_name)
        app = create_app(Settings(port=PORT, guard=guard, sources=[source], trust_dirs=catalog.trust_dirs))
        with TestClient(app, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False) as c:
            assert c.get(f"/?code={guard.new_code()}").status_code == 303
            yield c, guard, bridge, card
    catalog.close()


def _st(c: TestClient) -> State:
    return c.app.state.taimen  # type: ignore[attr-defined,no-any-return]


def _b_tries(card: VirtualCard) -> list[int]:
    return [k.tries_left for a in card.applications for k in a.keys.values() if k.name == "照合番号B"]


def test_pcsc_reader_events_detection_and_read(rig) -> None:  # type: ignore[no-untyped-def]
    c, guard, bridge, _card = rig
    st = _st(c)
    wait(lambda: st.detected.get(bridge.reader_name) == ["mynumber"])
    readers = c.get("/api/readers").json()
    assert readers["readers"] == [{"name": bridge.reader_name, "kind": "pcsc", "card": True, "label": ""}]
    assert readers["selected"] == bridge.reader_name
    c.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    assert "残り10回" in c.get("/confirm").text
    r = c.post("/api/read", data=YAMADA, headers={"x-csrf-token": guard.csrf})
    assert r.status_code == 200, r.text
    assert "verdict-genuine" in c.get("/result").text
    bridge.remove()
    wait(lambda: c.get("/api/readers").json()["readers"][0]["card"] is False)
    assert bridge.reader_name not in st.detected
    bridge.insert()
    wait(lambda: st.detected.get(bridge.reader_name) == ["mynumber"])


def test_pcsc_card_pulled_mid_read_then_retry_spends_no_try(rig) -> None:  # type: ignore[no-untyped-def]
    c, guard, bridge, card = rig
    st = _st(c)
    wait(lambda: st.detected.get(bridge.reader_name) == ["mynumber"])
    c.post("/document", data={"csrf": guard.csrf, "document": "mynumber"})
    c.get("/confirm")

    def pull_after_verify() -> None:  # the customer takes the card away once the chip has accepted 照合番号B
        wait(lambda: bool(card.verified), 20.0)
        bridge.remove()

    puller = threading.Thread(target=pull_after_verify)
    puller.start()
    r = c.post("/api/read", data=YAMADA, headers={"x-csrf-token": guard.csrf})
    puller.join(20)
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["retry"] is True and body["error"]["kind"] in ("card_removed", "transport")
    assert "カード" in body["error"]["message"]
    assert st.session.result is None
    bridge.insert()
    wait(lambda: st.detected.get(bridge.reader_name) == ["mynumber"])
    assert [t["tries_left"] for t in c.get("/api/tries").json()["tries"]] == [10, 10]
    r = c.post("/api/read", data=YAMADA, headers={"x-csrf-token": guard.csrf})
    assert r.status_code == 200, r.text
    assert _b_tries(card) == [10, 10]


def test_demo_served_through_vpcd() -> None:
    """``taimen demo --vpcd``: the demo panel moves sample cards in and out of pcscd's Virtual PCD reader."""
    from taimen.testing.pcsc import pcscd_shared, vpcd_slot
    from taimen.web.vpcd_slot import VpcdSlot

    guard = Guard(port=PORT)
    with pcscd_shared(), vpcd_slot() as port:
        slot = VpcdSlot(port)
        catalog = load_catalog(slot, realtime=False)
        source = PcscSource(match=lambda name: name == slot.name)
        settings = Settings(port=PORT, guard=guard, sources=[source], demo=catalog, trust_dirs=catalog.trust_dirs)
        try:
            with TestClient(create_app(settings), base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False) as c:
                c.get(f"/?code={guard.new_code()}")
                st = _st(c)
                h = {"x-csrf-token": guard.csrf}
                assert c.post("/api/demo/place", data={"card": "license-yamada"}, headers=h).status_code == 200
                wait(lambda: st.detected.get(slot.name) == ["license"])
                assert c.get("/api/readers").json()["readers"][0]["kind"] == "pcsc"
                c.post("/api/demo/place", data={"card": "mynumber-yamada"}, headers=h)
                wait(lambda: st.detected.get(slot.name) == ["mynumber"])
                c.post("/document", data={"csrf": guard.csrf, "document": "auto"})
                c.get("/confirm")
                c.post("/api/demo/pull", data={"on": "1"}, headers=h)
                r = c.post("/api/read", data=YAMADA, headers=h)
                assert r.status_code == 409 and r.json()["retry"] is True
                c.post("/api/demo/put-back", headers=h)
                wait(lambda: st.detected.get(slot.name) == ["mynumber"])
                r = c.post("/api/read", data=YAMADA, headers=h)
                assert r.status_code == 200, r.text
                assert "verdict-genuine" in c.get("/result").text
                card = catalog.entries["mynumber-yamada"]._card
                assert card is not None and _b_tries(card) == [10, 10]
        finally:
            catalog.close()
