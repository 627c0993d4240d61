"""Card images: detection by magic, header-only sizing, limits before decoding, hostile headers, fuzz."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zlib

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from PIL import Image

from taimen.core import images
from taimen.core.images import ImageLimits, decode, detect, probe, to_png
from taimen.errors import ParseError


def picture(size: tuple[int, int] = (40, 30), mode: str = "RGB") -> Image.Image:
    """A deterministic gradient, so lossless round trips can be compared pixel for pixel."""
    w, h = size
    grey = bytes((x * 7 + y * 3) % 256 for y in range(h) for x in range(w))
    return Image.frombytes("L", size, grey).convert(mode)


def encoded(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    im = picture(size, mode)
    if fmt == "png":
        im.save(out, "PNG")
    elif fmt == "jp2":
        im.save(out, "JPEG2000")
    elif fmt == "j2k":
        im.save(out, "JPEG2000", no_jp2=True)
    else:
        im.save(out, "JPEG", quality=90)
    return out.getvalue()


FORMATS = ["png", "jp2", "j2k", "jpeg"]


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header(width: int, height: int, depth: int = 8, colour: int = 2, extra: bytes = b"") -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return images.PNG_MAGIC + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def patch(data: bytes, at: int, value: bytes) -> bytes:
    return data[:at] + value + data[at + len(value) :]


def siz_at(data: bytes) -> int:
    return data.index(images.J2K_MAGIC) + 4  # the SIZ marker segment's Lsiz


# --- detection and probing ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("size", "mode"), [((40, 30), "RGB"), ((1, 1), "L"), ((17, 300), "RGB")])
def test_valid_images_probe_and_decode(fmt: str, size: tuple[int, int], mode: str) -> None:
    data = encoded(fmt, size, mode)
    assert detect(data) == fmt
    info = probe(data)
    assert (info.format, info.width, info.height) == (fmt, *size)
    assert info.components == len(mode)
    assert info.mime == {"png": "image/png", "jp2": "image/jp2", "j2k": "image/j2c", "jpeg": "image/jpeg"}[fmt]
    im = decode(data)
    assert im.size == size


@pytest.mark.parametrize("fmt", ["png", "jp2", "j2k"])
def test_lossless_formats_decode_to_the_same_pixels(fmt: str) -> None:
    original = picture((23, 19))
    im = decode(encoded(fmt, (23, 19)))
    assert im.convert("RGB").tobytes() == original.tobytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_to_png_for_display(fmt: str) -> None:
    png = to_png(encoded(fmt, (33, 21)))
    assert png.startswith(images.PNG_MAGIC)
    back = decode(png)
    assert back.size == (33, 21)
    if fmt != "jpeg":
        assert back.convert("RGB").tobytes() == picture((33, 21)).tobytes()


def test_to_png_converts_unusual_modes() -> None:
    im = Image.new("I;16", (5, 4))
    assert decode(to_png(im)).size == (5, 4)
    assert to_png(Image.new("CMYK", (3, 3))).startswith(images.PNG_MAGIC)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a" + bytes(20),
        b"BM" + bytes(40),
        b"\x00\x00\x00\x0cjP  \r\n",
        b"\xff\x4f\xff",
        b"\xff\xd8",
        b"hello",
    ],
)
def test_wrong_magic(data: bytes) -> None:
    with pytest.raises(ParseError, match="not a PNG, JPEG 2000 or JPEG"):
        detect(data)
    with pytest.raises(ParseError):
        decode(data)


# --- hostile headers: refused before decoding -----------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "message"),
    [
        (100_000, 10, "exceeds"),
        (10, 100_000, "exceeds"),
        (2000, 2000, "exceeds"),  # each side allowed, the pixel count not
        (0x7FFFFFFF, 0x7FFFFFFF, "exceeds"),
        (0, 10, "no pixels"),
        (10, 0, "no pixels"),
    ],
)
def test_png_dimensions_checked_from_ihdr(width: int, height: int, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        probe(png_header(width, height))


def test_png_bad_depth_and_colour() -> None:
    with pytest.raises(ParseError, match="bit depth 7"):
        probe(png_header(10, 10, depth=7))
    with pytest.raises(ParseError, match="colour type 5"):
        probe(png_header(10, 10, colour=5))


def test_png_ihdr_must_come_first() -> None:
    data = images.PNG_MAGIC + chunk(b"tEXt", b"a\x00b") + png_header(10, 10)[8:]
    with pytest.raises(ParseError, match="IHDR"):
        probe(data)


def test_png_compressed_text_refused() -> None:
    bomb = zlib.compress(b"\x00" * 1_000_000, 9)  # ~1 KB that inflates to 1 MB inside Pillow
    with pytest.raises(ParseError, match="compressed text"):
        probe(png_header(10, 10, extra=chunk(b"zTXt", b"k\x00\x00" + bomb)))
    with pytest.raises(ParseError, match="compressed text"):
        probe(png_header(10, 10, extra=chunk(b"iTXt", b"k\x00\x01\x00\x00\x00" + bomb)))
    ok = png_header(10, 10, extra=chunk(b"iTXt", b"k\x00\x00\x00\x00\x00plain") + chunk(b"tEXt", b"k\x00v"))
    assert probe(ok).width == 10


def test_png_chunk_running_past_the_end() -> None:
    data = png_header(10, 10)
    with pytest.raises(ParseError, match="past the end"):
        probe(data[:-5])


def test_jp2_ihdr_and_codestream_must_agree() -> None:
    data = encoded("jp2")
    at = data.index(b"ihdr") + 4
    lying = patch(data, at, struct.pack(">II", 30000, 40000))  # ihdr huge, codestream 40×30
    with pytest.raises(ParseError, match="ihdr says 40000×30000"):
        probe(lying)
    p = siz_at(data)
    lying = patch(data, p + 4, struct.pack(">II", 40000, 30000))  # codestream huge, ihdr 40×30
    with pytest.raises(ParseError):
        probe(lying)


def test_jp2_consistent_but_huge() -> None:
    data = encoded("jp2")
    data = patch(data, data.index(b"ihdr") + 4, struct.pack(">II", 3000, 3000))
    p = siz_at(data)
    data = patch(data, p + 4, struct.pack(">II", 3000, 3000))
    data = patch(data, p + 20, struct.pack(">II", 3000, 3000))  # one tile
    with pytest.raises(ParseError, match="3000×3000 exceeds"):
        probe(data)


@pytest.mark.parametrize("fmt", ["j2k", "jp2"])
def test_j2k_siz_hostile_fields(fmt: str) -> None:
    data = encoded(fmt)
    p = siz_at(data)
    huge = patch(data, p + 4, struct.pack(">II", 70000, 70000) + bytes(8) + struct.pack(">II", 70000, 70000))
    # Raw codestream: over the limits. JP2: also disagrees with its 40×30 ihdr box. Refused either way.
    with pytest.raises(ParseError, match="exceeds" if fmt == "j2k" else "ihdr says 40×30, its codestream 70000×70000"):
        probe(huge)
    with pytest.raises(ParseError, match="geometry"):
        probe(patch(data, p + 20, struct.pack(">II", 0, 0)))  # zero-sized tiles
    with pytest.raises(ParseError, match="geometry"):
        probe(patch(data, p + 12, struct.pack(">II", 40, 0)))  # XOsiz == Xsiz: no pixels
    with pytest.raises(ParseError, match="SIZ length"):
        probe(patch(data, p + 36, struct.pack(">H", 16384)))  # 16 384 components, Lsiz unchanged
    with pytest.raises(ParseError, match="precision"):
        probe(patch(data, p + 38, b"\x1f"))  # 32-bit samples


def test_j2k_component_count_over_the_limit() -> None:
    data = encoded("j2k", (8, 8), "RGBA")
    with pytest.raises(ParseError, match="components"):
        probe(data, ImageLimits(max_components=3))


def test_j2k_tile_limit_is_what_counts() -> None:
    data = encoded("j2k", (40, 30))
    p = siz_at(data)
    tiny_tiles = patch(data, p + 20, struct.pack(">II", 1, 1))  # 1 200 tiles
    assert probe(tiny_tiles, ImageLimits(max_tiles=1200)).width == 40
    with pytest.raises(ParseError, match="1200 tiles"):
        probe(tiny_tiles, ImageLimits(max_tiles=1199))


def test_jpeg_sof_hostile_dimensions() -> None:
    data = encoded("jpeg")
    sof = data.index(b"\xff\xc0") + 2
    with pytest.raises(ParseError, match="exceeds"):
        probe(patch(data, sof + 3, struct.pack(">HH", 65535, 65535)))
    with pytest.raises(ParseError, match="no pixels"):
        probe(patch(data, sof + 3, struct.pack(">HH", 0, 40)))  # DNL-style height 0
    with pytest.raises(ParseError, match="length"):
        probe(patch(data, sof, struct.pack(">H", 9)))


def test_jpeg_without_a_frame_header() -> None:
    with pytest.raises(ParseError, match="SOFn"):
        probe(b"\xff\xd8\xff\xda\x00\x02")
    with pytest.raises(ParseError, match="segment length"):
        probe(b"\xff\xd8\xff\xe0\xff\xff" + bytes(10))


@pytest.mark.parametrize("fmt", FORMATS)
def test_truncated_images(fmt: str) -> None:
    data = encoded(fmt, (64, 48))
    for cut in (3, 9, 16, 24, 40, 60, len(data) // 2, len(data) - 3):
        with pytest.raises(ParseError):
            decode(data[:cut])


def test_limits_are_parameters() -> None:
    data = encoded("png", (40, 30))
    assert probe(data, ImageLimits(max_width=40, max_height=30, max_pixels=1200)).width == 40
    for lim in (ImageLimits(max_width=39), ImageLimits(max_height=29), ImageLimits(max_pixels=1199)):
        with pytest.raises(ParseError, match="exceeds"):
            probe(data, lim)
    with pytest.raises(ParseError, match="bytes exceeds"):
        probe(data, ImageLimits(max_bytes=len(data) - 1))
    with pytest.raises(ParseError, match="components"):
        probe(encoded("png", (4, 4), "RGBA"), ImageLimits(max_components=3))


def test_refused_header_costs_no_pixel_memory() -> None:
    data = png_header(1999, 1000)  # 2 Mpx: just over the default limit; decoding would allocate ~6 MB
    tracemalloc.start()
    try:
        with pytest.raises(ParseError):
            decode(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 256 * 1024


# --- fuzz -----------------------------------------------------------------------------------------------

_SAMPLES = [encoded(f, (12, 9), m) for f in FORMATS for m in ("RGB", "L")]


@st.composite
def _mutated_image(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(_SAMPLES)))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["flip", "flip", "cut", "insert", "word"]))
        # mostly the header region, where the sizes live
        i = draw(st.one_of(st.integers(min(4, len(data) - 1), min(120, len(data) - 1)), st.integers(0, len(data) - 1)))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i:]
            if not data:
                break
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        else:
            data[i : i + 4] = draw(st.sampled_from([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x00\x01\x00\x00"]))
    return bytes(data)


_IMAGE_INPUT = st.one_of(
    _mutated_image(),
    _mutated_image(),
    _mutated_image(),
    st.sampled_from([images.PNG_MAGIC, images.JP2_MAGIC, images.J2K_MAGIC, images.JPEG_MAGIC]).flatmap(
        lambda m: st.binary(max_size=200).map(lambda b: m + b)
    ),
    st.binary(max_size=100),
)


@settings(max_examples=6 * settings().max_examples)
@given(data=_IMAGE_INPUT)
def test_fuzz_decode(data: bytes) -> None:
    limits = ImageLimits(max_pixels=100_000, max_width=1000, max_height=1000)
    try:
        im = decode(data, limits)
    except ParseError as exc:
        event("refused: " + " ".join(str(exc).split()[:3]))
        return
    event("decoded")
    w, h = im.size
    assert 1 <= w <= 1000 and 1 <= h <= 1000 and w * h <= 100_000
    assert to_png(im).startswith(images.PNG_MAGIC)


# --- bilevel TIFF (residence card front, name and address images) ----------------------------------------


def _g4(size: tuple[int, int] = (300, 120)) -> bytes:
    import io as _io

    from PIL import Image as _Image

    buf = _io.BytesIO()
    _Image.new("1", size, 1).save(buf, "TIFF", compression="group4")
    return buf.getvalue()


def test_tiff_g4_is_probed_and_converted() -> None:
    data = _g4()
    info = probe(data)
    assert (info.format, info.width, info.height) == ("tiff", 300, 120)
    assert decode(data + bytes(50)).size == (300, 120)  # fixed-size card fields pad with 00


def test_tiff_with_huge_dimensions_is_refused_before_decoding() -> None:
    data = bytearray(_g4())
    ifd = int.from_bytes(data[4:8], "little")
    for i in range(int.from_bytes(data[ifd : ifd + 2], "little")):
        pos = ifd + 2 + 12 * i
        if int.from_bytes(data[pos : pos + 2], "little") in (256, 257):
            data[pos + 8 : pos + 10] = (60000).to_bytes(2, "little")
    with pytest.raises(ParseError, match="exceeds the limits"):
        probe(bytes(data))


@pytest.mark.parametrize(
    "data",
    [b"II*\x00\xff\xff\x00\x00", b"II*\x00\x08\x00\x00\x00\x00\x00", b"MM\x00*\x00\x00\x00\x08\x00\x01"],
)
def test_truncated_tiff_headers(data: bytes) -> None:
    with pytest.raises(ParseError):
        probe(data)
