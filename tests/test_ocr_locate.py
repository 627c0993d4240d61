"""The card locator's edge evidence and its outlines, on drawn photos (no OCR)."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from taimen.ocr import locate


def _quad(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def _text_rows(img: np.ndarray, x0: int, y0: int) -> None:
    """Five dark rows of "text" at the left of a card whose top left corner is (x0, y0)."""
    for r in range(5):
        cv2.line(img, (x0 + 25, y0 + 40 + 38 * r), (x0 + 200, y0 + 40 + 38 * r), (70, 50, 50), 4)


def _print_face(img: np.ndarray, x0: int, y0: int, w: int) -> None:
    """A card's printed face: a plain portrait block at the right and the text rows."""
    cv2.rectangle(img, (x0 + w - 120, y0 + 40), (x0 + w - 25, y0 + 160), (150, 170, 200), -1)
    _text_rows(img, x0, y0)


def test_support_counts_only_steps_along_the_side() -> None:
    img = np.full((400, 600, 3), 120, np.uint8)
    cv2.rectangle(img, (100, 100), (400, 290), (235, 235, 240), -1)
    for k in range(-600, 600, 14):  # diagonal text bars to the right of the card
        cv2.line(img, (420 + k, 0), (420 + k + 400, 400), (40, 40, 40), 4)
    img[:, :410] = np.where(img[:, :410] == 40, 120, img[:, :410])
    cv2.rectangle(img, (100, 100), (400, 290), (235, 235, 240), -1)
    steps = locate._Steps(img)
    assert steps.support(_quad(100, 100, 400, 290)) > 0.9
    # an outline over the bars: edges everywhere near it (a dilated edge map says yes), none along it
    bars = _quad(440, 100, 590, 290)
    edges = cv2.dilate(cv2.Canny(img, 20, 60), np.ones((7, 7), np.uint8))
    assert locate._support(edges, bars) > 0.9
    assert steps.support(bars) < 0.3


def test_card_lying_on_a_sheet_is_found_inside_it() -> None:
    img = np.full((720, 1000, 3), (110, 115, 120), np.uint8)
    cv2.rectangle(img, (150, 120), (900, 680), (245, 245, 245), -1)  # a sheet of paper
    w, h = 428, 270  # 85.6 × 54 mm at 5 px/mm
    x0, y0 = 300, 250
    cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), (215, 200, 245), -1)  # a pink card on it
    for r in range(6):
        cv2.line(img, (x0 + 30, y0 + 40 + 35 * r), (x0 + 250, y0 + 40 + 35 * r), (60, 40, 40), 5)
    quad = locate.find_card(img)
    err = np.abs(quad.points - _quad(x0, y0, x0 + w, y0 + h)).max()
    assert err < 3, quad.points


def test_same_photo_same_outline() -> None:
    rng = np.random.default_rng(5)
    img = rng.integers(60, 140, (600, 900, 3), dtype=np.uint8)
    img = cv2.GaussianBlur(img, (0, 0), 2)
    cv2.rectangle(img, (200, 150), (628, 420), (230, 235, 240), -1)
    a = locate.find_card(img).points
    cv2.HoughLinesP(np.eye(64, dtype=np.uint8) * 255, 1, np.pi / 180, 10)  # moves OpenCV's random state
    b = locate.find_card(img).points
    assert np.array_equal(a, b)


def test_id_card_beats_a_white_card_of_its_size_beside_it() -> None:
    """A membership or business card as large as the ID card and of its shape, white with grey text rows and a
    crisper edge: only what is inside tells them apart (an ID card has a colour portrait beside its text)."""
    img = np.full((720, 1100, 3), (95, 100, 105), np.uint8)
    img = cv2.add(img, np.random.default_rng(0).integers(0, 6, img.shape, dtype=np.uint8))
    w, h = 394, 248  # 85.6 × 54 mm at 4.6 px/mm
    x0, y0 = 80, 200
    cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), (228, 226, 236), -1)
    cv2.rectangle(img, (x0 + w - 120, y0 + 40), (x0 + w - 25, y0 + 160), (205, 190, 170), -1)  # portrait
    cv2.ellipse(img, (x0 + w - 72, y0 + 85), (28, 34), 0, 0, 360, (120, 160, 215), -1)
    cv2.ellipse(img, (x0 + w - 72, y0 + 160), (45, 40), 0, 180, 360, (90, 60, 50), -1)
    _text_rows(img, x0, y0)
    bx, by, bw, bh = 620, 180, 405, 255  # the white card, 3 % larger
    cv2.rectangle(img, (bx, by), (bx + bw, by + bh), (250, 250, 250), -1)
    for r in range(8):
        cv2.line(img, (bx + 60, by + 30 + 28 * r), (bx + bw - 60, by + 30 + 28 * r), (60, 60, 60), 6)
    quad = locate.find_card(img)
    assert np.abs(quad.points - _quad(x0, y0, x0 + w, y0 + h)).max() < 3, quad.points


