"""The reader's choice between an unsure card outline and the whole photo (no OCR: the readings are stubbed)."""

from __future__ import annotations

import numpy as np
import pytest

from taimen.ocr import fields as fp
from taimen.ocr import reader
from taimen.ocr.locate import Quad
from taimen.ocr.proposals import OcrResult, mynumber_unlock


def _reading(found: int, method: str) -> OcrResult:
    """A My Number reading with the first ``found`` of its six fields read (all confidently)."""
    keys = ("name", "address", "sex", "birth_date", "expiry", "security_code")
    fields = {k: fp.FieldReading(k, "x" if n < found else None, "x", 0.99 if n < found else 0.0) for n, k in
              enumerate(keys)}
    if found == len(keys):  # dates and code that make 照合番号B
        fields["birth_date"] = fp.parse_birth_date("昭和55年2月17日生", 0.99)
        fields["expiry"] = fp.parse_mynumber_expiry("2035年2月17日まで有効", 0.99)
        fields["security_code"] = fp.FieldReading("security_code", "2285", "2285", 0.99)
    return OcrResult("mynumber", fields, mynumber_unlock(fields), card_found=method == "card", method=method)


@pytest.mark.parametrize(("score", "read", "page_read"), [(0.12, 4, True), (0.8, 4, False), (0.12, 6, False)])
def test_an_unsure_outline_is_weighed_against_the_whole_photo(
    monkeypatch, score: float, read: int, page_read: bool
) -> None:
    """An outline the locator scores low is mostly a piece of the card or of clutter; one cutting through the
    card still reads most fields (so the reading's own quality, 4 of 6, did not send the reader to the whole
    photo), while the whole photo reads them all. A sure outline is not second-guessed, nor an unsure one
    that read every field (the whole photo's reading costs as much as the card's)."""

    class Search:
        candidates = (Quad(np.zeros((4, 2), np.float32), score, "lines"),)

        def __init__(self, img) -> None:
            pass

        def refine(self, rough):
            return rough

    pages = []

    def read_page(img, document, ocr):
        pages.append(1)
        return _reading(6, "page")

    monkeypatch.setattr(reader.locate, "Search", Search)
    monkeypatch.setattr(reader, "_read_card", lambda img, quad, document, ocr, timings: _reading(read, "card"))
    monkeypatch.setattr(reader, "_read_page", read_page)
    res = reader.read_image(np.zeros((10, 10, 3), np.uint8), "mynumber", ocr=object())
    assert bool(pages) == page_read
    assert res.method == ("page" if page_read else "card")
