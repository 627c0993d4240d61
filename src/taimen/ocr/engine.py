"""The OCR engine: rapidocr 3.x with the PP-OCRv6 models bundled inside its wheel, on onnxruntime.

Nothing is ever downloaded: the model files are passed by path, so rapidocr's download code is never reached,
and a missing file is an error that says to reinstall. The engine loads lazily (the first call costs about a
second) and keeps two rapidocr instances: one for full-image detection+recognition and one whose recogniser
reads line crops. They are separate because rapidocr 3.10 makes per-call overrides such as ``use_det=False``
stick to the instance.

Line crops go one at a time straight through the recogniser's onnxruntime session (no batch padding, which
changes what the model reads), and each field's decoding is restricted to the characters that field can
contain (``CHARSETS``): a security code can only decode to digits, which removes a whole class of misreads
(O/0, l/1, 日/8 …). Japanese text is decoded with a prior favouring JIS X 0208 characters.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import taimen  # noqa: F401  (sets the onnxruntime telemetry opt-out before onnxruntime is imported)
from taimen.errors import TaimenError
from taimen.ocr import variants

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"

_DIGITS = "0123456789０１２３４５６７８９"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
#: Characters each kind of field may decode to (``None``: the whole dictionary).
CHARSETS: dict[str, str | None] = {
    "any": None,
    "digits": _DIGITS,
    "date": _DIGITS + "年月日生まで有効明治大正昭和平成令元()（） 　",
    "card_number": _DIGITS + _UPPER,
    "latin": _UPPER + "abcdefghijklmnopqrstuvwxyz -,.'" + "　",
    "sex": "男女MF. ",
    "title": None,
}
#: Long side of a rectified card as the text detector sees it (about 10 px per mm: the smallest print that
#: matters, 2 mm high, is still 20 px).
DET_SIDE = 576
#: Long side of a whole photo for the text detector (the fallback when no card outline is found).
PAGE_SIDE = 1280
#: Charsets of Japanese text, decoded with a prior favouring the characters Japanese cards print.
JAPANESE = {"any", "title"}


class OcrUnavailable(TaimenError):
    """The OCR packages or their bundled models are not installed."""

    message_ja = (
        "OCRを利用できません。pip install 'taimen[ocr]' でrapidocrとonnxruntimeを導入してください"
        "（モデルは同梱品のみ使用し、ダウンロードしません）。"
    )


@dataclass(frozen=True, slots=True)
class Line:
    """One recognised line: text, the lowest per-character confidence, and every character's confidence."""

    text: str
    confidence: float
    char_confidences: tuple[float, ...]
    #: CTC frame where each character was emitted (for finding the gap between family and given name)
    positions: tuple[int, ...] = ()


def models_dir() -> Path:
    try:
        import rapidocr
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise OcrUnavailable("rapidocr is not installed (pip install 'taimen[ocr]')") from exc
    return Path(rapidocr.__file__).resolve().parent / "models"


def bundled_models() -> dict[str, Path]:
    d = models_dir()
    paths = {"det": d / DET_MODEL, "rec": d / REC_MODEL, "cls": d / CLS_MODEL}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise OcrUnavailable(
            f"the OCR models bundled with rapidocr are missing ({', '.join(missing)}); reinstall rapidocr. "
            "taimen never downloads models."
        )
    return paths


