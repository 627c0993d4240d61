"""Request guard for the local app: Host check, per-run token, CSRF, body limits and response headers.

Threats, in the order they are checked:
- DNS rebinding: a hostile page whose name resolves to 127.0.0.1 sends its own Host; only our loopback names
  with our port are accepted.
- Other local users and other browser tabs: every request needs a session cookie (HttpOnly, SameSite=Strict).
  A browser gets one by opening a one-time launch code (``/?code=…``): the code is swapped for a session of
  its own on first use and dies, so the code on the browser's command line (readable with ``ps``) or in the
  history is worthless once used, and unused codes expire after a few minutes. A second screen needs a new
  code, which the server prints on request (Enter in its terminal, or SIGUSR1).
- Cross-site requests: POST needs the CSRF token (header or form field), a same-origin Origin when sent,
  and no cross-site Sec-Fetch-Site. No CORS headers are ever sent.
- Leaks to disk: ``Cache-Control: no-store`` on every response; multipart bodies are refused because
  Starlette spools large parts into temporary files.
- Ambiguous requests: a request repeating a header the guard decides on (Content-Type, Content-Length,
  Host, Cookie, Origin…) is refused: the guard and the framework could read different copies.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob:",
        "media-src 'self' blob: mediastream:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"cache-control", b"no-store, max-age=0"),
    (b"pragma", b"no-cache"),
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # "no-referrer" would make form POSTs send Origin: null
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=(), usb=(), payment=()"),
)

#: Largest request body per path prefix; everything else gets ``DEFAULT_BODY_LIMIT``.
BODY_LIMITS = {"/api/capture": 12 * 1024 * 1024}
DEFAULT_BODY_LIMIT = 64 * 1024


@dataclass
class Guard:
    """The secrets of one run. ``port`` is the port actually bound (Host and Origin must name it)."""

    port: int
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    extra_hosts: tuple[str, ...] = ()
    #: Seconds a launch code stays valid when nobody uses it.
    code_lifetime: float = 300.0
    _codes: OrderedDict[str, float] = field(default_factory=OrderedDict, repr=False)  # code → deadline
    _sessions: OrderedDict[str, None] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    #: Screens open at once (the oldest are let go first) and codes waiting to be used.
    MAX_SESSIONS = 16
    MAX_CODES = 8

    @property
    def cookie_name(self) -> str:
        # Cookies ignore ports: two instances on one machine must not overwrite each other's session.
        return f"taimen_{self.port}"

    @property
    def hosts(self) -> frozenset[str]:
        names = ("127.0.0.1", "localhost", "[::1]", *self.extra_hosts)
        return frozenset(f"{n}:{self.port}" for n in names)

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(f"http://{h}" for h in self.hosts)

    def new_code(self) -> str:
        """A fresh one-time launch code."""
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = time.monotonic() + self.code_lifetime
            while len(self._codes) > self.MAX_CODES:
                self._codes.popitem(last=False)
        return code

    def launch_url(self, host: str = "127.0.0.1", path: str = "/") -> str:
        """A URL with a fresh launch code: good for one browser, once."""
        return f"http://{host}:{self.port}{path}?code={self.new_code()}"

    def redeem(self, candidate: str) -> str | None:
        """The new session for a valid, unused, unexpired code (which dies here), else None."""
        now = time.monotonic()
        with self._lock:
            found = None
            for code, deadline in self._codes.items():
                if hmac.compare_digest(candidate.encode(), code.encode()):
                    found = (code, deadline)
            if found is None:
                return None
            del self._codes[found[0]]
            if now > found[1]:
                return None
            session = secrets.token_urlsafe(32)
            self._sessions[session] = None
            while len(self._sessions) > self.MAX_SESSIONS:
                self._sessions.popitem(last=False)
            return session

    def session_ok(self, candidate: str | None) -> bool:
        if not candidate:
            return False
        with self._lock:
            return any(hmac.compare_digest(candidate.encode(), s.encode()) for s in self._sessions)

    def csrf_ok(self, candidate: str | None) -> bool:
        return candidate is not None and hmac.compare_digest(candidate.encode(), self.csrf.encode())


#: Headers the guard (or the framework behind it) decides on: sent twice, the two could disagree.
SINGLE_HEADERS = frozenset(
    {
        "host",
        "content-type",
        "content-length",
        "transfer-encoding",
        "cookie",
        "origin",
        "sec-fetch-site",
        "x-csrf-token",
    }
)


def _headers(scope: Scope) -> tuple[dict[str, str], bool]:
    """The request's headers by lower-case name, and whether one of ``SINGLE_HEADERS`` came more than once."""
    out: dict[str, str] = {}
    repeated = False
    for k, v in scope.get("headers", []):
        key = k.decode("latin-1").lower()
        if key in out:
            repeated = repeated or key in SINGLE_HEADERS
            # Any other repeated header keeps a marker value that never matches anything.
            out[key] = "\x00duplicate"
        else:
            out[key] = v.decode("latin-1")
    return out, repeated


