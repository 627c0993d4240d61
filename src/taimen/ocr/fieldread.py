"""Read the fields of a rectified card: detect every text line on the card, recognise each line once, assign
lines to fields by content and relative position (``taimen.ocr.assign``), then decode each field's part of
its line again over the field's own characters (digits for a security code, date characters for a date) from
the same recogniser output, and parse it (``taimen.ocr.fields``).

Each field carries the reasons to doubt it (``REASONS``): the reader says what it is unsure of instead of
proposing a bad value with confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import partial

import cv2
import numpy as np

from taimen import wareki
from taimen.ocr import assign as asg
from taimen.ocr import fields as fp
from taimen.ocr import names, places, repair, reread, tilt, variants
from taimen.ocr.engine import CHARSETS, Engine, Line
from taimen.ocr.layouts import CARD_H_MM, CARD_W_MM, LAYOUTS

#: Why a field is doubtful (codes in JSON; text in the CLI and the web UI).
REASONS: dict[str, tuple[str, str]] = {
    "not_found": ("券面に見つかりません", "not found on the card"),
    "low_confidence": ("読み取りの確度が低い", "recognised with low confidence"),
    "grammar": ("書式に合いません", "does not have the field's form"),
    "two_candidates": ("候補が複数あります", "two candidates"),
    "cut_off": ("文字が欠けている可能性（カードの端・指）", "may be cut off (card edge, finger)"),
    "low_contrast": ("コントラストが低い", "low contrast"),
    "glare": ("光が反射しています", "glare over the text"),
    "neighbour_text_removed": ("隣の項目の文字を除きました", "text of a neighbouring field removed"),
    "check_digit": ("チェックディジットが合いません", "a check digit does not match"),
    "chosen_by_check_digit": ("チェックディジットで候補を選びました", "chosen among readings by the check digit"),
    "mrz_not_found": ("MRZ（機械読取領域）が見つかりません", "the MRZ was not found"),
    "no_label": ("項目名が読めず、位置から推定", "its label was not read: placed by position"),
    "gap": ("行の途中が読めません（反射・汚れ）", "part of the line could not be read (glare, dirt)"),
    "runs_on": ("行の続きが読めていない可能性", "the printed line may go on past what was read"),
    "more_lines": ("続きの行がある可能性", "a further line may belong to it"),
    "repaired": ("文字を補正しました", "characters repaired"),
    "inconsistent": (
        "他の日付と整合しません（誕生日と有効期限）",
        "inconsistent with the other date (birthday, expiry)",
    ),
    "variant_form": (
        "異体字の可能性（﨑/崎、髙/高など）: 券面を目で確認",
        "may be a variant form (﨑/崎, 髙/高 …): check the card",
    ),
    "no_outline": ("カードの輪郭が見つからず写真全体から読み取り", "read from the whole photo: no card outline found"),
    "unknown_place": ("住所の地名が郵便番号データにありません", "the place name is not in the postal code data"),
}

CHARSET = {
    "birth_date": "date",
    "expiry": "date",
    "period": "date",
    "issue_date": "date",
    "security_code": "digits",
    "license_number": "digits",
    "card_number": "card_number",
    "sex": "sex",
}
FIELDS = {
    "mynumber": ("name", "address", "birth_date", "sex", "expiry", "security_code"),
    "license": ("name", "birth_date", "address", "issue_date", "expiry", "license_number"),
    "residence": ("card_number", "name", "birth_date", "sex", "address", "period", "expiry"),
}
#: Lines lower than this (mm) are fine print no field is printed in; taller ones are not text.
MIN_LINE_MM, MAX_LINE_MM = 1.9, 9.0
PPM_REC = 12.0


@dataclass
class RecLine:
    line: asg.TextLine
    probs: np.ndarray | None  # None: only the text is known (lines read from the whole photo)
    decoded: Line
    crop: np.ndarray
    #: read again after recognition: a date under the date grammar, a code in a wider box (a digit the
    #: detector's box cut off); a field taken from it is flagged ``repaired``
    repaired: bool = False


def detect_lines(card: np.ndarray, ocr: Engine, ppm: float) -> list[RecLine]:
    """Every text line on the card, recognised once (whole dictionary, Japanese prior)."""
    out: list[RecLine] = []
    h, w = card.shape[:2]
    quads = ocr.detect(card)
    cut: list[tuple[int, int, int, int, np.ndarray]] = []
    boxes = [(float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 0].max()), float(b[:, 1].max())) for b in quads]
    slanted = {box: t for box, q in zip(boxes, quads, strict=True) if (t := tilt.tilted(q)) is not None}
    # pieces of one line split by the detector stand side by side; a tilted box whose upright box crosses another
    # one is another printed line the tilt made collide with it (a label under the name's start): never joined
    alone = [b for b in slanted if any(_cross(b, o) for o in boxes if o is not b)]
    for x0, y0, x1, y1 in merge_boxes([b for b in boxes if b not in alone]) + alone:
        t = slanted.get((x0, y0, x1, y1))  # a tilted line joined to no other piece is cut out along its slant
        if t is not None:
            if MIN_LINE_MM <= t.height / ppm <= MAX_LINE_MM:
                crop = tilt.cut(card, t, 0.04 * t.height)
                cut.append((int(t.x0), int(t.y0), int(np.ceil(t.x1)), int(np.ceil(t.y1)), crop))
            continue
        lh = (y1 - y0) / ppm
        if (
            lh < MIN_LINE_MM
            or (lh > MAX_LINE_MM and not _skewed_line(x1 - x0, y1 - y0, ppm))
            or (x1 - x0) < (y1 - y0) * 0.6
        ):
            continue
        pad = 0.04 * (y1 - y0)
        cx0, cy0 = max(0, int(x0 - pad)), max(0, int(y0 - pad))
        cx1, cy1 = min(w, int(np.ceil(x1 + pad))), min(h, int(np.ceil(y1 + pad)))
        crop = card[cy0:cy1, cx0:cx1]
        if crop.size:
            cut.append((cx0, cy0, cx1, cy1, crop))
    many = getattr(ocr, "probabilities_many", None)  # all lines at once: two at a time on two cores
    crops = [c[4] for c in cut]
    for (cx0, cy0, cx1, cy1, crop), probs in zip(
        cut, many(crops) if many else [ocr.probabilities(c) for c in crops], strict=True
    ):
        dec = ocr.decode(probs, "any")
        text = asg.nfkc(dec.text)
        if not text.strip():
            continue
        if len(text) != len(dec.positions):  # an NFKC expansion: keep the text, no per-character slicing
            dec = Line(text, dec.confidence, (), ())
        tl = asg.TextLine(cx0 / ppm, cy0 / ppm, cx1 / ppm, cy1 / ppm, text, dec.confidence)
        out.append(RecLine(tl, probs, Line(text, dec.confidence, dec.char_confidences, dec.positions), crop))
    out.sort(key=lambda r: (round(r.line.y0), r.line.x0))
    return out


def _cross(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _skewed_line(w: float, h: float, ppm: float) -> bool:
    """An upright box taller than a line because the line runs at a slant (a card rectified a few degrees
    off: 「住所 岡山県…」 boxed 9.3 mm high over 47 mm): long for its height, and no taller than a line's worth of
    slant (at most 12 mm)."""
    return h <= SKEWED_MAX_MM * ppm and w >= 4.0 * h


#: The tallest upright box a single slanted line is taken in (``_skewed_line``).
SKEWED_MAX_MM = 12.0


def merge_boxes(boxes: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Join boxes that are pieces of one printed line (the detector splits a line at a wide space, e.g.
    between family and given name): same row, similar height, a gap of less than about one character."""
    rest = sorted(boxes, key=lambda b: b[0])
    out: list[list[float]] = []
    for b in rest:
        for m in out:
            hm, hb = m[3] - m[1], b[3] - b[1]
            overlap = (min(m[3], b[3]) - max(m[1], b[1])) / max(1e-6, min(hm, hb))
            gap = b[0] - m[2]
            if overlap > 0.6 and max(hm, hb) < 1.45 * min(hm, hb) and -0.5 * hb < gap < 1.1 * max(hm, hb):
                m[:] = [min(m[0], b[0]), min(m[1], b[1]), max(m[2], b[2]), max(m[3], b[3])]
                break
        else:
            out.append(list(b))
    return [(a, b, c, d) for a, b, c, d in out]


def _frames(dec: Line, start: int, end: int, total: int) -> tuple[int, int]:
    pos = dec.positions
    if not pos:
        return 0, total
    t0 = 0 if start <= 0 else (pos[start - 1] + pos[start]) // 2 + 1
    t1 = total if end >= len(pos) else (pos[end - 1] + pos[end]) // 2 + 1
    return t0, t1


#: Characters of a printed date that do not make its value.
DATE_DECORATION = frozenset("生まで有効()（） 　")


def _span_text(ocr: Engine, rl: RecLine, span: asg.Span, charset: str | None) -> tuple[str, float, tuple[int, ...]]:
    """The text of a span, decoded again over ``charset`` from its own frames (None: as first read), with the
    recogniser's confidence and each character's frame."""
    dec = rl.decoded
    if rl.probs is None or charset is None:
        confs = dec.char_confidences[span.start : span.end] or (dec.confidence,)
        text = dec.text[span.start : span.end]
        return text, (min(confs) if text.strip() else 0.0), dec.positions[span.start : span.end]
    if not dec.positions:  # no per-character frames: the span's characters that the charset allows
        allowed = CHARSETS.get(charset)
        text = dec.text[span.start : span.end]
        text = text if allowed is None else "".join(ch for ch in text if ch in allowed or ch.isspace())
        return text, dec.confidence if text.strip() else 0.0, ()
    t0, t1 = _frames(dec, span.start, span.end, rl.probs.shape[0])
    again = ocr.decode(rl.probs[t0:t1], charset)
    conf = again.confidence
    if charset == "date":  # only what makes the value counts: not 生, まで有効 or brackets after or around it
        value = [c for ch, c in zip(again.text, again.char_confidences, strict=True) if ch not in DATE_DECORATION]
        conf = min(value) if value else conf
    return again.text, conf, again.positions


def _condition(crop: np.ndarray) -> list[str]:
    """Photo conditions that explain a poor reading of this line."""
    out = []
    grey = crop.min(axis=2) if crop.ndim == 3 else crop
    if grey.size == 0:
        return out
    if float((grey >= 242).mean()) > 0.25:
        out.append("glare")
    lo, hi = np.percentile(grey, (3, 97))
    if hi - lo < 70:
        out.append("low_contrast")
    return out


def _edge(line: asg.TextLine) -> bool:
    return line.x0 < 0.6 or line.y0 < 0.4 or line.x1 > CARD_W_MM - 0.6 or line.y1 > CARD_H_MM - 0.4


def read_fields(
    card: np.ndarray, document: str, ocr: Engine, ppm: float = PPM_REC
) -> tuple[dict[str, fp.FieldReading], list[RecLine]]:
    recs = detect_lines(card, ocr, ppm)
    return fields_from_lines(document, recs, ocr, card=card, ppm=ppm), recs


#: Where a lone 性別 value can stand relative to its label (mm): to its right, up to a few mm off its row.
SEX_WINDOW = (-1.0, 12.0, 5.5)  # from the label's right edge, to the right edge, up and down from its centre


def _sex_label(text: str) -> bool:
    """性別 on a line of its own, also read with one slip (性測, 惟別); not when the value is on the line."""
    t = re.sub(r"\s", "", text)
    return bool(re.fullmatch(r"性.|.別", t)) and "男" not in t and "女" not in t


