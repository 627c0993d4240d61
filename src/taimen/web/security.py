"""Request guard for the local app: Host check, per-run token, CSRF, body limits and response headers.

Threats, in the order they are checked:
- DNS rebinding: a hostile page whose name resolves to 127.0.0.1 sends its own Host; only our loopback names
  with our port are accepted.
- Other local users and other browser tabs: every request needs the per-run token, given once in the URL
  taimen prints (then swapped for an HttpOnly, SameSite=Strict cookie and removed from the address bar).
- Cross-site requests: POST needs the CSRF token (header or form field), a same-origin Origin when sent,
  and no cross-site Sec-Fetch-Site. No CORS headers are ever sent.
- Leaks to disk: ``Cache-Control: no-store`` on every response; multipart bodies are refused because
  Starlette spools large parts into temporary files.
"""

from __future__ import annotations

import hmac
import secrets
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
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    extra_hosts: tuple[str, ...] = ()

    @property
    def cookie_name(self) -> str:
        # Cookies ignore ports: two instances on one machine must not overwrite each other's token.
        return f"taimen_{self.port}"

    @property
    def hosts(self) -> frozenset[str]:
        names = ("127.0.0.1", "localhost", "[::1]", *self.extra_hosts)
        return frozenset(f"{n}:{self.port}" for n in names)

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(f"http://{h}" for h in self.hosts)

    def url(self, host: str = "127.0.0.1", path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}?token={self.token}"

    def token_ok(self, candidate: str | None) -> bool:
        return candidate is not None and hmac.compare_digest(candidate.encode(), self.token.encode())

    def csrf_ok(self, candidate: str | None) -> bool:
        return candidate is not None and hmac.compare_digest(candidate.encode(), self.csrf.encode())


def _headers(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in scope.get("headers", []):
        key = k.decode("latin-1").lower()
        # Duplicated security-relevant headers are refused by keeping a marker value that never matches.
        out[key] = "\x00duplicate" if key in out else v.decode("latin-1")
    return out


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
    "このページを開くには、taimen を起動したときに表示されたURLを使ってください。\n"
    "Open the URL that taimen printed when it started (it carries this run's access token).\n"
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
        h = _headers(scope)
        if h.get("host") not in g.hosts:
            await _plain(send, 400, "Host not allowed / 許可されていないホスト名です。\n")
            return
        method = scope["method"]
        # Never answer a CORS preflight with anything a browser could take as permission.
        if method == "OPTIONS":
            await _plain(send, 405, "Method not allowed\n", [(b"allow", b"GET, HEAD, POST")])
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        offered = [v for k, v in query if k == "token"]
        if offered:
            if method != "GET" or len(offered) != 1 or not g.token_ok(offered[0]):
                await _plain(send, 403, FORBIDDEN_TEXT)
                return
            # Swap the URL token for a cookie and drop it from the address bar and history.
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            # A relative, single-slash path: "//host" in Location would send the browser elsewhere.
            location = "/" + quote(scope.get("path", "/").lstrip("/\\")) + (f"?{rest}" if rest else "")
            cookie = f"{g.cookie_name}={g.token}; Path=/; HttpOnly; SameSite=Strict"
            await _plain(
                send,
                303,
                "See Other\n",
                [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode("latin-1"))],
            )
            return
        if not g.token_ok(_cookies(h.get("cookie")).get(g.cookie_name)):
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
