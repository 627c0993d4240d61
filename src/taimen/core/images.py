"""Images from a card (face photos, signatures): identified and sized from their headers before decoding.

A forged chip chooses every byte, so an image is hostile input: the format comes from the magic bytes (not
from what the file is called), and the dimensions are read from the header (PNG IHDR, JP2 ``ihdr`` box and
the codestream's SIZ marker, J2K SIZ, JPEG SOFn) WITHOUT decoding. Anything beyond ``ImageLimits`` is refused
with ``ParseError`` before Pillow allocates a pixel; then Pillow decodes only the format that was detected
and only if it reports the same size. Every failure is a ``ParseError``.

Formats: PNG, JPEG 2000 (JP2 container and raw J2K codestream), JPEG, and bilevel TIFF (uncompressed or CCITT
G3/G4 "MMR", the residence card's front, name and address images). Browsers do not show JPEG 2000, so
``to_png`` converts for display.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from taimen.errors import ParseError

if TYPE_CHECKING:  # Pillow is imported when an image is decoded
    from PIL import Image

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JP2_MAGIC = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
J2K_MAGIC = b"\xff\x4f\xff\x51"  # SOC then SIZ: the SIZ marker must follow SOC
JPEG_MAGIC = b"\xff\xd8\xff"
TIFF_MAGICS = (b"II*\x00", b"MM\x00*")

MIME = {"png": "image/png", "jp2": "image/jp2", "j2k": "image/j2c", "jpeg": "image/jpeg", "tiff": "image/tiff"}
_PILLOW_FORMAT = {"png": "PNG", "jp2": "JPEG2000", "j2k": "JPEG2000", "jpeg": "JPEG", "tiff": "TIFF"}
#: TIFF compressions accepted: none, CCITT G3 (T.4), CCITT G4 (T.6, "MMR") — bilevel document images only.
TIFF_COMPRESSIONS = (1, 3, 4)
MAX_TIFF_ENTRIES = 64


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """What taimen agrees to decode. Card photos are a few hundred pixels a side and a few KB."""

    max_bytes: int = 1 << 20
    max_width: int = 4096
    max_height: int = 4096
    max_pixels: int = 2_000_000
    max_components: int = 4
    #: JPEG 2000 tiles: each costs decoder state, so a tiny-tile header is a memory attack.
    max_tiles: int = 4096


DEFAULT_LIMITS = ImageLimits()


@dataclass(frozen=True, slots=True)
class ImageInfo:
    format: str  # "png" | "jp2" | "j2k" | "jpeg"
    width: int
    height: int
    components: int

    @property
    def mime(self) -> str:
        return MIME[self.format]


def detect(data: bytes) -> str:
    """The image format named by the magic bytes; ParseError for anything else."""
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JP2_MAGIC):
        return "jp2"
    if data.startswith(J2K_MAGIC):
        return "j2k"
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    if data[:4] in TIFF_MAGICS:
        return "tiff"
    start = bytes(data[:8]).hex(" ").upper()
    raise ParseError(f"not a PNG, JPEG 2000 or JPEG image (nor a bilevel TIFF) (starts {start})")


def probe(data: bytes, limits: ImageLimits = DEFAULT_LIMITS) -> ImageInfo:
    """Format and dimensions from the header alone, checked against ``limits``. Decodes nothing."""
    data = bytes(data)
    if len(data) > limits.max_bytes:
        raise ParseError(f"image of {len(data)} bytes exceeds the limit of {limits.max_bytes}")
    fmt = detect(data)
    if fmt == "png":
        info = _png(data)
    elif fmt == "jp2":
        info = _jp2(data, limits)
    elif fmt == "j2k":
        info = _j2k(data, 0, limits, "j2k")
    elif fmt == "tiff":
        info = _tiff(data)
    else:
        info = _jpeg(data)
    _check(info, limits)
    return info


def decode(data: bytes, limits: ImageLimits = DEFAULT_LIMITS) -> Image.Image:
    """Decode a card image after ``probe`` accepted its header; the result is fully loaded."""
    info = probe(data, limits)
    Image = _pillow(info.format)
    try:
        # ``probe``'s limits are far below Pillow's own bomb guard (Image.MAX_IMAGE_PIXELS) and per call, so no
        # process-wide setting is touched (the web UI decodes in several threads).
        if info.format in ("jp2", "j2k"):
            # Through the plugin's class: Image.open would first import five other plugins (Image.preinit),
            # about 5 % of a licence read's start-up (and check the size against Pillow's guard: moot after probe).
            from PIL.Jpeg2KImagePlugin import Jpeg2KImageFile

            im = Jpeg2KImageFile(io.BytesIO(data))
        else:
            im = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[info.format]])
        if im.size != (info.width, info.height):
            raise ParseError(f"{info.format} header says {info.width}×{info.height}, decoder sees {im.size}")
        im.load()
    except ParseError:
        raise
    except Exception as exc:  # Pillow signals corrupt data with many types (OSError, SyntaxError, ValueError…)
        raise ParseError(f"{info.format} image cannot be decoded: {type(exc).__name__}: {exc}") from exc
    return im


def _pillow(fmt: str) -> Any:
    """Pillow's Image module, imported on first use (a read that shows no picture never loads Pillow); never
    ``Image.init()``, which imports every plugin."""
    from PIL import Image

    return Image


def to_png(image: Image.Image | bytes, limits: ImageLimits = DEFAULT_LIMITS) -> bytes:
    """PNG bytes for display (a browser cannot show JPEG 2000). Card bytes are decoded with ``decode``."""
    im = decode(image, limits) if isinstance(image, bytes | bytearray) else image
    if im.mode not in ("1", "L", "LA", "RGB", "RGBA", "P"):
        im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
    out = io.BytesIO()
    # named, not ``format="PNG"``: Pillow then imports only the PNG plugin rather than five (Image.preinit)
    out.name = "image.png"  # type: ignore[attr-defined]
    im.save(out)
    return out.getvalue()


# --- header readers -------------------------------------------------------------------------------------


def _check(info: ImageInfo, limits: ImageLimits) -> None:
    w, h = info.width, info.height
    if w < 1 or h < 1:
        raise ParseError(f"{info.format} image with no pixels ({w}×{h})")
    if w > limits.max_width or h > limits.max_height or w * h > limits.max_pixels:
        raise ParseError(
            f"{info.format} image of {w}×{h} exceeds the limits "
            f"({limits.max_width}×{limits.max_height}, {limits.max_pixels} pixels)"
        )
    if not 1 <= info.components <= limits.max_components:
        raise ParseError(f"{info.format} image with {info.components} components")


def _u16(data: bytes, pos: int) -> int:
    if pos + 2 > len(data):
        raise ParseError("image header truncated")
    return int.from_bytes(data[pos : pos + 2], "big")


def _u32(data: bytes, pos: int) -> int:
    if pos + 4 > len(data):
        raise ParseError("image header truncated")
    return int.from_bytes(data[pos : pos + 4], "big")


_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}


def _png(data: bytes) -> ImageInfo:
    # Signature, then the IHDR chunk must come first: length 13, "IHDR", width, height, depth, colour type…
    if _u32(data, 8) != 13 or data[12:16] != b"IHDR" or len(data) < 8 + 8 + 13 + 4:
        raise ParseError("PNG without a valid IHDR chunk first")
    width, height = _u32(data, 16), _u32(data, 20)
    depth, colour = data[24], data[25]
    if colour not in _PNG_CHANNELS or depth not in _PNG_DEPTHS[colour]:
        raise ParseError(f"PNG with bit depth {depth} and colour type {colour}")
    _png_chunks(data)
    return ImageInfo("png", width, height, _PNG_CHANNELS[colour])


def _png_chunks(data: bytes) -> None:
    """Every chunk must fit, up to IEND. Compressed text is refused: each zTXt/iTXt may inflate ~1000-fold
    into memory while Pillow opens the file, and a card photo has no use for it (one iCCP is allowed)."""
    pos, iccp = 8, 0
    while True:
        length, kind = _u32(data, pos), data[pos + 4 : pos + 8]
        if pos + 12 + length > len(data):
            raise ParseError(f"PNG chunk {kind!r} runs past the end of the data")
        if kind == b"zTXt" or (kind == b"iTXt" and _itxt_compressed(data[pos + 8 : pos + 8 + length])):
            raise ParseError("PNG with compressed text chunks")
        if kind == b"iCCP":
            iccp += 1
            if iccp > 1:
                raise ParseError("PNG with more than one iCCP chunk")
        if kind == b"IEND":
            return
        pos += 12 + length


def _jp2(data: bytes, limits: ImageLimits) -> ImageInfo:
    """JP2 container: the ``jp2h`` box's ``ihdr`` and the ``jp2c`` codestream's SIZ must agree."""
    pos, ihdr, code = 0, None, None
    while pos < len(data):
        length, kind, body = _box(data, pos, len(data))
        if kind == b"jp2h":
            blen, bkind, bbody = _box(data, body, pos + length)
            if bkind != b"ihdr" or blen - (bbody - body) != 14:
                raise ParseError("JP2 header box does not start with a 14-byte ihdr box")
            ihdr = (_u32(data, bbody + 4), _u32(data, bbody), _u16(data, bbody + 8))  # width, height, components
        elif kind == b"jp2c":
            if ihdr is None:
                raise ParseError("JP2 codestream before the header box")
            code = _j2k(data[body : pos + length], 0, limits, "jp2")
            break
        pos += length
    if ihdr is None or code is None:
        raise ParseError("JP2 without a header box and a codestream")
    if (code.width, code.height, code.components) != ihdr:
        raise ParseError(f"JP2 ihdr says {ihdr[0]}×{ihdr[1]}, its codestream {code.width}×{code.height}")
    return code


def _box(data: bytes, pos: int, end: int) -> tuple[int, bytes, int]:
    """(total length, type, start of contents) of the box at ``pos``, which must end by ``end``."""
    length, kind, body = _u32(data, pos), data[pos + 4 : pos + 8], pos + 8
    if length == 1:  # 64-bit XLBox
        if pos + 16 > end:
            raise ParseError("JP2 box header truncated")
        length, body = int.from_bytes(data[pos + 8 : pos + 16], "big"), pos + 16
    elif length == 0:  # to the end of the enclosing space
        length = end - pos
    if len(kind) != 4 or length < body - pos or pos + length > end:
        raise ParseError("JP2 box length inconsistent with the data")
    return length, kind, body


def _itxt_compressed(body: bytes) -> bool:
    """iTXt: keyword (1-79 bytes), NUL, compression flag, …"""
    nul = body.find(b"\x00", 0, 80)
    return nul < 0 or nul + 1 >= len(body) or body[nul + 1] != 0


def _j2k(data: bytes, pos: int, limits: ImageLimits, fmt: str) -> ImageInfo:
    """SOC, then SIZ: Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz Csiz {Ssiz XRsiz YRsiz}."""
    if data[pos : pos + 4] != J2K_MAGIC:
        raise ParseError("JPEG 2000 codestream must start with SOC and SIZ")
    p = pos + 4
    lsiz = _u16(data, p)
    xsiz, ysiz, xo, yo = _u32(data, p + 4), _u32(data, p + 8), _u32(data, p + 12), _u32(data, p + 16)
    xt, yt, xto, yto = _u32(data, p + 20), _u32(data, p + 24), _u32(data, p + 28), _u32(data, p + 32)
    csiz = _u16(data, p + 36)
    if lsiz != 38 + 3 * csiz or p + lsiz > len(data):
        raise ParseError("JPEG 2000 SIZ length disagrees with its component count or the data")
    if not 1 <= csiz <= limits.max_components:
        raise ParseError(f"JPEG 2000 image with {csiz} components")
    if xo >= xsiz or yo >= ysiz or xt == 0 or yt == 0 or xto > xo or yto > yo or xto + xt <= xo or yto + yt <= yo:
        raise ParseError("JPEG 2000 SIZ geometry is inconsistent")
    tiles = -(-(xsiz - xto) // xt) * -(-(ysiz - yto) // yt)
    if tiles > limits.max_tiles:
        raise ParseError(f"JPEG 2000 image of {tiles} tiles exceeds the limit of {limits.max_tiles}")
    for i in range(csiz):
        ssiz, xr, yr = data[p + 38 + 3 * i], data[p + 39 + 3 * i], data[p + 40 + 3 * i]
        if (ssiz & 0x7F) + 1 > 16 or xr == 0 or yr == 0:
            raise ParseError("JPEG 2000 component with unsupported precision or sampling")
    return ImageInfo(fmt, xsiz - xo, ysiz - yo, csiz)


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> ImageInfo:
    """Walk the marker segments after SOI to the first SOFn; each segment must fit in the data."""
    pos = 2
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise ParseError("JPEG marker expected")
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= len(data):
            raise ParseError("JPEG header truncated")
        marker = data[pos]
        pos += 1
        if marker in (0x01,) or 0xD0 <= marker <= 0xD7:  # no length
            continue
        if marker in (0xD8, 0xD9, 0xDA):
            raise ParseError("JPEG frame header (SOFn) missing before the image data")
        length = _u16(data, pos)
        if length < 2 or pos + length > len(data):
            raise ParseError("JPEG segment length inconsistent with the data")
        if marker in _SOF:
            if length < 8:
                raise ParseError("JPEG frame header too short")
            height, width, comps = _u16(data, pos + 3), _u16(data, pos + 5), data[pos + 7]
            if length != 8 + 3 * comps:
                raise ParseError("JPEG frame header length disagrees with its component count")
            return ImageInfo("jpeg", width, height, comps)
        pos += length


def _tiff(data: bytes) -> ImageInfo:
    """First IFD of a TIFF: one bilevel image (1 bit, 1 sample), compression none/G3/G4. Nothing else."""
    order = "little" if data[:2] == b"II" else "big"

    def u(pos: int, n: int) -> int:
        if pos < 0 or pos + n > len(data):
            raise ParseError("TIFF header truncated or offset outside the file")
        return int.from_bytes(data[pos : pos + n], order)

    ifd = u(4, 4)
    count = u(ifd, 2)
    if not 1 <= count <= MAX_TIFF_ENTRIES:
        raise ParseError(f"TIFF IFD with {count} entries")
    tags: dict[int, int] = {}
    for i in range(count):
        pos = ifd + 2 + 12 * i
        tag, typ, n = u(pos, 2), u(pos + 2, 2), u(pos + 4, 4)
        if tag in tags:
            raise ParseError(f"TIFF tag {tag} repeated")
        if n == 1 and typ == 3:  # SHORT, stored in the first 2 bytes of the value field
            tags[tag] = u(pos + 8, 2)
        elif n == 1 and typ == 4:  # LONG
            tags[tag] = u(pos + 8, 4)
    width, height = tags.get(256, 0), tags.get(257, 0)
    compression = tags.get(259, 1)
    if compression not in TIFF_COMPRESSIONS:
        raise ParseError(f"TIFF compression {compression} is not a bilevel CCITT/none compression")
    if tags.get(258, 1) != 1 or tags.get(277, 1) != 1:
        raise ParseError("TIFF image is not bilevel (1 bit per sample, 1 sample per pixel)")
    return ImageInfo("tiff", width, height, 1)
