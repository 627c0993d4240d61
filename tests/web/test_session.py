"""The check in progress lives in memory only, and 「終了」 wipes it."""

from __future__ import annotations

import io
import os
import random
import tempfile
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient

from taimen.web.app import State
from taimen.web.security import Guard
from taimen.web.session import Capture, CheckSession


def _noise_jpeg(w: int, h: int) -> bytes:
    rnd = random.Random(5)
    img = Image.frombytes("RGB", (w, h), bytes(rnd.getrandbits(8) for _ in range(w * h * 3)))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=95, exif=exif)
    return out.getvalue()


def _state(client: TestClient) -> State:
    return client.app.state.taimen  # type: ignore[attr-defined,no-any-return]


def test_wipe_overwrites_buffers_and_forgets_everything() -> None:
    s = CheckSession()
    cap = bytearray(b"\xff\xd8photo")
    s.set_capture(Capture(cap, "image/jpeg", "upload"))
    s.set_proposals({"birth": "550217", "security_code": "2285"})
    proposal_bufs = list(s.proposals.values())
    png = bytearray(b"\x89PNGchip")
    s.set_result(None, {"photo": png})
    s.printed = {"name": "山田　花子"}
    s.document = "mynumber"
    g = s.generation
    s.wipe()
    assert s.empty and s.document is None and s.pngs == {} and s.generation == g + 1
    assert cap == bytes(len(cap)) and png == bytes(len(png))
    assert all(b == bytes(len(b)) for b in proposal_bufs)


def test_capture_upload_kept_in_memory_only(client: TestClient, guard: Guard, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setenv("TMPDIR", str(spool))
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    client.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    photo = _noise_jpeg(1600, 1200)
    assert len(photo) > 1024 * 1024  # larger than Starlette's 1 MB spool threshold for multipart files
    r = client.post(
        "/api/capture?source=upload", content=photo, headers={"x-csrf-token": guard.csrf, "content-type": "image/jpeg"}
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"ok": True, "next": "/confirm", "proposed": []}
    assert list(spool.iterdir()) == []
    shown = client.get("/capture/image")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    img = Image.open(io.BytesIO(shown.content))
    assert img.size == (1600, 1200)
    assert not img.getexif()  # camera metadata (and any location) dropped
    assert shown.headers["cache-control"].startswith("no-store")


def test_capture_rejects_non_images_and_huge_dimensions(client: TestClient, guard: Guard) -> None:
    h = {"x-csrf-token": guard.csrf, "content-type": "image/png"}
    r = client.post("/api/capture", content=b"not an image", headers=h)
    assert r.status_code == 400
    assert "写真" in r.json()["error"]["message"]
    # A PNG header announcing 20000×20000 pixels: refused before decoding.
    big = io.BytesIO()
    Image.new("1", (20000, 20000)).save(big, format="PNG")
    assert len(big.getvalue()) < 12 * 1024 * 1024
    r = client.post("/api/capture", content=big.getvalue(), headers=h)
    assert r.status_code == 400
    r = client.post("/api/capture", content=b"x", headers={**h, "content-type": "text/plain"})
    assert r.status_code == 415


def test_finish_wipes_capture_and_screen(client: TestClient, guard: Guard) -> None:
    client.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    h = {"x-csrf-token": guard.csrf, "content-type": "image/jpeg"}
    assert client.post("/api/capture", content=_noise_jpeg(320, 200), headers=h).status_code == 200
    st = _state(client)
    buf = st.session.capture.data if st.session.capture else bytearray()
    assert len(buf) > 0
    r = client.post("/finish", data={"csrf": guard.csrf})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert buf == bytes(len(buf))
    assert st.session.empty
    assert client.get("/capture/image").status_code == 404
    assert client.get("/result/photo.png").status_code == 404
    assert client.get("/api/state").json()["has_capture"] is False


@pytest.mark.parametrize("lang,word", [("en", "Choose the document"), ("ja", "書類を選んでください")])
def test_language_switch(client: TestClient, guard: Guard, lang: str, word: str) -> None:
    r = client.post("/lang", data={"csrf": guard.csrf, "lang": lang, "next": "/"})
    assert r.status_code == 303
    html = client.get("/").text
    assert word in html and f'<html lang="{lang}">' in html


def test_language_switch_stays_on_this_site(client: TestClient, guard: Guard) -> None:
    r = client.post("/lang", data={"csrf": guard.csrf, "lang": "en", "next": "//evil.example/"})
    assert r.headers["location"] == "/"


def test_no_files_written_by_a_session(client: TestClient, guard: Guard, tmp_path: Path) -> None:
    before = set(os.listdir(tempfile.gettempdir()))
    client.post("/document", data={"csrf": guard.csrf, "document": "auto"})
    h = {"x-csrf-token": guard.csrf, "content-type": "image/jpeg"}
    client.post("/api/capture", content=_noise_jpeg(640, 400), headers=h)
    client.get("/capture/image")
    client.post("/finish", data={"csrf": guard.csrf})
    assert set(os.listdir(tempfile.gettempdir())) - before == set()
