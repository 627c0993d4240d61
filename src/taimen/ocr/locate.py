"""Find the card in a photo and rectify it: the four corners of the ID-1 card, then a perspective warp to a
flat, upright card at a fixed scale (``PPM`` pixels per millimetre).

The locator knows only that an ID-1 card (85.6 × 54 mm, aspect 1.585) lies roughly face up, turned by at
most about ±45°, and clearly separated from the background by colour, brightness or its shadow. It tries
several segmentations (edges; brightness; colour distance from the border) and pairs straight lines (the
outermost, the longest, and those ending in corners), keeps quadrilaterals with the right shape on steps
running along their sides, weighs what is inside (an ID card has a colour portrait beside its text; a
receipt, a business card or a note does not), then refines the best few, each side to a line fitted to the
edge near it, and ranks them by that evidence. Unless one is clearly the card, the best are tried again with
one or two sides swapped for other straight lines, or slid to other straight steps of the finer image (a
clutter edge beside the card, a printed box's edge inside it, taken for a side; a card edge too faint for the
search image, or fainter than a tenth of the card's print beside it; for a side askew to the opposite one, to
steps along that one), and an outline inside a larger one along its edge (the portrait's box) yields to it if
that one is nearly as well supported. Candidates are scored as arrays: a photo yields thousands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from taimen.ocr.layouts import CARD_H_MM, CARD_W_MM

PPM = 12.0  # pixels per millimetre of the rectified card
CARD_ASPECT = CARD_W_MM / CARD_H_MM
WORK_SIDE = 640  # long side of the downscaled image the search runs on
MID_SIDE = 1400  # long side of the image the outline's sides are fitted on
HOUGH_SEED = 0x7A1
LINE_QUADS = 80  # straight-edge outlines kept for ranking
SIFT_SAMPLES = 8  # points per side of the coarse support that sifts the straight-edge outlines
SIFT_QUADS = 40  # straight-edge outlines kept for their coarse support besides the ``LINE_QUADS`` best shapes
SIFT_POOL = 1500  # ... of the next best shapes
LONGEST = 8  # the longest lines of each direction paired as card sides, besides the outermost
CONTENT_TOP = 24  # rough outlines whose inside is looked at
CORNER_LINES = 6  # of each direction, the lines ending in the most corners, paired as card sides too
SURE = 0.9  # refined score of an outline that is clearly the card: stop refining others
POOL = 6  # rough outlines refined and re-ranked
ROUGH_MIN = 0.04  # rough score below which an outline is not even refined
FINAL_MIN = 0.02  # score after refinement below which there is no card
THREE_SIDE_LINES = 10  # of each direction, the longest lines tried as seen sides of a three-sided outline
THREE_SIDE_QUADS = 48  # three-sided outlines kept for ranking
THREE_SIDE_SIFT = 24  # ... and besides them, of the next, those whose seen sides lie on steps (coarsely)
THREE_SIDE_SIFT_POOL = 2  # ... of which refined, besides the ``THREE_SIDE_POOL`` best of the others
THREE_SIDE_POOL = 4  # three-sided outlines refined besides the ``POOL`` best rough outlines
THREE_SIDE_MIN = 0.005  # rough score below which a three-sided outline is not refined
THREE_SIDE_BELOW = 0.5  # best refined score below which the three-sided outlines are refined
THREE_SIDE_REACH = np.geomspace(0.45, 2.4, 20)  # the unseen side's distances tried, shares of the side across
THREE_SIDE_SPREAD = 0.3  # aspect tolerance of a three-sided rough outline (0.15 for the others)
THREE_SIDE_PRIOR = 0.6  # weight of a three-sided outline: a fallback, not a rival to an outline seen all round
THREE_SIDE_FOUND = (0.5, 0.9)  # ... rising to 1 as its weakest refined side's support rises over this range
BAND_MM = 1.5  # how far outside the best supported edge line a side may still be moved (a printed edge band)
CLEAR = 0.95  # refined score of an outline seen so well all round that no side is tried elsewhere
SWAP_FROM = 2  # best refined outlines whose sides are swapped for other straight lines
SWAP_LINES = 12  # of the lines running along a side, the longest tried in its place
SWAP_REFINE = 3  # outlines with swapped sides refined
SWAP_TURN = math.radians(8)  # how far a line may turn from the side it replaces
SLIDE_IN = 0.4  # how far into the best outline, as a share of its extent across a side, another edge is sought
SLIDE_OUT = 2.2  # ... and how far out of it (the portrait's box is under half the card's width)
SLIDE_LINES = 3  # straight steps kept on each side of each side
SLIDE_REFINE = 2  # outlines with slid sides refined
REFINE_WINDOW = 0.05  # how far the first refinement pass looks from each side (a share of the long side)
NEAR_WINDOW = 0.02  # ... and for a side slid by a few mm
NEAR_PRIOR = 0.85  # ... and its weight: a fainter step beside the one the usual refinement takes must be clearly better
NEAR_TOP = 3  # best refined outlines also refined from where their rough outline lies, if that moved far ...
NEAR_SURE = 0.5  # ... and that fit kept only scoring this much: among poor outlines, a rival fit is one more guess
SLIDE_SECOND = 0.3  # best refined score below which the second best outline's sides are slid too
FAINT_FLOOR = 20.0  # colour step that votes for a faint straight step (a light card's edge on white paper)
FAINT_SLOPE = 0.25  # ... turned by up to this much (14°) from the side it replaces
FAINT_REFINE = 2  # outlines with a side slid to a faint step refined, besides ``SLIDE_REFINE``
ASKEW_MIN = math.radians(6)  # a side turned this far from the opposite one is also slid along the opposite one
ASKEW_REFINE = 2  # outlines with a side slid so refined, besides ``SLIDE_REFINE`` and ``FAINT_REFINE``
STRONG, FAINT, ASKEW = 0, 1, 2  # kinds of lines a side is slid to: best supported, faint, along the opposite side
TURN_MAX = 45.0  # degrees the card's long sides may run off the image's rows before an outline loses weight
NEST_AREA = 0.45  # an outline inside another, at most this share of its area, may be a printed box or the portrait
NEST_SCORE = 0.5  # ... and yields to the outline round it if that one scores at least this share of its own
RUN_ON_FROM, RUN_ON_TO = 0.05, 0.25  # where a side's continuation past its corner is looked at (share of its length)
RUN_ON_SAMPLES = 12  # points on each continuation
RUN_ON_REACH = 2  # px across the side's line (the finer image) a step may lie
RUN_ON_STRENGTH = 30.0  # colour step (Sobel scale) that counts as the side running on at least
RUN_ON_SHARE = 0.5  # ... and at least this share of the side's own (median) step
RUN_ON_FREE = 0.25  # share of a continuation on such steps that costs nothing (a crossing pen, a shadow)
RUN_ON_WEIGHT = 0.6  # an outline's score falls by this share for each side that runs on all the way


@dataclass(frozen=True, slots=True)
class Quad:
    """Card corners in photo pixels, ordered top-left, top-right, bottom-right, bottom-left."""

    points: np.ndarray  # shape (4, 2), float32
    score: float  # 0..1, how card-like the outline is
    method: str


class CardNotFound(Exception):
    """No card-shaped outline in the photo."""


def _order(pts: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """Order four points so the long sides are top and bottom and the top side is the upper one. With the
    photo's ``size``, the long sides are those of the real rectangle (``card_aspect``), not of its image: a
    card tilted steeply about its short axis images its long sides shorter than its short ones."""
    return _order_many(np.asarray(pts, np.float32)[None], size)[0]


def _order_many(q: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """``_order`` for quadrilaterals of shape (N, 4, 2) at once."""
    q = np.asarray(q, np.float32)
    c = q.mean(axis=1, keepdims=True)
    ang = np.arctan2(q[..., 1] - c[..., 1], q[..., 0] - c[..., 0])
    p = np.take_along_axis(q, np.argsort(ang, axis=1)[..., None], axis=1)  # clockwise (y down)
    # make p[0]->p[1] a long side
    if size is None or not len(p):
        short = np.linalg.norm(p[:, 1] - p[:, 0], axis=1) < np.linalg.norm(p[:, 2] - p[:, 1], axis=1)
    else:
        # started one corner on, the same rectangle has the reciprocal aspect (under either principal point)
        a = _aspects_both(p.astype(np.float64), size)
        with np.errstate(divide="ignore"):
            turned = np.abs(1.0 / a - CARD_ASPECT).min(axis=0)
        short = turned < np.abs(a - CARD_ASPECT).min(axis=0)
    p = np.where(short[:, None, None], np.roll(p, -1, axis=1), p)
    # of the two long sides (0-1 and 2-3), the upper one is the top
    low = (p[:, 0, 1] + p[:, 1, 1]) > (p[:, 2, 1] + p[:, 3, 1])
    p = np.where(low[:, None, None], np.roll(p, 2, axis=1), p)
    # top side must run left to right
    back = p[:, 0, 0] > p[:, 1, 0]
    p = np.where(back[:, None, None], p[:, [1, 0, 3, 2]], p)
    return p.astype(np.float32)


def card_aspect(q: np.ndarray, size: tuple[int, int]) -> float:
    """``true_aspect`` under the two likely principal points, the one nearer an ID-1 card's: the photo's
    centre (a whole camera frame) or the outline's own centre (a cropped or zoomed frame, where the camera's
    centre is unknown). Which one a photo has is not known; taking the better keeps a cropped, steep shot."""
    return float(_card_aspects(np.asarray(q, np.float64)[None], size)[0])


def _card_aspects(q: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``card_aspect`` for quadrilaterals of shape (N, 4, 2)."""
    a1, a2 = _aspects_both(q, size)
    return np.where(np.abs(a1 - CARD_ASPECT) <= np.abs(a2 - CARD_ASPECT), a1, a2)


