"""Operators and 確認記録: sign-in and sign-out, saving the record of a check, 記録一覧, 記録詳細 and export.

Roles are checked here for every route AND passed to the store, which checks them again. Store calls run
in worker threads (SQLite and PostgreSQL block). A record is created only by the operator's 「この内容で保存」;
a save that fails says so at once, in words, with what to do, before the customer leaves.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from taimen.web import records_view as rv
from taimen.web.context import State, lang_of, render, state_of
from taimen.web.i18n import translator
from taimen.web.images import chip_image_png
from taimen.web.operators import BROWSE_ROLES, CORRECT_ROLES, EXPORT_ROLES, OPERATOR, SignedIn

log = logging.getLogger("taimen.web")
router = APIRouter()

# ``LocalQueue`` opens its sqlite3 connection bound to one thread: saves from the app's worker threads fail
# to queue when the central store is down (test_unreachable_central_store_queues_then_delivers_once, xfail).

#: The most records one export may hold (a search's "export all").
EXPORT_MAX = 1000


def signed_in(request: Request) -> SignedIn | None:
    return request.scope.get("state", {}).get("operator")  # type: ignore[no-any-return]


def _store(st: State) -> Any:
    return st.settings.records


def _message(request: Request, key: str, status: int, page: str = "records") -> Response:
    """A page that only says something (no permission, nothing found, store unreachable…)."""
    return render(request, "records_message.html", page, status=status, message=translator(lang_of(request))(key))


def _forbidden(request: Request, key: str = "forbidden_role") -> Response:
    return _message(request, key, 403)


def _role_ok(request: Request, roles: frozenset[str]) -> SignedIn | None:
    who = signed_in(request)
    return who if who is not None and who.role in roles else None


# --- sign-in ----------------------------------------------------------------------------------------------


def password_required(st: State) -> bool:
    """Accounts exist (or a central store): sign in with a password. Else the operator only identifies."""
    if st.settings.require_password is not None:
        return st.settings.require_password
    store = _store(st)
    try:
        return bool(store.has_accounts())
    except Exception:  # the store cannot say (unreachable): ask for a password, the safe side
        return True


@router.get("/signin")
async def signin_page(request: Request) -> Response:
    st = state_of(request)
    if _store(st) is None:
        return RedirectResponse("/", status_code=303)
    return _signin(request, st)


def _signin(request: Request, st: State, error: str = "", status: int = 200, **values: str) -> Response:
    demo = st.settings.demo_accounts
    return render(
        request,
        "signin.html",
        "signin",
        status=status,
        with_password=password_required(st),
        error=error,
        values=values,
        demo_accounts="、".join(f"{login}（{rv.role_label(role, lang_of(request))}）" for login, role in demo),
        demo_password=st.settings.demo_password,
    )


@router.post("/signin")
async def signin(request: Request) -> Response:
    st = state_of(request)
    store = _store(st)
    if store is None:
        return RedirectResponse("/", status_code=303)
    t = translator(lang_of(request))
    form = await request.form()
    login = str(form.get("operator_id", "")).strip()[:64]
    name = str(form.get("operator_name", "")).strip()[:64]
    password = str(form.get("password", ""))
    del form
    if password_required(st):
        if not login or not password:
            return _signin(request, st, t("signin_failed"), 401, operator_id=login)
        try:
            actor = await asyncio.to_thread(store.authenticate, login, password)
        except Exception as exc:
            kind = type(exc).__name__
            if kind in ("AuthenticationFailed", "NotAuthorized"):
                return _signin(request, st, t("signin_failed"), 401, operator_id=login)
            log.error("sign-in failed: %s", kind)
            return _signin(request, st, t("signin_unavailable"), 503, operator_id=login)
        finally:
            password = ""
        who = SignedIn(actor.display_name or actor.name, actor.staff_id or actor.name, str(actor.role), actor)
    else:
        if not login or not name:
            return _signin(request, st, t("signin_missing"), 400, operator_id=login, operator_name=name)
        who = SignedIn(name, login, OPERATOR, identified_actor(name, login))
    sessions = st.operators
    sessions.end(request.cookies.get(sessions.cookie_name))
    sid = sessions.start(who)
    resp = RedirectResponse("/records" if who.role in BROWSE_ROLES else "/", status_code=303)
    resp.headers.append("set-cookie", sessions.cookie(sid))
    return resp


def identified_actor(name: str, login: str) -> Any:
    """The store's idea of an operator who identified without an account (local store without accounts)."""
    from taimen.records.model import Operator, Role

    return Operator(name=login, display_name=name, role=Role.OPERATOR, staff_id=login)


