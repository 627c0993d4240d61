"""The screens of the flow and the small endpoints around them (language, reader, state, events, 「終了」)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse

from taimen.errors import TaimenError, TransportError
from taimen.web import residence_view, view
from taimen.web.context import (
    LANG_COOKIE,
    NO_TRIES_COUNTER,
    current_document,
    docs,
    error_json,
    lang_of,
    query_tries,
    render,
    simple_error,
    state_of,
    tries_json,
)
from taimen.web.events import Event
from taimen.web.i18n import LANGS, pick

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def start(request: Request) -> Response:
    st = state_of(request)
    reader = st.readers.current_name()
    return render(
        request,
        "start.html",
        "document",
        documents=list(docs().values()),
        chosen=st.session.document or "auto",
        detected=st.detected.get(reader or "", None),
        need_card=request.query_params.get("need") == "card",
    )


@router.post("/document")
async def choose_document(request: Request) -> Response:
    st = state_of(request)
    form = await request.form()
    key = str(form.get("document", ""))
    if key != "auto" and key not in docs():
        return simple_error("input", "unknown document", 400)
    st.session.document = key
    return RedirectResponse("/capture", status_code=303)


@router.post("/lang")
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


@router.post("/reader")
async def choose_reader(request: Request) -> Response:
    st = state_of(request)
    form = await request.form()
    try:
        st.readers.select(str(form.get("reader", "")))
    except KeyError:
        return simple_error("input", "unknown reader", 400)
    name = st.readers.current_name()
    info = next((i for i in st.readers.infos() if i.name == name), None)
    if name is not None and info is not None and info.card_present and name not in st.detected:
        st.detect(name)
    if request.headers.get("x-csrf-token"):
        return JSONResponse({"ok": True})
    return RedirectResponse("/", status_code=303)


@router.get("/capture", response_class=HTMLResponse)
async def capture_page(request: Request) -> Response:
    st = state_of(request)
    if st.session.document is None:
        return RedirectResponse("/", status_code=303)
    return render(request, "capture.html", "capture", has_capture=st.session.capture is not None)


@router.get("/capture/image")
async def capture_image(request: Request) -> Response:
    st = state_of(request)
    with st.session.lock:
        cap = st.session.capture
        if cap is None:
            return Response(status_code=404)
        return Response(bytes(cap.data), media_type=cap.mime)


@router.get("/capture/portrait.png")
async def capture_portrait(request: Request) -> Response:
    st = state_of(request)
    with st.session.lock:
        cap = st.session.capture
        if cap is None or cap.portrait is None:
            return Response(status_code=404)
        return Response(bytes(cap.portrait), media_type="image/png")


@router.get("/confirm", response_class=HTMLResponse)
async def confirm_page(request: Request) -> Response:
    st = state_of(request)
    lang = lang_of(request)
    doc = current_document(st)
    if doc is None:  # "auto" with no card detected yet: back to the start, saying why
        return RedirectResponse("/?need=card" if st.session.document == "auto" else "/", status_code=303)
    st.session.document = doc.key  # "auto" resolved: keep it through a pulled card and a retry
    tries: list[dict[str, Any]] | None = None
    error = ""
    if any(i.card_present for i in st.readers.infos() if i.name == st.readers.current_name()):
        try:
            tries = tries_json(await query_tries(st, doc), doc.key)
        except TaimenError as exc:
            error = exc.message_ja if lang == "ja" else str(exc)
    return render(
        request,
        "confirm.html",
        "confirm",
        doc=doc,
        doc_title=pick(lang, doc.title_ja, doc.title_en),
        fields=[view.unlock_field(f, st.session.proposal(f.key), lang) for f in doc.unlock_fields],
        doubtful=set(st.session.doubtful),
        doubt_reasons=_doubt_reasons(st.session.ocr, lang),
        photo_hints=_photo_hints(st.session.ocr, lang),
        photo_document=_title(st.session.photo_document, lang),
        tries=tries,
        tries_error=error,
        has_capture=st.session.capture is not None,
        generation=st.session.generation,
        no_counter=doc.key in NO_TRIES_COUNTER,
    )


_UNLOCK_SOURCE = {"birth": "birth_yymmdd", "expiry_year": "expiry_year", "security_code": "security_code"}
_MRZ_SOURCE = {"document_number": "document_number", "birth": "birth", "expiry": "expiry"}


def _doubt_reasons(ocr: Any, lang: str) -> dict[str, str]:
    """Why OCR doubts each proposed unlock value (cut off, glare, two candidates …), keyed by form field."""
    if ocr is None:
        return {}
    from taimen.ocr.fieldread import REASONS
    from taimen.ocr.mrz_photo import REASONS as MRZ_REASONS

    REASONS = {**REASONS, **MRZ_REASONS}
    out = {}
    source = _MRZ_SOURCE if getattr(ocr, "document", None) == "passport" else _UNLOCK_SOURCE
    for key, ocr_key in source.items():
        proposal = getattr(ocr, "unlock", {}).get(ocr_key)
        why = [REASONS[r][0 if lang == "ja" else 1] for r in getattr(proposal, "reasons", ()) if r in REASONS]
        if why:
            out[key] = ("、" if lang == "ja" else ", ").join(why)
    return out


def _photo_hints(ocr: Any, lang: str) -> list[tuple[str, str]]:
    """What the operator should fix in the photo, as (code, words): 「光が反射しています」 …; the code picks the
    picture shown beside the words."""
    if ocr is None:
        return []
    from taimen.ocr.proposals import HINTS

    return [(h, HINTS[h][0 if lang == "ja" else 1]) for h in getattr(ocr, "hints", []) if h in HINTS]


def _title(key: str | None, lang: str) -> str:
    """A document's title for messages (OCR may name documents taimen cannot read, e.g. the residence card)."""
    if key is None:
        return ""
    doc = docs().get(key)
    if doc is not None:
        return pick(lang, doc.title_ja, doc.title_en)
    return {"residence": pick(lang, "在留カード・特別永住者証明書", "residence card or SPRC")}.get(key, key)


