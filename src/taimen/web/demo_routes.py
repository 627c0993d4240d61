"""The demo panel's endpoints: place, remove and put back sample cards, or pull one during the next read."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from taimen.web.context import lang_of, printed_hint, simple_error, state_of

router = APIRouter(prefix="/api/demo")


def _demo(request: Request) -> Any:
    """The demo catalog; outside demo mode these endpoints do not exist."""
    demo = state_of(request).settings.demo
    if demo is None:
        raise HTTPException(status_code=404)
    return demo


def _done(request: Request, **extra: object) -> Response:
    if request.headers.get("x-csrf-token"):
        return JSONResponse({"ok": True, **extra})
    return RedirectResponse("/", status_code=303)


@router.post("/place")
async def place(request: Request) -> Response:
    demo = _demo(request)
    form = await request.form()
    try:
        on = await asyncio.to_thread(demo.place, str(form.get("card", "")))
    except KeyError:
        return simple_error("input", "unknown sample", 400)
    return _done(request, printed=printed_hint(on, lang_of(request)))


@router.post("/remove")
async def remove(request: Request) -> Response:
    demo = _demo(request)
    demo.reader.remove()
    return _done(request)


@router.post("/put-back")
async def put_back(request: Request) -> Response:
    demo = _demo(request)
    demo.reader.put_back()
    return _done(request)


@router.post("/pull")
async def pull(request: Request) -> Response:
    demo = _demo(request)
    form = await request.form()
    demo.reader.pull_during_next_read = form.get("on") == "1"
    return _done(request)
