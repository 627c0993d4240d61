"""A name or address whose printed line goes on past what was read is doubtful (``runs_on``), never proposed
as sure: the recogniser dropping a line's last character at 0.99, or a piece split off the line's end that
went to no field (taimen.ocr.fieldread). Each case was a wrong address proposed without doubt on tune."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_helpers import ocr
from taimen.ocr import fieldread, look_again, recline
from taimen.ocr.assign import TextLine
from taimen.ocr.engine import Line

FONT = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
PPM = fieldread.PPM_REC


@pytest.fixture(scope="module")
def e():
    return ocr()


def _crop(text: str) -> np.ndarray:
    font = ImageFont.truetype(FONT, 36)
    w = int(font.getlength(text)) + 24
    im = Image.new("RGB", (w, 48), (236, 238, 236))
    ImageDraw.Draw(im).text((12, 5), text, font=font, fill=(30, 30, 30))
    return np.asarray(im)


def _read(e, crop: np.ndarray, drop: int = 0) -> recline.RecLine:
    """The crop read by the real recogniser; ``drop`` last characters taken out of the reading as if the
    recogniser had given their frames to the blank."""
    probs = e.probabilities(crop)
    dec = e.decode(probs, "any")
    n = len(dec.positions) - drop
    line = Line(dec.text[:n], dec.confidence, dec.char_confidences[:n], dec.positions[:n])
    return recline.RecLine(TextLine(10, 20, 40, 24, line.text, line.confidence), probs, line, crop)


def test_a_glyph_right_of_the_last_character_read_is_ink_after_the_reading(e) -> None:
    crop = _crop("通９２４番地３２")
    whole = _read(e, crop)
    assert whole.decoded.text.endswith("32") or whole.decoded.text.endswith("３２")
    assert not look_again.ink_after_last(whole)
    assert look_again.ink_after_last(_read(e, crop, drop=1))


def test_a_kanji_of_several_parts_at_the_line_s_end_is_not_ink_after_it(e) -> None:
    for text in ("中央区古町", "旭川市宮下通", "小島　翔太"):
        rl = _read(e, _crop(text))
        assert not look_again.ink_after_last(rl), text


def _card_with(text: str, x_mm: float, y_mm: float) -> np.ndarray:
    card = np.full((int(54 * PPM), int(85.6 * PPM), 3), 236, np.uint8)
    im = Image.fromarray(card)
    ImageDraw.Draw(im).text(
        (x_mm * PPM, y_mm * PPM), text, font=ImageFont.truetype(FONT, round(3.5 * PPM)), fill=(30, 30, 30)
    )
    return np.asarray(im)


def test_an_address_whose_line_s_end_was_split_off_and_given_to_no_field_is_doubtful(e) -> None:
    """「…魚町8」 + 「3丁目」: the detector split the line's end off as a piece of its own that no field took, and
    the address read without it is grammatical. The same line read whole is not doubted."""
    card = np.minimum(_card_with("住所　新潟県新潟市中央区古町", 3.0, 14.0), _card_with("通９２４番地３２", 12.0, 20.0))
    head = recline.read_box(card, (2.5 * PPM, 13.5 * PPM, 60.0 * PPM, 18.5 * PPM), PPM, e)
    full = recline.read_box(card, (11.5 * PPM, 19.5 * PPM, 44.0 * PPM, 24.5 * PPM), PPM, e)
    cut = recline.read_box(card, (11.5 * PPM, 19.5 * PPM, 37.0 * PPM, 24.5 * PPM), PPM, e)
    piece = recline.read_box(card, (33.0 * PPM, 19.5 * PPM, 44.0 * PPM, 24.5 * PPM), PPM, e)  # overlaps it
    assert None not in (head, full, cut, piece)
    for recs, doubted in (([head, full], False), ([head, cut, piece], True)):
        got = fieldread.fields_from_lines("mynumber", recs, e, card=card, ppm=PPM)["address"]
        assert got.value is not None and got.value.startswith("新潟県新潟市中央区古町通")
        assert ("runs_on" in got.reasons) is doubted, (got.value, got.reasons)


def test_an_address_line_ending_in_a_digit_whose_next_line_starts_with_one_is_doubtful(e) -> None:
    """Glare over 「番地」 at the first line's end: 「…５丁目２８」 + 「１０」 reads 「5丁目2810」 at 0.99. Where the
    first line ends in 番地 the same join is not doubted."""
    head_text = "住所　埼玉県川越市脇田町５丁目２８"
    for first, doubted in ((head_text, True), (head_text + "番地", False)):
        card = np.minimum(_card_with(first, 3.0, 14.0), _card_with("１０", 10.9, 19.0))
        head = recline.read_box(card, (2.5 * PPM, 13.5 * PPM, 75.0 * PPM, 18.5 * PPM), PPM, e)
        tail = recline.read_box(card, (10.4 * PPM, 18.5 * PPM, 20.0 * PPM, 23.5 * PPM), PPM, e)
        assert head is not None and tail is not None
        got = fieldread.fields_from_lines("mynumber", [head, tail], e, card=card, ppm=PPM)["address"]
        assert got.value is not None and got.value.endswith("10"), got.value
        assert ("runs_on" in got.reasons) is doubted, (got.value, got.reasons)


def _with_block(card: np.ndarray, x_mm: float, y_mm: float, bgr: tuple[int, int, int]) -> np.ndarray:
    out = card[..., ::-1].copy()  # the reader's cards are BGR
    out[int(y_mm * PPM) : int((y_mm + 8) * PPM), int(x_mm * PPM) : int((x_mm + 10) * PPM)] = bgr
    return out


def test_an_address_line_ending_at_a_finger_is_cut_off(e) -> None:
    """A fingertip over the last digit of 「…６番地２９」: the box stops at the finger and 「…6番地2」 reads at 0.98.
    Skin right of the line's end makes it ``cut_off``; a portrait's yellow or blue background there does not."""
    text = "住所　熊本県熊本市中央区水前寺２丁目６番地２"
    plain = _card_with(text, 3.0, 14.0)
    box = (2.5 * PPM, 13.5 * PPM, 0.0, 18.5 * PPM)
    ink_end = np.nonzero((plain[int(14.5 * PPM) : int(18 * PPM)] < 128).any(axis=(0, 2)))[0].max() / PPM
    skin, dark_skin, yellow, blue = (150, 170, 225), (60, 90, 120), (150, 215, 220), (225, 200, 170)  # BGR
    for colour, doubted in ((skin, True), (dark_skin, True), (yellow, False), (blue, False)):
        card = _with_block(plain, ink_end + 0.4, 13.0, colour)
        rl = recline.read_box(card, (box[0], box[1], (ink_end + 0.3) * PPM, box[3]), PPM, e)
        assert rl is not None
        got = fieldread.fields_from_lines("license", [rl], e, card=card, ppm=PPM)["address"]
        assert got.value is not None and got.value.endswith("番地2"), got.value
        assert ("cut_off" in got.reasons) is doubted, (colour, got.value, got.reasons)
