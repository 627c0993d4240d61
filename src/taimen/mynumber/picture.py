"""Images from the My Number Card, identified and bounded through ``taimen.core.images`` before any decoding.

The card gives no content type and mixes PNG and JPEG 2000 in one file (reference §2), so the format comes
from the magic bytes. Each field has its own limits: the name and address renderings, the photo, and the
small security-code image.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from taimen.core import images
from taimen.errors import ParseError

if TYPE_CHECKING:  # Pillow is imported when an image is decoded (taimen.core.images)
    from PIL import Image

PNG = images.MIME["png"]
JP2 = images.MIME["jp2"]
J2K = images.MIME["j2k"]
ImageInfo = images.ImageInfo


def limits(max_width: int, max_height: int, max_bytes: int = 64 * 1024) -> images.ImageLimits:
    return images.ImageLimits(
        max_bytes=max_bytes, max_width=max_width, max_height=max_height, max_pixels=max_width * max_height
    )


def inspect(data: bytes, *, allowed: tuple[str, ...], max_width: int, max_height: int) -> images.ImageInfo:
    """Format and dimensions from the header; ParseError unless an allowed format within the limits."""
    info = images.probe(data, limits(max_width, max_height))
    if info.mime not in allowed:
        raise ParseError(f"{info.mime} image where {' or '.join(allowed)} is expected")
    return info


def decode(data: bytes, *, allowed: tuple[str, ...], max_width: int, max_height: int) -> Image.Image:
    inspect(data, allowed=allowed, max_width=max_width, max_height=max_height)
    return images.decode(data, limits(max_width, max_height))
