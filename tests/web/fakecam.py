"""A fake camera for Chromium: a card-face picture written as a Y4M video (``--use-file-for-fake-video-capture``).

Chromium's fake capture device reads YUV4MPEG2 with 4:2:0 chroma. The picture is a card front of a sample
person held in front of a plain desk, as a counter camera would see it.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from taimen.samples.face import portrait
from taimen.samples.persons import Person

try:  # the OCR helper's renderer of card faces, when it is installed
    from taimen.face import render as _face_render
except ImportError:  # pragma: no cover - depends on what has landed
    _face_render = None


def card_front(p: Person, size: tuple[int, int] = (856, 540)) -> Image.Image:
    """A plain drawing of a My Number Card front for the camera (not the OCR helper's faithful renderer)."""
    from taimen import wareki
    from taimen.samples.text_images import font

    w, h = size
    img = Image.new("RGB", size, (244, 247, 250))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, w - 1, h - 1), radius=28, outline=(120, 140, 170), width=4)
    f_small, f_big = font(24), font(40)
    d.text((40, 40), "氏名", fill=(60, 60, 60), font=f_small)
    d.text((120, 26), p.name, fill=(0, 0, 0), font=f_big)
    d.text((40, 110), "住所", fill=(60, 60, 60), font=f_small)
    d.text((120, 104), p.address[:22], fill=(0, 0, 0), font=f_small)
    d.text((120, 138), p.address[22:44], fill=(0, 0, 0), font=f_small)
    d.text((40, 200), f"{wareki.format_ja(p.birth_date)}生", fill=(0, 0, 0), font=f_small)
    d.text((40, 250), f"{wareki.format_seireki(p.mynumber_expiry)}まで有効", fill=(0, 0, 0), font=f_small)
    d.text((40, 300), f"セキュリティコード {p.security_code}", fill=(0, 0, 0), font=f_small)
    photo = portrait(p.face_seed).resize((210, 280))
    img.paste(photo, (w - 250, 200))
    return img


def scene(card: Image.Image, size: tuple[int, int] = (1920, 1080)) -> Image.Image:
    frame = Image.new("RGB", size, (92, 74, 58))  # a wooden counter
    cw = int(size[0] * 0.7)
    ch = int(cw * card.height / card.width)
    card = card.resize((cw, ch), Image.Resampling.LANCZOS)
    mask = card.getchannel("A") if card.mode == "RGBA" else None
    frame.paste(card.convert("RGB"), ((size[0] - cw) // 2, (size[1] - ch) // 2), mask)
    return frame


def write_y4m(img: Image.Image, path: Path, frames: int = 2, fps: int = 10) -> Path:
    w, h = img.size
    w, h = w - w % 2, h - h % 2
    ycc = img.crop((0, 0, w, h)).convert("YCbCr")
    y, cb, cr = ycc.split()
    half = (w // 2, h // 2)
    planes = (
        y.tobytes() + cb.resize(half, Image.Resampling.BOX).tobytes() + cr.resize(half, Image.Resampling.BOX).tobytes()
    )
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n")
            f.write(planes)
    return path


def camera_file(p: Person, path: Path, document: str = "mynumber") -> Path:
    front = _face_render(p, document) if _face_render is not None else card_front(p)
    return write_y4m(scene(front), path)
