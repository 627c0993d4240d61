"""性別 when the first pass did not give it as a field: a value beside its label read as its own line, joined
to another line, washed out by glare, or with no label read at all (a lone 男/女 on the birth date's rows)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

import cv2
import numpy as np

from taimen.ocr import assign as asg
from taimen.ocr.engine import Engine, Line, class_index, span_frames
from taimen.ocr.layouts import LAYOUTS
from taimen.ocr.recline import RecLine, ink_map

#: Where a lone 性別 value can stand relative to its label (mm): to its right, up to a few mm off its row.
SEX_WINDOW = (-1.0, 12.0, 5.5)  # from the label's right edge, to the right edge, up and down from its centre


def _sex_label(text: str) -> bool:
    """性別 on a line of its own, also read with one slip (性測, 惟別); not when the value is on the line."""
    t = re.sub(r"\s", "", text)
    return bool(re.fullmatch(r"性.|.別", t)) and "男" not in t and "女" not in t


def sex_labels(recs: list[RecLine]) -> list[asg.TextLine]:
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
            t0, t1 = span_frames(dec, m.start(), m.end(), r.probs.shape[0])
            ln, total = r.line, r.probs.shape[0]
            x0, x1 = ln.x0 + t0 / total * (ln.x1 - ln.x0), ln.x0 + t1 / total * (ln.x1 - ln.x0)
            out.append(asg.TextLine(x0, ln.y0, x1, ln.y1, "性別", ln.confidence))
    return out


#: A 性別 value read by looking again: one character, or the residence card's 「女 F.」 (the letter agreeing).
_SEX_VALUE = re.compile(r"([男女])(?:\s*([MF])\.?)?")


def sex_value(text: str) -> str | None:
    m = _SEX_VALUE.fullmatch(text)
    if m is None or (m.group(2) and m.group(2) != {"男": "M", "女": "F"}[m.group(1)]):
        return None
    return m.group(1)


#: The residence card's 「女 F.」 with its kanji not read as one (友, 攵, a blot): the printed letter after one
#: other mark, a period or comma after it.
_LETTER_VALUE = re.compile(r"[^\sA-Za-z0-9男女]?\s*([MF])[.,、。]?")


def letter_at(text: str) -> int | None:
    """Where the residence card's M/F letter stands in ``text`` when the kanji before it was not read as 男/女."""
    t = unicodedata.normalize("NFKC", text)  # a full-width Ｆ is the letter too
    m = _LETTER_VALUE.fullmatch(t.strip()) if len(t) == len(text) else None
    return None if m is None else len(t) - len(t.lstrip()) + m.start(1)


def _by_letter(rl: RecLine, at: int) -> RecLine | None:
    """``rl`` cut to its letter's frames, read as the kanji the letter stands for (so that the assignment takes
    it); the field is then parsed from the letter alone (``fields.parse_sex``: flagged ``repaired``)."""
    dec = rl.decoded
    if rl.probs is None or len(dec.positions) != len(dec.text):
        return None
    t0, t1 = span_frames(dec, at, at + 1, rl.probs.shape[0])
    value = {"M": "男", "F": "女"}[unicodedata.normalize("NFKC", dec.text[at])]
    conf = dec.char_confidences[at]
    tl = asg.TextLine(rl.line.x0, rl.line.y0, rl.line.x1, rl.line.y1, value, conf)
    return RecLine(tl, rl.probs[t0:t1], Line(value, conf, (conf,), (dec.positions[at] - t0,)), rl.crop)


def sex_beside_label(
    card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine, document: str | None = None
) -> RecLine | None:
    """The one-character 性別 value (男/女) the line detector often misses: the ink blob of about one
    character's size beside the 性別 label, outside every detected line, recognised over the whole
    dictionary. Accepted only when it reads as exactly 男 or 女, so another mark cannot become a sex. With
    no label read at all (small print lost to glare or blur) and ``document`` given, the rows around the
    birth date are searched instead (``sex_unlabelled``). On a residence card a value whose kanji was misread
    is decided by the letter printed after it (``_letter_value``; 「友F、」 is 女, flagged ``repaired``)."""
    labels = sex_labels(recs)
    if document == "residence" and (by_letter := _letter_value(recs, labels)) is not None:
        return by_letter
    if not labels and document is not None:
        return sex_unlabelled(card, ppm, recs, ocr, document)
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
    blob = _sex_blob(card, ppm, recs, ocr, lab, letters=document == "residence")
    return blob or (_sex_overlapped(card, ppm, ocr, lab) if covered else None)


def _letter_value(recs: list[RecLine], labels: list[asg.TextLine]) -> RecLine | None:
    """The residence card's value with its kanji misread, as its letter: the one line beside the one label
    (``SEX_WINDOW``: 「友F、」), or a label with the value run into it (「性制 灰F,」)."""
    dx0, dx1, dy = SEX_WINDOW
    lab = labels[0] if len(labels) == 1 else None
    found = []
    for r in recs:
        ln, text = r.line, r.decoded.text
        if (head := re.match(r"\s*(?:性.|.別)", text)) and (at := letter_at(text[head.end() :])) is not None:
            found.append((r, head.end() + at))
            continue
        beside = lab is not None and lab.x1 + dx0 <= ln.x0 and ln.x1 <= lab.x1 + dx1 and abs(ln.cy - lab.cy) <= dy
        if beside and (at := letter_at(text)) is not None:
            found.append((r, at))
    return _by_letter(*found[0]) if len(found) == 1 else None


