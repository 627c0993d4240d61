"""The MRZ access key never reaches a trace, a log, stderr or a file taimen writes; the BAC exchange is redacted.

The result itself shows the document number, birth date and expiry (the clerk compares them with the data
page, and an identity record keeps the number): what must never appear anywhere is the key material — the
MRZ lines, the MRZ_information string, K_seed, K_enc/K_mac — and, in traces and logs, the fields themselves.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from taimen.cli import main
from taimen.emulator.image import save_card
from taimen.passport import bac
from taimen.samples import passport_cards as pc

SAMPLE = pc.sample("yamada")
P = SAMPLE.person
KEY = pc.mrz_key(P)
LINE1, LINE2 = pc.mrz_lines(P)


def _key_material() -> list[str]:
    k_enc, k_mac = bac.access_keys(KEY)
    return [KEY.key_text(), LINE2, LINE2[:28], KEY.seed().hex(), k_enc.hex(), k_mac.hex(), KEY.password().hex()]


def _leaks(text: str, *, fields_too: bool) -> list[str]:
    low = text.lower()
    found = [m for m in _key_material() if m.lower() in low or " ".join(m[i:i + 2] for i in range(0, len(m), 2)).lower()
             in low]  # fmt: skip
    if fields_too:
        found += [v for v in (P.number, P.number.encode().hex()) if v.lower() in low]
    return found


def test_cli_read_leaks_no_key(tmp_path: Path, passport_trust: Path, capsys: pytest.CaptureFixture[str],
                               caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    image, trace, photo = tmp_path / "pp.json", tmp_path / "trace.txt", tmp_path / "face.jpg"
    save_card(SAMPLE.card(), image)
    rc = main(["read", "passport", "--card-image", str(image), "--trust-dir", str(passport_trust), "--mrz",
               f"{LINE1}\n{LINE2}", "--json", "--trace", str(trace), "--photo-out", str(photo)])  # fmt: skip
    out = capsys.readouterr()
    assert rc == 0, out.err
    doc = json.loads(out.out)
    assert doc["verdict"]["status"] == "genuine"
    trace_text = trace.read_text(encoding="utf-8")
    assert "MUTUAL AUTHENTICATE (BAC)" in trace_text and "Lc=40 <redacted>" in trace_text
    for text in (trace_text, out.err, caplog.text):
        assert _leaks(text, fields_too=True) == []
    no_images = json.dumps({k: v for k, v in doc.items() if k not in ("photo", "images")}, ensure_ascii=False)
    assert _leaks(no_images, fields_too=False) == []
    assert _leaks(photo.read_bytes().hex(), fields_too=False) == []
    # the trace holds no BAC cryptogram: an offline search for the MRZ would start from it
    mutual = trace_text.split("MUTUAL AUTHENTICATE (BAC)")[1].split("\n")[1:3]
    assert all("<redacted>" in line for line in mutual)


def test_typed_fields_leak_nothing_in_text_mode(tmp_path: Path, passport_trust: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    image, trace = tmp_path / "pp.json", tmp_path / "trace.txt"
    save_card(SAMPLE.card(), image)
    rc = main(["read", "passport", "--card-image", str(image), "--trust-dir", str(passport_trust),
               "--document-number", P.number, "--birth", P.birth, "--expiry", P.expiry,
               "--trace", str(trace)])  # fmt: skip
    out = capsys.readouterr()
    assert rc == 0
    assert _leaks(trace.read_text(encoding="utf-8") + out.err, fields_too=True) == []
    assert _leaks(out.out, fields_too=False) == []


def test_key_reprs_are_redacted() -> None:
    assert P.number not in repr(KEY) and P.birth not in repr(KEY)
    channel_text = repr(bac.session_from(bytes(16), bytes(16), bytes(8), bytes(8)))
    assert "<redacted>" in repr(bac.session_from(bytes(16), bytes(16), bytes(8), bytes(8)).keys)
    assert "3DES" in channel_text


def test_ocr_path_leaks_no_key(tmp_path: Path, passport_trust: Path, capsys: pytest.CaptureFixture[str],
                               caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """The MRZ read from a photo of the data page, confirmed, then the chip: the proposals, prompts, trace and
    logs hold neither the key material nor the key fields; nothing is written but the files asked for."""
    import io
    import random
    import sys

    from taimen.face import degrade
    from taimen.face.passport import render

    caplog.set_level(logging.DEBUG)
    params = degrade.random_params(random.Random(7))
    params = degrade.PhotoParams(**{**params.to_json(), "glare": (), "blur": 0.4, "motion": 0.0, "card_frac": 0.8})
    page, image, trace = tmp_path / "page.jpg", tmp_path / "pp.json", tmp_path / "trace.txt"
    page.write_bytes(degrade.photograph(render(P), params).jpeg)
    save_card(SAMPLE.card(), image)
    assert main(["ocr", str(page), "--document", "passport", "--json"]) == 0
    proposals = capsys.readouterr()
    assert _leaks(proposals.out + proposals.err, fields_too=True) == []
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n\n\n"))  # the clerk confirms the three proposals
    rc = main(["ocr", str(page), "--document", "passport", "--read", "--card-image", str(image), "--trust-dir",
               str(passport_trust), "--json", "--trace", str(trace), "--no-progress"])  # fmt: skip
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert json.loads(out.out)["verdict"]["status"] == "genuine"
    for text in (trace.read_text(encoding="utf-8"), out.err, caplog.text):
        assert _leaks(text, fields_too=True) == []
    assert _leaks(out.out, fields_too=False) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.jpg", "pp.json", "trace.txt"]
