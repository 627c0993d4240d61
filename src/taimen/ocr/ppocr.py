"""The two PP-OCR models taimen uses, driven directly on onnxruntime: the DB text detector and the CTC line
recogniser, with the small pre- and post-processing they need.

The model files and the recogniser's character dictionary (stored in the model's metadata) come from the
rapidocr wheel, found by path: importing rapidocr itself costs 0.3-0.8 s (it parses a YAML model catalogue
with OmegaConf at import time) and brings in shapely, OmegaConf and the catalogue's download code, none of
which taimen needs. The processing follows rapidocr 3.10's (``ch_ppocr_det``, ``ch_ppocr_rec``) step for
step, with the settings taimen used through it; ``tests/test_ocr_ppocr.py`` checks on fixed inputs that both
give the same boxes and the same probabilities. Nothing is downloaded and nothing is written: a session is
built from the file in memory, with no optimised-model or profile output.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Any

import cv2
import numpy as np

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"

#: DB post-processing (rapidocr's defaults for PP-OCRv6, which taimen kept).
THRESH = 0.3  # pixel probability that counts as text
BOX_THRESH = 0.5  # mean probability inside a candidate box
MAX_CANDIDATES = 1000
UNCLIP_RATIO = 1.6  # how far a shrunk text kernel is grown back out
MIN_SIZE = 3
#: Rows closer than this (pixels) sort left to right as one line.
ROW_TOLERANCE = 10
#: The recogniser's input: 3 × 48 × width.
REC_HEIGHT = 48
REC_WIDTH = 320


def models_dir() -> Path | None:
    """The ``models`` folder inside the installed rapidocr wheel, located without importing rapidocr."""
    try:
        spec = importlib.util.find_spec("rapidocr")
    except (ImportError, ValueError):  # pragma: no cover - a broken installation
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def session(path: Path, threads: int) -> Any:
    """An onnxruntime CPU session for ``path``, set up as rapidocr set it up (full graph optimisation in memory,
    no memory arena) with ``threads`` intra-op threads and no spinning between runs."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    opts.enable_cpu_mem_arena = False
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    if threads >= 1:
        opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    # a waiting worker thread spins for its next task by default: CPU the other engineers' work could use
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    providers = [("CPUExecutionProvider", {"arena_extend_strategy": "kSameAsRequested"})]
    return ort.InferenceSession(str(path), sess_options=opts, providers=providers)


class Detector:
    """DB text detection: line boxes as 4×2 float32 arrays (clockwise from top left), top to bottom."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        self.session = session(path, threads)
        self._input = self.session.get_inputs()[0].name

    def __call__(self, img: np.ndarray, side: int) -> list[np.ndarray]:
        """Boxes in ``img``'s pixels; the image is seen with its long side at most ``side`` pixels."""
        h, w = img.shape[:2]
        x = det_input(img, side)
        if x is None:
            return []
        pred = self.session.run(None, {self._input: x})[0]
        boxes = db_boxes(pred[0, 0], h, w)
        return sort_boxes(np.array(boxes)) if boxes else []


def det_input(img: np.ndarray, side: int) -> np.ndarray | None:
    """Scale so the long side is at most ``side`` (both sides to multiples of 32), normalise to [-1, 1], NCHW."""
    h, w = img.shape[:2]
    ratio = side / max(h, w) if max(h, w) > side else 1.0
    rh, rw = int(round(int(h * ratio) / 32) * 32), int(round(int(w * ratio) / 32) * 32)
    if rh <= 0 or rw <= 0:
        return None
    x = cv2.resize(img, (rw, rh)).astype(np.float32) * np.float32(1 / 255.0)
    x = (x.astype(np.float64) - 0.5) / 0.5  # in double precision, as rapidocr (bit-identical input)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[np.newaxis], dtype=np.float32)


