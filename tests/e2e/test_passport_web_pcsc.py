"""The passport in the counter app on a real PC/SC reader (pcscd → vpcd → emulated passport): the data page
photographed, the MRZ proposals confirmed, BAC/PACE and the read through pcscd, DG2 beside the page."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

pytest.importorskip("taimen.ocr.mrz_photo")
from taimen.face import degrade
from taimen.face.passport import render
from taimen.samples import passport_cards as pc
from taimen.testing.pcsc import pcsc_bridge
from taimen.web import capture
from taimen.web.app import Settings, State, create_app
from taimen.web.demo import load_catalog
from taimen.web.hooks import compare_hook, ocr_hook
from taimen.web.security import Guard
from taimen.web.sources import PcscSource

pytestmark = pytest.mark.pcsc
PORT = 18769


@pytest.fixture(params=["yamada", "sato"])
def rig(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Guard, str]]:
    monkeypatch.setattr(capture, "OCR_TIMEOUT", 120.0)  # latency is measured by the benchmark, not here
    catalog = load_catalog(realtime=True)
    card = catalog.entries[f"passport-{request.param}"].card(True)
    guard = Guard(port=PORT)
    with pcsc_bridge(card) as bridge:
        source = PcscSource(match=lambda name: name == bridge.reader_name)
        settings = Settings(port=PORT, guard=guard, sources=[source], trust_dirs=catalog.trust_dirs,
                            ocr=ocr_hook(), compare=compare_hook())  # fmt: skip
        with TestClient(create_app(settings), base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False) as c:
            assert c.get(f"/?code={guard.new_code()}").status_code == 303
            st: State = c.app.state.taimen  # type: ignore[attr-defined]
            deadline = time.monotonic() + 20
            while st.detected.get(bridge.reader_name) != ["passport"]:
                assert time.monotonic() < deadline, "passport not detected"
                time.sleep(0.05)
            yield c, guard, request.param
    catalog.close()


def test_photographed_data_page_then_read_through_pcscd(rig: tuple[TestClient, Guard, str]) -> None:
    c, guard, key = rig
    p = pc.PERSONS[key]
    c.post("/document", data={"csrf": guard.csrf, "document": "passport"})
    params = degrade.random_params(random.Random(11))
    params = degrade.PhotoParams(**{**params.to_json(), "glare": (), "blur": 0.5, "motion": 0.0, "card_frac": 0.8})
    jpeg = degrade.photograph(render(p), params).jpeg
    r = c.post("/api/capture?source=camera", content=jpeg, headers={"x-csrf-token": guard.csrf,
                                                                      "content-type": "image/jpeg"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["proposed"] == ["birth", "document_number", "expiry"]
    page = c.get("/confirm").text
    assert f'value="{p.number}"' in page and f'value="{p.birth}"' in page and f'value="{p.expiry}"' in page
    r = c.post("/api/read", data={"document_number": p.number, "birth": p.birth, "expiry": p.expiry},
               headers={"x-csrf-token": guard.csrf})  # fmt: skip
    assert r.status_code == 200, r.text
    result = c.get("/result").text
    assert "verdict-genuine" in result
    assert 'data-check="passport.mrz_match" data-status="passed"' in result
    assert 'data-check="face.photo"' in result and 'id="printed-portrait"' in result
    # the portrait's place is estimated from the MRZ: the similarity is an aid, never a warning
    assert 'data-check="face.photo" data-status="warning"' not in result