def test_corners_of_a_large_photo_keep_their_pixel_centres() -> None:
    """The search runs on a copy shrunk about 6×; mapping its points back must respect pixel centres (a resize
    maps x to (x + 0.5) s - 0.5), or every corner lands about half a shrunk pixel up and left."""
    img = np.full((3000, 4000, 3), (90, 100, 110), np.uint8)
    x0, y0, w, h = 1203, 911, 1712, 1080  # 20 px/mm
    cv2.rectangle(img, (x0, y0), (x0 + w - 1, y0 + h - 1), (230, 235, 240), -1)  # edges at x0 - 0.5 and so on
    cv2.rectangle(img, (x0 + 1200, y0 + 200), (x0 + 1600, y0 + 700), (150, 120, 200), -1)
    for r in range(6):
        cv2.line(img, (x0 + 100, y0 + 150 + 120 * r), (x0 + 900, y0 + 150 + 120 * r), (60, 40, 40), 20)
    quad = locate.find_card(img)
    assert np.abs(quad.points - (_quad(x0, y0, x0 + w, y0 + h) - 0.5)).max() < 0.6, quad.points


def test_outline_arrays_match_one_by_one() -> None:
    """The candidate outlines are ordered, scored and checked against the edges as arrays; each row must be
    what the single-outline functions give."""
    rng = np.random.default_rng(3)
    noisy = _quad(50, 60, 300, 400) + rng.normal(0, 15, (4, 2))
    qs = np.concatenate([[_quad(100, 80, 400, 270), noisy], rng.uniform(0, 500, (40, 4, 2))]).astype(np.float32)
    ordered = locate._order_many(qs)
    img = cv2.GaussianBlur(rng.integers(0, 255, (360, 520, 3), dtype=np.uint8), (0, 0), 3)
    cv2.rectangle(img, (100, 80), (400, 270), (250, 250, 250), -1)
    steps = locate._Steps(img)
    scores = locate._quad_scores(ordered, 520 * 360.0, (520, 360))
    supports = steps.supports(ordered)
    assert supports[0] > 0.9 and scores[0] > 0.3
    for k, q in enumerate(qs):
        assert np.array_equal(ordered[k], locate._order(q))
        assert scores[k] == pytest.approx(locate._quad_score(ordered[k], 520 * 360.0, (520, 360)))
        assert supports[k] == pytest.approx(steps.support(ordered[k]))


def test_side_stays_on_the_card_not_on_a_sheet_edge_beside_it() -> None:
    """A sheet of paper under the card whose edge runs parallel 3 mm outside the lower three quarters of the
    card's right side: both are long straight steps, but the sheet's edge is not the card's (the outermost
    line is preferred only within a printed band's width, ~1 mm, of the best supported one)."""
    img = np.full((720, 1000, 3), (100, 105, 110), np.uint8)
    w, h = 428, 270  # 85.6 × 54 mm at 5 px/mm
    x0, y0 = 250, 200
    cv2.rectangle(img, (x0 + 120, y0 + 70), (x0 + w + 15, 660), (245, 245, 245), -1)  # the sheet, edge 3 mm out
    cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), (200, 185, 240), -1)
    _print_face(img, x0, y0, w)
    quad = locate.find_card(img)
    assert np.abs(quad.points - _quad(x0, y0, x0 + w, y0 + h)).max() < 3, quad.points


def test_card_with_one_side_unseen_on_a_light_desk() -> None:
    """A white card on a light desk, a shadow along its bottom and right sides and a sticky note under its top
    right: its left side shows no step at all, the top one only on the note. The unseen side is put where the
    seen sides end (the bottom's shadow runs to the corner), within a millimetre."""
    img = np.full((720, 1000, 3), (236, 240, 244), np.uint8)
    w, h = 428, 270  # 85.6 × 54 mm at 5 px/mm
    x0, y0 = 200, 260
    cv2.rectangle(img, (x0 + 150, y0 - 140), (x0 + w + 60, y0 + 60), (90, 220, 240), -1)  # the note
    cv2.rectangle(img, (x0 + 6, y0 + 6), (x0 + w + 6, y0 + h + 6), (150, 152, 155), -1)  # the shadow, soft
    img = cv2.GaussianBlur(img, (0, 0), 4)
    cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), (246, 246, 246), -1)
    _print_face(img, x0, y0, w)
    quad = locate.find_card(img)
    assert np.abs(quad.points - _quad(x0, y0, x0 + w, y0 + h)).max() < 5, quad.points


def _same(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    """The same outline within ``tol`` px, whichever corner it starts at and whichever way round."""
    return any(np.abs(np.roll(c, k, axis=0) - b).max() < tol for c in (a, a[::-1]) for k in range(4))


def _faint_card(desk: tuple[int, int, int]) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A white card barely lighter than the ``desk``, with its portrait's box running to its right and bottom
    edges and its text rows, blurred: the photo and the card's box (x, y, width, height)."""
    img = np.full((720, 1000, 3), desk, np.uint8)
    x0, y0, w, h = 250, 220, 428, 270
    cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), (238, 240, 242), -1)
    cv2.rectangle(img, (x0 + w - 135, y0 + 68), (x0 + w, y0 + h), (150, 140, 180), -1)
    cv2.ellipse(img, (x0 + w - 68, y0 + 130), (30, 36), 0, 0, 360, (120, 160, 215), -1)
    _text_rows(img, x0, y0)
    img = cv2.GaussianBlur(img, (0, 0), 1.2)
    return img, (x0, y0, w, h)


