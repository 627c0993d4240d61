"""The OCR engine: the PP-OCRv6 text detector and line recogniser bundled inside the rapidocr wheel, run
directly on onnxruntime (``taimen.ocr.ppocr``).

Nothing is ever downloaded: the model files are opened by path inside the installed wheel, and a missing
file is an error that says to reinstall. rapidocr itself is never imported (its import alone cost 0.3-0.8 s).
The engine loads lazily, each model on its first use and only the ones used: a rectified card needs both,
reading already-cut line crops only the recogniser.

Line crops go one at a time through each inference (no batch padding, which changes what the model reads;
a batch would not be cheaper either: a batch of four cost what four single runs cost, the convolutions' work
grows with the width), two side by side on two cores. Each field's decoding is restricted to the characters
that field can contain (``CHARSETS``): a security code can only decode to digits, which removes a whole class
of misreads (O/0, l/1, 日/8 …). Japanese text is decoded with a prior favouring JIS X 0208 characters.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import taimen  # noqa: F401  (sets the onnxruntime telemetry opt-out before onnxruntime is imported)
from taimen.errors import TaimenError
from taimen.ocr import variants

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"

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


def span_frames(dec: Line, start: int, end: int, total: int) -> tuple[int, int]:
    """The frames (of ``total``) that characters ``start:end`` of ``dec`` were read from: from halfway after the
    previous character's frame to halfway after the last one's (all of them without per-character frames)."""
    pos = dec.positions
    if not pos:
        return 0, total
    t0 = 0 if start <= 0 else (pos[start - 1] + pos[start]) // 2 + 1
    t1 = total if end >= len(pos) else (pos[end - 1] + pos[end]) // 2 + 1
    return t0, t1


def models_dir() -> Path:
    """The models folder of the installed rapidocr wheel (found without importing rapidocr)."""
    from taimen.ocr import ppocr

    d = ppocr.models_dir()
    if d is None:
        raise OcrUnavailable("rapidocr is not installed (pip install 'taimen[ocr]')")
    return d


def bundled_models() -> dict[str, Path]:
    """The two model files taimen uses: ``det`` (text lines) and ``rec`` (characters)."""
    d = models_dir()
    paths = {"det": d / DET_MODEL, "rec": d / REC_MODEL}
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
        # the detector runs alone (one inference per card, nothing beside it), so it takes both cores: its
        # output is bit-identical on one or two threads, and its wall time falls from ~70 to ~40 ms on a quiet
        # machine (TAIMEN_OCR_DET_THREADS overrides; an explicit ``threads`` sets both models)
        self._det_threads = threads or int(os.environ.get("TAIMEN_OCR_DET_THREADS", "0")) or min(2, os.cpu_count() or 1)
        # line crops recognised side by side (``probabilities_many``): one per core, at most two
        self._workers = int(os.environ.get("TAIMEN_OCR_WORKERS", "0")) or min(2, os.cpu_count() or 1)
        self._pool: ThreadPoolExecutor | None = None
        self._rec: Any = None  # ppocr.Recogniser, loaded on first use
        self._det_lock = threading.Lock()
        self._det: Any = None  # ppocr.Detector, loaded on first use
        self._masks: dict[str, np.ndarray] = {}
        self._fold: list[tuple[np.ndarray, np.ndarray]] | None = None
        self._prior: np.ndarray | None = None

    def _load(self, key: str) -> Any:
        try:
            from taimen.ocr import ppocr
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise OcrUnavailable("onnxruntime/opencv are not installed (pip install 'taimen[ocr]')") from exc
        path = bundled_models()[key]
        try:
            if key == "det":
                return ppocr.Detector(path, self._det_threads)
            return ppocr.Recogniser(path, self._threads)
        except ImportError as exc:  # pragma: no cover
            raise OcrUnavailable("onnxruntime is not installed (pip install 'taimen[ocr]')") from exc

    def _recogniser(self) -> Any:
        with self._lock:
            if self._rec is None:
                self._rec = self._load("rec")
            return self._rec

    def character_table(self) -> list[str]:
        """The recogniser's output classes (index 0 is the CTC blank), for decoders outside this module."""
        return list(self._recogniser().character)

    def _detector(self) -> Any:
        with self._det_lock:
            if self._det is None:
                self._det = self._load("det")
            return self._det

    def detect(self, img: np.ndarray, side: int = 0) -> list[np.ndarray]:
        """Text-line boxes (4×2 float arrays, image pixels); the image is seen with its long side at ``side``
        pixels (default ``DET_SIDE``, for a rectified card)."""
        return [np.asarray(b, np.float32) for b in self._detector()(img, side or DET_SIDE)]

    def probabilities(self, crop: np.ndarray) -> np.ndarray:
        """The recogniser's per-frame class probabilities (T × classes) for one line crop, NFKC-equal
        classes folded together. Decode them with ``decode``; slices of them decode a part of the line."""
        rec = self._recogniser()
        if self.squeeze != 1.0:
            crop = _squeeze(crop, self.squeeze)
        probs = rec(crop, self._ratio(crop))
        for var, can in self._folding(rec.character):
            probs[:, :, can] += probs[:, :, var]
            probs[:, :, var] = 0.0
        return probs[0]

    def probabilities_many(self, crops: list[np.ndarray]) -> list[np.ndarray]:
        """``probabilities`` of several crops, in order. On two cores two crops run side by side (onnxruntime
        releases the GIL): each inference stays on one thread, so no operator waits for another thread, and
        the numbers are those of one crop at a time. The widest crops start first so both cores end together."""
        if len(crops) < 2 or self._workers < 2:
            return [self.probabilities(c) for c in crops]
        self._folding(self._recogniser().character)  # built before the workers share it
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="taimen-ocr")
            pool = self._pool
        order = sorted(range(len(crops)), key=lambda i: -crops[i].shape[1] / max(1, crops[i].shape[0]))
        out: list[np.ndarray] = [np.empty(0)] * len(crops)
        for i, probs in zip(order, pool.map(self.probabilities, [crops[i] for i in order]), strict=True):
            out[i] = probs
        return out

    def _ratio(self, crop: np.ndarray) -> float:
        """Width:height the crop is padded to (at least ``min_ratio``)."""
        from taimen.ocr.ppocr import REC_HEIGHT, REC_WIDTH

        floor = REC_WIDTH / REC_HEIGHT if self.min_ratio is None else self.min_ratio
        return max(floor, crop.shape[1] / crop.shape[0])

    def decode(self, probs: np.ndarray, charset: str | None = None) -> Line:
        """Greedy CTC decoding of ``probs`` over ``charset``'s characters (see ``CHARSETS``)."""
        rec = self._recogniser()
        table = rec.character
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
            table = rec.character  # index 0 is the CTC blank
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
        table = rec.character
        out: list[Line | None] = [None] * len(crops)
        # One crop per inference: the recogniser mixes information along the whole line, so the zero padding a
        # batch needs (to its widest crop) changes what a narrower crop reads; the cost per column is the same.
        for i, crop in enumerate(crops):
            probs = rec(crop, self._ratio(crop))
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

        boxes, crops = [], []
        for box in self.detect(img, side=PAGE_SIDE):
            w = int(max(np.linalg.norm(box[1] - box[0]), np.linalg.norm(box[2] - box[3])))
            h = int(max(np.linalg.norm(box[3] - box[0]), np.linalg.norm(box[2] - box[1])))
            if w < 4 or h < 4:
                continue
            dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
            crop = cv2.warpPerspective(img, cv2.getPerspectiveTransform(box.astype(np.float32), dst), (w, h))
            if h > 1.5 * w:  # a vertical line of text: not on these cards
                continue
            boxes.append(box)
            crops.append(crop)
        out = []
        for box, probs in zip(boxes, self.probabilities_many(crops), strict=True):
            line = self.decode(probs)
            if line.text.strip():
                out.append((box, line.text, line.confidence))
        return out


