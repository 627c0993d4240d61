"""A doubtful unlock field read again from several crops of its printed place, and the readings put to a vote.

On a small, blurred or low-contrast card one crop of a digit field can tip a digit one way (「7277」 read
「1277」, 「1955年」 read 「195年」 then repaired to 「1995年」) while crops cut a little wider, tighter, sharpened,
narrowed or stretched in contrast read it the other way. Each crop is read on its own over the field's
characters and parsed under its grammar; a value that most crops agree on, clearly ahead of the first
reading, replaces it. The re-read is paid only for a doubtful field, and what it changes stays doubtful
(``repaired``): it proposes, the operator confirms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import cv2
import numpy as np

from taimen.ocr.channels import darkest

#: The crops: name, horizontal and vertical padding in line heights (negative trims), and a transform.
Crop = tuple[str, float, float, Callable[[np.ndarray], np.ndarray] | None]


def _unsharp(sigma: float, amount: float) -> Callable[[np.ndarray], np.ndarray]:
    def run(img: np.ndarray) -> np.ndarray:
        blurred = cv2.GaussianBlur(img, (0, 0), sigma)
        return cv2.addWeighted(img, 1 + amount, blurred, -amount, 0)

    return run


def _narrow(img: np.ndarray) -> np.ndarray:
    return cv2.resize(img, (max(1, round(img.shape[1] * 0.8)), img.shape[0]), interpolation=cv2.INTER_AREA)


def _stretch(img: np.ndarray) -> np.ndarray:
    lo, hi = np.percentile(darkest(img), (1, 99))
    return np.clip((img.astype(np.float32) - lo) * (255.0 / max(8.0, float(hi - lo))), 0, 255).astype(np.uint8)


def _darkest(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(darkest(img), cv2.COLOR_GRAY2BGR)


CROPS: tuple[Crop, ...] = (
    ("pad", 0.15, 0.15, None),
    ("wide", 0.4, 0.05, None),
    ("tight", 0.1, -0.05, None),
    ("sharp", 0.1, 0.0, _unsharp(2.5, 1.0)),
    ("sharper", 0.1, 0.0, _unsharp(1.5, 2.0)),
    ("narrow", 0.1, 0.0, _narrow),
    ("stretch", 0.1, 0.0, _stretch),
    ("darkest", 0.1, 0.0, _darkest),
)


def crops(card: np.ndarray, box: tuple[float, float, float, float]) -> Iterator[np.ndarray]:
    """The field's box (card pixels) cut in each of the ``CROPS`` ways."""
    h, w = card.shape[:2]
    x0, y0, x1, y1 = box
    lh = y1 - y0
    for _, px, py, transform in CROPS:
        cx0, cy0 = max(0, int(x0 - px * lh)), max(0, int(y0 - py * lh))
        cx1, cy1 = min(w, int(np.ceil(x1 + px * lh))), min(h, int(np.ceil(y1 + py * lh)))
        if cx1 - cx0 < 4 or cy1 - cy0 < 4:
            continue
        crop = card[cy0:cy1, cx0:cx1]
        yield transform(crop) if transform is not None else crop


#: Crops that must agree on a value for it to replace the first reading, and by how many more crops than
#: read the first reading's value.
VOTES_MIN = 4
VOTES_AHEAD = 2


def settled(first: str | None, values: list[str | None], remaining: int) -> bool:
    """Whether the crops still to be read can no longer change the vote's outcome (then they are not read)."""
    counts = Counter(v for v in values if v is not None and v != first)
    need = max(VOTES_MIN, sum(v == first for v in values) + VOTES_AHEAD) if first is not None else VOTES_MIN
    return max(counts.values(), default=0) + remaining < need


def vote(first: str | None, values: list[str | None]) -> str | None:
    """The value most crops read, when it differs from the first reading and is clearly ahead of it (at least
    ``VOTES_MIN`` crops, ``VOTES_AHEAD`` more than read the first value, and no other value as many); else
    None (the first reading stands)."""
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    (top, n), *rest = counts.most_common()
    if top == first or n < VOTES_MIN or n < counts.get(first, 0) + VOTES_AHEAD or (rest and rest[0][1] == n):
        return None
    return top
