"""A finger over the card (``taimen.ocr.finger``) and the operator hint it gives (``reader._hints``)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from taimen.ocr import finger, locate, reader
from taimen.ocr.fields import FieldReading
from taimen.ocr.proposals import HINTS, OcrResult

PPM = locate.PPM
W, H = round(85.6 * PPM), round(54.0 * PPM)
SKIN = (150, 172, 215)  # BGR of a light hand


def card(tint: tuple[int, int, int] = (238, 236, 240)) -> np.ndarray:
    """A light card face with printed lines and a red box, as the rectifier gives it."""
    img = np.full((H, W, 3), tint, np.uint8)
    for row in range(8):
        y = int((8 + row * 5.5) * PPM)
        cv2.putText(img, "2031 05 12 ABCDEF", (int(5 * PPM), y), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (40, 40, 40), 2)
    cv2.rectangle(img, (int(3 * PPM), int(40 * PPM)), (int(50 * PPM), int(46 * PPM)), (90, 60, 200), 3)
    return img


def with_finger(img: np.ndarray, corner: str = "br", colour: tuple[int, int, int] = SKIN) -> np.ndarray:
    out = img.copy()
    cx, cy = {"br": (W, H), "tl": (0, 0), "tr": (W, 0), "bl": (0, H)}[corner]
    ang = {"br": 35, "tl": 35, "tr": -35, "bl": -35}[corner]
    cv2.ellipse(out, (cx, cy), (int(24 * PPM), int(8 * PPM)), ang, 0, 360, colour, -1)
    return out


def cast(img: np.ndarray, b: float, r: float) -> np.ndarray:
    return np.clip(img.astype(np.float32) * np.array([b, 1.0, r], np.float32), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("corner", ["br", "tl", "tr", "bl"])
def test_a_finger_over_any_corner_is_found_where_it_is(corner: str) -> None:
    found = finger.fingers(with_finger(card(), corner), PPM)
    assert len(found) == 1
    box = found[0].box
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    assert (cx > 42.8) == (corner in ("br", "tr")) and (cy > 27) == (corner in ("br", "bl"))
    assert 80 <= found[0].area_mm2 <= 900


def test_a_plain_card_has_no_finger() -> None:
    assert finger.fingers(card(), PPM) == []


def test_a_skin_coloured_portrait_inside_the_card_is_not_a_finger() -> None:
    img = card()
    cv2.rectangle(img, (int(60 * PPM), int(8 * PPM)), (int(82 * PPM), int(37 * PPM)), (200, 205, 225), -1)
    cv2.ellipse(img, (int(71 * PPM), int(18 * PPM)), (int(6 * PPM), int(8 * PPM)), 0, 0, 360, SKIN, -1)
    assert finger.fingers(img, PPM) == []


def test_a_pink_tint_over_much_of_the_card_is_not_a_finger() -> None:
    img = card()
    img[int(20 * PPM) :, :] = (178, 182, 232)  # a design tinted pink from the edge inwards
    assert finger.fingers(img, PPM) == []


def test_thin_red_print_at_the_edge_is_not_a_finger() -> None:
    img = card()
    cv2.rectangle(img, (0, 0), (W - 1, H - 1), (120, 130, 225), int(1.2 * PPM))  # a printed border
    assert finger.fingers(img, PPM) == []


def test_warm_light_does_not_make_paper_skin_and_cold_light_does_not_hide_a_finger() -> None:
    # under lamp light this card's white is in skin's colour range; its paper is made grey first
    assert finger.fingers(cast(card(), 0.8, 1.15), PPM) == []
    assert len(finger.fingers(cast(with_finger(card()), 1.2, 0.8), PPM)) == 1


def test_a_card_tinted_like_skin_all_over_is_not_a_finger() -> None:
    assert finger.fingers(card((178, 182, 232)), PPM) == []


def _doubtful_result() -> OcrResult:
    res = OcrResult(document="mynumber", card_found=True, method="lines")
    res.fields = {"security_code": FieldReading("security_code", None, "", 0.0, reasons=("not_found",))}
    return res


def _quad(w: int, h: int, margin: int) -> locate.Quad:
    pts = np.array([[margin, margin], [w - margin, margin], [w - margin, h - margin], [margin, h - margin]])
    return locate.Quad(pts.astype(np.float32), 0.9, "test")


def test_the_operator_is_told_about_the_finger_not_the_frame() -> None:
    img = np.zeros((900, 1300, 3), np.uint8)
    hints = reader._hints(img, _quad(1300, 900, 100), with_finger(card()), _doubtful_result())
    assert "finger" in hints and "frame" not in hints
    assert HINTS["finger"][0].startswith("指が")
    # without a finger, a value not found still asks for the whole card in the frame
    hints = reader._hints(img, _quad(1300, 900, 100), card(), _doubtful_result())
    assert "frame" in hints and "finger" not in hints


def test_a_card_touching_the_photo_border_still_asks_for_the_frame() -> None:
    img = np.zeros((900, 1300, 3), np.uint8)
    hints = reader._hints(img, _quad(1300, 900, 1), with_finger(card()), _doubtful_result())
    assert "finger" in hints and "frame" in hints
