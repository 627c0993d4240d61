"""Shared drawing for card faces: Japanese fonts from Debian packages, the card stock, text fitted into boxes."""

from __future__ import annotations

import math
import random
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from taimen.ocr.layouts import CARD_H_MM, CARD_W_MM, CORNER_RADIUS_MM, Box, Field, Label, Layout

#: Debian packages fonts-ipaexfont-gothic / fonts-ipaexfont-mincho (IPA Font License), then the IPA fonts.
FONT_CANDIDATES: dict[str, tuple[str, ...]] = {
    "gothic": (
        "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
        "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
        "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    ),
    "mincho": (
        "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
        "/usr/share/fonts/opentype/ipafont-mincho/ipam.ttf",
        "/usr/share/fonts/truetype/fonts-japanese-mincho.ttf",
    ),
}


class FontMissing(RuntimeError):
    """No Japanese font is installed (Debian: apt-get install fonts-ipaexfont)."""


@lru_cache(maxsize=4)
def font_path(kind: str) -> str:
    for p in FONT_CANDIDATES[kind]:
        if Path(p).is_file():
            return p
    raise FontMissing(f"no {kind} Japanese font found; install the Debian package fonts-ipaexfont")


@lru_cache(maxsize=256)
def font(kind: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(kind), max(4, size_px))


class Canvas:
    """An RGBA card face at ``ppm`` pixels per millimetre."""

    def __init__(self, layout: Layout, ppm: float, seed: int) -> None:
        self.layout = layout
        self.ppm = ppm
        self.rnd = random.Random(seed)
        self.w = round(CARD_W_MM * ppm)
        self.h = round(CARD_H_MM * ppm)
        self.img = Image.new("RGBA", (self.w, self.h), (*layout.tint, 255))
        self.draw = ImageDraw.Draw(self.img)

    def px(self, mm: float) -> int:
        return round(mm * self.ppm)

    def rect(self, box: Box) -> tuple[int, int, int, int]:
        return (self.px(box.x), self.px(box.y), self.px(box.x + box.w), self.px(box.y + box.h))

    # -- card stock -------------------------------------------------------------------------------------
    def stock(self, accents: tuple[tuple[int, int, int], ...]) -> None:
        """Background: a soft colour gradient and fine guilloche lines, as security print has."""
        base = Image.new("RGBA", (self.w, self.h), (*self.layout.tint, 255))
        grad = Image.linear_gradient("L").rotate(self.rnd.uniform(0, 360), expand=False).resize((self.w, self.h))
        tint2 = Image.new("RGBA", (self.w, self.h), (*accents[0], 255))
        base = Image.composite(tint2, base, grad.point(lambda v: v * 0.25))
        d = ImageDraw.Draw(base)
        for i, col in enumerate(accents):
            amp = self.h * self.rnd.uniform(0.03, 0.08)
            period = self.w / self.rnd.uniform(2.0, 5.0)
            for k in range(0, self.h, max(3, self.px(1.6))):
                phase = i * 1.3 + k / 37.0
                pts = [(x, k + amp * math.sin(2 * math.pi * x / period + phase)) for x in range(0, self.w + 8, 8)]
                d.line(pts, fill=(*col, 255), width=1)
        self.img = Image.blend(self.img, base, 1.0)
        self.draw = ImageDraw.Draw(self.img)

    def band(self, box: Box, colour: tuple[int, int, int], radius_mm: float = 0.8) -> None:
        self.draw.rounded_rectangle(self.rect(box), radius=self.px(radius_mm), fill=(*colour, 255))

    def frame(self, box: Box, colour: tuple[int, int, int], width_mm: float = 0.25) -> None:
        self.draw.rounded_rectangle(
            self.rect(box), radius=self.px(0.8), outline=(*colour, 255), width=max(1, self.px(width_mm))
        )

    # -- text -------------------------------------------------------------------------------------------
    def label(self, lab: Label) -> None:
        f = font(lab.font, self.px(lab.size))
        self.draw.text((self.px(lab.x), self.px(lab.y)), lab.text, font=f, fill=(*lab.colour, 255))

    def text_in(
        self,
        text: str,
        box: Box,
        *,
        kind: str = "mincho",
        colour: tuple[int, int, int] = (20, 20, 20),
        fill: float = 0.78,
        max_width: float = 1.0,
    ) -> None:
        """Print ``text`` vertically centred in ``box``; condense it horizontally when it is too wide."""
        if not text:
            return
        f = font(kind, self.px(box.h * fill))
        left, top, right, bottom = f.getbbox(text)
        tw, th = right - left, bottom - top
        layer = Image.new("L", (tw + 4, th + 4), 0)
        ImageDraw.Draw(layer).text((2 - left, 2 - top), text, font=f, fill=255)
        avail = self.px(box.w) * max_width
        if layer.width > avail:
            layer = layer.resize((max(1, int(avail)), layer.height), Image.Resampling.LANCZOS)
        x = self.px(box.x)
        y = self.px(box.y) + (self.px(box.h) - layer.height) // 2
        ink = Image.new("RGBA", layer.size, (*colour, 255))
        self.img.paste(ink, (x, y), layer)

    def field(self, fld: Field, text: str) -> None:
        self.text_in(text, fld.box, kind=fld.font, colour=fld.colour)

    def field_lines(self, fld: Field, lines: list[str]) -> None:
        for i, line in enumerate(lines[: fld.lines]):
            self.text_in(line, fld.box.line(i, fld.lines), kind=fld.font, colour=fld.colour, fill=0.8)

    # -- photo and finish -------------------------------------------------------------------------------
    def photo(self, portrait: Image.Image, box: Box) -> None:
        w, h = self.px(box.w), self.px(box.h)
        self.img.paste(
            portrait.convert("RGB").resize((w, h), Image.Resampling.LANCZOS), (self.px(box.x), self.px(box.y))
        )

    def ghost(self, portrait: Image.Image, box: Box) -> None:
        """A faint small copy of the portrait (real cards carry a ghost image as a security feature)."""
        w, h = self.px(box.w), self.px(box.h)
        g = portrait.convert("L").resize((w, h), Image.Resampling.LANCZOS).filter(ImageFilter.GaussianBlur(1))
        mask = g.point(lambda v: int((255 - v) * 0.18))
        self.img.paste(Image.new("RGBA", (w, h), (120, 110, 140, 255)), (self.px(box.x), self.px(box.y)), mask)

    def finish(self) -> Image.Image:
        """Round the corners (transparent outside the card)."""
        mask = Image.new("L", (self.w, self.h), 0)
        ImageDraw.Draw(mask).rounded_rectangle(
            (0, 0, self.w - 1, self.h - 1), radius=self.px(CORNER_RADIUS_MM), fill=255
        )
        self.img.putalpha(mask)
        return self.img


_BREAK_AFTER = set("都道府県市区町村郡字目番地号")


def wrap(text: str, lines: int, per_line: int) -> list[str]:
    """Split an address over at most ``lines`` slots: at the full-width space before a building name, then
    after an address unit (市, 町, 丁目, 番地 …) near ``per_line`` characters. A slot that is still too long is
    condensed by the renderer, as real cards do."""
    out: list[str] = []
    for part in (p for p in text.split("\u3000") if p):
        while len(part) > per_line * 1.25:
            lo, hi = int(per_line * 0.6), min(len(part) - 2, int(per_line * 1.2))
            cuts = [i + 1 for i in range(lo, hi) if part[i] in _BREAK_AFTER]
            cut = min(cuts, key=lambda i: abs(i - per_line)) if cuts else per_line
            out.append(part[:cut])
            part = part[cut:]
        out.append(part)
    while len(out) > lines:  # too many slots: merge the two shortest neighbours
        i = min(range(len(out) - 1), key=lambda k: len(out[k]) + len(out[k + 1]))
        out[i : i + 2] = [out[i] + out[i + 1]]
    return out
