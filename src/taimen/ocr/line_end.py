"""An address line whose end glare or low contrast washed out, read again past its detected box.

The detector's box stops where the ink fades: 「…番地３１」 under glare is boxed and read 「…番地3」 at 0.99,
「…11番30号」 as 「…11番3」. Read again on its own, a short window from the line's last few characters to a
little past the box holds the faint characters in a crop the recogniser reads them in. What it reads beyond
the characters already read is taken only where it continues the line: each added character stands at the
line's character pitch from the one before (a gap of at most ``PITCH_GAP`` pitches; closer than ``PITCH_MIN``
is other print, such as the licence's half-width five-digit number after a room), nothing follows a room's
号室, and the added characters are an address's (digits, kana, kanji). Without the pitch check it appended
stray text beyond the line's end (「…番地107」 for 「…番地」). What was added is flagged ``repaired``: it was
read only the second time.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

import numpy as np

from taimen.ocr import assign as asg
from taimen.ocr.engine import Engine
from taimen.ocr.recline import RecLine, read_box, tophat

#: An added character follows the one before it at most this many character pitches further on …
PITCH_GAP = 2.0
#: … and at least this many (closer is smaller type: another field's number, not the line's own characters).
PITCH_MIN = 0.6
#: The window read again: this many of the line's last characters (their reading must come back the same) …
TAIL_CHARS = 4
#: … and this many pitches past the last character read (or up to the next line on the row).
REACH = 3.5
#: At most this many characters are added.
MAX_ADDED = 4
#: What an added character may be: digits, kana, kanji, the long-vowel mark and the iteration mark.
_ADDED = re.compile(r"[0-9\u3005\u30fc\u3041-\u30ff\u4e00-\u9fff]")
#: A faint mark right of the box worth reading again: darker than the paper by this much (0-255) …
FAINT_INK = 8.0
#: … over at least this share of a character's height.
FAINT_HEIGHT = 0.3


def _centres(rl: RecLine, ppm: float) -> list[float] | None:
    """Each character's centre (card pixels), from its frame's place in the line's crop."""
    dec = rl.decoded
    if rl.probs is None or not dec.positions or len(dec.positions) != len(dec.text) or rl.crop.size == 0:
        return None
    frames, width = rl.probs.shape[0], rl.crop.shape[1]
    return [rl.line.x0 * ppm + (p + 0.5) / frames * width for p in dec.positions]


def _pitch(xs: list[float]) -> float | None:
    """The line's character pitch: the median step between neighbouring characters (spaces left out)."""
    if len(xs) < 3:
        return None
    return float(np.median(np.diff(xs)))


def _faint_after(card: np.ndarray, ppm: float, ln: asg.TextLine, x0: int, x1: int) -> bool:
    """Whether anything darker than the paper, however faint, stands right of the line's box on its rows: glare
    leaves a character's strokes a few grey levels under the paper's."""
    y0, y1 = max(0, int(ln.y0 * ppm)), min(card.shape[0], int(np.ceil(ln.y1 * ppm)))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return False
    ink = tophat(card, ppm, (x0, y0, x1, y1))
    return bool(((ink > FAINT_INK).mean(axis=0) * (y1 - y0) >= FAINT_HEIGHT * 0.65 * (y1 - y0)).any())


def read_past_end(
    card: np.ndarray, ppm: float, recs: list[RecLine], pick: asg.Pick, ocr: Engine
) -> tuple[list[RecLine], bool]:
    """The address's lines (``pick``, changed in place) each read on past its box where its end was washed out;
    the characters found are a line of their own (the window read again) whose span follows the line's. Returns
    the lines and whether any line was read on."""
    recs = list(recs)
    done = False
    own = [recs[sp.line].line for sp in pick.spans]
    for k in range(len(pick.spans) - 1, -1, -1):  # from the last: an insertion leaves earlier indexes as they are
        sp = pick.spans[k]
        rl = recs[sp.line]
        ln = rl.line
        text = rl.decoded.text
        if sp.end < len(text.rstrip()) or text.rstrip().endswith("号室"):
            continue
        xs = _centres(rl, ppm)
        if xs is None:
            continue
        chars = [i for i in range(sp.start, len(text)) if not text[i].isspace()]
        pitch = _pitch([xs[i] for i in chars])
        if pitch is None or len(chars) < TAIL_CHARS:
            continue
        # the window ends before the next line on the row, which is another field's or the address's next piece
        on_row = [r.line for r in recs if r is not rl and asg._rows_overlap(r.line, ln) >= 0.3]
        # another field's line over half the row reaching past the box's end from inside it stands where the
        # window would read: what is there is its print (a birth date on the row above reaching down over the
        # end), not the address's end
        if any(
            r.x0 <= ln.x1 - 0.5 and r.x1 > ln.x1 + 0.5 and asg._rows_overlap(r, ln) >= 0.5
            for r in on_row
            if r not in own
        ):
            continue
        row = [r.x0 * ppm for r in on_row if r.x0 > ln.x1 - 0.5]
        end = min([*row, xs[chars[-1]] + REACH * pitch, card.shape[1] - 0.5 * ppm])
        box_end = int(max(ln.x1 * ppm, xs[chars[-1]] + 0.5 * pitch))
        if end - box_end < 0.5 * pitch or not _faint_after(card, ppm, ln, box_end, int(end)):
            continue
        start = xs[chars[-TAIL_CHARS]] - 0.6 * pitch
        got = _window(card, ppm, ocr, ln, start, end)
        got = _faint_last(got, ocr) if got is not None else None
        added = _added(got, text[chars[-TAIL_CHARS] :].replace(" ", ""), xs[chars[-1]], pitch, ppm) if got else None
        if added is None:
            continue
        recs.append(got)
        pick.spans.insert(k + 1, asg.Span(len(recs) - 1, *added))
        done = True
    return recs, done


