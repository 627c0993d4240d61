"""A name or address that lost a part, and a licence number with a digit misread, are never proposed as sure.
Each case was a wrong value without a doubt flag on fresh tune photos (1600–2239): a building line left under
an address, a given name washed out by glare, a licence number's 8 read 3 at 0.999."""

from __future__ import annotations

import numpy as np
import pytest

from ocr_helpers import ocr
from taimen.license.number import with_check_digit
from taimen.ocr import assign as asg
from taimen.ocr import fieldread, fields, look_again, names, recline
from taimen.ocr.engine import Line


def L(x0: float, y0: float, x1: float, y1: float, text: str) -> asg.TextLine:
    return asg.TextLine(x0, y0, x1, y1, text, 1.0)


def _recs(lines: list[asg.TextLine]) -> list[recline.RecLine]:
    """Lines known by their text only (as read from a whole photo): no frames, no crop."""
    return [
        recline.RecLine(t, None, Line(t.text, 1.0, (1.0,) * len(t.text)), np.zeros((1, 1, 3), np.uint8))
        for t in lines
    ]


# My Number Card (tune-1749)
MYNUMBER = [
    L(2.3, 8.2, 7.9, 12.2, "氏名"),
    L(9.6, 8.7, 31.8, 14.9, "金子 和也"),
    L(2.2, 14.8, 57.1, 19.2, "住所愛知県豊田市小坂本町7丁目30番"),
    L(12.0, 18.4, 18.6, 22.8, "5号"),
    L(11.8, 22.3, 54.5, 28.7, "コーボ小坂本町210号室男"),
    L(11.8, 25.9, 38.7, 30.2, "昭和36年6月9日生"),
    L(43.2, 28.5, 48.9, 32.4, "性別"),
    L(2.3, 28.8, 9.5, 31.9, "生年月日"),
    L(3.8, 36.2, 40.9, 40.7, "2030年6月9日まで有効"),
]

# licence (tune-1607): the first address line, rectified a few degrees off, boxed 8.2 mm high upright
LICENCE = [
    L(1.4, 0.5, 26.6, 6.3, "氏名 横山 達也"),
    L(45.6, 1.5, 71.2, 5.4, "昭和07年12月11日生"),
    L(0.8, 4.7, 64.2, 12.9, "住所熊本県熊本市中央区水前寺215番地10"),
    L(6.8, 10.6, 45.9, 14.4, "シャト一水前寺1203号室"),
    L(41.2, 14.6, 49.8, 18.3, "91096"),
    L(1.5, 14.8, 31.8, 20.5, "交付平成29年06月19日"),
    L(3.4, 20.6, 45.3, 24.8, "平成33年01月10日まで有効"),
    L(1.7, 36.6, 36.5, 42.3, "第 969810928407 号"),
]


def test_a_line_no_field_took_under_the_address_makes_it_doubtful() -> None:
    recs = _recs(LICENCE)
    only_first = asg.Pick([asg.Span(2, 2, len(LICENCE[2].text))], [])
    picks: dict[str, asg.Pick | None] = {"address": only_first}
    assert look_again.line_below(recs, picks, only_first)
    picks["other"] = asg.Pick([asg.Span(3, 0, len(LICENCE[3].text))], [])  # taken by a field: not left behind
    assert not look_again.line_below(recs, picks, only_first)
    for below in ("交付平成29年06月19日", "91096", "生年月日", "他"):
        lines = [*LICENCE[:3], L(6.8, 10.6, 45.9, 14.4, below)]
        assert not look_again.line_below(_recs(lines), {"address": only_first}, only_first), below
    far = [*LICENCE[:3], L(30.0, 10.6, 60.0, 14.4, "シャト一水前寺1203号室")]  # not where its lines start
    assert not look_again.line_below(_recs(far), {"address": only_first}, only_first)


def test_a_japanese_name_read_as_one_part_is_doubtful_unless_the_lists_split_it() -> None:
    one = fields.parse_name("坂本", 0.96)
    assert one.value == "坂本" and one.problem == fields.ONE_PART
    assert fields.parse_name("坂本　豊", 0.96).problem == ""
    assert fields.parse_name("SAKAMOTO", 0.96, latin=True).problem == ""  # a Latin name may be one word
    data = names.names()
    assert data is not None
    assert names.split_listed("沢田花子", data) == "沢田\u3000花子"
    # a given name left when the family name was lost splits as a one-character family name: not vouched for
    for lost in ("坂本", "恵美子", "千春"):
        assert names.split_listed(lost, data) is None, lost


@pytest.fixture(scope="module")
def e():
    return ocr()


def test_a_licence_number_that_breaks_its_check_digit_is_doubtful(e) -> None:
    good = with_check_digit("3905758142", "2")
    assert fieldread._check_digit_holds(good)
    bad = good[:6] + ("3" if good[6] != "3" else "8") + good[7:]
    assert not fieldread._check_digit_holds(bad)
    for number, doubted in ((good, False), (bad, True)):
        lines = [*LICENCE[:-1], L(1.7, 36.6, 36.5, 42.3, f"第 {number} 号")]
        got = fieldread.fields_from_lines("license", _recs(lines), e)["license_number"]
        assert got.value == number and ("check_digit" in got.reasons) == doubted


def test_a_given_name_lost_makes_the_name_doubtful(e) -> None:
    lines = [L(2.2, 4.8, 25.1, 11.1, "氏名坂本"), *MYNUMBER[2:]]
    got = fieldread.fields_from_lines("mynumber", _recs(lines), e)["name"]
    assert got.value == "坂本" and got.doubtful and "grammar" in got.reasons


def test_glare_where_a_name_begins_is_seen_and_paper_is_not() -> None:
    """Fresh tune-5329: a glare spot over 「岡」 of 「岡本　悠斗」, and the detector's box began at 本. Paper before
    a line, even bright paper, is not glare; a spot that ends a little before the line is not either."""
    ppm = 10.0
    line = asg.TextLine(14.0, 8.0, 30.8, 13.8, "本悠斗", 0.995)
    card = np.full((300, 500, 3), 228, np.uint8)
    assert not look_again.glare_before(card, ppm, line)
    card[70:150, 100:140] = 255  # the spot: 10–14 mm, over the line's rows
    assert look_again.glare_before(card, ppm, line)
    card[70:150, 128:140] = 236  # the spot ends 1.2 mm before the line: the strip is not washed out
    assert not look_again.glare_before(card, ppm, line)


def test_glare_where_a_name_ends_is_seen_and_paper_is_not() -> None:
    """Fresh tune-7257: a glare spot over 「SSICA」 of 「JACKSON JESSICA」, and the detector's box ended at JE."""
    ppm = 10.0
    line = asg.TextLine(14.0, 8.0, 30.8, 13.8, "JACKSON JE", 0.96)
    card = np.full((300, 500, 3), 228, np.uint8)
    assert not look_again.glare_after(card, ppm, line)
    card[70:150, 300:360] = 255  # the spot: 30–36 mm, over the line's rows
    assert look_again.glare_after(card, ppm, line)
    assert not look_again.glare_before(card, ppm, line)  # the other end is plain paper
    card[70:150, 300:322] = 236  # the spot begins 1.4 mm past the line: the strip is not washed out
    assert not look_again.glare_after(card, ppm, line)
