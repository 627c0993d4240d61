"""Optional pieces the app uses when they are installed: OCR of the card face and chip-vs-face comparison.

``ocr_hook()`` adapts ``taimen.ocr`` to the app: the fields printed on the face (for the comparison table) and
proposals for the document's unlock fields (the clerk confirms every one before anything is sent to a card).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("taimen.web")

#: OCR field → the result's field of the same meaning (the keys the comparison table uses).
PRINTED_FIELDS = {
    "name": "name",
    "address": "address",
    "birth_date": "birth_date",
    "sex": "sex",
    "expiry": "card_expiry",
    "period": "period",  # residence card: the end of the period of stay
}
#: OCR unlock proposal → the document's unlock field, per document.
UNLOCK_FIELDS = {
    "mynumber": {"birth_yymmdd": "birth", "expiry_year": "expiry_year", "security_code": "security_code"},
    "residence": {"card_number": "card_number"},
    # the passport's MRZ (taimen.ocr.mrz_photo): the three fields of the access key
    "passport": {"document_number": "document_number", "birth": "birth", "expiry": "expiry"},
}


@dataclass
class OcrValues:
    printed: dict[str, str] = field(default_factory=dict)  # result field → value as printed
    proposals: dict[str, str] = field(default_factory=dict)  # unlock field → proposed value
    doubtful: set[str] = field(default_factory=set)  # unlock fields to look at twice
    portrait_png: bytes | None = None  # the printed photo cut from the card face
    document: str | None = None  # the document OCR recognised in the photo
    raw: Any = None  # the OcrResult itself, for the chip-vs-face cross-check after the read


OcrHook = Callable[[Any, Any], OcrValues]


def ocr_hook() -> OcrHook | None:
    """(printed fields, unlock proposals) from a captured card-face image, or None without OCR installed."""
    try:
        from taimen.ocr.reader import DOCUMENTS, read_photo
    except ImportError:
        return None

    def run(img: Any, doc: Any) -> OcrValues:
        data = io.BytesIO()
        img.save(data, format="JPEG", quality=92)
        key = getattr(doc, "key", None)
        if key == "passport":  # the data page: its MRZ, not a card layout
            from taimen.ocr.mrz_photo import read_mrz_photo

            return ocr_values(read_mrz_photo(data.getvalue()), "passport")
        # OCR recognises the layout itself: forcing the chosen document's layout onto the photo of another
        # card is slow (every outline is tried) and reads nothing useful.
        result = read_photo(data.getvalue(), None)
        if key is not None and result.document not in (None, key) and key in DOCUMENTS:
            return OcrValues(document=result.document)  # another card was photographed: propose nothing
        return ocr_values(result, key)

    return run


def ocr_values(result: Any, document: str | None) -> OcrValues:
    """Printed fields, unlock proposals and doubtful proposals from an ``OcrResult`` (None and empty left out)."""
    printed: dict[str, str] = {}
    # a passport's MRZ gives the name in its Latin form only (the chip's may be kanji, DG11); the MRZ is
    # compared with DG1 by the read itself (passport.mrz_match), so nothing goes into the printed column
    fields = {} if (document or getattr(result, "document", None)) == "passport" else PRINTED_FIELDS
    for ocr_key, key in fields.items():
        reading = result.fields.get(ocr_key)
        value = getattr(reading, "value", None)
        if value:
            printed[key] = str(value)
    proposals: dict[str, str] = {}
    doubtful: set[str] = set()
    confident = _confident()
    for ocr_key, unlock_key in UNLOCK_FIELDS.get(document or str(result.document), {}).items():
        proposal = result.unlock.get(ocr_key)
        value = getattr(proposal, "value", None)
        if value:
            proposals[unlock_key] = str(value)
            if getattr(proposal, "confidence", 0.0) < confident or getattr(proposal, "doubtful", False):
                doubtful.add(unlock_key)
    birth = result.fields.get("birth_date")
    if proposals.get("birth") and getattr(birth, "calendar", None) in ("wareki", "seireki"):
        proposals["calendar"] = birth.calendar
    portrait = _portrait_png(getattr(result, "portrait", None))
    return OcrValues(printed, proposals, doubtful, portrait, getattr(result, "document", None), result)


def _portrait_png(bgr: Any) -> bytes | None:
    """The printed portrait (a BGR array from OCR) as PNG, in memory."""
    if bgr is None or getattr(bgr, "size", 0) == 0:
        return None
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(bgr[:, :, ::-1].copy()).save(out, format="PNG")
    return out.getvalue()


def _confident() -> float:
    try:
        from taimen.ocr.proposals import CONFIDENT
    except ImportError:
        return 0.9
    return float(CONFIDENT)


def warm_up() -> None:
    """Load the OCR models in the background so the first photo is read as fast as the others."""
    try:
        from taimen.ocr.engine import engine
    except ImportError:
        return
    import threading

    def run() -> None:
        try:
            engine().warm_up()
        except Exception as exc:  # OCR is optional: typed values always work
            log.warning("OCR warm-up failed: %s", type(exc).__name__)

    threading.Thread(target=run, name="taimen-ocr-warmup", daemon=True).start()


def compare_hook() -> Callable[[Any, Any], Any] | None:
    """``(result, ocr_result) -> result`` with the chip-vs-face checks added (taimen.compare), or None."""
    try:
        from taimen.compare import cross_check
    except ImportError:
        return None

    def run(result: Any, ocr: Any) -> Any:
        if getattr(ocr, "document", None) == "passport":
            # the MRZ is compared with DG1 by the read itself (passport.mrz_match); here only the photo
            from taimen.compare import photo_cross_check

            return photo_cross_check(ocr, result)
        return cross_check(ocr, result)

    return run
