"""Decoding an operator's photo (``taimen.ocr.photo.decode``): EXIF orientation honoured, any colour mode
turned into BGR, large photos scaled to the working size. Guards the decoder's fast path (no copies when
nothing needs turning or converting) against changing what the reader sees."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from taimen.ocr.photo import WORK_SIDE, decode


def _png(img: Image.Image, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    img.save(out, "PNG", exif=exif)
    return out.getvalue()


def _pattern() -> Image.Image:
    rgb = np.zeros((90, 160, 3), np.uint8)
    rgb[:30, :40] = (255, 0, 0)  # red top left
    rgb[60:, 120:] = (0, 0, 255)  # blue bottom right
    return Image.fromarray(rgb)


def test_channels_are_bgr() -> None:
    bgr = decode(_png(_pattern()))
    assert bgr.shape == (90, 160, 3) and bgr.flags.c_contiguous
    assert tuple(bgr[5, 5]) == (0, 0, 255) and tuple(bgr[80, 150]) == (255, 0, 0)


def test_exif_orientation_is_honoured() -> None:
    """Orientation 6: the camera was turned 90° clockwise; the upright image is the stored one turned back."""
    bgr = decode(_png(_pattern(), orientation=6))
    assert bgr.shape == (160, 90, 3)
    assert tuple(bgr[5, 85]) == (0, 0, 255)  # the red corner is now top right


def test_greyscale_and_palette_become_bgr() -> None:
    grey = decode(_png(_pattern().convert("L")))
    assert grey.shape == (90, 160, 3) and (grey[..., 0] == grey[..., 2]).all()
    pal = decode(_png(_pattern().convert("P")))
    assert pal.shape == (90, 160, 3) and tuple(pal[5, 5]) == (0, 0, 255)


def test_large_photo_is_scaled_to_the_working_side() -> None:
    big = Image.new("RGB", (WORK_SIDE + 600, 1500), (10, 200, 30))
    out = io.BytesIO()
    big.save(out, "JPEG", quality=90)
    bgr = decode(out.getvalue())
    assert max(bgr.shape[:2]) == WORK_SIDE
    assert abs(int(bgr[700, 1000, 1]) - 200) < 6 and abs(int(bgr[700, 1000, 2]) - 10) < 6
