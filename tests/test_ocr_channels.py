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
