"""The demo's cards served through vsmartcard's vpcd, so pcscd (and every PC/SC program) sees them.

``taimen demo --vpcd`` places the sample cards in the "Virtual PCD" reader instead of the in-process virtual
reader; the app then reads them like any card on a real reader (PcscTransport, CardWatcher events).
"""

from __future__ import annotations

import threading

from taimen.emulator.card import VirtualCard
from taimen.emulator.vpcd import VPCD_PORT, VpcdBridge, reader_name_for_port
from taimen.web.readers import ReaderInfo


class VpcdSlot:
    """One vpcd slot holding the demo's current card; same controls as ``VirtualReader``."""

    kind = "pcsc"

    def __init__(self, port: int = VPCD_PORT) -> None:
        self.port = port
        self.name = reader_name_for_port(port)
        self.pull_during_next_read = False
        self._bridge: VpcdBridge | None = None
        self._card: VirtualCard | None = None
        self._label = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._puller = threading.Thread(target=self._pull_watch, name="taimen-demo-pull", daemon=True)
        self._puller.start()

    def info(self) -> ReaderInfo:
        with self._lock:
            present = self._card is not None and self._card.present
            return ReaderInfo(self.name, self.kind, present, self._label if present else "")

    def insert(self, card: VirtualCard, label: str = "") -> None:
        with self._lock:
            old = self._bridge
            self._bridge = None
        if old is not None:
            old.stop()  # the previous card leaves the reader
        card.insert()
        bridge = VpcdBridge(card, port=self.port).start()
        with self._lock:
            self._bridge, self._card, self._label = bridge, card, label

    def remove(self) -> None:
        with self._lock:
            bridge = self._bridge
        if bridge is not None:
            bridge.remove()

    def put_back(self) -> None:
        with self._lock:
            bridge = self._bridge
        if bridge is not None:
            bridge.insert()

    def _pull_watch(self) -> None:
        # "Pull the card during the next read": leave the field once the chip has accepted a value.
        while not self._stop.wait(0.01):
            with self._lock:
                card, armed = self._card, self.pull_during_next_read
            if armed and card is not None and card.present and card.verified:
                self.pull_during_next_read = False
                self.remove()

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            bridge, self._bridge = self._bridge, None
        if bridge is not None:
            bridge.stop()
