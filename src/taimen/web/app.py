"""The counter application: ``create_app(settings)`` builds the FastAPI app for one run.

Flow: document → card face (camera, upload or typed) → confirm the unlock values with the remaining tries →
read (worker thread, progress over SSE) → result → 「終了」 wipes everything. Secrets typed for the read live
only in the request that performs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from taimen import documents
from taimen.core.conversation import Progress
from taimen.documents import Document, TriesReport
from taimen.errors import (
    CardError,
    CardRemovedError,
    OperatorInputError,
    PinSafetyError,
    SecretRejected,
    TaimenError,
    TransportError,
)
from taimen.result import ReadResult
from taimen.web import view
from taimen.web.events import Event, EventHub
from taimen.web.i18n import LANGS, pick, translator
from taimen.web.images import chip_image_png, normalize_capture
from taimen.web.readers import ReaderManager, ReaderSource, VirtualReader
from taimen.web.security import Guard, SecurityMiddleware
from taimen.web.session import Capture, CheckSession

log = logging.getLogger("taimen.web")

HERE = Path(__file__).parent
DEFAULT_EXPECTED_EXCHANGES = 40
LANG_COOKIE = "taimen_lang"


@dataclass
class Settings:
    """One run of the app. ``port`` is the port actually bound: the Host check and the URL depend on it."""

    port: int
    sources: list[ReaderSource] = field(default_factory=list)
    trust_dirs: tuple[str, ...] = ()
    lang: str = "ja"
    demo: Any = None  # a taimen.web.demo.DemoCatalog when running ``taimen demo``
    guard: Guard | None = None
    #: Optional hook: fields printed on the card face from a captured image (OCR), and unlock proposals.
    ocr: Callable[[Any, Document | None], tuple[dict[str, str], dict[str, str]]] | None = None
    #: Optional hook: checks comparing chip and printed fields, added to the result.
    compare: Callable[[ReadResult, dict[str, str]], list[Any]] | None = None


@dataclass
class State:
    settings: Settings
    guard: Guard
    hub: EventHub
    readers: ReaderManager
    session: CheckSession
    env: Environment
    detected: dict[str, list[str]] = field(default_factory=dict)  # reader name → document keys
    expected: dict[str, int] = field(default_factory=dict)  # document key → exchanges of the last read
    reading: threading.Event = field(default_factory=threading.Event)


def _state(request: Request) -> State:
    return request.app.state.taimen  # type: ignore[no-any-return]


def _lang(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE) or _state(request).settings.lang
    return lang if lang in LANGS else "ja"


class ReadBusy(TaimenError):
    message_ja = "読み取り中です。終わるまでお待ちください。"


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
    state = State(settings, guard, hub, manager, CheckSession(), env)

    def detect(reader_name: str) -> None:
        threading.Thread(target=_detect, args=(state, reader_name), name="taimen-detect", daemon=True).start()

    def removed(reader_name: str) -> None:
        state.detected.pop(reader_name, None)
        hub.publish("detected", reader=reader_name, documents=[], present=False)

    manager.on_card_inserted = detect
    manager.on_card_removed = removed

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        manager.start()
        for info in manager.infos():  # cards already on a reader at start
            if info.card_present:
                detect(info.name)
        try:
            yield
        finally:
            hub.close()
            manager.stop()
            state.session.wipe()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.taimen = state
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _routes(app)
    app.add_middleware(SecurityMiddleware, guard=guard)
    return app


# --- detection ------------------------------------------------------------------------------------------


def _detect(state: State, reader_name: str) -> None:
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


# --- rendering ------------------------------------------------------------------------------------------


def _render(request: Request, template: str, page: str, status: int = 200, **context: Any) -> HTMLResponse:
    st = _state(request)
    lang = _lang(request)
    demo = st.settings.demo
    html = st.env.get_template(template).render(
        t=translator(lang),
        lang=lang,
        page=page,
        csrf=st.guard.csrf,
        demo=demo,
        demo_cards=demo.cards if demo is not None else [],
        demo_on=demo.on_reader() if demo is not None else None,
        # The sample card's printed values help typing; never shown once a result is on screen.
        demo_printed=_printed_hint(demo.on_reader(), lang)
        if demo is not None and page in ("capture", "confirm")
        else [],
        readers=st.readers.infos(),
        current_reader=st.readers.current_name(),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def _docs() -> dict[str, Document]:
    return documents.registry()


def _current_document(st: State) -> Document | None:
    docs = _docs()
    key = st.session.document
    if key in docs:
        return docs[key]
    if key == "auto":
        found = st.detected.get(st.readers.current_name() or "", [])
        if len(found) >= 1 and found[0] in docs:
            return docs[found[0]]
    return None


def _err_json(lang: str, exc: TaimenError, kind: str, status: int, **extra: Any) -> JSONResponse:
    message = exc.message_ja if lang == "ja" else str(exc)
    return JSONResponse({"ok": False, "error": {"kind": kind, "message": message}, **extra}, status_code=status)


def _card_present(st: State) -> bool:
    r = st.readers.current()
    return r is not None and r.info().card_present


def _tries_json(reports: list[TriesReport]) -> list[dict[str, Any]]:
    out = []
    for r in reports:
        n = r.tries_left
        state = "unknown" if n is None else "locked" if n == 0 else "last" if n == 1 else "ok"
        out.append({"secret": r.secret, "tries_left": n, "state": state})
    return out


async def _query_tries(st: State, doc: Document) -> list[TriesReport]:
    def run() -> list[TriesReport]:
        with st.readers.session() as transport:
            return doc.tries(transport)

    return await asyncio.to_thread(run)


# --- routes ---------------------------------------------------------------------------------------------


def _routes(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse)
    async def start(request: Request) -> Response:
        st = _state(request)
        reader = st.readers.current_name()
        return _render(
            request,
            "start.html",
            "document",
            documents=list(_docs().values()),
            chosen=st.session.document or "auto",
            detected=st.detected.get(reader or "", None),
        )

    @app.post("/document")
    async def choose_document(request: Request) -> Response:
        st = _state(request)
        form = await request.form()
        key = str(form.get("document", ""))
        if key != "auto" and key not in _docs():
            return JSONResponse({"ok": False, "error": {"kind": "input", "message": "unknown document"}}, 400)
        st.session.document = key
        return RedirectResponse("/capture", status_code=303)

    @app.post("/lang")
    async def set_lang(request: Request) -> Response:
        form = await request.form()
        lang = str(form.get("lang", "ja"))
        back = str(form.get("next", "/"))
        if not back.startswith("/") or back.startswith("//"):
            back = "/"
        resp = RedirectResponse(back, status_code=303)
        if lang in LANGS:
            resp.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="strict", path="/")
        return resp

    @app.post("/reader")
    async def choose_reader(request: Request) -> Response:
        st = _state(request)
        form = await request.form()
        try:
            st.readers.select(str(form.get("reader", "")))
        except KeyError:
            return JSONResponse({"ok": False, "error": {"kind": "input", "message": "unknown reader"}}, 400)
        name = st.readers.current_name()
        info = next((i for i in st.readers.infos() if i.name == name), None)
        if info is not None and info.card_present and name not in st.detected:
            threading.Thread(target=_detect, args=(st, name), daemon=True).start()
        if request.headers.get("x-csrf-token"):
            return JSONResponse({"ok": True})
        return RedirectResponse("/", status_code=303)

    @app.get("/capture", response_class=HTMLResponse)
    async def capture_page(request: Request) -> Response:
        st = _state(request)
        if st.session.document is None:
            return RedirectResponse("/", status_code=303)
        return _render(request, "capture.html", "capture", has_capture=st.session.capture is not None)

    @app.post("/api/capture")
    async def api_capture(request: Request) -> Response:
        st = _state(request)
        lang = _lang(request)
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in ("image/jpeg", "image/png", "image/webp"):
            return JSONResponse({"ok": False, "error": {"kind": "input", "message": "image body expected"}}, 415)
        source = request.query_params.get("source", "upload")
        raw = bytearray(await request.body())
        try:
            jpeg, img = await asyncio.to_thread(normalize_capture, bytes(raw))
        except OperatorInputError as exc:
            return _err_json(lang, exc, "input", 400)
        finally:
            raw[:] = bytes(len(raw))
        return await _accept_capture(st, jpeg, img, "camera" if source == "camera" else "upload")

    @app.post("/api/demo/face")
    async def api_demo_face(request: Request) -> Response:
        st = _state(request)
        demo = st.settings.demo
        card = demo.on_reader() if demo is not None else None
        if card is None or card.face_png is None:
            return JSONResponse({"ok": False, "error": {"kind": "demo", "message": "no sample card face"}}, 409)
        jpeg, img = await asyncio.to_thread(normalize_capture, card.face_png)
        return await _accept_capture(st, jpeg, img, "sample")

    async def _accept_capture(st: State, jpeg: bytes, img: Any, source: str) -> Response:
        printed: dict[str, str] = {}
        proposals: dict[str, str] = {}
        ocr = st.settings.ocr
        if ocr is not None:
            try:
                printed, proposals = await asyncio.to_thread(ocr, img, _current_document(st))
            except Exception:  # OCR is a convenience: typed values always work
                log.warning("OCR failed on a captured image", exc_info=False)
        with st.session.lock:
            st.session.set_capture(Capture(bytearray(jpeg), "image/jpeg", source))
            st.session.printed = printed
            st.session.set_proposals(proposals)
        return JSONResponse({"ok": True, "next": "/confirm", "proposed": sorted(proposals)})

    @app.get("/capture/image")
    async def capture_image(request: Request) -> Response:
        st = _state(request)
        with st.session.lock:
            cap = st.session.capture
            if cap is None:
                return Response(status_code=404)
            return Response(bytes(cap.data), media_type=cap.mime)

    @app.get("/confirm", response_class=HTMLResponse)
    async def confirm_page(request: Request) -> Response:
        st = _state(request)
        doc = _current_document(st)
        if doc is None:
            return RedirectResponse("/", status_code=303)
        st.session.document = doc.key  # "auto" resolved: keep it through a pulled card and a retry
        tries: list[dict[str, Any]] | None = None
        error = ""
        if any(i.card_present for i in st.readers.infos() if i.name == st.readers.current_name()):
            try:
                tries = _tries_json(await _query_tries(st, doc))
            except TaimenError as exc:
                error = exc.message_ja if _lang(request) == "ja" else str(exc)
        fields = [view.unlock_field(f, st.session.proposal(f.key), _lang(request)) for f in doc.unlock_fields]
        return _render(
            request,
            "confirm.html",
            "confirm",
            doc=doc,
            doc_title=pick(_lang(request), doc.title_ja, doc.title_en),
            fields=fields,
            tries=tries,
            tries_error=error,
            has_capture=st.session.capture is not None,
            generation=st.session.generation,
        )

    @app.get("/api/tries")
    async def api_tries(request: Request) -> Response:
        st = _state(request)
        lang = _lang(request)
        doc = _current_document(st)
        if doc is None:
            return JSONResponse({"ok": False, "error": {"kind": "document", "message": "no document"}}, 409)
        try:
            reports = await _query_tries(st, doc)
        except TaimenError as exc:
            return _err_json(lang, exc, "transport" if isinstance(exc, TransportError) else "card", 409)
        return JSONResponse({"ok": True, "tries": _tries_json(reports)})

    @app.post("/api/read")
    async def api_read(request: Request) -> Response:
        st = _state(request)
        lang = _lang(request)
        t = translator(lang)
        doc = _current_document(st)
        if doc is None:
            return JSONResponse({"ok": False, "error": {"kind": "document", "message": "no document"}}, 409)
        form = await request.form()
        unlock: dict[str, str] = {}
        bad: dict[str, str] = {}
        for f in doc.unlock_fields:
            value = str(form.get(f.key, "")).strip()
            if not value and f.optional:
                continue
            if not value:
                bad[f.key] = t("field_required")
            elif not re.fullmatch(f.pattern, value):
                bad[f.key] = t("field_invalid")
            unlock[f.key] = value
        if bad:
            unlock.clear()
            return JSONResponse({"ok": False, "error": {"kind": "input", "fields": bad}}, 400)
        confirm_last = form.get("confirm_last_try") == "1"
        if st.reading.is_set():
            return _err_json(lang, ReadBusy("a read is already running"), "busy", 409)
        st.reading.set()
        st.session.drop_proposals()  # from here on the values exist only in this request
        expected = st.expected.get(doc.key, DEFAULT_EXPECTED_EXCHANGES)
        st.hub.publish("read", state="started", expected=expected)

        def progress(p: Progress) -> None:
            st.hub.publish("progress", step=p.step, n=p.exchanges, expected=expected)

        def run() -> ReadResult:
            with st.readers.session() as transport:
                return doc.read(
                    transport,
                    unlock,
                    confirm_last_try=confirm_last,
                    trust_dirs=st.settings.trust_dirs,
                    on_progress=progress,
                )

        try:
            result = await asyncio.to_thread(run)
        except PinSafetyError as exc:
            st.hub.publish("read", state="failed", kind="pin_safety")
            return _err_json(lang, exc, "pin_safety", 409)
        except CardRemovedError as exc:
            st.hub.publish("read", state="failed", kind="card_removed")
            if st.settings.demo is not None:
                st.hub.publish("demo", pull=st.settings.demo.reader.pull_during_next_read)
            return _err_json(lang, exc, "card_removed", 409, retry=True, card=_card_present(st))
        except TransportError as exc:
            st.hub.publish("read", state="failed", kind="transport")
            return _err_json(lang, exc, "transport", 409, retry=True, card=_card_present(st))
        except SecretRejected as exc:
            st.hub.publish("read", state="failed", kind="rejected")
            return _err_json(lang, exc, "rejected", 409, tries_left=exc.tries_left)
        except OperatorInputError as exc:
            st.hub.publish("read", state="failed", kind="input")
            return _err_json(lang, exc, "input", 400)
        except TaimenError as exc:
            # A refused PIN reported with its own error type (the licence's) is still a refused value.
            kind = "rejected" if hasattr(exc, "tries_left") or hasattr(exc, "remaining") else "card"
            st.hub.publish("read", state="failed", kind=kind)
            return _err_json(lang, exc, kind, 409)
        except Exception as exc:
            # Unexpected: say so without the message (it could quote a value) and without the request.
            log.error("read failed unexpectedly: %s", type(exc).__name__)
            st.hub.publish("read", state="failed", kind="internal")
            return JSONResponse(
                {"ok": False, "error": {"kind": "internal", "message": translator(lang)("internal_error")}}, 500
            )
        finally:
            unlock.clear()
            del form
            st.reading.clear()
        st.expected[doc.key] = max(result.stats.apdus, 1)
        pngs = await asyncio.to_thread(_display_images, result)
        with st.session.lock:
            compare = st.settings.compare
            if compare is not None:
                result.checks.extend(compare(result, dict(st.session.printed)))
                result.finish()
            st.session.set_result(result, pngs)
            st.session.read_at = datetime.now().astimezone()
        st.hub.publish("read", state="done")
        return JSONResponse({"ok": True, "next": "/result"})

    @app.get("/result", response_class=HTMLResponse)
    async def result_page(request: Request) -> Response:
        st = _state(request)
        lang = _lang(request)
        with st.session.lock:
            result = st.session.result
            if result is None:
                return _render(request, "empty.html", "result")
            doc = _docs().get(result.document)
            verdict = result.verdict
            return _render(
                request,
                "result.html",
                "result",
                result=result,
                doc_title=pick(lang, doc.title_ja, doc.title_en) if doc is not None else result.document,
                verdict=verdict,
                verdict_icon=view.VERDICT_ICON[verdict.status] if verdict else "？",
                verdict_label=pick(lang, verdict.label_ja, verdict.label_en) if verdict else "",
                reasons=[pick(lang, r.ja, r.en) for r in verdict.reasons] if verdict else [],
                rows=view.field_rows(result, st.session.printed, lang),
                any_printed=bool(st.session.printed),
                checks=view.check_rows(result.checks, lang),
                summary=view.summary(result.checks, lang),
                checked_at=view.when(st.session.read_at, lang),
                has_photo="photo" in st.session.pngs,
                images=view.image_labels(
                    [k.removeprefix("image:") for k in st.session.pngs if k.startswith("image:")], lang
                ),
                others=view.other_fields(result),
                has_capture=st.session.capture is not None,
                generation=st.session.generation,
            )

    @app.get("/result/photo.png")
    async def result_photo(request: Request) -> Response:
        return _png(_state(request), "photo")

    @app.get("/result/image/{name}.png")
    async def result_image(request: Request, name: str) -> Response:
        return _png(_state(request), f"image:{name}")

    @app.post("/finish")
    async def finish(request: Request) -> Response:
        st = _state(request)
        st.session.wipe()
        st.hub.publish("finished")
        if request.headers.get("x-csrf-token"):
            return JSONResponse({"ok": True, "next": "/"})
        return RedirectResponse("/", status_code=303)

    @app.get("/api/readers")
    async def api_readers(request: Request) -> Response:
        st = _state(request)
        return JSONResponse(
            {
                "readers": [i.to_json() for i in st.readers.infos()],
                "selected": st.readers.current_name(),
                "detected": st.detected,
            }
        )

    @app.get("/api/state")
    async def api_state(request: Request) -> Response:
        """What the browser needs to resync (no personal data): step, document, readers."""
        st = _state(request)
        s = st.session
        return JSONResponse(
            {
                "document": s.document,
                "has_capture": s.capture is not None,
                "has_result": s.result is not None,
                "reading": st.reading.is_set(),
                "generation": s.generation,
            }
        )

    @app.get("/events")
    async def events(request: Request) -> Response:
        st = _state(request)
        first = [
            Event(
                "readers",
                {"readers": [i.to_json() for i in st.readers.infos()], "selected": st.readers.current_name()},
            )
        ]
        name = st.readers.current_name()
        if name in st.detected:
            first.append(Event("detected", {"reader": name, "documents": st.detected[name], "present": True}))
        return StreamingResponse(
            st.hub.stream(first),
            media_type="text/event-stream",
            headers={"x-accel-buffering": "no"},
        )

    # --- demo panel -----------------------------------------------------------------------------------

    @app.post("/api/demo/place")
    async def demo_place(request: Request) -> Response:
        st = _state(request)
        demo = st.settings.demo
        if demo is None:
            return Response(status_code=404)
        form = await request.form()
        try:
            on = await asyncio.to_thread(demo.place, str(form.get("card", "")))
        except KeyError:
            return JSONResponse({"ok": False, "error": {"kind": "input", "message": "unknown sample"}}, 400)
        if request.headers.get("x-csrf-token"):
            return JSONResponse({"ok": True, "printed": _printed_hint(on, _lang(request))})
        return RedirectResponse("/", status_code=303)

    @app.post("/api/demo/remove")
    async def demo_remove(request: Request) -> Response:
        demo = _state(request).settings.demo
        if demo is None:
            return Response(status_code=404)
        demo.reader.remove()
        return _demo_ok(request)

    @app.post("/api/demo/put-back")
    async def demo_put_back(request: Request) -> Response:
        demo = _state(request).settings.demo
        if demo is None:
            return Response(status_code=404)
        demo.reader.put_back()
        return _demo_ok(request)

    @app.post("/api/demo/pull")
    async def demo_pull(request: Request) -> Response:
        demo = _state(request).settings.demo
        if demo is None:
            return Response(status_code=404)
        form = await request.form()
        reader: VirtualReader = demo.reader
        reader.pull_during_next_read = form.get("on") == "1"
        return _demo_ok(request)


def _printed_hint(on: Any, lang: str) -> list[list[str]]:
    """The demo panel's reminder of what the sample card's face shows (synthetic persons only)."""
    if on is None:
        return []
    return [[pick(lang, ja, en), value] for ja, en, value in on.entry.printed]


def _demo_ok(request: Request) -> Response:
    if request.headers.get("x-csrf-token"):
        return JSONResponse({"ok": True})
    return RedirectResponse("/", status_code=303)


def _png(st: State, key: str) -> Response:
    with st.session.lock:
        buf = st.session.pngs.get(key)
        if buf is None:
            return Response(status_code=404)
        return Response(bytes(buf), media_type="image/png")


def _display_images(result: ReadResult) -> dict[str, bytearray]:
    out: dict[str, bytearray] = {}
    if result.photo is not None:
        with contextlib.suppress(CardError):
            out["photo"] = bytearray(chip_image_png(result.photo.data))
    for name, img in result.images.items():
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
            continue
        with contextlib.suppress(CardError):
            out[f"image:{name}"] = bytearray(chip_image_png(img.data))
    return out
