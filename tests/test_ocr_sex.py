"""The one-character 性別 value the line detector misses (taimen.ocr.fieldread.sex_beside_label): found as
the one ink blob beside the 性別 label and read by the real recogniser; never a value from another mark."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_helpers import ocr
from taimen.ocr import fieldread
from taimen.ocr.assign import TextLine
from taimen.ocr.engine import Line

PPM = 12.0
FONT = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"


def _card(marks: list[tuple[str, float, float, float, int]]) -> np.ndarray:
    """A blank card (85.6 × 54 mm at 12 px/mm) with ``marks``: (text, x mm, y mm, height mm, grey level)."""
    img = Image.new("RGB", (round(85.6 * PPM), round(54 * PPM)), (248, 244, 246))
    d = ImageDraw.Draw(img)
    for text, x, y, size, grey in marks:
        d.text((x * PPM, y * PPM), text, font=ImageFont.truetype(FONT, round(size * PPM)), fill=(grey,) * 3)
    return np.asarray(img)[:, :, ::-1].copy()


def _rec(text: str, box: tuple[float, float, float, float]) -> fieldread.RecLine:
    tl = TextLine(*box, text, 0.99)
    return fieldread.RecLine(tl, None, Line(text, 0.99, (0.99,) * len(text)), np.zeros((1, 1, 3), np.uint8))


LABEL = ("性別", 3.0, 32.4, 2.0, 60)


@pytest.fixture(scope="module")
def e():
    return ocr()


@pytest.mark.parametrize("value,sex", [("男", "male"), ("女", "female")])
def test_a_lone_value_beside_the_label_is_read(e, value: str, sex: str) -> None:
    card = _card([LABEL, (value, 9.5, 31.8, 3.0, 150)])  # faint, as under uneven light
    recs = [_rec("生年月日", (3, 28.5, 9.5, 30.5)), _rec("性測", (2.8, 32.2, 7.3, 34.8))]  # the label with a slip
    got = fieldread.sex_beside_label(card, PPM, recs, e)
    assert got is not None and got.line.text == value
    assert 8.5 < got.line.x0 < 10.5
    assert fieldread.fields_from_lines("mynumber", recs, e, card=card, ppm=PPM)["sex"].value == sex


def test_no_value_and_other_marks_are_not_a_sex(e) -> None:
    recs = [_rec("性別", (2.8, 32.2, 7.3, 34.8))]
    assert fieldread.sex_beside_label(_card([LABEL]), PPM, recs, e) is None
    assert fieldread.sex_beside_label(_card([LABEL, ("田", 9.5, 31.8, 3.0, 40)]), PPM, recs, e) is None
    two = _card([LABEL, ("男", 9.5, 31.8, 3.0, 40), ("女", 15.0, 31.8, 3.0, 40)])
    assert fieldread.sex_beside_label(two, PPM, recs, e) is None  # two marks: not a lone value
    far = _card([LABEL, ("男", 30.0, 31.8, 3.0, 40)])
    assert fieldread.sex_beside_label(far, PPM, recs, e) is None  # outside the label's window
