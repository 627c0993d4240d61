"""A text line found on a rectified card and recognised once (``RecLine``), and what reading a part of the card
again needs: a box read again at the recogniser's scale, lines detected again in a window, and the ink a
first pass left unread (a black top-hat with the lines already read blanked out)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from taimen.ocr import assign as asg
from taimen.ocr.channels import darkest
from taimen.ocr.engine import Engine, Line, span_frames

#: Lines lower than this (mm) are fine print no field is printed in; taller ones are not text.
MIN_LINE_MM, MAX_LINE_MM = 1.9, 9.0


@dataclass
class RecLine:
    line: asg.TextLine
    probs: np.ndarray | None  # None: only the text is known (lines read from the whole photo)
    decoded: Line
    crop: np.ndarray
    #: read again after recognition: a date under the date grammar, a code in a wider box (a digit the
    #: detector's box cut off); a field taken from it is flagged ``repaired``
    repaired: bool = False


def read_box(card: np.ndarray, box: tuple[float, float, float, float], ppm: float, ocr: Engine) -> RecLine | None:
    """The crop of ``box`` (card pixels) read over the whole dictionary; None if it reads as nothing."""
    h, w = card.shape[:2]
    cx0, cy0 = max(0, int(box[0])), max(0, int(box[1]))
    cx1, cy1 = min(w, int(np.ceil(box[2]))), min(h, int(np.ceil(box[3])))
    crop = card[cy0:cy1, cx0:cx1]
    if crop.size == 0:
        return None
    probs = ocr.probabilities(crop)
    dec = ocr.decode(probs, "any")
    text = asg.nfkc(dec.text)
    if not text.strip() or len(text) != len(dec.positions):
        return None
    tl = asg.TextLine(cx0 / ppm, cy0 / ppm, cx1 / ppm, cy1 / ppm, text, dec.confidence)
    return RecLine(tl, probs, Line(text, dec.confidence, dec.char_confidences, dec.positions), crop)


#: Ink that makes a region worth a second look: dark marks at least this tall (mm) outside every detected line.
INK_MIN_MM = 1.6


def tophat(card: np.ndarray, ppm: float, box: tuple[int, int, int, int]) -> np.ndarray:
    """Dark marks in ``box`` (card pixels): the black top-hat of the darkest channel, about a millimetre wide."""
    x0, y0, x1, y1 = box
    grey = darkest(card[y0:y1, x0:x1])
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (int(ppm) | 1, int(ppm) | 1))
    return cv2.subtract(cv2.morphologyEx(grey, cv2.MORPH_CLOSE, k), grey)


def ink_map(card: np.ndarray, ppm: float, recs: list[RecLine], box: tuple[int, int, int, int]) -> np.ndarray:
    """Dark marks (black top-hat of the darkest channel) in ``box`` (card pixels), with every detected line's
    box blanked: what is left is ink the detector did not take for text."""
    return blank_lines(tophat(card, ppm, box), ppm, recs, box)


def blank_lines(ink: np.ndarray, ppm: float, recs: list[RecLine], box: tuple[int, int, int, int]) -> np.ndarray:
    """``ink`` (of ``box``) with every detected line's box set to zero, in place."""
    x0, y0 = box[:2]
    for r in recs:
        ln = r.line
        ink[
            max(0, int(ln.y0 * ppm) - y0) : max(0, int(np.ceil(ln.y1 * ppm)) - y0),
            max(0, int(ln.x0 * ppm) - x0) : max(0, int(np.ceil(ln.x1 * ppm)) - x0),
        ] = 0
    return ink


#: The darkest marks of a region must stand this far (grey levels, black top-hat) above the paper to be ink …
INK_FLOOR = 15.0
#: … or this far where a line's continuation is looked for under glare (「２３」 below 「…2706番地」 tops 14)
FAINT_INK_FLOOR = 12.0


def ink_outside(
    card: np.ndarray, ppm: float, recs: list[RecLine], box: tuple[int, int, int, int], floor: float = INK_FLOOR
) -> bool:
    """Whether the region ``box`` (card pixels) holds character-sized marks outside every detected line, their
    darkest at least ``floor`` above the paper."""
    x0, y0, x1, y1 = box
    if x1 - x0 < 2 * ppm or y1 - y0 < 2 * ppm:
        return False
    ink = ink_map(card, ppm, recs, box)
    top = float(np.percentile(ink, 99.5))
    if top < floor:
        return False
    mask = (ink > max(floor * 2 / 3, 0.35 * top)).astype(np.uint8)
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (int(0.6 * ppm) | 1, 3)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    return any(stats[i][3] >= INK_MIN_MM * ppm and stats[i][2] >= INK_MIN_MM * ppm for i in range(1, n))


