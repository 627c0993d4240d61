"""Image handling for display, in memory only, with size limits checked before any pixel is decoded.

Chip images are hostile input (a forged chip can carry anything); camera and upload images come from the
browser. Both are opened lazily (header only), their dimensions checked, then decoded and re-encoded.
"""

from __future__ import annotations

import io
import threading

from PIL import Image, ImageOps, UnidentifiedImageError

from taimen.errors import OperatorInputError, ParseError
from taimen.photo_limits import open_photo

#: Chip photos are about 300×400; name/address images a few hundred pixels wide.
CHIP_MAX_PIXELS = 2_000_000
CHIP_FORMATS = frozenset({"JPEG2000", "PNG", "JPEG"})
#: A camera frame or a phone photo of the card face (pixel budget: taimen.photo_limits).
CAPTURE_FORMATS = ("JPEG", "PNG", "WEBP")
#: Captured images are scaled down to this longest side before being kept.
CAPTURE_MAX_SIDE = 2000


def _open(data: bytes, formats: frozenset[str], max_pixels: int) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(data), formats=sorted(formats))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValueError(f"not a supported image ({exc})") from None
    w, h = img.size
    if w <= 0 or h <= 0 or w * h > max_pixels:
        raise ValueError(f"image of {w}×{h} pixels is outside the allowed size")
    return img


def chip_image_png(data: bytes) -> bytes:
    """A chip image (JP2 photo, PNG name/address) as PNG for the browser."""
    try:
        img = _open(data, CHIP_FORMATS, CHIP_MAX_PIXELS)
        img.load()
    except (ValueError, OSError, Image.DecompressionBombError) as exc:
        raise ParseError(f"chip image cannot be shown: {exc}", message_ja="ICチップの画像を表示できません。") from None
    if img.mode not in ("1", "L", "RGB", "RGBA", "LA"):
        img = img.convert("RGB")
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


#: One photo decoded at a time: four large uploads at once must not add up (a counter has one clerk).
_DECODING = threading.BoundedSemaphore(1)


def normalize_capture(data: bytes) -> tuple[bytes, Image.Image]:
    """A captured card-face photo, upright, scaled down and re-encoded as JPEG (drops EXIF and location)."""
    with _DECODING:
        img = open_photo(data, CAPTURE_FORMATS, CAPTURE_MAX_SIDE)  # refused above the budget, nothing decoded
        try:
            img = ImageOps.exif_transpose(img)
            img = img.convert("RGB")
        except (ValueError, OSError, Image.DecompressionBombError) as exc:
            raise OperatorInputError(
                f"the photo cannot be used: {exc}",
                message_ja="写真を読み込めません。JPEG または PNG の画像を使ってください。",
            ) from None
        img.thumbnail((CAPTURE_MAX_SIDE, CAPTURE_MAX_SIDE))
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=90)
        return out.getvalue(), img