#: Where a 性別 value is searched for without its label (mm): above and below the birth date's line; and
#: the room left of the portrait's place in the layout (its prior; the print moves by a few mm).
SEX_ROWS = (4.0, 6.0)


SEX_LEFT_OF_PHOTO = 1.5


#: A line at most this wide (mm) and of at most three characters that no field took: perhaps the value.
SEX_SHORT_MM = 9.0


def sex_unlabelled(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine, document: str) -> RecLine | None:
    """The 性別 value when its label was not read: the label and the value stand on the birth date's row or
    the row below it on either card, left of the portrait. Every character-sized blob there outside the
    detected lines is read (a few at most: the remains of the label, a stray mark); taken only when exactly
    one reads as a 性別 value, and then flagged (``repaired``: the field is marked ``no_label``)."""
    lines = [r.line for r in recs]
    picks = asg.assign(document, lines)
    row = _birth_row(lines, picks.get("birth_date"))
    if row is None:
        return None
    used = {sp.line for p in picks.values() if p is not None for sp in p.spans}
    # a short line no field took may be the value misread (blurred 女 read 「就」): looked at as a blob too
    recs = [
        r
        for i, r in enumerate(recs)
        if i in used or len(re.sub(r"\s", "", r.line.text)) > 3 or r.line.x1 - r.line.x0 > SEX_SHORT_MM
    ]
    up, down = SEX_ROWS
    h, w = card.shape[:2]
    x1 = min(w, int((LAYOUTS[document].photo.x - SEX_LEFT_OF_PHOTO) * ppm))
    y0, y1 = max(0, int((row.y0 - up) * ppm)), min(h, int((row.y1 + down) * ppm))
    if x1 < 4 * ppm or y1 - y0 < 4 * ppm:
        return None
    seen: set[tuple[int, int, int, int]] = set()
    letters = document == "residence"
    for blobs in _blob_sets(card, ppm, recs, (0, y0, x1, y1)):
        if len(blobs) > 4:  # a pattern or clutter, not a lone value beside a label
            return None
        found = [r for b in blobs if b not in seen and (r := _read_sex_blob(card, ppm, ocr, b, letters)) is not None]
        found = [r for r in found if not _decided(r)] or found  # a value read as it is before one decided
        if len({r.line.text for r in found}) > 1:  # 男 and 女 both: no value
            return None
        if found:
            return replace(found[0], repaired=True) if len(found) == 1 else None
        seen.update(blobs)
    return None


def _birth_row(lines: list[asg.TextLine], birth: asg.Pick | None) -> asg.TextLine | None:
    """The birth date's line: the one picked, else the one line that reads 「…年…生」 though no date could be
    parsed from it (a blurred 「昭和42年12月29日生」 read 「66042年12月12911生」)."""
    if birth is not None:
        return lines[birth.spans[0].line]
    rows = [ln for ln in lines if re.search(r"年.*生\s*$", ln.text)]
    return rows[0] if len(rows) == 1 else None


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


def _sex_blob(
    card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine, lab: asg.TextLine, letters: bool = False
) -> RecLine | None:
    """The value as the one ink blob of a character's size beside the label, outside every detected line: the
    lone blob of each ink cut (``_blob_sets``) in turn until one reads as a value (a cut at a share of strong ink
    beside the value kept only a piece of a faint 女, read 「Z」; the floor kept all of it)."""
    h, w = card.shape[:2]
    dx0, dx1, dy = SEX_WINDOW
    y0, y1 = max(0, int((lab.cy - dy) * ppm)), min(h, int((lab.cy + dy) * ppm))
    x1 = min(w, int((lab.x1 + dx1) * ppm))
    read: set[tuple[int, int, int, int]] = set()
    # beside the label; then from its left edge, with lines of one character looked at as blobs: a value printed
    # a few mm above or below the label's row may stand over the label's right half (the label's own box is
    # blanked), and a value boxed but read as another kanji (「鼓」) is a blob there. Wider only second: the
    # wider window may hold another mark, and a lone value is no longer lone
    for left, lines in ((lab.x1 + dx0, recs), (lab.x0, _lone_marks_out(recs, lab))):
        x0 = max(0, int(left * ppm))
        if x1 - x0 < 2 * ppm or y1 - y0 < 2 * ppm:
            return None
        for blobs in _blob_sets(card, ppm, lines, (x0, y0, x1, y1)):
            if len(blobs) != 1 or blobs[0] in read:  # nothing, or several marks: not a lone value
                continue
            read.add(blobs[0])
            if (got := _read_sex_blob(card, ppm, ocr, blobs[0], letters)) is not None:
                return got
    return None


