"""Values read again near their labels when the first pass lost or cut them: the My Number security code (also
in a wider box or on a dark portrait), the residence card number, a licence number cut short at the box's
edge, and a licence expiry inside its band."""

from __future__ import annotations

import re
from dataclasses import replace

import cv2
import numpy as np

from taimen.ocr import assign as asg
from taimen.ocr import repair
from taimen.ocr.channels import brightest
from taimen.ocr.ctc import Slot, best_path
from taimen.ocr.engine import Engine, Line
from taimen.ocr.layouts import CARD_H_MM, CARD_W_MM
from taimen.ocr.recline import MAX_LINE_MM, MIN_LINE_MM, RecLine, detect_in, read_box, stretch

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
    separated from a coloured background (``_ink_contrast``: a code printed over the portrait's dark part),
    then with its levels stretched (``recline.stretch``: a code glare left faint beside its label)."""
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
    found = codes_in(card, ppm, ocr, (x0, y0, x1, y1))
    for separate in (_ink_contrast, stretch):  # over the portrait's dark part; faint under glare
        if found:
            break
        inked = card.copy()
        inked[y0:y1, x0:x1] = separate(card[y0:y1, x0:x1])
        found = [replace(r, repaired=True) for r in codes_in(inked, ppm, ocr, (x0, y0, x1, y1))]
    return found[0] if len(found) == 1 else None


#: Where the セキュリティコード is looked for when its label was not read (mm: left, top, right, bottom): the
#: lower right of the card, under the portrait, in either arrangement, with the offsets prints show.
CODE_PLACE = (50.0, 38.0, CARD_W_MM, CARD_H_MM)


def codes_in(card: np.ndarray, ppm: float, ocr: Engine, window: tuple[int, int, int, int]) -> list[RecLine]:
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
        got = read_box(card, box, ppm, ocr)
        if got is None:
            continue
        text = got.line.text
        if re.fullmatch(r"\s*\d(?:\s?\d){3}\s*", text):
            found.append(got)
        elif re.fullmatch(r"\s*\d(?:\s?\d){1,2}\s*", text):  # a digit lost at an end of the box
            grow = WIDEN * (box[3] - box[1])
            wide = read_box(card, (box[0] - grow, box[1], box[2] + grow, box[3]), ppm, ocr)
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
    tail = read_box(card, (x, box[1], box[2], box[3]), ppm, ocr)
    if tail is None or not re.fullmatch(r"\s*\d(?:\s?\d){3}\s*", tail.line.text):
        return None
    return replace(tail, repaired=True)


def _ink_contrast(img: np.ndarray) -> np.ndarray:
    """Dark ink set apart from a coloured background it is printed over (the portrait's dark clothing): ink is
    dark in every channel, a coloured area bright in at least one, so the brightest channel, equalised over
    small tiles, shows the ink dark on light."""
    bright = brightest(img)
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
        got = read_box(card, box, ppm, ocr)
        if got is not None and _CARD_NUMBER.fullmatch(re.sub(r"\s", "", got.line.text.upper())):
            found.append(got)
    return found[0] if len(found) == 1 else None


#: The start of a residence card number whose line ended early (a finger or glare over its end, the box cut
#: short: 「番号 MD1323」, 「番号 LF14541586U」): two letters, then two to eight of the eight digits (a digit may read
#: as the letter it looks like: 「DA55o」), then at most the first of the last two letters, nothing after.
_DIGIT = r"[\dOILSBDZG]"
_NUMBER_START = re.compile(
    rf"\s*(?:番号\s*)?([A-Z]{{2}}\s?{_DIGIT}(?:\s?{_DIGIT}){{1,7}}|[A-Z]{{2}}\s?{_DIGIT}(?:\s?{_DIGIT}){{7}}\s?[A-Z])\s*"
)


def card_number_start(recs: list[RecLine]) -> RecLine | None:
    """The one line that holds a residence card number's start and nothing else (see ``_NUMBER_START``), at
    least one digit read as a digit; none or several: None."""
    found = []
    for r in recs:
        m = _NUMBER_START.fullmatch(r.line.text.upper())
        if m and re.search(r"\d", m.group(1)):
            found.append(r)
    return found[0] if len(found) == 1 else None


def card_number_cut_short(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine) -> RecLine | None:
    """The residence card number whose line box ended early (glare over its last characters: 「番号 SW4904」):
    the line of its start (``card_number_start``) is read again from the number's first character to as far as
    the missing characters would take it (within the card), and taken (``repaired``, always doubtful) only when
    it then reads as exactly two letters, eight digits and two letters. A finger over the end reads as nothing
    of the kind: nothing (the field is then flagged ``cut_off``, ``fieldread``)."""
    r = card_number_start(recs)
    if r is None:
        return None
    ln, text = r.line, r.line.text.upper()
    m = _NUMBER_START.fullmatch(text)
    assert m is not None
    start = ln.x0
    if m.start(1) > 0 and r.decoded.positions and r.probs is not None:  # the 番号 label on the line: after it
        start = ln.x0 + r.decoded.positions[m.start(1)] / r.probs.shape[0] * (ln.x1 - ln.x0)
    read = len(re.sub(r"\s", "", m.group(1)))
    per_char = (ln.x1 - start) / read
    right = min(card.shape[1] / ppm, ln.x1 + (12 - read + 1) * per_char)
    box = ((start - 0.5 * per_char) * ppm, ln.y0 * ppm, right * ppm, ln.y1 * ppm)
    got = read_box(card, box, ppm, ocr)
    if got is None or not _CARD_NUMBER.fullmatch(re.sub(r"\s", "", got.line.text.upper())):
        return None
    return replace(got, repaired=True)


#: How far (in line heights) a code's box is widened on each side when it read two or three digits only.
WIDEN = 0.8


#: Digits of a licence number.
LICENCE_DIGITS = 12


_NUMBER_CUT = re.compile(r"\s*第?\s*(\d(?:\s?\d)*)\s*")


def number_cut_short(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine) -> RecLine | None:
    """The licence number whose line box ended early (glare over its last digits: 「第47630556」 for
    第476305568714) or began late (its first digits faint: 「28735843」 right of a lone 第): a line of 第 and six
    to eleven digits and nothing else is read again with its box reaching right to the 号 on its row, or as far
    as the missing digits would take, and left to the 第 standing apart on its row, and taken (``repaired``,
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
        dai = [
            o.line.x0
            for o in recs
            if o.line.text.strip() == "第" and o.line.x1 < ln.x0 + 0.5 and asg._rows_overlap(o.line, ln) >= 0.3
        ]
        left = max(dai) if dai and "第" not in ln.text else ln.x0
        got = read_box(card, (left * ppm, ln.y0 * ppm, right * ppm, ln.y1 * ppm), ppm, ocr)
        if got is not None and re.fullmatch(r"\s*第?\s*\d(?:\s?\d){11}\s*", got.line.text):
            found.append(replace(got, repaired=True))
    return found[0] if len(found) == 1 else None


#: A line that holds the licence number and nothing else but its 第 and 号, with a digit too few or too many:
#: 「第47630556871」 (two equal digits merged), 「4763055687144」.
_NUMBER_LINE = re.compile(r"\s*第?\s*(\d(?:\s?\d)*)\s*号?\s*")
#: Twelve digits, an optional 第 before and 号 after: the licence number's grammar.
_TWELVE = [Slot("第", True), *[Slot("0123456789") for _ in range(LICENCE_DIGITS)], Slot("号", True)]


def twelve_digits(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine) -> RecLine | None:
    """The licence number read with a digit too few or too many (greedy decoding gave one of two equal digits
    to the blank, or read a mark as a digit): each line that holds 第, eleven or thirteen digits and 号 and
    nothing else is decoded again from its own frames as exactly twelve digits (``taimen.ocr.ctc``), and taken
    (``repaired``, always doubtful) when the digits need no character the frames did not see and cost little
    against the free reading (the date grammar's bounds, ``repair.MIN_P`` and ``repair.MAX_GAP``); none or
    several: nothing. No image is read again."""
    found: list[RecLine] = []
    for r in recs:
        m = _NUMBER_LINE.fullmatch(r.line.text)
        if m is None or r.probs is None or len(re.sub(r"\s", "", m.group(1))) not in (11, 13):
            continue
        rep = repair.for_engine(ocr)
        if rep is None:  # an engine without per-class probabilities
            return None
        path = best_path(r.probs, rep.classes, _TWELVE)
        if path is None or path.confidence < repair.MIN_P or path.gap > repair.MAX_GAP:
            continue
        dec = Line(path.text, path.confidence, path.confidences, path.positions)
        line = replace(r.line, text=path.text, confidence=path.confidence)
        found.append(replace(r, line=line, decoded=dec, repaired=True))
    return found[0] if len(found) == 1 else None


#: Where a licence's expiry band may stand (mm: left, top, right, bottom): its usual place widened by the
#: offsets prints show.
EXPIRY_BAND = (0.5, 16.0, 61.0, 29.5)


def expiry_in_band(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine) -> RecLine | None:
    """The licence's expiry the line detector missed (the band in low contrast and blur): the text detector
    runs again over the band's place at twice the scale, and a line there with a date followed by まで or 有効
    is taken; none or several: nothing. Found only by looking again, it is doubtful below ``RECOVERED_SURE``."""
    box = _band_box(card, ppm, EXPIRY_BAND)
    found = [r for r in detect_in(card, ppm, ocr, box) if any(d.kind == "expiry" for d in asg.find_dates([r.line]))]
    return found[0] if len(found) == 1 else None


def _band_box(card: np.ndarray, ppm: float, band: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """A band of the card (mm) in card pixels, within the card."""
    h, w = card.shape[:2]
    x0, y0, x1, y1 = band
    return int(x0 * ppm), int(y0 * ppm), min(w, int(x1 * ppm)), min(h, int(y1 * ppm))


#: Where a licence's address may stand (mm: left, top, right, bottom): between the name's row and the issue
#: date's, widened by the offsets prints show.
ADDRESS_BAND = (0.5, 4.0, 72.0, 17.0)


def address_in_band(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine) -> RecLine | None:
    """The licence's address the line detector missed altogether (neither it nor its label found on a clean
    card: tune-1762): the text detector runs again over the address's place at twice the scale, and the one
    line there starting with a prefecture (after 住所 or not) is taken; none or several: nothing. Found only by
    looking again, it is doubtful below ``RECOVERED_SURE``."""
    found = [
        r
        for r in detect_in(card, ppm, ocr, _band_box(card, ppm, ADDRESS_BAND))
        if asg._prefecture_start(r.line.text[asg.strip_label(r.line.text, ("address",)) :].lstrip())
    ]
    return found[0] if len(found) == 1 else None


#: Where a My Number Card's birth date stands beside its 生年月日 label (mm): right of the label's end, and up
#: and down of its box (the value's print is taller than the label's and may be offset by a few mm).
BIRTH_WINDOW = (1.0, 45.0, 3.0, 3.0)


def birth_beside_label(card: np.ndarray, ppm: float, recs: list[RecLine], ocr: Engine) -> RecLine | None:
    """The My Number birth date the line detector missed beside its read 生年月日 label (tune-3887: printed just
    over the 性別 value, clear, and not detected): the text detector runs again on the label's row
    at twice the scale, and the one line there holding a birth date (a date followed by 生) is taken; none or
    several: nothing. Found only by looking again, it is doubtful below ``RECOVERED_SURE``."""
    labels = [r.line for r in recs if asg.label_kind(r.line.text) == "birth"]
    if len(labels) != 1:
        return None
    lab = labels[0]
    h, w = card.shape[:2]
    left, right, up, down = BIRTH_WINDOW
    x0, x1 = max(0, int((lab.x1 - left) * ppm)), min(w, int((lab.x1 + right) * ppm))
    y0, y1 = max(0, int((lab.y0 - up) * ppm)), min(h, int((lab.y1 + down) * ppm))
    if x1 - x0 < 10 * ppm or y1 - y0 < 3 * ppm:
        return None
    found = [r for r in detect_in(card, ppm, ocr, (x0, y0, x1, y1)) if _holds_birth(r)]
    return found[0] if len(found) == 1 else None


def _holds_birth(r: RecLine) -> bool:
    return any(d.kind == "birth" for d in asg.find_dates([r.line]))
