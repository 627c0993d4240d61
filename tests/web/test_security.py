"""The counter app's guard: token, Host check, no CORS, CSRF, no-store, CSP, body limits."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from starlette.testclient import TestClient

from taimen.web.security import CSP, Guard

from .conftest import PORT

HOST = f"127.0.0.1:{PORT}"


# --- launch codes and sessions -------------------------------------------------------------------------


def test_every_page_needs_a_session(anon: TestClient) -> None:
    for path in ("/", "/capture", "/confirm", "/result", "/static/app.js", "/events", "/api/readers", "/nope"):
        r = anon.get(path)
        assert r.status_code == 403, path
        assert "taimen" in r.text


def test_wrong_code_refused_and_no_cookie(anon: TestClient, guard: Guard) -> None:
    code = guard.new_code()
    r = anon.get("/?code=" + code[:-1] + ("x" if code[-1] != "x" else "y"))
    assert r.status_code == 403
    assert "set-cookie" not in r.headers


def test_launch_code_becomes_a_strict_httponly_session_cookie_and_leaves_the_url(
    anon: TestClient, guard: Guard
) -> None:
    code = guard.new_code()
    r = anon.get(f"/capture?code={code}&lang=en")
    assert r.status_code == 303
    assert r.headers["location"] == "/capture?lang=en"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"taimen_{PORT}=")
    session = cookie.split(";")[0].split("=", 1)[1]
    assert session and session != code  # the code on a command line is not the session
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert anon.get("/").status_code == 200


def test_launch_code_works_once(app, guard: Guard) -> None:  # type: ignore[no-untyped-def]
    code = guard.new_code()
    with TestClient(app, base_url=f"http://{HOST}", follow_redirects=False) as first:
        assert first.get(f"/?code={code}").status_code == 303
        assert first.get("/").status_code == 200
        with TestClient(app, base_url=f"http://{HOST}", follow_redirects=False) as second:
            r = second.get(f"/?code={code}")  # e.g. read off the browser's command line with ps
            assert r.status_code == 403 and "set-cookie" not in r.headers
            assert second.get("/").status_code == 403
            # a second screen needs a code of its own; both then work
            assert second.get(f"/?code={guard.new_code()}").status_code == 303
            assert second.get("/").status_code == 200
        assert first.get("/").status_code == 200


def test_cookie_set_to_the_code_is_not_a_session(anon: TestClient, guard: Guard) -> None:
    code = guard.new_code()
    anon.cookies.set(guard.cookie_name, code)
    assert anon.get("/").status_code == 403


def test_launch_code_expires() -> None:
    guard = Guard(port=PORT, code_lifetime=0.0)
    assert guard.redeem(guard.new_code()) is None


def test_code_redirect_cannot_point_to_another_host(anon: TestClient, guard: Guard) -> None:
    r = anon.get(f"//evil.example/x?code={guard.new_code()}")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/") and not r.headers["location"].startswith("//")


def test_code_only_accepted_on_get(anon: TestClient, guard: Guard) -> None:
    code = guard.new_code()
    r = anon.post(f"/finish?code={code}", data={"csrf": guard.csrf})
    assert r.status_code == 403
    assert anon.get(f"/?code={code}").status_code == 403  # the attempt used it up


def test_old_token_parameter_is_not_a_way_in(anon: TestClient, guard: Guard) -> None:
    assert anon.get(f"/?token={guard.new_code()}").status_code == 403


def test_session_of_another_instance_is_not_enough(app, guard: Guard) -> None:  # type: ignore[no-untyped-def]
    other = Guard(port=PORT + 1)
    session = other.redeem(other.new_code())
    assert session is not None
    with TestClient(app, base_url=f"http://{HOST}", follow_redirects=False) as c:
        c.cookies.set(other.cookie_name, session)
        c.cookies.set(guard.cookie_name, session)
        assert c.get("/").status_code == 403


def test_sessions_and_codes_are_bounded() -> None:
    guard = Guard(port=PORT)
    sessions = [guard.redeem(guard.new_code()) for _ in range(Guard.MAX_SESSIONS + 5)]
    assert not guard.session_ok(sessions[0])  # the oldest screens are let go first
    assert guard.session_ok(sessions[-1])
    codes = [guard.new_code() for _ in range(Guard.MAX_CODES + 5)]
    assert guard.redeem(codes[0]) is None and guard.redeem(codes[-1]) is not None


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
    r = anon.get(f"/?code={guard.new_code()}", headers={"host": f"rebind.example:{PORT}"})
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
    assert anon_session(client, guard) not in html  # the session never appears in a page


def anon_session(client: TestClient, guard: Guard) -> str:
    value = client.cookies.get(guard.cookie_name)
    assert value
    return value


def test_multipart_refused(client: TestClient, guard: Guard) -> None:
    r = client.post(
        "/api/capture", files={"f": ("a.jpg", b"\xff\xd8" * 10, "image/jpeg")}, headers={"x-csrf-token": guard.csrf}
    )
    assert r.status_code == 415


@pytest.mark.parametrize(
    "types",
    [
        ("multipart/form-data; boundary=x", "image/jpeg"),
        ("image/jpeg", "multipart/form-data; boundary=x"),
        ("application/x-www-form-urlencoded", "application/x-www-form-urlencoded"),
    ],
)
def test_more_than_one_content_type_refused(client: TestClient, guard: Guard, types: tuple[str, str]) -> None:
    body = b"--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.jpg\"\r\n\r\n\xff\xd8\r\n--x--\r\n"
    headers = [("x-csrf-token", guard.csrf), ("content-type", types[0]), ("content-type", types[1])]
    for path in ("/api/capture", "/finish", "/api/read"):
        r = client.post(path, content=body, headers=headers)
        assert r.status_code == 400, (path, r.status_code)


@pytest.mark.parametrize("name", ["content-length", "host", "cookie", "origin", "x-csrf-token", "transfer-encoding"])
def test_other_duplicated_guard_headers_refused(client: TestClient, guard: Guard, name: str) -> None:
    value = {"content-length": "0", "host": HOST, "cookie": "a=b", "origin": f"http://{HOST}"}.get(name, guard.csrf)
    if name == "transfer-encoding":
        value = "chunked"
    headers = [("x-csrf-token", guard.csrf), (name, value), (name, value)]
    if name == "x-csrf-token":
        headers = headers[1:]
    r = client.post("/finish", headers=headers)
    assert r.status_code == 400, r.status_code


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
