"""DF2/EF01 写真: tag 5F40, a monochrome JPEG 2000 image of at most 2000 bytes (value padded to 2000).

The value is either a JP2 file (signature box) or a raw J2K codestream (SOC FF4F then SIZ FF51). Card bytes
are hostile: the dimensions are read from the header and bounded before anything is decoded, and decoding
failures become a reported problem, not a crash. The decoded picture is re-encoded as PNG for display.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image

from taimen.core.tlv import parse_single
from taimen.errors import ParseError

JP2_SIGNATURE = bytes.fromhex("0000000C6A5020200D0A870A")
J2K_SOC_SIZ = bytes.fromhex("FF4FFF51")
MAX_VALUE = 8192  # the specification says 2000; headroom, but bounded
MAX_SIDE = 1024
MAX_PIXELS = 640 * 640
MAX_BOXES = 64


@dataclass(frozen=True, slots=True)
class Photo:
    raw: bytes  # the 5F40 value as stored (JPEG 2000 plus padding)
    kind: str  # "jp2", "j2k" or "unknown"
    width: int | None
    height: int | None
    png: bytes | None
    problem: str = ""


def _siz_dimensions(cs: bytes) -> tuple[int, int]:
    if not cs.startswith(J2K_SOC_SIZ) or len(cs) < 4 + 2 + 2 + 16:
        raise ParseError("JPEG 2000 codestream without SIZ")
    x, y, x0, y0 = (int.from_bytes(cs[8 + 4 * i : 12 + 4 * i], "big") for i in range(4))
    if x <= x0 or y <= y0:
        raise ParseError("JPEG 2000 SIZ: empty image area")
    return x - x0, y - y0


def _jp2_dimensions(data: bytes) -> tuple[int, int]:
    """Width and height from the JP2 header box (jp2h/ihdr), walking boxes with bounds."""

    def boxes(buf: bytes) -> list[tuple[bytes, bytes]]:
        out, pos = [], 0
        while pos + 8 <= len(buf) and len(out) < MAX_BOXES:
            size = int.from_bytes(buf[pos : pos + 4], "big")
            kind = buf[pos + 4 : pos + 8]
            header = 8
            if size == 1:
                if pos + 16 > len(buf):
                    break
                size, header = int.from_bytes(buf[pos + 8 : pos + 16], "big"), 16
            elif size == 0:
                size = len(buf) - pos
            if size < header or pos + size > len(buf):
                break
            out.append((kind, buf[pos + header : pos + size]))
            pos += size
        return out

    for kind, body in boxes(data):
        if kind == b"jp2h":
            for sub, sbody in boxes(body):
                if sub == b"ihdr" and len(sbody) >= 8:
                    h, w = int.from_bytes(sbody[0:4], "big"), int.from_bytes(sbody[4:8], "big")
                    return w, h
        if kind == b"jp2c":
            return _siz_dimensions(body)
    raise ParseError("JP2 file without an image header")


def decode_jpeg2000(value: bytes) -> Photo:
    """Sniff, bound and decode a JPEG 2000 image; problems are reported in ``Photo.problem``."""
    if value.startswith(JP2_SIGNATURE):
        kind = "jp2"
    elif value.startswith(J2K_SOC_SIZ):
        kind = "j2k"
    else:
        return Photo(value, "unknown", None, None, None, "not a JPEG 2000 image (no JP2 signature or SOC marker)")
    try:
        w, h = _jp2_dimensions(value) if kind == "jp2" else _siz_dimensions(value)
    except ParseError as exc:
        return Photo(value, kind, None, None, None, str(exc))
    if w > MAX_SIDE or h > MAX_SIDE or w * h > MAX_PIXELS:
        return Photo(value, kind, w, h, None, f"image of {w}x{h} exceeds the size limit; not decoded")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(value))
            if img.size != (w, h):
                return Photo(value, kind, w, h, None, "decoder and header disagree on the image size")
            img.load()
        buf = io.BytesIO()
        img.convert("L" if img.mode in ("L", "1", "I;16", "I") else "RGB").save(buf, "PNG")
    except Exception as exc:  # any decoder failure on card bytes is a reported problem, not a crash
        return Photo(value, kind, w, h, None, f"JPEG 2000 decoding failed: {type(exc).__name__}")
    return Photo(value, kind, w, h, buf.getvalue())


def parse_photo_file(data: bytes) -> Photo:
    """DF2/EF01: one 5F40 object, then only padding."""
    tlv = parse_single(data, 0x5F40)
    if len(tlv.value) > MAX_VALUE:
        raise ParseError(f"DF2/EF01: photo of {len(tlv.value)} bytes exceeds {MAX_VALUE}")
    return decode_jpeg2000(tlv.value)
