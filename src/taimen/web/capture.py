"""Capturing the card face: a camera frame or an uploaded photo (raw body, in memory), or the demo's sample."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from taimen.errors import OperatorInputError
from taimen.web.context import State, current_document, error_json, lang_of, simple_error, state_of
from taimen.web.hooks import OcrValues
from taimen.web.images import normalize_capture
from taimen.web.session import Capture

log = logging.getLogger("taimen.web")
router = APIRouter()

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
#: Longest wait for OCR proposals; after that the clerk types the values.
OCR_TIMEOUT = 15.0


@router.post("/api/capture")
async def api_capture(request: Request) -> Response:
    st = state_of(request)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in IMAGE_TYPES:
        return simple_error("input", "image body expected", 415)
    source = "camera" if request.query_params.get("source") == "camera" else "upload"
    raw = bytearray(await request.body())
    try:
        jpeg, img = await asyncio.to_thread(normalize_capture, bytes(raw))
    except OperatorInputError as exc:
        return error_json(lang_of(request), exc, "input", 400)
    finally:
        raw[:] = bytes(len(raw))
    return await accept(st, jpeg, img, source)


@router.post("/api/demo/face")
async def api_demo_face(request: Request) -> Response:
    """Demo: the printed face of the sample card on the reader, as if photographed."""
    st = state_of(request)
    demo = st.settings.demo
    on = demo.on_reader() if demo is not None else None
    if on is None or on.face_png is None:
        return simple_error("demo", "no sample card face", 409)
    jpeg, img = await asyncio.to_thread(normalize_capture, on.face_png)
    return await accept(st, jpeg, img, "sample")


async def accept(st: State, jpeg: bytes, img: Any, source: str) -> Response:
    found = OcrValues()
    ocr = st.settings.ocr
    doc = current_document(st)
    if ocr is not None:
        try:
            found = await asyncio.wait_for(asyncio.to_thread(ocr, img, doc), OCR_TIMEOUT)
        except TimeoutError:  # the clerk types the values rather than wait (the thread's result is dropped)
            log.warning("OCR took longer than %.0f s; no proposals", OCR_TIMEOUT)
        except Exception as exc:  # OCR is a convenience: typed values always work
            log.warning("OCR failed on a captured image: %s", type(exc).__name__)
    portrait = bytearray(found.portrait_png) if found.portrait_png else None
    with st.session.lock:
        st.session.set_capture(Capture(bytearray(jpeg), "image/jpeg", source, portrait))
        other = doc is not None and found.document not in (None, doc.key)
        st.session.set_ocr(None if other else found.raw)
        st.session.printed = dict(found.printed)
        st.session.set_proposals(found.proposals)
        st.session.doubtful = set(found.doubtful) & set(found.proposals)
        # The photo shows another kind of card than the one chosen: say so on the confirm screen.
        st.session.photo_document = found.document if other else None
    return JSONResponse({"ok": True, "next": "/confirm", "proposed": sorted(found.proposals)})
