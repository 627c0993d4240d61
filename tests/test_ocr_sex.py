"""性別 on the residence card decided by its printed letter (「女 F.」, 「男 M.」) when the kanji was not read as
男 or 女; a letter disagreeing with the kanji leaves the value doubtful."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr_helpers import ocr
from taimen.ocr import fieldread, recline, sex_read
from taimen.ocr import fields as fp
from taimen.ocr.engine import Line, class_index
from test_ocr_recover import PPM, _card, _rec

LABEL = ("性別", 40.2, 14.0, 2.0, 60)
LABEL_LINE = ("性別", (40.2, 13.8, 45.8, 16.2))


@pytest.fixture(scope="module")
def e():
    return ocr()


def test_the_letter_alone_is_the_value_flagged_and_a_disagreeing_one_is_doubted() -> None:
    assert fp.parse_sex("F", 0.99).value == "female" and fp.parse_sex("F", 0.99).flags == ("repaired",)
    assert fp.parse_sex("M.", 0.99).value == "male" and "repaired" in fp.parse_sex("M.", 0.99).flags
    agree = fp.parse_sex("女F.", 0.99)
    assert agree.value == "female" and not agree.doubtful
    differ = fp.parse_sex("男 F.", 0.99)
    assert differ.value == "male" and "two_candidates" in differ.reasons and differ.doubtful
    assert fp.parse_sex("X", 0.99).value is None and fp.parse_sex("男女", 0.99).value is None


def test_letter_at_needs_one_non_latin_mark_before_the_letter() -> None:
    assert sex_read.letter_at("友F、") == 1 and sex_read.letter_at(" M.") == 1
    assert sex_read.letter_at("女F.") is None  # read as the kanji: the value is found as it is
    assert sex_read.letter_at("AF") is None and sex_read.letter_at("2F") is None  # a word or a number
    assert sex_read.letter_at("友田F") is None
    assert sex_read.letter_at("友Ｆ.") == 1  # a full-width letter


@pytest.mark.parametrize(("head", "letter", "sex"), [("友", "F.", "female"), ("又", "M.", "male")])
def test_a_residence_value_read_as_another_kanji_is_decided_by_its_letter(e, head, letter, sex) -> None:
    """The detector found the value beside the label but the recogniser read its kanji as another
    (「友F.」): the letter's frames decide it, and the field is flagged ``repaired``."""
    card = _card([LABEL, (f"{head} {letter}", 47.0, 17.0, 3.0, 60)])
    line = recline.read_box(card, (46.5 * PPM, 16.5 * PPM, 54.5 * PPM, 21 * PPM), PPM, e)
    assert line is not None and sex_read.letter_at(line.decoded.text) is not None
    recs = [_rec(*LABEL_LINE), line]
    got = fieldread.fields_from_lines("residence", recs, e, card=card, ppm=PPM)["sex"]
    assert got.value == sex and "repaired" in got.reasons and got.doubtful
    assert fieldread.fields_from_lines("mynumber", recs, e, card=card, ppm=PPM)["sex"].value is None


def test_a_lone_blob_read_by_its_letter_only_on_a_residence_card(e) -> None:
    """The value the detector missed, looked for as a blob beside the label: 「友 F.」 is the residence card's
    female; a My Number Card prints no letter, so there the same blob is no value."""
    card = _card([LABEL, ("友 F.", 47.0, 14.5, 3.0, 90)])
    recs = [_rec(*LABEL_LINE)]
    got = sex_read.sex_beside_label(card, PPM, recs, e, document="residence")
    assert got is not None and got.line.text == "女"
    assert sex_read.sex_beside_label(card, PPM, recs, e, document="mynumber") is None
    sex = fieldread.fields_from_lines("residence", recs, e, card=card, ppm=PPM)["sex"]
    assert sex.value == "female" and "repaired" in sex.reasons


def _glared(value: str, grey: int, glare: float, from_mm: float) -> np.ndarray:
    """The value beside a strong frame, its right part under glare from ``from_mm`` on."""
    card = _card([("性別", 3.0, 32.4, 2.0, 60), (value, 11.0, 31.6, 3.0, grey)])
    cv2.rectangle(card, (int(8.2 * PPM), int(36.0 * PPM)), (int(20 * PPM), int(38.5 * PPM)), (40, 40, 40), 2)
    y0, y1, x0, x1 = int(31 * PPM), int(35.5 * PPM), int(from_mm * PPM), int(15 * PPM)
    part = card[y0:y1, x0:x1].astype(np.float32)
    card[y0:y1, x0:x1] = (part + (255 - part) * glare).astype(np.uint8)
    return card