def db_boxes(prob: np.ndarray, dest_h: int, dest_w: int) -> list[np.ndarray]:
    """Boxes from the detector's probability map (H × W), scaled to a ``dest_w`` × ``dest_h`` image."""
    height, width = prob.shape
    mask = cv2.dilate((prob > THRESH).astype(np.uint8), np.ones((2, 2), np.uint8))
    contours, _ = cv2.findContours((mask * 255).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for contour in contours[:MAX_CANDIDATES]:
        points, short = _mini_box(contour)
        if short < MIN_SIZE or _box_score(prob, points.reshape(-1, 2)) < BOX_THRESH:
            continue
        box, short = _mini_box(_unclip(points))
        if short < MIN_SIZE + 2:
            continue
        box[:, 0] = np.clip(np.round(box[:, 0] / width * dest_w), 0, dest_w)
        box[:, 1] = np.clip(np.round(box[:, 1] / height * dest_h), 0, dest_h)
        box = _clockwise(box.astype(np.int32))
        box[:, 0] = np.clip(box[:, 0], 0, dest_w - 1).astype(np.int32)
        box[:, 1] = np.clip(box[:, 1], 0, dest_h - 1).astype(np.int32)
        if int(np.linalg.norm(box[0] - box[1])) <= 3 or int(np.linalg.norm(box[0] - box[3])) <= 3:
            continue
        out.append(box)
    return out


def _mini_box(contour: np.ndarray) -> tuple[np.ndarray, float]:
    """The minimum-area rectangle around ``contour``: its corners (top left, top right, bottom right, bottom
    left) and its short side."""
    rect = cv2.minAreaRect(contour)
    pts = sorted(cv2.boxPoints(rect), key=lambda p: p[0])
    left = (pts[0], pts[1]) if pts[1][1] > pts[0][1] else (pts[1], pts[0])
    right = (pts[2], pts[3]) if pts[3][1] > pts[2][1] else (pts[3], pts[2])
    return np.array([left[0], right[0], right[1], left[1]]), min(rect[1])


def _box_score(prob: np.ndarray, box: np.ndarray) -> float:
    """Mean probability inside ``box``."""
    h, w = prob.shape
    box = box.copy()
    x0 = int(np.clip(np.floor(box[:, 0].min()), 0, w - 1))
    x1 = int(np.clip(np.ceil(box[:, 0].max()), 0, w - 1))
    y0 = int(np.clip(np.floor(box[:, 1].min()), 0, h - 1))
    y1 = int(np.clip(np.ceil(box[:, 1].max()), 0, h - 1))
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), np.uint8)
    box[:, 0] -= x0
    box[:, 1] -= y0
    cv2.fillPoly(mask, box.reshape(1, -1, 2).astype(np.int32), 1)
    return float(cv2.mean(prob[y0 : y1 + 1, x0 : x1 + 1], mask)[0])


def _unclip(box: np.ndarray) -> np.ndarray:
    """Grow the box outwards by area × ratio / perimeter (round joins), as DB prescribes."""
    import pyclipper

    pts = [(float(x), float(y)) for x, y in box]
    edges = list(zip(pts, pts[1:] + pts[:1], strict=True))
    area = abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in edges)) / 2
    length = sum(math.hypot(x1 - x0, y1 - y0) for (x0, y0), (x1, y1) in edges)
    offset = pyclipper.PyclipperOffset()
    offset.AddPath(box, pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    return np.array(offset.Execute(area * UNCLIP_RATIO / length)).reshape((-1, 1, 2))


def _clockwise(pts: np.ndarray) -> np.ndarray:
    """Top left, top right, bottom right, bottom left (float32)."""
    xs = pts[np.argsort(pts[:, 0]), :]
    left, right = xs[:2], xs[2:]
    tl, bl = left[np.argsort(left[:, 1]), :]
    tr, br = right[np.argsort(right[:, 1]), :]
    return np.array([tl, tr, br, bl], np.float32)


def sort_boxes(boxes: np.ndarray) -> list[np.ndarray]:
    """Top to bottom; boxes whose tops are within ``ROW_TOLERANCE`` of the previous one's form a row, read
    left to right."""
    y = boxes[:, 0, 1]
    order = np.argsort(y, kind="stable")
    rows = np.concatenate([[0], np.cumsum(np.diff(y[order]) >= ROW_TOLERANCE)])
    by_y = boxes[order]
    return list(by_y[np.lexsort((by_y[:, 0, 0], rows))])


class Recogniser:
    """CTC line recognition: per-frame class probabilities for one line crop."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        self.session = session(path, threads)
        self._input = self.session.get_inputs()[0].name
        meta = self.session.get_modelmeta().custom_metadata_map
        if "character" not in meta:
            raise ValueError(f"{path.name} carries no character dictionary")
        #: class index → character; 0 is the CTC blank, the last class a space
        self.character: list[str] = ["blank", *meta["character"].splitlines(), " "]

    def __call__(self, crop: np.ndarray, ratio: float) -> np.ndarray:
        """Probabilities (1 × T × classes) for a BGR crop padded to ``ratio`` (width:height)."""
        return self.session.run(None, {self._input: rec_input(crop, ratio)[np.newaxis]})[0]


def rec_input(crop: np.ndarray, ratio: float) -> np.ndarray:
    """The crop scaled to 48 px high (width in proportion, at most 48 × ``ratio``), normalised to [-1, 1] and
    zero-padded on the right to 48 × ``ratio``: 3 × 48 × W float32."""
    width = int(REC_HEIGHT * ratio)
    h, w = crop.shape[:2]
    resized_w = min(width, math.ceil(REC_HEIGHT * w / float(h)))
    x = cv2.resize(crop, (resized_w, REC_HEIGHT)).astype(np.float32).transpose(2, 0, 1) / 255
    x -= 0.5
    x /= 0.5
    out = np.zeros((3, REC_HEIGHT, width), np.float32)
    out[:, :, :resized_w] = x
    return out
