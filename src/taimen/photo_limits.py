"""Photos of a card face (camera frames, uploads, ``taimen ocr`` files): what taimen agrees to decode.

A compressed PNG of one colour is a few hundred KB yet 7000×7100 pixels; decoded in full it took 1.1 GB. So
the size comes from the header (Pillow's ``Image.open`` reads only that) and is checked against a pixel
budget sized for a card photo BEFORE any pixel is decoded. A JPEG is first reduced in the DCT domain
(``draft``), so a large camera JPEG is accepted at a fraction of its size; PNG and WebP cannot be decoded at
reduced size, so above the budget they are refused.

Chip images (hostile card bytes) have their own, stricter limits in ``taimen.core.images``.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

from taimen.errors import OperatorInputError

#: The pixel budget: a 24-megapixel camera (6000×4000) fits; a card fills a few megapixels of it.
MAX_PIXELS = 25_000_000
#: No side longer than this, whatever the budget (a 25 000×1000 strip is not a card photo).
MAX_SIDE = 12_000
MIN_SIDE = 64
MAX_BYTES = 40 * 1024 * 1024

# Pillow's own guard, for every photo opened anywhere in the process: a warning above the budget, an error at
# twice it. taimen checks the budget itself first; this catches any path that forgets.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class PhotoError(OperatorInputError):
    """The photo cannot be used (not an image, too large, unsupported format)."""

    message_ja = "写真を読み込めません。JPEG または PNG の写真を使ってください。"


def open_photo(data: bytes, formats: tuple[str, ...], work_side: int) -> Image.Image:
    """The photo opened lazily (header only), checked against the budget, a JPEG drafted down towards
    ``work_side`` on its long side. No pixel is decoded yet: the caller calls ``load``/``convert``."""
    if len(data) > MAX_BYTES:
        raise PhotoError(f"photo is {len(data)} bytes; the limit is {MAX_BYTES}")
    try:
        with warnings.catch_warnings():
            # The budget is checked below, after a JPEG's draft; Pillow's error at twice the budget still applies.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=list(formats))
            w, h = im.size
            if min(w, h) < MIN_SIDE or max(w, h) > MAX_SIDE:
                raise PhotoError(f"photo size {w}×{h} is outside the accepted range")
            if im.format in ("JPEG", "MPO") and max(w, h) > work_side:
                im.draft("RGB", (w * work_side // max(w, h), h * work_side // max(w, h)))  # DCT-domain scaling
            dw, dh = im.size  # after draft: what will really be decoded
            if dw * dh > MAX_PIXELS:
                raise PhotoError(f"photo of {w}×{h} pixels is above the budget of {MAX_PIXELS // 1_000_000} MP")
            return im
    except PhotoError:
        raise
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoError(f"cannot decode the photo: {exc}") from None