@router.post("/signout")
async def signout(request: Request) -> Response:
    st = state_of(request)
    sessions = st.operators
    sessions.end(request.cookies.get(sessions.cookie_name))
    # The next operator must not find this customer on screen: signing out ends the check like 「終了」.
    st.session.wipe()
    st.hub.publish("finished")
    resp = RedirectResponse("/signin" if _store(st) is not None else "/", status_code=303)
    resp.headers.append("set-cookie", sessions.expired_cookie())
    return resp


# --- saving the record of the check on screen ---------------------------------------------------------------


def _business_values(form: Any) -> dict[str, str]:
    return {k: str(form.get(k, "")).strip() for k, _label, _n in rv.BUSINESS_FIELDS}


def _draft(st: State, who: SignedIn, business: dict[str, str], counter: str, number: str | None) -> Any:
    from taimen.records.model import BusinessFields, draft_from_result

    s = st.session
    with s.lock:
        result = s.result
        if result is None:
            return None
        if s.record_key is None:  # one key per read: a double submit stores one record
            s.record_key = uuid.uuid4().hex
        return draft_from_result(
            result,
            document_key=result.document,
            operator=who.actor.name,
            counter=counter,
            presented_at=s.read_at or datetime.now().astimezone(),
            keep_images=st.settings.keep_images,
            business=BusinessFields(**business),
            document_number=number,
            idempotency_key=s.record_key,
        )


def _save_page(
    request: Request,
    st: State,
    draft: Any,
    *,
    status: int = 200,
    error: dict[str, str] | None = None,
    business: dict[str, str] | None = None,
    counter: str | None = None,
    number: str = "",
) -> Response:
    lang = lang_of(request)
    t = translator(lang)
    who = signed_in(request)
    d = draft
    return render(
        request,
        "record_save.html",
        "record",
        status=status,
        draft=d,
        chip_rows=rv.chip_rows(d, lang),
        method_rows=rv.method_rows(d, lang),
        verdict_kind=rv.verdict_kind(d.verdict, d.checks, d.chip_presence),
        verdict_label=rv.verdict_label(rv.verdict_kind(d.verdict, d.checks, d.chip_presence), lang),
        verdict_icon=rv.VERDICT_ICONS.get(d.verdict, "？"),
        reasons=[r.text(lang) for r in d.reasons],
        fields=[(k, t(label), n) for k, label, n in rv.BUSINESS_FIELDS],
        business=business or {},
        counter=st.settings.counter if counter is None else counter,
        counter_max=rv.COUNTER_MAX,
        number=number or (d.document_number or ""),
        number_from_chip=bool(d.document_number) and not number,
        number_allowed=d.document != "mynumber",
        number_max=rv.DOCUMENT_NUMBER_MAX,
        presets=t("transaction_presets").split("|"),
        keep_images=st.settings.keep_images,
        operator=who,
        saved=st.session.saved_record,
        saved_pending=st.session.saved_pending,
        unsaved=st.session.saved_record is None,
        error=error,
    )


@router.get("/record/new")
async def record_form(request: Request) -> Response:
    st = state_of(request)
    if _store(st) is None:
        return _message(request, "record_not_configured", 404, "record")
    who = signed_in(request)
    assert who is not None  # the operator gate let the request through
    draft = _draft(st, who, {}, st.settings.counter, None)
    if draft is None:
        return _message(request, "record_no_result", 409, "record")
    shown = dict(st.session.saved_form)  # after saving: what was saved, read-only
    if not shown:
        return _save_page(request, st, draft)
    counter, number = shown.pop("counter", ""), shown.pop("document_number", "")
    return _save_page(request, st, draft, business=shown, counter=counter, number=number)