class Engine:
    """Lazily loaded recogniser. Thread-safe; one per process is enough (see ``engine()``)."""

    def __init__(self, threads: int | None = None, squeeze: float = 1.0, min_ratio: float | None = 0.0) -> None:
        """``squeeze`` < 1 narrows crops before recognition (faster, less accurate); ``min_ratio`` is the
        narrowest width:height a crop is padded to (None: rapidocr's 320:48, which costs a short crop such as
        a one-character field six times its width without reading it any better)."""
        self.squeeze = squeeze
        self.min_ratio = min_ratio
        self._lock = threading.Lock()
        # one onnxruntime thread by default: on a machine shared with other work, two threads spinning for
        # each other's results were measured twice as slow as one (TAIMEN_OCR_THREADS overrides)
        self._threads = threads or int(os.environ.get("TAIMEN_OCR_THREADS", "1"))
        self._crop: Any = None  # RapidOCR used for line crops (its recogniser only)
        self._det_lock = threading.Lock()  # the detector's input size is set per call (card or whole photo)
        self._det: Any = None  # text detector for rectified cards (its own input size)
        self._masks: dict[str, np.ndarray] = {}
        self._fold: list[tuple[np.ndarray, np.ndarray]] | None = None
        self._prior: np.ndarray | None = None

    def _make(self, *, det: bool, det_side: int | None = None) -> Any:
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:  # pragma: no cover
            raise OcrUnavailable("rapidocr/onnxruntime are not installed (pip install 'taimen[ocr]')") from exc
        m = bundled_models()
        params: dict[str, Any] = {
            "Global.use_det": det,
            "Global.use_cls": False,  # the card is rectified upright before recognition
            "Global.log_level": "error",
            "Det.model_path": str(m["det"]),
            "Cls.model_path": str(m["cls"]),
            "Rec.model_path": str(m["rec"]),
        }
        if det_side:  # a rectified card: its long side scaled to det_side (rapidocr's default scales the short side)
            params["Det.limit_type"] = "max"
            params["Det.limit_side_len"] = det_side
        if self._threads:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = self._threads
        return RapidOCR(params=params)

    def _recogniser(self) -> Any:
        with self._lock:
            if self._crop is None:
                self._crop = self._make(det=False)
            return self._crop._load_rec_model()

    def _detector(self) -> Any:
        with self._lock:
            if self._det is None:
                self._det = self._make(det=True, det_side=DET_SIDE)._load_det_model()
            return self._det

    def detect(self, img: np.ndarray, side: int = 0) -> list[np.ndarray]:
        """Text-line boxes (4×2 float arrays, image pixels); the image is seen with its long side at ``side``
        pixels (default ``DET_SIDE``, for a rectified card)."""
        det = self._detector()
        with self._det_lock:
            det.limit_side_len = side or DET_SIDE
            out = det(img)
        return [] if out.boxes is None else [np.asarray(b, np.float32) for b in out.boxes]

    def probabilities(self, crop: np.ndarray) -> np.ndarray:
        """The recogniser's per-frame class probabilities (T × classes) for one line crop, NFKC-equal
        classes folded together. Decode them with ``decode``; slices of them decode a part of the line."""
        rec = self._recogniser()
        if self.squeeze != 1.0:
            crop = _squeeze(crop, self.squeeze)
        _, img_h, img_w = rec.rec_image_shape
        floor = img_w / img_h if self.min_ratio is None else self.min_ratio
        ratio = max(floor, crop.shape[1] / crop.shape[0])
        probs = rec.session(rec.resize_norm_img(crop, ratio)[np.newaxis].astype(np.float32))
        for var, can in self._folding(rec.postprocess_op.character):
            probs[:, :, can] += probs[:, :, var]
            probs[:, :, var] = 0.0
        return probs[0]

    def decode(self, probs: np.ndarray, charset: str | None = None) -> Line:
        """Greedy CTC decoding of ``probs`` over ``charset``'s characters (see ``CHARSETS``)."""
        rec = self._recogniser()
        table = rec.postprocess_op.character
        cs = charset or "any"
        prior = self._japanese_prior(table) if cs in JAPANESE else self._latin_prior(table) if cs == "latin" else None
        line = _decode(probs, table, self._mask(rec, cs), prior)
        if cs in JAPANESE:
            text = _kana_context(variants.japanese(line.text))
            line = Line(text, line.confidence, line.char_confidences, line.positions)
        return line

    def warm_up(self) -> None:
        """Load the recogniser and run it once (the first inference is several times slower)."""
        img = np.full((48, 160, 3), 255, np.uint8)
        img[18:30, 20:140] = 0
        self.recognize([img])

    def _mask(self, rec: Any, charset: str | None) -> np.ndarray | None:
        chars = CHARSETS.get(charset or "any")
        if chars is None:
            return None
        key = charset or "any"
        if key not in self._masks:
            table = rec.postprocess_op.character  # index 0 is the CTC blank
            allowed = set(chars)
            self._masks[key] = np.array([i == 0 or ch in allowed for i, ch in enumerate(table)])
        return self._masks[key]

    def _folding(self, table: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Class pairs (variant, canonical) that NFKC makes equal, e.g. full-width １ and 1: their
        probabilities are added before decoding so the choice between them costs no confidence. Grouped so
        that no canonical class appears twice in a group (fancy-index addition would drop duplicates)."""
        if self._fold is None:
            where = {ch: i for i, ch in enumerate(table) if i}
            rounds: list[tuple[list[int], list[int]]] = []
            for i, ch in enumerate(table):
                n = unicodedata.normalize("NFKC", ch) if i else ch
                if i and n != ch and n in where:
                    for var, can in rounds:
                        if where[n] not in can:
                            var.append(i)
                            can.append(where[n])
                            break
                    else:
                        rounds.append(([i], [where[n]]))
            self._fold = [(np.array(v, np.intp), np.array(c, np.intp)) for v, c in rounds]
        return self._fold

    def _japanese_prior(self, table: list[str]) -> np.ndarray:
        """Weights per class for Japanese text. The model's dictionary mixes Chinese and Japanese, and on a
        blurred crop it may pick a traditional or simplified form (號 for 号, 爱 for 愛). Cards print JIS X 0208
        text, mostly its level-1 kanji: level 2 and vendor extensions (濱, 髙) keep a fair chance, characters
        outside JIS X 0208 almost none. Only the choice is weighted; confidences stay the model's."""
        if self._prior is None:
            w = np.ones(len(table), np.float32)
            for i, ch in enumerate(table):
                if i:
                    w[i] = _jis_weight(ch)
            self._prior = w
        return self._prior

    def _latin_prior(self, table: list[str]) -> np.ndarray:
        """Latin names: the space between family and given name is a narrow gap that CTC often gives to the
        blank class; weighting the space 3:1 keeps it where the model sees one at all."""
        w = np.ones(len(table), np.float32)
        w[[i for i, ch in enumerate(table) if ch == " "]] = 3.0
        return w

    def recognize(self, crops: list[np.ndarray], charsets: list[str | None] | None = None) -> list[Line]:
        """Recognise single text lines (BGR uint8 crops), each restricted to its charset."""
        if not crops:
            return []
        rec = self._recogniser()
        charsets = charsets or [None] * len(crops)
        if self.squeeze != 1.0:
            crops = [_squeeze(c, self.squeeze) for c in crops]
        table = rec.postprocess_op.character
        _, img_h, img_w = rec.rec_image_shape
        out: list[Line | None] = [None] * len(crops)
        # One crop per inference: the recogniser mixes information along the whole line, so the zero padding a
        # batch needs (to its widest crop) changes what a narrower crop reads; the cost per column is the same.
        for i, crop in enumerate(crops):
            floor = img_w / img_h if self.min_ratio is None else self.min_ratio
            ratio = max(floor, crop.shape[1] / crop.shape[0])
            probs = rec.session(rec.resize_norm_img(crop, ratio)[np.newaxis].astype(np.float32))
            for var, can in self._folding(table):
                probs[:, :, can] += probs[:, :, var]
                probs[:, :, var] = 0.0
            cs = charsets[i] or "any"
            prior = (
                self._japanese_prior(table) if cs in JAPANESE else self._latin_prior(table) if cs == "latin" else None
            )
            line = _decode(probs[0], table, self._mask(rec, cs), prior)
            if cs in JAPANESE:
                text = _kana_context(variants.japanese(line.text))
                line = Line(text, line.confidence, line.char_confidences, line.positions)
            out[i] = line
        return [line for line in out if line is not None]

    def read_page(self, img: np.ndarray) -> list[tuple[np.ndarray, str, float]]:
        """Detect and recognise every text line of a whole image: (box, text, score) tuples. The same two
        models as for cards: nothing else is loaded."""
        import cv2

        out = []
        for box in self.detect(img, side=PAGE_SIDE):
            w = int(max(np.linalg.norm(box[1] - box[0]), np.linalg.norm(box[2] - box[3])))
            h = int(max(np.linalg.norm(box[3] - box[0]), np.linalg.norm(box[2] - box[1])))
            if w < 4 or h < 4:
                continue
            dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
            crop = cv2.warpPerspective(img, cv2.getPerspectiveTransform(box.astype(np.float32), dst), (w, h))
            if h > 1.5 * w:  # a vertical line of text: not on these cards
                continue
            line = self.decode(self.probabilities(crop))
            if line.text.strip():
                out.append((box, line.text, line.confidence))
        return out


def _squeeze(crop: np.ndarray, factor: float) -> np.ndarray:
    import cv2

    h, w = crop.shape[:2]
    return cv2.resize(crop, (max(4, round(w * factor)), h), interpolation=cv2.INTER_AREA)


def _decode(prob: np.ndarray, table: list[str], mask: np.ndarray | None, prior: np.ndarray | None = None) -> Line:
    """Greedy CTC decoding over the allowed characters, choosing with ``prior`` weights if given."""
    p = prob if mask is None else np.where(mask[None, :], prob, 0.0)
    choose = p if prior is None else p * prior[None, :]
    idx = choose.argmax(axis=1)
    best = p[np.arange(len(idx)), idx]
    chars: list[str] = []
    confs: list[float] = []
    pos: list[int] = []
    prev = 0
    for t, k in enumerate(idx):
        if k != 0 and k != prev:
            chars.append(unicodedata.normalize("NFKC", table[k]))
            confs.append(float(best[t]))
            pos.append(t)
        elif k != 0 and k == prev:
            confs[-1] = max(confs[-1], float(best[t]))
        prev = k
    conf = min(confs) if confs else 0.0
    return Line("".join(chars), conf, tuple(confs), tuple(pos))


def _jis_weight(ch: str) -> float:
    try:
        b = ch.encode("euc_jp")
    except UnicodeEncodeError:
        try:
            ch.encode("cp932")  # NEC/IBM extensions: 髙, 﨑 …
            return 0.3
        except UnicodeEncodeError:
            return 0.02  # not a Japanese character set's character (simplified Chinese …)
    if len(b) == 1 or b[0] == 0x8E:
        return 1.0  # ASCII, half-width katakana
    if b[0] == 0x8F:
        return 0.1  # JIS X 0212 only
    row = b[0] - 0xA0
    return 1.0 if row <= 47 else 0.3  # rows 1-15 symbols and kana, 16-47 level-1 kanji, 48- level-2


def _is_katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or ch == "ー"


def _is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch == "々"


def _kana_context(text: str) -> str:
    """一 (kanji one) and ー (long vowel mark) look alike: after katakana and not before a kanji it is ー
    (コーポ), between kanji it is 一 (一番町)."""
    out = list(text)
    for i, ch in enumerate(out):
        prev = out[i - 1] if i else ""
        nxt = out[i + 1] if i + 1 < len(out) else ""
        if ch == "一" and prev and _is_katakana(prev) and prev != "ー" and not _is_kanji(nxt):
            out[i] = "ー"
        elif ch == "ー" and (not prev or _is_kanji(prev)) and _is_kanji(nxt):
            out[i] = "一"
    return "".join(out)


_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    """The process-wide engine (created on first use)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
        return _engine
