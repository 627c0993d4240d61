"""Who is at the counter: the signed-in operator of a browser, and the gate that asks for one.

With a record store configured, every screen except sign-in needs an operator. Without accounts in the store
the operator only identifies (name and ID; role: counter operator); with accounts (always with a central
store) the store checks the password and says the role. The operator's session is a random id in an HttpOnly,
SameSite=Strict cookie, renewed at every sign-in (no fixation) and forgotten at sign-out or after
``idle_seconds`` without a request. Roles are checked here per route AND by the store on every call.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

OPERATOR = "operator"
SUPERVISOR = "supervisor"
AUDITOR = "auditor"
ROLES = (OPERATOR, SUPERVISOR, AUDITOR)
#: Who may open the records screens, and who may export.
BROWSE_ROLES = frozenset({SUPERVISOR, AUDITOR})
EXPORT_ROLES = frozenset({SUPERVISOR})
#: Who may correct what an operator entered (a new version; the chip's values never change).
CORRECT_ROLES = frozenset({SUPERVISOR})

#: Paths open without an operator: the sign-in page itself, static files, the language switch, and the event
#: stream (it carries no personal data; refusing it would make the browser retry for ever).
OPEN_PATHS = ("/signin", "/signout", "/lang", "/events")
OPEN_PREFIXES = ("/static/",)


@dataclass(frozen=True)
class SignedIn:
    """The person at the keyboard. ``actor`` is what the store knows them by (its ``Operator``)."""

    name: str
    operator_id: str
    role: str
    actor: Any = None


@dataclass
class _Entry:
    operator: SignedIn
    seen: float


@dataclass
class OperatorSessions:
    port: int
    idle_seconds: float = 8 * 3600.0  # a shift
    _by_id: dict[str, _Entry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def cookie_name(self) -> str:
        return f"taimen_{self.port}_op"

    def start(self, operator: SignedIn) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._by_id[sid] = _Entry(operator, time.monotonic())
        return sid

    def get(self, sid: str | None) -> SignedIn | None:
        if not sid:
            return None
        now = time.monotonic()
        with self._lock:
            entry = self._by_id.get(sid)
            if entry is None:
                return None
            if now - entry.seen > self.idle_seconds:
                del self._by_id[sid]
                return None
            entry.seen = now
            return entry.operator

    def end(self, sid: str | None) -> None:
        with self._lock:
            self._by_id.pop(sid or "", None)

    def end_all(self) -> None:
        with self._lock:
            self._by_id.clear()

    def cookie(self, sid: str) -> str:
        return f"{self.cookie_name}={sid}; Path=/; HttpOnly; SameSite=Strict"

    def expired_cookie(self) -> str:
        return f"{self.cookie_name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"


def _cookie(scope: Scope, name: str) -> str | None:
    for k, v in scope.get("headers", []):
        if k.lower() != b"cookie":
            continue
        for part in v.decode("latin-1").split(";"):
            key, sep, value = part.strip().partition("=")
            if sep and key == name:
                return value
    return None


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


class OperatorGate:
    """Puts the signed-in operator in ``scope["state"]["operator"]``; without one, only the open paths answer.

    Runs inside the security middleware (token, Host and CSRF are checked before). Pages and plain form posts
    (e.g. after the session timed out) go to the sign-in page; script calls get 401.
    """

    def __init__(self, app: ASGIApp, sessions: OperatorSessions, enabled: Callable[[], bool]) -> None:
        self.app = app
        self.sessions = sessions
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled():
            await self.app(scope, receive, send)
            return
        operator = self.sessions.get(_cookie(scope, self.sessions.cookie_name))
        scope.setdefault("state", {})["operator"] = operator
        path = scope.get("path", "/")
        if operator is not None or is_open(path):
            await self.app(scope, receive, send)
            return
        plain_form = scope["method"] == "POST" and not any(k.lower() == b"x-csrf-token" for k, _ in scope["headers"])
        if (scope["method"] == "GET" or plain_form) and not path.startswith("/api/"):
            headers = [(b"location", b"/signin"), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 303, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = b'{"ok": false, "error": {"kind": "signin", "message": "sign in first"}}'
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 401, "headers": headers})
        await send({"type": "http.response.body", "body": body})