def test_a_value_half_under_glare_is_read_at_the_cut_that_keeps_it_whole(e) -> None:
    """Cut at a share of the frame's strong ink, the half of 女 under glare is lost and the lone blob left (its
    left half) reads as no value; the floor keeps the whole glyph. Every cut's lone blob is read in turn."""
    card = _glared("女", 60, 0.75, 12.5)
    recs = [_rec("性別", (2.8, 32.2, 7.3, 34.8))]
    got = sex_read.sex_beside_label(card, PPM, recs, e)
    assert got is not None and got.line.text == "女"


def test_a_faint_value_under_glare_is_read_at_the_lowest_floor(e) -> None:
    """Glare over the right of a pale 女 leaves ink under 12 there: only the lowest floor (8) keeps it whole."""
    card = _glared("女", 120, 0.92, 12.0)
    recs = [_rec("性別", (2.8, 32.2, 7.3, 34.8))]
    got = sex_read.sex_beside_label(card, PPM, recs, e)
    assert got is not None and got.line.text == "女"


def test_a_label_with_the_value_run_into_it_gives_the_letter(e) -> None:
    """The detector made one line of the label and the value (「性別 友F.」): the letter after the label decides."""
    card = _card([("性別 友 F.", 40.2, 14.0, 3.0, 60)])
    line = recline.read_box(card, (39.7 * PPM, 13.5 * PPM, 58.0 * PPM, 18.5 * PPM), PPM, e)
    assert line is not None and line.decoded.text.startswith("性別")
    got = sex_read.sex_beside_label(card, PPM, [line], e, document="residence")
    assert got is not None and got.line.text == "女" and got.decoded.text == "女"
    sex = fieldread.fields_from_lines("residence", [line], e, card=card, ppm=PPM)["sex"]
    assert sex.value == "female" and "repaired" in sex.reasons


