"""Optional pieces the app uses when they are installed: OCR of the card face and chip-vs-face comparison.

``ocr_hook()`` adapts ``taimen.ocr`` to the app: the fields printed on the face (for the comparison table) and
proposals for the document's unlock fields (the clerk confirms every one before anything is sent to a card).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("taimen.web")

#: OCR field → the result's field of the same meaning (the keys the comparison table uses).
PRINTED_FIELDS = {
    "name": "name",
    "address": "address",
    "birth_date": "birth_date",
    "sex": "sex",
    "expiry": "card_expiry",
}
#: OCR unlock proposal → the document's unlock field, per document.
UNLOCK_FIELDS = {
    "mynumber": {"birth_yymmdd": "birth", "expiry_year": "expiry_year", "security_code": "security_code"},
}

OcrHook = Callable[[Any, Any], tuple[dict[str, str], dict[str, str]]]


def ocr_hook() -> OcrHook | None:
    """(printed fields, unlock proposals) from a captured card-face image, or None without OCR installed."""
    try:
        from taimen.ocr.reader import DOCUMENTS, read_photo
    except ImportError:
        return None

    def run(img: Any, doc: Any) -> tuple[dict[str, str], dict[str, str]]:
        data = io.BytesIO()
        img.save(data, format="JPEG", quality=92)
        key = getattr(doc, "key", None)
        result = read_photo(data.getvalue(), key if key in DOCUMENTS else None)
        return ocr_values(result, key)

    return run


def ocr_values(result: Any, document: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """Printed fields and unlock proposals from an ``OcrResult`` (values only; None and empty left out)."""
    printed: dict[str, str] = {}
    for ocr_key, key in PRINTED_FIELDS.items():
        reading = result.fields.get(ocr_key)
        value = getattr(reading, "value", None)
        if value:
            printed[key] = str(value)
    proposals: dict[str, str] = {}
    for ocr_key, field in UNLOCK_FIELDS.get(document or str(result.document), {}).items():
        proposal = result.unlock.get(ocr_key)
        value = getattr(proposal, "value", None)
        if value:
            proposals[field] = str(value)
    birth = result.fields.get("birth_date")
    if proposals.get("birth") and getattr(birth, "calendar", None) in ("wareki", "seireki"):
        proposals["calendar"] = birth.calendar
    return printed, proposals


def compare_hook() -> Callable[[Any, dict[str, str]], list[Any]] | None:
    """Checks comparing the chip with the printed fields, or None when taimen.compare is not installed."""
    try:
        from taimen import compare  # type: ignore[attr-defined]
    except ImportError:
        return None
    fn = getattr(compare, "compare", None)
    return fn if callable(fn) else None
