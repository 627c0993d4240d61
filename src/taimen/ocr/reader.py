"""Read a card face from a photo: find the card, rectify it, detect every text line on it, recognise each
line once, assign lines to fields by what they say and where they stand (``assign``), decode each field's
part again over its own characters, parse, and propose unlock values with the reasons to doubt them.

If no card outline can be found (or none reads like a card), the whole photo goes through detection and
recognition and the same assignment runs on the lines found there; every value found that way is doubtful
(reason ``no_outline``) and the operator is asked to put the whole card in the frame. When the outline is
unsure, both readings are made and the one with more fields kept, the outline's on a tie; the other one
makes what they disagree on doubtful and fills in what the kept one lacks.
"""

from __future__ import annotations

import difflib
import re
import time
from dataclasses import replace

import cv2
import numpy as np

from taimen.ocr import date_rules, fieldread, finger, locate
from taimen.ocr import fields as fp
from taimen.ocr.engine import Engine, engine
from taimen.ocr.layouts import LAYOUTS, Box
from taimen.ocr.photo import decode
from taimen.ocr.proposals import OcrResult, mynumber_unlock, residence_unlock

DOCUMENTS = tuple(LAYOUTS)
UNSURE = 0.3  # locator score below which the whole photo is read too and the better reading kept


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
    sure = 0.0  # the locator's score of the outline ``best`` was read from
    tried: list[OcrResult] = []
    for n, rough in enumerate(search.candidates):
        t = time.perf_counter()
        quad = search.refine(rough)  # only the outlines actually tried are refined
        timings["locate"] += time.perf_counter() - t
        res = _read_card(img, quad, document, ocr, timings)
        tried.append(res)
        if best is None or _quality(res) > _quality(best):
            best, sure = res, quad.score
        # most fields in place and every unlock value found: no need to try another outline (an outline that
        # cuts off the card's lower part reads all but the security code)
        if _quality(best) >= 0.6 and all(u.value for u in best.unlock.values()):
            break
        best.problems.append(f"outline {n + 1} gave a poor reading; trying the next")
    assert best is not None
    _fill_unread(best, [r for r in tried if r is not best])
    # what looked like a card did not read like one, or the outline is unsure and its reading incomplete (most
    # outlines scoring below ``UNSURE`` are a piece of the card or of clutter, and one that cuts through the
    # card still finds most fields): try the whole photo
    complete = _quality(best) >= 1.0 and all(u.value for u in best.unlock.values())
    if _quality(best) < 0.34 or (sure < UNSURE and not complete):
        t = time.perf_counter()
        page = _read_page(img, document, ocr)
        timings["page"] = time.perf_counter() - t
        if _page_better(page, best):
            page.problems.insert(0, "no card outline gave a plausible reading; fields read from the whole photo")
            best, page = page, best
        _doubt_differences(best, page)
    best.timings = {**timings, "total": sum(timings.values())}
    return best


def _quality(res: OcrResult) -> float:
    """Share of fields found with the form they must have (a wrong outline finds few of them)."""
    if res.document is None or not res.fields:
        return 0.0
    return sum(f.value is not None and f.confidence >= 0.3 for f in res.fields.values()) / len(res.fields)


def _page_better(page: OcrResult, card: OcrResult) -> bool:
    """Whether the whole photo's reading is kept over an unsure outline's: when it finds more fields in their
    form, or both find none (no card in the photo, said as such). As many fields either way go to the outline:
    its lines were read at the recogniser's scale, every whole-photo value is doubtful anyway, and
    ``_doubt_differences`` flags what the two disagree on (on tune 2880–3519 the outline's reading was the
    better one on every such tie that differed)."""
    qp, qc = _quality(page), _quality(card)
    return qp > qc or qc == 0.0


