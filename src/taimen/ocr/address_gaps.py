"""Characters lost inside an address line, seen in where the recogniser put the characters it did read.

A card prints an address's characters at one pitch. The recogniser can drop a character at full confidence
(「6丁21番地4」 for 「6丁目21番地4」) and nothing in the text says so, but the CTC frames jump over it: a step of
about two pitches between two neighbours. Such an address is doubtful (``gap``); what was read is not changed.
(A next line that lost its start is ``line_end.starts_late``'s.)
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence

from taimen.ocr.assign import Span
from taimen.ocr.recline import RecLine

#: A step between two neighbouring characters' frames this many times the line's usual step jumps over a
#: character (measured on dev photos 0–639: right addresses reach 2.0 in 3 of 821 lines, all blurred or with
#: spaces read between digits; a lost character makes about 2).
JUMP = 2.0
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


def lost_inside(recs: Sequence[RecLine], spans: Sequence[Span]) -> bool:
    """Whether the address read from ``spans`` shows a character lost inside it."""
    return any(jumps_over(recs[s.line], s) for s in spans)