def _window(card: np.ndarray, ppm: float, ocr: Engine, ln: asg.TextLine, x0: float, x1: float) -> RecLine | None:
    """The line's rows from ``x0`` to ``x1`` (card pixels) read over the whole dictionary."""
    return read_box(card, (x0, ln.y0 * ppm, x1, ln.y1 * ppm), ppm, ocr)


#: A mark no address prints ending the window (a faint 9 read 「?」) is the address character its frames give at
#: least this probability …
END_SUPPORT = 0.01
#: … and this many times any other address character.
END_CLEAR = 4.0
_MASKS: dict[int, np.ndarray] = {}


def _faint_last(got: RecLine, ocr: Engine) -> RecLine:
    """The window's reading with its last character, when it is a mark no address prints (「…番地2?」: glare left
    a 9's loop and the recogniser read a question mark), read again from its frames over the characters an
    address's end may hold, where one of them is clearly the most probable. Unchanged otherwise."""
    text, dec = got.decoded.text, got.decoded
    end = len(text.rstrip())
    if not end or _ADDED.fullmatch(text[end - 1]) or got.probs is None or len(dec.positions) != len(text):
        return got
    try:
        table = ocr.character_table()
    except AttributeError:  # an engine without per-class probabilities
        return got
    if id(ocr) not in _MASKS:
        _MASKS[id(ocr)] = np.array([i > 0 and bool(_ADDED.fullmatch(ch)) for i, ch in enumerate(table)])
    mask = _MASKS[id(ocr)]
    pos = dec.positions
    k = end - 1
    lo = 0 if k == 0 else (pos[k - 1] + pos[k]) // 2 + 1
    hi = got.probs.shape[0] if k == len(pos) - 1 else (pos[k] + pos[k + 1]) // 2 + 1
    peak = got.probs[lo:hi].max(axis=0) * mask
    first, second = np.argsort(-peak)[:2]
    if peak[first] < END_SUPPORT or peak[first] < END_CLEAR * peak[second]:
        return got
    new = text[:k] + asg.nfkc(table[first]) + text[k + 1 :]
    confs = (*dec.char_confidences[:k], float(peak[first]), *dec.char_confidences[k + 1 :])
    conf = min(confs)
    line = replace(dec, text=new, confidence=conf, char_confidences=confs)
    return RecLine(replace(got.line, text=new, confidence=conf), got.probs, line, got.crop, got.repaired)


def _added(got: RecLine, tail: str, last_x: float, pitch: float, ppm: float) -> tuple[int, int] | None:
    """Where the characters the window adds to the line begin and end in its reading, or None: the window must
    read the line's last characters (``tail``) as they were read, then at least one character at the line's
    pitch; characters past a wider gap are left out, any other print right after the line refuses it all."""
    text = got.decoded.text
    chars = [i for i, ch in enumerate(text) if not ch.isspace()]
    if len(chars) <= len(tail) or "".join(text[i] for i in chars[: len(tail)]) != tail:
        return None
    xs = _centres(got, ppm)
    if xs is None:
        return None
    new = chars[len(tail) :]
    prev = last_x
    taken: list[int] = []
    for i in new:
        step = (xs[i] - prev) / pitch
        if step > PITCH_GAP:
            break  # beyond a gap no character of the line leaves: other print, not taken
        if step < PITCH_MIN or not _ADDED.fullmatch(text[i]) or "".join(text[j] for j in taken).endswith("号室"):
            return None  # print that does not continue the line stands at its end: none of it is taken
        prev = xs[i]
        taken.append(i)
    if not taken or len(taken) > MAX_ADDED:
        return None
    return taken[0], taken[-1] + 1


#: A line of an address starting further right than its first line's text by this many character pitches lost its
#: start (glare over 「2」 of 「24号」 boxed and read 「4号」): the lines of an address are printed left-aligned.
LATE_START = 0.8


