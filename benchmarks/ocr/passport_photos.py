"""An independent generator of passport data-page photos for the MRZ benchmark.

Its own page layout, drawn from the ICAO 9303-4 description of a TD3 data page (125 × 88 mm; the visual
inspection zone with the portrait on the left and the printed fields on the right; the machine-readable zone
at the bottom: two lines of 44 characters at 2.54 mm pitch), its own MRZ and check-digit code (nothing is
imported from taimen), its own people, and the camera of ``photos.py`` (background, clutter, pinhole
perspective up to 35°, rotation ±15°, shadow, uneven light, low contrast, focus and motion blur, noise,
JPEG 35-90) with glare spots aimed across the MRZ. Half of the photos show the open booklet (the facing
page above the data page).

Fonts (Debian): OCR-B (``fonts-ocr-b``: regular and the "sharp" cut) and DejaVu Sans Mono as a stand-in for
a printer without OCR-B. Two splits with different seeds AND different pools of names and number formats:
``tune`` (develop on it) and ``heldout`` (report it; never tune on it). Photos are cached under /tmp.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import cv2
import numpy as np
import photos  # the card benchmark's camera (background, clutter, shot parameters)
from PIL import Image, ImageDraw, ImageFont

VERSION = 1
PAGE_W, PAGE_H = 125.0, 88.0
PPM = 16.0
CACHE = Path("/tmp/taimen-passport-photos")
SPLITS = {"tune": 5501, "heldout": 88231}
FONT_FILES = (
    ("/usr/share/fonts/opentype/ocr-b/OCRB.otf", "OCR-B"),
    ("/usr/share/fonts/opentype/ocr-b/OCRBS.otf", "OCR-B-sharp"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "DejaVuSansMono"),
)
VIZ_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)

_POOLS = {
    "tune": {
        "family": "YAMADA SATO SUZUKI TAKAHASHI TANAKA WATANABE ITO NAKAMURA KOBAYASHI KATO YOSHIDA SASAKI "
        "MATSUMOTO INOUE KIMURA HAYASHI SHIMIZU YAMAZAKI MORI ABE IKEDA HASHIMOTO ISHIKAWA OGAWA",
        "given": "HANAKO TARO SHOTA HARUKA YUKI KENTA AYA REN MIHO DAIKI YUTO SAORI NAOTO MAI KAZUYA MASAKI",
        "states": ("JPN", "JPN", "JPN", "JPN", "USA", "GBR", "D<<", "KOR"),
        "prefixes": "TS TR TK TH MZ MU",
    },
    "heldout": {
        "family": "KANNO KUWABARA NOMURA HIGUCHI SEKI CHIBA IWATA HATTORI OTSUKA MATSUI NOGUCHI KIKUCHI "
        "KUBO SANO KINOSHITA MATSUO ASANO SUGIMOTO ONISHI ICHIKAWA ARAKI HIGASHI ARAI KAWAGUCHI",
        "given": "YAMATO MINATO ITSUKI YUMA TSUMUGI HIMARI RIN AOI SAKURA RIKO KAEDE YUKA TOMOMI ASUKA WATARU",
        "states": ("JPN", "JPN", "JPN", "JPN", "VNM", "PHL", "FRA", "CAN"),
        "prefixes": "TZ TT MA MB TG RE",
    },
}
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def check_digit(s: str) -> str:
    """ICAO 9303-3 check digit (written independently of taimen.passport.mrz)."""
    total = 0
    for i, c in enumerate(s):
        v = int(c) if c.isdigit() else 0 if c == "<" else ord(c) - ord("A") + 10
        total += v * (7, 3, 1)[i % 3]
    return str(total % 10)


def mrz_lines(state: str, surname: str, given: str, number: str, nat: str, birth: str, sex: str, expiry: str,
              optional: str, empty_cd: str = "0") -> tuple[str, str]:
    l1 = ("P<" + state + surname.replace(" ", "<") + "<<" + given.replace(" ", "<")).ljust(44, "<")[:44]
    num = number.ljust(9, "<")
    opt = optional.ljust(14, "<")
    opt_cd = check_digit(opt) if optional else empty_cd  # 9303-4: an empty field may have "<" instead of 0
    body = num + check_digit(num) + nat + birth + check_digit(birth) + sex + expiry + check_digit(expiry) + opt + opt_cd
    key = num + check_digit(num) + birth + check_digit(birth) + expiry + check_digit(expiry)
    comp = check_digit(key + opt + opt_cd)
    return l1, body + comp


def _person(rng: random.Random, split: str) -> dict:
    pool = _POOLS[split]
    state = rng.choice(pool["states"])
    if state == "JPN":
        number = rng.choice(pool["prefixes"].split()) + f"{rng.randrange(10**7):07d}"
        optional = ""
    else:  # other states: other number forms, sometimes a personal number in the optional field
        kind = rng.random()
        if kind < 0.4:
            number = "".join(rng.choice("0123456789") for _ in range(9))
        elif kind < 0.7:
            number = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(9))
        else:
            number = "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 8)))  # padded with <
        optional = "".join(rng.choice("0123456789") for _ in range(rng.randint(8, 14))) if rng.random() < 0.5 else ""
    birth = date(1930, 1, 1) + timedelta(days=rng.randrange(365 * 78))
    issue = date(2016, 1, 1) + timedelta(days=rng.randrange(365 * 10))
    years = rng.choice((5, 10))
    try:
        expiry = issue.replace(year=issue.year + years)
    except ValueError:
        expiry = issue.replace(year=issue.year + years, day=28)
    given = rng.choice(pool["given"].split())
    if rng.random() < 0.2:
        given += " " + rng.choice(pool["given"].split())
    return {
        "state": state,
        "nat": state,
        "surname": rng.choice(pool["family"].split()),
        "given": given,
        "number": number,
        "birth": birth,
        "issue": issue,
        "expiry": expiry,
        "sex": rng.choice("MF"),
        "optional": optional,
    }


def _dmy(d: date) -> str:
    return f"{d.day:02d} {MONTHS[d.month - 1]} {d.year}"


def draw_page(
    p: dict, rng: random.Random, font: str
) -> tuple[Image.Image, tuple[str, str], tuple[float, float, float, float]]:
    """The data page at PPM px/mm, the MRZ, and the portrait's box (mm)."""
    w, h = round(PAGE_W * PPM), round(PAGE_H * PPM)
    tint = (rng.randint(215, 245), rng.randint(215, 240), rng.randint(200, 235))
    img = Image.new("RGB", (w, h), tint)
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(6, 16)):  # guilloche over the VIZ (the MRZ zone is kept clear, as 9303 asks)
        amp, per, ph = rng.uniform(2, 8) * PPM, rng.uniform(15, 50) * PPM, rng.uniform(0, 6.3)
        y0 = rng.uniform(0, (PAGE_H - 25) * PPM)
        col = tuple(max(0, c - rng.randint(15, 50)) for c in tint)
        d.line([(x, y0 + amp * math.sin(x / per * 6.28 + ph)) for x in range(0, w + 8, 8)], fill=col, width=2)
    viz = rng.choice(VIZ_FONTS)
    small = ImageFont.truetype(viz, round(1.6 * PPM))
    big = ImageFont.truetype(viz, round(2.6 * PPM))
    ink = (rng.randint(10, 50),) * 3
    label = (rng.randint(60, 110), rng.randint(60, 110), rng.randint(90, 140))
    d.text((6 * PPM, 3 * PPM), "PASSPORT" if p["state"] != "JPN" else "旅券 PASSPORT" if "CJK" in viz else "PASSPORT",
           font=big, fill=label)
    # portrait (zone V): left, about 32 × 40 mm
    px, py, pw, ph = rng.uniform(4, 7), rng.uniform(14, 18), 32.0, 40.0
    pimg = Image.new("RGB", (round(pw * PPM), round(ph * PPM)), tuple(rng.randint(170, 235) for _ in range(3)))
    pd = ImageDraw.Draw(pimg)
    cx, cy = pw * PPM / 2, ph * PPM * 0.42
    skin = (rng.randint(180, 235), rng.randint(140, 200), rng.randint(110, 170))
    pd.ellipse([cx - pw * 0.48 * PPM, ph * 0.72 * PPM, cx + pw * 0.48 * PPM, ph * 1.3 * PPM],
               fill=tuple(rng.randint(20, 120) for _ in range(3)))
    hair = tuple(rng.randint(10, 90) for _ in range(3))
    pd.ellipse([cx - 9.5 * PPM, cy - 11 * PPM, cx + 9.5 * PPM, cy + 5 * PPM], fill=hair)
    pd.ellipse([cx - 8.5 * PPM, cy - 9.5 * PPM, cx + 8.5 * PPM, cy + 9.5 * PPM], fill=skin)
    img.paste(pimg, (round(px * PPM), round(py * PPM)))
    # VIZ fields (zone II-IV): label above value
    x0 = px + pw + rng.uniform(4, 7)
    rows = [
        (("Type", "P"), ("Issuing country", p["state"].strip("<")), ("Passport No.", p["number"])),
        (("Surname", p["surname"]),),
        (("Given name", p["given"]),),
        (("Nationality", p["nat"].strip("<")), ("Date of birth", _dmy(p["birth"]))),
        (("Sex", p["sex"]), ("Registered Domicile", rng.choice(("TOKYO", "OSAKA", "AICHI", "HOKKAIDO")))),
        (("Date of issue", _dmy(p["issue"])),),
        (("Date of expiry", _dmy(p["expiry"])),),
        (("Authority", "MINISTRY OF FOREIGN AFFAIRS" if p["state"] == "JPN" else "PASSPORT OFFICE"),),
    ]
    y = rng.uniform(10, 13)
    for row in rows:
        x = x0
        for lab, val in row:
            d.text((x * PPM, y * PPM), lab, font=small, fill=label)
            d.text((x * PPM, (y + 2.0) * PPM), val, font=big, fill=ink)
            x += max(22, (big.getlength(val) / PPM) + 6)
        y += rng.uniform(6.0, 6.8)
    # MRZ (zone VII): 44 characters at 2.54 mm, OCR-B size 1 (about 2.4 mm cap height)
    l1, l2 = mrz_lines(p["state"], p["surname"], p["given"], p["number"], p["nat"], p["birth"].strftime("%y%m%d"),
                       p["sex"], p["expiry"].strftime("%y%m%d"), p["optional"],
                       "<" if rng.random() < 0.3 else "0")
    f = ImageFont.truetype(font, round(rng.uniform(3.2, 3.6) * PPM))
    pitch = 2.54 * rng.uniform(0.985, 1.015)
    left = rng.uniform(5.0, 7.5)
    base2 = PAGE_H - rng.uniform(6.0, 8.0)
    gap = rng.uniform(6.0, 7.0)
    mrz_ink = (rng.randint(0, 45),) * 3
    for line, base in ((l1, base2 - gap), (l2, base2)):
        for i, ch in enumerate(line):
            d.text(((left + i * pitch) * PPM, base * PPM), ch, font=f, fill=mrz_ink, anchor="ls")
    return img, (l1, l2), (px, py, pw, ph)


