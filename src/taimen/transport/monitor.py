"""Watch readers and cards: a watchdog thread that survives pcscd restarts and readers being unplugged.

pyscard's ``CardMonitor`` keeps one context for its whole life and its thread dies (or goes stale) when pcscd
restarts or the last reader leaves (pyscard issues #23, #82, #128, #153). ``CardWatcher`` owns its context,
waits with ``SCardGetStatusChange`` (bounded timeout, woken early by ``SCardCancel`` on stop) and, on any
service-level error, reports every known reader and card as gone, drops the context and builds a new one with
backoff. When pcscd is back, the readers and cards are reported again as added and inserted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from taimen.transport.pcsc import E_TIMEOUT, MASK, S_SUCCESS, describe

log = logging.getLogger(__name__)

PNP_READER = "\\\\?PnP?\\Notification"
E_CANCELLED = 0x80100002
E_UNKNOWN_READER = 0x80100009

EventKind = Literal["reader_added", "reader_removed", "card_inserted", "card_removed", "service_lost"]


@dataclass(frozen=True, slots=True)
class WatchEvent:
    kind: EventKind
    reader: str = ""
    atr: bytes = b""
    detail: str = ""


class _Rebuild(Exception):
    """The context is unusable (pcscd gone or restarted): start over with a new one."""


class CardWatcher:
    """Calls ``callback(WatchEvent)`` from its own thread for reader and card changes.

    ``match`` limits the readers watched (e.g. one vpcd slot). ``wait_ms`` bounds each status wait; ``retry``
    is the first delay before building a context again (doubling up to ``max_retry``).
    """

    def __init__(
        self,
        callback: Callable[[WatchEvent], None],
        *,
        match: Callable[[str], bool] | None = None,
        wait_ms: int = 1000,
        retry: float = 0.1,
        max_retry: float = 2.0,
    ) -> None:
        from smartcard import scard

        self._sc = scard
        self.callback = callback
        self.match = match
        self.wait_ms = wait_ms
        self.retry = retry
        self.max_retry = max_retry
        #: Reader name → ATR of the card in it (None: no card). Only touched by the watcher thread.
        self._readers: dict[str, bytes | None] = {}
        self._states: dict[str, int] = {}
        self._service_up = True
        self._stop = threading.Event()
        self._context_lock = threading.Lock()
        self._context: int | None = None
        self._thread: threading.Thread | None = None
        #: Contexts built so far (more than one means the watcher recovered from a lost service).
        self.contexts = 0

    # --- life cycle -------------------------------------------------------------------------------------

    def start(self) -> CardWatcher:
        if self._thread is not None:
            raise RuntimeError("watcher already started")
        self._thread = threading.Thread(target=self._run, name="taimen-card-watcher", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._context_lock:
            if self._context is not None:
                self._sc.SCardCancel(self._context)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> CardWatcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the watchdog loop ------------------------------------------------------------------------------

    def _run(self) -> None:
        delay = self.retry
        while not self._stop.is_set():
            context = self._establish()
            if context is None:
                self._lost("cannot reach the PC/SC service")
                self._stop.wait(delay)
                delay = min(delay * 2, self.max_retry)
                continue
            delay = self.retry
            try:
                self._watch(context)
            except _Rebuild as exc:
                self._lost(str(exc))
                self._stop.wait(delay)
            except Exception:  # never let the watchdog die: log, rebuild, carry on
                log.exception("card watcher failed; rebuilding its PC/SC context")
                self._lost("unexpected error")
                self._stop.wait(delay)
            finally:
                with self._context_lock:
                    self._context = None
                self._sc.SCardReleaseContext(context)

    def _establish(self) -> int | None:
        sc = self._sc
        hresult, context = sc.SCardEstablishContext(sc.SCARD_SCOPE_USER)
        if hresult & MASK != S_SUCCESS:
            return None
        with self._context_lock:
            if self._stop.is_set():
                sc.SCardReleaseContext(context)
                return None
            self._context = context
        self.contexts += 1
        self._service_up = True
        return int(context)

    def _list(self, context: int) -> list[str]:
        sc = self._sc
        hresult, names = sc.SCardListReaders(context, [])
        code = hresult & MASK
        if code == 0x8010002E or (code == S_SUCCESS and not names):  # no readers
            return []
        if code != S_SUCCESS:
            raise _Rebuild(f"listing readers failed: {describe(code)}")
        return [n for n in names if self.match is None or self.match(n)]

    def _watch(self, context: int) -> None:
        sc = self._sc
        pnp_state = sc.SCARD_STATE_UNAWARE
        while not self._stop.is_set():
            names = self._list(context)
            self._sync_readers(names)
            query = [(n, self._states.get(n, sc.SCARD_STATE_UNAWARE)) for n in names]
            query.append((PNP_READER, pnp_state))
            hresult, states = sc.SCardGetStatusChange(context, self.wait_ms, query)
            code = hresult & MASK
            if code in (E_TIMEOUT, E_CANCELLED, E_UNKNOWN_READER):
                continue  # nothing changed / stopping / a reader left between list and wait
            if code != S_SUCCESS:
                raise _Rebuild(f"waiting for changes failed: {describe(code)}")
            for name, event, atr in states:
                if name == PNP_READER:
                    pnp_state = event & ~sc.SCARD_STATE_CHANGED
                    continue
                self._update(name, event, bytes(atr))

    def _sync_readers(self, names: list[str]) -> None:
        for name in [n for n in self._readers if n not in names]:
            self._forget(name, "reader removed")
        for name in names:
            if name not in self._readers:
                self._readers[name] = None
                self._emit(WatchEvent("reader_added", name))

    def _update(self, name: str, event: int, atr: bytes) -> None:
        sc = self._sc
        if name not in self._readers:
            return
        if event & (sc.SCARD_STATE_UNKNOWN | sc.SCARD_STATE_IGNORE):
            self._forget(name, "reader removed")
            return
        previous = self._states.get(name)
        self._states[name] = event & ~sc.SCARD_STATE_CHANGED
        present = bool(event & sc.SCARD_STATE_PRESENT) and not event & sc.SCARD_STATE_MUTE
        known = self._readers[name]
        # The upper 16 bits count card events: a change while present twice means out and in again.
        swapped = previous is not None and (previous >> 16) != (event >> 16) and known is not None and present
        if known is not None and (not present or atr != known or swapped):
            self._readers[name] = None
            self._emit(WatchEvent("card_removed", name, known))
        if present and self._readers[name] is None:
            self._readers[name] = atr
            self._emit(WatchEvent("card_inserted", name, atr))

    def _forget(self, name: str, detail: str) -> None:
        atr = self._readers.pop(name, None)
        self._states.pop(name, None)
        if atr is not None:
            self._emit(WatchEvent("card_removed", name, atr, detail))
        self._emit(WatchEvent("reader_removed", name, detail=detail))

    def _lost(self, detail: str) -> None:
        for name in list(self._readers):
            self._forget(name, detail)
        if self._service_up:
            self._service_up = False
            self._emit(WatchEvent("service_lost", detail=detail))

    def _emit(self, event: WatchEvent) -> None:
        try:
            self.callback(event)
        except Exception:
            log.exception("card watcher callback failed on %s", event)
