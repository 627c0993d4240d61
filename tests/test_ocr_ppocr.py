"""taimen drives the PP-OCR models on onnxruntime itself (``taimen.ocr.ppocr``) instead of through rapidocr.

The direct path must see exactly what rapidocr's path saw with the settings taimen used (limit type "max",
DB thresholds 0.3 / 0.5, unclip 1.6, dilation, no classifier): the same boxes and the same probabilities on
fixed inputs, and the same character table. And ``taimen ocr`` must not import rapidocr at all (its import
parses a YAML catalogue with OmegaConf: 0.3-0.8 s).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ocr_helpers import photo

cv2 = pytest.importorskip("cv2")
rapidocr = pytest.importorskip("rapidocr")

from taimen.ocr import engine as eng  # noqa: E402
from taimen.ocr import locate, ppocr  # noqa: E402
from taimen.ocr.photo import decode  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _rapidocr(det_side: int) -> object:
    """rapidocr set up exactly as taimen's engine set it up before it drove onnxruntime itself."""
    m = eng.bundled_models()
    return rapidocr.RapidOCR(
        params={
            "Global.use_det": True,
            "Global.use_cls": False,
            "Global.log_level": "error",
            "Det.model_path": str(m["det"]),
            "Cls.model_path": str(m["det"].parent / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
            "Rec.model_path": str(m["rec"]),
            "Det.limit_type": "max",
            "Det.limit_side_len": det_side,
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        }
    )


@pytest.fixture(scope="module")
def old() -> tuple[object, object]:
    r = _rapidocr(eng.DET_SIDE)
    return r._load_det_model(), r._load_rec_model()


@pytest.fixture(scope="module")
def new() -> tuple[ppocr.Detector, ppocr.Recogniser]:
    m = eng.bundled_models()
    return ppocr.Detector(m["det"], 1), ppocr.Recogniser(m["rec"], 1)


def _images() -> list[tuple[str, np.ndarray, int]]:
    """Fixed inputs: rectified cards of three documents at the card size, and one whole photo at page size."""
    out = []
    for key, doc in (("yamada", "mynumber"), ("yamada", "license"), ("foreign", "residence")):
        img = decode(photo(key, doc).jpeg)
        out.append((doc, locate.rectify(img, locate.find_card(img)), eng.DET_SIDE))
    out.append(("page", decode(photo("yamada", "mynumber").jpeg), eng.PAGE_SIDE))
    return out


def test_same_boxes_as_rapidocr(old: tuple[object, object], new: tuple[ppocr.Detector, ppocr.Recogniser]) -> None:
    det_old, _ = old
    total = 0
    for name, img, side in _images():
        det_old.limit_side_len = side  # type: ignore[attr-defined]
        want = det_old(img).boxes  # type: ignore[operator]
        got = new[0](img, side)
        assert want is not None and len(got) == len(want) > 5, name
        for a, b in zip(got, want, strict=True):
            assert a.dtype == np.float32
            np.testing.assert_array_equal(a, b, err_msg=name)
        total += len(got)
    assert total > 40


def _line_crops(detector: ppocr.Detector, card: np.ndarray, side: int) -> list[np.ndarray]:
    """The upright bounding crop of each line the detector finds."""
    crops = []
    for b in detector(card, side):
        x0, y0 = np.floor(b.min(axis=0)).astype(int)
        x1, y1 = np.ceil(b.max(axis=0)).astype(int)
        crops.append(card[y0:y1, x0:x1])
    return crops


def test_same_probabilities_as_rapidocr(
    old: tuple[object, object], new: tuple[ppocr.Detector, ppocr.Recogniser]
) -> None:
    _, rec_old = old
    assert new[1].character == rec_old.postprocess_op.character  # type: ignore[attr-defined]
    _, card, side = _images()[0]
    crops = _line_crops(new[0], card, side)
    crops.append(np.full((30, 8, 3), 255, np.uint8))  # narrower than tall: padded
    for i, crop in enumerate(crops):
        for ratio in (crop.shape[1] / crop.shape[0], max(320 / 48, crop.shape[1] / crop.shape[0])):
            x = rec_old.resize_norm_img(crop, ratio)[np.newaxis].astype(np.float32)  # type: ignore[attr-defined]
            np.testing.assert_array_equal(ppocr.rec_input(crop, ratio)[np.newaxis], x)
            want = rec_old.session(x)  # type: ignore[attr-defined]
            got = new[1](crop, ratio)
            assert got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-6, err_msg=f"crop {i}")


