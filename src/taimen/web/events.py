"""Events from reader threads to browsers: a thread-safe hub feeding one asyncio queue per SSE stream.

Events carry no personal data and no secrets: reader names, card presence, detected document keys and
read progress (step labels and counts) only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

HEARTBEAT_SECONDS = 15.0
QUEUE_SIZE = 256


@dataclass(frozen=True, slots=True)
class Event:
    kind: str  # "readers", "card", "detected", "progress", "read", "demo"
    data: dict[str, Any]

    def sse(self) -> bytes:
        payload = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        return f"event: {self.kind}\ndata: {payload}\n\n".encode()


class EventHub:
    """Fan-out of events to subscribers; ``publish`` may be called from any thread."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: set[asyncio.Queue[Event | None]] = set()
        self._lock = threading.Lock()
        self._closed = False

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._closed = False

    def publish(self, event_kind: str, /, **data: Any) -> None:
        loop = self._loop
        if loop is None or self._closed:
            return
        event = Event(event_kind, data)
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._deliver(event)
        else:
            with contextlib.suppress(RuntimeError):  # loop already closed at shutdown
                loop.call_soon_threadsafe(self._deliver, event)

    def _deliver(self, event: Event | None) -> None:
        with self._lock:
            queues = list(self._subscribers)
        for q in queues:
            if q.full():  # a stalled browser must not grow memory; it resyncs from the next snapshot
                with contextlib.suppress(asyncio.QueueEmpty):
                    q.get_nowait()
            q.put_nowait(event)

    def close(self) -> None:
        """End every stream (at shutdown)."""
        self._closed = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._deliver, None)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscribers)

    async def stream(self, first: list[Event]) -> AsyncIterator[bytes]:
        """Server-sent events: ``first`` (the current state), then live events, with heartbeats."""
        q: asyncio.Queue[Event | None] = asyncio.Queue(QUEUE_SIZE)
        with self._lock:
            self._subscribers.add(q)
        try:
            yield b"retry: 2000\n\n"
            for ev in first:
                yield ev.sse()
            while not self._closed:
                try:
                    ev = await asyncio.wait_for(q.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield b": ping\n\n"
                    continue
                if ev is None:
                    break
                yield ev.sse()
        finally:
            with self._lock:
                self._subscribers.discard(q)
