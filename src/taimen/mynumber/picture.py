"""Images from the card: format by magic bytes, dimensions from the header, decoding only within limits.

The card gives no content type and mixes PNG and JPEG 2000 in one file (reference §2), so the format is
recognised from the first bytes. Dimensions are read from the header (PNG IHDR, JP2 ``ihdr`` box, J2K SIZ
marker) before any decoder sees the bytes, so a forged chip cannot make the counter PC allocate a huge
bitmap. ``decode`` also requires Pillow to see the same size before it loads any pixels (Pillow's own
``MAX_IMAGE_PIXELS`` bomb guard stays in force).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from taimen.errors import ParseError

PNG = "image/png"
JP2 = "image/jp2"
J2K = "image/j2k"

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JP2_SIGNATURE = bytes.fromhex("0000000C6A5020200D0A870A")
J2K_MAGIC = b"\xff\x4f\xff\x51"
MAX_BOXES = 64


@dataclass(frozen=True, slots=True)
class ImageInfo:
    mime: str
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    if data.startswith(PNG_MAGIC):
        return PNG
    if data.startswith(JP2_SIGNATURE):
        return JP2
    if data.startswith(J2K_MAGIC):
        return J2K
    return None


def _png_size(data: bytes) -> tuple[int, int]:
    # 8 magic, then the IHDR chunk: length 13, "IHDR", width, height.
    if len(data) < 24 or data[8:16] != b"\x00\x00\x00\x0dIHDR":
        raise ParseError("PNG without an IHDR header")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _siz_size(data: bytes, pos: int) -> tuple[int, int]:
    # SOC FF4F, SIZ FF51, Lsiz(2) Rsiz(2) Xsiz(4) Ysiz(4) XOsiz(4) YOsiz(4)
    if len(data) < pos + 24 or data[pos : pos + 4] != J2K_MAGIC:
        raise ParseError("JPEG 2000 codestream without a SIZ marker")
    x, y, xo, yo = (int.from_bytes(data[pos + 8 + 4 * i : pos + 12 + 4 * i], "big") for i in range(4))
    if xo > x or yo > y:
        raise ParseError("JPEG 2000 SIZ offsets exceed the image size")
    return x - xo, y - yo


def _boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """Top-level boxes of a JP2 region as (type, payload start, payload end), bounded."""
    out = []
    pos = start
    while pos < end:
        if len(out) >= MAX_BOXES:
            raise ParseError("JP2: too many boxes")
        if pos + 8 > end:
            raise ParseError("JP2: truncated box header")
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        header = 8
        if length == 1:
            if pos + 16 > end:
                raise ParseError("JP2: truncated extended box length")
            length = int.from_bytes(data[pos + 8 : pos + 16], "big")
            header = 16
        elif length == 0:
            length = end - pos
        if length < header or pos + length > end:
            raise ParseError("JP2: box length outside the file")
        out.append((kind, pos + header, pos + length))
        pos += length
    return out


def _jp2_size(data: bytes) -> tuple[int, int]:
    for kind, start, end in _boxes(data, 0, len(data)):
        if kind == b"jp2h":
            for sub, s, e in _boxes(data, start, end):
                if sub == b"ihdr":
                    if e - s < 14:
                        raise ParseError("JP2: ihdr box too short")
                    return int.from_bytes(data[s + 4 : s + 8], "big"), int.from_bytes(data[s : s + 4], "big")
        if kind == b"jp2c":
            return _siz_size(data, start)
    raise ParseError("JP2 without an image header")


def inspect(data: bytes, *, allowed: tuple[str, ...], max_width: int, max_height: int) -> ImageInfo:
    """Format and dimensions from the header; ParseError unless allowed and within the limits."""
    mime = sniff(data)
    if mime is None or mime not in allowed:
        raise ParseError(f"image is not {' or '.join(allowed)} (magic {data[:8].hex()})")
    if mime == PNG:
        w, h = _png_size(data)
    elif mime == JP2:
        w, h = _jp2_size(data)
    else:
        w, h = _siz_size(data, 0)
    if not (1 <= w <= max_width and 1 <= h <= max_height):
        raise ParseError(f"image of {w}x{h} pixels exceeds {max_width}x{max_height}")
    return ImageInfo(mime, w, h)


def decode(data: bytes, *, allowed: tuple[str, ...], max_width: int, max_height: int) -> Image.Image:
    """Decode after the header check; the decoder's own idea of the size must agree before pixels load."""
    info = inspect(data, allowed=allowed, max_width=max_width, max_height=max_height)
    try:
        img = Image.open(io.BytesIO(data))
        if img.size != (info.width, info.height):
            raise ParseError("image header and decoder disagree about the size")
        img.load()
        return img
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ParseError(f"image cannot be decoded: {exc}") from exc