def _sex_labels(recs: list[RecLine]) -> list[asg.TextLine]:
    """The 性別 labels: lines of their own, else a 性別 read at the start or end of another line (the detector
    joined it to the birth date printed beside it: 「2016年11月17日性別」), its box cut from the characters'
    frames. Never a line that holds 男 or 女: that one holds the value too."""
    own = [r.line for r in recs if _sex_label(r.line.text)]
    if own:
        return own
    out = []
    for r in recs:
        text, dec = r.line.text, r.decoded
        if "男" in text or "女" in text or r.probs is None or len(dec.positions) != len(text):
            continue
        for m in re.finditer("性別", text):
            if text[: m.start()].strip() and text[m.end() :].strip():
                continue  # inside a line: not a label
            t0, t1 = _frames(dec, m.start(), m.end(), r.probs.shape[0])
            ln, total = r.line, r.probs.shape[0]
            x0, x1 = ln.x0 + t0 / total * (ln.x1 - ln.x0), ln.x0 + t1 / total * (ln.x1 - ln.x0)
            out.append(asg.TextLine(x0, ln.y0, x1, ln.y1, "性別", ln.confidence))
    return out


#: A 性別 value read by looking again: one character, or the residence card's 「女 F.」 (the letter agreeing).
_SEX_VALUE = re.compile(r"([男女])(?:\s*([MF])\.?)?")


def _sex_value(text: str) -> str | None:
    m = _SEX_VALUE.fullmatch(text)
    if m is None or (m.group(2) and m.group(2) != {"男": "M", "女": "F"}[m.group(1)]):
        return None
    return m.group(1)


def sex_beside_label(
    card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine, document: str | None = None
) -> RecLine | None:
    """The one-character 性別 value (男/女) the line detector often misses: the ink blob of about one
    character's size beside the 性別 label, outside every detected line, recognised over the whole
    dictionary. Accepted only when it reads as exactly 男 or 女, so another mark cannot become a sex. With
    no label read at all (small print lost to glare or blur) and ``document`` given, the rows around the
    birth date are searched instead (``_sex_unlabelled``)."""
    labels = _sex_labels(recs)
    if not labels and document is not None:
        return _sex_unlabelled(card, ppm, recs, ocr, document)
    if len(labels) != 1:
        return None
    lab = labels[0]
    dx, width, dy = SEX_BESIDE
    covered = any(  # another line's box over the place of the value: the blob look masked it
        r.line is not lab
        and min(r.line.x1, lab.x1 + dx + width) - max(r.line.x0, lab.x1 + dx) > 0.3 * width
        and min(r.line.y1, lab.cy + dy) - max(r.line.y0, lab.cy - dy) > 0.3 * dy
        for r in recs
    )
    return _sex_blob(card, ppm, recs, ocr, lab) or (_sex_overlapped(card, ppm, ocr, lab) if covered else None)


#: Where a 性別 value is searched for without its label (mm): above and below the birth date's line; and
#: the room left of the portrait's place in the layout (its prior; the print moves by a few mm).
SEX_ROWS = (4.0, 6.0)
SEX_LEFT_OF_PHOTO = 1.5
#: A line at most this wide (mm) and of at most three characters that no field took: perhaps the value.
SEX_SHORT_MM = 9.0


def _sex_unlabelled(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine, document: str) -> RecLine | None:
    """The 性別 value when its label was not read: the label and the value stand on the birth date's row or
    the row below it on either card, left of the portrait. Every character-sized blob there outside the
    detected lines is read (a few at most: the remains of the label, a stray mark); taken only when exactly
    one reads as a 性別 value, and then flagged (``repaired``: the field is marked ``no_label``)."""
    lines = [r.line for r in recs]
    picks = asg.assign(document, lines)
    birth = picks.get("birth_date")
    if birth is None:
        return None
    used = {sp.line for p in picks.values() if p is not None for sp in p.spans}
    # a short line no field took may be the value misread (blurred 女 read 「就」): looked at as a blob too
    recs = [
        r
        for i, r in enumerate(recs)
        if i in used or len(re.sub(r"\s", "", r.line.text)) > 3 or r.line.x1 - r.line.x0 > SEX_SHORT_MM
    ]
    row = lines[birth.spans[0].line]
    up, down = SEX_ROWS
    h, w = card.shape[:2]
    x1 = min(w, int((LAYOUTS[document].photo.x - SEX_LEFT_OF_PHOTO) * ppm))
    y0, y1 = max(0, int((row.y0 - up) * ppm)), min(h, int((row.y1 + down) * ppm))
    if x1 < 4 * ppm or y1 - y0 < 4 * ppm:
        return None
    seen: set[tuple[int, int, int, int]] = set()
    for blobs in _blob_sets(card, ppm, recs, (0, y0, x1, y1)):
        if len(blobs) > 4:  # a pattern or clutter, not a lone value beside a label
            return None
        found = [r for b in blobs if b not in seen and (r := _read_sex_blob(card, ppm, ocr, b)) is not None]
        if len({r.line.text for r in found}) > 1:  # 男 and 女 both: no value
            return None
        if found:
            return replace(found[0], repaired=True) if len(found) == 1 else None
        seen.update(blobs)
    return None


#: Where a 性別 value overlapped by another line is read (mm): from the label's right edge, its width, up and
#: down from the label's centre.
SEX_BESIDE = (0.2, 6.8, 3.0)


def _sex_overlapped(card: np.ndarray, ppm: float, ocr: Engine, lab: asg.TextLine) -> RecLine | None:
    """The 性別 value inside another line's box (a birth date printed over it): the area just right of the
    label read as it is; taken when the reading starts with 男 or 女 and holds only one of them. The rest of the
    reading is the other line's; the value is doubtful below 0.97 as any value found by looking again."""
    h, w = card.shape[:2]
    dx, width, dy = SEX_BESIDE
    x0, x1 = max(0, int((lab.x1 + dx) * ppm)), min(w, int((lab.x1 + dx + width) * ppm))
    y0, y1 = max(0, int((lab.cy - dy) * ppm)), min(h, int((lab.cy + dy) * ppm))
    if x1 - x0 < 2 * ppm or y1 - y0 < 2 * ppm:
        return None
    crop = card[y0:y1, x0:x1]
    probs = ocr.probabilities(crop)
    dec = ocr.decode(probs, "any")
    text = asg.nfkc(dec.text).strip()
    if not text or text[0] not in "男女" or text.count("男") + text.count("女") != 1 or not dec.positions:
        return None
    conf = dec.char_confidences[len(dec.text) - len(dec.text.lstrip())]
    tl = asg.TextLine(x0 / ppm, y0 / ppm, x1 / ppm, y1 / ppm, text[0], conf)
    return RecLine(tl, probs, Line(text[0], conf, (conf,), (dec.positions[0],)), crop)


def _sex_blob(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine, lab: asg.TextLine) -> RecLine | None:
    """The value as the one ink blob of a character's size beside the label, outside every detected line."""
    h, w = card.shape[:2]
    dx0, dx1, dy = SEX_WINDOW
    x0, x1 = max(0, int((lab.x1 + dx0) * ppm)), min(w, int((lab.x1 + dx1) * ppm))
    y0, y1 = max(0, int((lab.cy - dy) * ppm)), min(h, int((lab.cy + dy) * ppm))
    if x1 - x0 < 2 * ppm or y1 - y0 < 2 * ppm:
        return None
    blobs = _glyph_blobs(card, ppm, recs, (x0, y0, x1, y1))
    if len(blobs) != 1:  # nothing, or several marks: not a lone value
        return None
    return _read_sex_blob(card, ppm, ocr, blobs[0])


def _glyph_blobs(
    card: np.ndarray, ppm: float, recs: list[RecLine], box: tuple[int, int, int, int]
) -> list[tuple[int, int, int, int]]:
    """The lone character-sized ink blob in ``box`` outside every detected line (card pixels: x0, y0, x1, y1),
    from the first ink cut of ``_blob_sets`` that finds one; else every blob of the last cut."""
    blobs: list[tuple[int, int, int, int]] = []
    for blobs in _blob_sets(card, ppm, recs, box):
        if len(blobs) == 1:
            break
    return blobs


def _blob_sets(
    card: np.ndarray, ppm: float, recs: list[RecLine], box: tuple[int, int, int, int]
) -> list[list[tuple[int, int, int, int]]]:
    """Character-sized ink blobs in ``box`` outside every detected line, for each ink cut: a share of the
    strongest ink in the box, then the floor alone (a value washed out by glare: ink of 15 where a frame or
    the portrait's edge beside it reaches 70)."""
    x0, y0 = box[:2]
    ink = _ink_map(card, ppm, recs, box)
    top = float(np.percentile(ink, 99.8))
    if top < 20:  # no ink left: the value is not printed here (or is lost in glare)
        return []
    out = []
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (int(0.9 * ppm) | 1, int(0.9 * ppm) | 1))
    for cut in dict.fromkeys((max(12.0, 0.3 * top), 12.0)):
        n, _, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate((ink > cut).astype(np.uint8), k))
        blobs = [
            (x0 + int(bx), y0 + int(by), x0 + int(bx + bw), y0 + int(by + bh))
            for bx, by, bw, bh, _ in stats[1:n]
            if 2.4 * ppm <= bh <= 6.0 * ppm and 2.0 * ppm <= bw <= 6.0 * ppm
        ]
        out.append(_pairs_joined(blobs, ppm))
    return out


def _pairs_joined(blobs: list[tuple[int, int, int, int]], ppm: float) -> list[tuple[int, int, int, int]]:
    """Two blobs side by side on one row, less than 2 mm apart, joined: the residence card's 「女 F.」 is one
    value. (Two values so close would read 「男女」, which no value matches.)"""
    if len(blobs) != 2:
        return blobs
    a, b = sorted(blobs)
    rows = min(a[3], b[3]) - max(a[1], b[1])
    if b[0] - a[2] < 2.0 * ppm and rows > 0.5 * min(a[3] - a[1], b[3] - b[1]):
        return [(a[0], min(a[1], b[1]), b[2], max(a[3], b[3]))]
    return blobs


def _read_sex_blob(card: np.ndarray, ppm: float, ocr: Engine, blob: tuple[int, int, int, int]) -> RecLine | None:
    """A blob recognised over the whole dictionary; a RecLine only when it reads as a 性別 value."""
    cx0, cy0, cx1, cy1 = blob
    crop = card[cy0:cy1, cx0:cx1]  # the dilation left a margin of about half a millimetre
    probs = ocr.probabilities(crop)
    dec = ocr.decode(probs, "any")
    value = _sex_value(asg.nfkc(dec.text).strip())
    if value is None:
        return None
    lead = len(dec.text) - len(dec.text.lstrip())
    conf = dec.char_confidences[lead] if len(dec.char_confidences) > lead else dec.confidence
    tl = asg.TextLine(cx0 / ppm, cy0 / ppm, cx1 / ppm, cy1 / ppm, value, conf)
    return RecLine(tl, probs, Line(value, conf, (conf,), dec.positions[lead : lead + 1]), crop)


#: Where the セキュリティコード value can stand around its label (mm): left, right, up, down of the label box.
CODE_WINDOW = (4.0, 18.0, 7.0, 6.0)
#: A value found only by looking again must be read surely to go without a doubt flag.
RECOVERED_SURE = 0.97


