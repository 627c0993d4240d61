"""髙 (はしごだか), which the recogniser reads 高, decided from the character's pixels against both forms rendered
in the installed Japanese fonts; the font that printed the test line is never among those that decide."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from taimen.ocr import assign as asg
from taimen.ocr import fields as fp
from taimen.ocr import glyphs
from taimen.ocr.engine import Line
from taimen.ocr.recline import RecLine

FONTS = [f for f in glyphs.FONT_FILES if Path(f).is_file() and glyphs.templates("高", "髙", (f,))]
pytestmark = pytest.mark.skipif(len(FONTS) < 3, reason="needs three Japanese fonts with 髙 (fonts-ipaexfont …)")


def _design(font: str) -> str:
    """Fonts of one design (Takao is IPA's; Noto Serif's weights) are held out together."""
    f = font.lower()
    if "noto" in f:
        return "serif" if "serif" in f else "sans"
    return "vl" if "vl-" in f else "ipa-mincho" if "mincho" in f or f.endswith(("ipam.ttf", "ipaexm.ttf")) else "ipa"


def _others(font: str) -> tuple[str, ...]:
    return tuple(f for f in FONTS if _design(f) != _design(font))


def _line(text: str, font: str, px: int = 30) -> RecLine:
    """``text`` printed in ``font``, slightly blurred and grey, read as 「高田」 with one frame per character."""
    f = ImageFont.truetype(font, px)
    im = Image.new("L", (px * len(text) + 12, px + 12), 235)
    ImageDraw.Draw(im).text((6, 6), text, font=f, fill=40)
    crop = np.asarray(im.filter(ImageFilter.GaussianBlur(0.8)))
    frames = 4 * len(text)
    probs = np.zeros((frames, 10), np.float32)
    dec = Line("高田", 0.9, (0.9, 0.9), (1, 5))
    return RecLine(asg.TextLine(0, 0, 10, 3, "高田"), probs, dec, crop)


def _reading() -> fp.FieldReading:
    return fp.FieldReading("name", "高田", "高田", 0.9, reasons=("variant_form",))


#: Designs whose 髙 the other installed designs match (Noto Sans and VL Gothic draw their own: left undecided)
DECIDED = [f for f in FONTS if _design(f) in ("serif", "ipa", "ipa-mincho")]


@pytest.mark.parametrize("font", DECIDED)
def test_hashigodaka_is_proposed_flagged_repaired(font: str) -> None:
    got = glyphs.name_forms([_line("髙田", font, 40)], [asg.Span(0, 0, 2)], _reading(), _others(font))
    assert got.value == "髙田"
    assert "repaired" in got.reasons and "variant_form" in got.reasons


@pytest.mark.parametrize("px", [24, 30, 40])
@pytest.mark.parametrize("font", FONTS)
def test_the_common_form_stays(font: str, px: int) -> None:
    """Never 髙 where 高 is printed, in any font or size, whether the font is held out or not."""
    for deciding in (_others(font), tuple(FONTS)):
        got = glyphs.name_forms([_line("高田", font, px)], [asg.Span(0, 0, 2)], _reading(), deciding)
        assert got == _reading()


def test_no_fonts_decide_nothing() -> None:
    got = glyphs.name_forms([_line("髙田", FONTS[0], 40)], [asg.Span(0, 0, 2)], _reading(), ())
    assert got == _reading()
