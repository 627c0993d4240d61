"""外字 (characters outside JIS X 0208) as the licence stores them, rendered to PNG.

DF1/EF03 holds 外字1–2 (tags 48, 49: codes FFF1, FFF2 in EF01/EF02 text); DF1/EF05 holds 外字3–7 (tags
A1–A5: codes FFF3–FFF7 in 追記 text) after tag A0 (追記の有無).

**Inference, not specification**: each value is taken as 1 byte 文字構成 (50so names it ドット数, "dot
count") followed by a square 1-bit-per-pixel bitmap, most significant bit first, 1 = ink: 128 bytes = 32×32
dots. This is what the file sizes imply (EF03 264 = 2 × (1 + 2 + 129), EF05 663 = 3 + 5 × 132); one source
(civ) claims MMR compression instead, unverified. A value whose bitmap is not a whole square of 8-dot rows
is kept raw and not rendered.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from taimen.license.elements import Element, element, parse_records, unknown_element

if TYPE_CHECKING:  # Pillow is imported only when a licence carries 外字
    from PIL import Image

#: Largest bitmap rendered: 64×64 dots (512 bytes). Anything larger is kept raw.
MAX_BITMAP_BYTES = 512
SCALE = 2  # PNG pixels per dot, so a 32×32 glyph is readable inline at 64×64

EF03_TAGS = {0x48: 1, 0x49: 2}
EF05_TAGS = {0xA1: 3, 0xA2: 4, 0xA3: 5, 0xA4: 6, 0xA5: 7}


@dataclass(frozen=True, slots=True)
class Gaiji:
    index: int  # 1–7 (code FFF0 + index)
    tag: int
    file: str
    raw: bytes
    structure: int | None  # the leading 文字構成 byte
    side: int | None  # dots per side when the bitmap is square
    png: bytes | None  # rendered glyph, None when the layout is not recognised
    problem: str = ""

    @property
    def code(self) -> int:
        return 0xFFF0 + self.index

    def to_json(self) -> dict[str, object]:
        return {
            "index": self.index,
            "code": f"{self.code:04X}",
            "tag": f"{self.tag:02X}",
            "file": self.file,
            "structure_byte": f"{self.structure:02X}" if self.structure is not None else None,
            "dots": f"{self.side}x{self.side}" if self.side else None,
            "image": f"gaiji{self.index}" if self.png else None,
            "layout": "1 byte + square 1-bpp bitmap (inferred from file sizes, unverified)",
            "problem": self.problem,
            "raw": self.raw.hex().upper(),
        }


def render_bitmap(bitmap: bytes) -> tuple[int, bytes] | None:
    """(side, PNG) for a square 1-bpp bitmap, or None when the size does not form a square of whole bytes."""
    n = len(bitmap)
    if n == 0 or n > MAX_BITMAP_BYTES:
        return None
    side = math.isqrt(n * 8)
    if side * side != n * 8 or side % 8:
        return None
    from PIL import Image

    img = Image.frombytes("1", (side, side), bitmap)  # PIL "1": bit set = white, so invert below
    grey = img.convert("L").point(lambda v: 255 - v)
    if SCALE != 1:
        grey = grey.resize((side * SCALE, side * SCALE), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    grey.save(buf, "PNG")
    return side, buf.getvalue()


def parse_gaiji_value(index: int, tag: int, value: bytes, file: str) -> Gaiji:
    if not value:
        return Gaiji(index, tag, file, value, None, None, None, "empty")
    rendered = render_bitmap(value[1:])
    if rendered is None:
        return Gaiji(index, tag, file, value, value[0], None, None, "bitmap layout not recognised")
    side, png = rendered
    return Gaiji(index, tag, file, value, value[0], side, png)


def _is_blank(value: bytes) -> bool:
    return not value or all(b == 0xFF for b in value)


def parse_ef03(data: bytes) -> tuple[list[Gaiji], list[Element]]:
    """外字1–2. Returns the glyphs and every element (for the JSON listing)."""
    glyphs, elements = [], []
    for tag, t in parse_records(data).items():
        if tag in EF03_TAGS:
            idx = EF03_TAGS[tag]
            el = element(tag, t.value, "raw", f"外字{idx}", f"外字 {idx} (code {0xFFF0 + idx:04X})", "DF1/EF03")
            elements.append(el)
            if not _is_blank(t.value):
                glyphs.append(parse_gaiji_value(idx, tag, t.value, "DF1/EF03"))
        else:
            elements.append(unknown_element(t, "DF1/EF03"))
    return glyphs, elements


def parse_ef05(data: bytes) -> tuple[list[Gaiji], list[Element]]:
    """外字3–7 used by 追記, after A0 追記の有無."""
    glyphs, elements = [], []
    for tag, t in parse_records(data).items():
        if tag == 0xA0:
            elements.append(element(tag, t.value, "binary", "追記の有無（外字）", "changes present (外字)", "DF1/EF05"))
        elif tag in EF05_TAGS:
            idx = EF05_TAGS[tag]
            el = element(tag, t.value, "raw", f"外字{idx}", f"外字 {idx} (code {0xFFF0 + idx:04X})", "DF1/EF05")
            elements.append(el)
            if not _is_blank(t.value):
                glyphs.append(parse_gaiji_value(idx, tag, t.value, "DF1/EF05"))
        else:
            elements.append(unknown_element(t, "DF1/EF05"))
    return glyphs, elements


def encode_bitmap(png_or_image: Image.Image) -> bytes:
    """1 byte 文字構成 (the side in dots) + 1-bpp bitmap, for the emulator's sample cards."""
    img = png_or_image.convert("L")
    side = img.width
    if img.height != side or side % 8:
        raise ValueError("a square glyph with a side divisible by 8 is needed")
    bits = img.point(lambda v: 255 if v < 128 else 0).convert("1")  # ink → bit 1
    return bytes((side,)) + bits.tobytes()