def code_near_label(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine) -> RecLine | None:
    """The four-digit セキュリティコード the line detector missed (printed over a pattern, the photo, glare):
    the text detector runs again on the area around the label at twice the scale, and a line there that reads
    as exactly four digits (whole dictionary) is taken; none or several: nothing. A line of two or three digits
    there is a code whose box lost a digit (one printed over the dark part of the photo): it is read again
    with its box one character wider on each side, and taken (``repaired``, always doubtful) only when it then
    reads as exactly four digits. With the label itself not read (small print blurred into marks), the
    lower right of the card where either arrangement prints the code is searched instead (the assignment
    then flags the value ``no_label``). When nothing is found, the area is searched once more with ink
    separated from a coloured background (``_ink_contrast``: a code printed over the portrait's dark part)."""
    labels = [r.line for r in recs if asg.CODE_LABEL.match(r.line.text) or asg.label_kind(r.line.text) == "code"]
    if len(labels) > 1:
        return None
    h, w = card.shape[:2]
    if labels:
        lab = labels[0]
        left, right, up, down = CODE_WINDOW
        x0, x1 = max(0, int((lab.x0 - left) * ppm)), min(w, int((lab.x1 + right) * ppm))
        y0, y1 = max(0, int((lab.y0 - up) * ppm)), min(h, int((lab.y1 + down) * ppm))
    else:
        x0, y0 = int(CODE_PLACE[0] * ppm), int(CODE_PLACE[1] * ppm)
        x1, y1 = min(w, int(CODE_PLACE[2] * ppm)), min(h, int(CODE_PLACE[3] * ppm))
    if x1 - x0 < 4 * ppm or y1 - y0 < 3 * ppm:
        return None
    found = _codes_in(card, ppm, ocr, (x0, y0, x1, y1))
    if not found:
        inked = card.copy()
        inked[y0:y1, x0:x1] = _ink_contrast(card[y0:y1, x0:x1])
        found = [replace(r, repaired=True) for r in _codes_in(inked, ppm, ocr, (x0, y0, x1, y1))]
    return found[0] if len(found) == 1 else None


#: Where the セキュリティコード is looked for when its label was not read (mm: left, top, right, bottom): the
#: lower right of the card, under the portrait, in either arrangement, with the offsets prints show.
CODE_PLACE = (50.0, 38.0, CARD_W_MM, CARD_H_MM)


def _codes_in(card: np.ndarray, ppm: float, ocr: Engine, window: tuple[int, int, int, int]) -> list[RecLine]:
    """Lines in ``window`` (card pixels), detected at twice the scale, that read as four digits (a line of two
    or three read again one character wider on each side, ``repaired``)."""
    x0, y0, x1, y1 = window
    region = card[y0:y1, x0:x1]
    found: list[RecLine] = []
    for b in ocr.detect(region, side=2 * max(region.shape[:2])):
        bx0, by0 = (float(v) for v in b.min(axis=0))
        bx1, by1 = (float(v) for v in b.max(axis=0))
        pad = 0.08 * (by1 - by0)
        box = (x0 + bx0 - pad, y0 + by0 - pad, x0 + bx1 + pad, y0 + by1 + pad)
        if not (MIN_LINE_MM * ppm <= box[3] - box[1] <= MAX_LINE_MM * ppm) or box[2] - box[0] < box[3] - box[1]:
            continue
        got = _read_box(card, box, ppm, ocr)
        if got is None:
            continue
        text = got.line.text
        if re.fullmatch(r"\s*\d(?:\s?\d){3}\s*", text):
            found.append(got)
        elif re.fullmatch(r"\s*\d(?:\s?\d){1,2}\s*", text):  # a digit lost at an end of the box
            grow = WIDEN * (box[3] - box[1])
            wide = _read_box(card, (box[0] - grow, box[1], box[2] + grow, box[3]), ppm, ocr)
            if wide is not None and re.fullmatch(r"\s*\d(?:\s?\d){3}\s*", wide.line.text):
                found.append(replace(wide, repaired=True))
        elif (tail := _run_in_code(card, ppm, ocr, got, box)) is not None:
            found.append(tail)
    return found


def _run_in_code(
    card: np.ndarray, ppm: float, ocr: Engine, got: RecLine, box: tuple[float, float, float, float]
) -> RecLine | None:
    """A code run into its label (one detected line, the label's small print blurred into marks: 「88±913=≠9090」):
    the line's end from half a character before its last four digits, read alone; taken (``repaired``, always
    doubtful) only when that part reads as exactly four digits, so a label's marks cannot become a digit."""
    m = re.search(r"\d(?:\s?\d){3}\s*$", got.line.text)
    if m is None or m.start() == 0 or got.probs is None or not got.decoded.positions:
        return None
    frames = got.probs.shape[0]
    x = box[0] + got.decoded.positions[m.start()] / frames * (box[2] - box[0]) - 0.5 * (box[3] - box[1])
    if x <= box[0]:
        return None
    tail = _read_box(card, (x, box[1], box[2], box[3]), ppm, ocr)
    if tail is None or not re.fullmatch(r"\s*\d(?:\s?\d){3}\s*", tail.line.text):
        return None
    return replace(tail, repaired=True)


def _ink_contrast(img: np.ndarray) -> np.ndarray:
    """Dark ink set apart from a coloured background it is printed over (the portrait's dark clothing): ink is
    dark in every channel, a coloured area bright in at least one, so the brightest channel, equalised over
    small tiles, shows the ink dark on light."""
    bright = img.max(axis=2)
    tiles = max(1, round(min(bright.shape) / 40))
    eq = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(tiles, tiles)).apply(bright)
    return cv2.cvtColor(eq, cv2.COLOR_GRAY2BGR)


#: Where the residence card's number can stand around its 番号 label (mm): left, up, down of the label box (it
#: runs on to the card's right edge).
NUMBER_WINDOW = (1.0, 4.0, 5.0)
#: A card number cut by an outline that runs through it (the card's top edge) keeps this much height (mm).
NUMBER_MIN_MM = 1.2
#: The residence card number as read, spaces removed: two letters, eight digits, two letters.
_CARD_NUMBER = re.compile(r"[A-Z]{2}\d{8}[A-Z]{2}")


def card_number_near_label(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine) -> RecLine | None:
    """The residence card number the line detector missed (red print near the card's top edge, cut short by
    the outline, faint): the text detector runs again right of the 番号 label at twice the scale, and a line
    there that reads as exactly a card number's form is taken; none or several: nothing."""
    labels = [r.line for r in recs if re.sub(r"\s", "", r.line.text) == "番号"]
    if len(labels) != 1:
        return None
    lab = labels[0]
    h, w = card.shape[:2]
    left, up, down = NUMBER_WINDOW
    x0, y0, y1 = (
        max(0, int((lab.x1 - left) * ppm)),
        max(0, int((lab.y0 - up) * ppm)),
        min(h, int((lab.y1 + down) * ppm)),
    )
    if w - x0 < 10 * ppm or y1 - y0 < 3 * ppm:
        return None
    found: list[RecLine] = []
    for b in ocr.detect(card[y0:y1, x0:], side=2 * max(y1 - y0, w - x0)):
        bx0, by0 = (float(v) for v in b.min(axis=0))
        bx1, by1 = (float(v) for v in b.max(axis=0))
        pad = 0.08 * (by1 - by0)
        box = (x0 + bx0 - pad, y0 + by0 - pad, x0 + bx1 + pad, y0 + by1 + pad)
        if not (NUMBER_MIN_MM * ppm <= box[3] - box[1] <= MAX_LINE_MM * ppm):
            continue
        got = _read_box(card, box, ppm, ocr)
        if got is not None and _CARD_NUMBER.fullmatch(re.sub(r"\s", "", got.line.text.upper())):
            found.append(got)
    return found[0] if len(found) == 1 else None


#: How far (in line heights) a code's box is widened on each side when it read two or three digits only.
WIDEN = 0.8

#: Digits of a licence number.
LICENCE_DIGITS = 12
_NUMBER_CUT = re.compile(r"\s*第?\s*(\d(?:\s?\d)*)\s*")


def number_cut_short(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine) -> RecLine | None:
    """The licence number whose line box ended early (glare over its last digits: 「第47630556」 for
    第476305568714): a line of 第 and six to eleven digits and nothing else is read again with its box
    reaching right to the 号 on its row, or as far as the missing digits would take, and taken (``repaired``,
    always doubtful) only when it then reads as 第 and exactly twelve digits; none or several: nothing."""
    found: list[RecLine] = []
    for r in recs:
        ln = r.line
        m = _NUMBER_CUT.fullmatch(ln.text)
        digits = re.sub(r"\s", "", m.group(1)) if m else ""
        if not 6 <= len(digits) < LICENCE_DIGITS:
            continue
        per_char = (ln.x1 - ln.x0) / max(1, len(ln.text.strip()))
        go = [
            o.line.x0
            for o in recs
            if o.line.text.strip() == "号" and o.line.x0 > ln.x1 and asg._rows_overlap(o.line, ln) >= 0.3
        ]
        right = min(go) - 0.3 if go else ln.x1 + (LICENCE_DIGITS - len(digits) + 1) * per_char
        got = _read_box(card, (ln.x0 * ppm, ln.y0 * ppm, right * ppm, ln.y1 * ppm), ppm, ocr)
        if got is not None and re.fullmatch(r"\s*第?\s*\d(?:\s?\d){11}\s*", got.line.text):
            found.append(replace(got, repaired=True))
    return found[0] if len(found) == 1 else None


def _read_box(card: np.ndarray, box: tuple[float, float, float, float], ppm: float, ocr: Engine) -> RecLine | None:
    """The crop of ``box`` (card pixels) read over the whole dictionary; None if it reads as nothing."""
    h, w = card.shape[:2]
    cx0, cy0 = max(0, int(box[0])), max(0, int(box[1]))
    cx1, cy1 = min(w, int(np.ceil(box[2]))), min(h, int(np.ceil(box[3])))
    crop = card[cy0:cy1, cx0:cx1]
    if crop.size == 0:
        return None
    probs = ocr.probabilities(crop)
    dec = ocr.decode(probs, "any")
    text = asg.nfkc(dec.text)
    if not text.strip() or len(text) != len(dec.positions):
        return None
    tl = asg.TextLine(cx0 / ppm, cy0 / ppm, cx1 / ppm, cy1 / ppm, text, dec.confidence)
    return RecLine(tl, probs, Line(text, dec.confidence, dec.char_confidences, dec.positions), crop)


#: Where a licence's expiry band may stand (mm: left, top, right, bottom): its usual place widened by the
#: offsets prints show.
EXPIRY_BAND = (0.5, 16.0, 61.0, 29.5)


def expiry_in_band(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine) -> RecLine | None:
    """The licence's expiry the line detector missed (the band in low contrast and blur): the text detector
    runs again over the band's place at twice the scale, and a line there with a date followed by まで or 有効
    is taken; none or several: nothing. Found only by looking again, it is doubtful below ``RECOVERED_SURE``."""
    h, w = card.shape[:2]
    x0, y0, x1, y1 = EXPIRY_BAND
    box = (int(x0 * ppm), int(y0 * ppm), min(w, int(x1 * ppm)), min(h, int(y1 * ppm)))
    found = [r for r in _detect_in(card, ppm, ocr, box) if any(d.kind == "expiry" for d in asg.find_dates([r.line]))]
    return found[0] if len(found) == 1 else None


#: Documents whose name and address are looked for again (``_look_for_missed_text``): how many lines the
#: address may take. My Number Cards ({"mynumber": 3}) gave no change on 65 tuning photos: not enabled.
ADDRESS_LINES = {"license": 2}
#: Paper above and below a region the detector looks at again (mm).
LOOK_CONTEXT_MM = 1.5
#: Ink that makes a region worth a second look: dark marks at least this tall (mm) outside every detected line.
INK_MIN_MM = 1.6


def _tophat(card: np.ndarray, ppm: float, box: tuple[int, int, int, int]) -> np.ndarray:
    """Dark marks in ``box`` (card pixels): the black top-hat of the darkest channel, about a millimetre wide."""
    x0, y0, x1, y1 = box
    grey = card[y0:y1, x0:x1].min(axis=2)
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (int(ppm) | 1, int(ppm) | 1))
    return cv2.subtract(cv2.morphologyEx(grey, cv2.MORPH_CLOSE, k), grey)


