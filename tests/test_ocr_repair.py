"""Unlock values the first reading lost, recovered under the field's grammar or the card's rules and always
flagged (taimen.ocr.ctc, taimen.ocr.repair, taimen.ocr.fieldread, taimen.ocr.assign). Each test is a failure
seen on the tuning split of the photo benchmark, on synthetic probabilities over the real recogniser's
dictionary or synthetic line lists."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from ocr_helpers import frame_probs, ocr, rec_line, spelled
from taimen.ocr import assign, ctc, fieldread, near_label, recline, repair, sex_read
from taimen.ocr.assign import TextLine
from taimen.ocr.engine import Line


@pytest.fixture(scope="module")
def e():
    return ocr()




def _collapsed_1955() -> list[dict[str, float]]:
    """「1955年11月16日生」 where the two 5s run into each other (no blank frame the greedy reading keeps)."""
    frames = spelled("19")
    frames += [{"5": 0.97, "": 0.03}, {"5": 0.6, "": 0.4}, {"5": 0.97, "": 0.03}, {"": 1.0}]
    return frames + spelled("年11月16日生")[1:]


def test_the_constrained_path_finds_a_doubled_digit_the_greedy_reading_merged(e) -> None:
    classes = ctc.classes_of(e.character_table())
    probs = frame_probs(e, _collapsed_1955())
    assert e.decode(probs, "date").text == "195年11月16日生"
    four = [ctc.Slot("0123456789")] * 4
    path = ctc.best_path(probs[:8], classes, four)
    assert path is not None and path.text == "1955"
    assert path.confidences[2] == pytest.approx(0.97) and path.positions == (1, 3, 5, 7)
    optional = [ctc.Slot("0123456789"), ctc.Slot("0123456789", optional=True), ctc.Slot("年")]
    assert ctc.best_path(frame_probs(e, spelled("7年")), classes, optional).text == "7年"
    assert ctc.best_path(frame_probs(e, [{"": 1.0}] * 3), classes, four) is None  # fewer frames than digits


def test_a_birth_date_whose_doubled_digit_was_merged_is_decoded_again_and_flagged(e) -> None:
    """「195年11月16日生」 is no date (the old reading: birth date not found, 照合番号B missing)."""
    recs = [
        rec_line(e, spelled("生年月日"), (2, 28, 9.5, 31)),
        rec_line(e, _collapsed_1955(), (10, 30, 35, 35)),
        rec_line(e, spelled("2028年11月16日まで有効"), (4, 37, 45, 41.6)),
    ]
    birth = fieldread.fields_from_lines("mynumber", recs, e)["birth_date"]
    assert birth.value == "1955-11-16" and "repaired" in birth.reasons and birth.doubtful


def test_an_era_missing_its_first_character_is_decoded_under_the_era_forms(e) -> None:
    """「和2年 7月 1日生」: 昭和2 and 令和2 are both plausible births, so completing by plausibility alone fails;
    the recogniser's own frames hold 令 more than any other era's first character."""
    frames = [{"": 1.0}, {"令": 0.3, "昭": 0.001, "": 0.7}, {"": 1.0}, *spelled("和2年 7月 1日生")[1:]]
    recs = [rec_line(e, spelled("生年月日"), (2, 28, 9.5, 31)), rec_line(e, frames, (10, 30, 35, 35))]
    assert recs[1].decoded.text.startswith("和2年")
    birth = fieldread.fields_from_lines("mynumber", recs, e)["birth_date"]
    assert birth.value == "2020-07-01" and birth.era_year == 2 and "repaired" in birth.reasons


def test_no_date_is_made_from_frames_that_hold_none(e) -> None:
    rep = repair.DateRepair(e.character_table())
    frames = spelled("2035年89月17日")
    frames[11] = {"8": 0.6, "0": 0.3, "": 0.1}  # a month's tens digit is 0 or 1
    assert rep.decode(frame_probs(e, frames), "expiry", True).text == "2035年09月17日"
    assert rep.decode(frame_probs(e, spelled("氏名")), "birth_date") is None
    assert repair.broken_date_spans("生年月日 昭和55年2月17日生") == []  # a date already: nothing to repair
    assert repair.broken_date_spans("性別195年11月16日生") == [(2, 12)]


def test_a_security_code_joined_to_its_misread_label_is_taken_and_flagged() -> None:
    """「セキュリティコード0751」 blurred into 「世帝31942-0751」: the code after the mark is taken, flagged."""
    lines = [TextLine(2, 36, 45, 42, "2032年11月4日まで有効"), TextLine(55, 45.6, 80, 50.6, "世帝31942-0751")]
    code = assign.assign("mynumber", lines)["security_code"]
    assert code is not None and lines[1].text[code.spans[0].start : code.spans[0].end] == "0751"
    assert "neighbour_text_removed" in code.reasons
    inside = [TextLine(55, 45.6, 80, 50.6, "本町2-1353番地")]  # digits inside an address stay out
    assert assign.assign("mynumber", inside)["security_code"] is None


def test_a_birth_date_cut_by_glare_is_completed_from_the_expiry_and_flagged(e) -> None:
    """「昭和7年10月 6日生」 with 「6日生」 lost to glare: the card expires on the birthday."""

    def birth(text: str, expiry: str = "2026年10月6日まで有効"):
        recs = [
            rec_line(e, spelled("生年月日 " + text), (2, 26.6, 28, 32)),
            rec_line(e, spelled(expiry), (5.8, 38, 42, 43.7)),
        ]
        return fieldread.fields_from_lines("mynumber", recs, e)["birth_date"]

    got = birth("昭和7年10月")
    assert got.value == "1932-10-06" and got.era_year == 7 and "repaired" in got.reasons and got.doubtful
    assert birth("昭和7年").value == "1932-10-06"
    assert birth("昭和7年11月").value is None  # the month read disagrees with the expiry's
    assert birth("昭和7年10月", "年10月6日まで有効").value is None  # no expiry read
    # tune-4128: 「04日」 read 「0日」, a day that is no day; the digit read stands in the expiry's day
    lost = birth("昭和12年10月0日生", "2030年10月04日まで有効")
    assert lost.value == "1937-10-04" and "repaired" in lost.reasons and lost.doubtful
    assert birth("昭和12年10月0日生", "2030年10月14日まで有効").value is None  # 0 is not in 14
    assert birth("昭和12年11月0日生", "2030年10月04日まで有効").value is None  # the month disagrees


def test_a_residence_birth_date_read_without_its_label_is_no_expiry() -> None:
    """「1986年04月24日」 on the 生年月日 row, 「このカードは…まで有効です。」 not read at all: the old fallback
    took the lowest Gregorian date and proposed the birth date as the expiry with no doubt flag."""
    lines = [
        TextLine(60, 15.8, 82.8, 21.8, "BE10514103AL"),
        TextLine(27, 24.7, 46, 30.1, "MOORE SARAH"),
        TextLine(33, 26.8, 58, 32.6, "1986年04月24日性別女F."),
        TextLine(24, 31.1, 30, 33.9, "生年月日"),
        TextLine(25.5, 48.3, 60.8, 52.0, "在留期間(満了日)5年(2029年04月24日)"),
    ]
    picks = assign.assign("residence", lines)
    assert picks["expiry"] is None
    assert picks["birth_date"] is not None and picks["birth_date"].spans[0].line == 2
    below = [*lines, TextLine(19, 53, 39, 57, "2029年04月24日")]  # under the period: the expiry, by position
    exp = assign.assign("residence", below)["expiry"]
    assert exp is not None and exp.spans[0].line == 5 and "no_label" in exp.reasons


class _OneBox:
    """The real engine, whose detector finds one given box (as it did on a photo: the code's first digit,
    printed over the dark part of the portrait, outside it)."""

    def __init__(self, e, box: tuple[float, float, float, float]) -> None:
        self.e, self.box = e, box

    def detect(self, img: np.ndarray, side: int = 0) -> list[np.ndarray]:
        x0, y0, x1, y1 = self.box
        return [np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)]

    def __getattr__(self, name: str):
        return getattr(self.e, name)


def test_a_security_code_whose_box_lost_a_digit_is_read_again_wider_and_flagged(e) -> None:
    from PIL import Image, ImageDraw, ImageFont

    ppm = 12.0
    img = Image.new("RGB", (round(85.6 * ppm), round(54 * ppm)), (240, 240, 244))
    font = ImageFont.truetype("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", round(3.4 * ppm))
    draw = ImageDraw.Draw(img)
    at = (74.5 * ppm, 42.3 * ppm)
    draw.text(at, "6447", font=font, fill=(40, 40, 40))
    card = np.asarray(img)[:, :, ::-1].copy()
    label = recline.RecLine(
        TextLine(55.4, 46.8, 71.7, 49.8, "セキュリティコード"),
        None,
        Line("セキュリティコード", 0.97, (0.97,) * 9),
        np.zeros((1, 1, 3), np.uint8),
    )
    left, _, up, _ = near_label.CODE_WINDOW
    origin = ((55.4 - left) * ppm, (46.8 - up) * ppm)  # the label's search window, where detection runs
    six = draw.textbbox(at, "6", font=font)
    whole = draw.textbbox(at, "6447", font=font)
    box = (six[2] + 0.3 * ppm - origin[0], whole[1] - origin[1], whole[2] - origin[0], whole[3] - origin[1])
    one = _OneBox(e, box)
    got = near_label.code_near_label(card, ppm, [label], one)
    assert got is not None and got.repaired and got.line.text.replace(" ", "") == "6447"
    code = fieldread.fields_from_lines("mynumber", [label], one, card=card, ppm=ppm)["security_code"]
    assert code.value == "6447" and "repaired" in code.reasons and code.doubtful


@pytest.mark.parametrize("value,sex", [("男", "male"), ("女", "female")])
def test_a_sex_value_inside_another_lines_box_is_read_beside_its_label(e, value: str, sex: str) -> None:
    """The birth date printed over the 性別 value (「女」 under 「1955年…」's box): the lone-blob look masks every
    detected line, so the old reader found no 性別 at all."""
    from test_ocr_recover import LABEL, _card, _rec

    card = _card([LABEL, (value, 8.6, 32.0, 3.0, 40), ("1955年01月09日生", 11.0, 29.4, 3.0, 40)])
    recs = [
        _rec("生年月日", (3, 28.5, 9.5, 30.5)),
        _rec("性別", (2.8, 32.2, 7.3, 34.8)),
        _rec("1955年01月09日生", (8.4, 29.0, 40.0, 35.6)),  # its box covers the value
    ]
    got = sex_read.sex_beside_label(card, 12.0, recs, e)
    assert got is not None and got.line.text == value
    assert fieldread.fields_from_lines("mynumber", recs, e, card=card, ppm=12.0)["sex"].value == sex
    assert sex_read.sex_beside_label(_card([LABEL, ("1955年01月09日生", 8.6, 30.5, 3.0, 40)]), 12.0, recs, e) is None


def test_an_implausible_expiry_is_never_proposed_and_is_decoded_again(e) -> None:
    """「2083年」 for 「2033年」 parses and fits the birthday rule: the old reader proposed it with no doubt."""

    def expiry(frames):
        recs = [
            rec_line(e, spelled("昭和55年2月17日生"), (13, 26, 44, 29.5)),
            rec_line(e, frames, (5, 35, 42, 39)),
        ]
        return fieldread.fields_from_lines("mynumber", recs, e)["expiry"]

    sure = expiry(spelled("2083年2月17日まで有効"))
    assert sure.value is None and "grammar" in sure.reasons
    frames = spelled("2083年2月17日まで有効")
    frames[5] = {"8": 0.6, "3": 0.35, "": 0.05}  # the recogniser half saw the 3 it misread
    again = expiry(frames)
    assert again.value == "2033-02-17" and "repaired" in again.reasons and again.doubtful


def test_another_outline_is_tried_while_an_unlock_value_is_missing(monkeypatch) -> None:
    """An outline that cuts off the card's lower part reads five of six fields (no security code): the old
    reader stopped there; the next outline, the whole card, reads all six."""
    from taimen.ocr import fields as fp
    from taimen.ocr import reader
    from taimen.ocr.proposals import OcrResult, mynumber_unlock

    class Search:
        candidates = tuple(reader.locate.Quad(np.zeros((4, 2), np.float32), 0.9, m) for m in ("cut", "whole"))

        def __init__(self, img) -> None:
            pass

        def refine(self, rough):
            return rough

    def read_card(img, quad, document, ocr, timings):
        values = {"birth_date": "1980-02-17", "expiry": "2035-02-17", "security_code": "2285"}
        fields = {}
        for key in ("name", "address", "sex", *values):
            value = None if (key == "security_code" and quad.method == "cut") else values.get(key, "x")
            d = fp.parse_birth_date("昭和55年2月17日生", 0.99) if key == "birth_date" else None
            if key == "expiry":
                d = fp.parse_mynumber_expiry("2035年2月17日まで有効", 0.99)
            fields[key] = d or fp.FieldReading(key, value, value or "", 0.99 if value else 0.0)
        return OcrResult("mynumber", fields, mynumber_unlock(fields), card_found=True)

    monkeypatch.setattr(reader.locate, "Search", Search)
    monkeypatch.setattr(reader, "_read_card", read_card)
    res = reader.read_image(np.zeros((10, 10, 3), np.uint8), "mynumber", ocr=object())
    assert res.unlock["kenmen_b"].value == "55021720352285"


def test_a_name_far_right_of_its_label_has_lost_its_start() -> None:
    """「森田　絵里」 with 森田 under glare: 「絵里」 alone, 12 mm right of 氏名, was proposed with no doubt."""
    lost = [TextLine(2.2, 8.3, 8.2, 12.5, "氏名"), TextLine(20.2, 6.2, 30.1, 11.9, "絵里")]
    assert "gap" in assign.assign("mynumber", lost)["name"].reasons
    whole = [TextLine(2.2, 8.3, 8.2, 12.5, "氏名"), TextLine(9.4, 6.2, 30.1, 11.9, "森田 絵里")]
    assert assign.assign("mynumber", whole)["name"].reasons == []


def test_a_name_read_in_the_old_form_of_a_character_with_weight_on_the_new_is_doubtful(e) -> None:
    """增田 for 増田 (both are registered forms): the chip holds which; the old reader had no such pair. The
    Japanese prior takes the form Japanese prints (増, engine.CHINESE_FORM_WEIGHT), and the name stays doubtful."""
    frames = spelled("增田陸")
    frames[1] = {"增": 0.9, "増": 0.08, "": 0.02}
    recs = [rec_line(e, spelled("氏名"), (2.9, 8.1, 8.5, 12.2)), rec_line(e, frames, (9.4, 8.5, 26.7, 14.8))]
    name = fieldread.fields_from_lines("mynumber", recs, e)["name"]
    assert name.value in ("増田\u3000陸", "増田陸")
    assert "variant_form" in name.reasons and name.doubtful


def test_a_name_character_of_a_vendor_extension_is_doubtful(e) -> None:
    """增 (an IBM extension of Shift_JIS) for 増, read with no weight on 増 at all: proposed without doubt before."""
    recs = [rec_line(e, spelled("氏名"), (2.9, 8.1, 8.5, 12.2)), rec_line(e, spelled("增田陸"), (9.4, 8.5, 26.7, 14.8))]
    name = fieldread.fields_from_lines("mynumber", recs, e)["name"]
    assert "variant_form" in name.reasons and name.doubtful
    assert fieldread._vendor_form("增") and not fieldread._vendor_form("濱") and not fieldread._vendor_form("増")
    plain = [recs[0], rec_line(e, spelled("原田陸"), (9.4, 8.5, 26.7, 14.8))]
    assert "variant_form" not in fieldread.fields_from_lines("mynumber", plain, e)["name"].reasons


def test_the_prior_never_drops_a_character(e) -> None:
    """A character the recogniser chose over the blank stays a character, however little the Japanese prior
    weighs it: 增 alone at 0.95 (blank 0.05) was decoded as nothing, and 「田陸」 proposed without doubt."""
    frames = spelled("增田陸")
    frames[1] = {"增": 0.95, "": 0.05}
    recs = [rec_line(e, spelled("氏名"), (2.9, 8.1, 8.5, 12.2)), rec_line(e, frames, (9.4, 8.5, 26.7, 14.8))]
    name = fieldread.fields_from_lines("mynumber", recs, e)["name"]
    assert name.value is not None and name.value.startswith("增")
    assert name.doubtful


def test_a_date_whose_year_mark_was_misread_is_decoded_again(e) -> None:
    """「2028ヶ05月16日まで有効」: no 年, so the line held no date and the expiry (照合番号B's year) was missing."""
    assert repair.broken_date_spans("2028ヶ05月16日まで有効") == [(0, 11)]
    assert repair.broken_date_spans("2028年05月16日まで有効") == []
    frames = spelled("2028ヶ05月16日まで有効")
    frames[9] = {"ヶ": 0.6, "年": 0.3, "": 0.1}
    recs = [rec_line(e, spelled("昭和30年05月16日生"), (8, 23, 35, 27)), rec_line(e, frames, (4, 38, 47, 43))]
    assert recs[1].decoded.text.startswith("2028ヶ")
    got = fieldread.fields_from_lines("mynumber", recs, e)["expiry"]
    assert got.value == "2028-05-16" and "repaired" in got.reasons and got.doubtful


def test_an_expiry_off_the_birthday_is_decoded_again_on_it(e) -> None:
    """「2027年08月3日」 for 「…30日」: a real date, so the grammar alone kept it; the card expires on the birthday
    (昭和42年08月30日), and the frames hold the 0 the greedy reading gave to the blank."""
    frames = spelled("2027年08月30日まで有効")
    frames[17] = {"3": 0.6, "": 0.4}  # not read surely (a surely read expiry is kept as read)
    frames[19] = {"0": 0.3, "": 0.7}
    recs = [rec_line(e, spelled("昭和42年08月30日生"), (13, 29, 53, 34)), rec_line(e, frames, (2, 35, 36, 39))]
    assert recs[1].decoded.text.startswith("2027年08月3日")
    got = fieldread.fields_from_lines("mynumber", recs, e)
    assert got["expiry"].value == "2027-08-30" and "repaired" in got["expiry"].reasons and got["expiry"].doubtful
    assert got["birth_date"].value == "1967-08-30"
    assert "inconsistent" in got["birth_date"].reasons  # the two disagreed as read


def _license(e, birth: list[dict[str, float]], expiry: list[dict[str, float]]):
    recs = [
        rec_line(e, spelled("氏名 高木 真理"), (2, 2, 30, 7)),
        rec_line(e, birth, (48, 2, 75, 6)),
        # within the six years before the expiries below
        rec_line(e, spelled("交付 令和06年11月22日"), (2, 14, 35, 20)),
        rec_line(e, expiry, (3, 20, 57, 25)),
    ]
    return fieldread.fields_from_lines("license", recs, e)


def test_a_licence_date_that_is_no_date_is_decoded_again_under_the_grammar(e) -> None:
    """「昭和115年01月07日生」 (a stray 1 in the year) left the licence's birth date not found, and 「2029年
    (令和11年)82月06日まで有効」 its expiry: the licence's dates were not decoded again."""
    birth = spelled("昭和15年01月07日生")
    birth[3:3] = [{"1": 0.6, "": 0.4}, {"": 1.0}]
    expiry = spelled("2029年(令和11年)02月06日まで有効")
    expiry[25] = {"8": 0.6, "0": 0.35, "": 0.05}  # the month's 0 half seen as 8
    got = _license(e, spelled("昭和15年01月07日生"), spelled("2029年(令和11年)02月06日まで有効"))
    assert got["birth_date"].value == "1940-01-07" and not got["birth_date"].doubtful
    assert got["expiry"].value == "2029-02-06" and not got["expiry"].doubtful
    got = _license(e, birth, expiry)
    assert got["birth_date"].value == "1940-01-07" and "repaired" in got["birth_date"].reasons
    assert got["expiry"].value == "2029-02-06" and "repaired" in got["expiry"].reasons
    assert got["birth_date"].doubtful and got["expiry"].doubtful


def test_the_licence_expiry_grammar_ties_the_bracketed_era_year_to_the_gregorian_year() -> None:
    assert repair.as_date("2029年(令和11年)02月25日") == date(2029, 2, 25)
    assert repair.as_date("2029年(令和12年)02月25日") is None
    assert repair.as_date("平成33年02月19日", strict=False) == date(2021, 2, 19)
    assert repair.as_date("平成33年02月19日") is None
    assert repair.broken_date_spans("2029年(令和11年)02月06日まで有効") == []  # whole and valid
    assert repair.broken_date_spans("2829年(常和11年)82月25日まで有効") == [(0, 18)]


def test_a_licence_date_whose_end_is_hidden_is_taken_cut_off(e) -> None:
    """A finger over 「日生」 (「昭和54年07月16F」), glare over 日 (「平成28年11月04」): both dates were not found."""
    lines = [
        TextLine(49, 0, 74, 5, "昭和54年07月16F"),
        TextLine(9, 13, 32, 17, "平成28年11月04"),
        TextLine(3, 21, 45, 25, "平成34年08月15日まで有効"),
    ]
    picks = assign.assign("license", lines)
    for key, text in (("birth_date", "昭和54年07月16"), ("issue_date", "平成28年11月04")):
        pick = picks[key]
        assert pick is not None and "cut_off" in pick.reasons
        span = pick.spans[0]
        assert lines[span.line].text[span.start : span.end] == text
    recs = [rec_line(e, spelled(ln.text), (ln.x0, ln.y0, ln.x1, ln.y1)) for ln in lines]
    got = fieldread.fields_from_lines("license", recs, e)
    assert got["birth_date"].value == "1979-07-16" and got["birth_date"].doubtful
    assert got["issue_date"].value == "2016-11-04" and got["issue_date"].doubtful
    assert got["expiry"].value == "2022-08-15" and not got["expiry"].reasons  # 平成34年: no repair, no doubt


def test_a_licence_issue_date_out_of_any_cards_range_is_decoded_again_and_a_recent_one_kept(e) -> None:
    """「8025年07月17日」 was proposed as the issue date; an issue date a few days ahead of this PC's clock is
    not a misreading to throw away."""
    issue = spelled("交付 2025年07月17日")
    issue[7] = {"8": 0.6, "2": 0.35, "": 0.05}
    recs = [
        rec_line(e, spelled("昭和30年08月07日生"), (45, 2, 74, 5)),
        rec_line(e, issue, (2, 13, 33, 19)),
        rec_line(e, spelled("2030年(令和12年)09月06日まで有効"), (3, 20, 57, 25)),
    ]
    assert recs[1].decoded.text == "交付 8025年07月17日"
    got = fieldread.fields_from_lines("license", recs, e)["issue_date"]
    assert got.value == "2025-07-17" and "repaired" in got.reasons and got.doubtful
    soon = date.fromordinal(date.today().toordinal() + 10)
    recs[1] = rec_line(e, spelled(f"交付 {soon.year}年{soon.month:02d}月{soon.day:02d}日"), (2, 13, 33, 19))
    assert fieldread.fields_from_lines("license", recs, e)["issue_date"].value == soon.isoformat()


def test_an_expiry_whose_month_and_day_are_hidden_is_set_on_the_birthday_and_both_stay_doubtful(e) -> None:
    """A finger over 「7月10日」: 「2035年7日まで有効」 (2035-07-01 after the grammar), no trace of 10 in the
    frames. The expiry is set on the birthday (flagged); the birth date, which the two disagreed with as read,
    stays doubtful too (a confident misreading of it must not go through)."""
    frames = spelled("2035年7")
    frames += [{"月": 0.3, "": 0.7}, {"1": 0.01, "": 0.99}, *spelled("日まで有効")]
    recs = [
        rec_line(e, spelled("生年月日 平成9年 7月10日生"), (2, 28, 38, 34)),
        rec_line(e, frames, (2, 34, 40, 40)),
    ]
    assert recs[1].decoded.text == "2035年7日まで有効"
    got = fieldread.fields_from_lines("mynumber", recs, e)
    assert got["expiry"].value == "2035-07-10" and "repaired" in got["expiry"].reasons
    assert got["birth_date"].value == "1997-07-10" and got["birth_date"].doubtful


def test_an_expiry_read_surely_off_the_birthday_is_not_moved_onto_it(e) -> None:
    """A foreign resident's card may expire with the period of stay, not on a birthday: a surely read expiry
    stays as read (both flagged inconsistent)."""
    recs = [
        rec_line(e, spelled("生年月日 1990年 7月10日生"), (2, 28, 38, 34)),
        rec_line(e, spelled("2029年3月31日まで有効"), (2, 34, 40, 40)),
    ]
    got = fieldread.fields_from_lines("mynumber", recs, e)
    assert got["expiry"].value == "2029-03-31" and "inconsistent" in got["expiry"].reasons


def test_forms_needing_a_character_the_frames_never_give_are_not_run(e, monkeypatch) -> None:
    """Their path would be refused (confidence below MIN_P); running the Viterbi for each of the licence's
    bracket forms cost 0.8 s of CPU on one expiry."""
    rep = repair.DateRepair(e.character_table())
    frames = spelled("2029年(令和11年)02月06日")
    runs: list[int] = []
    real = repair.best_path
    monkeypatch.setattr(repair, "best_path", lambda *a: runs.append(1) or real(*a))
    assert rep.decode(frame_probs(e, frames), repair.LICENSE_EXPIRY).text == "2029年(令和11年)02月06日"
    # of the Gregorian form, one bracket form per year since 2019 and 平成/令和, only those whose every required
    # character the frames hold: 20xx, 2019 (令和1), 2020 (令和2), 2029 (令和11), 令和
    assert len(runs) == 5 < 3 + len(repair.bracket_forms())


def test_a_date_whose_day_mark_was_read_as_a_month_is_decoded_again(e) -> None:
    """「昭和52年 2月 1月生」: the day's 日 read 月 (0.44 against 0.43) left no date on the line, and the birth
    date, which 照合番号B needs, was not found at all; the grammar finds the 日 in the same frames, the date
    ending at the mark before 生."""
    assert repair.broken_date_spans("教册 昭和52年 2月 1月生") == [(3, 14)]
    assert repair.broken_date_spans("昭和52年 2月 1日生") == []
    frames = spelled("生年月日 昭和52年 2月 1月生")
    frames[-4] = {"月": 0.44, "日": 0.43, "": 0.13}
    frames[-2] = {"生": 1.0}  # read surely: no path of a date alone can give its frame to the blank
    recs = [rec_line(e, frames, (2, 30, 37, 36)), rec_line(e, spelled("2032年2月1日まで有効"), (4, 37, 42, 42))]
    assert recs[0].decoded.text.endswith("1月生")
    got = fieldread.fields_from_lines("mynumber", recs, e)["birth_date"]
    assert got.value == "1977-02-01" and "repaired" in got.reasons and got.doubtful


def _issued(e, frames: list[dict[str, float]]):
    recs = [
        rec_line(e, spelled("氏名 高木 真理"), (2, 2, 30, 7)),
        rec_line(e, spelled("平成11年01月20日生"), (48, 2, 75, 6)),
        rec_line(e, frames, (2, 14, 35, 20)),
        rec_line(e, spelled("2027年(令和09年)02月19日まで有効"), (3, 20, 57, 25)),
    ]
    return fieldread.fields_from_lines("license", recs, e)


def test_a_licence_date_read_with_a_one_digit_month_on_a_zero_padded_card_is_decoded_again() -> None:
    """「交付 令和04年1月24日」 for 11月: the second 1 given to the blank; the card's other dates are zero-padded."""
    e = ocr()
    frames = spelled("交付 令和04年11月24日")
    frames[19] = {"1": 0.4, "": 0.6}  # the month's second 1, under the blank
    frames[17] = {"1": 0.8, "": 0.2}  # not read surely
    assert e.decode(frame_probs(e, frames)).text.endswith("04年1月24日")
    got = _issued(e, frames)["issue_date"]
    assert got.value == "2022-11-24" and "repaired" in got.reasons and got.doubtful
    # a one-digit month with no second digit in its frames stays as read
    frames[19] = {"": 1.0}
    got = _issued(e, frames)["issue_date"]
    assert got.value == "2022-01-24" and got.doubtful


def _one_glyph_era(year: str, tail: dict[str, float]) -> list[dict[str, float]]:
    """「潮36年7月21日生」: the era 昭和 read as one glyph whose frame gives its second character some weight."""
    return [{"": 1.0}, {"潮": 0.5, **tail, "": 0.5 - sum(tail.values())}, *spelled(f"{year}年7月21日生")[1:]]


def test_an_era_read_as_one_glyph_is_decoded_by_its_second_character_and_flagged(e) -> None:
    """tune-0790: 昭和 squeezed into 「潮」 (和 at 0.047 in its frame, 昭 at 0.0017): no date on the line, so the
    birth date, which 照合番号B needs, was not found; 昭和36 is the one era with 和 that gives a birth."""
    recs = [
        rec_line(e, spelled("生年月日"), (2, 28, 9.5, 31)),
        rec_line(e, _one_glyph_era("36", {"和": 0.05, "昭": 0.001}), (10, 28, 35, 33)),
        rec_line(e, spelled("2028年7月21日まで有効"), (4, 34, 41, 39)),
    ]
    assert recs[1].decoded.text.startswith("潮36年")
    birth = fieldread.fields_from_lines("mynumber", recs, e)["birth_date"]
    assert birth.value == "1961-07-21" and "repaired" in birth.reasons and birth.doubtful
    # 和3: 昭和3 and 令和3 are both births, and the frames cannot tell them apart: nothing is proposed
    recs[1] = rec_line(e, _one_glyph_era("3", {"和": 0.05, "昭": 0.001}), (10, 28, 35, 33))
    assert fieldread.fields_from_lines("mynumber", recs, e)["birth_date"].value is None
    # a glyph whose frames hold no era's second character is no era
    recs[1] = rec_line(e, _one_glyph_era("36", {}), (10, 28, 35, 33))
    assert fieldread.fields_from_lines("mynumber", recs, e)["birth_date"].value is None
    # the era's first character under the 性別 value printed beside it, decoded as another era's head (明和: 明
    # is no head of an era ending in 和, so the old completion refused): 昭和36 is still the one birth
    frames = [*spelled("性別"), {"男": 0.55, "明": 0.25, "": 0.2}, *spelled("和36年7月21日生")]
    recs[1] = rec_line(e, frames, (2, 28, 38, 33))
    assert recs[1].decoded.text.startswith("性別男和36年")
    birth = fieldread.fields_from_lines("mynumber", recs, e)["birth_date"]
    assert birth.value == "1961-07-21" and "repaired" in birth.reasons and birth.doubtful
    # only a birth date is read so (the grammar alone, as for an expiry, finds nothing in the glyph)
    rec = rec_line(e, _one_glyph_era("36", {"和": 0.05, "昭": 0.001}), (10, 28, 35, 33))
    rep = repair.DateRepair(e.character_table())
    assert not repair.repair_line(rep, rec.decoded.text, rec.decoded, rec.probs, "birth_date")[1]
    line, changed = repair.repair_line(rep, rec.decoded.text, rec.decoded, rec.probs, "birth_date", head_lost=True)
    assert changed and line.text == "昭和36年7月21日生" and line.char_confidences[0] == 0.0


def test_an_era_named_by_its_second_character_alone_is_decided_by_the_expiry(e) -> None:
    """tune-1613: 「男和08年10月26日生」, 昭 under the 性別 value: 昭和08 and 令和08 are both births as read, so
    nothing was proposed; the card expires on 2026-10-26, and its holder was born before that: 昭和08."""
    frames = [*spelled("性別"), {"男": 0.55, "明": 0.25, "": 0.2}, *spelled("和08年10月26日生")]
    recs = [
        rec_line(e, spelled("生年月日"), (2, 28, 9.5, 31)),
        rec_line(e, frames, (2, 31, 38, 36)),
        rec_line(e, spelled("2026年10月26日まで有効"), (4, 38, 41, 42)),
    ]
    got = fieldread.fields_from_lines("mynumber", recs, e)
    assert got["birth_date"].value == "1933-10-26" and got["birth_date"].era_year == 8
    assert "repaired" in got["birth_date"].reasons and got["birth_date"].doubtful
    # a card expiring in 2031 may be a child's born on 令和08年10月26日: still nothing
    recs[2] = rec_line(e, spelled("2031年10月26日まで有効"), (4, 38, 41, 42))
    assert fieldread.fields_from_lines("mynumber", recs, e)["birth_date"].value is None
    # … but one expiring on the birthday runs to the 5th or 10th birthday after issue: a holder born 2026 would
    # have it to 2031 at least, so a card expiring on 2030-10-26 is 昭和08's
    recs[2] = rec_line(e, spelled("2030年10月26日まで有効"), (4, 38, 41, 42))
    assert fieldread.fields_from_lines("mynumber", recs, e)["birth_date"].value == "1933-10-26"


def test_an_era_whose_first_character_was_misread_as_another_glyph_is_decoded_again(e) -> None:
    """tune-2734 「招和063年2月10日生」 (a My Number birth date), tune-2315 「合和102年09月08日」 and tune-2566 (licence
    issue dates): the era's first character read as a kanji that heads no era, so the broken date was cut
    after it (「和063年…」), no era form fitted, and no date was found. The span is decoded again from that
    glyph, whose frames still give the era's head some weight; always ``repaired`` (doubtful)."""
    birth = [{"": 1.0}, {"招": 0.9, "昭": 0.05, "": 0.05}, {"": 1.0}, *spelled("和")[1:]]
    birth += [{"0": 0.6, "": 0.4}, {"": 1.0}, *spelled("63年2月10日生")[1:]]
    recs = [
        rec_line(e, spelled("生年月日"), (2, 28, 9.5, 31)),
        rec_line(e, birth, (10, 28, 35, 33)),
        rec_line(e, spelled("2027年2月10日まで有効"), (4, 34, 41, 39)),
    ]
    assert recs[1].decoded.text == "招和063年2月10日生"
    got = fieldread.fields_from_lines("mynumber", recs, e)["birth_date"]
    assert got.value == "1988-02-10" and "repaired" in got.reasons and got.doubtful
    issue = [*spelled("交付"), {"合": 0.9, "令": 0.05, "": 0.05}, {"": 1.0}, *spelled("和")[1:]]
    issue += [{"1": 0.6, "": 0.4}, {"": 1.0}, *spelled("02年09月08日")[1:]]
    recs = [
        rec_line(e, spelled("氏名 高木 真理"), (2, 2, 30, 7)),
        rec_line(e, spelled("昭和55年05月23日生"), (48, 2, 75, 6)),
        rec_line(e, issue, (2, 14, 35, 20)),
        rec_line(e, spelled("2023年(令和05年)06月22日まで有効"), (3, 20, 57, 25)),
    ]
    assert recs[2].decoded.text == "交付合和102年09月08日"
    got = fieldread.fields_from_lines("license", recs, e)["issue_date"]
    assert got.value == "2020-09-08" and "repaired" in got.reasons and got.doubtful
    # a glyph whose frames hold no era's head gives nothing
    birth[1] = {"招": 0.95, "": 0.05}
    recs = [rec_line(e, spelled("生年月日"), (2, 28, 9.5, 31)), rec_line(e, birth, (10, 28, 35, 33))]
    assert fieldread.fields_from_lines("mynumber", recs, e)["birth_date"].value is None


def test_a_date_whose_day_mark_was_read_as_digits_is_decoded_again(e) -> None:
    """tune-2715: blur made the licence issue date's 日 two strokes read 「11」 (「交付平成30年10月1911」 at the
    line's end): no date on the line, the issue date not found. A month followed by three or four digits and
    no 日 is a broken date: decoded again under the grammar, the 日 the frames still weigh comes back;
    ``repaired`` (doubtful)."""
    issue = [*spelled("交付平成30年10月19")]
    issue += [{"1": 0.93, "日": 0.065, "": 0.005}, {"": 1.0}, {"1": 0.9, "日": 0.05, "": 0.05}, {"": 1.0}]
    recs = [
        rec_line(e, spelled("氏名 高木 真理"), (2, 2, 30, 7)),
        rec_line(e, spelled("平成15年08月01日生"), (48, 2, 75, 6)),
        rec_line(e, issue, (2, 14, 35, 20)),
        rec_line(e, spelled("平成35年08月31日まで有効"), (3, 20, 57, 25)),
    ]
    assert recs[2].decoded.text == "交付平成30年10月1911"
    got = fieldread.fields_from_lines("license", recs, e)["issue_date"]
    assert got.value == "2018-10-19" and "repaired" in got.reasons and got.doubtful
    assert repair.broken_date_spans("平成15年08月0111生") == [(0, 12)]
    assert repair.broken_date_spans("平成15年08月01日生") == []
    assert repair.broken_date_spans("住所 東京都港区1丁目2番地3 平成15年08月") == []


def test_a_date_that_lost_its_era_head_and_its_day_mark_is_decoded_again_by_the_era_second_character(e) -> None:
    """tune-3871: glare over 昭 and blur over 日 left 「和42年12月291生」 at the line's start: no era, no 日, so no
    broken date was seen and the birth date was not found. A date with only the era's second character, its
    day mark read as a digit, is a broken date; decoded with the era named by 和 alone (令和42 is no birth),
    the 日 the frames still weigh comes back. ``repaired``; behind another glyph the era's head must be in
    that glyph's frames (tested above)."""
    frames = [*spelled("和42年12月29")]
    frames += [{"1": 0.9, "日": 0.08, "": 0.02}, {"": 1.0}, *spelled("生")[1:]]
    recs = [
        rec_line(e, spelled("生年月日"), (2, 28, 9.5, 31)),
        rec_line(e, frames, (10, 28, 35, 33)),
        rec_line(e, spelled("2028年12月29日まで有効"), (4, 34, 41, 39)),
    ]
    assert recs[1].decoded.text == "和42年12月291生"
    got = fieldread.fields_from_lines("mynumber", recs, e)["birth_date"]
    assert got.value == "1967-12-29" and got.era_year == 42 and "repaired" in got.reasons and got.doubtful
    assert repair.broken_date_spans("和42年12月291生") == [(0, 10)]
    assert repair.broken_date_spans("平成30年10月1911") == [(0, 12)]  # a full era as before


def _year_head_lost() -> list[dict[str, float]]:
    """「1948年08月22日」 whose box began past the 1 and whose 9 was read 3 (9 at 0.2, dev-0439)."""
    return [{"3": 0.7, "9": 0.2, "": 0.1}, {"": 1.0}, *spelled("48年08月22日")]


def test_a_gregorian_year_that_lost_its_first_digit_is_decoded_with_it_put_back(e) -> None:
    """「348年08月22日」 has no date's form: the three digits the frames allow before 年 (948; 348 makes no year)
    get the one first digit that makes a plausible year, with no confidence, so the birth date is found and
    always doubted."""
    rep = repair.for_engine(e)
    probs = frame_probs(e, _year_head_lost())
    assert e.decode(probs, "date").text == "348年08月22日"
    assert rep.decode(probs, "birth_date", True) is None
    path = rep.decode(probs, "birth_date", True, century_lost=True)
    assert path is not None and path.text == "1948年08月22日" and path.confidences[0] == 0.0
    assert rep.decode(probs, "expiry", True, century_lost=True) is None  # an expiry's year is 20xx only
    recs = [
        rec_line(e, _year_head_lost(), (10.4, 10.0, 31.5, 13.8)),
        rec_line(e, spelled("生年月日"), (2.0, 12.4, 10.8, 15.5)),
    ]
    birth = fieldread.fields_from_lines("residence", recs, e)["birth_date"]
    assert birth.value == "1948-08-22" and "repaired" in birth.reasons and birth.doubtful


def test_three_digits_before_year_on_a_card_that_may_print_wareki_are_not_a_lost_century(e) -> None:
    """Fresh tune-7145: 昭和45年 with 昭 lost and 和 read as a digit (「945年」) was decoded as 1945. A licence or My
    Number Card may print its birth date in 和暦, so three digits there may be an era's last character and its
    year: only a surely Gregorian date (the residence card's) is taken to have lost its first digit."""
    rep = repair.for_engine(e)
    probs = frame_probs(e, _year_head_lost())
    assert rep.decode(probs, "birth_date", None, century_lost=True) is None
    assert rep.decode(probs, "birth_date", True, century_lost=True) is not None
    recs = [
        rec_line(e, _year_head_lost(), (10.4, 10.0, 31.5, 13.8)),
        rec_line(e, spelled("生年月日"), (2.0, 12.4, 10.8, 15.5)),
    ]
    birth = fieldread.fields_from_lines("license", recs, e)["birth_date"]
    assert birth.value != "1948-08-22"