def test_the_outlines_offered_to_the_reader_differ() -> None:
    """A portrait box on a card too faint to be seen: the edge search and the colour search find the same box,
    ordered from another corner. The reader tries each outline offered (an OCR pass each): they must differ."""
    img, _ = _faint_card((221, 224, 227))
    search = locate.Search(img)
    outlines = [search.refine(c).points for c in search.candidates]
    assert all(not _same(a, b, 5) for k, a in enumerate(outlines) for b in outlines[k + 1 :]), outlines


def _lines(*sides: tuple[float, float]) -> tuple[list[list], list[float]]:
    """``locate._straight_lines``'s answer for straight lines given as (theta, rho), each 200 px long."""
    return [[t, r, 200.0, (0.0, 0.0), 200.0, []] for t, r in sides], []


def test_a_side_on_a_clutter_edge_is_swapped_for_the_card_edge() -> None:
    """An outline whose left side lies on a phone's edge 12 mm beside the card: with the card's own left edge
    among the straight lines found, one of the outlines with a swapped side is the card."""
    card = _quad(300, 200, 728, 470)
    wrong = _quad(240, 200, 728, 470)
    found = _lines((0.0, 300.0), (0.0, 240.0), (math.pi / 2, 200.0), (math.pi / 2, 470.0), (0.0, 728.0))
    swaps = locate._side_swaps(wrong, found, (1000, 720))
    assert any(_same(q, card, 0.5) for q in swaps)


def _ranked(*outlines: tuple[float, np.ndarray]) -> list[tuple[float, locate.Quad, locate.Quad]]:
    return [(s, locate.Quad(q, s, "lines"), locate.Quad(q, s, "lines")) for s, q in outlines]


def test_a_printed_box_along_the_card_edge_yields_to_the_card() -> None:
    """The portrait's box runs to the card's right and bottom edges and has sharper edges than the card on a
    light desk: the card, nearly as well supported, goes first. A card inside a sheet of paper (no common side)
    or inside an outline that adds only a strip beside it stays first."""
    card = _quad(300, 200, 728, 470)
    box = _quad(593, 268, 728, 470)
    order = locate._outer_first(_ranked((0.68, box), (0.45, card)))
    assert [x[0] for x in order] == [0.45, 0.68]
    sheet = _quad(150, 100, 900, 680)
    assert [x[0] for x in locate._outer_first(_ranked((0.83, card), (0.6, sheet)))] == [0.83, 0.6]
    receipt = _quad(300, 30, 728, 470)  # the card's sides and a receipt's edge 34 mm above: 1.6 × its area
    assert [x[0] for x in locate._outer_first(_ranked((0.83, card), (0.6, receipt)))] == [0.83, 0.6]


def test_card_too_faint_for_the_search_is_found_round_its_portrait_box() -> None:
    """A white card on a light desk, its portrait's box running to its right and bottom edges: the search
    image shows only the box (the card's edge is under its step threshold), but the finer image shows the card's
    left and top edges as straight steps out of the box; sliding those two sides there finds the card."""
    img, (x0, y0, w, h) = _faint_card((220, 223, 226))
    quad = locate.find_card(img)
    assert np.abs(quad.points - _quad(x0, y0, x0 + w, y0 + h)).max() < 3, quad.points


def test_a_faint_card_edge_among_strong_print_is_a_line_to_slide_to() -> None:
    """A light card's edge on a light desk, 150 px into a side, with grey print strokes between them in every
    sample row (the rest of the card's face, beside its portrait's box): the faint straight step is still offered
    as a line (the print's steps, four times stronger, make no straight line)."""
    img = np.full((400, 400, 3), 212, np.uint8)
    img[:, 150:] = 232  # the card from x = 150, the desk left of it
    rng = np.random.default_rng(1)
    for y in range(0, 400, 6):
        x = int(rng.integers(170, 280))
        cv2.line(img, (x, y), (x, y + 5), (130, 130, 130), 3)
    img = cv2.GaussianBlur(img, (0, 0), 1.0)
    a, b = np.array([300.0, 40.0], np.float32), np.array([300.0, 360.0], np.float32)
    lines, _ = locate._edge_lines(locate._Gradients(img), b, a, -250, 10, 3, 8)
    assert any(np.abs(ln[:, 0] - 150).max() < 3 for ln in lines), lines