def _t(request: Request, key: str, **values: object) -> str:
    return translator(lang_of(request))(key, **values)


@router.post("/record/save")
async def record_save(request: Request) -> Response:
    st = state_of(request)
    store = _store(st)
    lang = lang_of(request)
    t = translator(lang)
    if store is None:
        return _message(request, "record_not_configured", 404, "record")
    who = signed_in(request)
    assert who is not None
    form = await request.form()
    business = _business_values(form)
    counter = str(form.get("counter", "")).strip()
    number_typed = str(form.get("document_number", "")).strip()
    problems = [
        t("record_input_too_long", field=t(label), n=n) for k, label, n in rv.BUSINESS_FIELDS if len(business[k]) > n
    ]
    if len(counter) > rv.COUNTER_MAX:
        problems.append(t("record_input_too_long", field=t("f_counter"), n=rv.COUNTER_MAX))
    if len(number_typed) > rv.DOCUMENT_NUMBER_MAX:
        problems.append(t("record_input_too_long", field=t("record_doc_number"), n=rv.DOCUMENT_NUMBER_MAX))
    with st.session.lock:
        result = st.session.result
        chip_number = None
        if result is not None:
            from taimen.records.model import document_number_of

            chip_number = document_number_of(result)
    # The chip's number is never replaced from the form; a number is typed only when the chip gave none.
    number = None if chip_number else (number_typed or None)
    try:
        draft = _draft(st, who, business, counter, number)
    except ValueError:  # a number on a My Number Card (its only number is the 個人番号): refused
        draft = _draft(st, who, business, counter, None)
        problems.append(t("record_doc_number_none"))
    if draft is None:
        return _message(request, "record_no_result", 409, "record")
    keep = {"business": business, "counter": counter, "number": number_typed if not chip_number else ""}
    if problems:
        error = {"title": t("record_save_failed"), "cause": " ".join(problems), "todo": ""}
        return _save_page(request, st, draft, status=400, error=error, **keep)
    if st.session.saved_record is not None:  # already saved for this read: nothing more to store
        return RedirectResponse("/record/new", status_code=303)
    try:
        record = await asyncio.to_thread(store.save, draft, who.actor)
    except Exception as exc:
        kind = save_error_kind(exc)
        log.error("record save failed: %s (%s)", type(exc).__name__, kind)
        cause = t(f"record_err_{kind}")
        extra = getattr(exc, "message_ja", "") if lang == "ja" and kind == "other" else ""
        error = {"title": t("record_save_failed"), "cause": f"{cause} {extra}".strip(), "todo": t("record_err_todo")}
        status = 403 if kind == "forbidden" else 507 if kind == "disk_full" else 503
        return _save_page(request, st, draft, status=status, error=error, **keep)
    with st.session.lock:
        if st.session.record_key == draft.idempotency_key:  # still the same customer
            st.session.saved_record = record.id
            st.session.saved_pending = bool(getattr(record, "pending", False))
            st.session.saved_form = {**business, "counter": counter, "document_number": keep["number"]}
    return RedirectResponse("/record/new", status_code=303)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        yield e
        e = e.__cause__ or e.__context__


def save_error_kind(exc: BaseException) -> str:
    """disk_full | read_only | unreachable | forbidden | other: what the clerk is told (never the message)."""
    for e in _chain(exc):
        name = type(e).__name__
        text = str(e).lower()
        if name == "NotAuthorized":
            return "forbidden"
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return "disk_full"
        if "disk is full" in text or "no space left" in text or "disk full" in text or "diskfull" in name.lower():
            return "disk_full"
        if isinstance(e, OSError) and e.errno == errno.EROFS:
            return "read_only"
        if "readonly" in text or "read-only" in text or "read only" in text or "readonly" in name.lower():
            return "read_only"
        if name in ("StoreUnavailable", "OperationalError") and ("connect" in text or name == "StoreUnavailable"):
            return "unreachable"
    return "other"


# --- looking back: 記録一覧, 記録詳細, export -----------------------------------------------------------------