def _ink_map(card: np.ndarray, ppm: float, recs: list[RecLine], box: tuple[int, int, int, int]) -> np.ndarray:
    """Dark marks (black top-hat of the darkest channel) in ``box`` (card pixels), with every detected line's
    box blanked: what is left is ink the detector did not take for text."""
    return _blank_lines(_tophat(card, ppm, box), ppm, recs, box)


def _blank_lines(ink: np.ndarray, ppm: float, recs: list[RecLine], box: tuple[int, int, int, int]) -> np.ndarray:
    """``ink`` (of ``box``) with every detected line's box set to zero, in place."""
    x0, y0 = box[:2]
    for r in recs:
        ln = r.line
        ink[
            max(0, int(ln.y0 * ppm) - y0) : max(0, int(np.ceil(ln.y1 * ppm)) - y0),
            max(0, int(ln.x0 * ppm) - x0) : max(0, int(np.ceil(ln.x1 * ppm)) - x0),
        ] = 0
    return ink


def _ink_outside(card: np.ndarray, ppm: float, recs: list[RecLine], box: tuple[int, int, int, int]) -> bool:
    """Whether the region ``box`` (card pixels) holds character-sized marks outside every detected line."""
    x0, y0, x1, y1 = box
    if x1 - x0 < 2 * ppm or y1 - y0 < 2 * ppm:
        return False
    ink = _ink_map(card, ppm, recs, box)
    top = float(np.percentile(ink, 99.5))
    if top < 15:
        return False
    mask = (ink > max(10.0, 0.35 * top)).astype(np.uint8)
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (int(0.6 * ppm) | 1, 3)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    return any(stats[i][3] >= INK_MIN_MM * ppm and stats[i][2] >= INK_MIN_MM * ppm for i in range(1, n))


def _stretch(img: np.ndarray) -> np.ndarray:
    """The image's levels stretched so its darkest 1 % is black and its lightest 1 % white."""
    lo, hi = np.percentile(img.min(axis=2), (1, 99))
    if hi - lo < 8:
        return img
    return np.clip((img.astype(np.float32) - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)


def _detect_in(card: np.ndarray, ppm: float, ocr: Engine, box: tuple[int, int, int, int]) -> list[RecLine]:
    """Text lines detected again inside ``box`` (card pixels) at twice the scale, recognised over the whole
    dictionary."""
    x0, y0, x1, y1 = box
    h, w = card.shape[:2]
    region = _stretch(card[y0:y1, x0:x1])  # text the first pass missed is often faint (glare, low contrast)
    found: list[RecLine] = []
    for b in ocr.detect(region, side=2 * max(region.shape[:2])):
        bx0, by0 = (float(v) for v in b.min(axis=0))
        bx1, by1 = (float(v) for v in b.max(axis=0))
        pad = 0.04 * (by1 - by0)
        cx0, cy0 = max(0, int(x0 + bx0 - pad)), max(0, int(y0 + by0 - pad))
        cx1, cy1 = min(w, int(np.ceil(x0 + bx1 + pad))), min(h, int(np.ceil(y0 + by1 + pad)))
        if not (MIN_LINE_MM * ppm <= cy1 - cy0 <= MAX_LINE_MM * ppm) or cx1 - cx0 < 0.6 * (cy1 - cy0):
            continue
        rec = _read_box(card, (cx0, cy0, cx1, cy1), ppm, ocr)
        if rec is not None:
            found.append(rec)
    return sorted(found, key=lambda r: r.line.x0)


def _continue_with(pick: asg.Pick, more: list[RecLine], recs: list[RecLine], recovered: set[str], key: str) -> None:
    """One line read where the field seemed to go on is its continuation; none or several: ``more_lines``."""
    if len(more) == 1:
        recs.append(more[0])
        pick.spans.append(asg.Span(len(recs) - 1, 0, len(more[0].line.text)))
        recovered.add(key)
    else:
        pick.reasons.append("more_lines")


def _look_for_missed_text(
    card: np.ndarray,
    ppm: float,
    recs: list[RecLine],
    picks: dict[str, asg.Pick | None],
    ocr: Engine,
    recovered: set[str],
    max_lines: int,
) -> list[RecLine]:
    """A name or an address the detector cut short (a given name in low contrast, an address's second line):
    where ink stands right of the name's last piece on its row, or right below the address's last line, outside
    every detected line, the text detector looks again there. What it reads as the field's continuation is
    appended (the field is then doubtful below ``RECOVERED_SURE``); ink it cannot read says ``more_lines``."""
    h, w = card.shape[:2]
    recs = list(recs)
    name, addr = picks.get("name"), picks.get("address")
    if name is not None and name.spans:
        last = recs[name.spans[-1].line].line
        if name.spans[-1].end >= len(last.text.rstrip()):  # not cut at a date inside its line
            row = [
                r.line
                for r in recs
                if r.line.x0 > last.x1 - 0.5 and asg._rows_overlap(r.line, last) >= 0.3 and r.line is not last
            ]
            right = min([ln.x0 for ln in row] + [last.x1 + 22.0, CARD_W_MM * 0.62])
            box = (
                int((last.x1 + 0.3) * ppm),
                max(0, int((last.y0 - 0.5) * ppm)),
                min(w, int((right - 0.3) * ppm)),
                min(h, int((last.y1 + 0.5) * ppm)),
            )
            if _ink_outside(card, ppm, recs, box):
                more = [
                    r
                    for r in _detect_in(card, ppm, ocr, box)
                    if re.fullmatch(r"[^\d\s]{1,6}", r.line.text.strip())
                    and not asg.DATE_START.match(r.line.text)
                    # text that runs on to the window's end is a longer line (an address rising into the row
                    # on a skewed card), not the end of a name
                    and r.line.x1 < box[2] / ppm - 0.5
                ]
                _continue_with(name, more, recs, recovered, "name")
    if addr is not None and addr.spans and len({s.line for s in addr.spans}) < max_lines:
        last = recs[addr.spans[-1].line].line
        first = recs[addr.spans[0].line].line
        left = first.x0 + (addr.spans[0].start / max(1, len(first.text))) * (first.x1 - first.x0)
        box = (
            max(0, int((left - 1.5) * ppm)),
            int((last.y1 + 0.1) * ppm),
            min(w, int(min(left + 50.0, CARD_W_MM * 0.66) * ppm)),
            min(h, int((last.y1 + 0.9 * last.h) * ppm)),
        )
        if _ink_outside(card, ppm, recs, box):
            # the detector looks with some paper above and below: in a strip as tall as the line alone it missed
            # lines it finds with that context (tune-0163); what it finds there is kept only below the last line
            c = int(LOOK_CONTEXT_MM * ppm)
            look = (box[0], max(0, box[1] - c), box[2], min(h, box[3] + c))
            more = [
                r
                for r in _detect_in(card, ppm, ocr, look)
                if last.y1 - 0.3 < r.line.cy < box[3] / ppm + 0.5
                and abs(r.line.x0 - left) < 7.0
                and not asg.DATE.search(r.line.text)
                and not asg.label_kind(r.line.text)
                and not asg.strip_label(r.line.text, ("issue",))
                and len(r.line.text.strip()) >= 2
            ]
            _continue_with(addr, more, recs, recovered, "address")
    return recs


#: How far right of an address's last line ink is looked for on its row (mm): a faint end of the line (glare
#: over 「８号室」) the detector's box stopped short of.
TAIL_MM = 25.0
#: What an address line's end the detector missed may read: digits, kana, kanji and dashes, with a number or
#: a block or room word in it (「8号室」, 「園町408号室」); anything else found there is not taken.
_TAIL_CHAR = r"[0-9\u3005\u30fc\u2010-\u2015\u2212\u3041-\u30ff\u4e00-\u9fff-]"
_ADDRESS_TAIL = re.compile(rf"{_TAIL_CHAR}*(?:[0-9]|号|室|番|地|丁目){_TAIL_CHAR}*")


def _glyphs_after(
    card: np.ndarray, ppm: float, recs: list[RecLine], last: asg.TextLine, box: tuple[int, int, int, int]
) -> bool:
    """Whether character-sized marks outside every detected line stand in ``box`` right after ``last``, wholly
    within its row: the first within one and a half line heights of its end, none reaching a quarter line height
    above or below it (the portrait's head beside an address is ink on the row too, but taller and further
    off). Marks are measured before other lines' boxes are blanked, so a box cannot cut a tall mark short."""
    x0, _, x1, _ = box
    hh = last.h * ppm
    y0, y1 = max(0, int(last.y0 * ppm - hh)), min(card.shape[0], int(last.y1 * ppm + hh))
    if x1 - x0 < 2 * ppm:
        return False
    ink = _tophat(card, ppm, (x0, y0, x1, y1))
    # the cut is set on the faint ink outside the lines, the marks measured with the lines' ink in place
    top = float(np.percentile(_blank_lines(ink.copy(), ppm, recs, (x0, y0, x1, y1)), 99.5))
    if top < 15:
        return False
    mask = (ink > max(10.0, 0.35 * top)).astype(np.uint8)
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (int(0.6 * ppm) | 1, 3)))
    stats = cv2.connectedComponentsWithStats(mask)[2]
    lo, hi = last.y0 * ppm - 0.25 * hh - y0, last.y1 * ppm + 0.25 * hh - y0
    glyphs = []
    for gx, gy, gw, gh, _ in stats[1:]:
        if not (gy >= lo and gy + gh <= hi and gh >= max(0.35 * hh, INK_MIN_MM * ppm)):
            continue
        cx, cy = (x0 + gx + gw / 2) / ppm, (y0 + gy + gh / 2) / ppm
        if not any(r.line.x0 <= cx <= r.line.x1 and r.line.y0 <= cy <= r.line.y1 for r in recs):
            glyphs.append(gx)
    return bool(glyphs) and min(glyphs) < 1.5 * hh


def _plain(text: str) -> str:
    return asg.nfkc(text).replace(" ", "")


def _address_tail(
    card: np.ndarray,
    ppm: float,
    recs: list[RecLine],
    picks: dict[str, asg.Pick | None],
    ocr: Engine,
    recovered: set[str],
) -> list[RecLine]:
    """The end of an address's last line the detector's box stopped short of (glare washing out 「８号室」 after
    「…町４０」: read 「…町40」 at 0.98 and nothing said): where ink stands right of the box on its row, outside
    every detected line, the detector looks again there (levels stretched, twice the scale); one line that
    starts where the box ended and reads as an address's end is appended (doubtful below ``RECOVERED_SURE``),
    ink it cannot read so says ``runs_on``."""
    addr = picks.get("address")
    if addr is None or not addr.spans:
        return recs
    span = addr.spans[-1]
    last = recs[span.line].line
    if span.end < len(last.text.rstrip()):
        return recs
    h, w = card.shape[:2]
    row = [r.line.x0 for r in recs if r.line.x0 > last.x1 - 0.5 and asg._rows_overlap(r.line, last) >= 0.3]
    right = min([*row, last.x1 + TAIL_MM, w / ppm - 1.0])
    box = (
        int((last.x1 + 0.2) * ppm),
        max(0, int((last.y0 - 0.3) * ppm)),
        min(w, int((right - 0.2) * ppm)),
        min(h, int((last.y1 + 0.3) * ppm)),
    )
    if not _glyphs_after(card, ppm, recs, last, box):
        return recs
    c = int(LOOK_CONTEXT_MM * ppm)
    look = (box[0], max(0, box[1] - c), box[2], min(h, box[3] + c))
    read = [_plain(r.line.text) for r in recs]
    more = [
        r
        for r in _detect_in(card, ppm, ocr, look)
        if last.y0 < r.line.cy < last.y1
        and r.line.x0 < last.x1 + 1.5 * last.h  # right after the box: no gap a word would leave
        and 0.6 * last.h < r.line.h < 1.5 * last.h
        and _ADDRESS_TAIL.fullmatch(_plain(r.line.text))
        and not asg.DATE.search(r.line.text)
        and not asg.label_kind(r.line.text)
        # the end of a line already read (the line above, tilted down on a card rectified a few degrees off,
        # reaches the row right of its box: 「787番地25」 of 「…1787番地25」)
        and not any(_plain(r.line.text) in t for t in read)
    ]
    if len(more) == 1:
        recs = [*recs, more[0]]
        addr.spans.append(asg.Span(len(recs) - 1, 0, len(more[0].line.text)))
        recovered.add("address")
    else:
        addr.reasons.append("runs_on")
    return recs


