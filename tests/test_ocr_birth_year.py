"""A My Number birth date whose year lost its start (taimen.ocr.birth_year): dev-0233, glare over 「19」 of
「1965年11月12日生」, the detector's box from 「5年…」, no field took it and 照合番号B was not proposed."""

from __future__ import annotations

from datetime import date

import pytest

from ocr_helpers import ocr
from taimen.ocr import birth_year, recline
from taimen.ocr import fields as fp
from test_ocr_recover import PPM, _card

X, Y, SIZE = 14.0, 24.5, 3.0


@pytest.fixture(scope="module")
def e():
    return ocr()


def test_a_two_digit_year_is_completed_only_the_one_way_a_birth_can_be() -> None:
    expiry = date(2032, 11, 12)
    assert birth_year._completed(65, 11, 12, expiry) == ["1965年11月12日生"]  # 昭和 ended in its 64th year
    # 「15年」: 1915, 昭和15, 平成15, 大正15 … all could be a birth: none is chosen
    assert len(birth_year._completed(15, 9, 24, date(2029, 9, 24))) > 1
    assert birth_year._completed(30, 11, 12, expiry) == ["1930年11月12日生", "昭和30年11月12日生", "平成30年11月12日生"]


def _out(expiry: str) -> dict[str, fp.FieldReading]:
    exp = fp.parse_mynumber_expiry(expiry, 0.99)
    return {"birth_date": fp.FieldReading("birth_date", None, "", 0.0, reasons=("not_found",)), "expiry": exp}


def test_the_row_read_from_further_left_gives_the_year_and_the_birthday_must_agree(e) -> None:
    card = _card([("65年11月12日生", X, Y, SIZE, 40)])
    first = recline.read_box(
        card, ((X + SIZE * 0.5) * PPM, (Y - 0.3) * PPM, (X + 8.5 * SIZE) * PPM, (Y + SIZE + 0.6) * PPM), PPM, e
    )
    assert first is not None and first.decoded.text.startswith("5年"), first and first.decoded.text
    got = birth_year.year_lost(card, PPM, e, [first], _out("2032年11月12日まで有効"))["birth_date"]
    assert got.value == "1965-11-12" and "repaired" in got.reasons and got.calendar == "seireki"
    # an expiry on another day: the card may not be a national's, nothing is completed
    other = birth_year.year_lost(card, PPM, e, [first], _out("2032年10月12日まで有効"))["birth_date"]
    assert other.value is None


def test_a_two_digit_year_with_several_completions_is_decided_by_the_era_its_frames_hold(e) -> None:
    """dev-0025: glare over 「昭和1」 of 「昭和15年09月24日生」, the box from 「5年…」; read from further left,
    「(1S年…」: 15年 is 1915, 大正15, 昭和15 or 平成15, but the frames give 和 weight where 昭和 stood, and of
    the eras ending in 和 only 昭和 puts 15年 in the past. Flagged ``repaired``."""
    card = _card([("和15年09月24日生", X, Y, SIZE, 40)])
    box = ((X + SIZE * 1.5) * PPM, (Y - 0.3) * PPM, (X + 9.5 * SIZE) * PPM, (Y + SIZE + 0.6) * PPM)
    first = recline.read_box(card, box, PPM, e)
    assert first is not None and first.decoded.text.startswith("5年"), first and first.decoded.text
    got = birth_year.year_lost(card, PPM, e, [first], _out("2029年09月24日まで有効"))["birth_date"]
    assert got.value == "1940-09-24" and got.era_year == 15 and "repaired" in got.reasons and got.doubtful
    # no era's trace left of the year: 「15年」 stays undecided
    card = _card([("15年09月24日生", X, Y, SIZE, 40)])
    box = ((X + SIZE * 0.5) * PPM, (Y - 0.3) * PPM, (X + 8.5 * SIZE) * PPM, (Y + SIZE + 0.6) * PPM)
    first = recline.read_box(card, box, PPM, e)
    assert first is not None and first.decoded.text.startswith("5年"), first and first.decoded.text
    assert birth_year.year_lost(card, PPM, e, [first], _out("2029年09月24日まで有効"))["birth_date"].value is None
