"""Read a card face from a photo: find the card, rectify it, cut each field by the layout, recognise the crops
(each restricted to its field's characters), parse, and propose unlock values.

If no card outline can be found, the whole photo goes through detection + recognition instead and the
fields that can be recognised by their own shape (dates, the security code, card and licence numbers) are
proposed with lowered confidence.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Callable

import cv2
import numpy as np

from taimen.ocr import fieldread, lines, locate
from taimen.ocr import fields as fp
from taimen.ocr.engine import Engine, Line, engine
from taimen.ocr.layouts import LAYOUTS, Box, Layout
from taimen.ocr.photo import decode
from taimen.ocr.proposals import OcrResult, mynumber_unlock, residence_unlock

DOCUMENTS = tuple(LAYOUTS)
PAGE_PENALTY = 0.7  # confidence factor for fields found without the layout
RETRY_BELOW = 0.6  # fields read less confidently than this get a second look (looser crop, more contrast)
_EMPTY = Line("", 0.0, ())


def read_photo(data: bytes, document: str | None = None, *, ocr: Engine | None = None) -> OcrResult:
    """Propose the printed fields and unlock values of the card in the photo ``data`` (JPEG/PNG bytes)."""
    t0 = time.perf_counter()
    img = decode(data)
    res = read_image(img, document, ocr=ocr)
    res.timings = {"decode": time.perf_counter() - t0 - res.timings.get("total", 0.0), **res.timings}
    res.timings["total"] = time.perf_counter() - t0
    return res


def read_image(img: np.ndarray, document: str | None = None, *, ocr: Engine | None = None) -> OcrResult:
    """As ``read_photo`` for a decoded BGR image."""
    if document is not None and document not in LAYOUTS:
        raise ValueError(f"unknown document {document!r}; known: {', '.join(DOCUMENTS)}")
    ocr = ocr or engine()
    timings: dict[str, float] = {}
    t = time.perf_counter()
    try:
        search = locate.Search(img)
    except locate.CardNotFound as exc:
        timings["locate"] = time.perf_counter() - t
        res = _read_page(img, document, ocr)
        res.problems.insert(0, f"card outline not found ({exc}); fields read from the whole photo")
        res.timings = {**timings, **res.timings, "total": time.perf_counter() - t}
        return res
    timings["locate"] = time.perf_counter() - t
    best: OcrResult | None = None
    for n, rough in enumerate(search.candidates):
        t = time.perf_counter()
        quad = search.refine(rough)  # only the outlines actually tried are refined
        timings["locate"] += time.perf_counter() - t
        res = _read_card(img, quad, document, ocr, timings)
        if best is None or _quality(res) > _quality(best):
            best = res
        if _quality(best) >= 0.6:  # most fields in place: no need to try another outline
            break
        best.problems.append(f"outline {n + 1} gave a poor reading; trying the next")
    assert best is not None
    if _quality(best) < 0.34:  # what looked like a card did not read like one: try the whole photo
        t = time.perf_counter()
        page = _read_page(img, document, ocr)
        timings["page"] = time.perf_counter() - t
        if _quality(page) >= _quality(best):
            page.problems.insert(0, "no card outline gave a plausible reading; fields read from the whole photo")
            best = page
    best.timings = {**timings, "total": sum(timings.values())}
    return best


def _quality(res: OcrResult) -> float:
    """Share of fields found with the form they must have (a wrong outline finds few of them)."""
    if res.document is None or not res.fields:
        return 0.0
    return sum(f.value is not None and f.confidence >= 0.3 for f in res.fields.values()) / len(res.fields)


def _read_card(
    img: np.ndarray, quad: locate.Quad, document: str | None, ocr: Engine, timings: dict[str, float]
) -> OcrResult:
    t = time.perf_counter()
    card = locate.rectify(img, quad)
    timings["rectify"] = timings.get("rectify", 0.0) + time.perf_counter() - t
    t = time.perf_counter()
    recs = fieldread.detect_lines(card, ocr, locate.PPM)
    key, similarity = _identify_lines(recs, document)
    upside_down = False
    if key is None or fieldread.card_text_score(recs, key) < 0.34:  # perhaps photographed upside down
        flipped = cv2.rotate(card, cv2.ROTATE_180)
        recs2 = fieldread.detect_lines(flipped, ocr, locate.PPM)
        key2, sim2 = _identify_lines(recs2, document)
        better = key is None or fieldread.card_text_score(recs2, key2 or "") > fieldread.card_text_score(recs, key)
        if key2 is not None and better:
            recs, key, similarity, card, upside_down = recs2, key2, sim2, flipped, True
    timings["lines"] = timings.get("lines", 0.0) + time.perf_counter() - t
    res = OcrResult(document=key, card_found=True, method="lines", document_confidence=similarity)
    res.upside_down = upside_down
    if key is None:
        res.problems.append("the card's title was not recognised; pass the document kind")
        return res
    t = time.perf_counter()
    res.fields = fieldread.fields_from_lines(key, recs, ocr)
    timings["fields"] = timings.get("fields", 0.0) + time.perf_counter() - t
    layout = LAYOUTS[key]
    res.portrait_context, res.portrait_inner = _cut_portrait(card, layout.photo)
    res.portrait = _cut_portrait(card, layout.photo, margin_mm=0.0)[0]
    res.unlock = _unlock(key, res.fields)
    res.hints = _hints(img, quad, card, res)
    return res


def _identify_lines(recs: list[fieldread.RecLine], document: str | None) -> tuple[str | None, float]:
    """The document, from its printed title anywhere on the card (or the one the operator chose)."""
    if document is not None:
        return document, 1.0
    best: tuple[str | None, float] = (None, 0.0)
    for r in recs:
        text = re.sub(r"\s", "", r.line.text)
        for lay in LAYOUTS.values():
            for i in range(max(1, len(text) - len(lay.title_text) + 1)):
                sim = _similar(text[i : i + len(lay.title_text)], lay.title_text)
                if sim > best[1]:
                    best = (lay.key, sim)
    return best if best[1] >= 0.6 else (None, 0.0)


def _hints(img: np.ndarray, quad: locate.Quad, card: np.ndarray, res: OcrResult) -> list[str]:
    """What the operator should fix, said only when something is doubtful."""
    doubtful = [f for f in res.fields.values() if f.doubtful]
    if not doubtful:
        return []
    out = []
    reasons = {r for f in doubtful for r in f.reasons}
    h, w = img.shape[:2]
    pts = quad.points
    near_border = bool(((pts[:, 0] < 3) | (pts[:, 1] < 3) | (pts[:, 0] > w - 4) | (pts[:, 1] > h - 4)).any())
    if "glare" in reasons:
        out.append("glare")
    if near_border or "cut_off" in reasons or "not_found" in reasons:
        out.append("frame")
    if fieldread.sharpness(card) < SHARPNESS_MIN:
        out.append("focus")
    if "low_contrast" in reasons:
        out.append("dark")
    return out


#: Below this edge strength (``fieldread.sharpness``) a doubtful reading is blamed on focus or motion.
SHARPNESS_MIN = 0.12


def _mostly_missing(res: OcrResult) -> bool:
    return sum(f.value is None for f in res.fields.values()) * 2 > len(res.fields)


PORTRAIT_MARGIN_MM = 2.0


def _cut_portrait(
    card: np.ndarray, box: Box, margin_mm: float = PORTRAIT_MARGIN_MM
) -> tuple[np.ndarray, tuple[float, float]]:
    """The printed photo with a margin (the comparison aligns it precisely), and the share the photo fills."""
    p, m = locate.PPM, margin_mm
    h, w = card.shape[:2]
    x0, y0 = max(0, int((box.x - m) * p)), max(0, int((box.y - m) * p))
    x1, y1 = min(w, int((box.x + box.w + m) * p)), min(h, int((box.y + box.h + m) * p))
    crop = card[y0:y1, x0:x1].copy()
    return crop, (box.w * p / max(1, x1 - x0), box.h * p / max(1, y1 - y0))


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, fp.nfkc(a), fp.nfkc(b)).ratio()


def _identify(card: np.ndarray, document: str | None, ocr: Engine) -> tuple[str | None, float, np.ndarray, bool]:
    """Which document this is, by reading its printed title; also notices a card photographed upside down.
    Layouts whose titles share a position are read from one crop."""
    if document is not None:
        return document, 1.0, card, False
    for upside_down in (False, True):
        img = cv2.rotate(card, cv2.ROTATE_180) if upside_down else card
        groups: list[list[Layout]] = []
        for lay in LAYOUTS.values():
            for g in groups:
                b = g[0].title_box
                if abs(b.x - lay.title_box.x) < 2 and abs(b.y - lay.title_box.y) < 2:
                    g.append(lay)
                    break
            else:
                groups.append([lay])
        for g in groups:
            crop = lines.cut(img, g[0].title_box, locate.PPM)
            if crop.ink == 0:
                continue
            text = ocr.recognize([crop.image], ["title"])[0].text
            best = max(g, key=lambda lay: _similar(text, lay.title_text))
            sim = _similar(text, best.title_text)
            if sim >= 0.6:
                return best.key, sim, img, upside_down
    return None, 0.0, card, False


def _recognise_slots(
    card: np.ndarray, layout: Layout, ocr: Engine, *, loose: bool = False, keys: set[str] | None = None
) -> dict[str, list[Line]]:
    crops, charsets, where = [], [], []
    out: dict[str, list[Line]] = {}
    for f in layout.fields:
        if not f.ocr or (keys is not None and f.key not in keys):
            continue
        out[f.key] = [_EMPTY] * f.lines
        if f.lines > 1:
            found = lines.cut_lines(card, f.box, f.lines, locate.PPM, margin_x=1.2 if loose else 0.7)
        elif loose:
            found = [lines.cut(card, f.box, locate.PPM, margin_x=1.2, margin_y=1.6)]
        else:
            found = [lines.cut(card, f.box, locate.PPM)]
        for i, c in enumerate(found):
            if c.ink == 0:
                continue
            crops.append(_enhance(c.image) if loose else c.image)
            charsets.append(f.charset)
            where.append((f.key, i))
    for (k, i), line in zip(where, ocr.recognize(crops, charsets), strict=True):
        out[k][i] = line
    return out


def _enhance(crop: np.ndarray) -> np.ndarray:
    """Contrast-stretch a crop (glare and dim light leave text grey on grey)."""
    lab = cv2.cvtColor(crop, cv2.COLOR_BGR2LAB)
    clahe = cv2.createCLAHE(clipLimit=2.5, tileGridSize=(1, max(1, crop.shape[1] // crop.shape[0])))
    lab[..., 0] = clahe.apply(lab[..., 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)


def _read_fields(card: np.ndarray, layout: Layout, ocr: Engine) -> dict[str, fp.FieldReading]:
    texts = _recognise_slots(card, layout, ocr)
    result = _parse(layout.key, texts)
    weak = {k for k, f in result.items() if f.value is None or f.confidence < RETRY_BELOW}
    if weak:  # second look at doubtful fields: looser crops, stretched contrast
        retry = _parse(layout.key, {**texts, **_recognise_slots(card, layout, ocr, loose=True, keys=weak)})
        for k in weak:
            a, b = result[k], retry[k]
            if (b.value is not None, b.confidence) > (a.value is not None, a.confidence):
                result[k] = b
    return result


def _one(texts: dict[str, list[Line]], key: str) -> tuple[str, float]:
    ls = texts.get(key) or [_EMPTY]
    return ls[0].text, ls[0].confidence


def _positions(texts: dict[str, list[Line]], key: str) -> tuple[int, ...]:
    ls = texts.get(key) or [_EMPTY]
    return ls[0].positions


_PARSERS: dict[str, dict[str, Callable[[dict[str, list[Line]]], fp.FieldReading]]] = {
    "mynumber": {
        "name": lambda t: fp.parse_name(*_one(t, "name"), positions=_positions(t, "name")),
        "address": lambda t: fp.parse_address([(x.text, x.confidence) for x in t.get("address", [])]),
        "birth_date": lambda t: fp.parse_birth_date(*_one(t, "birth_date")),
        "sex": lambda t: fp.parse_sex(*_one(t, "sex")),
        "expiry": lambda t: fp.parse_mynumber_expiry(*_one(t, "expiry")),
        "security_code": lambda t: fp.parse_digits(*_one(t, "security_code"), "security_code", 4),
    },
    "license": {
        "name": lambda t: fp.parse_name(*_one(t, "name"), positions=_positions(t, "name")),
        "birth_date": lambda t: fp.parse_birth_date(*_one(t, "birth_date")),
        "address": lambda t: fp.parse_address([(x.text, x.confidence) for x in t.get("address", [])]),
        "issue_date": lambda t: fp.parse_era_date(*_one(t, "issue_date"), "issue_date"),
        "expiry": lambda t: fp.parse_license_expiry(*_one(t, "expiry")),
        "license_number": lambda t: fp.parse_digits(*_one(t, "license_number"), "license_number", 12),
    },
    "residence": {
        "card_number": lambda t: fp.parse_card_number(*_one(t, "card_number")),
        "name": lambda t: fp.parse_name(*_one(t, "name"), latin=True),
        "birth_date": lambda t: fp.parse_birth_date(*_one(t, "birth_date")),
        "sex": lambda t: fp.parse_sex(*_one(t, "sex")),
        "address": lambda t: fp.parse_address([(x.text, x.confidence) for x in t.get("address", [])]),
        "period": lambda t: fp.parse_western_date(*_one(t, "period"), "period"),
        "expiry": lambda t: fp.parse_western_date(*_one(t, "expiry"), "expiry"),
    },
}


def _parse(document: str, texts: dict[str, list[Line]]) -> dict[str, fp.FieldReading]:
    return {key: parse(texts) for key, parse in _PARSERS[document].items()}


def _unlock(document: str, fields: dict[str, fp.FieldReading]) -> dict:
    if document == "mynumber":
        return mynumber_unlock(fields)
    if document == "residence":
        return residence_unlock(fields)
    return {}


# -- fallback: the whole photo ---------------------------------------------------------------------------


def _read_page(img: np.ndarray, document: str | None, ocr: Engine) -> OcrResult:
    t = time.perf_counter()
    h, w = img.shape[:2]
    f = min(1.0, 1600 / max(h, w))
    small = cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA) if f < 1 else img
    found = ocr.read_page(small)
    texts = [(fp.nfkc(txt), float(score)) for _, txt, score in found]
    joined = " ".join(x for x, _ in texts)
    key = document
    if key is None:
        for lay in LAYOUTS.values():
            if lay.title_text in joined:
                key = lay.key
                break
    res = OcrResult(document=key, card_found=False, method="page", document_confidence=0.5 if key else 0.0)
    if key is None:
        res.problems.append("the document kind was not recognised")
        res.timings = {"page": time.perf_counter() - t}
        return res

    res.fields = fieldread.fields_from_lines(key, fieldread.page_lines(found), ocr)
    res.unlock = _unlock(key, res.fields)
    res.hints = ["frame"]
    res.timings = {"page": time.perf_counter() - t}
    return res
