"""What every route needs: the run's settings and state, the language, rendering, and small helpers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment

from taimen import documents
from taimen.documents import Document, TriesReport
from taimen.errors import TaimenError
from taimen.result import ReadResult
from taimen.web.events import EventHub
from taimen.web.i18n import LANGS, pick, translator
from taimen.web.operators import BROWSE_ROLES, OperatorSessions, SignedIn
from taimen.web.readers import ReaderManager, ReaderSource
from taimen.web.security import Guard
from taimen.web.session import CheckSession

HERE = Path(__file__).parent
LANG_COOKIE = "taimen_lang"
DEFAULT_EXPECTED_EXCHANGES = 40
#: An ISA page the operator starts 在留カード等番号失効情報照会 from. The form itself moved on 2026-01-05 and cannot be
#: linked to reliably (residence-card.md §4), so the operator opens ISA's page and follows it; set
#: ``--revocation-url`` (or TAIMEN_REVOCATION_URL) to the page your organisation uses.
DEFAULT_REVOCATION_URL = "https://www.moj.go.jp/isa/applications/procedures/rcc-support.html"
#: Documents with no tries counter the card can report (the residence card: none is published, residence-card.md
#: open question 3). Their confirm screen says so instead of refusing to read for an unknown count.
NO_TRIES_COUNTER = frozenset({"residence"})


@dataclass
class Settings:
    """One run of the app. ``port`` is the port actually bound: the Host check and the URL depend on it."""

    port: int
    sources: list[ReaderSource] = field(default_factory=list)
    trust_dirs: tuple[str, ...] = ()
    lang: str = "ja"
    demo: Any = None  # a taimen.web.demo.DemoCatalog when running ``taimen demo``
    guard: Guard | None = None
    #: Optional hook (taimen.web.hooks.ocr_hook): from a captured image, the fields printed on the card face,
    #: proposals for the unlock fields, which proposals to look at twice, and the printed portrait.
    ocr: Callable[[Any, Document | None], Any] | None = None
    #: Optional hook (taimen.web.hooks.compare_hook): the result with the chip-vs-face checks added, from the
    #: OCR reading of the captured face.
    compare: Callable[[ReadResult, Any], ReadResult] | None = None
    #: The 確認記録 store (taimen.records ``RecordStore``). With one, operators sign in and records can be kept.
    records: Any = None
    #: The counter's name, prefilled in every record (the operator may correct it per record).
    counter: str = ""
    #: The business's policy: keep the chip's photo and card-face images in records (encrypted).
    keep_images: bool = False
    #: Sign in with a password (accounts). None: ask the store whether accounts exist.
    require_password: bool | None = None
    #: The demo's accounts, (login, role), and their shared password: shown on the demo's sign-in page only.
    demo_accounts: tuple[tuple[str, str], ...] = ()
    demo_password: str = ""
    #: Opened in a new tab by the result screen's 「失効情報照会を開く」 (never fetched by taimen).
    revocation_url: str = DEFAULT_REVOCATION_URL


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
    #: Starts detection on a reader (set by create_app).
    detect: Callable[[str], None] = lambda name: None
    #: The signed-in operators of this run (used only with a record store).
    operators: OperatorSessions = field(default_factory=lambda: OperatorSessions(port=0))


def state_of(request: Request) -> State:
    return request.app.state.taimen  # type: ignore[no-any-return]


def lang_of(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE) or state_of(request).settings.lang
    return lang if lang in LANGS else "ja"


def printed_hint(on: Any, lang: str) -> list[list[str]]:
    """The demo's reminder of what the sample card's face shows (synthetic persons only)."""
    if on is None:
        return []
    return [[pick(lang, ja, en), value] for ja, en, value in on.entry.printed]


def render(request: Request, template: str, page: str, status: int = 200, **context: Any) -> HTMLResponse:
    st = state_of(request)
    lang = lang_of(request)
    demo = st.settings.demo
    who: SignedIn | None = request.scope.get("state", {}).get("operator")
    html = st.env.get_template(template).render(
        t=translator(lang),
        lang=lang,
        page=page,
        csrf=st.guard.csrf,
        demo=demo,
        demo_cards=demo.cards if demo is not None else [],
        demo_on=demo.on_reader() if demo is not None else None,
        # The sample card's printed values help typing; never shown once a result is on screen.
        demo_printed=printed_hint(demo.on_reader(), lang)
        if demo is not None and page in ("capture", "confirm")
        else [],
        readers=st.readers.infos(),
        current_reader=st.readers.current_name(),
        records_on=st.settings.records is not None,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        who=who,
        can_browse=who is not None and who.role in BROWSE_ROLES,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def docs() -> dict[str, Document]:
    return documents.registry()


def current_document(st: State) -> Document | None:
    """The chosen document; "auto" means what detection found on the current reader."""
    known = docs()
    key = st.session.document
    if key in known:
        return known[key]
    if key == "auto":
        found = st.detected.get(st.readers.current_name() or "", [])
        if found and found[0] in known:
            return known[found[0]]
    return None


def error_json(lang: str, exc: TaimenError, kind: str, status: int, **extra: Any) -> JSONResponse:
    message = exc.message_ja if lang == "ja" else str(exc)
    return JSONResponse({"ok": False, "error": {"kind": kind, "message": message}, **extra}, status_code=status)


def simple_error(kind: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"ok": False, "error": {"kind": kind, "message": message}}, status_code=status)


def card_present(st: State) -> bool:
    r = st.readers.current()
    return r is not None and r.info().card_present


def tries_json(reports: list[TriesReport], document: str = "") -> list[dict[str, Any]]:
    """Each secret's state; "none" where the document has no counter at all (nothing to read, nothing to lose
    but the one attempt, which is never repeated automatically)."""
    out = []
    for r in reports:
        n = r.tries_left
        if n is None and document in NO_TRIES_COUNTER:
            out.append({"secret": r.secret, "tries_left": None, "state": "none"})
            continue
        state = "unknown" if n is None else "locked" if n == 0 else "last" if n == 1 else "ok"
        out.append({"secret": r.secret, "tries_left": n, "state": state})
    return out


async def query_tries(st: State, doc: Document) -> list[TriesReport]:
    """Remaining tries, read without spending any (VERIFY with no data), in a worker thread."""

    def run() -> list[TriesReport]:
        with st.readers.session() as transport:
            return doc.tries(transport)

    return await asyncio.to_thread(run)