def _read_across_gap(
    card: np.ndarray, ppm: float, recs: list[RecLine], addr: asg.Pick, ocr: Engine
) -> list[RecLine] | None:
    """An address line the detector split where glare washed part of it out (「住所 兵庫県神戸市中央区」 and
    「578番地1」: 三宮町2 lost between them): the row from the first piece's start to the second's end is read
    again as one line, and replaces both when it reads more than they did and begins and ends as they do.
    Returns the lines with that replacement, or None."""
    for a, b in zip(addr.spans, addr.spans[1:], strict=False):
        la, lb = recs[a.line].line, recs[b.line].line
        if asg._rows_overlap(la, lb) < 0.5 or lb.x0 - la.x1 <= 0.8 * la.h:
            continue
        box = (la.x0 * ppm, min(la.y0, lb.y0) * ppm, lb.x1 * ppm, max(la.y1, lb.y1) * ppm)
        got = _read_box(card, box, ppm, ocr)
        if got is None:
            continue
        ta, tb, t = (re.sub(r"\s", "", x) for x in (la.text, lb.text, got.line.text))
        if len(t) > len(ta) + len(tb) and t.startswith(ta[:2]) and t.endswith(tb[-2:]):
            return [*(r for k, r in enumerate(recs) if k not in (a.line, b.line)), got]
    return None


#: A line whose last glyph the recogniser dropped is read again this many line heights wider on the right.
END_MARGIN = 0.35


def _read_to_the_end(
    card: np.ndarray, ppm: float, recs: list[RecLine], picks: dict[str, asg.Pick | None], ocr: Engine
) -> set[str]:
    """A name's or address's line whose last glyph the recogniser dropped (it stands in the line's crop right of
    the last character read, at the box's edge: 「…番地3」 for 「…番地３２」) is read again with a margin on the right;
    the reading is taken (``recs`` and the span updated in place) when it is the first one and one or two more
    characters that are no marks. Returns the fields whose line was read so."""
    out: set[str] = set()
    for key in ("name", "address"):
        pick = picks.get(key)
        if pick is None or not pick.spans:
            continue
        k, sp = len(pick.spans) - 1, pick.spans[-1]
        rl = recs[sp.line]
        if sp.end < len(rl.line.text.rstrip()) or rl.probs is None or not _ink_after_last(rl):
            continue
        ln = rl.line
        box = (ln.x0 * ppm, ln.y0 * ppm, (ln.x1 + END_MARGIN * ln.h) * ppm, ln.y1 * ppm)
        got = _read_box(card, box, ppm, ocr)
        if got is None:
            continue
        old, new = ln.text.rstrip(), got.line.text.rstrip()
        more = new[len(old) :].strip()
        if new.startswith(old) and 1 <= len(more) <= 2 and not any(_mark_or_space(ch) for ch in more):
            recs[sp.line] = got
            pick.spans[k] = asg.Span(sp.line, sp.start, len(new))
            out.add(key)
    return out


def _mark_or_space(ch: str) -> bool:
    return ch.isspace() or asg._mark(ch)


def _runs_on(recs: list[RecLine], picks: dict[str, asg.Pick | None], pick: asg.Pick) -> bool:
    """Whether a name's or address's line goes on past what was read: the recogniser dropped its last glyph
    (「…古町通924番地3」 read at 0.99 from 「…番地32」), or the detector split a piece off the line's end that
    went to no field (「…魚町8」 + 「3丁目」, 丁目 lost): a glyph in the line's own crop right of the last character
    read, or a detected line that no field took starting at the line's end on its row. (Ink right of the box
    is not asked about: on a card's face it is as often the portrait or a skewed neighbouring line.)"""
    used = {s.line for p in picks.values() if p is not None for s in p.spans}
    for s in pick.spans:
        ln = recs[s.line].line
        if s.end < len(ln.text.rstrip()):  # the field ends inside its line (a date follows the name)
            continue
        for k, r in enumerate(recs):
            o = r.line
            near = ln.x1 - ln.h <= o.x0 <= ln.x1 + 1.5 * ln.h
            if k not in used and o is not ln and near and asg._rows_overlap(o, ln) >= 0.5:
                return True
        if _ink_after_last(recs[s.line]):
            return True
    return False


def _ink_after_last(rl: RecLine) -> bool:
    """Whether a glyph stands in the line's own crop right of the last character the recogniser read (it
    dropped the line's last character: 「…番地3」 for 「…番地３２」 at 0.99): a mark at least 0.4 of the crop high
    wholly right of the marks around the last character's frame (a character's parts all reach within 0.3 of
    the crop's height of its centre)."""
    if rl.probs is None or not rl.decoded.positions or rl.crop.size == 0:
        return False
    crop = rl.crop if rl.crop.dtype == np.uint8 else np.clip(rl.crop, 0, 255).astype(np.uint8)
    ink = _line_ink(crop)
    h, w = ink.shape
    last = (rl.decoded.positions[-1] + 0.5) / rl.probs.shape[0] * w
    stats = cv2.connectedComponentsWithStats(ink.astype(np.uint8))[2]
    own = [x + bw for x, _, bw, _, _ in stats[1:] if x <= last + 0.3 * h and x + bw >= last - 0.3 * h]
    if not own:
        return False
    return any(x > max(own) + 0.05 * h and bh >= 0.4 * h for x, _, _, bh, _ in stats[1:])


#: A name's first characters in type this much smaller than the rest are the label's small print.
LABEL_TYPE = 0.75


def _line_ink(crop: np.ndarray) -> np.ndarray:
    """Dark marks (Otsu) of a line's crop, without slivers of the lines above and below that reach into it."""
    grey = crop.min(axis=2) if crop.ndim == 3 else crop
    h = grey.shape[0]
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8))
    keep = np.zeros(n, bool)
    for i in range(1, n):
        y, bh, area = stats[i][1], stats[i][3], stats[i][4]
        keep[i] = area >= 3 and not ((y == 0 or y + bh >= h) and bh < 0.35 * h)
    return keep[lab]


def _glyph_heights(rl: RecLine, ink: np.ndarray) -> list[float]:
    """Each character's ink height as a share of its line's crop (``ink``: ``_line_ink`` of it)."""
    h, w = ink.shape
    frames = rl.probs.shape[0] if rl.probs is not None else 1
    out = []
    for p in rl.decoded.positions:
        cx = (p + 0.5) / frames * w
        cols = ink[:, max(0, int(cx - 0.18 * h)) : int(cx + 0.18 * h) + 1]
        rows = np.nonzero(cols.any(axis=1))[0]
        out.append((rows[-1] - rows[0] + 1) / h if len(rows) else 0.0)
    return out


def _drop_label_head(pick: asg.Pick, recs: list[RecLine], ocr: Engine) -> None:
    """氏名 misread as one or two other characters run into the name (「略和田 恵美子」, 「民名石田彩」) when no label
    was found: the name's first characters, when printed in type much smaller than the rest (labels are small
    print; 一 or 三 as a family name's first character is short but reads as itself), are read again on their
    own and taken for the label when they then read 氏 or 名. The name stays doubtful (``no_label``)."""
    sp = pick.spans[0]
    rl = recs[sp.line]
    text, pos = rl.decoded.text, rl.decoded.positions
    if sp.start != 0 or rl.probs is None or len(pos) != len(text) or rl.crop.size == 0:
        return
    chars = [k for k in range(sp.start, min(sp.end, len(text))) if not text[k].isspace()]
    if len(chars) < 3:
        return
    ink = _line_ink(rl.crop)
    sizes = _glyph_heights(rl, ink)
    for n in (2, 1):
        head, body = chars[:n], chars[n:]
        ref = float(np.median([sizes[k] for k in body])) if len(body) >= 2 else 0.0
        small = ref > 0 and all(sizes[k] < LABEL_TYPE * ref for k in head) and sizes[body[0]] >= LABEL_TYPE * ref
        if not small:
            continue
        cut = int((pos[head[-1]] + pos[body[0]] + 1) / 2 / rl.probs.shape[0] * rl.crop.shape[1])
        rows = np.nonzero(ink[:, :cut].any(axis=1))[0]
        if not len(rows):
            return
        pad = max(2, int(0.3 * (rows[-1] - rows[0] + 1)))  # the small print alone, at the recogniser's scale
        head_crop = rl.crop[max(0, rows[0] - pad) : rows[-1] + 1 + pad, :cut]
        alone = re.sub(r"\s", "", asg.nfkc(ocr.decode(ocr.probabilities(head_crop), "any").text))
        if 0 < len(alone) <= 3 and ("氏" in alone or "名" in alone):
            # the head's last character read again as itself after the label (「名柴」 alone 「氏名柴」: 氏 cut off
            # with the card's edge, 柴 boxed small on a skewed card) is the name's first: only the label goes
            own = n > 1 and alone[-1] == text[head[-1]] and alone[-1] not in "氏名"
            pick.spans[0] = asg.Span(sp.line, head[-1] if own else body[0], sp.end)
        return