def _query(search: rv.SearchForm, limit: int, offset: int) -> Any:
    from taimen.records.model import RecordQuery

    v = search.values
    return RecordQuery(
        name=v["name"] or None,
        kana=v["kana"] or None,
        presented_from=search.presented_from,
        presented_to=search.presented_to,
        document=v["document"] or None,
        operator=v["operator"] or None,
        verdict=v["verdict"] or None,
        limit=limit,
        offset=offset,
    )


def _list_item(r: Any, lang: str) -> dict[str, Any]:
    return {
        "id": r.id,
        "version": r.version,
        "presented_at": rv.when(r.presented_at, lang),
        "name": r.name or "",
        "kana": r.name_kana or "",
        "document": rv.document_title(r.document, lang),
        "verdict": rv.verdict_kind(r.verdict, r.draft.checks, r.draft.chip_presence),
        "verdict_label": rv.verdict_label(rv.verdict_kind(r.verdict, r.draft.checks, r.draft.chip_presence), lang),
        "verdict_icon": rv.VERDICT_ICONS.get(r.verdict, "？"),
        "operator": r.operator,
        "counter": r.counter,
        "pending": getattr(r, "pending", False),
    }


@router.get("/records")
async def records_list(request: Request) -> Response:
    st = state_of(request)
    store = _store(st)
    if store is None:
        return _message(request, "record_not_configured", 404, "records")
    who = _role_ok(request, BROWSE_ROLES)
    if who is None:
        return _forbidden(request)
    lang = lang_of(request)
    search = rv.parse_search(request.query_params, lang)
    offset = (search.page - 1) * rv.PAGE_SIZE
    error = ""
    found: list[Any] = []
    try:
        found = await asyncio.to_thread(store.search, _query(search, rv.PAGE_SIZE + 1, offset), who.actor)
    except Exception as exc:
        log.error("record search failed: %s", type(exc).__name__)
        error = (
            _t(request, "forbidden_role")
            if type(exc).__name__ == "NotAuthorized"
            else _t(request, "records_unavailable")
        )
    params = {k: v for k, v in search.values.items() if v}
    return render(
        request,
        "records.html",
        "records",
        status=503 if error and not found else 200,
        search=search,
        items=[_list_item(r, lang) for r in found[: rv.PAGE_SIZE]],
        more=len(found) > rv.PAGE_SIZE,
        prev_url="/records?" + urlencode({**params, "page": search.page - 1}) if search.page > 1 else "",
        next_url="/records?" + urlencode({**params, "page": search.page + 1}),
        document_choices=rv.document_choices(lang),
        verdict_choices=[(k, rv.verdict_label(k, lang)) for k in rv.VERDICT_FILTER],
        can_export=who.role in EXPORT_ROLES,
        error=error,
        operator=who,
    )


