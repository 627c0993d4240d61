"""Reader sources for ``taimen serve``: PC/SC readers with hot-plug (CardWatcher), when pyscard is installed."""

from __future__ import annotations

import threading
from collections.abc import Callable

from taimen.core.conversation import Transport
from taimen.web.readers import Reader, ReaderInfo, ReaderSource


class PcscReader:
    kind = "pcsc"

    def __init__(self, name: str, source: PcscSource) -> None:
        self.name = name
        self._source = source

    def info(self) -> ReaderInfo:
        return ReaderInfo(self.name, self.kind, self._source.card_present(self.name))

    def connect(self) -> Transport:
        from taimen.transport.pcsc import PcscTransport

        return PcscTransport(self.name)


class PcscSource:
    """Readers and cards as pcscd reports them, followed by a ``CardWatcher`` (survives pcscd restarts)."""

    def __init__(self, match: Callable[[str], bool] | None = None) -> None:
        self.match = match
        self._cards: dict[str, bool] = {}
        self._lock = threading.Lock()
        self._watcher: object | None = None
        self._changed: Callable[[], None] = lambda: None
        self._card_event: Callable[[str, bool], None] = lambda name, present: None

    def start(self, changed: Callable[[], None], card_event: Callable[[str, bool], None]) -> None:
        from taimen.transport.monitor import CardWatcher

        self._changed, self._card_event = changed, card_event
        watcher = CardWatcher(self._on_event, match=self.match)
        self._watcher = watcher
        watcher.start()

    def _on_event(self, event: object) -> None:
        kind, name = getattr(event, "kind", ""), getattr(event, "reader", "")
        with self._lock:
            if kind == "reader_added":
                self._cards[name] = False
            elif kind == "reader_removed":
                self._cards.pop(name, None)
            elif kind in ("card_inserted", "card_removed"):
                self._cards[name] = kind == "card_inserted"
        if kind in ("card_inserted", "card_removed"):
            self._card_event(name, kind == "card_inserted")
        self._changed()

    def card_present(self, name: str) -> bool:
        with self._lock:
            return self._cards.get(name, False)

    def readers(self) -> list[Reader]:
        with self._lock:
            names = sorted(self._cards)
        return [PcscReader(n, self) for n in names]

    def stop(self) -> None:
        watcher = self._watcher
        if watcher is not None:
            watcher.stop()  # type: ignore[attr-defined]
            self._watcher = None


def pcsc_source(match: Callable[[str], bool] | None = None) -> ReaderSource | None:
    """A PC/SC source, or None when pyscard is not installed (pcscd itself may come and go)."""
    try:
        import smartcard.scard  # noqa: F401
    except ImportError:
        return None
    return PcscSource(match)
