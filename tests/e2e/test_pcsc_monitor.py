"""CardWatcher against the real pcscd: insert/remove through vpcd, and pcscd killed under it."""

from __future__ import annotations

import os
import queue
import signal

import pytest

from taimen.core import apdu
from taimen.testing import pcscd
from taimen.testing.pcsc import exclusive_pcscd, pcsc_bridge
from taimen.transport.monitor import CardWatcher, WatchEvent
from taimen.transport.pcsc import PcscTransport

from .cards import AID, build_card

pytestmark = pytest.mark.pcsc


class Events:
    def __init__(self) -> None:
        self.queue: queue.Queue[WatchEvent] = queue.Queue()
        self.seen: list[WatchEvent] = []

    def __call__(self, event: WatchEvent) -> None:
        self.queue.put(event)

    def expect(self, kind: str, timeout: float = 10.0) -> WatchEvent:
        """The next event of ``kind`` (events of other kinds before it are kept in ``seen``)."""
        while True:
            try:
                event = self.queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no {kind} event within {timeout} s; saw {self.seen}") from None
            self.seen.append(event)
            if event.kind == kind:
                return event


def test_watcher_reports_insert_and_remove() -> None:
    card = build_card()
    events = Events()
    with pcsc_bridge(card) as bridge, CardWatcher(events, match=lambda name: name == bridge.reader_name) as watcher:
        assert events.expect("reader_added").reader == bridge.reader_name
        first = events.expect("card_inserted")
        assert (first.reader, first.atr) == (bridge.reader_name, card.atr)
        for _ in range(2):
            bridge.remove()
            assert events.expect("card_removed").atr == card.atr
            bridge.insert()
            assert events.expect("card_inserted").atr == card.atr
        assert watcher.alive
    assert not watcher.alive  # stopped cleanly on exit
    assert [e.kind for e in events.seen].count("service_lost") == 0


@pytest.mark.parametrize("how", ["restart", "kill -9"])
def test_watcher_survives_pcscd_restart(how: str) -> None:
    card = build_card()
    events = Events()
    with (
        exclusive_pcscd(),
        pcsc_bridge(card) as bridge,
        CardWatcher(events, match=lambda name: name == bridge.reader_name) as watcher,
    ):
        events.expect("card_inserted")
        old = pcscd.pid()
        assert old is not None
        if how == "restart":
            pcscd.restart()
        else:
            os.kill(old, signal.SIGKILL)
        assert events.expect("card_removed").reader == bridge.reader_name
        assert events.expect("reader_removed").reader == bridge.reader_name
        events.expect("service_lost")
        if how != "restart":
            pcscd.ensure_running()
        assert pcscd.pid() not in (None, old)
        assert events.expect("reader_added").reader == bridge.reader_name
        again = events.expect("card_inserted")  # the bridge reconnected to the new vpcd
        assert again.atr == card.atr
        assert watcher.alive and watcher.contexts >= 2
        with PcscTransport(bridge.reader_name) as transport:
            assert transport.transmit(apdu.select_aid(AID)).sw == 0x9000
        bridge.remove()
        events.expect("card_removed")
        bridge.insert()
        events.expect("card_inserted")
