"""The photo benchmark's finger: the fields it hides are measured from the very ellipse the generator draws,
so that a value that is not in the photo counts against no accuracy target (benchmarks/ocr/photos.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "ocr"))
photos = pytest.importorskip("photos")

PX = 10.0  # pixels per mm of the flat card in the frame


def _shot(finger: int, finger_mm: float = 6.0) -> photos.Shot:
    return photos.Shot(
        card_px=int(photos.CARD_W * PX), frame=(1400, 900), angle=0, tilt=0, tilt_axis=0, distance=2,
        finger=finger, finger_mm=finger_mm,
    )  # fmt: skip


QUAD = np.array([[200, 150], [200 + 85.6 * PX, 150], [200 + 85.6 * PX, 150 + 54 * PX], [200, 150 + 54 * PX]])
FIELDS = {
    "security_code": [(62.0, 46.2, 10.0, 3.4)],  # lower right, where the My Number Card prints it
    "name": [(14.0, 6.0, 30.0, 5.0)],
    "address": [(14.0, 14.0, 50.0, 4.0), (14.0, 19.0, 20.0, 4.0)],
}


def test_a_finger_on_the_lower_right_corner_hides_the_security_code_only() -> None:
    cover = photos.field_cover(FIELDS, _shot(2), QUAD)
    assert cover["security_code"] > 0.3
    assert cover["name"] == 0 and cover["address"] == 0


def test_a_finger_on_the_upper_left_corner_hides_the_start_of_the_name() -> None:
    cover = photos.field_cover(FIELDS, _shot(0, 9.0), QUAD)
    assert 0.1 < cover["name"] < 1
    assert cover["security_code"] == 0


def test_no_finger_hides_nothing() -> None:
    assert photos.field_cover(FIELDS, _shot(-1), QUAD) == {}


def test_the_cover_is_what_the_generator_draws() -> None:
    """The ellipse the cover is measured on is the one photograph() paints: the corner's pixel is skin, and a
    point far inside the card is not."""
    s = _shot(1)
    (cx, cy), (a, b), ang = photos.finger_ellipse(s, QUAD.astype(np.float32))
    t = np.radians(ang)
    corner = QUAD[1]
    u = np.array([np.cos(t), np.sin(t)])
    along, across = float((corner - (cx, cy)) @ u), float((corner - (cx, cy)) @ np.array([-u[1], u[0]]))
    assert (along / a) ** 2 + (across / b) ** 2 < 1
    centre = QUAD.mean(axis=0)
    along, across = float((centre - (cx, cy)) @ u), float((centre - (cx, cy)) @ np.array([-u[1], u[0]]))
    assert (along / a) ** 2 + (across / b) ** 2 > 1