def fields_from_lines(
    document: str, recs: list[RecLine], ocr: Engine, *, card: np.ndarray | None = None, ppm: float = PPM_REC
) -> dict[str, fp.FieldReading]:
    if document in REPAIR_DATES:
        recs = _repair_lines(recs, ocr, document)
    picks = asg.assign(document, [r.line for r in recs])
    recovered: set[str] = set()
    for key, look, documents in (
        ("sex", partial(sex_beside_label, document=document), ("mynumber", "residence")),
        ("security_code", code_near_label, ("mynumber",)),
        ("license_number", number_cut_short, ("license",)),
        ("expiry", expiry_in_band, ("license",)),
        ("card_number", card_number_near_label, ("residence",)),
    ):
        if document in documents and picks.get(key) is None and card is not None:
            extra = look(card, ppm, recs, ocr)
            if extra is not None:
                recs = [*recs, extra]
                picks = asg.assign(document, [r.line for r in recs])
                recovered.add(key)
    gap_read = False
    if card is not None and (addr := picks.get("address")) is not None and "gap" in addr.reasons:
        joined = _read_across_gap(card, ppm, recs, addr, ocr)
        if joined is not None:
            recs, gap_read = joined, True
            picks = asg.assign(document, [r.line for r in recs])
    name = picks.get("name")
    if document != "residence" and name is not None and "no_label" in name.reasons:
        _drop_label_head(name, recs, ocr)
    if card is not None:
        recs = _address_tail(card, ppm, recs, picks, ocr, recovered)
    if card is not None and document in ADDRESS_LINES:
        recs = _look_for_missed_text(card, ppm, recs, picks, ocr, recovered, ADDRESS_LINES[document])
    extended = _read_to_the_end(card, ppm, recs, picks, ocr) if card is not None else set()
    out: dict[str, fp.FieldReading] = {}
    for key in FIELDS[document]:
        pick = picks.get(key)
        if pick is None:
            out[key] = fp.FieldReading(key, None, "", 0.0, problem="not found on the card", reasons=("not_found",))
            continue
        cs = CHARSET.get(key)
        if key == "name" and document == "residence":
            cs = "latin"
        parts = [_span_text(ocr, recs[s.line], s, cs) for s in pick.spans]
        if cs == "latin":  # the whole-dictionary reading may have kept the space the Latin decoding lost
            first = _span_text(ocr, recs[pick.spans[0].line], pick.spans[0], None)
            t = first[0].upper().strip()
            if " " in t and t.replace(" ", "") == parts[0][0].replace(" ", "") and " " not in parts[0][0]:
                parts[0] = (t, parts[0][1], ())
        if key == "name" and len(parts) > 1:  # pieces of one name, split by the detector
            sep = " " if document == "residence" else "\u3000"
            parts = [(sep.join(t.strip() for t, _, _ in parts), min(c for _, c, _ in parts), ())]
        cut = "cut_off" in pick.reasons and key in ("birth_date", "issue_date")
        if cut and re.search(r"月\s*\d{1,2}\s*$", parts[0][0]):
            parts[0] = (parts[0][0] + "日", parts[0][1], parts[0][2])  # the day's digits were read, 日 was cut
        repaired_era = False
        if CHARSET.get(key) == "date" and parts:
            first = _parse(document, key, parts)
            implausible = first.date is not None and not repair.plausible(first.date, _plausible_as(document, key))
            if document in REPAIR_DATES and (first.value is None or implausible):
                gkey, western = _grammar_key(document, key), REPAIR_DATES[document][key]
                again = _date_again(ocr, recs[pick.spans[0].line], pick.spans[0], gkey, western)
                if again is not None:
                    parts[0], repaired_era = again, True
            if not repaired_era:
                text, repaired_era = _complete_era(parts[0][0], key)
                parts[0] = (text, parts[0][1], parts[0][2])
            if not repaired_era and key in ("birth_date", "expiry") and _parse(document, key, parts).value is None:
                text, repaired_era = complete_century(parts[0][0], key)
                if repaired_era:
                    parts[0] = (text, parts[0][1], ())
        reading = _parse(document, key, parts)
        if key == "address":  # the place part checked against the list of places (taimen.ocr.places)
            pieces = [(recs[s.line].probs, recs[s.line].decoded, s.start, s.end) for s in pick.spans]
            reading = places.check_address(ocr, reading, pieces)
        if key == "name" and cs != "latin":  # a part in no list of names read again (taimen.ocr.names)
            pieces = [(recs[s.line].probs, recs[s.line].decoded, s.start, s.end) for s in pick.spans]
            reading = names.check_name(ocr, reading, pieces)
        plausible = reading.date is None or repair.plausible(reading.date, _plausible_as(document, key))
        if document in REPAIR_DATES and not plausible:
            # an expiry in 2083 or a birth in the future was misread: never proposed as a value
            reading = replace(reading, value=None, date=None, problem=f"not a plausible {key}")
        if repaired_era and reading.value is not None:
            reading = replace(reading, flags=(*reading.flags, "repaired"))
        reasons = [*pick.reasons, *reading.reasons]
        if reading.value is None or reading.problem:
            reasons.append("grammar")
        changed = CHARSET.get(key) in ("date", "digits") and any(recs[sp.line].repaired for sp in pick.spans)
        if "repaired" in reading.flags or changed:
            reasons.append("repaired")
        if key == "sex" and any(recs[sp.line].repaired for sp in pick.spans):
            reasons.append("no_label")  # found without its label (``_sex_unlabelled``)
        if reading.value is not None and reading.confidence < (RECOVERED_SURE if key in recovered else 0.9):
            reasons.append("low_confidence")
        if key == "name" and cs != "latin" and reading.value and _variant_doubt(ocr, recs, pick.spans):
            reasons.append("variant_form")
        if key in ("name", "address") and reading.value and _runs_on(recs, picks, pick):
            reasons.append("runs_on")
        if recs[pick.spans[0].line].probs is None:
            reasons.append("no_outline")
        elif any(_edge(recs[s.line].line) for s in pick.spans):
            reasons.append("cut_off")
        if reading.value is None or reading.confidence < 0.9:
            for s in pick.spans:
                reasons += _condition(recs[s.line].crop)
        if key == "address" and gap_read:  # what stood in the gap was read only the second time: doubtful
            reasons.append("gap")
        if key in extended:  # its last characters were read only the second time
            reasons.append("repaired")
        out[key] = replace(reading, reasons=tuple(dict.fromkeys(reasons)))
        if card is not None and key in REREAD.get(document, ()) and len(pick.spans) == 1 and _unsure(out[key]):
            out[key] = _read_again(card, ppm, ocr, document, key, recs[pick.spans[0].line], pick.spans[0], out[key])
    if document == "mynumber":
        out = _on_birthday(ocr, recs, picks, out)
        out = _birth_from_expiry(recs, out)
        out = _expiry_from_birth(recs, out)
    if document == "license":
        out = _one_style(ocr, recs, picks, out)
    return _consistent(document, out)


_PADDED = re.compile(r"\d\s*\d\s*月\s*\d\s*\d\s*日")
_SHORT = re.compile(r"(?<![\d\s])\s*\d\s*月|月\s*\d\s*日")


def _one_style(
    ocr: Engine, recs: list[RecLine], picks: dict[str, asg.Pick | None], out: dict[str, fp.FieldReading]
) -> dict[str, fp.FieldReading]:
    """A card prints its dates in one style. A licence date read unsurely with a one-digit month or day
    (「令和04年1月24日」 for 11月) where every other date of the card was read zero-padded (「01月20日」) lost a
    digit to the blank: it is decoded again from its frames with two-digit months and days, and the reading
    taken (flagged ``repaired``) when it is another plausible date."""
    keys = [k for k in ("birth_date", "issue_date", "expiry") if out.get(k) is not None and out[k].text]
    short = [k for k in keys if out[k].date is not None and _SHORT.search(out[k].text)]
    others = [k for k in keys if k not in short]
    if len(short) != 1 or not others or not all(_PADDED.search(out[k].text) for k in others):
        return out
    key = short[0]
    old, pick = out[key], picks.get(key)
    if pick is None or len(pick.spans) != 1 or (old.confidence >= 0.9 and "repaired" not in old.reasons):
        return out
    gkey = _grammar_key("license", key)
    again = _date_again(ocr, recs[pick.spans[0].line], pick.spans[0], gkey, REPAIR_DATES["license"][key], padded=True)
    if again is None:
        return out
    reading = _parse("license", key, [again])
    if (
        reading.date is None
        or reading.date == old.date
        or not repair.plausible(reading.date, _plausible_as("license", key))
    ):
        return out
    reasons = tuple(
        dict.fromkeys((*old.reasons, "repaired", *(("low_confidence",) if reading.confidence < 0.9 else ())))
    )
    return {**out, key: replace(reading, flags=(*reading.flags, "repaired"), reasons=reasons)}


#: Fields read again from several crops (``taimen.ocr.reread``) when their reading is unsure: the unlock values
#: a digit misread changes. (An expiry, of which 照合番号B takes only the year, and a licence's dates and number,
#: tried on the tuning split, gained nothing for their cost.)
REREAD: dict[str, tuple[str, ...]] = {
    "mynumber": ("birth_date", "security_code"),
    "residence": ("card_number",),
}


def _unsure(reading: fp.FieldReading) -> bool:
    """Worth reading again: no value, or a value the grammar or a repair had to make; a code or a card number
    (a short crop, cheap to read) also when read with a low confidence."""
    if reading.value is None or "repaired" in reading.reasons:
        return True
    return CHARSET.get(reading.key) != "date" and reading.confidence < fp.DOUBT_BELOW


def _field_box(rl: RecLine, span: asg.Span, ppm: float) -> tuple[float, float, float, float] | None:
    """The box (card pixels) of a span's characters: its frames' share of the line's crop."""
    if rl.probs is None or not rl.decoded.positions or rl.crop.size == 0:
        return None
    total = rl.probs.shape[0]
    t0, t1 = _frames(rl.decoded, span.start, span.end, total)
    x0, w = rl.line.x0 * ppm, rl.crop.shape[1]
    return x0 + t0 / total * w, rl.line.y0 * ppm, x0 + t1 / total * w, rl.line.y0 * ppm + rl.crop.shape[0]


def _reading_of(document: str, key: str, crop: np.ndarray, probs: np.ndarray, ocr: Engine) -> fp.FieldReading | None:
    """What one crop of a field alone reads as, under the field's grammar (a date decoded again under the date
    grammar when the greedy reading is none); None without a plausible value."""
    dec = ocr.decode(probs, "any")
    text = asg.nfkc(dec.text)
    if not text.strip():
        return None
    if len(text) != len(dec.positions):
        dec = Line(text, dec.confidence, (), ())
    tl = asg.TextLine(0.0, 0.0, 1.0, 1.0, text, dec.confidence)
    rl = RecLine(tl, probs, Line(text, dec.confidence, dec.char_confidences, dec.positions), crop)
    span = asg.Span(0, 0, len(text))
    reading = _parse(document, key, [_span_text(ocr, rl, span, CHARSET[key])])
    bounds = _plausible_as(document, key)
    if CHARSET[key] == "date" and (reading.date is None or not repair.plausible(reading.date, bounds)):
        again = _date_again(ocr, rl, span, _grammar_key(document, key), REPAIR_DATES[document][key])
        reading = _parse(document, key, [again]) if again is not None else reading
    if reading.value is None or (reading.date is not None and not repair.plausible(reading.date, bounds)):
        return None
    return reading


def _read_again(
    card: np.ndarray,
    ppm: float,
    ocr: Engine,
    document: str,
    key: str,
    rl: RecLine,
    span: asg.Span,
    reading: fp.FieldReading,
) -> fp.FieldReading:
    """An unsure field read again from several crops of its place (``taimen.ocr.reread``); the value most of
    them read, when clearly ahead of the first reading, replaces it, flagged ``repaired`` (and
    ``two_candidates`` when some crops still read the first value)."""
    box = _field_box(rl, span, ppm)
    if box is None:
        return reading
    cut = list(reread.crops(card, box))
    many = getattr(ocr, "probabilities_many", None)
    readings: list[fp.FieldReading | None] = []
    values: list[str | None] = []
    for i in range(0, len(cut), 2):  # two crops at a time (two cores); no more once the vote is settled
        pair = cut[i : i + 2]
        for c, p in zip(pair, many(pair) if many else [ocr.probabilities(c) for c in pair], strict=True):
            readings.append(_reading_of(document, key, c, p, ocr))
            values.append(readings[-1].value if readings[-1] is not None else None)
        if reread.settled(reading.value, values, len(cut) - len(values)):
            break
    won = reread.vote(reading.value, values)
    if won is None:
        return reading
    votes = values.count(won)
    best = max((r for r in readings if r is not None and r.value == won), key=lambda r: r.confidence)
    reasons = [r for r in reading.reasons if r not in ("grammar", "not_found")]
    reasons.append("repaired")
    if reading.value in values:
        reasons.append("two_candidates")
    confidence = min(votes / len(values), best.confidence, reading.confidence if reading.value else 1.0)
    if confidence < fp.DOUBT_BELOW:
        reasons.append("low_confidence")
    return replace(
        best,
        confidence=confidence,
        flags=(*best.flags, "repaired"),
        problem=f"read again from {len(values)} crops, {votes} of which read this value",
        reasons=tuple(dict.fromkeys(reasons)),
    )