@router.get("/records/{record_id}")
async def record_detail(request: Request, record_id: str, correct_error: str = "") -> Response:
    st = state_of(request)
    store = _store(st)
    if store is None:
        return _message(request, "record_not_configured", 404, "records")
    who = _role_ok(request, BROWSE_ROLES)
    if who is None:
        return _forbidden(request)
    lang = lang_of(request)
    t = translator(lang)
    if not _valid_id(record_id):
        return _message(request, "record_not_found", 404, "records")
    try:
        record = await asyncio.to_thread(store.get, record_id, who.actor)  # the store logs the reading
    except Exception as exc:
        kind = type(exc).__name__
        if kind == "NotAuthorized":
            return _forbidden(request)
        if kind != "RecordNotFound":
            log.error("record read failed: %s", kind)
            return _message(request, "records_unavailable", 503, "records")
        return _message(request, "record_not_found", 404, "records")
    history: list[Any] = [record]
    if record.version > 1 or record.superseded_by:  # history() logs a reading too: only when there is one
        try:
            history = await asyncio.to_thread(store.history, record_id, who.actor)
        except Exception as exc:
            log.error("record history failed: %s", type(exc).__name__)

    def access_entries() -> list[Any]:
        seen: dict[tuple[Any, ...], Any] = {}
        for version in history:
            for a in store.access_log(who.actor, record_id=version.id):
                seen.setdefault((a.at, a.actor, a.action, a.record_ids, a.detail), a)
        return sorted(seen.values(), key=lambda a: a.at, reverse=True)

    access: list[Any] = []
    try:
        access = await asyncio.to_thread(access_entries)
    except Exception as exc:  # a role that may not read the log: the section says nothing then
        log.error("access log failed: %s", type(exc).__name__)
    d = record.draft
    b = d.business
    business_rows = [rv.Row(t(label), str(getattr(b, k, "") or ""), k) for k, label, _n in rv.BUSINESS_FIELDS]
    if getattr(b, "contract_end", None):
        business_rows.append(rv.Row(t("f_contract_end"), rv.iso_date(b.contract_end.isoformat(), lang), "contract_end"))
    return render(
        request,
        "record.html",
        "records",
        record=record,
        chip_rows=rv.chip_rows(d, lang),
        method_rows=rv.method_rows(d, lang),
        number=d.document_number or "",
        number_allowed=d.document != "mynumber",
        verdict_kind=rv.verdict_kind(d.verdict, d.checks, d.chip_presence),
        verdict_label=rv.verdict_label(rv.verdict_kind(d.verdict, d.checks, d.chip_presence), lang),
        verdict_icon=rv.VERDICT_ICONS.get(d.verdict, "？"),
        reasons=[r.text(lang) for r in d.reasons],
        checks=[(c.title(lang), rv.status_word(c.status, lang), c.status, c.required) for c in d.checks],
        business_rows=business_rows,
        record_rows=[
            rv.Row(t("f_operator"), d.operator, "operator"),
            rv.Row(t("f_counter"), d.counter, "counter"),
            rv.Row(t("record_saved_by"), record.created_by, "created_by"),
            rv.Row(t("record_saved_at"), rv.when(record.created_at, lang), "created_at"),
        ],
        images=[k for k in d.images if _valid_id(k)],
        versions=[
            {
                "id": h.id,
                "version": h.version,
                "at": rv.when(h.created_at, lang),
                "by": h.created_by,
                "reason": h.correction_reason or "",
                "current": h.id == record.id,
            }
            for h in sorted(history, key=lambda h: h.version)
        ],
        access=[
            {"at": rv.when(a.at, lang), "who": a.actor, "action": _access_word(a.action, lang), "detail": a.detail}
            for a in access
        ],
        can_export=who.role in EXPORT_ROLES,
        can_correct=who.role in CORRECT_ROLES and not record.superseded_by,
        correct_fields=[(k, t(label), n, str(getattr(b, k, "") or "")) for k, label, n in rv.BUSINESS_FIELDS],
        contract_end=b.contract_end.isoformat() if getattr(b, "contract_end", None) else "",
        correct_error=correct_error,
        operator=who,
    )


def _status(response: Response, status: int) -> Response:
    if response.status_code == 200:
        response.status_code = status
    return response


def _access_word(action: str, lang: str) -> str:
    words = {
        "view": "access_read",
        "export": "access_export",
        "save": "access_save",
        "correct": "access_correct",
        "search": "access_search",
    }
    key = words.get(action)
    return translator(lang)(key) if key else action


def _valid_id(value: str) -> bool:
    return 0 < len(value) <= 64 and all(c.isascii() and (c.isalnum() or c in "-_") for c in value)


