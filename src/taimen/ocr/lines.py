"""Cut a field's text line out of the rectified card: the layout says roughly where it is, the ink says
exactly where. This absorbs the last millimetre of error in finding the card and gives the recogniser a
tight crop (its cost grows with the crop's width-to-height ratio, so loose crops are slow as well as noisy).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from taimen.ocr.channels import darkest
from taimen.ocr.layouts import Box


@dataclass(frozen=True, slots=True)
class Crop:
    image: np.ndarray  # BGR, tight around one line of text
    ink: float  # how much ink the slot held (0 for an empty slot)


def _ink(region: np.ndarray, stroke_px: int) -> np.ndarray:
    """How much darker each pixel is than the local paper around it (0..255)."""
    grey = darkest(region)  # coloured ink (red numbers, blue titles) is dark in at least one channel
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (stroke_px * 2 + 1, stroke_px * 2 + 1))
    paper = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, k)
    return cv2.subtract(paper, grey)


def _ink_bands(region: np.ndarray, glyph: float) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]] | None:
    """Ink mask, per-row ink and the bands of consecutive inked rows (bridging one-pixel gaps).

    None when nothing is printed in the region.
    """
    diff = _ink(region, max(2, int(glyph * 0.35)))
    top = float(np.percentile(diff, 99.5))
    if top < 25:
        return None
    mask = diff > max(18.0, 0.35 * top)
    rows = mask.mean(axis=1)
    on = rows > max(0.01, 0.08 * rows.max())
    bands: list[tuple[int, int]] = []
    start = None
    for i, v in enumerate(np.append(on, False)):
        if v and start is None:
            start = i
        elif not v and start is not None:
            if bands and start - bands[-1][1] <= 2:
                bands[-1] = (bands[-1][0], i)
            else:
                bands.append((start, i))
            start = None
    return mask, rows, bands


def cut(card: np.ndarray, box: Box, ppm: float, *, margin_x: float = 0.7, margin_y: float = 1.0) -> Crop:
    """The text line in ``box`` (mm) of the rectified ``card`` image (``ppm`` pixels per mm)."""
    h, w = card.shape[:2]
    x0 = max(0, int((box.x - margin_x) * ppm))
    x1 = min(w, int((box.x + box.w + margin_x) * ppm))
    y0 = max(0, int((box.y - margin_y) * ppm))
    y1 = min(h, int((box.y + box.h + margin_y) * ppm))
    region = card[y0:y1, x0:x1]
    if region.size == 0:
        return Crop(np.zeros((8, 8, 3), np.uint8), 0.0)
    glyph = box.h * ppm * 0.7  # expected height of a character
    ink = _ink_bands(region, glyph)
    if ink is None:  # nothing printed here
        return Crop(region, 0.0)
    mask, rows, bands = ink
    centre = (box.y + box.h / 2) * ppm - y0
    slot_top, slot_bottom = box.y * ppm - y0, (box.y + box.h) * ppm - y0
    tol = 0.2 * box.h * ppm
    # a line belongs to this slot only if its middle lies in the slot: the margins let a slightly misplaced
    # line be found, but an empty slot must not borrow its neighbour's line
    plausible = [
        b for b in bands if b[1] - b[0] >= 0.35 * glyph and slot_top - tol <= (b[0] + b[1]) / 2 <= slot_bottom + tol
    ]
    if not plausible:
        return Crop(region, 0.0)
    # the band nearest the slot's centre, weighted by its ink (a neighbouring line only grazes the slot)
    by, bh = min(plausible, key=lambda b: abs((b[0] + b[1]) / 2 - centre) / (1 + rows[b[0] : b[1]].sum() / glyph))
    band_h = bh - by
    cols = mask[by:bh].sum(axis=0)
    inked = np.nonzero(cols > 0)[0]
    if inked.size == 0:
        return Crop(region, 0.0)
    # drop specks at either end: keep columns between the 0.5th and 99.5th percentile of the ink mass
    cum = np.cumsum(cols) / cols.sum()
    cx0 = int(np.searchsorted(cum, 0.003))
    cx1 = int(np.searchsorted(cum, 0.997)) + 1
    pad_y = max(2, int(band_h * 0.18))
    pad_x = max(3, int(band_h * 0.3))
    ty0, ty1 = max(0, by - pad_y), min(region.shape[0], bh + pad_y)
    tx0, tx1 = max(0, cx0 - pad_x), min(region.shape[1], cx1 + pad_x)
    return Crop(region[ty0:ty1, tx0:tx1], float(mask[by:bh].mean()))


def cut_lines(card: np.ndarray, box: Box, lines: int, ppm: float, *, margin_x: float = 0.7) -> list[Crop]:
    """The text lines of a multi-line field (an address), top to bottom, found in the whole field rather than
    slot by slot: a card found a millimetre out of place shifts every line the same way, and a slot-by-slot
    cut could then read one line twice or lose one."""
    h, w = card.shape[:2]
    line_h = box.h / lines
    margin_y = 0.45 * line_h
    x0 = max(0, int((box.x - margin_x) * ppm))
    x1 = min(w, int((box.x + box.w + margin_x) * ppm))
    y0 = max(0, int((box.y - margin_y) * ppm))
    y1 = min(h, int((box.y + box.h + margin_y) * ppm))
    region = card[y0:y1, x0:x1]
    if region.size == 0:
        return []
    glyph = line_h * ppm * 0.7
    ink = _ink_bands(region, glyph)
    if ink is None:
        return []
    mask, rows, bands = ink
    lo, hi = box.y * ppm - y0 - 0.2 * line_h * ppm, (box.y + box.h) * ppm - y0 + 0.2 * line_h * ppm
    found = [b for b in bands if b[1] - b[0] >= 0.35 * glyph and lo <= (b[0] + b[1]) / 2 <= hi]
    # a band taller than two lines is two lines touching: split it at its thinnest row
    split: list[tuple[int, int]] = []
    for a, b in found:
        if b - a > 1.6 * line_h * ppm:
            mid = a + int(np.argmin(rows[a + (b - a) // 4 : b - (b - a) // 4])) + (b - a) // 4
            split += [(a, mid), (mid, b)]
        else:
            split.append((a, b))
    if len(split) > lines:  # keep the most inked
        split = sorted(sorted(split, key=lambda b: -rows[b[0] : b[1]].sum())[:lines])
    out = []
    for by, bh in split:
        cols = mask[by:bh].sum(axis=0)
        if cols.sum() == 0:
            continue
        cum = np.cumsum(cols) / cols.sum()
        cx0 = int(np.searchsorted(cum, 0.003))
        cx1 = int(np.searchsorted(cum, 0.997)) + 1
        band_h = bh - by
        pad_y, pad_x = max(2, int(band_h * 0.18)), max(3, int(band_h * 0.3))
        ty0, ty1 = max(0, by - pad_y), min(region.shape[0], bh + pad_y)
        tx0, tx1 = max(0, cx0 - pad_x), min(region.shape[1], cx1 + pad_x)
        out.append(Crop(region[ty0:ty1, tx0:tx1], float(mask[by:bh].mean())))
    return out
