"""Text rendered as the card's 1-bit PNG images (氏名, 住所, セキュリティコード) with an IPA font."""

from __future__ import annotations

import glob
import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

_FONT_PATTERNS = (
    "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    "/usr/share/fonts/opentype/ipaexfont*/*.ttf",
    "/usr/share/fonts/truetype/ipa*/*.ttf",
    "/usr/share/fonts/opentype/ipafont*/*.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-mincho.ttf",
)


@cache
def font_path() -> str:
    for pattern in _FONT_PATTERNS:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    raise FileNotFoundError("no Japanese font (install fonts-ipaexfont)")


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(), size)


def _wrap(text: str, f: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if line and f.getlength(line + ch) > max_width:
            lines.append(line)
            line = ch
        else:
            line += ch
    return [*lines, line] if line else lines


def png_1bit(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.convert("1", dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    return out.getvalue()


def render_lines(text: str, *, size: int = 24, max_width: int = 512, line_gap: int = 4) -> bytes:
    """Black text on white, wrapped to ``max_width`` pixels, as a 1-bit PNG."""
    f = font(size)
    lines = _wrap(text, f, max_width) or [" "]
    width = min(max_width, max(int(f.getlength(line)) for line in lines) + 8)
    height = len(lines) * (size + line_gap) + line_gap
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((4, line_gap + i * (size + line_gap)), line, font=f, fill=0)
    return png_1bit(img)


def render_fixed(text: str, width: int, height: int) -> bytes:
    """Text in a small fixed box (the 24×12 security-code image, the 72×12 個人番号 image)."""
    f = font(height)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    scale = min(1.0, (width - 1) / max(1.0, f.getlength(text)))
    if scale < 1.0:
        f = font(max(6, int(height * scale)))
    draw.text((0, 0), text, font=f, fill=0)
    return png_1bit(img)
