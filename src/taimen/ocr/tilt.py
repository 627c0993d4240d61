"""Text lines that stand tilted on the rectified card.

A card outline found a few degrees off (a side fitted to a shadow or to a receipt's edge, a corner under a
finger) leaves the printed lines tilted by as much on the rectified card: a 50 mm address at 8° spans 7 mm
more in height than it is high. Its upright bounding box then looks taller than any printed line and holds
pieces of the lines above and below. The detector's own box follows the line's slant; this module measures
the line along it and cuts it out upright.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

#: A line is cut out along its slant from this tilt on (degrees): below it an upright crop loses nothing.
TILT_MIN_DEG = 3.0
#: ... and only when it is this many times as long as high (a short box's slant is not measured reliably).
TILT_MIN_RATIO = 2.0
#: Steeper than this the detector's corners are no longer ordered along the line (and no card reads so).
TILT_MAX_DEG = 30.0


@dataclass(frozen=True, slots=True)
class Tilted:
    """A detector box whose line is tilted: its upright extent (pixels) and the line's own height."""

    x0: float
    y0: float  # the top of the line at its left end (where its label stands)
    x1: float
    y1: float
    quad: np.ndarray  # 4×2, clockwise from the top left
    height: float  # measured across the line, not along the image's axes


def tilted(quad: np.ndarray) -> Tilted | None:
    """The line in ``quad`` (the detector's 4×2 box, clockwise from top left) if it is tilted, else None.

    Its box is the line as if turned upright about its left end: ``x0``/``x1`` its horizontal extent, ``y0``
    the top of its left end and ``y1`` one line height below. The label left of a value stands on the row of
    the value's start, so rows are compared where the line begins."""
    q = np.asarray(quad, dtype=np.float64)
    top, side = q[1] - q[0], q[3] - q[0]
    length, height = math.hypot(*top), math.hypot(*side)
    if height <= 0 or length < TILT_MIN_RATIO * height:
        return None
    if not TILT_MIN_DEG <= abs(math.degrees(math.atan2(top[1], top[0]))) <= TILT_MAX_DEG:
        return None
    x0, x1 = float(q[:, 0].min()), float(q[:, 0].max())
    y0 = float(q[0, 1])
    return Tilted(x0, y0, x1, y0 + height, q.astype(np.float32), height)


def cut(card: np.ndarray, t: Tilted, pad: float) -> np.ndarray:
    """The tilted line cut out upright, ``pad`` pixels around it (as the upright crops have)."""
    q = t.quad.astype(np.float64)
    top, side = q[1] - q[0], q[3] - q[0]
    u = top / max(1e-6, math.hypot(*top))
    v = side / max(1e-6, math.hypot(*side))
    src = np.float32([q[0] - pad * (u + v), q[1] + pad * (u - v), q[2] + pad * (u + v), q[3] - pad * (u - v)])
    w = max(1, round(math.hypot(*top) + 2 * pad))
    h = max(1, round(math.hypot(*side) + 2 * pad))
    dst = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(card, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
