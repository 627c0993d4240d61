"""Telling a vendor or old form the recogniser cannot read (髙, 﨑, 栁 …) from the common form it reads instead
(高, 崎, 柳) by the pixels.

The recogniser, trained mostly on Chinese, gives 髙 and 栁 no weight, has no 﨑 or 濵 at all, reads 眞 as 真 and
德 (under the Japanese prior) as 徳, so a name printed with them is flagged ``variant_form`` but never read
right. Each pair differs in one part of the glyph (``Vendor.box``: 髙's ladder where 高 has a box, 﨑's 立 where
崎 has 大), so the character's cell is compared with both forms rendered in the Japanese fonts installed on the
machine: the part both share places the glyph; blurred normalised correlation of the differing part then
decides, best over fonts and a few widths (scale and stroke tolerant). The variant is taken only when a font
fits the cell closely and the variant clearly beats the common form; the name is still flagged doubtful
(``repaired``): it is a proposal the operator confirms. A machine without Japanese fonts decides nothing (the
name stays 高, flagged ``variant_form`` as before).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from taimen.ocr.channels import darkest
from taimen.ocr.engine import span_frames

if TYPE_CHECKING:
    from taimen.ocr import assign as asg
    from taimen.ocr import fields as fp
    from taimen.ocr.recline import RecLine

#: Where two forms differ, as fractions of the glyph's box: rows, then columns.
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Vendor:
    """A vendor form the recogniser cannot output or gives no weight, and how to tell it from the common form."""

    form: str
    #: the part of the glyph that tells the forms apart; when it is a band of top rows, the rows below it
    #: (which both forms share) place the glyph, else the whole glyph does (both forms averaged)
    box: Box
    #: the variant must beat the common form by this much, the two ways ``fits`` measures
    margin: tuple[float, float] = (0.015, 0.03)
    #: a font must fit the box this closely (blurred correlation) before the cell is judged at all: a cell cut
    #: badly (a neighbour's strokes, a lost edge) fits neither form and favours one by chance
    fit: float = 0.85


#: The form read → its vendor or old form, decided from the pixels where the name is doubted ``variant_form``.
#: Measured on rendered lines in every installed font, size 20–40 px, blurred and JPEG-compressed, each design
#: held out, and on photos: no common form turned; a looser fit where that held with room (a wider glyph takes
#: in more of its neighbours). 邉 is read 邊 and 濵 濱 (or 演: left alone). The other forms of
#: ``variants._NAME_GROUPS`` are read as printed or stay merely doubted (𠮷: no photos to measure).
VENDOR = {
    "高": Vendor("髙", (0.0, 0.45, 0.0, 1.0)),
    "崎": Vendor("﨑", (0.0, 0.5, 0.35, 1.0), fit=0.8),  # 奇 and 竒 differ in their top: 大, 立
    "柳": Vendor("栁", (0.0, 1.0, 0.2, 0.72), fit=0.75),  # 卯 and 夘 differ in the middle, top to bottom
    "真": Vendor("眞", (0.0, 1.0, 0.0, 1.0), fit=0.75),  # 十 and 匕 on top, 一 and ㇗ under 目
    "濱": Vendor("濵", (0.2, 1.0, 0.25, 1.0), fit=0.75),  # 賓 and its variant differ under 宀
    "徳": Vendor("德", (0.2, 0.65, 0.3, 1.0), fit=0.8),  # 德 has a stroke over 心
    "邊": Vendor("邉", (0.3, 0.9, 0.25, 1.0), fit=0.8),  # 自 over 方, and between them 穴 or its variant
}
#: Each vendor form → its common form.
COMMON = {v.form: c for c, v in VENDOR.items()}


def has_vendor_form(value: str | None) -> bool:
    """Whether ``value`` holds a character whose vendor form the pixels can decide (高, 邊 …)."""
    return any(ch in VENDOR for ch in value or "")


def _common(ch: str) -> str:
    """The common form of ``ch`` (itself when it is none's vendor form)."""
    return COMMON.get(ch, ch)


#: Japanese fonts looked for (Debian/Ubuntu packages, macOS, Windows); any that exist are used.
FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/takao-mincho/TakaoMincho.ttf",
    "/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf",
    "/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf",
    "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/ipafont-mincho/ipam.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/System/Library/Fonts/ヒラギノ明朝 ProN.ttc",
    "/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc",
    "C:/Windows/Fonts/msmincho.ttc",
    "C:/Windows/Fonts/msgothic.ttc",
    "C:/Windows/Fonts/YuGothR.ttc",
)
_SIZES = tuple((sy, sx) for sy in (0.9, 0.95, 1.0) for sx in (0.85, 1.0, 1.15))


