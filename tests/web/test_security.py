"""The counter app's guard: token, Host check, no CORS, CSRF, no-store, CSP, body limits."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from starlette.testclient import TestClient

from taimen.web.security import CSP, Guard

from .conftest import PORT

HOST = f"127.0.0.1:{PORT}"


# --- the per-run token ----------------------------------------------------------------------------------


def test_every_page_needs_the_token(anon: TestClient) -> None:
    for path in ("/", "/capture", "/confirm", "/result", "/static/app.js", "/events", "/api/readers", "/nope"):
        r = anon.get(path)
        assert r.status_code == 403, path
        assert "taimen" in r.text


def test_wrong_token_refused_and_no_cookie(anon: TestClient, guard: Guard) -> None:
    r = anon.get("/?token=" + guard.token[:-1] + "x")
    assert r.status_code == 403
    assert "set-cookie" not in r.headers


def test_url_token_becomes_a_strict_httponly_cookie_and_leaves_the_url(anon: TestClient, guard: Guard) -> None:
    r = anon.get(f"/capture?token={guard.token}&lang=en")
    assert r.status_code == 303
    assert r.headers["location"] == "/capture?lang=en"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"taimen_{PORT}={guard.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert anon.get("/").status_code == 200


def test_token_redirect_cannot_point_to_another_host(anon: TestClient, guard: Guard) -> None:
    r = anon.get(f"//evil.example/x?token={guard.token}")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/") and not r.headers["location"].startswith("//")


def test_token_only_accepted_on_get(anon: TestClient, guard: Guard) -> None:
    r = anon.post(f"/finish?token={guard.token}", data={"csrf": guard.csrf})
    assert r.status_code == 403


def test_cookie_of_another_instance_is_not_enough(anon: TestClient, guard: Guard) -> None:
    other = Guard(port=PORT + 1)
    anon.cookies.set(other.cookie_name, other.token)
    anon.cookies.set(guard.cookie_name, other.token)
    assert anon.get("/").status_code == 403


# --- Host header (DNS rebinding) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["evil.example", f"evil.example:{PORT}", f"127.0.0.1:{PORT + 1}", "127.0.0.1", f"127.0.0.2:{PORT}", ""]
)
def test_foreign_host_header_refused_even_with_token(client: TestClient, host: str) -> None:
    r = client.get("/", headers={"host": host})
    assert r.status_code == 400


@pytest.mark.parametrize("host", [f"localhost:{PORT}", f"[::1]:{PORT}", HOST])
def test_loopback_names_accepted(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"host": host}).status_code == 200


def test_foreign_host_cannot_obtain_the_cookie(anon: TestClient, guard: Guard) -> None:
    r = anon.get(f"/?token={guard.token}", headers={"host": f"rebind.example:{PORT}"})
    assert r.status_code == 400
    assert "set-cookie" not in r.headers


# --- no CORS --------------------------------------------------------------------------------------------


def test_no_cors_preflight(client: TestClient) -> None:
    r = client.options(
        "/api/read",
        headers={
            "origin": "http://evil.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "x-csrf-token",
        },
    )
    assert r.status_code == 405
    assert not [h for h in r.headers if h.lower().startswith("access-control-")]


def test_no_cors_headers_on_responses(client: TestClient) -> None:
    for path in ("/", "/api/readers", "/api/state"):
        r = client.get(path, headers={"origin": "http://evil.example"})
        assert r.status_code == 200
        assert not [h for h in r.headers if h.lower().startswith("access-control-")], path


# --- CSRF -----------------------------------------------------------------------------------------------


def _post_routes(app) -> list[str]:  # type: ignore[no-untyped-def]
    def walk(routes):  # type: ignore[no-untyped-def]
        for r in routes:
            if isinstance(r, APIRoute):
                yield r
            inner = getattr(r, "original_router", None)  # FastAPI's included routers (paths carry the prefix)
            if inner is not None:
                yield from walk(inner.routes)

    return [r.path for r in walk(app.routes) if "POST" in r.methods]


def test_every_post_endpoint_needs_the_csrf_token(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    paths = _post_routes(app)
    assert {"/finish", "/api/read", "/api/capture", "/document", "/lang", "/api/demo/place"} <= set(paths)
    for path in paths:
        r = client.post(path, data={"x": "1"})
        assert r.status_code == 403, path
        r = client.post(path, data={"x": "1"}, headers={"x-csrf-token": "wrong"})
        assert r.status_code == 403, path
        r = client.post(path, content=b"\xff\xd8", headers={"content-type": "image/jpeg"})
        assert r.status_code == 403, path


def test_csrf_token_in_form_or_header(client: TestClient, guard: Guard) -> None:
    assert client.post("/finish", data={"csrf": guard.csrf}).status_code == 303
    assert client.post("/finish", headers={"x-csrf-token": guard.csrf}).status_code == 200


def test_cross_origin_post_refused_even_with_csrf(client: TestClient, guard: Guard) -> None:
    h = {"x-csrf-token": guard.csrf}
    assert client.post("/finish", headers={**h, "origin": "http://evil.example"}).status_code == 403
    assert client.post("/finish", headers={**h, "origin": f"http://127.0.0.1:{PORT + 1}"}).status_code == 403
    assert client.post("/finish", headers={**h, "sec-fetch-site": "cross-site"}).status_code == 403
    assert client.post("/finish", headers={**h, "sec-fetch-site": "same-site"}).status_code == 403
    assert client.post("/finish", headers={**h, "origin": f"http://{HOST}"}).status_code == 200
    assert client.post("/finish", headers={**h, "sec-fetch-site": "same-origin"}).status_code == 200


def test_csrf_token_is_in_the_page_for_forms(client: TestClient, guard: Guard) -> None:
    html = client.get("/").text
    assert f'<meta name="csrf-token" content="{guard.csrf}">' in html
    assert f'name="csrf" value="{guard.csrf}"' in html
    assert guard.token not in html  # the access token never appears in a page


def test_multipart_refused(client: TestClient, guard: Guard) -> None:
    r = client.post(
        "/api/capture", files={"f": ("a.jpg", b"\xff\xd8" * 10, "image/jpeg")}, headers={"x-csrf-token": guard.csrf}
    )
    assert r.status_code == 415


def test_body_limits(client: TestClient, guard: Guard) -> None:
    h = {"x-csrf-token": guard.csrf, "content-type": "application/x-www-form-urlencoded"}
    assert client.post("/finish", content=b"a=" + b"1" * 70_000, headers=h).status_code == 413
    h = {"x-csrf-token": guard.csrf, "content-type": "image/jpeg"}
    assert client.post("/api/capture", content=b"\0" * (13 * 1024 * 1024), headers=h).status_code == 413


def test_other_methods_refused(client: TestClient) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        assert client.request(method, "/finish").status_code == 405


# --- response headers -----------------------------------------------------------------------------------


def test_no_store_and_csp_everywhere(client: TestClient, anon: TestClient) -> None:
    responses = [
        client.get("/"),
        client.get("/static/app.js"),
        client.get("/static/app.css"),
        client.get("/api/readers"),
        client.get("/result/photo.png"),  # 404: no result
        client.get("/nope"),
        anon.get("/"),  # 403
        client.get("/", headers={"host": "evil.example"}),  # 400
    ]
    for r in responses:
        assert r.headers["cache-control"].startswith("no-store"), r.url
        assert r.headers["content-security-policy"] == CSP, r.url
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert r.headers["x-frame-options"] == "DENY"


def test_csp_is_strict() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP and "*" not in CSP
    assert "http:" not in CSP and "https:" not in CSP and "data:" not in CSP


def test_pages_have_no_inline_script_or_style(client: TestClient, guard: Guard) -> None:
    client.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    pages = [client.get(p).text for p in ("/", "/capture", "/result")]
    for html in pages:
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert re.search(r'\bsrc="/static/[a-z]+\.js"', tag), tag
        assert not re.search(r"<script\b[^>]*>(?!</script>)", html)  # no inline code
        assert not re.search(r"\son[a-z]+=", html)  # no event-handler attributes
        assert not re.search(r"\sstyle=", html)
        assert "<style" not in html
        assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing external (no CDN, no web fonts)


def test_static_files_have_no_external_references(client: TestClient) -> None:
    for path in ("/static/app.js", "/static/app.css"):
        text = client.get(path).text
        assert "http://" not in text and "https://" not in text and "@import" not in text and "url(" not in text
