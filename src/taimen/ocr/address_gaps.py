"""Characters lost inside an address, seen in where the recogniser put the characters it did read.

A card prints an address's characters at one pitch and its lines at one left edge. The recogniser can drop
a character at full confidence (「6丁21番地4」 for 「6丁目21番地4」; 「3番」 and 「4号」 for 「3番」 and 「24号」)
and nothing in the text says so. Two traces remain in the CTC frames, where each character was emitted:

- inside a line, the frames jump over the lost character: a step of about two pitches between two neighbours;
- a next line that lost its first character starts a pitch right of where the first line's value starts.

Either makes the address doubtful (``gap``); neither changes what was read.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Sequence

from taimen.ocr.assign import Span
from taimen.ocr.recline import RecLine

#: A step between two neighbouring characters' frames this many times the line's usual step jumps over a
#: character (measured on dev photos 0–639: right addresses reach 2.0 in 3 of 821 lines, all blurred or with
#: spaces read between digits; a lost character makes about 2).
JUMP = 2.0
#: A next line whose first character stands this many pitches right of the first line's value start lost its
#: first character (right addresses stay within ±0.5 pitch; one lost character is a whole pitch); beyond
#: SHIFT_MAX the lines were not measured against the same edge (a label misread into the value).
SHIFT, SHIFT_MAX = 0.75, 2.5
#: Fewer characters than this give no usual step.
MIN_CHARS = 5


def _steps(rec: RecLine, span: Span) -> list[int]:
    pos = rec.decoded.positions[span.start : span.end]
    return [b - a for a, b in itertools.pairwise(pos)]


def jumps_over(rec: RecLine, span: Span) -> bool:
    """Whether the frames of ``span`` jump over a character somewhere between two read characters (not next to
    a space, which may stand for a printed gap)."""
    if rec.probs is None or len(rec.decoded.positions) != len(rec.decoded.text):
        return False
    steps = _steps(rec, span)
    if len(steps) + 1 < MIN_CHARS:
        return False
    usual = statistics.median(steps)
    text = rec.decoded.text[span.start : span.end]
    return any(s >= JUMP * usual and not text[k].isspace() and not text[k + 1].isspace() for k, s in enumerate(steps))


def _centre_mm(rec: RecLine, k: int) -> float:
    """Where character ``k`` of ``rec`` was emitted, in card millimetres."""
    ln = rec.line
    assert rec.probs is not None
    return ln.x0 + rec.decoded.positions[k] * (ln.x1 - ln.x0) / rec.probs.shape[0]


def next_line_shifted(recs: Sequence[RecLine], spans: Sequence[Span]) -> bool:
    """Whether a next line of the address that starts with a number (a digit lost there changes the value
    silently) starts a pitch or more right of the first line's value."""
    first, span = recs[spans[0].line], spans[0]
    if first.probs is None or len(first.decoded.positions) != len(first.decoded.text):
        return False
    steps = _steps(first, span)
    if len(steps) + 1 < MIN_CHARS or span.start >= len(first.decoded.positions):
        return False
    pitch = statistics.median(steps) * (first.line.x1 - first.line.x0) / first.probs.shape[0]
    left = _centre_mm(first, span.start)
    for s in spans[1:]:
        rec = recs[s.line]
        if s.start or rec.probs is None or not rec.decoded.positions or not re.match(r"\d", rec.decoded.text):
            continue
        if SHIFT <= (_centre_mm(rec, 0) - left) / pitch <= SHIFT_MAX:
            return True
    return False


def lost_inside(recs: Sequence[RecLine], spans: Sequence[Span]) -> bool:
    """Whether the address read from ``spans`` shows a character lost inside it."""
    return any(jumps_over(recs[s.line], s) for s in spans) or (len(spans) > 1 and next_line_shifted(recs, spans))
