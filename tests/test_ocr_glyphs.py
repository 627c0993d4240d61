"""Vendor forms the recogniser cannot read (髙 read 高, 﨑 read 崎, 栁 read 柳) decided from the character's pixels
against both forms rendered in the installed Japanese fonts; the font that printed the test line is never among
those that decide."""

from __future__ import annotations

from dataclasses import replace
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
PAIRS = [(c, v.form) for c, v in glyphs.VENDOR.items()]


def _design(font: str) -> str:
    """Fonts of one design (Takao is IPA's; Noto Serif's weights) are held out together."""
    f = font.lower()
    if "noto" in f:
        return "serif" if "serif" in f else "sans"
    return "vl" if "vl-" in f else "ipa-mincho" if "mincho" in f or f.endswith(("ipam.ttf", "ipaexm.ttf")) else "ipa"


def _others(font: str) -> tuple[str, ...]:
    return tuple(f for f in FONTS if _design(f) != _design(font))


def _line(text: str, font: str, px: int = 30, read: str = "高田") -> RecLine:
    """``text`` printed in ``font``, slightly blurred and grey, read as ``read`` with four frames per character."""
    f = ImageFont.truetype(font, px)
    im = Image.new("L", (px * len(text) + 12, px + 12), 235)
    ImageDraw.Draw(im).text((6, 6), text, font=f, fill=40)
    crop = np.asarray(im.filter(ImageFilter.GaussianBlur(0.8)))
    frames = 4 * len(text)
    probs = np.zeros((frames, 10), np.float32)
    dec = Line(read, 0.9, (0.9, 0.9), (1, 5))
    return RecLine(asg.TextLine(0, 0, 10, 3, read), probs, dec, crop)


def _reading(read: str = "高田") -> fp.FieldReading:
    return fp.FieldReading("name", read, read, 0.9, reasons=("variant_form",))


#: Per vendor form, a size and the designs whose form the other installed designs match there: Noto Sans and VL
#: Gothic draw their own 髙, Noto Serif and VL Gothic their own 﨑 … (left undecided when held out)
DECIDED = {
    "髙": (40, ("serif", "ipa", "ipa-mincho")),
    "﨑": (30, ("ipa", "ipa-mincho")),
    "栁": (30, ("ipa", "ipa-mincho", "vl")),
    "眞": (30, ("ipa", "ipa-mincho")),
    "濵": (30, ("ipa",)),
    "德": (40, ("ipa-mincho",)),
    "邉": (30, ("ipa",)),
}


@pytest.mark.parametrize(
    ("common", "variant", "font"),
    [(c, v, f) for c, v in PAIRS for f in FONTS if _design(f) in DECIDED[v][1]],
)
def test_the_vendor_form_is_proposed_flagged_repaired(common: str, variant: str, font: str) -> None:
    read = common + "田"
    line = _line(variant + "田", font, DECIDED[variant][0], read)
    got = glyphs.name_forms([line], [asg.Span(0, 0, 2)], _reading(read), _others(font))
    assert got.value == variant + "田"
    assert "repaired" in got.reasons and "variant_form" in got.reasons


@pytest.mark.parametrize("px", [24, 30, 40])
@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize(("common", "variant"), PAIRS)
def test_the_common_form_stays(common: str, variant: str, font: str, px: int) -> None:
    """Never 髙 where 高 is printed (﨑 for 崎, 栁 for 柳 …), in any font or size, whether the font is held out
    or not."""
    read = common + "田"
    for deciding in (_others(font), tuple(FONTS)):
        got = glyphs.name_forms([_line(read, font, px, read)], [asg.Span(0, 0, 2)], _reading(read), deciding)
        assert got == _reading(read)