def _facing_page(rng: random.Random) -> Image.Image:
    """The booklet's other page: an observations page with printed text lines and a stamp."""
    w, h = round(PAGE_W * PPM), round(PAGE_H * PPM)
    img = Image.new("RGB", (w, h), (rng.randint(220, 245), rng.randint(215, 240), rng.randint(205, 235)))
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(VIZ_FONTS[0], round(2.0 * PPM))
    for k in range(rng.randint(3, 8)):
        d.text((8 * PPM, (10 + 8 * k) * PPM), rng.choice(("VISA", "OBSERVATIONS", "ENTRY 2025-04-01", "EXIT")),
               font=f, fill=(90, 60, 120))
    cx, cy = rng.uniform(30, 95) * PPM, rng.uniform(20, 65) * PPM
    d.ellipse([cx - 14 * PPM, cy - 14 * PPM, cx + 14 * PPM, cy + 14 * PPM], outline=(160, 40, 40), width=6)
    return img


def _quad(s: photos.Shot, rng: random.Random, aspect: float) -> np.ndarray:
    """As photos._quad, for a page of height/width ``aspect``."""
    w, h = 1.0, aspect
    pts = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    g, t, a = math.radians(s.angle), math.radians(s.tilt), s.tilt_axis
    rz = np.array([[math.cos(g), -math.sin(g), 0], [math.sin(g), math.cos(g), 0], [0, 0, 1]])
    k = np.array([math.cos(a), math.sin(a), 0.0])
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    rt = np.eye(3) + math.sin(t) * kx + (1 - math.cos(t)) * kx @ kx
    cam = pts @ (rt @ rz).T + np.array([0, 0, s.distance])
    q = cam[:, :2] / cam[:, 2:3]
    q -= q.mean(axis=0)
    q *= s.card_px / max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3]))
    fw, fh = s.frame
    lo, hi = q.min(axis=0), q.max(axis=0)
    span = hi - lo
    if span[0] > fw * 0.97 or span[1] > fh * 0.97:
        f = max(span[0] / (fw * 0.97), span[1] / (fh * 0.97))
        s.frame = (int(fw * f) + 2, int(fh * f) + 2)
        fw, fh = s.frame
    ox = rng.uniform(fw * 0.015 - lo[0], fw * 0.985 - hi[0])
    oy = rng.uniform(fh * 0.015 - lo[1], fh * 0.985 - hi[1])
    return (q + np.array([ox, oy])).astype(np.float32)