def _birthdays(md: tuple[int, int]) -> list[tuple[int, int]]:
    """The month and day a card tied to ``md`` may print: one born on 29 February expires on 1 March too."""
    return {(2, 29): [(2, 29), (3, 1)], (3, 1): [(3, 1), (2, 29)]}.get(md, [md])


def _on_birthday(
    ocr: Engine, recs: list[RecLine], picks: dict[str, asg.Pick | None], out: dict[str, fp.FieldReading]
) -> dict[str, fp.FieldReading]:
    """A Japanese national's My Number Card expires on a birthday. When the birth date and the expiry disagree
    in month or day (「2029年 月26日」 repaired to January, 「7月10日」 read 「7日」), or one of them has no
    value, the less sure one is decoded again from its own frames under the grammar with the other's month and
    day; taken only within the grammar's bounds, and flagged ``repaired`` (doubtful: the operator confirms)."""
    birth, exp = out.get("birth_date"), out.get("expiry")
    if birth is None or exp is None or (birth.date is None and exp.date is None):
        return out
    if birth.date and exp.date and (exp.date.month, exp.date.day) in _birthdays((birth.date.month, birth.date.day)):
        return out
    dated = [k for k in ("birth_date", "expiry") if out[k].date is not None]
    source = max(dated, key=lambda k: out[k].confidence)
    target = "expiry" if source == "birth_date" else "birth_date"
    pick, src = picks.get(target), out[source].date
    if pick is None or src is None or not pick.spans or out[target].confidence > out[source].confidence:
        return out
    if out[target].confidence >= 0.9 and "repaired" not in out[target].reasons:  # read surely: kept as read
        return out
    western = REPAIR_DATES["mynumber"][target]
    best: tuple[float, tuple[str, float, tuple[int, ...]]] | None = None
    for md in _birthdays((src.month, src.day)):
        again = _date_again(ocr, recs[pick.spans[0].line], pick.spans[0], target, western, md=md)
        if again is not None and (best is None or again[1] > best[0]):
            best = (again[1], again)
    if best is None:
        return _expiry_on_birthday(out) if target == "expiry" else out
    reading = _parse("mynumber", target, [best[1]])
    if reading.date is None or not repair.plausible(reading.date, target):
        return out
    reasons = [r for r in out[target].reasons if r not in ("grammar", "inconsistent", "not_found")]
    reasons.append("repaired")
    if reading.confidence < 0.9:
        reasons.append("low_confidence")
    flags = (*reading.flags, "repaired")
    fixed = replace(reading, flags=flags, reasons=tuple(dict.fromkeys(reasons)))
    held = _disagreed(out[source]) if out[target].date is not None else out[source]
    return {**out, target: fixed, source: held}


