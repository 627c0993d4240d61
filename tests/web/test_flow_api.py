"""The whole counter flow over HTTP, with the real My Number document on the demo's virtual reader."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator

import pytest
from PIL import Image
from starlette.testclient import TestClient

from taimen.emulator.card import KeyRef, VirtualCard
from taimen.web.app import Settings, State, create_app
from taimen.web.demo import DemoCatalog, load_catalog
from taimen.web.readers import VirtualSource
from taimen.web.security import Guard

pytest.importorskip("taimen.samples.mynumber_cards")

PORT = 18766
YAMADA = {"birth": "550217", "calendar": "wareki", "expiry_year": "2035", "security_code": "2285"}
YAMADA_B = "55021720352285"


@pytest.fixture
def catalog() -> Iterator[DemoCatalog]:
    c = load_catalog(realtime=False)
    yield c
    c.close()


@pytest.fixture
def guard() -> Guard:
    return Guard(port=PORT)


@pytest.fixture
def client(catalog: DemoCatalog, guard: Guard) -> Iterator[TestClient]:
    settings = Settings(
        port=PORT, guard=guard, sources=[VirtualSource(catalog.reader)], demo=catalog, trust_dirs=catalog.trust_dirs
    )
    with TestClient(create_app(settings), base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False) as c:
        assert c.get(f"/?code={guard.new_code()}").status_code == 303
        yield c


def _st(c: TestClient) -> State:
    return c.app.state.taimen  # type: ignore[attr-defined,no-any-return]


def _h(guard: Guard) -> dict[str, str]:
    return {"x-csrf-token": guard.csrf}


def place(c: TestClient, guard: Guard, key: str) -> VirtualCard:
    r = c.post("/api/demo/place", data={"card": key}, headers=_h(guard))
    assert r.status_code == 200, r.text
    st = _st(c)
    name = st.readers.current_name()
    for _ in range(500):  # detection runs in a worker thread
        if name in st.detected:
            break
        time.sleep(0.01)
    card = st.settings.demo.entries[key]._card
    assert card is not None
    card.log = []
    return card


def verifies(card: VirtualCard) -> list[bytes]:
    """VERIFY commands that carried a value (the ones that can spend a try)."""
    return [cmd for cmd, _ in card.log or [] if cmd[1] == 0x20 and len(cmd) > 5]


def b_keys(card: VirtualCard) -> list[KeyRef]:
    return [k for app in card.applications for k in app.keys.values() if k.name == "照合番号B"]


def read(c: TestClient, guard: Guard, values: dict[str, str], **extra: str):  # type: ignore[no-untyped-def]
    return c.post("/api/read", data={**values, **extra}, headers=_h(guard))


def test_detect_choose_confirm_read_result_finish(client: TestClient, guard: Guard) -> None:
    card = place(client, guard, "mynumber-yamada")
    assert client.get("/api/readers").json()["detected"] == {_st(client).readers.current_name(): ["mynumber"]}
    html = client.get("/").text
    assert "マイナンバーカード" in html
    r = client.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    assert r.status_code == 303 and r.headers["location"] == "/capture"
    assert client.get("/capture").status_code == 200
    confirm = client.get("/confirm")
    assert confirm.status_code == 200
    assert "残り10回" in confirm.text and 'data-known="1"' in confirm.text
    assert 'name="security_code"' in confirm.text and 'name="calendar"' in confirm.text
    assert verifies(card) == []  # showing the tries spent nothing
    assert client.get("/api/tries").json() == {
        "ok": True,
        "tries": [
            {"secret": "照合番号B（券面事項入力補助AP）", "tries_left": 10, "state": "ok"},
            {"secret": "照合番号B（券面AP）", "tries_left": 10, "state": "ok"},
        ],
    }
    r = read(client, guard, YAMADA)
    assert r.status_code == 200, r.text
    assert r.json() == {"ok": True, "next": "/result"}
    page = client.get("/result").text
    assert "verdict-genuine" in page and "真正" in page
    assert "山田　花子" in page and "東京都千代田区霞が関２丁目１番２号" in page and "昭和55年2月17日" in page
    assert 'data-check="kenmen_ap.signature" data-status="passed"' in page
    for secret in (YAMADA_B, "2285", "550217"):  # as values: hex digests and fingerprints may hold the digits
        assert not re.search(rf"(?<![0-9A-Fa-f]){secret}(?![0-9A-Fa-f])", page), secret
    photo = client.get("/result/photo.png")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(photo.content)).size == (120, 160)
    name_img = client.get("/result/image/name.png")
    assert name_img.status_code == 200 and name_img.content.startswith(b"\x89PNG")
    assert client.get("/result/image/nope.png").status_code == 404
    # After the read the values are gone from the confirm page too.
    again = client.get("/confirm").text
    assert YAMADA_B not in again and 'value="2285"' not in again
    r = client.post("/finish", data={"csrf": guard.csrf})
    assert r.status_code == 303
    main = client.get("/result").text.split("<main", 1)[1].split("</main>", 1)[0]
    assert "山田" not in main
    assert client.get("/result/photo.png").status_code == 404
    assert _st(client).session.empty


def test_english_result(client: TestClient, guard: Guard) -> None:
    place(client, guard, "mynumber-yamada")
    client.post("/lang", data={"csrf": guard.csrf, "lang": "en"})
    client.post("/document", data={"csrf": guard.csrf, "document": "mynumber"})
    assert "10 left" in client.get("/confirm").text
    assert read(client, guard, YAMADA).status_code == 200
    page = client.get("/result").text
    assert "Genuine" in page and "Passed" in page and "1980-02-17" in page


def test_wrong_value_spends_one_try_is_never_retried_and_says_so(client: TestClient, guard: Guard) -> None:
    card = place(client, guard, "mynumber-yamada")
    client.post("/document", data={"csrf": guard.csrf, "document": "mynumber"})
    r = read(client, guard, {**YAMADA, "security_code": "2286"})
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["kind"] == "rejected" and "残り9回" in err["message"]
    assert r.json()["tries_left"] == 9
    assert len(verifies(card)) == 1  # one VERIFY at the first AP, none at the second, no retry
    assert [k.tries_left for k in b_keys(card)] == [9, 10]
    assert "残り9回" in client.get("/confirm").text
    assert _st(client).session.result is None


def test_invalid_values_never_reach_the_card(client: TestClient, guard: Guard) -> None:
    card = place(client, guard, "mynumber-yamada")
    client.post("/document", data={"csrf": guard.csrf, "document": "mynumber"})
    r = read(client, guard, {**YAMADA, "security_code": "22a5", "expiry_year": ""})
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"security_code", "expiry_year"}
    assert card.log == []


def test_last_try_needs_explicit_confirmation(client: TestClient, guard: Guard) -> None:
    card = place(client, guard, "mynumber-yamada")
    for k in b_keys(card):
        k.tries_left = 1
    client.post("/document", data={"csrf": guard.csrf, "document": "mynumber"})
    page = client.get("/confirm").text
    assert 'data-state="last"' in page and "残り1回です" in page and 'id="confirm-last-try"' in page
    r = read(client, guard, YAMADA)
    assert r.status_code == 409 and r.json()["error"]["kind"] == "pin_safety"
    assert "最後の1回" in r.json()["error"]["message"]
    assert verifies(card) == []
    r = read(client, guard, YAMADA, confirm_last_try="1")
    assert r.status_code == 200
    assert [k.tries_left for k in b_keys(card)] == [10, 10]  # a correct value restores the counter


def test_locked_card_is_never_verified(client: TestClient, guard: Guard) -> None:
    card = place(client, guard, "mynumber-yamada")
    b_keys(card)[0].tries_left = 0
    client.post("/document", data={"csrf": guard.csrf, "document": "mynumber"})
    page = client.get("/confirm").text
    assert 'data-state="locked"' in page and "ロック" in page
    r = read(client, guard, YAMADA, confirm_last_try="1")
    assert r.status_code == 409 and r.json()["error"]["kind"] == "pin_safety"
    assert verifies(card) == []


def test_card_pulled_mid_read_then_retry_spends_no_try(client: TestClient, guard: Guard) -> None:
    card = place(client, guard, "mynumber-yamada")
    client.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    client.get("/confirm")
    assert client.post("/api/demo/pull", data={"on": "1"}, headers=_h(guard)).status_code == 200
    r = read(client, guard, YAMADA)
    assert r.status_code == 409
    body = r.json()
    assert body["error"]["kind"] == "card_removed" and body["retry"] is True
    assert "カードが離れました" in body["error"]["message"]
    assert not _st(client).readers.current().info().card_present  # type: ignore[union-attr]
    assert len(verifies(card)) == 1
    r = read(client, guard, YAMADA)  # pressed before the card is back: a clear message, nothing spent
    assert r.status_code == 409 and r.json()["error"]["kind"] == "transport"
    assert client.post("/api/demo/put-back", headers=_h(guard)).status_code == 200
    assert [t["tries_left"] for t in client.get("/api/tries").json()["tries"]] == [10, 10]
    r = read(client, guard, YAMADA)
    assert r.status_code == 200
    assert [k.tries_left for k in b_keys(card)] == [10, 10]
    assert "verdict-genuine" in client.get("/result").text


@pytest.mark.parametrize(
    "key,verdict,failed",
    [
        ("mynumber-forged-photo-swapped", "not_genuine", "kenmen_ap.signature"),
        ("mynumber-forged-text-altered", "not_genuine", "text_ap.digest"),
        ("mynumber-expired", "attention", None),
    ],
)
def test_forged_and_expired_cards(client: TestClient, guard: Guard, key: str, verdict: str, failed: str | None) -> None:
    place(client, guard, key)
    client.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    values = dict(YAMADA)
    if key == "mynumber-expired":
        values = {"birth": "370830", "calendar": "wareki", "expiry_year": "2026", "security_code": "5520"}
    r = read(client, guard, values)
    assert r.status_code == 200, r.text
    page = client.get("/result").text
    assert f"verdict-{verdict}" in page
    if failed:
        assert f'data-check="{failed}" data-status="failed"' in page
        assert "真正でない" in page
    else:
        assert "要確認" in page and "check-warning" in page


def test_demo_panel_lists_groups_and_printed_values(client: TestClient, guard: Guard) -> None:
    html = client.get("/").text
    for group in ("真正", "期限切れ", "偽造"):
        assert f'<optgroup label="{group}"' in html
    r = client.post("/api/demo/place", data={"card": "mynumber-showa64"}, headers=_h(guard))
    assert ["セキュリティコード", "4096"] in r.json()["printed"]
    assert client.post("/api/demo/place", data={"card": "nope"}, headers=_h(guard)).status_code == 400
    assert client.post("/api/demo/remove", headers=_h(guard)).status_code == 200
    assert client.get("/api/readers").json()["readers"][0]["card"] is False


def test_demo_endpoints_absent_outside_the_demo(guard: Guard) -> None:
    app = create_app(Settings(port=PORT, guard=guard))
    with TestClient(app, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False) as c:
        c.get(f"/?code={guard.new_code()}")
        for path in ("/api/demo/place", "/api/demo/remove", "/api/demo/put-back", "/api/demo/pull", "/api/demo/face"):
            assert c.post(path, headers=_h(guard)).status_code in (404, 409), path
        assert "demo-panel" not in c.get("/").text


def test_no_document_chosen_redirects_to_start(client: TestClient) -> None:
    assert client.get("/capture").headers["location"] == "/"
    assert client.get("/confirm").headers["location"] == "/"
    assert client.get("/api/tries").status_code == 409
    assert "結果はありません" in client.get("/result").text


def test_license_flow_pins_masked_and_never_shown(client: TestClient, guard: Guard) -> None:
    card = place(client, guard, "license-yamada")
    assert client.get("/api/readers").json()["detected"] == {_st(client).readers.current_name(): ["license"]}
    client.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    page = client.get("/confirm").text
    assert 'type="password"' in page and 'name="pin1"' in page and "残り3回" in page
    r = read(client, guard, {"pin1": "1234", "pin2": "5678"})
    assert r.status_code == 200, r.text
    result = client.get("/result").text
    assert "verdict-genuine" in result and "山田　花子" in result
    for pin in ("1234", "5678"):  # as a value of its own (the licence number happens to contain 1234)
        assert not re.search(rf"(?<!\d){pin}(?!\d)", result), pin
    assert client.get("/result/photo.png").status_code == 200
    assert [k.tries_left for k in card.mf.keys.values()] == [3, 3]


def test_license_wrong_pin_spends_one_try(client: TestClient, guard: Guard) -> None:
    card = place(client, guard, "license-yamada")
    client.post("/document", data={"csrf": guard.csrf, "document": "license"})
    r = read(client, guard, {"pin1": "1111", "pin2": "5678"})
    assert r.status_code == 409
    assert r.json()["error"]["kind"] == "rejected"
    assert "暗証番号1が違います（残り2回）" in r.json()["error"]["message"]
    assert len(verifies(card)) == 1
    assert sorted(k.tries_left for k in card.mf.keys.values()) == [2, 3]


@pytest.mark.parametrize(
    "key,verdict",
    [
        ("license-forged-photo-swapped", "not_genuine"),
        ("license-forged-resigned", "attention"),
        ("license-expired", "attention"),
    ],
)
def test_license_forged_and_expired(client: TestClient, guard: Guard, key: str, verdict: str) -> None:
    place(client, guard, key)
    client.post("/document", data={"csrf": guard.csrf, "document": "license"})
    pins = {"pin1": "4321", "pin2": "8765"} if key == "license-expired" else {"pin1": "1234", "pin2": "5678"}
    assert read(client, guard, pins).status_code == 200
    assert f"verdict-{verdict}" in client.get("/result").text
    assert _st(client).settings.demo.entries[key].expected == verdict


class _Explodes:
    """A reader fault in the middle of a read (an exception no document expects), quoting a secret."""

    def handle(self, card, df, command):  # type: ignore[no-untyped-def]
        if command.ins == 0xB0:
            raise RuntimeError(f"reader fault {YAMADA_B}")
        return None


def test_unexpected_failure_is_reported_without_details(
    client: TestClient, guard: Guard, caplog: pytest.LogCaptureFixture
) -> None:
    card = place(client, guard, "mynumber-yamada")
    card.behaviours.append(_Explodes())
    client.post("/document", data={"csrf": guard.csrf, "document": "mynumber"})
    r = read(client, guard, YAMADA)
    assert r.status_code == 500
    assert r.json()["error"]["kind"] == "internal" and YAMADA_B not in r.text
    assert "RuntimeError" in caplog.text and YAMADA_B not in caplog.text
    assert client.post("/finish", data={"csrf": guard.csrf}).status_code == 303


def test_choosing_among_several_readers(guard: Guard) -> None:
    from taimen.web.readers import VirtualReader

    a, b = VirtualReader("リーダーA"), VirtualReader("リーダーB")
    app = create_app(Settings(port=PORT, guard=guard, sources=[VirtualSource(a), VirtualSource(b)]))
    with TestClient(app, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False) as c:
        c.get(f"/?code={guard.new_code()}")
        state = c.get("/api/readers").json()
        assert [r["name"] for r in state["readers"]] == ["リーダーA", "リーダーB"] and state["selected"] is None
        assert c.get("/").text.count("js-use-reader") == 2
        assert c.post("/reader", data={"reader": "リーダーB"}, headers=_h(guard)).json() == {"ok": True}
        assert c.get("/api/readers").json()["selected"] == "リーダーB"
        assert c.post("/reader", data={"reader": "nope"}, headers=_h(guard)).status_code == 400
        assert c.post("/reader", data={"csrf": guard.csrf, "reader": "リーダーA"}).status_code == 303


def test_api_state_tracks_the_check_without_personal_data(client: TestClient, guard: Guard) -> None:
    place(client, guard, "mynumber-yamada")
    client.post("/document", data={"csrf": guard.csrf, "document": "mynumber"})
    assert read(client, guard, YAMADA).status_code == 200
    state = client.get("/api/state").json()
    assert state == {
        "document": "mynumber",
        "has_capture": False,
        "has_result": True,
        "reading": False,
        "generation": state["generation"],
    }
    client.post("/finish", data={"csrf": guard.csrf})
    after = client.get("/api/state").json()
    assert after["has_result"] is False and after["document"] is None
    assert after["generation"] == state["generation"] + 1


def test_demo_face_without_a_rendered_face(client: TestClient, guard: Guard) -> None:
    assert client.post("/api/demo/face", headers=_h(guard)).status_code == 409  # no card on the reader


def test_read_progress_streams_over_sse_without_secrets() -> None:
    import json
    import queue
    import threading

    import httpx

    from taimen.web.server import running_in_thread

    catalog = load_catalog(realtime=False)

    def settings(port: int) -> Settings:
        return Settings(port=port, sources=[VirtualSource(catalog.reader)], demo=catalog, trust_dirs=catalog.trust_dirs)

    events: queue.Queue[tuple[str, str]] = queue.Queue()
    try:
        with running_in_thread(settings) as run, httpx.Client(timeout=20) as c:
            base = run.origin
            c.get(run.launch_url())
            h = {"x-csrf-token": run.guard.csrf}

            def listen() -> None:
                with c.stream("GET", base + "/events") as r:
                    kind = ""
                    for line in r.iter_lines():
                        if line.startswith("event: "):
                            kind = line[7:]
                        elif line.startswith("data: "):
                            events.put((kind, line[6:]))
                            if kind == "read" and '"done"' in line:
                                return

            th = threading.Thread(target=listen, daemon=True)
            th.start()
            assert events.get(timeout=10)[0] == "readers"
            c.post(base + "/api/demo/place", data={"card": "mynumber-yamada"}, headers=h)
            c.post(base + "/document", data={"document": "mynumber"}, headers=h)
            assert c.post(base + "/api/read", data=YAMADA, headers=h).status_code == 200
            th.join(10)
    finally:
        catalog.close()
    seen = []
    while not events.empty():
        seen.append(events.get())
    kinds = [k for k, _ in seen]
    assert "progress" in kinds and ("read", {"state": "done"}) in [(k, json.loads(d)) for k, d in seen]
    progress = [json.loads(d) for k, d in seen if k == "progress"]
    assert [p["n"] for p in progress] == list(range(1, len(progress) + 1))
    assert any("VERIFY" in p["step"] for p in progress)
    everything = "".join(d for _, d in seen)
    for secret in (YAMADA_B, "2285", "550217", "山田", "霞が関"):
        assert secret not in everything


def test_auto_without_a_card_says_what_to_do(client: TestClient, guard: Guard) -> None:
    client.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    r = client.get("/confirm")
    assert r.status_code == 303 and r.headers["location"] == "/?need=card"
    assert "カードをリーダーに置くか" in client.get("/?need=card").text


def test_myna_license_detected_as_both_and_read_when_chosen(client: TestClient, guard: Guard) -> None:
    place(client, guard, "myna-license-yamada")
    name = _st(client).readers.current_name()
    assert client.get("/api/readers").json()["detected"] == {name: ["mynumber", "mynumber_license"]}
    client.post("/document", data={"csrf": guard.csrf, "document": "mynumber_license"})
    page = client.get("/confirm").text
    assert 'name="license_pin" type="password"' in page and 'name="security_code" type="text"' in page
    r = read(client, guard, {**YAMADA, "license_pin": "1234"})
    assert r.status_code == 200, r.text
    result = client.get("/result").text
    assert "verdict-attention" in result and 'data-check="mynumber_license.signature"' in result


@pytest.fixture
def ocr_client(catalog: DemoCatalog, guard: Guard) -> Iterator[TestClient]:
    pytest.importorskip("taimen.ocr.reader")
    from taimen.web.hooks import compare_hook, ocr_hook

    settings = Settings(
        port=PORT,
        guard=guard,
        sources=[VirtualSource(catalog.reader)],
        demo=catalog,
        trust_dirs=catalog.trust_dirs,
        ocr=ocr_hook(),
        compare=compare_hook(),
    )
    with TestClient(create_app(settings), base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False) as c:
        assert c.get(f"/?code={guard.new_code()}").status_code == 303
        yield c


def test_sample_face_read_by_ocr_proposes_values_and_fills_the_printed_column(
    ocr_client: TestClient, guard: Guard
) -> None:
    c = ocr_client
    place(c, guard, "mynumber-showa64")
    c.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    r = c.post("/api/demo/face", headers=_h(guard))
    assert r.status_code == 200, r.text
    assert r.json()["proposed"] == ["birth", "calendar", "expiry_year", "security_code"]
    page = c.get("/confirm").text
    for value in ('value="640107"', 'value="2031"', 'value="4096"', 'value="wareki" selected'):
        assert value in page
    assert "券面から読み取った値です" in page
    r = read(c, guard, {"birth": "640107", "calendar": "wareki", "expiry_year": "2031", "security_code": "4096"})
    assert r.status_code == 200, r.text
    result = c.get("/result").text
    assert result.count('class="match-yes"') == 5 and "match-no" not in result
    # The cross-check ran: every printed field passed, the photos were compared (an aid).
    for name in ("face.name", "face.birth_date", "face.address", "face.sex", "face.expiry"):
        assert f'data-check="{name}" data-status="passed"' in result
    assert 'data-check="face.photo"' in result and "verdict-genuine" in result
    assert c.get("/capture/portrait.png").headers["content-type"] == "image/png"
    assert 'id="printed-portrait"' in result
    assert _st(c).session.proposals == {}  # dropped when the read started
    c.post("/finish", data={"csrf": guard.csrf})
    assert c.get("/capture/portrait.png").status_code == 404


def test_photo_of_another_card_proposes_nothing_and_says_so(ocr_client: TestClient, guard: Guard) -> None:
    from taimen.web.demo import _face_png

    c = ocr_client
    place(c, guard, "license-yamada")
    c.post("/document", data={"csrf": guard.csrf, "document": "license"})
    face = _face_png("yamada", "mynumber")
    assert face is not None
    r = c.post("/api/capture", content=face, headers={**_h(guard), "content-type": "image/png"})
    assert r.status_code == 200 and r.json()["proposed"] == []
    assert "撮影した券面は「マイナンバーカード」のようです" in c.get("/confirm").text


def test_genuine_chip_under_a_forged_print_is_caught_by_the_cross_check(ocr_client: TestClient, guard: Guard) -> None:
    c = ocr_client
    place(c, guard, "mynumber-forged-face-name")
    c.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    assert c.post("/api/demo/face", headers=_h(guard)).status_code == 200
    assert read(c, guard, {**YAMADA, "calendar": "wareki"}).status_code == 200
    result = c.get("/result").text
    assert "verdict-not_genuine" in result
    assert 'data-check="face.name" data-status="failed"' in result
    assert 'class="match-no" data-field="name"' in result
    assert _st(c).settings.demo.entries["mynumber-forged-face-name"].expected == "not_genuine"


def test_confirm_screen_says_why_a_proposal_is_doubtful_and_what_to_fix(ocr_client: TestClient, guard: Guard) -> None:
    from dataclasses import replace

    c = ocr_client
    place(c, guard, "mynumber-showa64")
    c.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    assert c.post("/api/demo/face", headers=_h(guard)).status_code == 200
    session = _st(c).session
    ocr = session.ocr
    ocr.unlock["security_code"] = replace(ocr.unlock["security_code"], reasons=("glare", "two_candidates"))
    ocr.hints = ["glare", "frame"]
    session.doubtful = {"security_code"}
    page = c.get("/confirm").text
    assert "光が反射しています" in page and "候補が複数あります" in page  # why the value is doubtful
    assert 'id="photo-hints"' in page and "カード全体を枠に入れ" in page  # what to fix
    # each with its picture, in the order given
    assert page.index('data-hint="glare"><svg class="hint-pic"') < page.index('data-hint="frame"><svg class="hint-pic"')
    ocr.hints = ["finger"]
    page = c.get("/confirm").text
    assert 'data-hint="finger"><svg class="hint-pic"' in page and "指がカードにかかっています" in page
    assert 'data-hint="frame"' not in page


def test_result_says_why_ocr_doubted_a_printed_value_and_names_the_other_place(
    ocr_client: TestClient, guard: Guard
) -> None:
    """An address OCR read between two places it could not tell apart (湊町 or 浜町): the result's printed column
    says why it doubted the reading and names the other place, and the cross-check says that the other place is
    the chip's. A check by eye, never a failed card."""
    from dataclasses import replace

    c = ocr_client
    place(c, guard, "mynumber-showa64")
    c.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    assert c.post("/api/demo/face", headers=_h(guard)).status_code == 200
    session = _st(c).session
    real = session.ocr.fields["address"].value
    town = real.index("区") + 1  # 「東京都千代田区」, then the town the frames could not decide
    misread = real[:town] + "霞ケ浦" + real[town + 3 :]
    extra = {"rival": real[: town + 3], "rival_address": real}
    reading = replace(session.ocr.fields["address"], value=misread, reasons=("two_candidates", "repaired"), extra=extra)
    session.ocr.fields["address"] = reading
    session.printed["address"] = misread
    r = read(c, guard, {"birth": "640107", "calendar": "wareki", "expiry_year": "2031", "security_code": "4096"})
    assert r.status_code == 200, r.text
    result = c.get("/result").text
    assert "verdict-not_genuine" not in result
    assert 'class="match-doubt" data-field="address"' in result
    assert 'data-check="face.address" data-status="warning"' in result
    assert f"ほかの候補：{real[: town + 3]}" in result and "候補が複数あります" in result
    assert f"もう一つの候補「{real}」はICチップと一致します" in result
    # the rows OCR read without doubt that match the chip carry no note
    assert result.count('class="printed-doubt"') == 1
