"""Characters lost inside an address, from where the recogniser emitted the ones it read (dev-0489, dev-0183)."""

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


def test_a_next_line_a_pitch_right_of_the_value_lost_its_first_digit() -> None:
    # dev-0183: 「住所奈良県奈良市餅飯殿町5丁目3番」 then 「4号」 where 「24号」 is printed, one pitch (3 mm) right
    first = rec("住所奈良県奈良市餅飯殿町5丁目3番", steady(17), (2.0, 14.0, 54.0, 19.0), 68)
    pitch = 4 * 52.0 / 68
    value_left = 2.0 + 10 * 52.0 / 68  # the centre of 奈, character 2
    spans = [Span(0, 2, 17), Span(1, 0, 2)]
    for shift, lost in ((0.0, False), (0.3, False), (1.0, True), (1.4, True), (3.0, False)):
        x0 = value_left + shift * pitch - 1.0  # the line's first character emitted at frame 2 of 16 (1 mm in)
        nxt = rec("4号", [2, 6], (x0, 19.0, x0 + 8.0, 24.0), 16)
        assert ag.next_line_shifted([first, nxt], spans) is lost, shift
        assert ag.lost_inside([first, nxt], spans) is lost
    # a building's line starting with its name is not checked (a lost digit is what changes a value silently)
    x0 = value_left + pitch - 1.0
    room = rec("ハイム101号室", steady(8), (x0, 19.0, x0 + 24.0, 24.0), 34)
    assert not ag.next_line_shifted([first, room], [Span(0, 2, 17), Span(1, 0, 8)])


def test_lines_read_from_the_whole_photo_carry_no_frames_and_are_not_judged() -> None:
    text = "東京都港区芝公園4丁目2番8号"
    line = Line(text, 1.0, (1.0,) * len(text), ())
    blind = RecLine(TextLine(2.0, 13.0, 50.0, 17.0, text, 1.0), None, line, np.zeros((4, 4, 3), np.uint8))
    assert not ag.lost_inside([blind], [Span(0, 0, len(text))])