def test_a_card_edge_fainter_than_a_tenth_of_its_print_is_a_faint_line() -> None:
    """A light card's edge on white paper steps far less than a tenth of its black print, and runs askew to the
    side it would replace (the outline took the paper's edge): the strong vote misses it, the faint one offers
    it, and none of the lines the strong vote found again."""
    img = np.full((400, 400, 3), 228, np.uint8)
    # the card right of the line from (150, 380) to (210, 20): slope 0.17 against a vertical side
    cv2.fillConvexPoly(img, np.array([[150, 380], [210, 20], [400, 20], [400, 380]], np.int32), (240, 240, 240))
    rng = np.random.default_rng(3)
    for y in range(30, 370, 7):  # black print strokes inside the card, in every sample row
        x = int(rng.integers(250, 330))
        cv2.line(img, (x, y), (x, y + 4), (20, 20, 20), 2)
    img = cv2.GaussianBlur(img, (0, 0), 1.0)
    a, b = np.array([110.0, 20.0], np.float32), np.array([110.0, 380.0], np.float32)  # a side down the paper edge
    strong, faint = locate._edge_lines(locate._Gradients(img), b, a, -10, 200, 3, 8)

    def on_edge(ln: np.ndarray) -> bool:  # the ends over b (y = 380) and a (y = 20)
        return abs(ln[0, 0] - 150) < 4 and abs(ln[1, 0] - 210) < 4

    assert not any(on_edge(ln) for ln in strong), strong
    assert any(on_edge(ln) for ln in faint), faint
    assert not any(np.abs(f - s).max() < 4 for f in faint for s in strong)


def _pinhole(yaw_deg: float, pitch_deg: float, size: tuple[int, int] = (1000, 720)) -> np.ndarray:
    """The corners (tl, tr, br, bl) of an 85.6 × 54 card turned ``yaw_deg`` about its short axis and
    ``pitch_deg`` about its long one in front of a pinhole camera (focal length = the photo's long side), about
    the middle of a photo of ``size``."""
    w, h = 85.6, 54.0
    pts = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    a, b = math.radians(yaw_deg), math.radians(pitch_deg)
    yaw = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    pitch = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    cam = pts @ (pitch @ yaw).T + np.array([8.0, -5.0, 120.0])
    f = float(max(size))
    return (cam[:, :2] / cam[:, 2:3] * f + np.array(size) / 2).astype(np.float32)


def test_a_steeply_tilted_card_keeps_its_long_sides_on_top_and_bottom() -> None:
    """Turned 60° about its short axis (and 15° about its long one) the card's long sides image shorter than
    its short ones; ordered by the real rectangle they image, the long sides stay top and bottom (a quarter turn
    would rectify the card sideways, and the reader reads it only upright or upside down)."""
    q = _pinhole(60, 15)
    assert np.linalg.norm(q[1] - q[0]) < np.linalg.norm(q[2] - q[1])  # the image's long sides are the short ones
    ordered = locate._order(q[[1, 2, 3, 0]], (1000, 720))
    assert _same(ordered, q, 0.01) and abs(ordered[1, 1] - ordered[0, 1]) < abs(ordered[1, 0] - ordered[0, 0])
    assert locate.card_aspect(ordered, (1000, 720)) == pytest.approx(85.6 / 54, abs=0.02)


def test_an_outline_standing_upright_loses_to_the_card_lying_flat() -> None:
    """A colour print of a card's shape standing upright beside the card, crisper than the card on a light
    desk: an outline whose long sides run up the photo cannot be a card the reader can read (a quarter turn),
    as the portrait's box run on to the card's bottom edge is not; the card lying flat is found."""
    img = np.full((720, 1100, 3), (196, 200, 204), np.uint8)
    x0, y0, w, h = 80, 230, 428, 270
    cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), (236, 238, 240), -1)
    _print_face(img, x0, y0, w)
    bx, by, bw, bh = 640, 120, 290, 460  # upright, of an ID-1 card's proportions
    cv2.rectangle(img, (bx, by), (bx + bw, by + bh), (60, 120, 200), -1)
    cv2.circle(img, (bx + 140, by + 200), 90, (200, 170, 90), -1)
    cv2.rectangle(img, (bx + 30, by + 330), (bx + 260, by + 420), (40, 40, 40), -1)
    img = cv2.GaussianBlur(img, (0, 0), 1.0)
    quad = locate.find_card(img)
    assert np.abs(quad.points - _quad(x0, y0, x0 + w, y0 + h)).max() < 3, quad.points
    assert locate._upright(_quad(bx, by, bx + bw, by + bh)[[3, 0, 1, 2]][None])[0] < 0.1


def _pale_face(img: np.ndarray, x0: int, y0: int, w: int, h: int, ground: tuple[int, int, int]) -> None:
    """A pale card: its ground, a portrait block with a face, and the text rows."""
    cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), ground, -1)
    cv2.rectangle(img, (x0 + w - 120, y0 + 40), (x0 + w - 25, y0 + 160), (150, 170, 200), -1)
    cv2.circle(img, (x0 + w - 72, y0 + 90), 28, (120, 140, 210), -1)
    _text_rows(img, x0, y0)