def test_lines_side_by_side_read_as_one_at_a_time(new: tuple[ppocr.Detector, ppocr.Recogniser]) -> None:
    """Two workers recognising crops concurrently give exactly the numbers of one crop at a time, in the
    order of the crops (the widest start first internally)."""
    _, card, side = _images()[0]
    crops = _line_crops(new[0], card, side)
    assert len({c.shape[1] for c in crops}) > 3  # widths differ, so the working order is not the crops' order
    one = eng.Engine(threads=1)
    one._workers = 1
    two = eng.Engine(threads=1)
    two._workers = 2
    want = [one.probabilities(c) for c in crops]
    got = two.probabilities_many(crops)
    assert len(got) == len(want) and two._pool is not None
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)


def test_empty_and_tiny_images(new: tuple[ppocr.Detector, ppocr.Recogniser]) -> None:
    assert new[0](np.full((200, 300, 3), 255, np.uint8), eng.DET_SIDE) == []
    assert new[0](np.full((10, 10, 3), 255, np.uint8), eng.DET_SIDE) == []  # rounds to 0 × 0: nothing to see


def test_taimen_ocr_does_not_import_rapidocr(tmp_path: Path) -> None:
    """A real ``taimen ocr PHOTO --json`` process reads the card and never imports rapidocr, OmegaConf, YAML
    or shapely, and loads only the two models it uses."""
    img = tmp_path / "card.jpg"
    img.write_bytes(photo("yamada", "mynumber").jpeg)
    code = (
        "import sys, atexit, json\n"
        "atexit.register(lambda: sys.stderr.write('MODULES ' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
        "from taimen.cli import main\n"
        "sys.exit(main())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "ocr", str(img), "--document", "mynumber", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout)["fields"]["name"]["value"] == "山田\u3000花子"
    line = next(x for x in out.stderr.splitlines() if x.startswith("MODULES "))
    modules = set(json.loads(line[len("MODULES ") :]))
    assert "onnxruntime" in modules and "taimen.ocr.ppocr" in modules  # the control: OCR did run here
    banned = {"rapidocr", "omegaconf", "yaml", "shapely"}
    assert not {m for m in modules if m.split(".")[0] in banned}


def test_detector_on_two_threads_finds_the_same_boxes(new: tuple[ppocr.Detector, ppocr.Recogniser]) -> None:
    """The engine gives the detector both cores (it runs alone): its boxes must be bit for bit those of one."""
    two = ppocr.Detector(eng.bundled_models()["det"], 2)
    assert two.session.get_session_options().intra_op_num_threads == 2
    for name, img, side in _images():
        want, got = new[0](img, side), two(img, side)
        assert len(got) == len(want) > 5, name
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)


def test_engine_runs_the_detector_on_both_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two onnxruntime threads for the detector on a machine of two cores or more, one for the recogniser
    (two crops run side by side instead); ``TAIMEN_OCR_DET_THREADS`` or an explicit ``threads`` override it."""
    monkeypatch.delenv("TAIMEN_OCR_DET_THREADS", raising=False)
    monkeypatch.delenv("TAIMEN_OCR_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    e = eng.Engine()
    assert e._detector().session.get_session_options().intra_op_num_threads == 2
    assert e._recogniser().session.get_session_options().intra_op_num_threads == 1
    assert eng.Engine(threads=1)._det_threads == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert eng.Engine()._det_threads == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    monkeypatch.setenv("TAIMEN_OCR_DET_THREADS", "1")
    assert eng.Engine()._det_threads == 1