def _squeeze(crop: np.ndarray, factor: float) -> np.ndarray:
    import cv2

    h, w = crop.shape[:2]
    return cv2.resize(crop, (max(4, round(w * factor)), h), interpolation=cv2.INTER_AREA)


def _decode(prob: np.ndarray, table: list[str], mask: np.ndarray | None, prior: np.ndarray | None = None) -> Line:
    """Greedy CTC decoding over the allowed characters, choosing with ``prior`` weights if given."""
    if not len(prob):
        return Line("", 0.0, (), ())
    p = prob if mask is None else np.where(mask[None, :], prob, 0.0)
    choose = p if prior is None else p * prior[None, :]
    idx = choose.argmax(axis=1)
    if prior is not None:
        # The prior picks which character a frame holds, never whether it holds one: a frame the recogniser
        # gave to a character stays a character (增 at 0.95 weighted 0.03 must not lose to a blank at 0.04
        # and vanish from a name without a trace).
        raw = p.argmax(axis=1)
        lost = (idx == 0) & (raw != 0)
        if lost.any():
            idx[lost] = choose[lost, 1:].argmax(axis=1) + 1
        idx = _katakana_run(choose, idx, table)
    best = p[np.arange(len(idx)), idx]
    # CTC: each run of one class is one character (a blank between two runs of the same class makes two), read at
    # the run's first frame with the run's highest probability (runs found as arrays: a per-frame loop cost more
    # than the decoding itself)
    starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
    emitted = idx[starts] != 0
    pos = starts[emitted]
    confs = tuple(float(c) for c in np.maximum.reduceat(best, starts)[emitted])
    chars = [_nfkc(table, int(k)) for k in idx[pos]]
    conf = min(confs) if confs else 0.0
    return Line("".join(chars), conf, confs, tuple(int(t) for t in pos))