def _lone_marks_out(recs: list[RecLine], lab: asg.TextLine) -> list[RecLine]:
    """The detected lines but those of one character (the label's aside): such a line beside the label is the
    value read as another mark (a blurred 女 read 「鼓」), looked at as a blob."""
    return [
        r
        for r in recs
        if r.line is lab or len(re.sub(r"\s", "", r.line.text)) != 1 or r.line.x1 - r.line.x0 > SEX_SHORT_MM
    ]


def _blob_sets(
    card: np.ndarray, ppm: float, recs: list[RecLine], box: tuple[int, int, int, int]
) -> list[list[tuple[int, int, int, int]]]:
    """Character-sized ink blobs in ``box`` outside every detected line, for each ink cut: a share of the
    strongest ink in the box, then the floor alone (a value washed out by glare: ink of 15 where a frame or
    the portrait's edge beside it reaches 70), then a lower floor (8: a pale value's strokes under glare fall
    below 12, and what is left of it is too small to be taken for a character)."""
    x0, y0 = box[:2]
    ink = ink_map(card, ppm, recs, box)
    top = float(np.percentile(ink, 99.8))
    if top < 20:  # no ink left: the value is not printed here (or is lost in glare)
        return []
    out = []
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (int(0.9 * ppm) | 1, int(0.9 * ppm) | 1))
    for cut in dict.fromkeys((max(12.0, 0.3 * top), 12.0, 8.0)):
        n, _, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate((ink > cut).astype(np.uint8), k))
        blobs = [
            (x0 + int(bx), y0 + int(by), x0 + int(bx + bw), y0 + int(by + bh))
            for bx, by, bw, bh, _ in stats[1:n]
            if 2.4 * ppm <= bh <= 6.0 * ppm and 2.0 * ppm <= bw <= 6.0 * ppm
        ]
        joined = _pairs_joined(blobs, ppm)
        out.append(joined)
        if joined != blobs:  # or the label's remains beside the value (「自男」): each read alone too
            out.append(blobs)
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


def _read_sex_blob(
    card: np.ndarray, ppm: float, ocr: Engine, blob: tuple[int, int, int, int], letters: bool = False
) -> RecLine | None:
    """A blob recognised over the whole dictionary; a RecLine only when it reads as a 性別 value (with
    ``letters``, a residence card's, also as its M/F letter after a misread kanji)."""
    cx0, cy0, cx1, cy1 = blob
    crop = card[cy0:cy1, cx0:cx1]  # the dilation left a margin of about half a millimetre
    probs = ocr.probabilities(crop)
    dec = ocr.decode(probs, "any")
    value = sex_value(asg.nfkc(dec.text).strip())
    if value is None:
        at = letter_at(dec.text) if letters else None
        if at is None:
            return _two_class(ocr, probs, dec, (cx0 / ppm, cy0 / ppm, cx1 / ppm, cy1 / ppm), crop)
        tl = asg.TextLine(cx0 / ppm, cy0 / ppm, cx1 / ppm, cy1 / ppm, dec.text, dec.confidence)
        return _by_letter(RecLine(tl, probs, dec, crop), at)
    lead = len(dec.text) - len(dec.text.lstrip())
    conf = dec.char_confidences[lead] if len(dec.char_confidences) > lead else dec.confidence
    tl = asg.TextLine(cx0 / ppm, cy0 / ppm, cx1 / ppm, cy1 / ppm, value, conf)
    return RecLine(tl, probs, Line(value, conf, (conf,), dec.positions[lead : lead + 1]), crop)


#: A blob read as one other mark is 男 or 女 by these two classes alone (a blurred 女 read 「收」 with 女 at 0.08,
#: 男 at 0): the stronger must get at least this in one frame (paper texture cut out as a blob, no value there,
#: gave 女 up to 0.012 on the development photos) …
TWO_CLASS_FLOOR = 0.05
#: … and this many times what the other gets (a blurred 女 read 「生」: 女 0.10, 男 0.0065).
TWO_CLASS_MARGIN = 10.0


def _two_class(
    ocr: Engine, probs: np.ndarray, dec: Line, box: tuple[float, float, float, float], crop: np.ndarray
) -> RecLine | None:
    """The blob's value decided between 男 and 女 alone, where the whole dictionary read it as one other mark: a
    real card prints one of the two there. Proposed at the probability the recogniser gave it (always below a
    reading's: ``low_confidence``), as a single frame holding that class."""
    table = class_index(ocr)
    if table is None or not {"男", "女"} <= table.keys() or len(dec.text.strip()) != 1:
        return None
    male, female = (float(probs[:, table[ch]].max()) for ch in "男女")
    (p, value), (q, _) = sorted(((male, "男"), (female, "女")), reverse=True)
    if p < TWO_CLASS_FLOOR or p < TWO_CLASS_MARGIN * q:
        return None
    frame = np.zeros((1, probs.shape[1]), np.float32)
    frame[0, table[value]] = p
    return RecLine(asg.TextLine(*box, value, p), frame, Line(value, p, (p,), (0,)), crop)


def _decided(rl: RecLine) -> bool:
    """A value ``_two_class`` decided (held as its one frame; a blob read has several)."""
    return rl.probs is not None and rl.probs.shape[0] == 1
