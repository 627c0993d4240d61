"""Turn a flat card face into a camera photo: background, perspective, rotation, shadow, uneven light, glare,
blur, sensor noise and JPEG.

Parameters are drawn from a seeded random generator (``random_params``) so a benchmark set is reproducible,
but the reader never sees them: it gets JPEG bytes only. ``Photo.corners`` (where the card's corners landed)
is ground truth for tests of the card locator.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import asdict, dataclass, replace

import cv2
import numpy as np
from PIL import Image

FRAMES = ((1280, 960), (1600, 1200), (1920, 1080), (1440, 1080))
BACKGROUNDS = ("wood", "desk", "mat", "light", "cloth", "paper")


@dataclass(frozen=True, slots=True)
class Glare:
    x: float  # centre, as a fraction of the card's width/height (0..1 over the card)
    y: float
    radius: float  # fraction of the card width
    strength: float  # 0..1: how far the highlight pushes pixels towards white


@dataclass(frozen=True, slots=True)
class PhotoParams:
    frame: tuple[int, int]
    background: str
    background_seed: int
    card_frac: float  # card width / frame width before perspective
    angle: float  # in-plane rotation, degrees
    centre: tuple[float, float]  # card centre as a fraction of the frame
    tilt: tuple[float, float]  # rotation of the card plane about its horizontal and vertical axes, degrees
    focal: float  # camera focal length as a multiple of the frame width (phones: about 0.7-1.3)
    light: float  # strength of the brightness gradient across the frame
    light_angle: float
    cast: tuple[float, float, float]  # white-balance multipliers
    glare: tuple[Glare, ...]
    blur: float  # Gaussian sigma in pixels
    motion: float  # motion-blur length in pixels (0 = none)
    motion_angle: float
    noise: float  # sensor noise sigma (0..255 scale)
    jpeg_quality: int

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Photo:
    jpeg: bytes
    params: PhotoParams
    corners: tuple[tuple[float, float], ...]  # card corners tl, tr, br, bl in photo pixels (ground truth)


def random_params(rng: random.Random) -> PhotoParams:
    """A realistic counter photo: hand-held or stand-mounted camera, ordinary office light."""
    frame = rng.choice(FRAMES)
    card_frac = rng.uniform(0.5, 0.85)
    angle = rng.uniform(-30.0, 30.0)
    tilt = (max(-25.0, min(25.0, rng.gauss(0.0, 9.0))), max(-25.0, min(25.0, rng.gauss(0.0, 9.0))))
    glare = tuple(
        Glare(rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95), rng.uniform(0.08, 0.25), rng.uniform(0.2, 0.6))
        for _ in range(rng.choices((0, 1, 2), weights=(5, 4, 1))[0])
    )
    blur_kind = rng.random()
    blur = rng.uniform(0.0, 0.8) if blur_kind < 0.6 else rng.uniform(0.8, 1.6)
    motion = rng.uniform(2.0, 5.0) if rng.random() < 0.12 else 0.0
    return PhotoParams(
        frame=frame,
        background=rng.choice(BACKGROUNDS),
        background_seed=rng.randrange(1 << 30),
        card_frac=card_frac,
        angle=angle,
        centre=(rng.uniform(0.35, 0.65), rng.uniform(0.38, 0.62)),
        tilt=tilt,
        focal=rng.uniform(0.7, 1.3),
        light=rng.uniform(0.0, 0.45),
        light_angle=rng.uniform(0, 2 * math.pi),
        cast=(rng.uniform(0.9, 1.08), 1.0, rng.uniform(0.88, 1.1)),
        glare=glare,
        blur=blur,
        motion=motion,
        motion_angle=rng.uniform(0, 180),
        noise=rng.uniform(1.0, 7.0),
        jpeg_quality=rng.randint(45, 92),
    )


def _background(style: str, w: int, h: int, seed: int) -> np.ndarray:
    r = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if style == "wood":
        base = np.array([r.uniform(90, 150), r.uniform(60, 100), r.uniform(30, 60)], np.float32)
        grain = np.sin(yy / r.uniform(6, 14) + 3 * np.sin(xx / r.uniform(80, 200))) * 14
        img = base + grain[..., None] * np.array([1.0, 0.8, 0.5], np.float32)
    elif style == "desk":
        img = np.full((h, w, 3), r.uniform(95, 150), np.float32) + r.normal(0, 6, (h, w, 1)).astype(np.float32)
    elif style == "mat":
        base = np.array([r.uniform(20, 70), r.uniform(60, 120), r.uniform(40, 140)], np.float32)
        img = base + r.normal(0, 4, (h, w, 1)).astype(np.float32)
    elif style == "light":  # near-white table: the card edge shows only through its shadow and border
        img = np.full((h, w, 3), r.uniform(200, 228), np.float32) + r.normal(0, 3, (h, w, 1)).astype(np.float32)
    elif style == "cloth":
        base = np.array([r.uniform(30, 90)] * 3, np.float32) * np.array([1.0, r.uniform(0.8, 1.1), 1.2], np.float32)
        weave = (np.sin(xx / 1.7) * np.sin(yy / 1.7)) * 10
        img = base + weave[..., None]
    else:  # paper: a white sheet lying on a grey desk
        img = np.full((h, w, 3), r.uniform(80, 120), np.float32)
        x0, y0 = int(r.uniform(0, w * 0.3)), int(r.uniform(0, h * 0.3))
        img[y0 : y0 + int(h * 0.8), x0 : x0 + int(w * 0.65)] = r.uniform(225, 245)
    for _ in range(r.integers(0, 4)):  # clutter: a pen, a phone, a receipt
        col = r.uniform(0, 255, 3).astype(np.float32)
        cx, cy = r.uniform(0, w), r.uniform(0, h)
        a, b = r.uniform(20, w * 0.15), r.uniform(5, h * 0.12)
        box = cv2.boxPoints(((cx, cy), (a, b), r.uniform(0, 180))).astype(np.int32)
        cv2.fillConvexPoly(img, box, col.tolist())
    return np.clip(img, 0, 255)


def _card_quad(p: PhotoParams, card_w: int, card_h: int) -> np.ndarray:
    """Where the card's corners land: the card plane turned in 3-D (in-plane angle, two tilts) in front of a
    pinhole camera whose principal point is the frame's centre."""
    fw, fh = p.frame
    f = p.focal * fw
    w, h = 1.0, card_h / card_w
    corners = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    g, a, b = (math.radians(x) for x in (p.angle, *p.tilt))
    rz = np.array([[math.cos(g), -math.sin(g), 0], [math.sin(g), math.cos(g), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    pts = corners @ (rx @ ry @ rz).T
    dist = f * w / (p.card_frac * fw)  # card width in the photo is about card_frac of the frame
    for _ in range(40):
        off = np.array([(p.centre[0] - 0.5) * fw * dist / f, (p.centre[1] - 0.5) * fh * dist / f, dist])
        cam = pts + off
        quad = np.stack([f * cam[:, 0] / cam[:, 2] + fw / 2, f * cam[:, 1] / cam[:, 2] + fh / 2], axis=1)
        lo, hi = quad.min(axis=0), quad.max(axis=0)
        if lo[0] >= 0.02 * fw and lo[1] >= 0.02 * fh and hi[0] <= 0.98 * fw and hi[1] <= 0.98 * fh:
            break
        # step back, and towards the centre, until the whole card is in the frame
        dist *= 1.05
        p = replace(p, centre=(0.5 + (p.centre[0] - 0.5) * 0.8, 0.5 + (p.centre[1] - 0.5) * 0.8))
    return quad.astype(np.float32)


def photograph(card: Image.Image, p: PhotoParams) -> Photo:
    """Composite the RGBA ``card`` into a photo degraded as ``p`` says; return the JPEG bytes."""
    fw, fh = p.frame
    img = _background(p.background, fw, fh, p.background_seed)
    quad = _card_quad(p, card.width, card.height)
    # pre-scale the card close to its size in the photo so the warp does not alias fine print
    target_w = float(np.linalg.norm(quad[1] - quad[0]))
    scaled = card.resize(
        (max(8, int(target_w)), max(8, int(target_w * card.height / card.width))), Image.Resampling.LANCZOS
    )
    rgba = np.asarray(scaled.convert("RGBA"), np.float32)
    sw, sh = scaled.size
    src = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    warped = cv2.warpPerspective(rgba, m, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0, 0))
    alpha = warped[..., 3:4] / 255.0
    # soft shadow cast by the light, and the thin contact shadow all round a 0.76 mm thick card
    off = int(0.006 * fw) + 1
    shadow = cv2.GaussianBlur(np.roll(alpha[..., 0], (off, off), (0, 1)), (0, 0), 0.01 * fw)[..., None]
    contact = cv2.GaussianBlur(alpha[..., 0], (0, 0), 0.002 * fw + 0.5)[..., None]
    img = img * (1 - 0.45 * shadow) * (1 - 0.3 * contact)
    # glare: specular highlights on the card's laminate
    if p.glare:
        hl = np.zeros((sh, sw), np.float32)
        yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
        for g in p.glare:
            rad = g.radius * sw
            d2 = ((xx - g.x * sw) ** 2 + ((yy - g.y * sh) * 1.6) ** 2) / (rad * rad)
            hl = np.maximum(hl, g.strength * np.exp(-d2))
        hl_w = cv2.warpPerspective(hl, m, (fw, fh), flags=cv2.INTER_LINEAR)[..., None]
        warped[..., :3] += (255 - warped[..., :3]) * hl_w
    img = img * (1 - alpha) + warped[..., :3] * alpha
    # uneven light and white balance
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    ramp = ((xx / fw - 0.5) * math.cos(p.light_angle) + (yy / fh - 0.5) * math.sin(p.light_angle)) * 2
    img = img * (1 + p.light * 0.5 * ramp)[..., None] * np.array(p.cast, np.float32)
    # optics and sensor
    if p.blur > 0.05:
        img = cv2.GaussianBlur(img, (0, 0), p.blur)
    if p.motion > 0.5:
        k = math.ceil(p.motion) | 1
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2, :] = 1.0 / k
        rot = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), p.motion_angle, 1.0)
        kernel = cv2.warpAffine(kernel, rot, (k, k))
        img = cv2.filter2D(img, -1, kernel / max(kernel.sum(), 1e-6))
    rng = np.random.default_rng(p.background_seed ^ 0x5EED)
    img = img + rng.normal(0, p.noise, img.shape).astype(np.float32)
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=p.jpeg_quality)
    corners = tuple((float(x), float(y)) for x, y in quad)
    return Photo(buf.getvalue(), p, corners)


def photo_of(card: Image.Image, seed: int) -> Photo:
    """Convenience: a photo with parameters drawn from ``seed``."""
    return photograph(card, random_params(random.Random(seed)))
