"""Address lines the first pass lost (look_again.building_in_band): a building line the detector missed read from
the band under the address. Each case is a failure of the photo benchmark's tuning split (tune-3045, 3112), drawn
again on a blank card."""

from __future__ import annotations

import pytest

from ocr_helpers import ocr
from taimen.ocr import fieldread, look_again
from test_ocr_recover import PPM, _card, _licence_recs

FW = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture(scope="module")
def e():
    return ocr()


def test_a_building_line_the_detector_missed_is_read_from_the_band_under_the_address(e, monkeypatch) -> None:
    """tune-3045, 3112: the building line 「ガーデン本町１２０１号室」 had the licence's five-digit number printed over
    its end, and neither detector pass found a line there: the address was proposed as its first line. The band of
    ink under the address is read as one line and what follows 号室 (the number's digits) left out."""
    room = "ガーデン町田1201号室".translate(FW)
    card = _card([(room, 9.5, 12.4, 2.8, 40), ("68520", 42.0, 14.6, 2.7, 60)])
    recs = _licence_recs()
    band = look_again.building_in_band(card, PPM, recs, recs[2].line, 9.5, e)
    assert band is not None and band[0].line.text[: band[1]] == "ガーデン町田1201号室", band and band[0].line.text
    monkeypatch.setattr(look_again, "detect_in", lambda *a: [])  # the detector, looking again, sees nothing there
    got = fieldread.fields_from_lines("license", _licence_recs(), e, card=card, ppm=PPM)["address"]
    assert got.value == "東京都町田市原町田4丁目23番36号ガーデン町田1201号室", got
    assert got.doubtful  # found only by looking again
    # a band that reads as no address line (a scribble, the next label) gives nothing
    assert look_again.building_in_band(_card([("△◇△◇", 9.5, 12.4, 2.8, 40)]), PPM, recs, recs[2].line, 9.5, e) is None
    assert look_again.building_in_band(_card([]), PPM, recs, recs[2].line, 9.5, e) is None
    # ink that starts well right of where the address's lines start is another field's
    far = _card([(room, 22.0, 12.4, 2.8, 40)])
    assert look_again.building_in_band(far, PPM, recs, recs[2].line, 9.5, e) is None