def _cookies(header: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (header or "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            out.setdefault(name, value)
    return out


async def _plain(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *SECURITY_HEADERS,
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


FORBIDDEN_TEXT = (
    "このページを開くには、taimen が表示したURLを使ってください。URLは一度しか使えません。"
    "新しいURLは、taimen を起動した画面で Enter キーを押すと表示されます。\n"
    "Open the URL that taimen printed. Each URL works once: press Enter in taimen's terminal "
    "(or send it SIGUSR1) for a new one.\n"
)


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # no websockets in this app
            return
        g = self.guard
        h, repeated = _headers(scope)
        if repeated:
            await _plain(send, 400, "Repeated header / 同じヘッダーが複数あります。\n")
            return
        if h.get("host") not in g.hosts:
            await _plain(send, 400, "Host not allowed / 許可されていないホスト名です。\n")
            return
        method = scope["method"]
        # Never answer a CORS preflight with anything a browser could take as permission.
        if method == "OPTIONS":
            await _plain(send, 405, "Method not allowed\n", [(b"allow", b"GET, HEAD, POST")])
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        offered = [v for k, v in query if k == "code"]
        if offered:
            # Spent even when refused (a POST, a second copy): a launch code is good for one attempt.
            sessions = [g.redeem(v) for v in offered]
            if method != "GET" or len(offered) != 1 or sessions[0] is None:
                await _plain(send, 403, FORBIDDEN_TEXT)
                return
            # Swap the code for a session cookie and drop it from the address bar and history.
            rest = urlencode([(k, v) for k, v in query if k != "code"])
            # A relative, single-slash path: "//host" in Location would send the browser elsewhere.
            location = "/" + quote(scope.get("path", "/").lstrip("/\\")) + (f"?{rest}" if rest else "")
            cookie = f"{g.cookie_name}={sessions[0]}; Path=/; HttpOnly; SameSite=Strict"
            await _plain(
                send,
                303,
                "See Other\n",
                [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode("latin-1"))],
            )
            return
        if not g.session_ok(_cookies(h.get("cookie")).get(g.cookie_name)):
            await _plain(send, 403, FORBIDDEN_TEXT)
            return
        if method not in ("GET", "HEAD", "POST"):
            await _plain(send, 405, "Method not allowed\n", [(b"allow", b"GET, HEAD, POST")])
            return
        if method == "POST":
            await self._post(scope, receive, send, h)
            return
        await self.app(scope, receive, _with_headers(send))

    async def _post(self, scope: Scope, receive: Receive, send: Send, h: dict[str, str]) -> None:
        g = self.guard
        origin = h.get("origin")
        if origin is not None and origin not in g.origins:
            await _plain(send, 403, "Cross-origin request refused / 他のサイトからの要求は受け付けません。\n")
            return
        if h.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            await _plain(send, 403, "Cross-site request refused / 他のサイトからの要求は受け付けません。\n")
            return
        path = scope.get("path", "")
        limit = next((n for p, n in BODY_LIMITS.items() if path.startswith(p)), DEFAULT_BODY_LIMIT)
        declared = h.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _plain(send, 413, "Request body too large\n")
            return
        ctype = h.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "multipart/form-data":
            # Starlette spools multipart files to disk; images are sent as raw bodies instead.
            await _plain(send, 415, "multipart/form-data is not accepted\n")
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                await _plain(send, 413, "Request body too large\n")
                return
        token = h.get("x-csrf-token")
        if token is None and ctype == "application/x-www-form-urlencoded":
            fields = [v for k, v in parse_qsl(bytes(body).decode("utf-8", "replace")) if k == "csrf"]
            token = fields[0] if len(fields) == 1 else None
        if not g.csrf_ok(token):
            await _plain(send, 403, "CSRF token missing or wrong / 画面を開き直してから操作してください。\n")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        try:
            await self.app(scope, replay, _with_headers(send))
        finally:
            body[:] = bytes(len(body))  # the body may have carried a PIN: overwrite our copy


def _with_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            names = {b"cache-control", b"pragma", b"content-security-policy"}
            headers = [
                (k, v)
                for k, v in message.get("headers", [])
                if k.lower() not in names and not k.lower().startswith(b"access-control-")
            ]
            existing = {k.lower() for k, _ in headers}
            headers += [(k, v) for k, v in SECURITY_HEADERS if k not in existing]
            message = {**message, "headers": headers}
        await send(message)

    return wrapped
