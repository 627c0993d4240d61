"""Tesseract in place of rapidocr's recogniser, for the photo benchmark: the same card locator, the same text
line detector (rapidocr's) and the same assignment of lines to fields; only the reading of each line
differs (Debian tesseract-ocr + tesseract-ocr-jpn through pytesseract, one process per line, ``--psm 7``).
Tesseract's line confidence (``image_to_data``) stands in for the recogniser's; lines have no per-character
positions, so a field's part of a line is filtered to the field's characters rather than decoded again.
The whole-photo fallback (no card outline) stays rapidocr's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from taimen.ocr.engine import CHARSETS, Line
from taimen.ocr.engine import engine as rapid


class _Text:
    def __init__(self, text: str, conf: float) -> None:
        self.text, self.conf = text, conf
        self.shape = (max(1, len(text)), 1)

    def __getitem__(self, _: Any) -> _Text:
        return self


class TesseractEngine:
    def warm_up(self) -> None:
        rapid().warm_up()

    def detect(self, img: np.ndarray, **kw: Any) -> list[np.ndarray]:
        return rapid().detect(img, **kw)

    def read_page(self, img: np.ndarray) -> list:
        return rapid().read_page(img)

    def probabilities(self, crop: np.ndarray) -> _Text:
        import cv2
        import pytesseract

        rgb = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)
        data = pytesseract.image_to_data(rgb, lang="jpn", config="--psm 7", output_type=pytesseract.Output.DICT)
        words = [(w, float(c)) for w, c in zip(data["text"], data["conf"], strict=True) if w.strip()]
        text = "".join(w for w, _ in words)
        conf = min((c for _, c in words), default=0.0) / 100.0
        return _Text(text, max(0.0, conf))

    def decode(self, probs: _Text, charset: str | None = None) -> Line:
        chars = CHARSETS.get(charset or "any")
        text = probs.text if chars is None else "".join(ch for ch in probs.text if ch in chars)
        return Line(text, probs.conf if text else 0.0, (probs.conf,) * len(text), ())
