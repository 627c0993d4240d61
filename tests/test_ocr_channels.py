"""The darkest and brightest channel of an image: a faster spelling of numpy's reduction over the channels, which
the reader uses on every crop it looks at again (a speed change): the values must be the same."""

from __future__ import annotations

import numpy as np

from taimen.ocr.channels import brightest, darkest


def test_darkest_and_brightest_are_the_channel_min_and_max() -> None:
    rng = np.random.default_rng(5)
    photo = rng.integers(0, 256, (60, 500, 3), dtype=np.uint8)
    for img in (photo, photo[7:51, 13:420], rng.random((9, 11, 3), np.float32), photo[..., :1], rng.random((4, 5, 4))):
        for got, want in ((darkest(img), img.min(axis=2)), (brightest(img), img.max(axis=2))):
            assert got.dtype == want.dtype and got.flags.c_contiguous
            np.testing.assert_array_equal(got, want)


def _line_ink_per_component(crop: np.ndarray) -> np.ndarray:
    """``recline.line_ink`` as first written (a loop over the components)."""
    import cv2

    grey = crop.min(axis=2)
    h = grey.shape[0]
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8))
    keep = np.zeros(n, bool)
    for i in range(1, n):
        y, bh, area = stats[i][1], stats[i][3], stats[i][4]
        keep[i] = area >= 3 and not ((y == 0 or y + bh >= h) and bh < 0.35 * h)
    return keep[lab]


def test_line_ink_keeps_the_components_it_kept() -> None:
    import cv2

    from taimen.ocr.recline import line_ink

    rng = np.random.default_rng(9)
    for n in range(30):
        crop = np.full((int(rng.integers(20, 60)), int(rng.integers(60, 400)), 3), 230, np.uint8)
        for _ in range(int(rng.integers(3, 25))):
            x, y = int(rng.integers(-5, crop.shape[1])), int(rng.integers(-10, crop.shape[0]))
            cv2.rectangle(crop, (x, y), (x + int(rng.integers(1, 15)), y + int(rng.integers(1, 40))), (30, 30, 30), -1)
        np.testing.assert_array_equal(line_ink(crop), _line_ink_per_component(crop), err_msg=str(n))
