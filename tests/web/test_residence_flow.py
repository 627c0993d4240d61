"""The residence flow over HTTP with taimen.residence's samples on the demo's virtual reader: detection, the
typed card number (upper-cased), a wrong number stopped without a retry, the result panel, the forgeries."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from taimen.emulator.card import VirtualCard
from taimen.web.demo import DemoCatalog, load_catalog
from taimen.web.security import Guard

from .conftest import app_state, csrf_headers, demo_client, place_demo_card

pytest.importorskip("taimen.samples.residence_cards")

PORT = 18767
SMITH = "AB12345678CD"


@pytest.fixture(scope="module")
def catalog() -> Iterator[DemoCatalog]:
    c = load_catalog(realtime=False)
    yield c
    c.close()


@pytest.fixture
def guard() -> Guard:
    return Guard(port=PORT)


@pytest.fixture
def client(catalog: DemoCatalog, guard: Guard) -> Iterator[TestClient]:
    with demo_client(catalog, guard, PORT) as c:
        yield c


_st = app_state
_h = csrf_headers
place = place_demo_card


def authentications(card: VirtualCard) -> list[bytes]:
    """MUTUAL AUTHENTICATE / VERIFY commands: the ones that present the number's key."""
    return [cmd for cmd, _ in card.log or [] if cmd[1] in (0x82, 0x20)]


def read_number(c: TestClient, guard: Guard, number: str):  # type: ignore[no-untyped-def]
    return c.post("/api/read", data={"card_number": number}, headers=_h(guard))


def test_demo_offers_every_residence_sample(catalog: DemoCatalog) -> None:
    keys = {k for k, e in catalog.entries.items() if e.document == "residence"}
    for k in ("rc2-smith", "rc1-nguyen", "sprc1-kim", "sprc2-park", "rc2-expired", "rc2-restricted"):
        assert f"residence-{k}" in keys
    forged = {k for k in keys if catalog.entries[k].group == "forged"}
    assert {f"residence-forged-{v}" for v in ("front", "photo", "resigned", "any-number", "gen1-as-gen2")} <= forged
    assert catalog.entries["residence-rc2-expired"].group == "expired"


def test_detect_type_lowercase_number_read_result(client: TestClient, guard: Guard) -> None:
    card = place(client, guard, "residence-rc2-restricted")
    assert client.get("/api/readers").json()["detected"] == {_st(client).readers.current_name(): ["residence"]}
    assert client.post("/document", data={"csrf": guard.csrf, "document": "auto"}).status_code == 303
    confirm = client.get("/confirm").text
    assert 'name="card_number"' in confirm and 'data-upper="1"' in confirm
    assert 'data-state="none"' in confirm and 'id="tries-none"' in confirm
    assert 'id="read-start" disabled' in confirm  # enabled by the script once the tries state is known
    assert authentications(card) == []  # asking for tries sent no number
    r = read_number(client, guard, " wx1357 2468yz ")  # lower case and spaces, as a clerk may type it
    assert r.status_code == 200, r.text
    page = client.get("/result").text
    assert "verdict-genuine" in page
    assert 'data-badge="none"' in page and "就労不可" in page
    assert "1年3月" in page and "2027年9月30日" in page
    assert "許可：原則週28時間以内" in page
    assert 'id="chip-front" src="/result/image/name.png' in page and 'id="rc-address-image"' in page
    assert "WX13572468YZ" in page and 'id="rc-lookup-open"' in page
    assert client.get("/result/image/address.png").status_code == 200
    client.post("/finish", data={"csrf": guard.csrf})
    assert "WX13572468YZ" not in client.get("/result").text
    assert _st(client).session.empty


def test_wrong_number_is_reported_once_and_never_retried(client: TestClient, guard: Guard) -> None:
    card = place(client, guard, "residence-rc2-smith")
    client.post("/document", data={"csrf": guard.csrf, "document": "residence"})
    r = read_number(client, guard, "AB12345678CE")
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["kind"] == "rejected"
    assert "一致しません" in err["message"] and "券面" in err["message"] and "再試行" in err["message"]
    assert len([c for c in authentications(card) if c[1] == 0x82]) == 1  # one attempt, no retry
    assert _st(client).session.result is None