def _render(path: str, ch: str, px: int = 96) -> np.ndarray | None:
    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.truetype(path, px, index=0)
    except OSError:
        return None
    im = Image.new("L", (px * 2, px * 2), 0)
    ImageDraw.Draw(im).text((px // 2, px // 2), ch, font=font, fill=255)
    a = np.asarray(im)
    ys, xs = np.nonzero(a > 127)
    if len(ys) == 0:
        return None
    return a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32) / 255


@functools.cache
def templates(common: str, variant: str, files: tuple[str, ...] = FONT_FILES) -> tuple[tuple[np.ndarray, ...], ...]:
    """Both forms' ink (1 = ink, cropped to the glyph) in every font that draws them differently (a font
    without the variant draws the same missing-glyph box for both), each design once."""
    out = []
    for f in files:
        if not Path(f).is_file():
            continue
        a, b, none = _render(f, common), _render(f, variant), _render(f, "\uffff")
        if a is None or b is None or any(_same(x, y) for x, y in ((a, b), (b, none), (a, none))):
            continue  # a font without one of the forms draws its missing-glyph box
        if any(a.shape == c.shape and b.shape == v.shape and np.array_equal(a, c) for c, v in out):
            continue  # the same design twice (Takao is IPA's): judged once
        out.append((a, b))
    return tuple(out)


def _same(a: np.ndarray, b: np.ndarray | None) -> bool:
    return b is not None and a.shape == b.shape and float(np.abs(a - b).mean()) < 0.01


def _ink(cell: np.ndarray) -> np.ndarray:
    g = cell.astype(np.float32)
    paper, dark = float(np.percentile(g, 90)), float(np.percentile(g, 2))
    return np.clip((paper - g) / max(paper - dark, 1.0), 0, 1)


def _rows(v: np.ndarray) -> tuple[int, int]:
    """The rows of the character: the longest run of rows with ink, joined across short gaps (高 has a blank
    row under its top bar) but not to a neighbour line's strokes further off, nor to a shorter run cut by the
    cell's top or bottom edge (the line above's strokes, 1–2 mm over the name, joined 﨑 and 髙 to them)."""
    on = [*(v.max(axis=1) > 0.5), False]
    runs, start = [], None
    for i, o in enumerate(on):
        if o and start is None:
            start = i
        elif not o and start is not None:
            runs.append((start, i))
            start = None
    if not runs:
        return 0, 0
    tall = max(b - a for a, b in runs)
    runs = [(a, b) for a, b in runs if b - a == tall or (a > 0 and b < len(on) - 1)]
    gap = max(2, tall // 4)
    joined = [runs[0]]
    for a, b in runs[1:]:
        if a - joined[-1][1] <= gap:
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    return max(joined, key=lambda r: r[1] - r[0])


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    d = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum()) / d if d > 0 else 0.0


def fits(
    cell: np.ndarray, fonts: tuple[tuple[np.ndarray, ...], ...], box: Box = VENDOR["高"].box
) -> tuple[tuple[float, float], ...] | None:
    """How closely the part ``box`` of the grey ``cell`` (one character, dark on light) fits the common and the
    variant form, two ways: best over every font and width with the glyph placed by the part both forms share
    (the rows under a top band; else the whole glyph, both forms averaged), and at the one font, size and place
    where the whole glyph fits best. None when the cell is too small to judge."""
    v = _ink(cell)
    y0, y1 = _rows(v)
    if y1 - y0 < 8 or not fonts:
        return None
    sig = max(0.6, (y1 - y0) / 20)
    img = cv2.GaussianBlur(v[max(0, y0 - 2) : y1 + 2], (0, 0), sig)
    band = box[0] == 0 and box[1] < 1
    best = [-1.0, -1.0]
    posed = (-1.0, (-1.0, -1.0))
    for forms in fonts:
        for sy, sx in _SIZES:
            h = round((y1 - y0) * sy)
            ww = max(3, round(forms[0].shape[1] * h / forms[0].shape[0] * sx))
            ts = [cv2.GaussianBlur(cv2.resize(t, (ww, h), interpolation=cv2.INTER_AREA), (0, 0), sig) for t in forms]
            # a border narrower than the glyph: a place wholly on the blank border scores a degenerate 1.0
            pad = cv2.copyMakeBorder(img, 2, 2, ww // 2, ww // 2, cv2.BORDER_CONSTANT, value=0)
            r0, r1, c0, c1 = int(h * box[0]), int(h * box[1]), int(ww * box[2]), int(ww * box[3])
            if r1 - r0 < 3 or c1 - c0 < 3:
                continue
            for whole in (False, True):
                part = slice(r1 if band and not whole else 0, None)
                r = cv2.matchTemplate(pad[part], (ts[0][part] + ts[1][part]) / 2, cv2.TM_CCOEFF_NORMED)
                _, score, _, (x, y) = cv2.minMaxLoc(r)
                seen = pad[y + r0 : y + r1, x + c0 : x + c1]
                if seen.shape != (r1 - r0, c1 - c0):
                    continue
                got = (_ncc(seen, ts[0][r0:r1, c0:c1]), _ncc(seen, ts[1][r0:r1, c0:c1]))
                if whole and score > posed[0]:
                    posed = (score, got)
                elif not whole and sy == 1.0:
                    best = [max(best[0], got[0]), max(best[1], got[1])]
    return (best[0], best[1]), posed[1]


def vendor_form(cell: np.ndarray, ch: str, files: tuple[str, ...] = FONT_FILES) -> str:
    """``ch``, or its vendor form (高 → 髙) when the pixels of ``cell`` clearly show that form."""
    vendor = VENDOR.get(ch)
    if vendor is None:
        return ch
    got = fits(cell, templates(ch, vendor.form, files), vendor.box)
    if got is None or any(max(f) < vendor.fit or f[1] - f[0] < m for f, m in zip(got, vendor.margin, strict=True)):
        return ch
    return vendor.form


def cells(rl: RecLine, start: int, end: int) -> list[tuple[int, np.ndarray]]:
    """The grey cell (all the crop's rows, the character's frames' columns) of each character of
    ``start:end`` that has a vendor form (or is one), with its index in the decoded line."""
    out = []
    for k in range(start, min(end, len(rl.decoded.text))):
        if _common(rl.decoded.text[k]) in VENDOR and (c := _cell(rl, k)) is not None:
            out.append((k, c))
    return out


def _cell(rl: RecLine, k: int) -> np.ndarray | None:
    """The grey cell of the ``k``-th character of the decoded line; None without its frames."""
    dec = rl.decoded
    if rl.probs is None or len(dec.positions) != len(dec.text) or rl.crop.size == 0 or k >= len(dec.text):
        return None
    grey = darkest(rl.crop)
    frames, width = rl.probs.shape[0], grey.shape[1]
    t0, t1 = span_frames(dec, k, k + 1, frames)
    # widened by a quarter of the line's height each side: the frames' halfway cut can clip the glyph
    # (its neighbours' strokes that come in do not fit the templates placed by their bottom part)
    pad = grey.shape[0] // 4
    x0, x1 = int(t0 / frames * width), int(t1 / frames * width)
    return grey[:, max(0, x0 - pad) : max(x0 + 1, x1) + pad]


def _read_again_cells(recs: list[RecLine], spans: list[asg.Span], reading: fp.FieldReading) -> list[np.ndarray]:
    """Where the list of names changed the name (``extra["read"]``: 演田 read, 濱田 proposed), the cells of the
    proposed name's characters that have a vendor form, in order, each at its place in the decoded line; none
    when the reading cannot be placed there."""
    read, value = reading.extra.get("read", "").replace("\u3000", ""), (reading.value or "").replace("\u3000", "")
    at = [(rl, k) for s in spans for rl in [recs[s.line]] for k in range(s.start, min(s.end, len(rl.decoded.text)))]
    at = [(rl, k) for rl, k in at if not rl.decoded.text[k].isspace()]
    start = "".join(rl.decoded.text[k] for rl, k in at).rfind(read)
    if not read or start < 0 or len(value) > len(read):
        return []
    start += len(read) - len(value)  # a label's residue dropped from the name's start
    out = [_cell(*at[start + j]) for j, ch in enumerate(value) if _common(ch) in VENDOR]
    got = [c for c in out if c is not None]
    return got if len(got) == len(out) else []


def name_forms(
    recs: list[RecLine], spans: list[asg.Span], reading: fp.FieldReading, files: tuple[str, ...] = FONT_FILES
) -> fp.FieldReading:
    """The name with each common form (高) its cell clearly shows as the vendor form (髙) replaced, flagged
    ``repaired`` (the reading keeps ``variant_form``): never a silent change. Only when the name's characters
    with vendor forms are, form for form, those of the spans' first decoding (in order), so each has its cell:
    the first decoding may hold the vendor form where the name has the common one (德 read, then 徳 under the
    Japanese prior), and the cell decides. Where the list of names changed a character (演田 read, 濱田
    proposed), the proposed name's characters are placed on the decoded ones instead."""
    value = reading.value
    if not value:
        return reading
    found = [(rl, k, c) for s in spans for rl in [recs[s.line]] for k, c in cells(rl, s.start, s.end)]
    common = [_common(ch) for ch in value]
    wanted = [ch for ch in common if ch in VENDOR]
    if found and [_common(rl.decoded.text[k]) for rl, k, _ in found] == wanted:
        placed = [c for _, _, c in found]
    else:
        placed = _read_again_cells(recs, spans, reading)
    if not placed or len(placed) != len(wanted):
        return reading
    cell = iter(placed)
    out = []
    for ch, c in zip(value, common, strict=True):
        if c in VENDOR:  # a vendor form already in the name stays; only a common form is decided from its cell
            ch = vendor_form(next(cell), ch, files)
        out.append(ch)
    new = "".join(out)
    if new == value:
        return reading
    reasons = tuple(dict.fromkeys((*reading.reasons, "repaired")))
    return replace(reading, value=new, flags=(*reading.flags, "repaired"), reasons=reasons)
