"""照合番号B and its parts never reach a trace, a log, the JSON, the screen or a file taimen writes."""

from __future__ import annotations

import base64
import json
import logging
import re
from pathlib import Path

import pytest

from taimen.cli import main
from taimen.emulator.image import save_card
from taimen.mynumber.aids import KenmenAp
from taimen.mynumber.kenmen_ap import parse_card_face
from taimen.samples import mynumber_cards as mc

SAMPLE = mc.genuine("yamada")
B = SAMPLE.printed.shogo_b()  # 55021720352285
CODE = SAMPLE.printed.security_code


def _forbidden(text: str) -> list[str]:
    found = []
    if B in text or B.encode().hex() in text.lower() or B.encode().hex(" ") in text.lower():
        found.append("照合番号B")
    if re.search(rf"(?<![0-9A-Fa-f]){CODE}(?![0-9A-Fa-f])", text):
        found.append("security code")
    return found


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "card.json"
    save_card(SAMPLE.card(), path)
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_genuine_read_leaks_nothing(
    image: Path, trust_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    trace, photo = tmp_path / "trace.txt", tmp_path / "photo.jp2"
    base = ["read", "mynumber", "--birth", "550217", "--expiry", "2035", "--code", CODE, "--card-image", str(image)]
    rc, out, err = _run(
        [*base, "--trust-dir", str(trust_dir), "--json", "--trace", str(trace), "--photo-out", str(photo)], capsys
    )
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["verdict"]["status"] == "genuine"
    trace_text = trace.read_text(encoding="utf-8")
    assert "VERIFY 照合番号B" in trace_text and "<redacted>" in trace_text
    # the JSON without its base64 images carries no secret; the images themselves are data from the chip
    doc_no_images = json.dumps({k: v for k, v in doc.items() if k not in ("photo", "images")}, ensure_ascii=False)
    for text in (doc_no_images, trace_text, err, caplog.text):
        assert _forbidden(text) == []
    assert photo.read_bytes() == parse_card_face(SAMPLE.chip.kenmen_files[KenmenAp.CARD_FACE]).photo
    assert B.encode() not in photo.read_bytes()
    rc, text_out, err = _run([*base, "--trust-dir", str(trust_dir)], capsys)
    assert rc == 0 and _forbidden(text_out + err) == []


def test_security_code_image_never_in_the_json(
    image: Path, trust_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from taimen.core import tlv

    face = tlv.parse_single(SAMPLE.chip.kenmen_files[KenmenAp.CARD_FACE], 0xFF20)
    code_png = tlv.parse_all(face.value, stop_on_filler=True)[-1]
    assert code_png.tag == 0xDF2A
    rc, out, _ = _run(
        [
            "read",
            "mynumber",
            "--birth",
            "550217",
            "--expiry",
            "2035",
            "--code",
            CODE,
            "--card-image",
            str(image),
            "--trust-dir",
            str(trust_dir),
            "--json",
        ],
        capsys,
    )
    assert rc == 0
    assert base64.b64encode(code_png.value).decode() not in out
    assert code_png.value.hex() not in out.lower() and code_png.value.hex().upper() not in out
    doc = json.loads(out)
    assert doc["fields"]["security_code_image"] == {"present": True, "signed": False, "shown": False}
    assert set(doc["images"]) == {"name", "address"}


def test_wrong_value_leaks_nothing(image: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace = tmp_path / "t.txt"
    wrong = "1234"
    rc, out, err = _run(
        [
            "read",
            "mynumber",
            "--birth",
            "550217",
            "--expiry",
            "2035",
            "--code",
            wrong,
            "--card-image",
            str(image),
            "--trace",
            str(trace),
        ],
        capsys,
    )
    assert rc == 3
    assert "残り9回" in err
    text = trace.read_text(encoding="utf-8") + out + err
    assert "550217203" not in text and wrong.encode().hex() not in text.lower().replace(" ", "")
    assert "<redacted>" in text
