"""The reader's choice between an unsure card outline and the whole photo (no OCR: the readings are stubbed)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from taimen.ocr import fields as fp
from taimen.ocr import reader
from taimen.ocr.locate import Quad
from taimen.ocr.proposals import OcrResult, mynumber_unlock


def _one_outline(score: float) -> type:
    """A locator that finds one outline, scored ``score``."""

    class Search:
        candidates = (Quad(np.zeros((4, 2), np.float32), score, "lines"),)

        def __init__(self, img) -> None:
            pass

        def refine(self, rough):
            return rough

    return Search


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

    pages = []

    def read_page(img, document, ocr):
        pages.append(1)
        return _reading(6, "page")

    monkeypatch.setattr(reader.locate, "Search", _one_outline(score))
    monkeypatch.setattr(reader, "_read_card", lambda img, quad, document, ocr, timings: _reading(read, "card"))
    monkeypatch.setattr(reader, "_read_page", read_page)
    res = reader.read_image(np.zeros((10, 10, 3), np.uint8), "mynumber", ocr=object())
    assert bool(pages) == page_read
    assert res.method == ("page" if page_read else "card")


def _run(monkeypatch, card: OcrResult, page: OcrResult, score: float = 0.12) -> OcrResult:
    monkeypatch.setattr(reader.locate, "Search", _one_outline(score))
    monkeypatch.setattr(reader, "_read_card", lambda img, quad, document, ocr, timings: card)
    monkeypatch.setattr(reader, "_read_page", lambda img, document, ocr: page)
    return reader.read_image(np.zeros((10, 10, 3), np.uint8), "mynumber", ocr=object())


def _as_page(res: OcrResult) -> OcrResult:
    """Every field of a whole-photo reading carries ``no_outline``, as ``fieldread`` gives it."""
    res.fields = {k: replace(f, reasons=(*f.reasons, "no_outline")) if f.value else f for k, f in res.fields.items()}
    res.unlock = mynumber_unlock(res.fields)
    return res


def test_as_many_fields_either_way_the_outlines_reading_is_kept(monkeypatch) -> None:
    """An unsure outline and the whole photo both read four fields: the outline's is kept (a tie used to go to
    the whole photo, every one of whose values is doubtful), even when read less surely; the whole photo's
    is kept only when it finds more."""
    card, page = _reading(4, "card"), _as_page(_reading(4, "page"))
    card.fields = {k: replace(f, confidence=0.80) if f.value else f for k, f in card.fields.items()}
    assert _run(monkeypatch, card, page).method == "card"
    assert _run(monkeypatch, _reading(4, "card"), _as_page(_reading(5, "page"))).method == "page"
    assert _run(monkeypatch, _reading(0, "card"), _reading(0, "page")).method == "page"  # no card: said so


def test_what_the_two_readings_disagree_on_is_doubtful_and_a_lacking_field_comes_from_the_photo(
    monkeypatch,
) -> None:
    """The outline's reading is kept; the whole photo read its name otherwise (one of them is wrong: doubtful,
    ``two_candidates``) and also read the expiry the outline missed (taken, still ``no_outline``); a field both
    read alike stays as it was."""
    card = _reading(4, "card")  # name, address, sex, birth date
    page = _as_page(_reading(5, "page"))  # … and the expiry, but not the birth date: four too
    page.fields["name"] = replace(page.fields["name"], value="y")
    page.fields["birth_date"] = fp.FieldReading("birth_date", None, "", 0.0)
    page.fields = {k: replace(f, confidence=0.5) if f.value else f for k, f in page.fields.items()}
    res = _run(monkeypatch, card, page)
    assert res.method == "card"
    assert "two_candidates" in res.fields["name"].reasons and res.fields["name"].doubtful
    assert res.fields["expiry"].value == "x" and "no_outline" in res.fields["expiry"].reasons
    assert res.fields["address"].reasons == () and not res.fields["address"].doubtful
    assert res.fields["security_code"].value is None  # read by neither


def test_a_field_only_the_unsure_outline_read_is_not_added_to_the_photos_reading(monkeypatch) -> None:
    """The whole photo's reading is kept: the outline's values that differ from it are not taken (every one of
    the photo's values is doubtful already), and nothing the photo lacks is filled from the outline."""
    card = _reading(3, "card")
    page = _as_page(_reading(4, "page"))
    res = _run(monkeypatch, card, page)
    assert res.method == "page" and res.fields["birth_date"].value == "x"
    assert all(f.value is None for k, f in res.fields.items() if k in ("expiry", "security_code"))


def test_an_address_in_the_list_of_places_is_taken_over_the_kept_readings_unknown_place(monkeypatch) -> None:
    """tune-3931: the whole photo's reading was kept and its address, 「…相模原市区楼本9丁目…」, is in no entry of the
    list of places, while the outline's frames read the place again as 相模原市緑区橋本. The listed one is
    proposed, still doubtful (``two_candidates``); two listed places or two unlisted ones leave the kept one."""

    def run(outline_reasons: tuple[str, ...]) -> fp.FieldReading:
        card, page = _reading(3, "card"), _as_page(_reading(4, "page"))
        page.fields["address"] = replace(page.fields["address"], value="z", reasons=("unknown_place", "no_outline"))
        card.fields["address"] = replace(card.fields["address"], value="y", reasons=outline_reasons)
        res = _run(monkeypatch, card, page)
        assert res.method == "page"
        return res.fields["address"]

    got = run(("repaired",))
    assert got.value == "y" and "two_candidates" in got.reasons and got.doubtful
    assert run(("unknown_place",)).value == "z"


def _outlines(scores: list[float]) -> type:
    """A locator that finds one outline per score."""

    class Search:
        candidates = tuple(Quad(np.full((4, 2), i, np.float32), s, "lines") for i, s in enumerate(scores))

        def __init__(self, img) -> None:
            pass

        def refine(self, rough):
            return rough

    return Search


def _mynumber(birth: str | None, expiry: str | None, code: str | None, name: str | None = "x") -> OcrResult:
    none = fp.FieldReading
    fields = {
        "name": none("name", name, name or "", 0.99 if name else 0.0),
        "address": none("address", None, "", 0.0),
        "sex": none("sex", "female", "女", 0.99),
        "birth_date": fp.parse_birth_date(birth, 0.08) if birth else none("birth_date", None, "", 0.0),
        "expiry": fp.parse_mynumber_expiry(expiry, 0.86) if expiry else none("expiry", None, "", 0.0),
        "security_code": none("security_code", code, code or "", 1.0 if code else 0.0),
    }
    return OcrResult("mynumber", fields, mynumber_unlock(fields), card_found=True, method="lines")


def _read_outlines(monkeypatch, readings: list[OcrResult]) -> OcrResult:
    monkeypatch.setattr(reader.locate, "Search", _outlines([0.9] * len(readings)))
    by_quad = iter(readings)
    monkeypatch.setattr(reader, "_read_card", lambda img, quad, document, ocr, timings: next(by_quad))
    return reader.read_image(np.zeros((10, 10, 3), np.uint8), "mynumber", ocr=object())


def _third() -> OcrResult:
    return _mynumber(None, "2026年02月21日まで有効", "0311")


def test_an_unlock_value_the_kept_outline_lost_is_taken_from_another_outline_of_the_same_card(monkeypatch) -> None:
    """dev-0043: the first outline read every unlock value, its birth date unsurely (so it counted for less);
    the third read the name as well but no birth date and was kept. The birth date is taken from the first:
    it reads the kept outline's expiry and code alike, and its birthday is the expiry's. ``other_outline``."""
    first = _mynumber("1987年02月21日生", "2026年02月21日まで有効", "0311", name=None)
    res = _read_outlines(monkeypatch, [first, _mynumber(None, None, None, name=None), _third()])
    got = res.fields["birth_date"]
    assert got.value == "1987-02-21" and "other_outline" in got.reasons and got.doubtful
    assert res.unlock["kenmen_b"].value == "87022120260311" and res.unlock["kenmen_b"].doubtful
    # an outline that shares no value with the kept one (a piece of clutter) gives nothing
    other = _mynumber("1987年02月21日生", "2027年03月01日まで有効", "1234", name=None)
    assert _read_outlines(monkeypatch, [other, _third()]).fields["birth_date"].value is None
    # nor does a birth date off the kept expiry's birthday
    off = _mynumber("1987年05月21日生", "2026年02月21日まで有効", "0311", name=None)
    assert _read_outlines(monkeypatch, [off, _third()]).fields["birth_date"].value is None