def _fill_unread(kept: OcrResult, others: list[OcrResult]) -> None:
    """A field the kept outline's reading left without a value, read by another outline tried on the photo, is
    taken from the best such reading (most fields found), doubtful (``other_outline``): the outline with more
    fields in their form can still have lost one (a small, blurred card: 「和42年12月291生」 read on one outline,
    nothing on the other; tune-3871, dev-0043). Only from an outline of the same card, one that reads another
    field with the kept reading's value, and only a date that keeps the card's dates consistent (a piece of a
    licence read 「804年04月10日」 for its issue date, nothing else alike: dev-0559)."""
    if kept.document is None:
        return
    changed = False
    for key, f in kept.fields.items():
        if f.value is not None:
            continue
        same = [o for o in others if o.document == kept.document and _shares_a_value(o, kept, key)]
        for src in sorted(same, key=lambda o: (_quality(o), o.fields[key].confidence), reverse=True):
            g = src.fields[key]
            trial = date_rules.consistent(kept.document, {**kept.fields, key: g})
            if "inconsistent" in trial[key].reasons and "inconsistent" not in g.reasons:
                continue
            kept.fields[key] = replace(g, reasons=tuple(dict.fromkeys((*g.reasons, "other_outline"))))
            changed = True
            break
    if changed:
        kept.unlock = _unlock(kept.document, kept.fields)


def _shares_a_value(other: OcrResult, kept: OcrResult, key: str) -> bool:
    """Whether ``other`` has a value for ``key`` and reads some other field exactly as ``kept`` does (not the sex:
    one of two values proves no card the same)."""
    g = other.fields.get(key)
    if g is None or g.value is None:
        return False
    return any(
        k not in (key, "sex") and v.value is not None and (o := other.fields.get(k)) is not None and o.value == v.value
        for k, v in kept.fields.items()
    )


def _doubt_differences(kept: OcrResult, other: OcrResult) -> None:
    """Two readings of one photo (an unsure outline, the whole photo): a field they read differently is doubtful
    in the kept one (``two_candidates``); a field only the whole photo's reading found is taken from it, with
    its ``no_outline`` doubt. Nothing else is taken from the outline's reading when the whole photo's is kept (the
    outline is unsure, and it found fewer fields) but an address whose place is in the list of places where the
    kept one's is not (``_place_only_in``)."""
    if kept.document is None or kept.document != other.document:
        return
    changed = False
    for key, f in kept.fields.items():
        o = other.fields.get(key)
        if o is None or o.value is None:
            continue
        if f.value is None and other.method == "page":
            kept.fields[key] = o
            changed = True
        elif _place_only_in(o, f):
            # an address whose place the kept reading left in no entry of the list (「…相模原市区楼本」), the other
            # reading's a listed place (the outline's frames read 緑区橋本 again): the listed one, still doubted
            kept.fields[key] = replace(o, reasons=tuple(dict.fromkeys((*o.reasons, "two_candidates"))))
            changed = True
        elif f.value is not None and fp.nfkc(f.value) != fp.nfkc(o.value) and "two_candidates" not in f.reasons:
            kept.fields[key] = replace(f, reasons=(*f.reasons, "two_candidates"))
            changed = True
    if changed:
        kept.unlock = _unlock(kept.document, kept.fields)
        if "frame" not in kept.hints:  # the whole card in the frame settles it
            kept.hints.append("frame")


def _place_only_in(this: fp.FieldReading, that: fp.FieldReading) -> bool:
    """Whether ``this`` is an address whose place is one of the list's and ``that`` one whose place is not."""
    return (
        this.key == "address"
        and this.value is not None
        and that.value is not None
        and "unknown_place" in that.reasons
        and "unknown_place" not in this.reasons
    )


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
    res.fields = fieldread.fields_from_lines(key, recs, ocr, card=card, ppm=locate.PPM)
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
    # a value not found on a card wholly in the photo: a finger over the card says why, and asking for the
    # whole card in the frame would not help
    held = bool(finger.fingers(card, locate.PPM))
    if held:
        out.append("finger")
    if near_border or (not held and ("cut_off" in reasons or "not_found" in reasons)):
        out.append("frame")
    if fieldread.sharpness(card) < SHARPNESS_MIN:
        out.append("focus")
    if "low_contrast" in reasons:
        out.append("dark")
    return out


#: Below this edge strength (``fieldread.sharpness``) a doubtful reading is blamed on focus or motion
#: (calibrated on the tuning split: motion blur and σ ≥ 1.5 px blur on small cards fall below it).
SHARPNESS_MIN = 0.08


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