def test_a_side_running_on_past_its_corner_is_a_larger_rectangles() -> None:
    img = np.full((600, 900, 3), (90, 95, 100), np.uint8)
    cv2.rectangle(img, (100, 50), (420, 590), (240, 240, 240), -1)  # a long white strip (a receipt, a sheet)
    cv2.rectangle(img, (520, 200), (820, 390), (235, 225, 245), -1)  # a card on its own
    grad = locate._Gradients(img)
    piece = np.array([[100, 50], [420, 50], [420, 252], [100, 252]], np.float64)  # the strip's card-shaped top
    runs = locate._run_on(grad, piece)
    assert runs[1] > 0.9 and runs[3] > 0.9  # its sides are the strip's edges, running on below it
    assert runs[0] < 0.1 and runs[2] < 0.1  # the strip's top ends at its corners; the cut across it has no step
    card = np.array([[520, 200], [820, 200], [820, 390], [520, 390]], np.float64)
    assert locate._run_on(grad, card).max() < 0.1


def test_card_on_a_sheet_is_not_joined_to_the_sheets_edge() -> None:
    # a pale card across a white sheet, its sides faint there: the card's left side with the sheet's right edge,
    # which runs on past the outline's corners, made a card-shaped outline 30 px wider than the card
    img = np.full((760, 1000, 3), (95, 100, 105), np.uint8)
    cv2.rectangle(img, (200, 60), (760, 740), (238, 238, 238), -1)
    w, h, x0, y0 = 428, 270, 300, 143
    cv2.rectangle(img, (x0 + 4, y0 + 6), (x0 + w + 4, y0 + h + 6), (150, 150, 150), -1)  # its shadow
    _pale_face(img, x0, y0, w, h, (222, 220, 228))
    quad = locate.find_card(img)
    with_shadow = _quad(x0, y0, x0 + w + 4, y0 + h + 6)
    assert np.abs(locate._order(quad.points) - with_shadow).max() < 4, quad.points


def test_card_half_on_a_receipt_is_found_from_its_three_clear_sides() -> None:
    # the card's left part lies on a white receipt: its left side makes no straight line on the search image, and
    # a card-shaped piece of the receipt (its edges and a text bar) ranked first; the piece's sides run on, and
    # the card is found from its three sides on the desk
    img = np.full((760, 1000, 3), (60, 62, 66), np.uint8)
    receipt = np.zeros_like(img)
    cv2.rectangle(receipt, (300, -200), (560, 1000), (240, 240, 240), -1)
    for y in range(-170, 1000, 34):
        cv2.line(receipt, (325, y), (535, y), (90, 90, 90), 9)
    m = cv2.getRotationMatrix2D((430, 380), 25, 1.0)
    receipt = cv2.warpAffine(receipt, m, (1000, 760))
    paper = cv2.rectangle(np.zeros((760, 1000), np.uint8), (300, -200), (560, 1000), 255, -1)
    mask = cv2.warpAffine(paper, m, (1000, 760))
    img[mask > 127] = receipt[mask > 127]
    w, h, x0, y0 = 428, 270, 400, 250
    _pale_face(img, x0, y0, w, h, (226, 228, 234))
    quad = locate.find_card(img)
    assert np.abs(locate._order(quad.points) - _quad(x0, y0, x0 + w, y0 + h)).max() < 3, quad.points


def _supports_per_point(
    steps: locate._Steps, qs: np.ndarray, reach: int = 3, strength: float = 40.0, samples: int = 40
) -> np.ndarray:
    """``side_supports`` as first written: both gradients gathered at every point, the whole step measured there."""
    gx, gy = np.stack(steps.gx, -1), np.stack(steps.gy, -1)
    qs = np.asarray(qs, np.float32)
    t = np.linspace(0.06, 0.94, samples, dtype=np.float32)[:, None]
    offs = np.arange(-reach, reach + 1, dtype=np.float32)
    d = np.roll(qs, -1, axis=1) - qs
    n = np.stack([-d[..., 1], d[..., 0]], -1) / (np.linalg.norm(d, axis=-1, keepdims=True) + 1e-9)
    pts = (qs[:, :, None, :] + d[:, :, None, :] * t)[:, :, :, None, :] + n[:, :, None, None, :] * offs[:, None]
    xs, ys = np.rint(pts[..., 0]).astype(np.int32), np.rint(pts[..., 1]).astype(np.int32)
    ok = (xs >= 0) & (xs < steps.w) & (ys >= 0) & (ys < steps.h)
    flat = np.clip(ys, 0, steps.h - 1) * steps.w + np.clip(xs, 0, steps.w - 1)
    px, py = gx[flat], gy[flat]
    nx, ny = n[:, :, None, None, None, 0], n[:, :, None, None, None, 1]
    across = np.sqrt(((px * nx + py * ny) ** 2).sum(-1))
    total = np.sqrt((px * px + py * py).sum(-1))
    good = ok & (across >= strength) & (across >= 0.85 * total)
    return good.any(axis=-1).sum(axis=2) / float(samples)