def test_a_vendor_form_read_stays_and_its_common_form_is_decided() -> None:
    """The first decoding read 德 where the name has 徳 (the Japanese prior weighs 德 down): the cell decides;
    a vendor form the name already has is kept, never turned into the common form."""
    font = next(f for f in FONTS if _design(f) == "ipa-mincho")
    line = _line("德永", font, 40, "德永")
    got = glyphs.name_forms([line], [asg.Span(0, 0, 2)], _reading("徳永"), _others(font))
    assert got.value == "德永" and "repaired" in got.reasons
    assert glyphs.name_forms([line], [asg.Span(0, 0, 2)], _reading("德永"), _others(font)) == _reading("德永")


def test_no_fonts_decide_nothing() -> None:
    got = glyphs.name_forms([_line("髙田", FONTS[0], 40)], [asg.Span(0, 0, 2)], _reading(), ())
    assert got == _reading()


def test_a_font_without_a_form_is_not_compared() -> None:
    """IPAex Mincho has no 𠮷: its missing-glyph box is no template (it would fit no cell, or any box)."""
    ipaexm = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
    if not Path(ipaexm).is_file():
        pytest.skip("needs IPAex Mincho")
    assert glyphs.templates("吉", "𠮷", (ipaexm,)) == ()
    assert len(glyphs.templates("崎", "﨑", (ipaexm,))) == 1


def test_a_name_the_list_of_names_changed_is_decided_on_the_cell_it_was_read_from() -> None:
    """演田 read for 濵田 (dev-0438) and proposed 濱田 by the list of names: the cell read 演 decides 濱 or 濵; a
    name that cannot be placed on the decoded line is left as proposed."""
    font = next(f for f in FONTS if _design(f) == "ipa")
    line = _line("濵田", font, 30, "演田")
    proposed = fp.FieldReading("name", "濱田", "濱田", 0.9, reasons=("variant_form",), extra={"read": "演田"})
    got = glyphs.name_forms([line], [asg.Span(0, 0, 2)], proposed, _others(font))
    assert got.value == "濵田" and "repaired" in got.reasons
    elsewhere = replace(proposed, extra={"read": "寅田"})
    assert glyphs.name_forms([line], [asg.Span(0, 0, 2)], elsewhere, _others(font)) == elsewhere


def _under_a_line(text: str, font: str, px: int, read: str) -> RecLine:
    """``text`` with the bottom of the line above it (an address, 1–2 mm over the name) cut by the crop's top."""
    f = ImageFont.truetype(font, px)
    top = px // 3
    im = Image.new("L", (px * len(text) + 12, px + 12 + top), 235)
    draw = ImageDraw.Draw(im)
    draw.text((6, top - px), "東京都港区", font=f, fill=40)
    draw.text((6, 6 + top), text, font=f, fill=40)
    crop = np.asarray(im.filter(ImageFilter.GaussianBlur(0.8)))
    probs = np.zeros((4 * len(text), 10), np.float32)
    return RecLine(asg.TextLine(0, 0, 10, 3, read), probs, Line(read, 0.9, (0.9, 0.9), (1, 5)), crop)


@pytest.mark.parametrize(("common", "variant", "design", "px"), [("崎", "﨑", "sans", 40), ("高", "髙", "serif", 40)])
def test_the_line_above_cut_by_the_crop_is_not_part_of_the_character(
    common: str, variant: str, design: str, px: int
) -> None:
    """Strokes of the line above at the crop's top (dev-0293's 﨑, dev-0164's 髙) were joined to the character's
    rows, and no font fitted the cell: they are left out, and the variant is decided."""
    font = next(f for f in FONTS if _design(f) == design)
    read = common + "田"
    got = glyphs.name_forms(
        [_under_a_line(variant + "田", font, px, read)], [asg.Span(0, 0, 2)], _reading(read), _others(font)
    )
    assert got.value == variant + "田"


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize(("common", "variant"), PAIRS)
def test_the_common_form_under_a_line_stays(common: str, variant: str, font: str) -> None:
    read = common + "田"
    for deciding in (_others(font), tuple(FONTS)):
        got = glyphs.name_forms([_under_a_line(read, font, 30, read)], [asg.Span(0, 0, 2)], _reading(read), deciding)
        assert got == _reading(read)
