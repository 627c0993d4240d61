"""The data page of a sample passport (ICAO 9303-4 TD3, 125 × 88 mm), for tests and the demo: the portrait on
the left, the printed fields on the right, and the MRZ (two lines of 44 characters at 2.54 mm pitch) in OCR-B
at the foot. OCR-B comes from Debian's ``fonts-ocr-b``; without it a monospace font stands in."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from taimen.samples.face import portrait
from taimen.samples.passport_cards import PassportPerson, mrz_lines

PAGE_MM = (125.0, 88.0)
OCR_B = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
TEXT = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
#: the portrait's place on the page (mm: x, y, width, height)
PORTRAIT_MM = (5.0, 16.0, 32.0, 40.0)


def _font(path: str, px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for p in (path, MONO):
        if Path(p).is_file():
            return ImageFont.truetype(p, px)
    return ImageFont.load_default()


def _date(yymmdd: str, century: int) -> str:
    return f"{yymmdd[4:]} {MONTHS[int(yymmdd[2:4]) - 1]} {century + int(yymmdd[:2])}"


def render(p: PassportPerson, *, ppm: float = 16.0) -> Image.Image:
    """The data page of ``p``'s passport as an RGBA image."""
    w, h = round(PAGE_MM[0] * ppm), round(PAGE_MM[1] * ppm)
    img = Image.new("RGBA", (w, h), (236, 232, 222, 255))
    d = ImageDraw.Draw(img)
    small, big = _font(TEXT, round(1.6 * ppm)), _font(TEXT, round(2.6 * ppm))
    label, ink = (90, 80, 120), (30, 30, 30)
    d.text((6 * ppm, 4 * ppm), "日本国 旅券  JAPAN PASSPORT", font=big, fill=label)
    x, y, pw, ph = PORTRAIT_MM
    face = portrait(p.face_seed).convert("RGB").resize((round(pw * ppm), round(ph * ppm)), Image.Resampling.LANCZOS)
    img.paste(face, (round(x * ppm), round(y * ppm)))
    birth_century = 2000 if int(p.birth[:2]) <= 30 else 1900
    rows = [
        ("Type / Issuing country / Passport No.", f"P   JPN   {p.number}"),
        ("Surname", p.surname),
        ("Given name", p.given),
        ("Nationality / Date of birth", f"JAPAN   {_date(p.birth, birth_century)}"),
        ("Sex / Registered Domicile", f"{p.sex}   TOKYO"),
        ("Date of issue", f"{p.issued[6:]} {MONTHS[int(p.issued[4:6]) - 1]} {p.issued[:4]}"),
        ("Date of expiry", _date(p.expiry, 2000)),
        ("Authority", "MINISTRY OF FOREIGN AFFAIRS"),
    ]
    ty = 12.0
    for lab, val in rows:
        d.text((42 * ppm, ty * ppm), lab, font=small, fill=label)
        d.text((42 * ppm, (ty + 2.0) * ppm), val, font=big, fill=ink)
        ty += 6.4
    mrz = _font(OCR_B, round(3.4 * ppm))
    for line, base in zip(mrz_lines(p), (PAGE_MM[1] - 13.5, PAGE_MM[1] - 7.0), strict=True):
        for i, ch in enumerate(line):
            d.text(((6.0 + i * 2.54) * ppm, base * ppm), ch, font=mrz, fill=(10, 10, 10), anchor="ls")
    return img