def _aspects_both(q: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``_true_aspects`` of outlines (N, 4, 2) under the photo's centre and under each outline's own centre:
    shape (2, N). One call over both (row by row, only exactly rounded arithmetic: the same values as two calls,
    for half the calls; the locator asks this of a few outlines at a time, hundreds of times a photo)."""
    w, h = size
    n = len(q)
    centres = np.concatenate([np.broadcast_to(np.array([w / 2, h / 2]), (n, 2)), q.mean(axis=1)])
    return _true_aspects(np.concatenate([q, q]), centres, max(w, h)).reshape(2, n)


def true_aspect(q: np.ndarray, size: tuple[int, int], centre: np.ndarray | None = None) -> float:
    """Width/height of the real rectangle whose perspective image is ``q`` (tl, tr, br, bl), for a pinhole
    camera with its principal point at the image centre and unknown focal length (Zhang & He, "Whiteboard
    scanning and image enhancement", 2007). Near-affine views fall back to the image's own proportions."""
    w, h = size
    c = np.array([w / 2, h / 2]) if centre is None else np.asarray(centre, np.float64)
    return float(_true_aspects(np.asarray(q, np.float64)[None], c, max(w, h))[0])


def _true_aspects(q: np.ndarray, centre: np.ndarray, side: float) -> np.ndarray:
    """``true_aspect`` for quadrilaterals of shape (N, 4, 2); ``centre`` is (2,) or (N, 2), ``side`` the
    photo's long side (bounds the plausible focal length)."""
    m = np.concatenate([q - np.reshape(centre, (-1, 1, 2)), np.ones((len(q), 4, 1))], axis=2)
    m1, m2, m4, m3 = m[:, 0], m[:, 1], m[:, 2], m[:, 3]  # m1 tl, m2 tr, m3 bl, m4 br

    def triple(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """(a × b) · c, row by row"""
        return (
            (a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1]) * c[:, 0]
            + (a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2]) * c[:, 1]
            + (a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]) * c[:, 2]
        )

    d2, d3 = triple(m2, m4, m3), triple(m3, m4, m2)
    bad = (np.abs(d2) < 1e-9) | (np.abs(d3) < 1e-9)
    d2, d3 = np.where(bad, 1.0, d2), np.where(bad, 1.0, d3)
    n2 = (triple(m1, m4, m3) / d2)[:, None] * m2 - m1
    n3 = (triple(m1, m4, m2) / d3)[:, None] * m3 - m1
    l2, l3 = n2[:, 0] ** 2 + n2[:, 1] ** 2, n3[:, 0] ** 2 + n3[:, 1] ** 2
    zz = n2[:, 2] * n3[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        f2 = -(n2[:, 0] * n3[:, 0] + n2[:, 1] * n3[:, 1]) / np.where(np.abs(zz) > 1e-12, zz, 1.0)
        persp = (np.abs(zz) > 1e-12) & (l2 + l3 > 0) & ((0.3 * side) ** 2 < f2) & (f2 < (8 * side) ** 2)
        f2 = np.where(persp, f2, 1.0)
        num, den = l2 / f2 + n2[:, 2] ** 2, l3 / f2 + n3[:, 2] ** 2
        pa = np.where(den > 0, np.sqrt(np.maximum(num, 0) / np.where(den > 0, den, 1.0)), 0.0)
        fa = np.where(l3 > 0, np.sqrt(l2 / np.where(l3 > 0, l3, 1.0)), 0.0)
    return np.where(bad, 0.0, np.where(persp, pa, fa))


def _areas(q: np.ndarray) -> np.ndarray:
    """Areas of quadrilaterals of shape (N, 4, 2) (shoelace)."""
    q = np.asarray(q, np.float64)
    nxt = np.roll(q, -1, axis=1)
    return np.abs((q[:, :, 0] * nxt[:, :, 1] - nxt[:, :, 0] * q[:, :, 1]).sum(axis=1)) / 2


def _convex(q: np.ndarray) -> np.ndarray:
    """Whether each quadrilateral of shape (N, 4, 2), corners in cyclic order, is strictly convex."""
    e = np.roll(q, -1, axis=1) - q
    en = np.roll(e, -1, axis=1)
    cross = e[:, :, 0] * en[:, :, 1] - e[:, :, 1] * en[:, :, 0]
    return (cross > 0).all(axis=1) | (cross < 0).all(axis=1)


def _quad_score(q: np.ndarray, img_area: float, size: tuple[int, int]) -> float:
    return float(_quad_scores(np.asarray(q)[None], img_area, size)[0])


def _quad_scores(q: np.ndarray, img_area: float, size: tuple[int, int], spread: float = 0.15) -> np.ndarray:
    """How card-like each ordered outline of shape (N, 4, 2) is: its aspect as a real rectangle, its corners
    (within ~30 degrees of square even in a steep hand-held shot) and its size; 0 if not convex or too small."""
    q = np.asarray(q, np.float64)
    e = np.roll(q, -1, axis=1) - q  # side i runs from corner i to i+1
    frac = _areas(q) / img_area
    convex = _convex(q)
    prev = -np.roll(e, 1, axis=1)  # from corner i back to i-1
    cosang = np.abs((prev * e).sum(-1)) / (np.linalg.norm(prev, axis=-1) * np.linalg.norm(e, axis=-1) + 1e-9)
    angle_score = np.exp(-((cosang.max(axis=1) / 0.8) ** 2))
    aspect_score = np.exp(-(((_card_aspects(q, size) - CARD_ASPECT) / spread) ** 2))
    size_score = np.minimum(1.0, frac / 0.25)
    ok = convex & (frac >= 0.03) & (frac <= 0.98)
    return np.where(ok, aspect_score * angle_score * (0.5 + 0.5 * size_score) * (0.3 + 0.7 * _upright(q)), 0.0)


def _upright(q: np.ndarray) -> np.ndarray:
    """1 for ordered outlines of shape (N, 4, 2) whose long sides run within ``TURN_MAX`` of the image's
    rows, falling off beyond: the card lies turned by at most about ±45° (the reader rectifies it upright or
    upside down, never a quarter turn), and the portrait's box run on to a card edge, or a business card or a
    phone standing upright, makes card-shaped outlines whose long sides run up the photo."""
    q = np.asarray(q, np.float64)
    d = (q[:, 1] - q[:, 0]) + (q[:, 2] - q[:, 3])  # top and bottom, left to right
    turn = np.degrees(np.abs(np.arctan2(d[:, 1], np.abs(d[:, 0]) + 1e-9)))
    return np.exp(-((np.maximum(0.0, turn - TURN_MAX) / 12.0) ** 2))


def _to_quad(poly: np.ndarray) -> np.ndarray | None:
    """Reduce a convex polygon to four corners: a rounded card corner shows up as a short edge between two
    long ones, and the card's real corner is where the long edges' lines meet."""
    p = [np.asarray(v, np.float64) for v in poly]
    while len(p) > 4:
        n = len(p)
        arr = np.array(p)
        d = np.roll(arr, -1, axis=0) - arr
        i = int(np.argmin(np.sqrt((d * d).sum(axis=1))))  # the shortest edge, from p[i] to p[i + 1]
        a0, a1 = p[i - 1], p[i]
        b0, b1 = p[(i + 1) % n], p[(i + 2) % n]
        d1, d2 = a1 - a0, b1 - b0
        det = d1[0] * -d2[1] - d1[1] * -d2[0]
        j = (i + 1) % n
        if abs(det) < 1e-9:
            corner = (a1 + b0) / 2
        else:
            t = ((b0 - a0)[0] * -d2[1] - (b0 - a0)[1] * -d2[0]) / det
            corner = a0 + t * d1
            if np.linalg.norm(corner - (a1 + b0) / 2) > 2 * np.linalg.norm(b0 - a1) + 10:
                corner = (a1 + b0) / 2  # nearly parallel neighbours: do not shoot off
        p[i] = corner
        del p[j]
    return np.array(p, np.float32) if len(p) == 4 else None


def _candidates_from_contours(
    contours: list[np.ndarray], method: str, img_area: float, size: tuple[int, int]
) -> list[Quad]:
    out: list[Quad] = []
    for cnt in sorted(contours, key=cv2.contourArea, reverse=True)[:6]:
        area = cv2.contourArea(cnt)
        if area < 0.025 * img_area:
            break
        hull = cv2.convexHull(cnt)
        peri = cv2.arcLength(hull, True)
        quads = []
        poly = cv2.approxPolyDP(hull, 0.003 * peri, True).reshape(-1, 2).astype(np.float32)
        q4 = _to_quad(poly)
        if q4 is not None:
            quads.append(q4)
        quads.append(cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float32))
        for n, q in enumerate(quads):
            q = _order(q, size)
            # the bounding rectangle ignores perspective: only a fallback for a ragged outline
            penalty = 0.7 if n == len(quads) - 1 and len(quads) > 1 else 1.0
            s = penalty * _quad_score(q, img_area, size) * min(1.0, area / max(cv2.contourArea(q), 1.0))
            if s > 0:
                out.append(Quad(q, s, method))
    return out


def _candidates_from_mask(mask: np.ndarray, method: str, img_area: float) -> list[Quad]:
    size = (mask.shape[1], mask.shape[0])
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return _candidates_from_contours(list(contours), method, img_area, size)


def _masks(small: np.ndarray) -> list[tuple[str, np.ndarray]]:
    h, w = small.shape[:2]
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    blur = cv2.GaussianBlur(grey, (5, 5), 0)
    k3 = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    k7 = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
    out: list[tuple[str, np.ndarray]] = []
    # 1. edges, closed into regions
    med = float(np.median(blur))
    edges = cv2.Canny(blur, max(10, 0.4 * med), min(255, 1.0 * med + 30))
    edges = cv2.dilate(edges, k3, iterations=2)
    filled = np.zeros_like(edges)
    cnts, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(filled, cnts, -1, 255, thickness=cv2.FILLED)
    out.append(("edges", cv2.erode(filled, k3, iterations=2)))
    # 2. colour distance from the photo's border (the background), Otsu-thresholded
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (7, 7), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    border = np.concatenate(
        [lab[:4].reshape(-1, 3), lab[-4:].reshape(-1, 3), lab[:, :4].reshape(-1, 3), lab[:, -4:].reshape(-1, 3)]
    )
    bg = np.median(border, axis=0)
    diff = lab - bg
    dist = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    dist8 = np.clip(dist * (255.0 / max(dist.max(), 1.0)), 0, 255).astype(np.uint8)
    _, m = cv2.threshold(dist8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, k7, iterations=2)
    m = cv2.morphologyEx(m, cv2.MORPH_OPEN, k7)
    out.append(("colour", m))
    # 3. brightness (cards are light), Otsu
    _, b = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    b = cv2.morphologyEx(b, cv2.MORPH_CLOSE, k7, iterations=2)
    b = cv2.morphologyEx(b, cv2.MORPH_OPEN, k7)
    out.append(("bright", b))
    del h, w
    return out


def _edge_map(small: np.ndarray) -> np.ndarray:
    """Edges of brightness and of colour: a pink band on a grey desk has no brightness step at all."""
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2LAB)
    e = np.zeros(small.shape[:2], np.uint8)
    for ch, (lo, hi) in zip(cv2.split(lab), ((20, 60), (10, 30), (10, 30)), strict=True):
        e |= cv2.Canny(ch, lo, hi)
    return e


def _support(edges: np.ndarray, q: np.ndarray) -> float:
    """Fraction of the quad's outline (corners excepted) that lies on an edge."""
    h, w = edges.shape
    t = np.linspace(0.03, 0.97, 40)[:, None]  # nearly to the corners: a quad overshooting the card loses
    pts = np.concatenate([q[i] + (q[(i + 1) % 4] - q[i]) * t for i in range(4)]).astype(int)
    ok = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
    hits = edges[pts[ok, 1], pts[ok, 0]] > 0
    return float(hits.sum()) / len(pts)