def stretch(img: np.ndarray) -> np.ndarray:
    """The image's levels stretched so its darkest 1 % is black and its lightest 1 % white."""
    lo, hi = np.percentile(darkest(img), (1, 99))
    if hi - lo < 8:
        return img
    return np.clip((img.astype(np.float32) - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)


def detect_in(card: np.ndarray, ppm: float, ocr: Engine, box: tuple[int, int, int, int]) -> list[RecLine]:
    """Text lines detected again inside ``box`` (card pixels) at twice the scale, recognised over the whole
    dictionary."""
    x0, y0, x1, y1 = box
    h, w = card.shape[:2]
    region = stretch(card[y0:y1, x0:x1])  # text the first pass missed is often faint (glare, low contrast)
    found: list[RecLine] = []
    for b in ocr.detect(region, side=2 * max(region.shape[:2])):
        bx0, by0 = (float(v) for v in b.min(axis=0))
        bx1, by1 = (float(v) for v in b.max(axis=0))
        pad = 0.04 * (by1 - by0)
        cx0, cy0 = max(0, int(x0 + bx0 - pad)), max(0, int(y0 + by0 - pad))
        cx1, cy1 = min(w, int(np.ceil(x0 + bx1 + pad))), min(h, int(np.ceil(y0 + by1 + pad)))
        if not (MIN_LINE_MM * ppm <= cy1 - cy0 <= MAX_LINE_MM * ppm) or cx1 - cx0 < 0.6 * (cy1 - cy0):
            continue
        rec = read_box(card, (cx0, cy0, cx1, cy1), ppm, ocr)
        if rec is not None:
            found.append(rec)
    return sorted(found, key=lambda r: r.line.x0)


def line_ink(crop: np.ndarray) -> np.ndarray:
    """Dark marks (Otsu) of a line's crop, without slivers of the lines above and below that reach into it."""
    grey = darkest(crop)
    h = grey.shape[0]
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, lab, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8))
    y, bh, area = stats[:, 1], stats[:, 3], stats[:, 4]
    keep = (area >= 3) & ~(((y == 0) | (y + bh >= h)) & (bh < 0.35 * h))
    keep[0] = False  # the background
    return keep[lab]


#: A digit whose darkest ink is less than this share of its field's other digits' was printed under glare.
FAINT_INK = 0.4


def faint_digit(rl: RecLine, start: int, end: int) -> bool:
    """Whether one digit of characters ``start:end`` is washed out beside the others (its darkest ink, against the
    paper, below ``FAINT_INK`` of their median): glare over half an 8 left a 3 the recogniser read at 0.999, so
    a value read so is doubtful whatever its confidence. Needs four digits or more to compare."""
    dec = rl.decoded
    if rl.probs is None or len(dec.positions) != len(dec.text) or rl.crop.size == 0:
        return False
    grey = darkest(rl.crop).astype(np.float32)
    frames, width = rl.probs.shape[0], grey.shape[1]
    paper = float(np.percentile(grey, 90))
    inks = []
    for k in range(start, min(end, len(dec.text))):
        if dec.text[k].isdigit():
            t0, t1 = span_frames(dec, k, k + 1, frames)
            x0 = int(t0 / frames * width)
            cell = grey[:, x0 : max(x0 + 1, int(t1 / frames * width))]
            inks.append(paper - float(np.percentile(cell, 3)))
    return len(inks) >= 4 and min(inks) < FAINT_INK * float(np.median(inks))


def pieces_on_row(
    recs: list[RecLine],
    first: re.Pattern[str],
    second: re.Pattern[str],
    text: Callable[[RecLine], str] = lambda r: r.line.text,
) -> list[tuple[RecLine, re.Match[str], RecLine, re.Match[str]]]:
    """A printed value split in two by glare over its middle, as two lines on one row: each line ``first`` matches
    whole, with each line that starts right of it (by up to 1 mm of overlap), shares half its row, and ``second``
    matches from its start."""
    out = []
    for r in recs:
        a = first.fullmatch(text(r))
        if a is None:
            continue
        for o in recs:
            b = second.match(text(o))
            if b is None or o.line.x0 < r.line.x1 - 1.0 or asg._rows_overlap(o.line, r.line) < 0.5:
                continue
            out.append((r, a, o, b))
    return out