def test_side_supports_are_those_measured_point_by_point() -> None:
    """The whole step is measured once per pixel and the channels gathered apart (a speed change): every
    support must be bit for bit what the per-point measure gives, at every strength and sample count, for
    outlines in, across and outside the image."""
    rng = np.random.default_rng(11)
    img = cv2.GaussianBlur(rng.integers(0, 255, (300, 440, 3), dtype=np.uint8), (0, 0), 2)
    cv2.rectangle(img, (80, 60), (360, 240), (245, 240, 235), -1)
    cv2.rectangle(img, (250, 90), (340, 200), (90, 120, 200), -1)
    steps = locate._Steps(img)
    known = [_quad(80, 60, 360, 240), _quad(250, 90, 340, 200), _quad(-50, -40, 500, 350)]
    qs = np.concatenate([known, rng.uniform(-60, 480, (60, 4, 2))]).astype(np.float32)
    for strength, samples in ((40.0, 40), (40.0, 8), (15.0, 40)):
        got = steps.side_supports(qs, strength=strength, samples=samples)
        want = _supports_per_point(steps, qs, strength=strength, samples=samples)
        np.testing.assert_array_equal(got, want)
    assert steps.support(_quad(80, 60, 360, 240)) > 0.9


def test_channel_sum_adds_as_numpy_does() -> None:
    """The locator's channel sums (a speed change). Float addition is not associative: the explicit sum must add
    in numpy's order, left to right."""
    rng = np.random.default_rng(6)
    for shape in ((5000, 3), (4, 30, 7, 3), (24, 1440, 2)):
        a = (rng.standard_normal(shape) * 300).astype(np.float32) ** 2
        got = locate._channel_sum(a)
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, a.sum(-1))
        assert not np.array_equal(a[..., 0] + (a[..., 1] + a[..., -1]), a.sum(-1)) or shape[-1] == 2


def test_rows_voting_counts_as_sum() -> None:
    """The locator's line vote counts the rows voting for each bin in bytes: the counts of ``sum(axis=1)``."""
    rng = np.random.default_rng(7)
    for shape in ((25, 48, 170), (33, 32, 61), (3, 255, 9)):
        occupied = rng.random(shape) < 0.3
        occupied[0, :, 0] = True  # a bin every row votes for
        got = locate._rows_voting(occupied)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, occupied.sum(axis=1))


def test_aspects_under_both_centres_in_one_call() -> None:
    """``_aspects_both`` (a speed change) gives bit for bit the two separate ``_true_aspects`` calls it replaced."""
    rng = np.random.default_rng(8)
    q = np.concatenate([[_quad(100, 80, 400, 270)], rng.uniform(-50, 700, (300, 4, 2))]).astype(np.float64)
    for size in ((640, 480), (480, 640), (1400, 1050)):
        w, h = size
        a = locate._aspects_both(q, size)
        np.testing.assert_array_equal(a[0], locate._true_aspects(q, np.array([w / 2, h / 2]), max(w, h)))
        np.testing.assert_array_equal(a[1], locate._true_aspects(q, q.mean(axis=1), max(w, h)))
    assert locate._aspects_both(q[:0], (640, 480)).shape == (2, 0)


def test_card_half_on_a_sheet_is_found_with_its_faint_edges() -> None:
    """A light card, its left part on a white sheet barely darker than it (its left edge and half its top and
    bottom step a few levels there), its right part on a grey desk, turned 6°: no outline on the search image's
    straight lines is the card, but sliding a side to the faint straight step on the finer image finds it."""
    img = np.full((760, 1000, 3), (95, 100, 105), np.uint8)
    cv2.rectangle(img, (240, 0), (640, 760), (232, 232, 232), -1)
    x0, y0, w, h = 300, 243, 428, 270
    turn = cv2.getRotationMatrix2D((x0 + w / 2, y0 + h / 2), 6, 1.0)
    face, mask = np.zeros_like(img), np.zeros(img.shape[:2], np.uint8)
    cv2.rectangle(face, (x0, y0), (x0 + w, y0 + h), (236, 236, 236), -1)
    cv2.rectangle(mask, (x0, y0), (x0 + w, y0 + h), 255, -1)
    _print_face(face, x0, y0, w)
    face, mask = cv2.warpAffine(face, turn, (1000, 760)), cv2.warpAffine(mask, turn, (1000, 760))
    img[mask > 128] = face[mask > 128]
    img = cv2.GaussianBlur(img, (0, 0), 1.0)
    card = cv2.transform(_quad(x0, y0, x0 + w, y0 + h)[None], turn)[0]
    quad = locate.find_card(img)
    assert np.abs(locate._order(quad.points) - locate._order(card)).max() < 4, quad.points


