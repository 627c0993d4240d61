"""Looking again where the first pass left ink unread: a field's missed line or its second address line, an
address line's faint end, a line split by glare, a last glyph dropped at the box's edge; and the checks that
say a line may run on (``runs_on``) or that a name's first character is its label's (``drop_label_head``)."""

from __future__ import annotations

import itertools
import re

import cv2
import numpy as np

from taimen.ocr import assign as asg
from taimen.ocr.channels import GLARE_PAPER, darkest
from taimen.ocr.engine import Engine
from taimen.ocr.layouts import CARD_W_MM
from taimen.ocr.recline import (
    FAINT_INK_FLOOR,
    INK_MIN_MM,
    MIN_LINE_MM,
    RecLine,
    blank_lines,
    detect_in,
    ink_outside,
    line_ink,
    read_box,
    tophat,
)

#: Paper above and below a region the detector looks at again (mm).
LOOK_CONTEXT_MM = 1.5


def _detect_around(card: np.ndarray, ppm: float, ocr: Engine, box: tuple[int, int, int, int]) -> list[RecLine]:
    """Lines detected again in ``box`` with ``LOOK_CONTEXT_MM`` of paper above and below: in a strip as tall as
    the line alone the detector misses lines it finds with that context (tune-0163)."""
    c = int(LOOK_CONTEXT_MM * ppm)
    return detect_in(card, ppm, ocr, (box[0], max(0, box[1] - c), box[2], min(card.shape[0], box[3] + c)))


def _continue_with(
    pick: asg.Pick, more: list[RecLine], recs: list[RecLine], recovered: set[str], key: str, unread: bool
) -> None:
    """One line read where the field seemed to go on is its continuation; several, or none where ``unread`` ink
    stands: ``more_lines``."""
    if len(more) == 1:
        recs.append(more[0])
        pick.spans.append(asg.Span(len(recs) - 1, 0, len(more[0].line.text)))
        recovered.add(key)
    elif more or unread:
        pick.reasons.append("more_lines")


def look_for_missed_text(
    card: np.ndarray,
    ppm: float,
    recs: list[RecLine],
    picks: dict[str, asg.Pick | None],
    ocr: Engine,
    recovered: set[str],
    max_lines: int,
    plain: bool,
) -> list[RecLine]:
    """A name or an address the detector cut short (a given name in low contrast, an address's second line):
    where ink stands right of the name's last piece on its row, or right below the address's last line, outside
    every detected line, the text detector looks again there. What it reads as the field's continuation is
    appended (the field is then doubtful below ``RECOVERED_SURE``). Ink it cannot read says ``more_lines`` only
    on a ``plain`` card (the licence) and under the address only where it is not faint: the guilloche of a My
    Number or residence card passes for ink there (31 right values so flagged on 640 photos)."""
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
            if ink_outside(card, ppm, recs, box):
                more = [
                    r
                    for r in detect_in(card, ppm, ocr, box)
                    if re.fullmatch(r"[^\d\s]{1,6}", r.line.text.strip())
                    and not asg.DATE_START.match(r.line.text)
                    # text that runs on to the window's end is a longer line (an address rising into the row
                    # on a skewed card), not the end of a name
                    and r.line.x1 < box[2] / ppm - 0.5
                ]
                _continue_with(name, more, recs, recovered, "name", plain)
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
        if ink_outside(card, ppm, recs, box, FAINT_INK_FLOOR):
            # what the detector finds there, looking with paper around, is kept only below the last line
            more = [
                r
                for r in _detect_around(card, ppm, ocr, box)
                if last.y1 - 0.3 < r.line.cy < box[3] / ppm + 0.5
                and abs(r.line.x0 - left) < 7.0
                and not asg.DATE.search(r.line.text)
                and not asg.label_kind(r.line.text)
                and not asg.strip_label(r.line.text, ("issue",))
                and len(r.line.text.strip()) >= 2
            ]
            if not more and plain:  # the detector, looking again, still saw no line there: the band's ink read as one
                band = building_in_band(card, ppm, recs, last, left, ocr)
                if band is not None:
                    rec, end = band
                    recs.append(rec)
                    addr.spans.append(asg.Span(len(recs) - 1, 0, end))
                    recovered.add("address")
                    return recs
            unread = plain and not more and ink_outside(card, ppm, recs, box)
            _continue_with(addr, more, recs, recovered, "address", unread)
    return recs


