"""Readers and live events: the virtual reader, insert/remove, SSE to the browser, a card pulled mid-read."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator

import httpx
import pytest

from taimen.core.apdu import verify, verify_query
from taimen.emulator.card import DedicatedFile, ElementaryFile, KeyRef, VirtualCard
from taimen.errors import CardRemovedError, TransportError
from taimen.web.app import Settings
from taimen.web.events import EventHub
from taimen.web.readers import ReaderManager, VirtualReader, VirtualSource
from taimen.web.server import running_in_thread

from .conftest import plain_card


def _card_with_pin() -> VirtualCard:
    mf = DedicatedFile("MF")
    mf.add_key(KeyRef(0x0011, b"1234", tries_left=3, max_tries=3, sfi=1))
    mf.add_file(ElementaryFile(0x0001, b"data" * 4, read=(("0011",),)))
    return VirtualCard(mf)


def test_virtual_reader_insert_remove_and_connect() -> None:
    r = VirtualReader()
    events: list[tuple[str, bool]] = []
    src = VirtualSource(r)
    src.start(lambda: None, lambda name, present: events.append((name, present)))
    assert not r.info().card_present
    with pytest.raises(TransportError):
        r.connect()
    card = plain_card()
    r.insert(card, "見本")
    assert r.info().card_present and r.info().label == "見本"
    t = r.connect()
    assert t.transmit(verify_query(0x80)).sw != 0  # the card answers
    r.remove()
    with pytest.raises(CardRemovedError):
        t.transmit(verify_query(0x80))
    r.put_back()
    assert r.info().card_present
    other = plain_card()
    r.insert(other)  # swapping cards: the first one leaves, then the other arrives
    assert not card.present and other.present
    assert events == [(r.name, True), (r.name, False), (r.name, True), (r.name, False), (r.name, True)]


def test_pull_during_read_fires_after_a_successful_verify_and_spends_no_try() -> None:
    r = VirtualReader()
    card = _card_with_pin()
    r.insert(card)
    r.pull_during_next_read = True
    probe = r.connect()  # detection or a tries query does not consume the demo's pull
    assert probe.transmit(verify_query(0x81)).sw == 0x63C3
    probe.close()
    assert r.pull_during_next_read
    t = r.connect()
    assert t.transmit(verify_query(0x81)).sw == 0x63C3
    assert t.transmit(verify(b"1234", 0x81)).sw == 0x9000
    assert not r.pull_during_next_read  # one-shot
    t.transmit(verify_query(0x81))
    t.transmit(verify_query(0x81))
    with pytest.raises(CardRemovedError):
        t.transmit(verify_query(0x81))
    assert not r.info().card_present
    r.put_back()
    t2 = r.connect()
    assert t2.transmit(verify_query(0x81)).sw == 0x63C3  # the counter is full again: nothing was spent


def test_manager_current_reader_and_exclusive_sessions() -> None:
    hub = EventHub()
    a, b = VirtualReader("A"), VirtualReader("B")
    m = ReaderManager(hub, [VirtualSource(a), VirtualSource(b)])
    m.start()
    assert m.current() is None  # two readers, no card: the clerk must choose
    b.insert(plain_card())
    assert m.current() is b  # the only one with a card
    m.select("A")
    assert m.current() is a
    with pytest.raises(KeyError):
        m.select("C")
    with pytest.raises(TransportError), m.session():
        pass
    m.select("B")
    entered = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first() -> None:
        with m.session():
            entered.set()
            release.wait(5)
            order.append("first")

    th = threading.Thread(target=first)
    th.start()
    entered.wait(5)

    def second() -> None:
        with m.session():
            order.append("second")

    th2 = threading.Thread(target=second)
    th2.start()
    release.set()
    th.join(5)
    th2.join(5)
    assert order == ["first", "second"]


# --- server-sent events through a real server -----------------------------------------------------------


@pytest.fixture
def live() -> Iterator[tuple[str, httpx.Client, VirtualReader]]:
    reader = VirtualReader()

    def settings(port: int) -> Settings:
        return Settings(port=port, sources=[VirtualSource(reader)])

    with running_in_thread(settings) as run, httpx.Client(follow_redirects=False, timeout=10) as c:
        assert c.get(run.launch_url()).status_code == 303
        yield run.origin, c, reader


def _events(client: httpx.Client, base: str, out: queue.Queue[tuple[str, dict[str, object]]]) -> None:
    with client.stream("GET", base + "/events") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["cache-control"].startswith("no-store")
        kind = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: ") and kind:
                out.put((kind, json.loads(line[6:])))
                if kind == "finished":
                    return


_backlog: list[tuple[str, dict[str, object]]] = []


def _next(q: queue.Queue[tuple[str, dict[str, object]]], kind: str) -> dict[str, object]:
    """The next event of ``kind``; events of other kinds are kept (their order across kinds may vary)."""
    for i, (k, data) in enumerate(_backlog):
        if k == kind:
            del _backlog[i]
            return data
    while True:
        k, data = q.get(timeout=5)
        if k == kind:
            return data
        _backlog.append((k, data))


def test_sse_streams_reader_and_card_events(live) -> None:  # type: ignore[no-untyped-def]
    base, client, reader = live
    q: queue.Queue[tuple[str, dict[str, object]]] = queue.Queue()
    _backlog.clear()
    th = threading.Thread(target=_events, args=(client, base, q), daemon=True)
    th.start()
    first = _next(q, "readers")
    assert first["readers"] == [{"name": reader.name, "kind": "demo", "card": False, "label": ""}]
    reader.insert(plain_card(), "sample")
    assert _next(q, "card") == {"reader": reader.name, "present": True}
    assert _next(q, "readers")["readers"][0]["card"] is True  # type: ignore[index]
    detected = _next(q, "detected")  # detection ran on the plain card: no known document
    assert detected == {"reader": reader.name, "documents": [], "present": True}
    reader.remove()
    assert _next(q, "card") == {"reader": reader.name, "present": False}
    csrf = client.get(base + "/").text.split('name="csrf-token" content="')[1].split('"')[0]
    assert client.post(base + "/finish", headers={"x-csrf-token": csrf}).status_code == 200
    _next(q, "finished")
    th.join(5)


def test_sse_needs_a_session(live) -> None:  # type: ignore[no-untyped-def]
    base, _client, _reader = live
    assert httpx.get(base + "/events", timeout=5).status_code == 403


def test_pcsc_source_follows_watcher_events_for_hot_plug() -> None:
    """Reader hot-plug and card events as CardWatcher reports them become the app's reader list and events."""
    from taimen.transport.monitor import WatchEvent
    from taimen.web.sources import PcscSource

    src = PcscSource()
    changes: list[int] = []
    cards: list[tuple[str, bool]] = []
    src._changed = lambda: changes.append(1)
    src._card_event = lambda name, present: cards.append((name, present))
    src._on_event(WatchEvent("reader_added", "ACS ACR1252 00 00"))
    src._on_event(WatchEvent("reader_added", "SONY RC-S300 01 00"))
    assert [r.info().to_json() for r in src.readers()] == [
        {"name": "ACS ACR1252 00 00", "kind": "pcsc", "card": False, "label": ""},
        {"name": "SONY RC-S300 01 00", "kind": "pcsc", "card": False, "label": ""},
    ]
    src._on_event(WatchEvent("card_inserted", "SONY RC-S300 01 00", b"\x3b\x88"))
    assert src.card_present("SONY RC-S300 01 00") and cards == [("SONY RC-S300 01 00", True)]
    src._on_event(WatchEvent("card_removed", "SONY RC-S300 01 00"))
    src._on_event(WatchEvent("reader_removed", "ACS ACR1252 00 00"))  # unplugged
    assert [r.name for r in src.readers()] == ["SONY RC-S300 01 00"]
    assert cards[-1] == ("SONY RC-S300 01 00", False) and len(changes) == 5
