"""The read: values checked, the card read in a worker thread with progress over SSE, errors explained.

The unlock values exist only in this request: taken from the form, handed to the document, cleared after.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from taimen.core.conversation import Progress
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
from taimen.web.context import (
    DEFAULT_EXPECTED_EXCHANGES,
    NO_TRIES_COUNTER,
    State,
    card_present,
    current_document,
    error_json,
    lang_of,
    simple_error,
    state_of,
)
from taimen.web.i18n import translator
from taimen.web.images import chip_image_png
from taimen.web.view import normalise_unlock

log = logging.getLogger("taimen.web")
router = APIRouter()


class ReadBusy(TaimenError):
    message_ja = "読み取り中です。終わるまでお待ちください。"


@router.post("/api/read")
async def api_read(request: Request) -> Response:
    st = state_of(request)
    lang = lang_of(request)
    t = translator(lang)
    doc = current_document(st)
    if doc is None:
        return simple_error("document", "no document", 409)
    form = await request.form()
    unlock: dict[str, str] = {}
    bad: dict[str, str] = {}
    for f in doc.unlock_fields:
        value = normalise_unlock(f, str(form.get(f.key, "")))
        if not value and f.optional:
            continue
        if not value:
            bad[f.key] = t("field_required")
        elif not f.accepts(value):
            bad[f.key] = t("field_invalid")
        unlock[f.key] = value
    confirm_last = form.get("confirm_last_try") == "1"
    del form
    if bad:
        unlock.clear()
        return JSONResponse({"ok": False, "error": {"kind": "input", "fields": bad}}, 400)
    if st.reading.is_set():
        unlock.clear()
        return error_json(lang, ReadBusy("a read is already running"), "busy", 409)
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
    except Exception as exc:
        return _failure(st, lang, exc, doc.key)
    finally:
        unlock.clear()
        st.reading.clear()
    st.expected[doc.key] = max(result.stats.apdus, 1)
    pngs = await asyncio.to_thread(display_images, result)
    with st.session.lock:
        compare, ocr = st.settings.compare, st.session.ocr
    if compare is not None and ocr is not None:
        try:  # the printed face against the chip: adds checks and recomputes the verdict
            result = await asyncio.to_thread(compare, result, ocr)
        except Exception as exc:
            log.error("chip-vs-face comparison failed: %s", type(exc).__name__)
    with st.session.lock:
        st.session.set_result(result, pngs)
        st.session.read_at = datetime.now().astimezone()
        _drop_secret_readings(st.session.ocr)
    st.hub.publish("read", state="done")
    return JSONResponse({"ok": True, "next": "/result"})


def _drop_secret_readings(ocr: object) -> None:
    """After a successful read and its cross-check, the face's readings of secrets (security code, the
    residence card number) leave the session: they were needed only to compare with the chip."""
    if ocr is None:
        return
    try:
        from taimen.ocr.proposals import SECRET_FIELDS
    except ImportError:
        SECRET_FIELDS = frozenset({"security_code", "card_number"})
    for attr in ("fields", "unlock"):
        held = getattr(ocr, attr, None)
        if isinstance(held, dict):
            # a secret unlock proposal (照合番号B, the passport's MRZ key fields) leaves with its readings
            for key in [k for k in held if k in SECRET_FIELDS or k == "kenmen_b" or getattr(held[k], "secret", False)]:
                del held[key]


def _failure(st: State, lang: str, exc: Exception, document: str = "") -> Response:
    """What the clerk is told, and whether a retry (which never spends a try by itself) is offered."""
    extra: dict[str, object] = {}
    if isinstance(exc, PinSafetyError):
        kind, status = "pin_safety", 409
    elif isinstance(exc, CardRemovedError):
        kind, status = "card_removed", 409
        extra = {"retry": True, "card": card_present(st)}
        if st.settings.demo is not None:
            st.hub.publish("demo", pull=st.settings.demo.reader.pull_during_next_read)
    elif isinstance(exc, TransportError):
        kind, status = "transport", 409
        extra = {"retry": True, "card": card_present(st)}
    elif isinstance(exc, SecretRejected):
        kind, status = "rejected", 409
        extra = {"tries_left": exc.tries_left}
        if document in NO_TRIES_COUNTER:  # the residence card: no counter to report, one plain instruction
            st.hub.publish("read", state="failed", kind=kind)
            return simple_error(kind, translator(lang)("rc_number_rejected"), status)
    elif isinstance(exc, OperatorInputError):
        kind, status = "input", 400
    elif isinstance(exc, TaimenError):
        # A refused PIN reported with its own error type (the licence's) is still a refused value.
        kind = "rejected" if hasattr(exc, "tries_left") or hasattr(exc, "remaining") else "card"
        status = 409
    else:
        # Unexpected: say so without the message (it could quote a value) and without the request.
        log.error("read failed unexpectedly: %s", type(exc).__name__)
        st.hub.publish("read", state="failed", kind="internal")
        return simple_error("internal", translator(lang)("internal_error"), 500)
    st.hub.publish("read", state="failed", kind=kind)
    return error_json(lang, exc, kind, status, **extra)


def display_images(result: ReadResult) -> dict[str, bytearray]:
    """The chip's photo and images as PNG for the browser (JPEG 2000 is not shown by browsers)."""
    out: dict[str, bytearray] = {}
    if result.photo is not None:
        with contextlib.suppress(CardError):
            out["photo"] = bytearray(chip_image_png(result.photo.data))
    for name, img in result.images.items():
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
            continue
        if result.photo is not None and (img.data == result.photo.data or name.startswith("photo")):
            continue  # the photo again (e.g. in its original encoding): shown once, as the photo
        with contextlib.suppress(CardError):
            out[f"image:{name}"] = bytearray(chip_image_png(img.data))
    return out