#: How far above an address's building line its missed first line is looked for (line heights) …
FIRST_LINE_ABOVE = 2.0
#: … and how far right on the card it may run (mm): a licence prints its address out to 65 mm.
FIRST_LINE_RIGHT_MM = 70.0


def first_line_above(
    card: np.ndarray,
    ppm: float,
    recs: list[RecLine],
    picks: dict[str, asg.Pick | None],
    ocr: Engine,
    recovered: set[str],
) -> list[RecLine]:
    """An address's first line the detector missed altogether (tune-3563: 「住所熊本県熊本市…16号」 printed between
    the name's row and 「ハイム手取本町915号室」 got no box, and the building's line alone was proposed): when the
    address picked begins with a building's line (a room number ends it), the band above it, up to the line
    above, is looked at again (levels stretched, twice the scale); the one line there that starts with a
    prefecture (after 住所 read into it) is put before it (doubtful below ``RECOVERED_SURE``)."""
    addr = picks.get("address")
    if addr is None or not addr.spans:
        return recs
    sp = addr.spans[0]
    first = recs[sp.line].line
    if not asg._room_line(first.text[sp.start :]):
        return recs
    left = max(0.0, first.x0 - asg.ROOM_LEFT_MM)
    above = [r.line.y1 for r in recs if r.line.y1 <= first.y0 + 0.3 and r.line.x0 < first.x1 and r.line.x1 > left]
    top = max([*above, first.y0 - FIRST_LINE_ABOVE * first.h, 0.0])
    w = card.shape[1]
    box = (int(left * ppm), int(top * ppm), min(w, int(FIRST_LINE_RIGHT_MM * ppm)), int((first.y0 + 0.3) * ppm))
    if box[3] - box[1] < MIN_LINE_MM * ppm or not ink_outside(card, ppm, recs, box):
        return recs
    found = [
        (r, head)
        for r in _detect_around(card, ppm, ocr, box)
        if top - 0.3 < r.line.cy < first.y0 and (head := asg.prefecture_at(r.line.text)) is not None
    ]
    if len(found) != 1:
        return recs
    rec, head = found[0]
    recs = [*recs, rec]
    addr.spans.insert(0, asg.Span(len(recs) - 1, head, len(rec.line.text)))
    recovered.add("address")
    return recs


def building_in_band(
    card: np.ndarray, ppm: float, recs: list[RecLine], last: asg.TextLine, left: float, ocr: Engine
) -> tuple[RecLine, int] | None:
    """An address's next line that neither detector pass found (a building line whose end the licence's five-digit
    number is printed over: 「ガーデン本町1201号室」 read as nothing, the address proposed as its first line): the
    first band of ink rows right under the last line, where its lines start, outside every detected line,
    cut out where its characters stand at the line's pitch and read as one line. Taken (the line and how much of
    it is the address) only when it starts where the address's lines start and reads as an address line's
    continuation; what follows 号室 (the number's digits) is left out."""
    h, w = card.shape[:2]
    glyph = 0.65 * last.h * ppm  # a character's height in a detector's box
    box = (
        max(0, int((left - BELOW_ALIGN_MM) * ppm)),
        int((last.y1 - 0.1 * last.h) * ppm),
        min(w, int(min(left + 50.0, CARD_W_MM * 0.66) * ppm)),
        min(h, int((last.y1 + 1.3 * last.h) * ppm)),
    )
    x0, y0 = box[:2]
    ink = blank_lines(tophat(card, ppm, box), ppm, recs, box)
    top = float(np.percentile(ink, 99.5))
    if top < 15:
        return None
    mask = ink > max(10.0, 0.35 * top)
    rows = np.flatnonzero(mask.mean(axis=1) > 0.02)
    if rows.size == 0:
        return None
    # the first run of inked rows (one- or two-pixel breaks bridged), no taller than a character and a bit: the
    # licence's number, printed lower over the line's end, must not widen it
    r0 = r1 = int(rows[0])
    for r in rows[1:]:
        if r - r1 > 2 or r - r0 > 1.25 * glyph:
            break
        r1 = int(r)
    if r1 - r0 < 0.5 * glyph:
        return None
    cols = np.flatnonzero(mask[r0 : r1 + 1].any(axis=0))
    if cols.size == 0 or abs((x0 + cols[0]) / ppm - left) > BELOW_ALIGN_MM:
        return None
    c1 = int(cols[0])
    for c in cols[1:]:  # the line's characters follow one another at its pitch; beyond a wide gap is other ink
        if c - c1 > 2.0 * glyph:
            break
        c1 = int(c)
    pad = 0.25 * glyph
    got = read_box(card, (x0 + cols[0] - pad, y0 + r0 - pad, x0 + c1 + 1 + pad, y0 + r1 + 1 + pad), ppm, ocr)
    if got is None:
        return None
    text = got.line.text
    end = len(text.rstrip())
    if (m := _AFTER_ROOM.search(text)) is not None:
        end = m.start()
    plain = _plain(text[:end])
    # a date whose end or 日 was lost (「合和03年03月09」, the issue date's row) reads as no date: 年 tells it
    if not _NEXT_ADDRESS_LINE.fullmatch(plain) or re.search(r"\d年|年\d", plain) or asg.label_kind(plain):
        return None
    return got, end


