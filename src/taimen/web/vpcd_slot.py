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
        self._pull_countdown: int | None = None

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
        bridge = VpcdBridge(card, port=self.port, after_exchange=self._after_exchange).start()
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

    def _after_exchange(self, command: bytes, answer: bytes) -> bool:
        # "Pull the card during the next read": two exchanges after a VERIFY carrying a value succeeded (as the
        # in-process reader does), decided in the bridge's own thread so no read can outrun it.
        if self._pull_countdown is not None:
            self._pull_countdown -= 1
            if self._pull_countdown <= 0:
                self._pull_countdown = None
                return True
            return False
        is_verify = len(command) > 5 and command[1] == 0x20 and answer[-2:] == b"\x90\x00"
        if is_verify and self.pull_during_next_read:
            self.pull_during_next_read = False  # one-shot, consumed only by a read that sends a VERIFY
            self._pull_countdown = 2
        return False

    def close(self) -> None:
        with self._lock:
            bridge, self._bridge = self._bridge, None
        if bridge is not None:
            bridge.stop()