_NFKC: dict[int, tuple[list[str], list[str]]] = {}


def _nfkc(table: list[str], k: int) -> str:
    """NFKC of class ``k`` of ``table`` (kept per table: the table itself is kept with it, so that another list
    given the same ``id`` later is not served this one's characters)."""
    got = _NFKC.get(id(table))
    if got is None or got[0] is not table:
        got = _NFKC[id(table)] = (table, [unicodedata.normalize("NFKC", ch) for ch in table])
    return got[1][k]


#: Weight of an old form that Chinese kept and Japanese replaced (增 for 増): the recogniser, trained mostly on
#: Chinese, prefers it (増田 read 增田 at 0.87 against 0.12); on a Japanese card the new form is the rule.
CHINESE_FORM_WEIGHT = 0.03


#: A kanji read unsurely right after katakana gives way to the best katakana of its frames when that has at
#: least this share of the kanji's (weighted) probability: 「コー水」 (水 0.29, ポ 0.18) is コーポ.
KATAKANA_RUN_SHARE = 0.5
#: ... and only a kanji below this probability.
KATAKANA_RUN_UNSURE = 0.6
_KATAKANA: dict[int, np.ndarray] = {}


def _katakana_run(choose: np.ndarray, idx: np.ndarray, table: list[str]) -> np.ndarray:
    """Within a katakana word (a building's name), a kanji the recogniser was unsure of is more likely a
    katakana it nearly chose. The confidence stays the chosen class's own (low), so the field stays doubtful."""
    key = id(table)
    if key not in _KATAKANA:
        _KATAKANA[key] = np.array([bool(i) and _is_katakana(ch) and ch != "ー" for i, ch in enumerate(table)])
    kata = _KATAKANA[key]
    out = idx.copy()
    emitted: list[str] = []  # characters emitted so far
    # only the frames where a character is emitted (its class differs from the frame before's) do anything
    for t in np.flatnonzero((idx != 0) & (idx != np.r_[0, idx[:-1]])):
        k = idx[t]
        ch = table[k]
        before = emitted[-1] if emitted else ""
        after_kana = _is_katakana(before) or (
            before in "一ー" and len(emitted) > 1 and _is_katakana(emitted[-2]) and emitted[-2] != "ー"
        )
        if after_kana and _is_kanji(ch) and choose[t, k] < KATAKANA_RUN_UNSURE:
            kk = int(np.argmax(np.where(kata, choose[t], 0.0)))
            if choose[t, kk] >= KATAKANA_RUN_SHARE * choose[t, k]:
                out[t] = kk
                # the kanji's other frames of this emission follow the choice
                t2 = t + 1
                while t2 < len(idx) and idx[t2] == k:
                    out[t2] = kk
                    t2 += 1
                ch = table[kk]
        emitted.append(ch)
    return out


def _jis_weight(ch: str) -> float:
    if ch in variants.CHINESE_FORMS:
        return CHINESE_FORM_WEIGHT
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


_CLASS_INDEX: dict[int, dict[str, int]] = {}


def class_index(ocr: Any) -> dict[str, int] | None:
    """Each character's class in ``ocr``'s recogniser (the CTC blank, 0, left out), made once per engine; None for
    an engine without per-class probabilities (Tesseract in the benchmark)."""
    if id(ocr) not in _CLASS_INDEX:
        try:
            table = ocr.character_table()
        except AttributeError:
            return None
        _CLASS_INDEX[id(ocr)] = {ch: i for i, ch in enumerate(table) if i}
    return _CLASS_INDEX[id(ocr)]


_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    """The process-wide engine (created on first use)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
        return _engine