#: How far right of an address's last line ink is looked for on its row (mm): a faint end of the line (glare
#: over 「８号室」) the detector's box stopped short of.
TAIL_MM = 25.0


#: What an address line's end the detector missed may read: digits, kana, kanji and dashes, with a number or
#: a block or room word in it (「8号室」, 「園町408号室」); anything else found there is not taken.
_TAIL_CHAR = r"[0-9\u3005\u30fc\u2010-\u2015\u2212\u3041-\u30ff\u4e00-\u9fff-]"


_ADDRESS_TAIL = re.compile(rf"{_TAIL_CHAR}*(?:[0-9]|号|室|番|地|丁目){_TAIL_CHAR}*")

#: What an address's next line the detector missed may read, as a whole: a building and its room (「ガーデン本町
#: 1201号室」), or the rest of a block number that wrapped (「地5」, 「23号」): kana, kanji, digits and dashes,
#: with a number in it, ending in a number, 号 or 号室.
_NEXT_ADDRESS_LINE = re.compile(rf"{_TAIL_CHAR}*[0-9]{_TAIL_CHAR}*(?:[0-9]|号|号室)")
#: Digits after a room number: the licence's five-digit number printed over the building line's end.
_AFTER_ROOM = re.compile(r"(?<=号室)[\d\s]+$")


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
    ink = tophat(card, ppm, (x0, y0, x1, y1))
    # the cut is set on the faint ink outside the lines, the marks measured with the lines' ink in place
    top = float(np.percentile(blank_lines(ink.copy(), ppm, recs, (x0, y0, x1, y1)), 99.5))
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


