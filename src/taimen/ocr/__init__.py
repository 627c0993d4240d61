"""Offline OCR of card faces: find the card in a camera photo, read its printed fields, propose unlock values.

Everything it returns is a proposal for the operator to confirm; nothing here talks to a card. The engine
(rapidocr with the models bundled in its wheel, on onnxruntime) loads on first use; importing this package is
cheap. ``taimen/__init__.py`` disables onnxruntime's telemetry before onnxruntime can be imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from taimen.ocr.engine import Engine
    from taimen.ocr.proposals import OcrResult


def read_photo(data: bytes, document: str | None = None, *, ocr: Engine | None = None) -> OcrResult:
    """Proposals for the card in the photo ``data`` (JPEG/PNG bytes); ``document``: mynumber/license/residence."""
    from taimen.ocr.reader import read_photo as _read

    return _read(data, document, ocr=ocr)


def warm_up() -> None:
    """Load the models and run them once (call at start-up: the first inference is slow)."""
    from taimen.ocr.engine import engine

    engine().warm_up()
