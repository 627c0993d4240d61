"""Decode an operator's photo safely: check the size from the header before decoding, honour the camera's
EXIF orientation, decode large JPEGs at reduced scale, and never write anything to disk."""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps

from taimen.errors import OperatorInputError

MAX_BYTES = 40 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a 60-megapixel camera
MAX_SIDE = 16_000
WORK_SIDE = 2400  # larger photos are scaled down: card text is already large at this size
FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "MPO")


class PhotoError(OperatorInputError):
    """The photo cannot be used (not an image, too large, unsupported format)."""

    message_ja = "写真を読み込めません。JPEGまたはPNGの写真を指定してください。"


def decode(data: bytes) -> np.ndarray:
    """BGR uint8 array of the photo, long side at most ``WORK_SIDE``."""
    if len(data) > MAX_BYTES:
        raise PhotoError(f"photo is {len(data)} bytes; the limit is {MAX_BYTES}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))  # reads the header only
            w, h = im.size
            if im.format not in FORMATS:
                raise PhotoError(f"unsupported image format {im.format}")
            if w < 64 or h < 64 or w * h > MAX_PIXELS or max(w, h) > MAX_SIDE:
                raise PhotoError(f"photo size {w}×{h} is outside the accepted range")
            if im.format in ("JPEG", "MPO") and max(w, h) > WORK_SIDE * 2:
                im.draft("RGB", (w * WORK_SIDE // max(w, h), h * WORK_SIDE // max(w, h)))  # DCT-domain downscale
            im = ImageOps.exif_transpose(im)
            rgb = im.convert("RGB")
    except PhotoError:
        raise
    except (OSError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise PhotoError(f"cannot decode the photo: {exc}") from exc
    if max(rgb.size) > WORK_SIDE:
        f = WORK_SIDE / max(rgb.size)
        rgb = rgb.resize((round(rgb.width * f), round(rgb.height * f)), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])
