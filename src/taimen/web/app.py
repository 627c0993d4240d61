"""The counter application: ``create_app(settings)`` builds the FastAPI app for one run.

Flow: document → card face (camera, upload or typed) → confirm the unlock values with the remaining tries →
read (worker thread, progress over SSE) → result → 「終了」 wipes everything. Secrets typed for the read live
only in the request that performs it (taimen.web.reading).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from taimen import documents
from taimen.errors import CardError, TaimenError
from taimen.web import capture, demo_routes, pages, reading, records_routes
from taimen.web.context import HERE, Settings, State
from taimen.web.events import EventHub
from taimen.web.operators import OperatorGate, OperatorSessions
from taimen.web.readers import ReaderManager
from taimen.web.security import Guard, SecurityMiddleware
from taimen.web.session import CheckSession

__all__ = ["Settings", "State", "create_app"]

log = logging.getLogger("taimen.web")


def create_app(settings: Settings) -> FastAPI:
    guard = settings.guard or Guard(port=settings.port)
    hub = EventHub()
    manager = ReaderManager(hub, settings.sources)
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    state = State(settings, guard, hub, manager, CheckSession(), env, operators=OperatorSessions(port=guard.port))

    def detect(reader_name: str) -> None:
        threading.Thread(target=_detect, args=(state, reader_name), name="taimen-detect", daemon=True).start()

    def removed(reader_name: str) -> None:
        state.detected.pop(reader_name, None)
        hub.publish("detected", reader=reader_name, documents=[], present=False)

    state.detect = detect
    manager.on_card_inserted = detect
    manager.on_card_removed = removed

    stop_delivery = threading.Event()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        manager.start()
        if getattr(settings.records, "deliver_queued", None) is not None:
            threading.Thread(
                target=_deliver_queued, args=(settings.records, stop_delivery), name="taimen-records-queue", daemon=True
            ).start()
        for info in manager.infos():  # cards already on a reader at start
            if info.card_present:
                detect(info.name)
        try:
            yield
        finally:
            stop_delivery.set()
            hub.close()
            manager.stop()
            state.session.wipe()
            state.operators.end_all()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.taimen = state
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (pages, capture, reading, demo_routes, records_routes):
        app.include_router(module.router)
    # Inside the security middleware: token, Host and CSRF are checked before anyone is asked to sign in.
    app.add_middleware(OperatorGate, sessions=state.operators, enabled=lambda: settings.records is not None)
    app.add_middleware(SecurityMiddleware, guard=guard)
    return app


#: How often records queued while the central store was unreachable are sent again.
DELIVERY_SECONDS = 30.0


def _deliver_queued(store: object, stop: threading.Event) -> None:
    """Sends the records queued locally (central store unreachable) once it is back; the store does it once."""
    while not stop.wait(DELIVERY_SECONDS):
        try:
            if getattr(store, "queued", lambda: 1)():
                store.deliver_queued()  # type: ignore[attr-defined]
        except Exception as exc:  # still unreachable: try again later; the message may name the server only
            log.info("queued records not delivered yet: %s", type(exc).__name__)


def _detect(state: State, reader_name: str) -> None:
    """Which documents the card on ``reader_name`` is (SELECT of each document's AIDs); nothing is read."""
    reader = next((r for r in state.readers.all() if r.name == reader_name), None)
    if reader is None:
        return
    found: list[str] = []
    try:
        with state.readers.session(reader) as transport:
            for key, doc in documents.registry().items():
                try:
                    if doc.detect(transport):
                        found.append(key)
                except CardError:
                    continue
    except TaimenError:
        return  # card gone again, or reader busy elsewhere: no detection result
    except Exception as exc:  # a broken reader must not kill the app; the message could quote card data
        log.error("detection failed unexpectedly: %s", type(exc).__name__)
        return
    state.detected[reader_name] = found
    state.hub.publish("detected", reader=reader_name, documents=found, present=True)
