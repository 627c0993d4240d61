"""Characters lost inside an address line, from where the recogniser emitted the ones it read (dev-0489)."""

from __future__ import annotations

import numpy as np

from taimen.ocr import address_gaps as ag
from taimen.ocr.assign import Span, TextLine
from taimen.ocr.engine import Line
from taimen.ocr.recline import RecLine


def rec(text: str, positions: list[int], box: tuple[float, float, float, float], frames: int) -> RecLine:
    line = Line(text, 1.0, (1.0,) * len(text), tuple(positions))
    return RecLine(TextLine(*box, text, 1.0), np.zeros((frames, 4), np.float32), line, np.zeros((4, 4, 3), np.uint8))


def steady(n: int, step: int = 4, first: int = 2) -> list[int]:
    return [first + step * k for k in range(n)]


def test_a_jump_of_two_steps_between_two_characters_is_a_lost_character() -> None:
    # 「住所青森県弘前市土手町6丁21番地4」 as read on dev-0489: 目 lost between 丁 (frame 49) and 2 (frame 57)
    text = "住所青森県弘前市土手町6丁21番地4"
    pos = [2, 5, 10, 14, 18, 22, 26, 30, 33, 37, 41, 45, 49, 57, 61, 65, 68, 72]
    lost = rec(text, pos, (2.5, 13.7, 52.5, 17.7), 75)
    assert ag.jumps_over(lost, Span(0, 2, len(text)))
    whole = rec(text, steady(len(text)), (2.5, 13.7, 52.5, 17.7), 75)
    assert not ag.jumps_over(whole, Span(0, 2, len(text)))
    # a space read between digits stands for a printed gap, not a lost character
    spaced = "長野県松本市深志5丁目1 3番地"
    pos = [*steady(9), 42, 50, 54, 58, 62, 66]
    assert not ag.jumps_over(rec(spaced, pos, (2.0, 13.0, 52.0, 17.0), 70), Span(0, 0, len(spaced)))


def test_lines_read_from_the_whole_photo_carry_no_frames_and_are_not_judged() -> None:
    text = "東京都港区芝公園4丁目2番8号"
    line = Line(text, 1.0, (1.0,) * len(text), ())
    blind = RecLine(TextLine(2.0, 13.0, 50.0, 17.0, text, 1.0), None, line, np.zeros((4, 4, 3), np.uint8))
    assert not ag.lost_inside([blind], [Span(0, 0, len(text))])