class _Steps:
    """Colour steps of the search image with their direction (Sobel per Lab channel), for ``support``."""

    WEIGHT = (1.0, 2.5, 2.5)  # chroma counts more than its 8-bit range suggests (as in ``_Gradients``)

    def __init__(self, small: np.ndarray) -> None:
        lab = cv2.cvtColor(cv2.GaussianBlur(small, (3, 3), 0), cv2.COLOR_BGR2LAB)
        chans = list(zip(cv2.split(lab), self.WEIGHT, strict=True))
        # one array per channel (a gather from each is cheaper than from interleaved channels)
        self.gx = [(cv2.Sobel(c, cv2.CV_32F, 1, 0) * k).reshape(-1) for c, k in chans]
        self.gy = [(cv2.Sobel(c, cv2.CV_32F, 0, 1) * k).reshape(-1) for c, k in chans]
        self.h, self.w = small.shape[:2]
        self._bounds: dict[float, np.ndarray] = {}

    def _bound(self, strength: float) -> np.ndarray:
        """Per pixel, the least step across a side that counts: ``strength``, and 0.85 of the whole step there
        (which does not depend on the side's direction: computed once, not at every sample point of every
        outline). Channel sums run left to right, as ``sum(-1)`` adds them: the same bits as per point."""
        if strength not in self._bounds:
            total = None
            for gx, gy in zip(self.gx, self.gy, strict=True):
                sq = gx * gx + gy * gy
                total = sq if total is None else total + sq
            self._bounds[strength] = np.maximum(np.float32(strength), 0.85 * np.sqrt(total))
        return self._bounds[strength]

    def support(self, q: np.ndarray, reach: int = 3, strength: float = 40.0) -> float:
        """Share of the outline (corners excepted) that lies on a step running along it: within ``reach`` px
        across the side there is a colour step of at least ``strength`` whose direction is within about 30° of
        the side's normal. A receipt's text bars or a phone's corner crossing a wrong side make steps too, but
        at another angle; a dilated edge map cannot tell them apart."""
        return float(self.supports(np.asarray(q)[None], reach, strength)[0])

    def supports(self, qs: np.ndarray, reach: int = 3, strength: float = 40.0) -> np.ndarray:
        """``support`` of outlines of shape (N, 4, 2), all at once."""
        return self.side_supports(qs, reach, strength).mean(axis=1)

    def seen_sides(self, qs: np.ndarray) -> np.ndarray:
        """``support`` of outlines of shape (N, 4, 2) over their three best supported sides only."""
        return np.sort(self.side_supports(qs), axis=1)[:, 1:].mean(axis=1)

    def side_supports(
        self, qs: np.ndarray, reach: int = 3, strength: float = 40.0, samples: int = 40
    ) -> np.ndarray:
        """``support`` of each side (from corner i to i + 1) of outlines of shape (N, 4, 2): shape (N, 4).
        ``samples`` points per side (fewer: a coarse, cheap measure for sifting many outlines)."""
        qs = np.asarray(qs, np.float32)
        if len(qs) == 0:
            return np.zeros((0, 4))
        t = np.linspace(0.06, 0.94, samples, dtype=np.float32)[:, None]
        offs = np.arange(-reach, reach + 1, dtype=np.float32)
        d = np.roll(qs, -1, axis=1) - qs  # (N, 4, 2)
        n = np.stack([-d[..., 1], d[..., 0]], -1) / (np.linalg.norm(d, axis=-1, keepdims=True) + 1e-9)
        base = qs[:, :, None, :] + d[:, :, None, :] * t  # (N, 4, 40, 2)
        pts = base[:, :, :, None, :] + n[:, :, None, None, :] * offs[:, None]  # (N, 4, 40, K, 2)
        xs, ys = np.rint(pts[..., 0]).astype(np.int32), np.rint(pts[..., 1]).astype(np.int32)
        ok = (xs >= 0) & (xs < self.w) & (ys >= 0) & (ys < self.h)
        flat = np.clip(ys, 0, self.h - 1) * self.w + np.clip(xs, 0, self.w - 1)
        nx, ny = n[:, :, None, None, 0], n[:, :, None, None, 1]
        across = None  # squared, summed over the channels in order: (N, 4, 40, K)
        for gx, gy in zip(self.gx, self.gy, strict=True):
            p = gx[flat] * nx + gy[flat] * ny
            p *= p
            across = p if across is None else across + p
        good = ok & (np.sqrt(across) >= self._bound(strength)[flat])  # at least ``strength`` and 0.85 of the step
        return good.any(axis=-1).sum(axis=2) / float(samples)


def _straight_lines(edges: np.ndarray) -> tuple[list[list], list[float]]:
    """The straight edges of ``edges`` (collinear Hough segments merged) and their dominant directions."""
    h, w = edges.shape
    cv2.setRNGSeed(HOUGH_SEED)  # the probabilistic Hough transform samples points: same photo, same outline
    segs = cv2.HoughLinesP(edges, 1, np.pi / 180, 50, minLineLength=0.07 * min(h, w), maxLineGap=8)
    if segs is None:
        return [], []
    # merge collinear segments: (theta of the normal, rho, total length, midpoint of the longest piece, its
    # length, the pieces' ends)
    lines: list[list] = []
    segs = segs.reshape(-1, 4).astype(float)
    th, rh = np.empty(len(segs)), np.empty(len(segs))  # the lines' theta and rho, for a vectorised match
    for x1, y1, x2, y2 in segs:
        theta = math.atan2(x2 - x1, -(y2 - y1)) % math.pi
        rho = x1 * math.cos(theta) + y1 * math.sin(theta)
        length = math.hypot(x2 - x1, y2 - y1)
        mid = ((x1 + x2) / 2, (y1 + y2) / 2)
        n = len(lines)
        dt = np.abs(theta - th[:n])
        same = (np.minimum(dt, math.pi - dt) < math.radians(3)) & (
            np.abs(np.where(dt < math.pi / 2, rho, -rho) - rh[:n]) < 6
        )
        if same.any():
            k = int(same.argmax())  # the first that matches
            ln = lines[k]
            if length > ln[4]:
                ln[0], ln[1], ln[3], ln[4] = theta, rho, mid, length
                th[k], rh[k] = theta, rho
            ln[2] += length
            ln[5] += [(x1, y1), (x2, y2)]
        else:
            th[n], rh[n] = theta, rho
            lines.append([theta, rho, length, mid, length, [(x1, y1), (x2, y2)]])
    # dominant directions, weighted by length: the card's, and others' (receipts, phones, a sheet of paper)
    hist = np.zeros(36)
    for ln in lines:
        hist[int(ln[0] / math.pi * 36) % 36] += ln[2]
    smooth = hist + np.roll(hist, 1) + np.roll(hist, -1)
    peaks: list[float] = []
    for k in np.argsort(-smooth):
        if smooth[k] <= 0 or len(peaks) == 3:
            break
        t = (k + 0.5) * math.pi / 36
        if all(min(abs(t - p) % math.pi, math.pi - abs(t - p) % math.pi) > math.radians(20) for p in peaks):
            peaks.append(t)
    # refine each peak to the length-weighted mean direction of the lines near it (doubled angles)
    thetas = []
    for p in peaks:
        near = [ln for ln in lines if min(abs(ln[0] - p), math.pi - abs(ln[0] - p)) < math.radians(8)]
        c = sum(ln[2] * math.cos(2 * ln[0]) for ln in near)
        s_ = sum(ln[2] * math.sin(2 * ln[0]) for ln in near)
        thetas.append((math.atan2(s_, c) / 2) % math.pi)
    return lines, thetas


