"""DF2/EF01 写真: tag 5F40, a monochrome JPEG 2000 image of at most 2000 bytes (value padded to 2000).

The value is either a JP2 file (signature box) or a raw J2K codestream (SOC FF4F then SIZ FF51). Card bytes
are hostile: ``taimen.core.images`` reads the dimensions from the header and bounds them before anything is
decoded; failures become a reported problem, not a crash. A read checks the header only and keeps the JPEG
2000 as stored (as the My Number Card's photo is kept): the picture is decoded when it is shown (the web app,
``taimen.web.images``), so a command-line read neither loads Pillow nor hands hostile bytes to a JPEG 2000
decoder that nobody looks at. ``decode_jpeg2000`` decodes at once (マイナ免許証, tests).
"""

from __future__ import annotations

from dataclasses import dataclass

from taimen.core import images
from taimen.core.tlv import parse_single
from taimen.errors import ParseError

JP2_SIGNATURE = images.JP2_MAGIC
J2K_SOC_SIZ = images.J2K_MAGIC
MAX_VALUE = 8192  # the specification says 2000; headroom, but bounded
#: A licence photo is a few hundred pixels a side in at most 2000 bytes.
LIMITS = images.ImageLimits(
    max_bytes=MAX_VALUE, max_width=1024, max_height=1024, max_pixels=640 * 640, max_components=3, max_tiles=64
)


@dataclass(frozen=True, slots=True)
class Photo:
    raw: bytes  # the 5F40 value as stored (JPEG 2000 plus padding)
    kind: str  # "jp2", "j2k" or "unknown"
    width: int | None
    height: int | None
    png: bytes | None
    problem: str = ""


def inspect_jpeg2000(value: bytes) -> Photo:
    """Sniff and bound from the header only (``taimen.core.images``); problems go to ``Photo.problem``."""
    return decode_jpeg2000(value, decode=False)


def decode_jpeg2000(value: bytes, *, decode: bool = True) -> Photo:
    """Sniff, bound (header only, ``taimen.core.images``) and decode; problems go to ``Photo.problem``."""
    if value.startswith(JP2_SIGNATURE):
        kind = "jp2"
    elif value.startswith(J2K_SOC_SIZ):
        kind = "j2k"
    else:
        return Photo(value, "unknown", None, None, None, "not a JPEG 2000 image (no JP2 signature or SOC marker)")
    try:
        info = images.probe(value, LIMITS)
    except ParseError as exc:
        return Photo(value, kind, None, None, None, str(exc))
    if not decode:
        return Photo(value, kind, info.width, info.height, None)
    try:
        png = images.to_png(images.decode(value, LIMITS))
    except ParseError as exc:
        return Photo(value, kind, info.width, info.height, None, str(exc))
    return Photo(value, kind, info.width, info.height, png)


def parse_photo_file(data: bytes, *, decode: bool = True) -> Photo:
    """DF2/EF01: one 5F40 object, then only padding; ``decode=False`` checks the image header only."""
    tlv = parse_single(data, 0x5F40)
    if len(tlv.value) > MAX_VALUE:
        raise ParseError(f"DF2/EF01: photo of {len(tlv.value)} bytes exceeds {MAX_VALUE}")
    return decode_jpeg2000(tlv.value, decode=decode)