class _Target:
    """What photos._shot needs to aim glare: the printed values' boxes (mm). Here: the MRZ lines."""

    def __init__(self, boxes: dict[str, list[tuple[float, float, float, float]]]) -> None:
        self.fields = boxes


def photograph(page: Image.Image, rng: random.Random, mrz_top_mm: float) -> tuple[bytes, photos.Shot]:
    w_mm, h_mm = page.width / PPM, page.height / PPM
    target = _Target({"mrz": [(5.0, mrz_top_mm, 112.0, 4.0), (5.0, mrz_top_mm + 6.5, 112.0, 4.0)]})
    s = photos._shot(rng, target)  # type: ignore[arg-type]
    # the page is larger than a card: the same pixels per mm as the card benchmark's range, a little more
    s.card_px = int(s.card_px * rng.uniform(1.1, 1.5))
    quad = _quad(s, rng, h_mm / w_mm)
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    img = photos._background(s, nrng)
    photos._clutter(img, s, nrng, s.card_px * photos.CARD_W / w_mm)
    fw, fh = s.frame
    face = np.asarray(page, np.float32)[:, :, ::-1].copy()
    if s.glare:
        yy, xx = np.mgrid[0 : face.shape[0], 0 : face.shape[1]].astype(np.float32) / PPM
        hl = np.zeros(face.shape[:2], np.float32)
        for gx, gy, gr, st in s.glare:
            hl = np.maximum(hl, st * np.exp(-((xx - gx) ** 2 + ((yy - gy) * 1.4) ** 2) / (gr * gr)))
        face += (255 - face) * hl[..., None]
    hh, ww = face.shape[:2]
    alpha = np.full((hh, ww), 255, np.uint8)
    src = np.array([[0, 0], [ww, 0], [ww, hh], [0, hh]], np.float32)
    scale = s.card_px / ww
    if scale < 0.7:
        face = cv2.resize(face, (int(ww * scale * 1.2), int(hh * scale * 1.2)), interpolation=cv2.INTER_AREA)
        alpha = cv2.resize(alpha, (face.shape[1], face.shape[0]), interpolation=cv2.INTER_AREA)
        src = np.array([[0, 0], [face.shape[1], 0], [face.shape[1], face.shape[0]], [0, face.shape[0]]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad)
    warped = cv2.warpPerspective(face, m, (fw, fh), flags=cv2.INTER_LINEAR)
    a = cv2.warpPerspective(alpha.astype(np.float32) / 255, m, (fw, fh), flags=cv2.INTER_LINEAR)[..., None]
    off = max(2, int(0.01 * s.card_px))
    shadow = cv2.GaussianBlur(np.roll(a[..., 0], (off, off), (0, 1)), (0, 0), 0.015 * s.card_px)[..., None]
    img = img * (1 - 0.4 * shadow)
    img = img * (1 - a) + warped * a
    if s.finger >= 0:  # a thumb holding the booklet open, over a corner
        mm = s.card_px / w_mm
        c, centre = quad[s.finger], quad.mean(axis=0)
        dvec = (c - centre) / np.linalg.norm(c - centre)
        tip = c - dvec * s.finger_mm * mm
        axis = tip + dvec * 30 * mm
        skin = [rng.uniform(120, 170), rng.uniform(150, 190), rng.uniform(190, 235)]
        ang = math.degrees(math.atan2(dvec[1], dvec[0]))
        cv2.ellipse(img, (int((tip[0] + axis[0]) / 2), int((tip[1] + axis[1]) / 2)), (int(31 * mm), int(8 * mm)),
                    ang, 0, 360, skin, -1)
    return photos.finish(img, s, rng, nrng), s


def fonts() -> list[tuple[str, str]]:
    out = [f for f in FONT_FILES if Path(f[0]).is_file()]
    if len(out) < 2 or not Path(FONT_FILES[0][0]).is_file():
        raise SystemExit("the passport benchmark needs OCR-B: apt-get install fonts-ocr-b fonts-dejavu-core")
    return out


def make(split: str, i: int) -> tuple[bytes, dict]:
    rng = random.Random(SPLITS[split] * 1_000_003 + i)
    p = _person(rng, split)
    path, fname = rng.choices(fonts(), weights=(5, 3, 2)[: len(fonts())])[0]
    page, (l1, l2), _ = draw_page(p, rng, path)
    mrz_top = PAGE_H - 22.0
    booklet = rng.random() < 0.5
    if booklet:  # the open booklet: the facing page above the data page
        both = Image.new("RGB", (page.width, page.height * 2 + 4), (120, 30, 40))
        both.paste(_facing_page(rng), (0, 0))
        both.paste(page, (0, page.height + 4))
        page = both
        mrz_top += PAGE_H + 4 / PPM
    jpeg, shot = photograph(page, rng, mrz_top)
    return jpeg, {
        "id": f"{split}-{i:04d}",
        "truth": {
            "line1": l1,
            "line2": l2,
            "document_number": p["number"],
            "birth": p["birth"].strftime("%y%m%d"),
            "expiry": p["expiry"].strftime("%y%m%d"),
        },
        "bucket": shot.bucket(),
        "difficulty": shot.difficulty(),
        "meta": {"font": fname, "booklet": booklet, "state": p["state"]},
        "shot": asdict(shot),
    }


def generate(split: str, n: int, cache: Path = CACHE) -> list[tuple[Path, dict]]:
    out = cache / f"{split}-v{VERSION}"
    out.mkdir(parents=True, exist_ok=True)
    res = []
    for i in range(n):
        jpg, meta_path = out / f"{i:04d}.jpg", out / f"{i:04d}.json"
        if not (jpg.is_file() and meta_path.is_file()):
            data, meta = make(split, i)
            jpg.write_bytes(data)
            meta_path.write_text(json.dumps(meta))
        res.append((jpg, json.loads(meta_path.read_text())))
    return res


if __name__ == "__main__":  # python3 benchmarks/ocr/passport_photos.py tune 8 /tmp/look
    import sys

    split, n = sys.argv[1], int(sys.argv[2])
    dest = Path(sys.argv[3]) if len(sys.argv) > 3 else CACHE
    for path, meta in generate(split, n, dest):
        print(path, meta["bucket"], ",".join(meta["difficulty"]), meta["meta"])