def test_malformed_number_never_reaches_the_card(client: TestClient, guard: Guard) -> None:
    card = place(client, guard, "residence-rc2-smith")
    client.post("/document", data={"csrf": guard.csrf, "document": "residence"})
    r = read_number(client, guard, "AB1234567CD")
    assert r.status_code == 400 and set(r.json()["error"]["fields"]) == {"card_number"}
    assert card.log == []


def test_expired_period_is_flagged(client: TestClient, guard: Guard) -> None:
    place(client, guard, "residence-rc2-expired")
    client.post("/document", data={"csrf": guard.csrf, "document": "residence"})
    assert read_number(client, guard, "ST24681357UV").status_code == 200
    page = client.get("/result").text
    assert "verdict-attention" in page
    assert 'id="rc-period-expired"' in page and "在留期間の満了日を過ぎています" in page
    assert "申請中" in page


def test_gen1_front_image_and_address_history(client: TestClient, guard: Guard) -> None:
    place(client, guard, "residence-rc1-nguyen")
    client.post("/document", data={"csrf": guard.csrf, "document": "residence"})
    assert read_number(client, guard, "EF98765432GH").status_code == 200
    page = client.get("/result").text
    assert 'id="chip-front" src="/result/image/front.png' in page
    latest = page.split('id="rc-address-latest"', 1)[1].split("</li>", 1)[0]
    assert "天満橋ハイツ" in latest
    assert page.index("天満橋ハイツ") < page.index("中之島")
    assert "EF98765432GH" not in page  # gen 1 holds no number: the typed key is not kept
    front = client.get("/result/image/front.png")
    assert front.status_code == 200 and front.content.startswith(b"\x89PNG")


def test_sprc_shows_only_what_it_has(client: TestClient, guard: Guard) -> None:
    place(client, guard, "residence-sprc2-park")
    client.post("/document", data={"csrf": guard.csrf, "document": "residence"})
    assert read_number(client, guard, "NP55667788QR").status_code == 200
    page = client.get("/result").text
    assert "特別永住者証明書" in page and "verdict-genuine" in page
    for absent in ('data-item="status"', 'data-item="period"', 'id="rc-work"', 'data-item="outside"'):
        assert absent not in page


@pytest.mark.parametrize(
    ("key", "number", "check"),
    [
        ("residence-forged-front", "EF98765432GH", "residence.signature"),
        ("residence-forged-photo", SMITH, "residence.signature"),
        ("residence-forged-resigned", SMITH, "residence.certificate"),
        ("residence-forged-any-number", "ZZ00000000ZZ", "residence.card_number"),
    ],
)
def test_forgeries_are_not_genuine(client: TestClient, guard: Guard, key: str, number: str, check: str) -> None:
    place(client, guard, key)
    client.post("/document", data={"csrf": guard.csrf, "document": "residence"})
    assert read_number(client, guard, number).status_code == 200
    page = client.get("/result").text
    assert "verdict-not_genuine" in page
    assert re.search(rf'data-check="{re.escape(check)}" data-status="failed"', page)


def test_face_reading_of_the_number_leaves_the_session_after_the_read(client: TestClient, guard: Guard) -> None:
    from taimen.ocr.fields import FieldReading
    from taimen.ocr.proposals import OcrResult, residence_unlock

    place(client, guard, "residence-rc2-smith")
    client.post("/document", data={"csrf": guard.csrf, "document": "residence"})
    fields = {"card_number": FieldReading("card_number", SMITH, SMITH, 0.99)}
    ocr = OcrResult(document="residence", fields=fields, unlock=residence_unlock(fields))
    st = _st(client)
    st.session.set_ocr(ocr)
    assert read_number(client, guard, "AB12345678CE").status_code == 409
    assert "card_number" in ocr.fields  # kept for the comparison after a corrected read
    assert read_number(client, guard, SMITH).status_code == 200
    assert "card_number" not in ocr.fields and "card_number" not in ocr.unlock
