"""A finger over the card: skin-coloured regions that come in from the card's edge.

A customer or clerk holding the card for the photo often puts a thumb over a corner, and a value printed
there (the security code on the lower right, the start of the name on the upper left) is then not in the
photo at all. Retaking it is the only fix, so the camera screen should say so plainly rather than ask for
"the whole card in the frame" when the whole card already is.

Pure function over the rectified card image. Skin is told from the card's own print by four things at once:
its colour once the paper's colour cast is taken out (YCrCb), its thickness (a finger is centimetres wide,
printed red strokes are thin), where it is (it reaches the card's edge) and that it is redder than what is
around it (a pinkish card design is pinkish all over). The printed portrait is skin-coloured too, but it
stands inside the card and does not reach the edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from taimen.ocr.layouts import Box

#: Working resolution, pixels per card millimetre: enough for centimetre-sized regions, and about 5 ms.
WORK_PPM = 3.0
#: Skin in YCrCb after the paper is made grey (8-bit OpenCV scale).
CR_RANGE = (132, 175)
CB_RANGE = (92, 127)
Y_MIN = 100
#: A finger is at least this thick (mm) and this large (mm²) where it lies on the card.
THICK_MM = 2.0
AREA_MM2 = 80.0
#: ... and at most this large and long: a card design's tint can be skin-coloured over half the card.
AREA_MAX_MM2 = 900.0
SPAN_MAX_MM = 55.0
#: How much redder (mean Cr) than a ring of ``RING_MM`` around it a region must be.
RING_MM = 3.0
CR_ABOVE_RING = 6.0


@dataclass(frozen=True)
class Finger:
    """A skin region on the card, in card millimetres."""

    box: Box
    area_mm2: float
    redder_by: float  # mean Cr above its surrounding ring


def fingers(card: np.ndarray, ppm: float) -> list[Finger]:
    """Skin-coloured regions reaching the edge of the rectified ``card`` (BGR, ``ppm`` pixels per mm), largest
    first."""
    if card.ndim != 3 or card.shape[2] != 3 or min(card.shape[:2]) < 8:
        return []
    f = WORK_PPM / ppm
    small = cv2.resize(card, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else card
    k = WORK_PPM if f < 1 else ppm  # pixels per mm of ``small``
    ycc = cv2.cvtColor(_grey_paper(small), cv2.COLOR_BGR2YCrCb)
    y, cr, cb = ycc[..., 0], ycc[..., 1], ycc[..., 2]
    skin = (
        (cr >= CR_RANGE[0]) & (cr <= CR_RANGE[1]) & (cb >= CB_RANGE[0]) & (cb <= CB_RANGE[1]) & (y >= Y_MIN)
    ).astype(np.uint8)
    d = max(3, round(THICK_MM * k)) | 1
    skin = cv2.morphologyEx(skin, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(skin, connectivity=8)
    h, w = skin.shape
    ring_k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * round(RING_MM * k) + 1,) * 2)
    crf = cr.astype(np.float32)
    out = []
    for i in range(1, n):
        x, yy, bw, bh, area = (int(v) for v in stats[i])
        if not AREA_MM2 <= area / (k * k) <= AREA_MAX_MM2 or max(bw, bh) / k > SPAN_MAX_MM:
            continue  # a speck, or a tint over much of the card
        if x > 1 and yy > 1 and x + bw < w - 1 and yy + bh < h - 1:
            continue  # a finger comes in from outside the card
        region = labels == i
        ring = cv2.dilate(region.astype(np.uint8), ring_k).astype(bool) & ~region
        if not ring.any():
            continue
        redder = float(crf[region].mean() - np.median(crf[ring]))
        if redder < CR_ABOVE_RING:
            continue
        out.append(Finger(Box(x / k, yy / k, bw / k, bh / k), area / (k * k), redder))
    return sorted(out, key=lambda g: -g.area_mm2)


def _grey_paper(img: np.ndarray) -> np.ndarray:
    """``img`` with its colour cast taken out: the brightest tenth (mostly the card's paper and laminate) is
    scaled to grey, so light that is warm or cold does not make paper look like skin or skin like paper."""
    flat = img.reshape(-1, 3).astype(np.float32)
    lum = flat.sum(axis=1)
    bright = flat[lum >= np.percentile(lum, 90)]
    ref = bright.mean(axis=0)
    if float(ref.min()) < 1.0:
        return img
    gain = ref.mean() / ref
    return np.clip(img.astype(np.float32) * gain, 0, 255).astype(np.uint8)