def _late_lines(recs: list[RecLine], pick: asg.Pick, ppm: float) -> tuple[float, float, list[int]]:
    """Where the address's first line's text starts (its first character's centre, card pixels), its pitch, and
    the spans (indexes in ``pick.spans``) of its next lines that start at least ``LATE_START`` pitches right of
    it; no spans when the first line gives no pitch."""
    first = pick.spans[0] if pick.spans else None
    xs = _centres(recs[first.line], ppm) if first is not None else None
    if first is None or xs is None:
        return 0.0, 0.0, []
    chars = [i for i in range(first.start, min(first.end, len(xs))) if not recs[first.line].decoded.text[i].isspace()]
    pitch = _pitch([xs[i] for i in chars])
    if pitch is None:
        return 0.0, 0.0, []
    left = xs[chars[0]]
    late = []
    for k, (prev, sp) in enumerate(itertools.pairwise(pick.spans), 1):
        ln, above = recs[sp.line].line, recs[prev.line].line
        if asg._rows_overlap(ln, above) >= 0.5 or ln.y0 < above.y0:
            continue  # a piece of the same row (a window read past its end), not a new line
        ys = _centres(recs[sp.line], ppm)
        text = recs[sp.line].decoded.text
        start = next((i for i in range(sp.start, min(sp.end, len(ys or []))) if not text[i].isspace()), None)
        if ys is not None and start is not None and ys[start] - left >= LATE_START * pitch:
            late.append(k)
    return left, pitch, late


def starts_late(recs: list[RecLine], pick: asg.Pick, ppm: float) -> bool:
    """Whether a line of the address (a span that begins a new row) starts at least ``LATE_START`` pitches right
    of where the first line's text starts: its first characters were not read."""
    return bool(_late_lines(recs, pick, ppm)[2])


def read_before_start(
    card: np.ndarray, ppm: float, recs: list[RecLine], pick: asg.Pick, ocr: Engine
) -> tuple[list[RecLine], bool]:
    """The address's next lines that start late (``starts_late``: glare washed out 「メゾン」 of 「メゾン中央813号室」,
    boxed and read 「中央813号室」) read again from where the first line's text starts to their first characters,
    where faint ink stands before them. What the window reads before those characters (read as before) is put in
    front of the line where each character stands at the line's pitch from the next (at most ``PITCH_GAP``, at
    least ``PITCH_MIN``), is an address's (digits, kana, kanji), at most ``MAX_ADDED`` of them. ``pick`` is
    changed in place; returns the lines and whether any line was read so."""
    left, pitch, late = _late_lines(recs, pick, ppm)
    recs = list(recs)
    done = False
    for k in reversed(late):  # from the last: an insertion leaves earlier indexes as they are
        sp = pick.spans[k]
        rl = recs[sp.line]
        text, xs = rl.decoded.text, _centres(rl, ppm)
        chars = [i for i in range(sp.start, min(sp.end, len(text))) if not text[i].isspace()]
        if xs is None or len(chars) < 2:
            continue
        head = chars[: min(TAIL_CHARS, len(chars))]
        x0 = left - 0.6 * pitch
        if not _faint_after(card, ppm, rl.line, int(x0), int(xs[head[0]] - 0.5 * pitch)):
            continue
        got = _window(card, ppm, ocr, rl.line, x0, xs[head[-1]] + 0.6 * pitch)
        added = _before(got, "".join(text[i] for i in head), xs[head[0]], left, pitch, ppm) if got else None
        if added is None:
            continue
        recs.append(got)
        pick.spans.insert(k, asg.Span(len(recs) - 1, *added))
        done = True
    return recs, done


def _before(got: RecLine, head: str, first_x: float, left: float, pitch: float, ppm: float) -> tuple[int, int] | None:
    """Where the characters the window reads before the line's first characters (``head``, read as before) begin
    and end in its reading, or None: each at the line's pitch from the next, none left of the first line's text
    (``left``); characters before a wider gap are left out, any other print refuses it all."""
    text = got.decoded.text
    chars = [i for i, ch in enumerate(text) if not ch.isspace()]
    if len(chars) <= len(head) or "".join(text[i] for i in chars[-len(head) :]) != head:
        return None
    xs = _centres(got, ppm)
    if xs is None:
        return None
    nxt = first_x
    taken: list[int] = []
    for i in reversed(chars[: -len(head)]):
        step = (nxt - xs[i]) / pitch
        if step > PITCH_GAP or xs[i] < left - 0.5 * pitch:
            break  # beyond a gap no character of the line leaves, or left of where the address's lines start
        if step < PITCH_MIN or not _ADDED.fullmatch(text[i]):
            return None
        nxt = xs[i]
        taken.append(i)
    if not taken or len(taken) > MAX_ADDED:
        return None
    return taken[-1], taken[0] + 1