@pytest.mark.parametrize("gap", [18, 22])
def test_a_faint_card_edge_beside_a_receipts_edge_is_the_side(gap: int) -> None:
    """A white card whose left part lies on a white receipt: its left edge steps faintly there, the receipt's
    edge 3.6–4.4 mm (``gap`` px at 5 px/mm) outside it steps strongly and wins the refinement's first, wide pass
    even from the card's corners. The card's edge found on the finer image and refined from where it lies is
    the side (the wide pass would move it straight back). Here only the outlines' shapes differ: with the
    receipt's edge 3 mm out or less the near outline, weighed 0.85, is not clearly better and the usual one stays."""
    img = np.full((760, 1000, 3), (70, 72, 76), np.uint8)
    x0, y0, w, h = 300, 25, 428, 270
    cv2.rectangle(img, (x0 - gap, 0), (x0 + 60, y0 + h + 4), (224, 224, 224), -1)  # the receipt, up to the photo's top
    cv2.rectangle(img, (x0 + 4, y0 + 5), (x0 + w + 4, y0 + h + 5), (40, 40, 44), -1)  # the card's shadow
    cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), (240, 240, 242), -1)
    _print_face(img, x0, y0, w)
    img = cv2.GaussianBlur(img, (0, 0), 1.0)
    quad = locate.find_card(img)
    assert np.abs(locate._order(quad.points) - _quad(x0, y0, x0 + w, y0 + h)).max() < 2, quad.points


def test_a_side_askew_to_its_opposite_is_also_sought_along_the_opposite() -> None:
    """An outline whose left side lies on a receipt's text bar turned 20° from the card's edge: the left side is
    also sought along the right side's direction, through its middle, with its own slope across that line (what
    the usual search around it covers). Sides nearly along their opposite ones are not sought again (which of
    two sides askew to each other is the card's is not known here: the right side is sought along the left)."""
    q = np.array([[300, 200], [728, 200], [728, 470], [300 - 270 * math.tan(math.radians(20)), 470]])
    a, b, turned = locate._askew_side(q, 3)  # from the bottom left corner up to the top left one
    assert np.allclose((a + b) / 2, (q[3] + q[0]) / 2)
    assert abs(a[0] - b[0]) < 1e-6 and a[1] > b[1]  # upright, as the right side runs, the same way round
    assert turned == pytest.approx(math.tan(math.radians(20)))  # into the outline as it runs up
    assert locate._askew_side(q, 0) is None and locate._askew_side(q, 2) is None
    q[1] = q[2]  # a side shrunk to a point gives no direction to follow
    assert locate._askew_side(q, 1) is None and locate._askew_side(q, 3) is None


def test_a_faint_card_edge_askew_to_a_receipts_bars_is_not_crowded_out_by_them() -> None:
    """The card's faint edge, sought along the opposite side's direction, among six of a receipt's text bars
    running along the side it replaces (11° from that direction, 18° from the card's edge): the bars, all the
    usual search around that side finds, would take every place; left out, the card's edge is offered."""
    img = np.full((400, 400, 3), 244, np.uint8)

    def x_at(x_mid: float, slope: float, y: float) -> float:  # a line of ``slope`` across the side x = 300
        return x_mid + slope * ((380 - y) - 180)

    card = [[x_at(170, -0.12, 120), 120], [400, 120], [400, 400], [x_at(170, -0.12, 400), 400]]
    cv2.fillConvexPoly(img, np.array(card, np.int32), (228, 228, 228))
    for xm in range(20, 131, 20):
        cv2.line(img, (round(x_at(xm, 0.2, 0)), 0), (round(x_at(xm, 0.2, 400)), 400), (60, 60, 60), 3)
    img = cv2.GaussianBlur(img, (0, 0), 1.0)
    a, b = np.array([300.0, 20.0], np.float32), np.array([300.0, 380.0], np.float32)

    def offered(turned: float | None) -> bool:
        strong, faint = locate._edge_lines(locate._Gradients(img), b, a, -290, 10, 3, 8, turned)
        return any(
            abs(ln[0, 0] - x_at(170, -0.12, 380)) < 4 and abs(ln[1, 0] - x_at(170, -0.12, 20)) < 4
            for ln in strong + faint
        )

    assert not offered(None)
    assert offered(0.2)