def _expiry_on_birthday(out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """An expiry whose month and day were hidden (a finger over 「7月10日」: 「2035年7日」 read, no trace of
    them in the frames) set on the birthday of a surely read birth date, in the year read; flagged
    ``repaired``, like a birth date completed from the expiry (``_birth_from_expiry``)."""
    birth, exp = out["birth_date"], out["expiry"]
    if birth.date is None or exp.date is None or birth.confidence < 0.9 or set(birth.reasons) - {"inconsistent"}:
        return out
    if exp.confidence >= 0.9 and "repaired" not in exp.reasons:  # read surely: a card that expires otherwise
        return out
    try:
        d = date(exp.date.year, birth.date.month, birth.date.day)
    except ValueError:  # 29 February in a common year
        d = date(exp.date.year, 3, 1)
    if not (repair.plausible(d, "expiry") and d > birth.date):
        return out
    reasons = [r for r in exp.reasons if r not in ("grammar", "inconsistent")]
    reasons.append("repaired")
    reading = replace(
        exp,
        value=d.isoformat(),
        date=d,
        flags=(*exp.flags, "repaired"),
        problem="month and day taken from the birth date (the card expires on a birthday)",
        reasons=tuple(dict.fromkeys(reasons)),
    )
    return {**out, "birth_date": _disagreed(birth), "expiry": reading}


def _disagreed(reading: fp.FieldReading) -> fp.FieldReading:
    """The date another was set against stays doubtful: as read, the two disagreed, and a confident misreading
    of this one would otherwise go through unflagged."""
    return replace(reading, reasons=tuple(dict.fromkeys((*reading.reasons, "inconsistent"))))


_PARTIAL_BIRTH = re.compile(r"(明治|大正|昭和|平成|令和)\s*(元|\d{1,2})\s*年\s*(?:(\d{1,2})\s*月)?")


def _birth_from_expiry(recs: list[RecLine], out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """A 和暦 birth date whose end was lost (glare over 「…10月 6日生」: 「昭和7年10月」 read) completed from a
    surely read expiry: a Japanese national's My Number Card expires on a birthday, so the expiry gives the
    month and day. Only with one such partial date on the card, a month read (if any) that agrees, and always
    flagged ``repaired``: the year, which 照合番号B needs, is the one read."""
    birth, exp = out.get("birth_date"), out.get("expiry")
    if birth is None or birth.value is not None or exp is None or exp.date is None or exp.doubtful:
        return out
    hits = []
    for r in recs:
        text = r.decoded.text
        for m in _PARTIAL_BIRTH.finditer(text):
            if not asg.DATE.match(text, m.start()):
                hits.append((r, m))
    if len(hits) != 1:
        return out
    r, m = hits[0]
    if m.group(3) and int(m.group(3)) != exp.date.month:
        return out
    year = 1 if m.group(2) == "元" else int(m.group(2))
    try:
        d = wareki.from_era(wareki.BY_NAME[m.group(1)], year, exp.date.month, exp.date.day, strict=True)
    except wareki.EraError:
        return out
    if not (date(1868, 1, 25) <= d <= date.today() and d < exp.date):
        return out
    confs = r.decoded.char_confidences[m.start() : m.end()] or (r.decoded.confidence,)
    text = f"{m.group(0).strip()}…({exp.date.month}月{exp.date.day}日)"
    reading = fp.FieldReading(
        "birth_date",
        d.isoformat(),
        text,
        min(min(confs), exp.confidence),
        date=d,
        calendar="wareki",
        era_year=year,
        flags=("repaired",),
        problem="month and day taken from the expiry (a birthday)",
        reasons=("repaired",),
    )
    return {**out, "birth_date": reading}


_PARTIAL_EXPIRY = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d)")


def _expiry_from_birth(recs: list[RecLine], out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """A My Number Card expiry whose day was lost (glare over 「2日まで」: 「2031年 5月」 and 「で有効」 read
    apart) completed from a surely read birth date, as ``_birth_from_expiry`` the other way round: the card
    expires on a birthday. Only with one Gregorian year-and-month without its day on the card, the month
    agreeing with the birth month, a plausible expiry after the birth; always flagged ``repaired``: the year,
    which 照合番号B needs, is the one read."""
    birth, exp = out.get("birth_date"), out.get("expiry")
    if exp is None or exp.value is not None or birth is None or birth.date is None or birth.doubtful:
        return out
    hits = [(r, m) for r in recs for m in _PARTIAL_EXPIRY.finditer(r.decoded.text)]
    if len(hits) != 1:
        return out
    r, m = hits[0]
    if int(m.group(2)) != birth.date.month:
        return out
    try:
        d = date(int(m.group(1)), birth.date.month, birth.date.day)
    except ValueError:  # 29 February in a common year
        d = date(int(m.group(1)), 3, 1)
    if not (repair.plausible(d, "expiry") and d > birth.date):
        return out
    confs = r.decoded.char_confidences[m.start() : m.end()] or (r.decoded.confidence,)
    reading = fp.FieldReading(
        "expiry",
        d.isoformat(),
        f"{m.group(0).strip()}…({d.day}日)",
        min(min(confs), birth.confidence),
        date=d,
        calendar="seireki",
        flags=("repaired",),
        problem="day taken from the birth date (the card expires on a birthday)",
        reasons=("repaired",),
    )
    return {**out, "expiry": reading}


#: Documents whose dates are decoded again under the date grammar when the first reading is not a date, and
#: the form of each date field (True Gregorian, None either; a licence's expiry also 「2028年(令和10年)…」).
REPAIR_DATES: dict[str, dict[str, bool | None]] = {
    "mynumber": {"birth_date": None, "expiry": True},
    "residence": {"birth_date": True, "expiry": True, "period": True},
    "license": {"birth_date": None, "issue_date": None, "expiry": None},
}


def _plausible_as(document: str, key: str) -> str:
    """The bounds a field's date is held to: a licence's only to those of any card date (1868 to 12 years
    ahead), since a licence read on the day it was issued, by a PC whose clock lags, must not lose its issue
    date; other cards' dates to their field's (no birth in the future, no expiry before 1990)."""
    return "date" if document == "license" else key


def _grammar_key(document: str, key: str) -> str:
    """The date grammar's name for a field: a licence's expiry has forms of its own."""
    return repair.LICENSE_EXPIRY if (document, key) == ("license", "expiry") else key


_REPAIRERS: dict[int, repair.DateRepair] = {}


def _repairer(ocr: Engine) -> repair.DateRepair | None:
    if id(ocr) not in _REPAIRERS:
        try:
            table = ocr.character_table()
        except AttributeError:  # another engine (Tesseract in the benchmark): no per-class probabilities
            return None
        _REPAIRERS[id(ocr)] = repair.DateRepair(table)
    return _REPAIRERS[id(ocr)]


def _repair_lines(recs: list[RecLine], ocr: Engine, document: str) -> list[RecLine]:
    """Lines holding a date the first reading broke (「195年11月16日生」), with that date decoded again under
    the date grammar, so that the assignment finds it; the field taken from it is flagged ``repaired`` (its
    span does not read as a date greedily, so ``_date_again`` decodes it once more)."""
    rep = None
    out = []
    for r in recs:
        if r.probs is not None and repair.broken_date_spans(r.decoded.text):
            rep = rep or _repairer(ocr)
            if rep is not None:
                tail = r.decoded.text[r.decoded.text.rfind("日") :]
                key = "birth_date" if "生" in tail else "expiry" if re.search("まで|有効", tail) else "date"
                key = _grammar_key(document, key)
                dec, changed = repair.repair_line(rep, r.decoded.text, r.decoded, r.probs, key)
                if changed:
                    r = replace(r, line=replace(r.line, text=dec.text), decoded=dec, repaired=True)
        for key in ("birth_date", "expiry"):
            if r.repaired:
                break
            dec = r.decoded
            text, completed = complete_century(dec.text, key)
            if completed and len(text) == len(dec.text):  # one mark became a digit: frames still match
                dec = replace(dec, text=text)
            elif completed and len(text) == len(dec.text) + 1 and len(dec.char_confidences) == len(dec.text):
                # the lost digit is put on its neighbour's frame, with no confidence: it was not seen
                k = next(i for i, (a, b) in enumerate(zip(text, dec.text, strict=False)) if a != b)
                confs = (*dec.char_confidences[:k], 0.0, *dec.char_confidences[k:])
                pos = dec.positions[:k] + dec.positions[k : k + 1] + dec.positions[k:]
                dec = Line(text, 0.0, confs, pos)
            else:
                continue
            r = replace(r, line=replace(r.line, text=text), decoded=dec, repaired=True)
        out.append(r)
    return out


def _date_again(
    ocr: Engine,
    rl: RecLine,
    span: asg.Span,
    key: str,
    western: bool | None,
    *,
    md: tuple[int, int] | None = None,
    padded: bool = False,
) -> tuple[str, float, tuple[int, ...]] | None:
    """A date span decoded under the date grammar (``taimen.ocr.repair``): the frames up to the greedy
    reading's 日, then what the greedy reading has after it (生, まで有効); with ``md`` on that month and day."""
    rep = _repairer(ocr)
    if rep is None or rl.probs is None or not rl.decoded.positions:
        return None
    t0, t1 = _frames(rl.decoded, span.start, span.end, rl.probs.shape[0])
    greedy = ocr.decode(rl.probs[t0:t1], "date")
    cut = greedy.text.rfind("日")
    if cut < 0:  # the day's 日 read as another mark (「 1月生」): the mark before 生 or まで ends the date
        lost = re.search(r"\d\s*([^\d年日\s])(?=\s*(?:生|まで))", greedy.text)
        cut = lost.start(1) if lost else -1
    tail = ""
    if 0 <= cut < len(greedy.positions) - 1:
        t1 = t0 + (greedy.positions[cut] + greedy.positions[cut + 1]) // 2 + 1
        tail = greedy.text[cut + 1 :]
    path = rep.decode(rl.probs[t0:t1], key, western, md, padded)
    if path is None:
        return None
    return path.text + tail, path.confidence, tuple(t0 + p for p in path.positions)


#: A name character's other registered forms (``variants.NAME_VARIANTS``) with at least this probability in
#: the recogniser's own frames make the reading doubtful.
VARIANT_P = 0.02


_INDEX: dict[int, dict[str, int]] = {}


def _class_index(ocr: Engine) -> dict[str, int] | None:
    if id(ocr) not in _INDEX:
        try:
            table = ocr.character_table()
        except AttributeError:  # another engine (Tesseract in the benchmark): no per-class probabilities
            return None
        _INDEX[id(ocr)] = {ch: i for i, ch in enumerate(table) if i}
    return _INDEX[id(ocr)]


def _variant_doubt(ocr: Engine, recs: list[RecLine], spans: list[asg.Span]) -> bool:
    """A name character that has other registered forms (崎/﨑, 高/髙 …) is doubtful when one of them is missing
    from the recogniser's dictionary (it could never be read: 﨑) or is a form it has not seen (_unseen: 髙), or
    had weight in the character's frames."""
    index = None
    for s in spans:
        rl = recs[s.line]
        for k in range(s.start, min(s.end, len(rl.decoded.text))):
            if _vendor_form(rl.decoded.text[k]):  # 增, 﨑, 髙: an old or variant form outside JIS X 0208
                return True
            if rl.decoded.text[k] in variants.CHINESE_FORMS:
                # read through the Japanese prior (穗 for 穂): the recogniser leans to the form Chinese kept even
                # where the other was printed, so its frames giving 穂 no weight cannot clear the name
                return True
            others = variants.NAME_VARIANTS.get(rl.decoded.text[k])
            if not others:
                continue
            index = index if index is not None else _class_index(ocr) or {}
            if rl.probs is None or not rl.decoded.positions or any(o not in index or _unseen(o) for o in others):
                return True
            t = rl.decoded.positions[k]
            frames = rl.probs[max(0, t - 1) : t + 2]
            if max(float(frames[:, index[o]].max()) for o in others) >= VARIANT_P:
                return True
    return False


def _unseen(ch: str) -> bool:
    """A vendor form that Chinese does not use either (髙, 栁, 𠮷): the recogniser, trained mostly on Chinese,
    has all but never seen it and gives it no weight even where it is printed (髙田 read 高田 with 髙 under
    2 % on the tuning split), so its frames cannot clear a name of it."""
    return _vendor_form(ch) and ch not in variants.CHINESE_FORMS


def _vendor_form(ch: str) -> bool:
    """A character of a vendor extension of Shift_JIS (NEC/IBM: 增, 﨑, 髙), outside JIS X 0208 and 0212: the
    variant forms registers hold and that a blurred common form is misread as."""
    if ch.isascii():
        return False
    try:
        ch.encode("euc_jp")
        return False
    except UnicodeEncodeError:
        pass
    try:
        ch.encode("cp932")
        return True
    except UnicodeEncodeError:
        return False


#: The eras an era name's second character can belong to.
_ERA_BY_TAIL = {"和": ("昭和", "令和"), "成": ("平成",), "治": ("明治",), "正": ("大正",)}
_ERA_HEADS = "明大昭平令"


def _complete_era(text: str, key: str) -> tuple[str, bool]:
    """An era read without its first character (「和17年…」, 「0和02年…」: the first character lost to glare
    or decoded as a digit): completed when exactly one era gives a plausible date for the field (a birth or
    issue date not in the future, an issue date not before 1950, an expiry not before 1990). Returns the
    text and whether it was completed; the value is then flagged ``repaired`` (doubtful)."""
    m = re.search(r"([^\s年月日]?)([和成治正])(\s*(?:元|\d{1,2})\s*年)", text)
    if not m or (m.group(1) and m.group(1) in _ERA_HEADS):
        return text, False
    fits = []
    eras = _ERA_BY_TAIL[m.group(2)]
    for era in eras:
        cand = text[: m.start()] + era + m.group(3) + text[m.end() :]
        r = fp.parse_birth_date(cand if "生" in cand else cand + "生", 1.0, key=key)
        if len(eras) > 1 and r.date is None:
            continue
        if r.date is not None and (
            (key in ("birth_date", "issue_date") and r.date > date.today())
            or (key == "issue_date" and r.date.year < 1950)
            or (key == "expiry" and r.date.year < 1990)
        ):
            continue
        fits.append(cand)
    return (fits[0], True) if len(fits) == 1 else (text, False)


#: A Gregorian birth date whose year lost its first digit (「男974年 5月18日生」: the 1 under a mark, glare or
#: dirt): three digits, then 年, month, day and 生, with at most one other mark before the digits.
_LOST_MILLENNIUM = re.compile(
    r"(?<![\d和成治正元])([^\d\s年月日生和成治正元]?)(\d{3})(\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*生)"
)
#: The same for an expiry (「031年08月08日まで有効」: the 2 cut off with the card's edge by the outline).
_LOST_MILLENNIUM_EXPIRY = re.compile(
    r"(?<![\d和成治正元])([^\d\s年月日生和成治正元]?)(\d{3})(\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*まで)"
)


def complete_century(text: str, key: str = "birth_date") -> tuple[str, bool]:
    """A birth date's (or, with ``key`` "expiry", an expiry's) Gregorian year read with three digits, completed
    with the one first digit that gives a plausible date (「974」 can only be 1974: 0974 and 2974 are no birth
    years; an expiry's 「031」 only 2031); a mark read in the lost digit's place is replaced by it, so the text
    keeps its length. Returns the text and whether it was completed; the value is then flagged ``repaired``
    (doubtful)."""
    m = (_LOST_MILLENNIUM_EXPIRY if key == "expiry" else _LOST_MILLENNIUM).search(text)
    if not m:
        return text, False
    fits = []
    for head in "12":
        try:
            d = date(int(head + m.group(2)), int(m.group(4)), int(m.group(5)))
        except ValueError:
            continue
        if repair.plausible(d, key):
            fits.append(head)
    if len(fits) != 1:
        return text, False
    return text[: m.start()] + fits[0] + m.group(2) + m.group(3) + text[m.end() :], True


def _consistent(document: str, out: dict[str, fp.FieldReading]) -> dict[str, fp.FieldReading]:
    """Rules tying a card's dates together: a My Number Card expires on a birthday; a driving licence one
    month after a birthday (a few days' tolerance). A month or day misread in either date breaks the rule:
    both are then doubtful."""
    birth, exp = out.get("birth_date"), out.get("expiry")
    if not (birth and exp and birth.date and exp.date) or document == "residence":
        return out
    b, e = birth.date, exp.date
    if document == "mynumber":
        ok = (e.month, e.day) == (b.month, b.day) or (b.month, b.day, e.month, e.day) == (2, 29, 3, 1)
    else:
        from datetime import date

        try:
            anniversary = date(e.year, b.month, b.day)
        except ValueError:  # 29 February
            anniversary = date(e.year, 3, 1)
        ok = any(25 <= (e - anniversary.replace(year=y)).days <= 35 for y in (e.year - 1, e.year))
    if not ok:
        for k in ("birth_date", "expiry"):
            out[k] = replace(out[k], reasons=tuple(dict.fromkeys((*out[k].reasons, "inconsistent"))))
    return out


def _parse(document: str, key: str, parts: list[tuple[str, float, tuple[int, ...]]]) -> fp.FieldReading:
    text, conf, positions = parts[0]
    if key == "name":
        return fp.parse_name(text, conf, latin=document == "residence", positions=positions)
    if key == "address":
        return fp.parse_address([(t, c) for t, c, _ in parts])
    if key == "birth_date":
        if document == "residence":
            return fp.parse_western_date(text, conf, "birth_date")
        return fp.parse_birth_date(text if "生" in text else text + "生", conf)
    if key == "expiry":
        if document == "mynumber":
            return fp.parse_mynumber_expiry(text, conf)
        if document == "license":
            return fp.parse_license_expiry(text, conf)
        return fp.parse_western_date(text, conf, "expiry")
    if key == "period":  # the residence card's 在留期間 end, printed in parentheses
        return fp.parse_western_date(text, conf, "period")
    if key == "issue_date":
        r = fp.parse_birth_date(text, conf, key="issue_date")
        return r
    if key == "sex":
        return fp.parse_sex(text, conf)
    if key == "security_code":
        return fp.parse_digits(text, conf, "security_code", 4)
    if key == "license_number":
        return fp.parse_digits(text, conf, "license_number", 12)
    return fp.parse_card_number(text, conf)


def page_lines(found: list[tuple[np.ndarray, str, float]]) -> list[RecLine]:
    """Lines read from a whole photo (no card outline) in a card-aligned frame: turned by the median angle of
    the lines (the card is within ±15° of upright) and scaled so that the median line is 3.5 mm high. Good
    enough for relative positions; every value found this way is doubtful anyway."""
    items = [(np.asarray(b, np.float32), asg.nfkc(t), float(c)) for b, t, c in found if asg.nfkc(t).strip()]
    if not items:
        return []
    angles = [np.arctan2(b[1, 1] - b[0, 1], b[1, 0] - b[0, 0]) for b, _, _ in items]
    a = -float(np.median(angles))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    boxes = [b @ rot.T for b, _, _ in items]
    heights = [float(b[:, 1].max() - b[:, 1].min()) for b in boxes]
    scale = 3.5 / max(1.0, float(np.median(heights)))
    x_min = min(float(b[:, 0].min()) for b in boxes)
    y_min = min(float(b[:, 1].min()) for b in boxes)
    out = []
    for b, (_, text, conf) in zip(boxes, items, strict=True):
        x0, y0 = (b.min(axis=0) - (x_min, y_min)) * scale + 2.0
        x1, y1 = (b.max(axis=0) - (x_min, y_min)) * scale + 2.0
        tl = asg.TextLine(float(x0), float(y0), float(x1), float(y1), text, conf)
        out.append(RecLine(tl, None, Line(text, conf, (conf,) * len(text)), np.zeros((1, 1, 3), np.uint8)))
    out.sort(key=lambda r: (round(r.line.y0), r.line.x0))
    return out


def card_text_score(recs: list[RecLine], document: str) -> float:
    """How much the lines look like this document's face (labels and dates found): 0..1."""
    lines = [r.line for r in recs]
    if not lines:
        return 0.0
    dates = asg.find_dates(lines)
    labels = sum(1 for ln in lines if asg.label_kind(ln.text) or asg.strip_label(ln.text, tuple(asg.LABELS)))
    return min(1.0, (len(dates) + labels) / 6)


def sharpness(card: np.ndarray) -> float:
    """Edge strength relative to contrast (low: out of focus or moving)."""
    grey = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    lap = cv2.Laplacian(grey, cv2.CV_32F)
    return float(np.abs(lap).mean() / max(1.0, float(grey.std())))
