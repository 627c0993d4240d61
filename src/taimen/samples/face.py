"""Synthetic portraits for sample persons: a drawn face, deterministic per seed (no real photo)."""

from __future__ import annotations

import random

from PIL import Image, ImageDraw, ImageFilter


def portrait(seed: int, size: tuple[int, int] = (240, 320)) -> Image.Image:
    """An RGB head-and-shoulders drawing; different seeds give visibly different faces."""
    rnd = random.Random(seed * 7919 + 17)
    w, h = size
    img = Image.new("RGB", size, (rnd.randint(170, 215), rnd.randint(190, 225), rnd.randint(205, 240)))
    d = ImageDraw.Draw(img)
    skin = (rnd.randint(200, 240), rnd.randint(160, 200), rnd.randint(130, 170))
    hair = rnd.choice([(30, 25, 20), (60, 40, 25), (90, 70, 40), (20, 20, 20), (120, 110, 100)])
    cloth = (rnd.randint(20, 120), rnd.randint(20, 120), rnd.randint(40, 160))
    cx = w // 2
    face_w = int(w * rnd.uniform(0.36, 0.46))
    face_h = int(h * rnd.uniform(0.40, 0.48))
    top = int(h * 0.16)
    # shoulders and neck
    d.ellipse((cx - int(w * 0.48), int(h * 0.78), cx + int(w * 0.48), int(h * 1.25)), fill=cloth)
    d.rectangle((cx - face_w // 5, top + face_h - 10, cx + face_w // 5, int(h * 0.82)), fill=skin)
    # hair behind, face, hair on top
    style = rnd.randint(0, 2)
    if style == 0:
        d.ellipse((cx - face_w // 2 - 14, top - 22, cx + face_w // 2 + 14, top + face_h + 25), fill=hair)
    d.ellipse((cx - face_w // 2, top, cx + face_w // 2, top + face_h), fill=skin)
    d.chord((cx - face_w // 2 - 6, top - 18, cx + face_w // 2 + 6, top + int(face_h * 0.55)), 180, 360, fill=hair)
    if style == 2:
        d.rectangle((cx - face_w // 2 - 6, top + face_h // 5, cx - face_w // 2 + 8, top + face_h // 2), fill=hair)
        d.rectangle((cx + face_w // 2 - 8, top + face_h // 5, cx + face_w // 2 + 6, top + face_h // 2), fill=hair)
    # eyes, brows, nose, mouth
    ey = top + int(face_h * rnd.uniform(0.44, 0.52))
    ex = int(face_w * rnd.uniform(0.18, 0.24))
    er = rnd.randint(4, 7)
    for sx in (-1, 1):
        x = cx + sx * ex
        d.ellipse((x - er * 2, ey - er, x + er * 2, ey + er), fill=(250, 250, 250))
        d.ellipse((x - er, ey - er, x + er, ey + er), fill=(40, 30, 25))
        by = ey - er - rnd.randint(6, 12)
        d.line((x - er * 2, by + sx * rnd.randint(-3, 3), x + er * 2, by), fill=hair, width=rnd.randint(2, 5))
    ny = ey + int(face_h * rnd.uniform(0.14, 0.2))
    d.line((cx, ey + 6, cx - 4, ny, cx + 3, ny), fill=(150, 100, 80), width=2)
    my = ny + int(face_h * rnd.uniform(0.1, 0.16))
    mw = int(face_w * rnd.uniform(0.14, 0.24))
    d.arc((cx - mw, my - 8, cx + mw, my + 8), 10, 170, fill=(150, 50, 50), width=3)
    if rnd.random() < 0.35:  # glasses
        for sx in (-1, 1):
            x = cx + sx * ex
            d.ellipse((x - er * 3, ey - er * 2, x + er * 3, ey + er * 2), outline=(30, 30, 30), width=2)
        d.line((cx - ex + er * 3, ey, cx + ex - er * 3, ey), fill=(30, 30, 30), width=2)
    return img.filter(ImageFilter.SMOOTH)