def test_a_small_card_on_a_ruled_sheet_is_kept_among_three_sided_outlines(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small card on a sheet ruled with dotted lines, its left edge unseen: the sheet's edges and rules make
    larger card-shaped three-sided outlines that rank before the card's by shape and size; the card's, its
    three seen sides on steps all along, is kept by the coarse support (here with four kept by shape)."""
    monkeypatch.setattr(locate, "THREE_SIDE_QUADS", 4)
    img = np.full((480, 640, 3), (90, 92, 96), np.uint8)
    cv2.rectangle(img, (40, 20), (600, 470), (225, 228, 230), -1)
    for y in range(60, 470, 70):
        for x in range(40, 600, 24):
            cv2.line(img, (x, y), (x + 12, y), (150, 150, 150), 2)
    x0, y0, w, h = 330, 241, 171, 108
    cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), (225, 228, 230), -1)
    for p, r in (((x0, y0), (x0 + w, y0)), ((x0 + w, y0), (x0 + w, y0 + h)), ((x0, y0 + h), (x0 + w, y0 + h))):
        cv2.line(img, p, r, (40, 40, 40), 2)
    img = cv2.GaussianBlur(img, (0, 0), 1.0)
    edges = locate._edge_map(img)
    found = locate._straight_lines(edges)
    area = float(img.shape[0] * img.shape[1])
    card = _quad(x0, y0, x0 + w, y0 + h)

    def kept(steps: locate._Steps | None) -> bool:
        shapes, sifted = locate._three_side_quads(edges.shape, found, area, steps)
        return any(_same(q.points, card, 3) for q in shapes + sifted)

    assert not kept(None)
    assert kept(locate._Steps(img))


def test_sifted_three_sided_outlines_are_kept_only_above_the_best_so_far() -> None:
    """Three-sided outlines found only by the sift are offered only when they outscore every outline refined
    before them: otherwise the outlines the reader tries after the first would change for nothing."""
    img = np.full((720, 1000, 3), (70, 72, 76), np.uint8)
    x0, y0, w, h = 250, 220, 428, 270
    cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), (236, 238, 240), -1)
    _print_face(img, x0, y0, w)
    img = cv2.GaussianBlur(img, (0, 0), 1.0)
    search = locate.Search(img)
    s = search._small_scale
    rough = locate.Quad(locate._rescale(_quad(x0, y0, x0 + w, y0 + h), s), 0.5, "lines3")
    steps = locate._Steps(search._small)
    got = search._three_sided([rough], 1, [], steps)
    assert len(got) == 1
    assert search._three_sided([rough], 1, [], steps, got[0][0]) == []


def test_an_outline_refined_onto_an_edge_beside_the_card_is_refined_from_where_it_lay_too() -> None:
    """A white card whose left part lies on a white receipt, the receipt's edge 4.4 mm outside the card's faint
    left edge: refined as usual from the card's own corners, the left side moves onto the receipt's edge (the
    first, wide pass takes the stronger step). Among the best outlines, one whose refinement moved that far is
    refined again from where its rough outline lay, and that fit, on the card's edge, scores better and is kept."""
    img = np.full((760, 1000, 3), (70, 72, 76), np.uint8)
    x0, y0, w, h = 300, 25, 428, 270
    cv2.rectangle(img, (x0 - 22, 0), (x0 + 60, y0 + h + 4), (224, 224, 224), -1)
    cv2.rectangle(img, (x0 + 4, y0 + 5), (x0 + w + 4, y0 + h + 5), (40, 40, 44), -1)
    cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), (240, 240, 242), -1)
    _print_face(img, x0, y0, w)
    img = cv2.GaussianBlur(img, (0, 0), 1.0)
    card = _quad(x0, y0, x0 + w, y0 + h)
    search = locate.Search(img)
    rough = locate.Quad(locate._rescale(card, search._mid_scale), 0.5, "lines")
    fine = search._fit(rough)
    assert np.abs(locate._order(fine.points) - card).max() > 15  # on the receipt's edge
    (score, _, got), = search._near_refits([(fine.score, rough, fine)])
    assert np.abs(locate._order(got.points) - card).max() < 2, got.points
    assert score == got.score > fine.score


def test_every_outline_refined_from_where_it_lies_is_weighed_as_a_near_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outlines refined with the narrow first window (slid a few millimetres, slid along the opposite side, or refined
    again from their rough outline) keep a step beside the card's edge the usual refinement would leave: all are
    weighed ``NEAR_PRIOR``, so that such a fit must be clearly better to win (an askew slide scored at full weight
    outranked a card's own outline)."""
    img = np.full((760, 1000, 3), (70, 72, 76), np.uint8)
    x0, y0, w, h = 300, 200, 428, 270
    cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), (240, 240, 242), -1)
    _print_face(img, x0, y0, w)
    rise = round(150 * math.tan(math.radians(20)))
    for k in range(6):  # a receipt's text bars, turned 20° from the card's left edge, ending on it
        cv2.line(img, (x0 - 150, 120 + 60 * k), (x0, 120 + 60 * k + rise), (60, 60, 60), 5)
    img = cv2.GaussianBlur(img, (0, 0), 1.0)
    search = locate.Search(img)
    calls: list[tuple[float, float]] = []
    fit = locate.Search._fit

    def spy(
        self: locate.Search, rough: locate.Quad, window: float = locate.REFINE_WINDOW, prior: float = 1.0
    ) -> locate.Quad:
        calls.append((window, prior))
        return fit(self, rough, window, prior)

    monkeypatch.setattr(locate.Search, "_fit", spy)
    askew = _quad(x0, y0, x0 + w, y0 + h)
    askew[3, 0] -= h * math.tan(math.radians(20))  # the left side on a bar's direction
    base = locate.Quad(askew, 0.01, "lines")
    search._slid([], base)
    near = [prior for window, prior in calls if window == locate.NEAR_WINDOW]
    assert near and all(prior == locate.NEAR_PRIOR for prior in near)