def address_tail(
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
    read = [_plain(r.line.text) for r in recs]
    more = [
        r
        for r in _detect_around(card, ppm, ocr, box)
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


def read_across_gap(
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
        got = read_box(card, box, ppm, ocr)
        if got is None:
            continue
        ta, tb, t = (re.sub(r"\s", "", x) for x in (la.text, lb.text, got.line.text))
        if len(t) > len(ta) + len(tb) and t.startswith(ta[:2]) and t.endswith(tb[-2:]):
            return [*(r for k, r in enumerate(recs) if k not in (a.line, b.line)), got]
    return None


#: A line whose last glyph the recogniser dropped is read again this many line heights wider on the right.
END_MARGIN = 0.35


def read_to_the_end(
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
        if sp.end < len(rl.line.text.rstrip()) or rl.probs is None or not ink_after_last(rl):
            continue
        ln = rl.line
        box = (ln.x0 * ppm, ln.y0 * ppm, (ln.x1 + END_MARGIN * ln.h) * ppm, ln.y1 * ppm)
        got = read_box(card, box, ppm, ocr)
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


def runs_on(recs: list[RecLine], picks: dict[str, asg.Pick | None], pick: asg.Pick) -> bool:
    """Whether a name's or address's line goes on past what was read: the recogniser dropped its last glyph
    (「…古町通924番地3」 read at 0.99 from 「…番地32」), or the detector split a piece off the line's end that
    went to no field (「…魚町8」 + 「3丁目」, 丁目 lost): a glyph in the line's own crop right of the last character
    read, or a detected line that no field took starting at the line's end on its row. An address line that
    ends in a digit where its next line starts with one ran on too, or the join hides it: glare over 「番地」 at
    the first line's end made 「…5丁目28」 + 「10」 read 「5丁目2810」 at 0.99. (Ink right of the box
    is not asked about: on a card's face it is as often the portrait or a skewed neighbouring line.)"""
    used = {s.line for p in picks.values() if p is not None for s in p.spans}
    parts = [recs[s.line].line.text[s.start : s.end].strip() for s in pick.spans]
    if any(a[-1:].isdigit() and b[:1].isdigit() for a, b in itertools.pairwise(parts)):
        return True  # a line ending in a digit and the next starting with one: what ended the first is unseen
    for s in pick.spans:
        ln = recs[s.line].line
        if s.end < len(ln.text.rstrip()):  # the field ends inside its line (a date follows the name)
            continue
        for k, r in enumerate(recs):
            o = r.line
            near = ln.x1 - ln.h <= o.x0 <= ln.x1 + 1.5 * ln.h
            if k not in used and o is not ln and near and asg._rows_overlap(o, ln) >= 0.5:
                return True
        if ink_after_last(recs[s.line]):
            return True
    return False


#: How far (mm) a line under an address may start from where one of the address's lines starts and still be
#: where its next line would be.
BELOW_ALIGN_MM = 4.0


def line_below(recs: list[RecLine], picks: dict[str, asg.Pick | None], pick: asg.Pick) -> bool:
    """Whether a line that no field took stands right under the address's last line, starting where its lines
    start: a line the assignment did not take as the address's next one (a building line under a first line
    boxed tall by its slant, or one whose end the 性別 value was taken from: 「コーボ小坂本町210号室男」). Dates,
    labels, a lone number (a licence's five digits) and fine print are not such lines."""
    taken: dict[int, int] = {}  # line → where the first character another field took starts
    for p in picks.values():
        for s in p.spans if p is not None else ():
            taken[s.line] = min(taken.get(s.line, s.start), s.start)
    mine = {s.line for s in pick.spans}
    last = recs[pick.spans[-1].line].line
    starts = []
    for s in pick.spans:  # where each of the address's lines starts (past its label on the first)
        ln = recs[s.line].line
        starts.append(ln.x0 + s.start / max(1, len(ln.text)) * (ln.x1 - ln.x0))
    others = tuple(k for k in asg.LABELS if k != "address")
    for k, r in enumerate(recs):
        o = r.line
        free = o.text[: taken.get(k, len(o.text))]
        if k in mine or len(re.findall(r"\w", free)) < 2 or o.h < 0.6 * min(last.h, 4.0):
            continue
        below = last.y0 + 0.5 * min(o.h, last.h) < o.y0 < last.y1 + 0.9 * o.h
        if not below or min(abs(o.x0 - x) for x in starts) > BELOW_ALIGN_MM:
            continue
        if asg._date_like(free) or asg._is_label_only(free) or asg.strip_label(free, others):
            continue
        if re.fullmatch(r"[\d\s]*", free):
            continue
        return True
    return False


def ink_after_last(rl: RecLine) -> bool:
    """Whether a glyph stands in the line's own crop right of the last character the recogniser read (it
    dropped the line's last character: 「…番地3」 for 「…番地３２」 at 0.99): a mark at least 0.4 of the crop high
    wholly right of the marks around the last character's frame (a character's parts all reach within 0.3 of
    the crop's height of its centre)."""
    if rl.probs is None or not rl.decoded.positions or rl.crop.size == 0:
        return False
    crop = rl.crop if rl.crop.dtype == np.uint8 else np.clip(rl.crop, 0, 255).astype(np.uint8)
    ink = line_ink(crop)
    h, w = ink.shape
    last = (rl.decoded.positions[-1] + 0.5) / rl.probs.shape[0] * w
    stats = cv2.connectedComponentsWithStats(ink.astype(np.uint8))[2]
    own = [x + bw for x, _, bw, _, _ in stats[1:] if x <= last + 0.3 * h and x + bw >= last - 0.3 * h]
    if not own:
        return False
    return any(x > max(own) + 0.05 * h and bh >= 0.4 * h for x, _, _, bh, _ in stats[1:])


#: A name's first characters in type this much smaller than the rest are the label's small print.
LABEL_TYPE = 0.75


def _glyph_heights(rl: RecLine, ink: np.ndarray) -> list[float]:
    """Each character's ink height as a share of its line's crop (``ink``: ``line_ink`` of it)."""
    h, w = ink.shape
    frames = rl.probs.shape[0] if rl.probs is not None else 1
    out = []
    for p in rl.decoded.positions:
        cx = (p + 0.5) / frames * w
        cols = ink[:, max(0, int(cx - 0.18 * h)) : int(cx + 0.18 * h) + 1]
        rows = np.nonzero(cols.any(axis=1))[0]
        out.append((rows[-1] - rows[0] + 1) / h if len(rows) else 0.0)
    return out


def drop_label_head(pick: asg.Pick, recs: list[RecLine], ocr: Engine) -> None:
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
    ink = line_ink(rl.crop)
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
        # a small head the line's reading already gave as the label's own characters (「名斉藤」: 氏 and 名 in tiny
        # blurred print, read alone as marks) is the label too
        as_read = all(text[k] in "氏名" for k in head)
        if as_read or (0 < len(alone) <= 3 and ("氏" in alone or "名" in alone)):
            # the head's last character read again as itself after the label (「名柴」 alone 「氏名柴」: 氏 cut off
            # with the card's edge, 柴 boxed small on a skewed card) is the name's first: only the label goes
            own = n > 1 and alone[-1] == text[head[-1]] and alone[-1] not in "氏名"
            pick.spans[0] = asg.Span(sp.line, head[-1] if own else body[0], sp.end)
        return


#: How far right of a line's end (line heights) the strip looked at for an occluder reaches.
OCCLUDER_STRIP = 1.2
#: How much redder than the card's paper by its line (mean R − max(G, B), 0–255) a strip must be to be a finger.
OCCLUDER_REDDER = 18.0


def finger_after(card: np.ndarray, ppm: float, line: asg.TextLine) -> float:
    """How much redder than the paper around the line the strip right of the line's end is (R over the larger of
    G and B, mean): a
    finger over the line's end (「…6番地2」 with 9 under a fingertip, read at 0.98) hides characters the
    recogniser never saw, and the line's box stops at the finger. Skin is red over green and blue; card
    paper, printed text, a portrait's (yellow, blue, grey) background and the licence's bands are not."""
    w = card.shape[1]
    lh = line.y1 - line.y0
    y0, y1 = int((line.y0 + 0.2 * lh) * ppm), int((line.y1 - 0.2 * lh) * ppm)
    sx0, sx1 = int(line.x1 * ppm), int((line.x1 + OCCLUDER_STRIP * lh) * ppm)
    px0 = int(max(line.x0, line.x1 - 3 * lh) * ppm)
    if y1 - y0 < 3 or sx0 >= w - 2 or sx1 - sx0 < 3 or px0 >= sx0:
        return 0.0
    strip = card[y0:y1, sx0 : min(w, sx1)].astype(np.float32)
    own = card[y0:y1, px0:sx0].astype(np.float32)
    bright = own.sum(axis=2)
    paper = own[bright >= np.percentile(bright, 70)]  # the paper between the line's characters
    if paper.size == 0 or strip.size == 0:
        return 0.0
    red = float(np.mean(strip[..., 2] - np.maximum(strip[..., 0], strip[..., 1])))  # BGR
    return red - float(np.mean(paper[:, 2] - np.maximum(paper[:, 0], paper[:, 1])))


#: Saturated paper this share of a strip half a line wide beside a name's line: a glare spot ends where the
#: line begins. On 450 names of tune 2880–3199 and dev 0–319 the strip is this bright on 28, all read right, 8 of
#: them otherwise undoubted; the spot over 「岡本」 of fresh tune-5329 (0.99) left 「本　悠斗」 at 0.995.
GLARE_BEFORE = 0.95


def glare_before(card: np.ndarray, ppm: float, line: asg.TextLine) -> bool:
    """Whether a glare spot covers the paper right before the line's start: a character it washed out is not
    in the line's box at all (the detector stops at the first ink it sees), so neither the frames nor the text
    can tell that the line lost its start."""
    return _washed_out(card, ppm, line, line.x0 - 0.5 * (line.y1 - line.y0), line.x0)


def glare_after(card: np.ndarray, ppm: float, line: asg.TextLine) -> bool:
    """Whether a glare spot covers the paper right after the line's end: the line's last characters washed out
    (fresh tune-7257: 「JACKSON JESSICA」 read 「JACKSON JE」 at 0.96, 「SSICA」 under the spot)."""
    return _washed_out(card, ppm, line, line.x1, line.x1 + 0.5 * (line.y1 - line.y0))


def _washed_out(card: np.ndarray, ppm: float, line: asg.TextLine, x0_mm: float, x1_mm: float) -> bool:
    """Whether the strip between ``x0_mm`` and ``x1_mm`` on the line's rows is saturated paper."""
    y0, y1 = int(line.y0 * ppm), int(line.y1 * ppm)
    x0, x1 = int(max(0.0, x0_mm) * ppm), int(x1_mm * ppm)
    strip = darkest(card[max(0, y0) : y1, x0:x1])
    return strip.size > 0 and float((strip >= GLARE_PAPER).mean()) >= GLARE_BEFORE