def _smeared(card: np.ndarray, motion: int, sigma: float, down: int) -> np.ndarray:
    """``card`` under horizontal motion blur, defocus and a low resolution: a one-character value read as another
    character."""
    k = np.zeros((motion, motion), np.float32)
    k[motion // 2, :] = 1 / motion
    card = cv2.filter2D(card, -1, k)
    if sigma:
        card = cv2.GaussianBlur(card, (0, 0), sigma)
    h, w = card.shape[:2]
    small = cv2.resize(card, (w // down, h // down), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


@pytest.mark.parametrize(("value", "sex", "sigma"), [("男", "male", 0.0), ("女", "female", 2.0)])
def test_a_value_read_as_another_mark_is_decided_between_the_two_and_doubted(e, value, sex, sigma) -> None:
    """The lone blob beside the label reads as another kanji over the whole dictionary; between 男 and 女 alone
    its frames decide, and the value is proposed at the probability they gave it: doubtful."""
    card = _smeared(_card([("性別", 3.0, 32.4, 2.0, 60), (value, 11.0, 31.8, 3.0, 60)]), 15, sigma, 3)
    recs = [_rec("性別", (2.8, 32.2, 7.3, 34.8))]
    got = sex_read.sex_beside_label(card, PPM, recs, e)
    assert got is not None and got.line.text == value and got.line.confidence < 0.5
    field = fieldread.fields_from_lines("mynumber", recs, e, card=card, ppm=PPM)["sex"]
    assert field.value == sex and "low_confidence" in field.reasons and field.doubtful


def test_the_two_class_decision_needs_one_mark_weighing_one_value() -> None:
    """A mark giving neither value weight, or both about as much, decides nothing; nor do two marks."""
    e = ocr()
    classes = class_index(e)
    assert classes is not None
    frames = np.zeros((3, len(e.character_table())), np.float32)
    box, crop = (0.0, 0.0, 3.0, 3.0), np.zeros((1, 1, 3), np.uint8)
    frames[1, classes["女"]] = 0.2
    assert sex_read._two_class(e, frames, Line("收", 0.5, (0.5,), (1,)), box, crop).line.text == "女"
    assert sex_read._two_class(e, frames, Line("收生", 0.5, (0.5, 0.5), (1, 2)), box, crop) is None
    frames[2, classes["男"]] = 0.05  # 女 only four times 男
    assert sex_read._two_class(e, frames, Line("收", 0.5, (0.5,), (1,)), box, crop) is None
    frames[:] = 0
    frames[1, classes["女"]] = 0.02  # below the floor: paper texture gives as much
    assert sex_read._two_class(e, frames, Line("X", 0.5, (0.5,), (1,)), box, crop) is None


def test_a_value_above_the_label_over_its_right_half_is_read(e) -> None:
    """The personalisation print put the value a few mm above the label's row, over the label's right half: the
    look starts at the label's left edge, not beside its right one (where only a sliver of the value stood)."""
    card = _card([("性別", 3.0, 32.4, 2.0, 60), ("女", 4.0, 28.6, 3.0, 60)])
    got = sex_read.sex_beside_label(card, PPM, [_rec("性別", (2.8, 32.2, 7.3, 34.8))], e)
    assert got is not None and got.line.text == "女"


def test_a_one_character_line_beside_the_label_is_looked_at_as_a_blob(e) -> None:
    """The detector boxed the blurred value but the recogniser read it as another kanji (「鼓」): its box is not
    blanked as a line's, so the look finds it as the lone blob beside the label and decides it."""
    card = _smeared(_card([("性別", 3.0, 32.4, 2.0, 60), ("男", 11.0, 31.8, 3.0, 60)]), 15, 0.0, 3)
    recs = [_rec("性別", (2.8, 32.2, 7.3, 34.8)), _rec("鼓", (10.6, 31.5, 14.6, 35.4))]
    got = sex_read.sex_beside_label(card, PPM, recs, e)
    assert got is not None and got.line.text == "男"


def _birth_and_expiry(birth: str) -> list[recline.RecLine]:
    return [_rec(birth, (12.3, 26.1, 39.1, 30.4)), _rec("2032年6月13日まで有効", (3.2, 38.8, 42.2, 43.1))]


def test_without_a_label_the_label_beside_the_value_is_cut_apart_from_it(e) -> None:
    """Neither the label nor the value was detected; their two blobs, less than 2 mm apart, are joined as the
    residence card's 「女 F.」 would be and read 「性別男」, no value. Each is read alone as well."""
    card = _card([("性別", 3.0, 33.0, 2.0, 60), ("男", 8.6, 32.5, 3.0, 60)])
    got = sex_read.sex_beside_label(card, PPM, _birth_and_expiry("昭和46年6月13日生"), e, document="mynumber")
    assert got is not None and got.line.text == "男" and got.repaired


def test_without_a_label_a_birth_line_no_date_parses_from_still_places_the_rows(e) -> None:
    """Blur left the birth date unparsed (「66042年12月12911生」) and the label unread: the one line reading
    「…年…生」 places the rows where the value is looked for."""
    card = _card([("男", 8.5, 32.0, 3.0, 120)])
    got = sex_read.sex_beside_label(card, PPM, _birth_and_expiry("66042年12月12911生"), e, document="mynumber")
    assert got is not None and got.line.text == "男" and got.repaired
    two = [*_birth_and_expiry("66042年12月12911生"), _rec("1955年01月09日生", (12.3, 46.0, 39.1, 50.0))]
    assert sex_read.sex_beside_label(card, PPM, two, e, document="mynumber") is None  # which row: none


def test_another_mark_under_the_label_does_not_hide_a_value_beside_it(e) -> None:
    """The window from the label's left edge also holds a mark under the label: the value beside the label is
    no longer the lone blob there, so the window beside the label is looked at first."""
    card = _card([("性別", 3.0, 32.4, 2.0, 60), ("男", 9.5, 31.8, 3.0, 60), ("口", 3.0, 35.2, 3.0, 60)])
    got = sex_read.sex_beside_label(card, PPM, [_rec("性別", (2.8, 32.2, 7.3, 34.8))], e)
    assert got is not None and got.line.text == "男"


def test_without_a_label_a_value_read_as_it_is_outweighs_one_decided(e) -> None:
    """Near the birth date's rows one blob reads 男 and another, smeared, is decided 女 between the two alone:
    the value read as it is stands (before, only the one read as it is counted)."""
    card = _card([("男", 8.5, 32.0, 3.0, 120)])
    smeared = _smeared(_card([("女", 30.0, 32.0, 3.0, 60)]), 13, 0.0, 3)
    y0, y1, x0, x1 = int(31 * PPM), int(36 * PPM), int(29 * PPM), int(35 * PPM)
    card[y0:y1, x0:x1] = smeared[y0:y1, x0:x1]
    recs = _birth_and_expiry("昭和46年6月13日生")
    alone = sex_read.sex_beside_label(smeared, PPM, recs, e, document="mynumber")
    assert alone is not None and alone.line.text == "女" and sex_read._decided(alone)
    got = sex_read.sex_beside_label(card, PPM, recs, e, document="mynumber")
    assert got is not None and got.line.text == "男"