@router.get("/api/tries")
async def api_tries(request: Request) -> Response:
    st = state_of(request)
    doc = current_document(st)
    if doc is None:
        return simple_error("document", "no document", 409)
    try:
        reports = await query_tries(st, doc)
    except TaimenError as exc:
        return error_json(lang_of(request), exc, "transport" if isinstance(exc, TransportError) else "card", 409)
    return JSONResponse({"ok": True, "tries": tries_json(reports, doc.key)})


@router.get("/result", response_class=HTMLResponse)
async def result_page(request: Request) -> Response:
    st = state_of(request)
    lang = lang_of(request)
    with st.session.lock:
        result = st.session.result
        if result is None:
            return render(request, "empty.html", "result")
        doc = docs().get(result.document)
        verdict = result.verdict
        pngs = st.session.pngs
        image_keys = {k.removeprefix("image:") for k in pngs if k.startswith("image:")}
        rc = residence_view.residence_panel(result, lang, image_keys, st.session.printed)
        shown = {rc.front_image, rc.address_image} if rc is not None else set()
        return render(
            request,
            "result.html",
            "result",
            result=result,
            doc_title=pick(lang, doc.title_ja, doc.title_en) if doc is not None else result.document,
            verdict=verdict,
            verdict_icon=view.VERDICT_ICON[verdict.kind] if verdict else "？",
            verdict_label=pick(lang, verdict.label_ja, verdict.label_en) if verdict else "",
            reasons=[pick(lang, r.ja, r.en) for r in verdict.reasons] if verdict else [],
            rows=view.field_rows(result, st.session.printed, lang),
            printed_doubts=view.printed_doubts(st.session.ocr, lang),
            any_printed=bool(st.session.printed),
            checks=view.check_rows(result.checks, lang),
            summary=view.summary(result.checks, lang),
            checked_at=view.when(st.session.read_at, lang),
            has_photo="photo" in pngs,
            images=view.image_labels(
                [n for k in pngs if k.startswith("image:") and (n := k.removeprefix("image:")) not in shown], lang
            ),
            rc=rc,
            revocation_url=st.settings.revocation_url,
            others=view.other_fields(result),
            has_capture=st.session.capture is not None,
            has_portrait=st.session.capture is not None and st.session.capture.portrait is not None,
            generation=st.session.generation,
            saved=st.session.saved_record,
            unsaved=st.settings.records is not None and st.session.saved_record is None,
        )


def _png(request: Request, key: str) -> Response:
    st = state_of(request)
    with st.session.lock:
        buf = st.session.pngs.get(key)
        if buf is None:
            return Response(status_code=404)
        return Response(bytes(buf), media_type="image/png")


@router.get("/result/photo.png")
async def result_photo(request: Request) -> Response:
    return _png(request, "photo")


@router.get("/result/image/{name}.png")
async def result_image(request: Request, name: str) -> Response:
    return _png(request, f"image:{name}")


@router.post("/finish")
async def finish(request: Request) -> Response:
    """「終了」: everything about this customer leaves memory and every open screen."""
    st = state_of(request)
    st.session.wipe()
    st.hub.publish("finished")
    if request.headers.get("x-csrf-token"):
        return JSONResponse({"ok": True, "next": "/"})
    return RedirectResponse("/", status_code=303)


@router.get("/api/readers")
async def api_readers(request: Request) -> Response:
    st = state_of(request)
    return JSONResponse(
        {
            "readers": [i.to_json() for i in st.readers.infos()],
            "selected": st.readers.current_name(),
            "detected": st.detected,
        }
    )


@router.get("/api/state")
async def api_state(request: Request) -> Response:
    """What the browser needs to resync, without personal data."""
    st = state_of(request)
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


@router.get("/events")
async def events(request: Request) -> Response:
    """Server-sent events: readers, cards, detection, read progress (never personal data)."""
    st = state_of(request)
    infos = [i.to_json() for i in st.readers.infos()]
    first = [Event("readers", {"readers": infos, "selected": st.readers.current_name()})]
    name = st.readers.current_name()
    if name in st.detected:
        first.append(Event("detected", {"reader": name, "documents": st.detected[name], "present": True}))
    return StreamingResponse(st.hub.stream(first), media_type="text/event-stream", headers={"x-accel-buffering": "no"})