@router.post("/records/{record_id}/correct")
async def record_correct(request: Request, record_id: str) -> Response:
    """A supervisor's correction of what the operator entered: a new version pointing at this one."""
    st = state_of(request)
    store = _store(st)
    if store is None:
        return _message(request, "record_not_configured", 404)
    who = _role_ok(request, CORRECT_ROLES)
    if who is None:
        return _forbidden(request)
    if not _valid_id(record_id):
        return _message(request, "record_not_found", 404)
    t = translator(lang_of(request))
    form = await request.form()
    reason = str(form.get("reason", "")).strip()
    try:
        old = await asyncio.to_thread(store.get, record_id, who.actor)
    except Exception as exc:
        return _message(
            request, "record_not_found" if type(exc).__name__ == "RecordNotFound" else "records_unavailable", 404
        )
    b = old.draft.business
    changes: dict[str, Any] = {}
    problems: list[str] = []
    for key, label, n in rv.BUSINESS_FIELDS:
        value = str(form.get(key, "")).strip()
        if len(value) > n:
            problems.append(t("record_input_too_long", field=t(label), n=n))
        elif value != (getattr(b, key, "") or ""):
            changes[key] = value
    end = str(form.get("contract_end", "")).strip()
    old_end = b.contract_end.isoformat() if b.contract_end else ""
    if end != old_end:
        try:
            changes["contract_end"] = date.fromisoformat(end) if end else None
        except ValueError:
            problems.append(f"{t('f_contract_end')}: {t('field_invalid')}")
    if not reason:
        problems.append(t("correct_need_reason"))
    elif len(reason) > 200:
        problems.append(t("record_input_too_long", field=t("col_reason"), n=200))
    if not changes and not problems:
        problems.append(t("correct_nothing"))
    if problems:
        return _status(await record_detail(request, record_id, correct_error=" ".join(problems)), 400)
    try:
        new = await asyncio.to_thread(store.correct, record_id, changes, who.actor, reason=reason)
    except Exception as exc:
        log.error("record correction failed: %s (%s)", type(exc).__name__, save_error_kind(exc))
        message = getattr(exc, "message_ja", "") if lang_of(request) == "ja" else ""
        page = await record_detail(request, record_id, correct_error=message or t("record_err_other"))
        return _status(page, 403 if type(exc).__name__ == "NotAuthorized" else 409)
    return RedirectResponse(f"/records/{new.id}", status_code=303)


@router.get("/records/{record_id}/image/{name}.png")
async def record_image(request: Request, record_id: str, name: str) -> Response:
    st = state_of(request)
    store = _store(st)
    who = _role_ok(request, BROWSE_ROLES)
    if store is None or who is None:
        return Response(status_code=403)
    if not _valid_id(record_id) or not _valid_id(name):
        return Response(status_code=404)
    try:
        record = await asyncio.to_thread(store.get, record_id, who.actor)
    except Exception:
        return Response(status_code=404)
    img = record.draft.images.get(name)
    if img is None:
        return Response(status_code=404)
    try:
        png = await asyncio.to_thread(chip_image_png, img.data)
    except Exception:
        return Response(status_code=404)
    return Response(png, media_type="image/png")


@router.post("/records/export")
async def records_export(request: Request) -> Response:
    st = state_of(request)
    store = _store(st)
    lang = lang_of(request)
    if store is None:
        return _message(request, "record_not_configured", 404, "records")
    who = _role_ok(request, EXPORT_ROLES)
    if who is None:
        return _forbidden(request, "forbidden_export")
    form = await request.form()
    fmt = str(form.get("format", "csv"))
    if fmt not in ("csv", "pdf"):
        fmt = "csv"
    ids = [str(v) for v in form.getlist("id") if _valid_id(str(v))][:EXPORT_MAX]
    everything = form.get("all") == "1"
    search = rv.parse_search(form, lang)
    del form

    def collect() -> list[Any]:
        chosen = [r.id for r in store.search(_query(search, EXPORT_MAX, 0), who.actor)] if everything else ids
        return list(store.export_records(chosen, fmt, who.actor)) if chosen else []  # one logged export entry

    if not ids and not everything:
        return _message(request, "export_none", 400, "records")
    try:
        records = await asyncio.to_thread(collect)
        if not records:
            return _message(request, "records_none", 404, "records")
        data = await asyncio.to_thread(_export, records, fmt, lang)
    except Exception as exc:
        kind = type(exc).__name__
        log.error("record export failed: %s", kind)
        if kind == "NotAuthorized":
            return _forbidden(request, "forbidden_export")
        if kind == "RecordNotFound":
            return _message(request, "record_not_found", 404, "records")
        return _message(request, "records_unavailable", 503, "records")
    stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    name = f"kakunin-kiroku-{stamp}.{fmt}"
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/pdf"
    return Response(data, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})


def _export(records: list[Any], fmt: str, lang: str) -> bytes:
    from taimen.records.export import export_csv, export_pdf

    return export_csv(records, lang=lang) if fmt == "csv" else export_pdf(records, lang=lang)
