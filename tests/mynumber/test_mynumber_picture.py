"""Image headers are read and bounded before any decoder sees card bytes."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from taimen.errors import ParseError
from taimen.mynumber import picture
from taimen.samples import mynumber_cards as mc


def test_sample_images() -> None:
    jp2 = mc.photo_jp2(3)
    info = picture.inspect(jp2, allowed=(picture.JP2,), max_width=1024, max_height=1024)
    assert (info.mime, info.width, info.height) == ("image/jp2", 120, 160)
    img = picture.decode(jp2, allowed=(picture.JP2,), max_width=1024, max_height=1024)
    assert img.mode == "L" and img.size == (120, 160)
    png = mc.render_fixed("2285", 24, 12)
    assert picture.inspect(png, allowed=(picture.PNG,), max_width=24, max_height=12).width == 24
    assert Image.open(io.BytesIO(png)).mode == "1"


def _png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk


def test_huge_dimensions_are_refused_from_the_header() -> None:
    with pytest.raises(ParseError):
        picture.inspect(_png(100000, 100000), allowed=(picture.PNG,), max_width=2048, max_height=1024)
    with pytest.raises(ParseError):
        picture.decode(_png(100000, 100000), allowed=(picture.PNG,), max_width=2048, max_height=1024)
    with pytest.raises(ParseError):
        picture.inspect(_png(0, 10), allowed=(picture.PNG,), max_width=2048, max_height=1024)


def test_jp2_header_tampering() -> None:
    jp2 = bytearray(mc.photo_jp2(3))
    i = jp2.index(b"ihdr") + 4
    jp2[i : i + 8] = struct.pack(">II", 60000, 60000)
    with pytest.raises(ParseError):
        picture.inspect(bytes(jp2), allowed=(picture.JP2,), max_width=1024, max_height=1024)
    with pytest.raises(ParseError):
        picture.inspect(
            bytes.fromhex("0000000C6A5020200D0A870A") + b"\x00\x00\x00\x05ftyp",
            allowed=(picture.JP2,),
            max_width=9,
            max_height=9,
        )


def test_decoder_must_agree_with_the_header() -> None:
    jp2 = bytearray(mc.photo_jp2(3))
    i = jp2.index(b"ihdr") + 4
    jp2[i : i + 8] = struct.pack(">II", 100, 100)
    with pytest.raises(ParseError):
        picture.decode(bytes(jp2), allowed=(picture.JP2,), max_width=1024, max_height=1024)


def test_unknown_formats() -> None:
    with pytest.raises(ParseError):
        picture.inspect(b"\xff\xd8\xff\xe0 jpeg", allowed=(picture.PNG, picture.JP2), max_width=9, max_height=9)
    with pytest.raises(ParseError):
        picture.inspect(b"GIF89a", allowed=(picture.PNG,), max_width=9, max_height=9)