def _line_quads(
    edges: np.ndarray,
    img_area: float,
    extremes: int = 3,
    found: tuple[list[list], list[float]] | None = None,
    steps: _Steps | None = None,
) -> list[Quad]:
    """Quadrilaterals from straight edges: the card's outline is the outermost pair of lines in each of the
    two dominant directions (text rows inside the card run parallel to its long sides). The three outermost
    candidates on each side are combined, so a pen or a paper edge lying next to the card does not hide it.
    ``found``: ``_straight_lines(edges)``, if already known. With ``steps``, the outlines kept are sifted by
    a coarse side support too."""
    h, w = edges.shape
    size = (w, h)
    lines, thetas = found if found is not None else _straight_lines(edges)
    if not lines:
        return []

    def family(t0: float, tol: float) -> list[tuple[float, float, float, float, float, float]]:
        """Lines within ``tol`` degrees of direction ``t0``: (position across, theta, rho, total length, and the
        extent of their pieces along the line), sorted across."""
        n0 = (math.cos(t0), math.sin(t0))
        fam = []
        for theta, rho, total, mid, _, ends in lines:
            dt = abs(theta - t0) % math.pi
            if min(dt, math.pi - dt) < math.radians(tol):
                along = [x * -math.sin(theta) + y * math.cos(theta) for x, y in ends]
                fam.append((mid[0] * n0[0] + mid[1] * n0[1], theta, rho, total, min(along), max(along)))
        fam.sort()
        return fam

    def corner_counts(fa: list[tuple[float, ...]], fb: list[tuple[float, ...]]) -> tuple[np.ndarray, np.ndarray]:
        """At how many of its two ends each line makes a corner with a line of the other family (both end near
        where they meet). A card's sides end in corners at both ends; wood grain, text rows, a receipt's edge
        or a pen run on past the other lines or end in the open."""
        if not fa or not fb:
            return np.zeros(len(fa)), np.zeros(len(fb))
        a, b = np.array(fa)[:, None, :], np.array(fb)[None, :, :]
        p, ok = meet(a[..., 1], a[..., 2], b[..., 1], b[..., 2])
        tol = 0.04 * max(h, w)

        def ends(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            s_ = p[..., 0] * -np.sin(f[..., 1]) + p[..., 1] * np.cos(f[..., 1])
            return np.abs(s_ - f[..., 4]) < tol, np.abs(s_ - f[..., 5]) < tol

        (alo, ahi), (blo, bhi) = ends(a), ends(b)
        c = ok & (blo | bhi)
        ca = (c & alo).any(axis=1).astype(int) + (c & ahi).any(axis=1)
        c = ok & (alo | ahi)
        cb = (c & blo).any(axis=0).astype(int) + (c & bhi).any(axis=0)
        return ca, cb

    def pairs(fam: list[tuple[float, ...]], corner: np.ndarray) -> np.ndarray:
        """Pairs of opposite sides as rows (distance apart, theta and rho of one, theta and rho of the other)."""
        # the outermost lines, the longest ones and those ending in corners: a card lying on a receipt or a
        # sheet of paper has its own edge inside the outermost ones, and a card's edge is among the longest
        # straight steps or ends where a side across it ends
        pool = set(range(min(extremes, len(fam)))) | set(range(max(0, len(fam) - extremes), len(fam)))
        pool |= set(sorted(range(len(fam)), key=lambda k: -fam[k][3])[:LONGEST])
        pool |= set(sorted(np.flatnonzero(corner), key=lambda k: (-corner[k], -fam[k][3]))[:CORNER_LINES])
        idx = sorted(pool)
        out = []
        for x, i in enumerate(idx):
            for j in idx[x + 1 :]:
                lo, hi = fam[i], fam[j]
                if hi[0] - lo[0] > 0.1 * min(h, w):
                    out.append((hi[0] - lo[0], lo[1], lo[2], hi[1], hi[2]))
        return np.array(out, np.float64).reshape(-1, 5)

    def meet(t1: np.ndarray, r1: np.ndarray, t2: np.ndarray, r2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where lines x cos t + y sin t = r meet, and whether they do (not nearly parallel)."""
        c1, s1, c2, s2 = np.cos(t1), np.sin(t1), np.cos(t2), np.sin(t2)
        det = c1 * s2 - s1 * c2
        ok = np.abs(det) >= 1e-3
        det = np.where(ok, det, 1.0)
        return np.stack([(r1 * s2 - s1 * r2) / det, (c1 * r2 - r1 * c2) / det], -1), ok

    quads = []
    for theta0 in thetas:
        fa, fb = family(theta0, 16), family(theta0 + math.pi / 2, 25)
        ca, cb = corner_counts(fa, fb)
        pa, pb = pairs(fa, ca), pairs(fb, cb)
        if not len(pa) or not len(pb):
            continue
        a = np.repeat(pa, len(pb), axis=0)
        b = np.tile(pb, (len(pa), 1))
        ratio = a[:, 0] / b[:, 0]
        keep = (ratio > 0.45) & (ratio < 2.2)  # an ID-1 card seen at a slant: 1/1.585 or 1.585, give or take
        a, b = a[keep], b[keep]
        corners = [
            meet(a[:, 1], a[:, 2], b[:, 1], b[:, 2]),
            meet(b[:, 1], b[:, 2], a[:, 3], a[:, 4]),
            meet(a[:, 3], a[:, 4], b[:, 3], b[:, 4]),
            meet(b[:, 3], b[:, 4], a[:, 1], a[:, 2]),
        ]
        q = np.stack([c for c, _ in corners], axis=1)
        ok = np.logical_and.reduce([k for _, k in corners])
        ok &= (q[..., 0] >= -0.05 * w).all(1) & (q[..., 1] >= -0.05 * h).all(1)
        ok &= (q[..., 0] <= 1.05 * w).all(1) & (q[..., 1] <= 1.05 * h).all(1)
        quads.append(q[ok])
    if not quads:
        return []
    q = np.concatenate(quads)
    frac = _areas(q) / img_area
    q = q[(frac >= 0.03) & (frac <= 0.98) & _convex(q)]  # what ``_quad_scores`` rejects, before ordering
    q = _order_many(q, size)
    sc = _quad_scores(q, img_area, size)
    q, sc = q[sc > 0.05], sc[sc > 0.05]
    # the ranking measures each outline's edges: keep it to the most card-like shapes of a good size, and to
    # those of them on steps all round (coarsely: wood grain, a receipt's edges and text rows make hundreds of
    # larger card-shaped outlines that a small card seen all round must not be cut behind; a card edge too
    # faint for the search image is refined to on the finer one, so the first kind stay)
    key = sc * np.sqrt(_areas(q) / img_area)
    order = np.argsort(-key, kind="stable")
    top = order[:LINE_QUADS]
    if steps is not None and len(q) > LINE_QUADS:
        rest = order[LINE_QUADS : LINE_QUADS + SIFT_POOL]
        support = steps.side_supports(q[rest], samples=SIFT_SAMPLES).mean(axis=1)
        top = np.r_[top, rest[np.argsort(-key[rest] * support**6, kind="stable")[:SIFT_QUADS]]]
    return [Quad(q[k], float(sc[k]), "lines") for k in top]


def _three_side_quads(
    shape: tuple[int, int], found: tuple[list[list], list[float]], img_area: float, steps: _Steps | None = None
) -> tuple[list[Quad], list[Quad]]:
    """Outlines of a card with one side unseen (white on a white receipt or sheet, light on a light desk, under
    a finger): two opposite straight sides and one across them are seen, and the fourth side is put where the
    outline images an ID-1 card's proportions (``card_aspect``), parallel to the side across. Each seen side
    must run along most of where the outline needs it, so text rows and wood grain make few such outlines. The
    best shapes of a good size, and apart from them, with ``steps``, of the next the best on a coarse support of
    their three seen sides (a small card on a sheet of paper: the sheet's sides and a line across the card make
    many larger outlines)."""
    h, w = shape
    lines, thetas = found
    if not lines:
        return [], []
    th = np.array([ln[0] for ln in lines])
    rh = np.array([ln[1] for ln in lines])
    total = np.array([ln[2] for ln in lines])
    mid = np.array([ln[3] for ln in lines], np.float64)
    lo, hi = np.empty(len(lines)), np.empty(len(lines))
    for k, ln in enumerate(lines):
        along = [x * -math.sin(ln[0]) + y * math.cos(ln[0]) for x, y in ln[5]]
        lo[k], hi[k] = min(along), max(along)
    out = []
    for t0 in thetas:
        da = np.abs(th - t0) % math.pi
        db = np.abs(th - t0 - math.pi / 2) % math.pi
        fa = np.flatnonzero(np.minimum(da, math.pi - da) < math.radians(16))
        fb = np.flatnonzero(np.minimum(db, math.pi - db) < math.radians(25))
        # the longest lines, and the outermost ones (the card's edge beside text rows longer than its seen part)
        across = mid[:, 0] * math.cos(t0) + mid[:, 1] * math.sin(t0)
        side_by_side = fa[np.argsort(across[fa])]
        fa = np.union1d(fa[np.argsort(-total[fa])][:THREE_SIDE_LINES], np.r_[side_by_side[:3], side_by_side[-3:]])
        fb = fb[np.argsort(-total[fb])][:THREE_SIDE_LINES]
        if len(fa) < 2 or not len(fb):
            continue
        i1, i2 = np.triu_indices(len(fa), 1)
        a1, a2 = np.repeat(fa[i1], len(fb)), np.repeat(fa[i2], len(fb))
        b = np.tile(fb, len(i1))
        p1, p2 = _meet(th[a1], rh[a1], th[b], rh[b]), _meet(th[a2], rh[a2], th[b], rh[b])
        side = np.linalg.norm(p2 - p1, axis=1)
        d1 = np.stack([-np.sin(th[a1]), np.cos(th[a1])], -1)
        d2 = np.stack([-np.sin(th[a2]), np.cos(th[a2])], -1)
        flip = (d1 * d2).sum(-1) < 0
        d2 = np.where(flip[:, None], -d2, d2)
        # where each seen side's pieces run, along it, from the corner it makes with the side across
        s1 = (p1 * np.stack([-np.sin(th[a1]), np.cos(th[a1])], -1)).sum(-1)
        s2 = (p2 * np.stack([-np.sin(th[a2]), np.cos(th[a2])], -1)).sum(-1)
        lo2, hi2 = np.where(flip, -hi[a2], lo[a2]), np.where(flip, -lo[a2], hi[a2])
        s2 = np.where(flip, -s2, s2)
        sb1 = (p1 * np.stack([-np.sin(th[b]), np.cos(th[b])], -1)).sum(-1)
        sb2 = (p2 * np.stack([-np.sin(th[b]), np.cos(th[b])], -1)).sum(-1)
        cover = np.minimum(hi[b], np.maximum(sb1, sb2)) - np.maximum(lo[b], np.minimum(sb1, sb2))
        ok = (side > 0.1 * min(h, w)) & (cover >= 0.6 * side)
        ok &= (np.abs(p1) < 2 * max(h, w)).all(1) & (np.abs(p2) < 2 * max(h, w)).all(1)
        for sgn, r1, r2 in ((1.0, hi[a1] - s1, hi2 - s2), (-1.0, s1 - lo[a1], s2 - lo2)):
            keep = ok & (r1 >= 0.3 * side) & (r2 >= 0.3 * side)
            if not keep.any():
                continue
            # the seen sides run up to the unseen one: it lies where the farther of them ends
            reach = np.maximum(r1, r2)[keep][:, None]
            q1, q2, e1, e2 = p1[keep], p2[keep], d1[keep] * sgn, d2[keep] * sgn
            out.append(np.stack([q1, q2, q2 + e2 * reach, q1 + e1 * reach], 1))
            # ... or where each ends (a steep card's sides converge: one reach for both misjudges its shape)
            out.append(np.stack([q1, q2, q2 + e2 * r2[keep][:, None], q1 + e1 * r1[keep][:, None]], 1))
            # ... or, where the seen sides fade out before it (a white card's edge on white paper loses its corner
            # too), where the outline images an ID-1 card, as long as they are seen along half the way and do not
            # run on far past it
            dists = side[keep][:, None] * THREE_SIDE_REACH  # (M, K)
            grid = (*dists.shape, 2)
            qk = np.stack(
                [np.broadcast_to(q1[:, None], grid), np.broadcast_to(q2[:, None], grid),
                 q2[:, None] + e2[:, None] * dists[..., None], q1[:, None] + e1[:, None] * dists[..., None]], 2
            )  # (M, K, 4, 2)
            a = _card_aspects(qk.reshape(-1, 4, 2).astype(np.float64), (w, h)).reshape(dists.shape)
            with np.errstate(divide="ignore"):
                off = np.minimum(np.abs(a - CARD_ASPECT), np.abs(1.0 / a - CARD_ASPECT))
            off[(reach < 0.5 * dists) | (reach > 1.6 * dists)] = np.inf  # not far past the seen sides' ends
            best = off.argmin(axis=1)
            fits = np.isfinite(off[np.arange(len(best)), best])
            out.append(qk[np.arange(len(best)), best][fits])
    if not out:
        return [], []
    q = np.concatenate(out)
    q = q[(q[..., 0] >= -0.05 * w).all(1) & (q[..., 1] >= -0.05 * h).all(1)]
    q = q[(q[..., 0] <= 1.05 * w).all(1) & (q[..., 1] <= 1.05 * h).all(1)]
    frac = _areas(q) / img_area
    q = q[(frac >= 0.03) & (frac <= 0.98) & _convex(q)]
    if not len(q):
        return [], []
    q = _order_many(q, (w, h))
    # the unseen side's place is a guess, and a steep card's aspect is sensitive to it: judged loosely here,
    # strictly once the refinement has fitted the side
    sc = _quad_scores(q, img_area, (w, h), THREE_SIDE_SPREAD)
    q, sc = q[sc > 0.05], sc[sc > 0.05]
    key = sc * np.sqrt(_areas(q) / img_area)
    order = np.argsort(-key, kind="stable")
    sifted = order[:0]
    if steps is not None and len(q) > THREE_SIDE_QUADS:
        rest = order[THREE_SIDE_QUADS : THREE_SIDE_QUADS + SIFT_POOL]
        seen = np.sort(steps.side_supports(q[rest], samples=SIFT_SAMPLES), axis=1)[:, 1:].mean(axis=1)
        sifted = rest[np.argsort(-key[rest] * seen**6, kind="stable")[:THREE_SIDE_SIFT]]
    shapes = [Quad(q[k], THREE_SIDE_PRIOR * float(sc[k]), "lines3") for k in order[:THREE_SIDE_QUADS]]
    return shapes, [Quad(q[k], THREE_SIDE_PRIOR * float(sc[k]), "lines3") for k in sifted]


def _side_swaps(q: np.ndarray, found: tuple[list[list], list[float]], shape: tuple[int, int]) -> np.ndarray:
    """Outlines from ``q`` (ordered corners) with one side, or two adjacent sides, moved to another straight
    line of ``found`` running nearly along it: an outline that took a clutter edge beside the card for one of
    its sides, or a printed box's edges inside it for two, keeps the card's other sides; the card's own edge
    is one of the straight lines. Shape (N, 4, 2), corners in cyclic order, not yet checked or ordered."""
    lines = found[0]
    if not lines:
        return np.zeros((0, 4, 2))
    th = np.array([ln[0] for ln in lines])
    rh = np.array([ln[1] for ln in lines])
    total = np.array([ln[2] for ln in lines])
    q = np.asarray(q, np.float64)
    d = np.roll(q, -1, axis=0) - q
    st = np.arctan2(d[:, 0], -d[:, 1]) % math.pi  # the sides as lines x cos t + y sin t = r
    sr = q[:, 0] * np.cos(st) + q[:, 1] * np.sin(st)
    side = np.stack([st, sr], -1)
    near = 0.02 * max(shape)
    options = []
    for i in range(4):
        dt = np.abs(th - st[i])
        turned = dt > math.pi / 2  # the same direction, numbered from the other end: rho changes sign
        r = np.where(turned, -rh, rh)
        ok = (np.minimum(dt, math.pi - dt) < SWAP_TURN) & (np.abs(r - sr[i]) > near)
        k = np.flatnonzero(ok)
        k = k[np.argsort(-total[k], kind="stable")][:SWAP_LINES]
        options.append(np.stack([th[k], rh[k]], -1))
    out = []
    for i in range(4):
        v = np.repeat(side[None], len(options[i]), axis=0)
        v[:, i] = options[i]
        out.append(v)
        j = (i + 1) % 4
        a, b = np.repeat(options[i], len(options[j]), axis=0), np.tile(options[j], (len(options[i]), 1))
        v = np.repeat(side[None], len(a), axis=0)
        v[:, i], v[:, j] = a, b
        out.append(v)
    sides = np.concatenate(out)
    prev = np.roll(sides, 1, axis=1)  # corner k is where side k - 1 meets side k
    return _meet(prev[..., 0], prev[..., 1], sides[..., 0], sides[..., 1])


def _meet(t1: np.ndarray, r1: np.ndarray, t2: np.ndarray, r2: np.ndarray) -> np.ndarray:
    """Where lines x cos t + y sin t = r meet (far away if nearly parallel)."""
    c1, s1, c2, s2 = np.cos(t1), np.sin(t1), np.cos(t2), np.sin(t2)
    det = c1 * s2 - s1 * c2
    det = np.where(np.abs(det) >= 1e-3, det, 1e-3)
    return np.stack([(r1 * s2 - s1 * r2) / det, (c1 * r2 - r1 * c2) / det], -1)


class _Gradients:
    """Colour steps across a rough side, measured only where the refinement looks (no whole-image filtering)."""

    WEIGHT = np.array([1.0, 2.5, 2.5], np.float32)  # chroma counts more than its 8-bit range suggests

    def __init__(self, img: np.ndarray) -> None:
        self.img = img
        self.h, self.w = img.shape[:2]

    def across(self, xs: np.ndarray, ys: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Strength of the colour step across direction ``n`` at points (xs, ys) of shape (P, K), K running
        along ``n`` one pixel apart; 0 outside the image. Scaled like a 3×3 Sobel response."""
        mx, my = xs.astype(np.float32), ys.astype(np.float32)
        vals = cv2.remap(self.img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        lab = cv2.cvtColor(vals, cv2.COLOR_BGR2LAB).astype(np.float32) * self.WEIGHT
        d = np.zeros(lab.shape[:2], np.float32)
        diff = lab[:, 2:] - lab[:, :-2]  # central difference along the normal
        diff *= diff
        # ×8 per pixel of slope, as Sobel weighs it (channels summed in order, as ``sum(-1)``, at a third the cost)
        d[:, 1:-1] = np.sqrt(diff[..., 0] + diff[..., 1] + diff[..., 2]) * 4.0
        inside = (xs >= 1) & (xs < self.w - 1) & (ys >= 1) & (ys < self.h - 1)
        return np.where(inside, d, 0.0)


def _side_line(
    grad: _Gradients, a: np.ndarray, b: np.ndarray, search: float, band: float = float("inf")
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """The card's edge near the rough side ``a``→``b``: (point, direction, support) or None.

    Along the side, every local maximum of the colour step across it is a candidate edge point (to sub-pixel,
    by a parabola through the peak). A small Hough vote over lines nearly parallel to the rough side keeps
    the straight line that most sample rows agree on: a receipt's text bars, a phone or a finger give short
    or broken steps, the card's edge a long straight one. Of the lines almost as well supported as the best,
    the outermost wins: a coloured band printed along the edge makes a second long line a millimetre inside.
    ``support`` is the share of sample rows on the chosen line."""
    d = b - a
    length = float(np.linalg.norm(d))
    t = d / length
    n = np.array([-t[1], t[0]], np.float32)  # points into the card (corners run clockwise)
    rows = 48
    us = np.linspace(0.1, 0.9, rows) * length  # skip the rounded corners
    offs = np.arange(-search, search + 1, 1.0)
    base = a + t * us[:, None]
    xs = base[:, :1] + n[0] * offs[None, :]
    ys = base[:, 1:] + n[1] * offs[None, :]
    mag = grad.across(xs, ys, n)
    peak_row = mag.max(axis=1)
    floor = np.maximum(20.0, 0.25 * peak_row)[:, None]
    mid = mag[:, 1:-1]
    is_peak = (mid >= mag[:, :-2]) & (mid > mag[:, 2:]) & (mid >= floor)
    r_idx, k_idx = np.nonzero(is_peak)
    if len(r_idx) < 8:
        return None
    k_idx = k_idx + 1
    m0, m1, m2 = mag[r_idx, k_idx - 1], mag[r_idx, k_idx], mag[r_idx, k_idx + 1]
    den = m0 - 2 * m1 + m2
    sub = np.where(np.abs(den) > 1e-6, 0.5 * (m0 - m2) / np.where(np.abs(den) > 1e-6, den, 1.0), 0.0)
    v = offs[k_idx] + np.clip(sub, -0.5, 0.5)  # offset across the side (into the card is positive)
    u = us[r_idx]
    pad = 0.03 * length + 2  # a sloped line leaves the search band by up to this much at the side's ends
    span = np.arange(-search - pad, search + pad + 1, 1.0)
    nb = len(span) + 1  # the last bin takes what falls outside
    slopes = np.linspace(-0.06, 0.06, 25)  # ±3.4°: the rough side's direction is close
    v0 = v[None, :] - slopes[:, None] * (u - length / 2)[None, :]
    bins = np.round(v0 - span[0]).astype(np.int64)
    bins[(bins < 0) | (bins >= nb - 1)] = nb - 1
    # one vote per row and bin: a thick step with two peaks in one row must not count twice
    occupied = np.zeros((len(slopes), rows, nb), bool)
    occupied[np.arange(len(slopes))[:, None], r_idx[None, :], bins] = True
    hist = _rows_voting(occupied)
    hist = hist[:, :-2] + hist[:, 1:-1]  # 2-px bins, overlapping
    js, ks = np.nonzero(hist >= 6)
    if not len(js):
        return None
    votes = hist[js, ks]
    # the outermost well-supported line (the smallest offset: offsets grow into the card), then the best; but
    # no farther out than ``band`` beyond the best supported line: a printed band lies that close inside the
    # card's edge, a receipt's or a sheet's edge or a shadow running beside the card lies farther out
    good = votes >= 0.7 * votes.max()
    best_at = span[ks[np.lexsort((span[ks], -votes))[0]]]
    good &= span[ks] >= best_at - band
    js, ks, votes = js[good], ks[good], votes[good]
    pick = np.lexsort((-votes, np.round(span[ks] + 0.5)))[0]
    slope, icpt = float(slopes[js[pick]]), float(span[ks[pick]] + 0.5)
    v0 = v - slope * (u - length / 2)
    inl = np.abs(v0 - icpt) <= 1.5
    # one point per row (the strongest within the band), then a least-squares line through them
    ri, ui, vi, mi = r_idx[inl], u[inl], v[inl], m1[inl]
    order = np.lexsort((-mi, ri))
    _, first = np.unique(ri[order], return_index=True)
    best = order[first]
    if len(best) < 6:
        return None
    uu, vv = ui[best], vi[best]
    s1, s0 = _fit_line(uu, vv)
    res = vv - (s1 * uu + s0)
    keep = np.abs(res) <= max(0.75, 2.5 * float(np.median(np.abs(res))))
    if keep.sum() >= 6:
        s1, s0 = _fit_line(uu[keep], vv[keep])
    p0 = a + n * s0
    direction = t + n * s1
    direction = direction / float(np.linalg.norm(direction))
    n_rows = len(best)
    return p0.astype(np.float64), direction.astype(np.float64), n_rows / rows


def _edge_lines(
    grad: _Gradients, a: np.ndarray, b: np.ndarray, lo: float, hi: float, most: int, skip: float,
    turned: float | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Straight steps running along the side ``a``→``b`` (turned by up to 9°) between ``lo`` and ``hi`` px
    across it (into the outline is positive), the best supported first, each as its two ends over ``a`` and
    ``b``: up to ``most`` of them, found by the vote ``_side_line`` runs, on steps seen along at least half the
    side; a line within ``skip`` of the side at both ends is the side itself. Then, apart, up to ``most`` faint
    ones elsewhere: steps of only ``FAINT_FLOOR`` turned by up to ``FAINT_SLOPE`` (a light card's edge on a white
    receipt or sheet, its shadow on the far side, steps less than a tenth of its print's, and the outline it is
    slid from may run along the sheet's edge, askew to it). With ``turned`` (the slope across ``a``→``b`` of the
    side it stands in for), lines within those turns of that side are left out: its own search offers them."""
    d = b - a
    length = float(np.linalg.norm(d))
    t = d / length
    n = np.array([-t[1], t[0]], np.float32)
    rows = 32
    us = np.linspace(0.1, 0.9, rows) * length
    offs = np.arange(lo, hi + 1, 1.0)
    base = a + t * us[:, None]
    mag = grad.across(base[:, :1] + n[0] * offs[None, :], base[:, 1:] + n[1] * offs[None, :], n)
    # the side's own step (a printed box's edge is sharper than a faint card edge) does not set the floor, and the
    # floor is low: the card's print beside a faint card edge steps far more, but makes no straight line
    floor = np.maximum(20.0, 0.1 * np.where(np.abs(offs) >= skip, mag, 0.0).max(axis=1))[:, None]
    mid = mag[:, 1:-1]
    peak = (mid >= mag[:, :-2]) & (mid > mag[:, 2:])
    nb = len(offs) + 1
    gap = max(3, int(0.02 * length))  # 2-px bins: lines at least 4 % of the side apart
    taken: list[int] = []  # offset bins of the lines found

    def vote(r_idx: np.ndarray, k_idx: np.ndarray, slopes: np.ndarray, limit: int) -> list[np.ndarray]:
        if len(r_idx) < rows // 2:
            return []
        v, u = offs[k_idx + 1], us[r_idx]
        bins = np.round(v[None, :] - slopes[:, None] * (u - length / 2)[None, :] - lo).astype(np.int64) // 2
        bins[(bins < 0) | (bins >= nb // 2)] = nb // 2
        occupied = np.zeros((len(slopes), rows, nb // 2 + 1), bool)
        occupied[np.arange(len(slopes))[:, None], r_idx[None, :], bins] = True
        hist = _rows_voting(occupied)[:, :-1]
        if turned is not None:  # what the search along the side ``turned`` away finds (a clutter edge's family)
            hist[np.abs(slopes - turned) <= slopes.max()] = 0
        for k in taken:
            hist[:, max(0, k - gap) : k + gap + 1] = 0
        out: list[np.ndarray] = []
        while len(out) < limit:
            j, k = np.unravel_index(int(np.argmax(hist)), hist.shape)
            if hist[j, k] < rows // 2:
                break
            off, slope = lo + 2 * k + 1.0, float(slopes[j])
            ends = (off - slope * length / 2, off + slope * length / 2)
            if max(abs(ends[0]), abs(ends[1])) < skip:
                hist[j, k] = 0
                continue
            hist[:, max(0, k - gap) : k + gap + 1] = 0
            taken.append(int(k))
            out.append(np.array([a + n * ends[0], b + n * ends[1]]))
        return out

    # a side may pivot on a right corner: a clutter edge runs askew
    strong = vote(*np.nonzero(peak & (mid >= floor)), np.linspace(-0.16, 0.16, 33), most)
    faint = vote(*np.nonzero(peak & (mid >= FAINT_FLOOR)), np.linspace(-FAINT_SLOPE, FAINT_SLOPE, 51), most)
    return strong, faint


def _askew_side(q: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Side ``i`` of the clockwise outline ``q`` turned to run along the opposite side, through its middle, and the
    side's own slope across it, or None if the two nearly run along each other already: a side taken on a clutter
    edge askew to the card (a receipt's text bar) is no guide to where the card's own edge runs, the opposite side
    is."""
    a, b = q[i], q[(i + 1) % 4]
    d = q[(i + 2) % 4] - q[(i + 3) % 4]  # the opposite side, run the same way round
    if min(np.linalg.norm(b - a), np.linalg.norm(d)) < 1.0:
        return None
    t, u = (b - a) / np.linalg.norm(b - a), d / np.linalg.norm(d)
    if float(t @ u) > math.cos(ASKEW_MIN):
        return None
    n = np.array([-u[1], u[0]])  # into the outline, as ``_edge_lines`` measures
    half = u * float(np.linalg.norm(b - a)) / 2
    m = (a + b) / 2
    return m - half, m + half, float(t @ n) / float(t @ u)


def _run_on(grad: _Gradients, q: np.ndarray) -> np.ndarray:
    """For each side of the outline ``q`` (corners in cyclic order), the share of its two continuations past
    its corners (from ``RUN_ON_FROM`` to ``RUN_ON_TO`` of its length) that lie on a step running along it, the
    more of the two: shape (4,). A card's edge ends at its corners; an outline that is a piece of a larger
    rectangle (a receipt's or a sheet's edge taken for a side, a text bar across it) has sides whose step
    runs on. Steps crossing the continuation (text bars, a pen) do not count: across it they step as much."""
    q = np.asarray(q, np.float64)
    d = np.roll(q, -1, axis=0) - q
    length = np.linalg.norm(d, axis=1, keepdims=True)
    t = d / np.maximum(length, 1e-9)
    n = np.stack([-t[:, 1], t[:, 0]], -1)
    s = np.linspace(RUN_ON_FROM, RUN_ON_TO, RUN_ON_SAMPLES)[None, :, None] * length[:, None, :]  # (4, S, 1)
    on = np.linspace(0.1, 0.9, RUN_ON_SAMPLES)[None, :, None] * length[:, None, :]  # the side itself
    a, b, u = q[:, None], (q + d)[:, None], t[:, None]
    ends = np.concatenate([a - u * s, b + u * s, a + u * on], 1)  # before, after, along: (4, 3S, 2)
    offs = np.arange(-RUN_ON_REACH, RUN_ON_REACH + 1, 1.0)
    pts = ends[:, :, None, :] + n[:, None, None, :] * offs[:, None]  # (4, 3S, K, 2)
    # the colour at one pixel either way across and along each point: the step across must be the step
    probe = np.stack([pts + n[:, None, None, :], pts - n[:, None, None, :], pts + t[:, None, None, :],
                      pts - t[:, None, None, :]])  # (4 probes, 4 sides, 2S, K, 2)
    flat = probe.reshape(-1, 2).astype(np.float32)
    vals = cv2.remap(grad.img, flat[:, :1], flat[:, 1:], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    lab = cv2.cvtColor(vals, cv2.COLOR_BGR2LAB).astype(np.float32).reshape(*probe.shape[:-1], 3) * grad.WEIGHT
    across = np.sqrt(_channel_sum((lab[0] - lab[1]) ** 2)) * 4.0  # scaled like a 3×3 Sobel response
    along = np.sqrt(_channel_sum((lab[2] - lab[3]) ** 2)) * 4.0
    inside = (pts[..., 0] >= 1) & (pts[..., 0] < grad.w - 1) & (pts[..., 1] >= 1) & (pts[..., 1] < grad.h - 1)
    across = np.where(inside & (across >= 4.0 * along), across, 0.0).max(axis=-1)  # (4, 3S)
    # as strong as the side's own step (a desk's grain or a shadow's soft edge beside a sharp card edge is not)
    k = RUN_ON_SAMPLES
    floor = np.maximum(RUN_ON_STRENGTH, RUN_ON_SHARE * np.median(across[:, 2 * k :], axis=1))[:, None]
    hit = across[:, : 2 * k] >= floor
    return np.maximum(hit[:, :k].mean(axis=1), hit[:, k:].mean(axis=1))


def _rows_voting(occupied: np.ndarray) -> np.ndarray:
    """``occupied.sum(axis=1)`` of a (slopes, rows, bins) bool vote: the rows voting for each bin, counted in bytes
    (fewer than 256 rows) instead of casting every vote to a 64-bit integer first, at a third of the cost."""
    return occupied.view(np.uint8).sum(axis=1, dtype=np.uint8).astype(np.int64)


def _channel_sum(a: np.ndarray) -> np.ndarray:
    """``a.sum(-1)`` over a last axis of a few channels, added left to right as numpy adds them (the same bits):
    numpy's reduction over so short an axis costs several times the explicit additions."""
    out = a[..., 0]
    for c in range(1, a.shape[-1]):
        out = out + a[..., c]
    return out


def _fit_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares slope and intercept of y over x."""
    xm, ym = float(x.mean()), float(y.mean())
    dx = x - xm
    var = float((dx * dx).sum())
    slope = float((dx * (y - ym)).sum()) / var if var > 0 else 0.0
    return slope, ym - slope * xm


def _long_side(q: np.ndarray) -> float:
    """The longer of the two sides that meet at an outline's first corner (pixels)."""
    return float(max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[3] - q[0])))


def _refine(grad: _Gradients, q: np.ndarray, window: float) -> tuple[np.ndarray, np.ndarray]:
    """Fit each side to the card's edge near it (``_side_line``), then intersect the four lines: a finger
    over a corner hides the corner, not the sides. Returns the corners and each side's support."""
    side_len = _long_side(q)
    search = max(4.0, side_len * window)
    band = max(2.0, BAND_MM * side_len / CARD_W_MM)
    lines = [_side_line(grad, q[i], q[(i + 1) % 4], search, band) for i in range(4)]
    out = q.copy()
    for i in range(4):
        l1, l2 = lines[i - 1], lines[i]  # side i-1 ends at corner i, side i starts there
        if l1 is None or l2 is None:
            continue
        (p1, d1, _), (p2, d2, _) = l1, l2
        mat = np.array([d1, -d2]).T
        if abs(np.linalg.det(mat)) < 1e-6:
            continue
        s, _ = np.linalg.solve(mat, p2 - p1)
        corner = p1 + s * d1
        if np.linalg.norm(corner - q[i]) < search * 3:
            out[i] = corner
    return out.astype(np.float32), np.array([0.0 if ln is None else ln[2] for ln in lines])


def find_cards(img: np.ndarray, limit: int = 3) -> list[Quad]:
    """Up to ``limit`` distinct card outlines in ``img`` (BGR), best first, refined. Raises CardNotFound."""
    search = Search(img, limit)
    return [search.refine(c) for c in search.candidates]


def _outer_first(
    ranked: list[tuple[float, Quad, Quad]], raw: dict[int, float] | None = None
) -> list[tuple[float, Quad, Quad]]:
    """``ranked`` (refined outlines, best first) with an outline that lies inside a much larger one and along
    one of its sides put just after it, if the larger one's edges are nearly as well supported: the portrait's
    box and the printed boxes of a card are card-shaped outlines with straight edges, often sharper than the
    card's own edge on a light desk, and they run along the card's edge; a sheet of paper under the card seldom
    has an edge where the card's is, and a clutter edge taken for a side adds only a strip. With ``raw`` (the
    scores before the run-on weight, by ``id`` of the refined outline), the larger one must be nearly as well
    supported by those too: a card's own side may run on along a clutter edge by chance, a printed box's not."""
    raw = raw or {}
    key = [x[0] for x in ranked]
    for i, (si, _, a) in enumerate(ranked):
        area_a = float(_areas(a.points[None])[0])
        for sj, _, b in ranked:
            area_b = float(_areas(b.points[None])[0])
            if b is a or not NEST_SCORE * si <= sj < si or area_a > NEST_AREA * area_b:
                continue
            if NEST_SCORE * raw.get(id(a), si) > raw.get(id(b), sj):
                continue
            tol = 0.02 * math.sqrt(area_b)
            poly = b.points.reshape(-1, 1, 2).astype(np.float32)
            inside = all(cv2.pointPolygonTest(poly, (float(x), float(y)), True) >= -tol for x, y in a.points)
            if inside and _shares_side(a.points, b.points, tol):
                key[i] = min(key[i], sj * 0.999)
    order = sorted(range(len(ranked)), key=lambda k: -key[k])
    return [ranked[k] for k in order]


def _signed_area(q: np.ndarray) -> float:
    """Twice the signed area of polygon ``q``: positive when its corners run clockwise on the image (y down)."""
    nxt = np.roll(q, -1, axis=0)
    return float((q[:, 0] * nxt[:, 1] - nxt[:, 0] * q[:, 1]).sum())


def _cross_point(l1: np.ndarray, l2: np.ndarray) -> np.ndarray:
    """Where the line through the two points ``l1`` meets the one through ``l2`` (inf if parallel)."""
    d1, d2 = l1[1] - l1[0], l2[1] - l2[0]
    det = d1[0] * -d2[1] - d1[1] * -d2[0]
    if abs(det) < 1e-9:
        return np.array([np.inf, np.inf])
    r = l2[0] - l1[0]
    s = (r[0] * -d2[1] - r[1] * -d2[0]) / det
    return l1[0] + s * d1


def _same_outline(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    """Whether outlines ``a`` and ``b`` have the same corners within ``tol``, whichever corner each starts at
    and whichever way round (a box whose long sides stand upright is ordered differently by each method)."""
    return any(np.abs(np.roll(c, k, axis=0) - b).max() < tol for c in (a, a[::-1]) for k in range(4))


def _shares_side(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    """Whether both ends of a side of outline ``a`` lie within ``tol`` of the line of one side of ``b``."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    d = np.roll(b, -1, axis=0) - b
    n = np.stack([-d[:, 1], d[:, 0]], -1) / (np.linalg.norm(d, axis=1, keepdims=True) + 1e-9)
    dist = np.abs(((a[:, None, :] - b[None, :, :]) * n[None]).sum(-1))  # (corner of a, side of b)
    near = dist <= tol
    return bool((near & np.roll(near, -1, axis=0)).any())


def _content(img: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """How much each outline's inside looks like an ID card's face rather than a receipt, a business card, a
    note or a phone, as a factor 0.36..1: a card has a colour portrait beside its text (colours that differ
    from its ground) and light and dark areas. Measured on a small warp of the inside without its margin."""
    qs = np.asarray(qs, np.float32)
    if not len(qs):
        return np.ones(0)
    dst = np.array([[0, 0], [47, 0], [47, 29], [0, 29]], np.float32)
    patches = []
    for q in qs:
        c = q.mean(axis=0)
        m = cv2.getPerspectiveTransform(c + (q - c) * 0.9, dst)
        patches.append(cv2.warpPerspective(img, m, (48, 30), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE))
    lab = cv2.cvtColor(np.concatenate(patches), cv2.COLOR_BGR2LAB).reshape(len(qs), -1, 3).astype(np.float32)
    med = np.median(lab, axis=1, keepdims=True)
    chroma = np.sqrt(_channel_sum((lab[..., 1:] - med[..., 1:]) ** 2))
    light = np.abs(lab[..., 0] - med[..., 0])
    colours = np.minimum(1.0, np.percentile(chroma, 90, axis=1) / 8)
    shades = np.minimum(1.0, np.percentile(light, 90, axis=1) / 40)
    return (0.6 + 0.4 * colours) * (0.6 + 0.4 * shades)


def _shrink(img: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
    """``img`` with its long side at most ``side``, and the scale (x, y) from ``img`` to it. Exact halvings by
    area (2×2 means: a fast path) while the result stays at least ``side``, then one bilinear step of more than
    1/2 (which still averages its neighbours): a general area resize of a 12-megapixel photo costs ~40 ms."""
    h, w = img.shape[:2]
    sx, sy = 1.0, 1.0
    while max(h, w) // 2 >= side:
        h, w = h // 2 * 2, w // 2 * 2  # the odd last row or column goes: the origin stays put
        img = cv2.resize(img[:h, :w], (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        h, w, sx, sy = h // 2, w // 2, sx / 2, sy / 2
    if max(h, w) > side:
        f = side / max(h, w)
        nw, nh = max(1, round(w * f)), max(1, round(h * f))
        img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
        sx, sy = sx * nw / w, sy * nh / h
    return img, np.array([sx, sy], np.float32)


def _rescale(q: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Points ``q`` of an image scaled by ``s`` (x, y) from another, in that other's pixels (pixel centres at
    integers: a resize maps x to (x + 0.5) s - 0.5)."""
    return ((q + 0.5) * s - 0.5).astype(np.float32)


class Search:
    """The card search over one photo: ``candidates`` (rough outlines, best first) are cheap; ``refine``
    sharpens one of them, and is only paid for the outlines actually used."""

    def __init__(self, img: np.ndarray, limit: int = 3) -> None:
        self.candidates: list[Quad] = []
        self.img = img
        self._find(img, limit)

    def _find(self, img: np.ndarray, limit: int) -> None:
        mid, mid_scale = _shrink(img, MID_SIDE)  # refinement: sub-millimetre corners, cheap gradients
        small, small_scale = _shrink(mid, WORK_SIDE)
        area = float(small.shape[0] * small.shape[1])
        edges = _edge_map(small)
        steps = _Steps(small)
        cands: list[Quad] = []
        for method, mask in _masks(small):
            cands += _candidates_from_mask(mask, method, area)
        found = _straight_lines(edges)
        cands += _line_quads(edges, area, found=found)

        def rank(cs: list[Quad]) -> list[Quad]:
            # a card-shaped outline on edges all round; of several (text rows and the photo also make rectangles),
            # the card is the largest
            if not cs:
                return []
            qs = np.stack([c.points for c in cs])
            sc = np.array([c.score for c in cs]) * steps.supports(qs) ** 6 * np.sqrt(_areas(qs) / area)
            top = np.argsort(-sc, kind="stable")[:CONTENT_TOP]
            sc[top] *= _content(small, qs[top])
            return [Quad(cs[k].points, float(sc[k]), cs[k].method) for k in np.argsort(-sc, kind="stable")]

        scored = rank(cands)
        if not scored or scored[0].score < 0.45:  # clutter or a sheet of paper round the card: look further in
            seen = {c.points.tobytes() for c in cands}
            more = _line_quads(edges, area, extremes=6, found=found, steps=steps)
            more = [c for c in more if c.points.tobytes() not in seen]
            scored = sorted(scored + rank(more), key=lambda c: -c.score)
        picked: list[Quad] = []
        for c in scored:
            if c.score < ROUGH_MIN or len(picked) == POOL:
                break
            if any(np.abs(c.points - p.points).max() < 0.02 * max(small.shape) for p in picked):
                continue  # the same outline found twice
            picked.append(c)
        self._mid, self._mid_scale = mid, mid_scale
        self._small, self._small_scale = small, small_scale
        self._grad = _Gradients(mid)
        self._refined: dict[int, Quad] = {}
        self._raw: dict[int, float] = {}  # refined outlines' scores before the run-on weight, by id
        # the rough outlines are refined (a few ms each), best first, and re-ranked by how much of each lies on
        # one straight step per side: the rough score is measured on a coarse image, where a receipt's text
        # bars or a phone next to the card look as good as the card's own edge
        ranked: list[tuple[float, Quad, Quad]] = []
        roughs = [Quad(_rescale(c.points, 1 / small_scale), c.score, c.method) for c in picked]
        for rough in roughs:
            fine = self._fit(rough)
            ranked.append((fine.score, rough, fine))
            if fine.score >= SURE:  # a clear card: the outlines after it are refined only if asked for
                break
        n_refined = len(ranked)
        # three-sided outlines are not ranked with the others (their unseen side shows no step on the search
        # image, though the refinement on the finer image often finds it): unless a card seen all round is
        # there, the best few on their three seen sides are refined too (also when the rough ranking looked
        # sure: a receipt's or a sheet's piece ranks high there and only loses once its sides are seen to run on)
        if max((x[0] for x in ranked), default=0.0) < THREE_SIDE_BELOW:
            shapes, sifted = _three_side_quads(edges.shape, found, area, steps)
            ranked += self._three_sided(shapes, THREE_SIDE_POOL, picked, steps)
            # the sifted ones apart, not to crowd out the best shapes, and only where they outscore every outline so
            # far: the reader's other outlines stay as they were unless the card is found
            best = max((x[0] for x in ranked), default=0.0)
            ranked += self._three_sided(sifted, THREE_SIDE_SIFT_POOL, picked, steps, best)
        if max((x[0] for x in ranked), default=0.0) < CLEAR:
            ranked += self._swapped(ranked, found, steps)
            bases = self._slide_bases(ranked)
            for base in bases:
                ranked += self._slid(ranked, base)
            # and the best outline now, unless its sides were slid already or it is clear: a swapped or three-sided
            # outline that took three of the card's sides, its fourth on a clutter edge or the paper's
            top = max(ranked, key=lambda x: x[0])[2]
            if top.score < CLEAR and not any(top is b for b in bases):
                ranked += self._slid(ranked, top)
        ranked.sort(key=lambda x: -x[0])
        ranked = self._near_refits(ranked)
        ranked = [x for x in ranked if x[0] >= FINAL_MIN]
        tol = self._same_tol
        distinct: list[tuple[float, Quad, Quad]] = []
        for x in ranked:  # two rough outlines often refine to one: the reader's tries must differ
            if not any(_same_outline(x[2].points, y[2].points, tol) for y in distinct):
                distinct.append(x)
        ranked = _outer_first(distinct, self._raw)[:limit]
        if not ranked:
            best = max((x.score for x in scored), default=0.0)
            raise CardNotFound(f"no card-shaped outline found (best score {best:.2f})")
        self.candidates = [Quad(r.points, f, r.method) for f, r, _ in ranked]
        for (_, _, fine), cand in zip(ranked, self.candidates, strict=True):
            self._refined[id(cand)] = fine
        # not yet refined (after a clear card): their rough score, refined by ``refine`` when used
        self.candidates += roughs[n_refined:][: limit - len(self.candidates)]

    def _three_sided(
        self, three: list[Quad], pool: int, picked: list[Quad], steps: _Steps, above: float = 0.0
    ) -> list[tuple[float, Quad, Quad]]:
        """The best ``pool`` of the three-sided outlines ``three`` (search image) on their three seen sides, shape,
        size and content, refined, those scoring more than ``above`` kept; those within 2 % of the photo of an
        outline ``picked`` are left out, and the others added to it."""
        if not three:
            return []
        small = self._small
        area = float(small.shape[0] * small.shape[1])
        qs = np.stack([c.points for c in three])
        key = np.array([c.score for c in three]) * steps.seen_sides(qs) ** 6 * np.sqrt(_areas(qs) / area)
        key *= _content(small, qs)
        out: list[tuple[float, Quad, Quad]] = []
        for k in np.argsort(-key, kind="stable"):
            if len(out) == pool or key[k] < THREE_SIDE_MIN:
                break
            if any(np.abs(three[k].points - p.points).max() < 0.02 * max(small.shape) for p in picked):
                continue
            picked.append(three[k])
            rough = Quad(_rescale(three[k].points, 1 / self._small_scale), three[k].score, three[k].method)
            fine = self._fit(rough)
            out.append((fine.score, rough, fine))
        return [x for x in out if x[0] > above]

    def _swapped(
        self, ranked: list[tuple[float, Quad, Quad]], found: tuple[list[list], list[float]], steps: _Steps
    ) -> list[tuple[float, Quad, Quad]]:
        """The best refined outlines with one or two sides swapped for other straight lines (``_side_swaps``),
        ranked on the search image as the rough outlines are, the best few refined: a side on a clutter edge
        beside the card, or an outline on a printed box, leaves the card's own edge unused."""
        small = self._small
        h, w = small.shape[:2]
        area = float(h * w)
        tol = 0.02 * max(h, w)
        seen = [_rescale(_rescale(f.points, self._mid_scale), self._small_scale) for _, _, f in ranked]
        qs = []
        # the best before the run-on weight: a clutter piece that took the card's edge for a side is where the
        # card's other sides are swapped in
        for _, _, f in sorted(ranked, key=lambda x: -self._raw.get(id(x[2]), x[0]))[:SWAP_FROM]:
            qs.append(_side_swaps(_rescale(_rescale(f.points, self._mid_scale), self._small_scale), found, (w, h)))
        q = np.concatenate(qs) if qs else np.zeros((0, 4, 2))
        q = q[(q[..., 0] >= -0.05 * w).all(1) & (q[..., 1] >= -0.05 * h).all(1)]
        q = q[(q[..., 0] <= 1.05 * w).all(1) & (q[..., 1] <= 1.05 * h).all(1)]
        frac = _areas(q) / area
        q = q[(frac >= 0.03) & (frac <= 0.98) & _convex(q)]
        if not len(q):
            return []
        q = _order_many(q, (w, h))
        sc = _quad_scores(q, area, (w, h))
        q, sc = q[sc > 0.05], sc[sc > 0.05]
        if not len(q):
            return []
        key = sc * steps.supports(q) ** 6 * np.sqrt(_areas(q) / area)
        top = np.argsort(-key, kind="stable")[:CONTENT_TOP]
        key[top] *= _content(small, q[top])
        out: list[tuple[float, Quad, Quad]] = []
        for k in np.argsort(-key, kind="stable"):
            if len(out) == SWAP_REFINE or key[k] < ROUGH_MIN:
                break
            if any(np.abs(q[k] - p).max() < tol for p in seen):
                continue
            seen.append(q[k])
            rough = Quad(_rescale(q[k], 1 / self._small_scale), float(key[k]), "swap")
            fine = self._fit(rough)
            out.append((fine.score, rough, fine))
        return out

    def _slide_bases(self, ranked: list[tuple[float, Quad, Quad]]) -> list[Quad]:
        """The refined outlines whose sides ``_slid`` moves: the best before the upright weight (the portrait's box
        standing in a faint card is where the card's own sides are sought), and, unless it is good, the next
        other one too (the best may be a clutter outline beside the card, the card's printed box second)."""
        if not ranked:
            return []
        key = [self._raw.get(id(x[2]), x[0]) / max(float(_upright(x[2].points[None])[0]), 1e-6) for x in ranked]
        order = sorted(range(len(ranked)), key=lambda k: -key[k])
        bases = [ranked[order[0]][2]]
        if max(x[0] for x in ranked) < SLIDE_SECOND:
            tol = self._same_tol
            for k in order[1:]:
                if not _same_outline(ranked[k][2].points, bases[0].points, tol):
                    bases.append(ranked[k][2])
                    break
        return bases

    def _slid(self, ranked: list[tuple[float, Quad, Quad]], best: Quad) -> list[tuple[float, Quad, Quad]]:
        """The refined outline ``best`` with one or two adjacent sides slid to other straight steps in or out of
        it (``_edge_lines``), on the finer image: a card's edge too faint for the search image's straight lines
        (light on a light desk or receipt) beside an outline on a printed box, the portrait's box or a clutter
        edge. The most card-shaped few on the best supported steps are refined, and apart from them the few using a
        faint step (a light card's edge on a white sheet or receipt). So is the most card-shaped variant only a few
        millimetres from an outline already refined, from where it lies (``NEAR_WINDOW``, ``NEAR_PRIOR``): a faint
        card edge 2-5 mm inside a clutter edge (a receipt's, a text bar) loses the usual refinement to it. A side
        turned from the opposite one (``_askew_side``) is also slid to the steps running along the opposite side that
        its own search does not cover, and the few most card-shaped such variants are refined apart, from where they
        lie: a side on a receipt's text bar turned 10-30° from the card's faint edge, whose bars, all running along
        it, are every line found around it."""
        mid = self._mid
        h, w = mid.shape[:2]
        q = _rescale(best.points, self._mid_scale).astype(np.float64)
        q = q[::-1] if _signed_area(q) < 0 else q  # clockwise (y down): the normals point in
        lines = [np.array([q[i], q[(i + 1) % 4]]) for i in range(4)]
        options: list[list[tuple[np.ndarray, int]]] = []  # each side's other lines, and their kind (``STRONG`` ...)
        for i in range(4):
            across = (np.linalg.norm(q[(i + 2) % 4] - q[(i + 1) % 4]) + np.linalg.norm(q[(i + 3) % 4] - q[i])) / 2
            got: list[tuple[np.ndarray, int]] = []
            askew = _askew_side(q, i)
            for lo, hi in ((-0.02 * across, SLIDE_IN * across), (-SLIDE_OUT * across, 0.02 * across)):
                strong, faint = _edge_lines(self._grad, q[i], q[(i + 1) % 4], lo, hi, SLIDE_LINES, 0.03 * across)
                got += [(x, STRONG) for x in strong] + [(x, FAINT) for x in faint]
                if askew is not None:
                    a, b, turned = askew
                    strong, faint = _edge_lines(self._grad, a, b, lo, hi, SLIDE_LINES, 0.03 * across, turned)
                    got += [(x, ASKEW) for x in strong + faint]
            options.append(got)
        variants = []
        kinds = []  # its lines' highest kind: faint and askew variants are ranked apart, not to crowd out the others
        for i in range(4):
            j = (i + 1) % 4
            for li, ki in options[i]:
                v = list(lines)
                v[i] = li
                variants.append(v)
                kinds.append(ki)
                for lj, kj in options[j]:
                    v2 = list(v)
                    v2[j] = lj
                    variants.append(v2)
                    kinds.append(max(ki, kj))
        if not variants:
            return []
        qs = np.array([[_cross_point(v[k - 1], v[k]) for k in range(4)] for v in variants])
        kind = np.array(kinds)
        ok = np.isfinite(qs).all(axis=(1, 2))
        ok &= (qs[..., 0] >= -0.05 * w).all(1) & (qs[..., 1] >= -0.05 * h).all(1)
        ok &= (qs[..., 0] <= 1.05 * w).all(1) & (qs[..., 1] <= 1.05 * h).all(1)
        qs, kind = qs[ok], kind[ok]
        if not len(qs):
            return []
        ok = _convex(qs)
        qs, kind = qs[ok], kind[ok]
        if not len(qs):
            return []
        qs = _order_many(qs, (w, h))
        sc = _quad_scores(qs, float(h * w), (w, h))
        tol, close = 0.02 * max(h, w), 0.006 * max(h, w)
        # the first refinement pass looks this far from each side (``_refine``): a variant within it of the outline
        # it came from would be moved straight back
        base = _rescale(best.points, self._mid_scale)
        reach = REFINE_WINDOW * _long_side(base)
        seen = [_rescale(x[2].points, self._mid_scale) for x in ranked]
        out: list[tuple[float, Quad, Quad]] = []
        near = None  # the most card-shaped variant that close to an outline seen, but not the same

        def refine_best(
            tier: np.ndarray, most: int, near_too: bool, window: float = REFINE_WINDOW, above: float = 0.0,
            prior: float = 1.0,
        ) -> None:
            nonlocal near
            n = 0
            for k in np.flatnonzero(tier)[np.argsort(-sc[tier], kind="stable")]:
                if n == most or sc[k] < 0.3:
                    break
                q32 = qs[k].astype(np.float32)
                if (
                    near_too
                    and (near is None or sc[k] > sc[near])
                    and any(_same_outline(q32, p, reach) for p in seen)
                    and not any(_same_outline(q32, p, close) for p in seen)
                ):
                    near = k
                if any(_same_outline(q32, p, tol) for p in seen):
                    continue
                seen.append(q32)
                rough = Quad(q32, float(sc[k]), "slide")
                fine = self._fit(rough, window, prior)
                if fine.score > above:
                    out.append((fine.score, rough, fine))
                n += 1

        refine_best(kind == STRONG, SLIDE_REFINE, True)
        refine_best(kind == FAINT, FAINT_REFINE, True)
        if near is not None:
            # a side slid by a few millimetres onto a faint card edge beside a clutter edge: refined from where it is
            rough = Quad(qs[near].astype(np.float32), float(sc[near]), "slide")
            fine = self._fit(rough, NEAR_WINDOW, NEAR_PRIOR)
            # refined onto an outline already there (within 0.5 % of its long side, about 0.4 mm), it is no other
            # outline but a rival fit of the same one
            q = _rescale(fine.points, self._mid_scale)
            same = 0.005 * _long_side(q)
            if not any(_same_outline(q, _rescale(x[2].points, self._mid_scale), same) for x in ranked + out):
                out.append((fine.score, rough, fine))
        # a side on the card's edge askew to a clutter edge close by (a text bar crossing it) is not moved onto it; kept
        # only where it outscores the outline it was slid from: the reader's other outlines stay unless it is better.
        # Refined from where it lies, it is weighed as the near variants are: a step beside the card's edge (a printed
        # line, a shadow's) holds such a variant as well as the usual refinement would have moved it off
        refine_best(kind == ASKEW, ASKEW_REFINE, False, NEAR_WINDOW, best.score, NEAR_PRIOR)
        return out

    def _near_refits(self, ranked: list[tuple[float, Quad, Quad]]) -> list[tuple[float, Quad, Quad]]:
        """``ranked`` (best first) with the rough outlines of its ``NEAR_TOP`` best distinct outlines refined again from
        where they lie (``NEAR_WINDOW``, weighed ``NEAR_PRIOR``) where the usual refinement moved a corner further than
        that reaches; such a fit replaces the usual one where it scores better, at least ``NEAR_SURE``, and lies inside
        it. The first, wide window can take a stronger clutter edge beside the card's edge (a receipt's, a phone's),
        and the outline on it then scores below the card's own; several rough outlines often refine to one such
        outline, the one nearest the card among them."""
        tol = self._same_tol
        tops: list[np.ndarray] = []  # the distinct refined outlines whose rough outlines are looked at
        roughs: list[np.ndarray] = []  # rough outlines refined again: one found by two methods counts once
        out = list(ranked)
        for k, (score, rough, fine) in enumerate(ranked):
            if not any(_same_outline(fine.points, p, tol) for p in tops):
                if len(tops) == NEAR_TOP:
                    break
                tops.append(fine.points)
            moved = float(np.abs(_rescale(fine.points, self._mid_scale) - rough.points).max())
            if moved <= NEAR_WINDOW * _long_side(rough.points):
                continue
            if any(_same_outline(rough.points, p, 0.01 * max(self._mid.shape[:2])) for p in roughs):
                continue
            roughs.append(rough.points)
            near = self._fit(rough, NEAR_WINDOW, NEAR_PRIOR)
            # only inside the usual fit: that one moved out onto an edge beside the card, never in from the card's
            # shadow (whose outer edge, kept, scores well too)
            inside = _areas(near.points[None])[0] < _areas(fine.points[None])[0]
            if inside and near.score > score and near.score >= NEAR_SURE:
                out[k] = (near.score, rough, near)
        return sorted(out, key=lambda x: -x[0])

    @property
    def _same_tol(self) -> float:
        """How far (full-size pixels) two refined outlines' corners may lie apart and be the same outline."""
        return 0.02 * max(self._mid.shape[:2]) / self._mid_scale.min()

    def _fit(self, rough: Quad, window: float = REFINE_WINDOW, prior: float = 1.0) -> Quad:
        """``rough`` refined (first pass ``window``, a share of its long side, then a close one) and scored, the
        score weighed by ``prior``."""
        q, _ = _refine(self._grad, rough.points, window)
        q, sides = _refine(self._grad, q, 0.012)
        support = float(sides.mean())
        size = (self._mid.shape[1], self._mid.shape[0])
        q = _order(q, size)
        aspect = card_aspect(q, size)
        shape = math.exp(-(((aspect - CARD_ASPECT) / 0.15) ** 2)) * float(_upright(q[None])[0])
        content = float(_content(self._small, _rescale(q, self._small_scale)[None])[0])
        # the refined outline's own evidence decides: how much of it lies on one straight step per side, its shape
        # and what is inside (the rough score, measured on a coarse image, only chose which outlines to refine)
        # a side whose step runs on past its corner is a larger rectangle's (a receipt, a sheet), not the card's
        over = np.clip((_run_on(self._grad, q) - RUN_ON_FREE) / (1.0 - RUN_ON_FREE), 0.0, 1.0)
        ends = float(np.prod(1.0 - RUN_ON_WEIGHT * over))
        # a three-sided outline is a fallback, unless its fourth side was found on the finer image after all
        if rough.method == "lines3":
            lo, hi = THREE_SIDE_FOUND
            seen = float(np.clip((sides.min() - lo) / (hi - lo), 0.0, 1.0))
            prior *= THREE_SIDE_PRIOR + (1.0 - THREE_SIDE_PRIOR) * seen
        score = content * support**6 * shape * ends * prior
        fine = Quad(_rescale(q, 1 / self._mid_scale), score, rough.method)  # a scaled copy: the same order
        self._raw[id(fine)] = score / ends if ends > 0 else 0.0
        return fine

    def refine(self, rough: Quad) -> Quad:
        """``rough`` (one of ``candidates``) with each side fitted to the card's edge, in photo pixels."""
        got = self._refined.get(id(rough))
        return got if got is not None else self._fit(rough)


def find_card(img: np.ndarray) -> Quad:
    """The most card-like outline in ``img`` (BGR). Raises CardNotFound."""
    search = Search(img, limit=1)
    return search.refine(search.candidates[0])


def rectify(img: np.ndarray, quad: Quad, ppm: float = PPM) -> np.ndarray:
    """The card, flat and upright, at ``ppm`` pixels per millimetre."""
    cw, ch = round(CARD_W_MM * ppm), round(CARD_H_MM * ppm)
    dst = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32)
    m = cv2.getPerspectiveTransform(quad.points.astype(np.float32), dst)
    return cv2.warpPerspective(img, m, (cw, ch), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
