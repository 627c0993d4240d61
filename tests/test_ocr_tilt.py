"""Text lines that stand tilted on the rectified card (taimen.ocr.tilt): measured along their slant and cut
out upright, so a card outline found a few degrees off does not lose its long lines."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_helpers import ocr
from taimen.ocr import fieldread, tilt
from taimen.ocr.engine import Line

PPM = 12.0
FONT = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"


def _quad(cx: float, cy: float, length: float, height: float, deg: float) -> np.ndarray:
    """A detector box (clockwise from top left) of a line ``length`` × ``height`` turned by ``deg``."""
    a = math.radians(deg)
    u, v = np.array([math.cos(a), math.sin(a)]), np.array([-math.sin(a), math.cos(a)])
    c = np.array([cx, cy])
    return np.array(
        [
            c - u * length / 2 - v * height / 2,
            c + u * length / 2 - v * height / 2,
            c + u * length / 2 + v * height / 2,
            c - u * length / 2 + v * height / 2,
        ],
        np.float32,
    )


def test_a_tilted_box_is_measured_along_its_slant_from_its_left_end() -> None:
    for deg in (8.0, -8.0):
        t = tilt.tilted(_quad(400, 200, 600, 50, deg))
        assert t is not None
        assert t.height == pytest.approx(50, abs=0.5)
        assert t.x1 - t.x0 == pytest.approx(600 * math.cos(math.radians(8)) + 50 * math.sin(math.radians(8)), abs=1)
        # the top of the left end: 41.8 px above the centre line's middle when rising to the right, below when falling
        left_top = 200 - 300 * math.sin(math.radians(deg)) - 25 * math.cos(math.radians(deg))
        assert t.y0 == pytest.approx(left_top, abs=1) and t.y1 - t.y0 == pytest.approx(50, abs=0.5)
    assert tilt.tilted(_quad(400, 200, 600, 50, 1.5)) is None  # about level: the upright box is right
    assert tilt.tilted(_quad(400, 200, 80, 50, 10)) is None  # too short to tell its slant


def _card_with_tilted_line(text: str, deg: float) -> np.ndarray:
    w, h = round(85.6 * PPM), round(54 * PPM)
    card = Image.new("RGB", (w, h), (246, 244, 238))
    layer = Image.new("L", (w, h), 0)
    ImageDraw.Draw(layer).text((8 * PPM, 20 * PPM), text, font=ImageFont.truetype(FONT, round(3.6 * PPM)), fill=255)
    layer = layer.rotate(deg, center=(8 * PPM, 22 * PPM), resample=Image.BICUBIC)
    card.paste((40, 40, 40), mask=layer)
    return np.asarray(card)[:, :, ::-1].copy()


def test_a_long_line_tilted_by_a_skewed_outline_is_read_not_dropped() -> None:
    """tune-0796, tune-0819: the outline a few degrees off, the address tilted by 8°; its upright box was
    12 mm high, taken for no text line at all, and the address was not found."""
    text = "新潟県新潟市中央区万代2916番地51"
    card = _card_with_tilted_line(text, 8.0)
    recs = fieldread.detect_lines(card, ocr(), PPM)
    got = [r for r in recs if "番地" in r.line.text]
    assert len(got) == 1 and got[0].line.text.replace(" ", "") == text
    line = got[0].line
    assert line.y1 - line.y0 < 6.0 and line.x0 < 9.0  # one line high, starting where the print starts


class _Boxes:
    """An engine whose detector finds ``quads`` and whose recogniser reads every crop as one character."""

    def __init__(self, quads: list[np.ndarray]) -> None:
        self.quads = quads

    def detect(self, img: np.ndarray, side: int = 0) -> list[np.ndarray]:
        return self.quads

    def probabilities(self, crop: np.ndarray) -> np.ndarray:
        return np.zeros((1, 2), np.float32)

    def decode(self, probs: np.ndarray, charset: str | None = None) -> Line:
        return Line("字", 1.0, (1.0,), (0,))


def test_a_tilted_piece_of_a_line_split_at_a_finger_is_still_joined_to_the_rest() -> None:
    """tune-0285: a finger over 「月10」 made the expiry's first piece 「2035年 7」 look tilted by 3°; cut out alone
    it was no longer joined to 「日まで有効」 and the expiry was lost. Pieces are joined as before; only a tilted
    line joined to nothing is cut out along its slant."""
    card = np.full((648, 1027, 3), 250, np.uint8)
    piece = _quad(11.7 * PPM, 37.2 * PPM, 19.8 * PPM, 4.7 * PPM, -3.2)
    rest = np.array([[22.0, 35.2], [39.8, 35.2], [39.8, 39.9], [22.0, 39.9]], np.float32) * PPM
    recs = fieldread.detect_lines(card, _Boxes([piece, rest]), PPM)  # type: ignore[arg-type]
    assert len(recs) == 1 and recs[0].line.x0 < 2.5 and recs[0].line.x1 > 39.5
    alone = fieldread.detect_lines(card, _Boxes([_quad(400, 200, 600, 50, 8.0)]), PPM)  # type: ignore[arg-type]
    assert len(alone) == 1 and alone[0].line.y1 - alone[0].line.y0 < 50 / PPM + 1


def test_a_tilted_line_crossing_a_label_below_its_start_is_not_joined_to_it() -> None:
    """tune-0685: the name tilted by the outline stood over the 生年月日 label below its start; joined with it, the
    two read 「生年月ROBINSON SUSAN」 and the name was lost. Boxes that cross are two printed lines."""
    card = np.full((648, 1027, 3), 250, np.uint8)
    name = _quad(53.1 * PPM, 29.4 * PPM, 14.8 * PPM, 2.4 * PPM, 3.5)
    label = np.array([[41.1, 28.9], [46.7, 28.9], [46.7, 31.3], [41.1, 31.3]], np.float32) * PPM
    recs = fieldread.detect_lines(card, _Boxes([name, label]), PPM)  # type: ignore[arg-type]
    assert len(recs) == 2
