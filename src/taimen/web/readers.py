"""Readers the app can use, behind the ``Transport`` abstraction: PC/SC readers and the demo's virtual reader.

The manager keeps the list current, publishes reader and card events to the ``EventHub`` (→ SSE), and
serialises card access: one conversation with a card at a time (detection or a read), in a worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from taimen.core.apdu import Command, Response
from taimen.core.conversation import Transport
from taimen.emulator.card import VirtualCard
from taimen.errors import TransportError
from taimen.transport.inprocess import InProcessTransport
from taimen.web.events import EventHub


@dataclass(frozen=True, slots=True)
class ReaderInfo:
    name: str
    kind: str  # "pcsc" | "demo"
    card_present: bool
    label: str = ""  # demo: which sample card is on the reader

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "card": self.card_present, "label": self.label}


class Reader(Protocol):
    name: str
    kind: str

    def info(self) -> ReaderInfo: ...

    def connect(self) -> Transport: ...


class ReaderSource(Protocol):
    """Supplies readers and reports changes (hot-plug, card insert/remove) through ``changed``."""

    def start(self, changed: Callable[[], None], card_event: Callable[[str, bool], None]) -> None: ...

    def readers(self) -> list[Reader]: ...

    def stop(self) -> None: ...


# --- the demo's virtual reader -------------------------------------------------------------------------


class VirtualReader:
    """A reader slot holding at most one ``VirtualCard``; cards are placed and pulled from the demo panel."""

    kind = "demo"

    def __init__(self, name: str = "taimen デモリーダー (virtual)", *, reader_extended: bool = True) -> None:
        self.name = name
        self.reader_extended = reader_extended
        self._card: VirtualCard | None = None
        self._label = ""
        self._lock = threading.Lock()
        self._notify: Callable[[str, bool], None] | None = None
        #: Demo of a card pulled mid-read: leave the field shortly after the next successful VERIFY.
        self.pull_during_next_read = False

    def info(self) -> ReaderInfo:
        with self._lock:
            present = self._card is not None and self._card.present
            return ReaderInfo(self.name, self.kind, present, self._label if present else "")

    @property
    def card(self) -> VirtualCard | None:
        return self._card

    def insert(self, card: VirtualCard, label: str = "") -> None:
        """Place ``card``; a card already on the reader leaves first (and that is reported)."""
        self.remove()
        with self._lock:
            self._card = card
            self._label = label
            card.insert()
        self._fire(True)

    def remove(self) -> None:
        with self._lock:
            had = self._card is not None and self._card.present
            if self._card is not None:
                self._card.remove()
        if had:
            self._fire(False)

    def put_back(self) -> None:
        """Place the last card on the reader again (after it was pulled)."""
        with self._lock:
            card = self._card
            if card is None or card.present:
                return
            card.insert()
        self._fire(True)

    def _fire(self, present: bool) -> None:
        if self._notify is not None:
            self._notify(self.name, present)

    def connect(self) -> Transport:
        with self._lock:
            card = self._card
            if card is None or not card.present:
                raise TransportError("no card on the virtual reader", message_ja="カードが置かれていません。")
            transport: Transport = InProcessTransport(card, reader_extended=self.reader_extended, name=self.name)
            if self.pull_during_next_read:
                transport = _PullAfterVerify(transport, self)
        return transport


class _PullAfterVerify:
    """Pulls the virtual card two exchanges after a VERIFY carrying a value succeeded (demo and tests)."""

    def __init__(self, inner: Transport, reader: VirtualReader) -> None:
        self.inner = inner
        self.reader = reader
        self.name = inner.name
        self._countdown: int | None = None

    def transmit(self, command: Command) -> Response:
        if self._countdown == 0:
            self._countdown = None
            self.reader.remove()
        response = self.inner.transmit(command)
        if self._countdown is not None:
            self._countdown -= 1
        elif command.ins == 0x20 and command.data and response.sw == 0x9000 and self.reader.pull_during_next_read:
            self.reader.pull_during_next_read = False  # one-shot, and only a read (with a VERIFY) consumes it
            self._countdown = 2
        return response

    def close(self) -> None:
        self.inner.close()


class VirtualSource:
    """A ``ReaderSource`` with one virtual reader."""

    def __init__(self, reader: VirtualReader | None = None) -> None:
        self.reader = reader or VirtualReader()

    def start(self, changed: Callable[[], None], card_event: Callable[[str, bool], None]) -> None:
        def notify(name: str, present: bool) -> None:
            card_event(name, present)
            changed()

        self.reader._notify = notify

    def readers(self) -> list[Reader]:
        return [self.reader]

    def stop(self) -> None:
        self.reader._notify = None


# --- the manager ---------------------------------------------------------------------------------------


class ReaderManager:
    def __init__(self, hub: EventHub, sources: list[ReaderSource]) -> None:
        self.hub = hub
        self.sources = sources
        self.selected: str | None = None
        #: One card conversation at a time, across all readers (a read and a detection never interleave).
        self.card_lock = threading.Lock()
        #: Called (in the source's thread) when a card arrives on a reader: the app runs detection.
        self.on_card_inserted: Callable[[str], None] | None = None
        self.on_card_removed: Callable[[str], None] | None = None

    def start(self) -> None:
        for s in self.sources:
            s.start(self._changed, self._card_event)

    def stop(self) -> None:
        for s in self.sources:
            s.stop()

    def _changed(self) -> None:
        self.hub.publish("readers", readers=[r.to_json() for r in self.infos()], selected=self.current_name())

    def _card_event(self, name: str, present: bool) -> None:
        self.hub.publish("card", reader=name, present=present)
        callback = self.on_card_inserted if present else self.on_card_removed
        if callback is not None:
            callback(name)

    def all(self) -> list[Reader]:
        return [r for s in self.sources for r in s.readers()]

    def infos(self) -> list[ReaderInfo]:
        return [r.info() for r in self.all()]

    def select(self, name: str) -> None:
        if name not in {r.name for r in self.all()}:
            raise KeyError(name)
        self.selected = name
        self._changed()

    def current(self) -> Reader | None:
        """The selected reader; else the only reader, or the only one with a card."""
        readers = self.all()
        if self.selected is not None:
            for r in readers:
                if r.name == self.selected:
                    return r
        if len(readers) == 1:
            return readers[0]
        with_card = [r for r in readers if r.info().card_present]
        return with_card[0] if len(with_card) == 1 else None

    def current_name(self) -> str | None:
        r = self.current()
        return r.name if r is not None else None

    @contextmanager
    def session(self, reader: Reader | None = None) -> Iterator[Transport]:
        """Exclusive use of a reader's card for one conversation; closes the transport afterwards."""
        r = reader or self.current()
        if r is None:
            raise TransportError(
                "no reader selected", message_ja="カードリーダーが選択されていません。リーダーを選んでください。"
            )
        with self.card_lock:
            transport = r.connect()
            try:
                yield transport
            finally:
                transport.close()
