"""A driving licence's date rules (taimen.ocr.license_dates), the licence number's twelve digits and the
residence card number cut short (taimen.ocr.near_label). Each case is a failure seen on the tuning split of
the photo benchmark, on synthetic probabilities over the real recogniser's dictionary, synthetic line lists or
a synthetic card image; every value a rule makes must be flagged doubtful."""

from __future__ import annotations

from datetime import date

import cv2
import numpy as np
import pytest

from ocr_helpers import frame_probs, ocr, rec_line, spelled
from taimen.ocr import fieldread, license_dates, near_label, repair
from taimen.ocr import fields as fp


@pytest.fixture(scope="module")
def e():
    return ocr()




def _reading(key: str, d: date | None, conf: float = 0.99, reasons: tuple[str, ...] = (), text: str = "x"):
    return fp.FieldReading(key, d.isoformat() if d else None, text, conf, date=d, reasons=reasons)


# -- the rules themselves, over readings -----------------------------------------------------------------------


def test_a_licence_birthday_lies_25_to_35_days_before_its_expiry() -> None:
    days = license_dates.birthdays(date(2020, 2, 7))
    assert days[0] == (1, 8)  # 30 days before: the benchmark's generator
    assert (1, 7) in days and (1, 3) in days and (1, 13) in days and (1, 2) not in days and (1, 14) not in days
    assert license_dates.birthday_fits(date(1951, 1, 8), date(2020, 2, 7))
    assert not license_dates.birthday_fits(date(1951, 2, 7), date(2020, 2, 7))  # a My Number card's rule
    assert license_dates.birthday_fits(date(1964, 2, 29), date(2023, 3, 30))  # born on 29 February
    assert license_dates.issue_window(date(2029, 6, 10)) == (date(2023, 6, 10), date(2029, 6, 10))
    assert not license_dates.issue_fits(date(2016, 6, 22), date(2029, 6, 10))


class _Again:
    """A stand-in for the frames: what decoding again gives, and what it was asked."""

    def __init__(self, answer: fp.FieldReading | None) -> None:
        self.answer, self.asked = answer, []

    def __call__(self, key, *, within=None, mds=None):
        self.asked.append((key, within, mds))
        return self.answer


def test_an_issue_date_outside_the_years_before_the_expiry_is_decoded_again_within_them() -> None:
    """tune-2957's 「支信合806年06月22日」 decoded 2016 for a licence that expires in 2029."""
    exp = _reading("expiry", date(2029, 6, 10), 0.95)
    unsure = _reading("issue_date", date(2016, 6, 22), 0.3, ("repaired",))
    again = _Again(_reading("issue_date", date(2024, 6, 22), 0.5))
    out = license_dates.issue_from_expiry(again, {"issue_date": unsure, "expiry": exp})
    assert again.asked == [("issue_date", (date(2023, 6, 10), date(2029, 6, 10)), None)]
    assert out["issue_date"].value == "2024-06-22" and "repaired" in out["issue_date"].reasons
    assert out["issue_date"].doubtful and "inconsistent" in out["expiry"].reasons


def test_a_surely_read_issue_date_is_kept_and_both_dates_doubted() -> None:
    exp = _reading("expiry", date(2029, 6, 10), 0.95)
    again = _Again(_reading("issue_date", date(2024, 6, 22)))
    sure = _reading("issue_date", date(2016, 6, 22), 0.99)
    out = license_dates.issue_from_expiry(again, {"issue_date": sure, "expiry": exp})
    assert not again.asked and out["issue_date"].value == "2016-06-22"
    assert "inconsistent" in out["issue_date"].reasons and "inconsistent" in out["expiry"].reasons
    inside = _reading("issue_date", date(2024, 6, 22), 0.3)
    assert license_dates.issue_from_expiry(again, {"issue_date": inside, "expiry": exp})["issue_date"] is inside
    nothing = _Again(None)  # the frames spell no date within the years: the reading stays, doubted
    out = license_dates.issue_from_expiry(nothing, {"issue_date": _reading("issue_date", None, 0.0), "expiry": exp})
    assert out["issue_date"].value is None and nothing.asked


def test_a_birth_date_that_is_no_date_is_decoded_again_on_the_birthdays_the_expiry_allows() -> None:
    """tune-2908's 「招和66年12月27日生」: there is no 昭和66."""
    exp = _reading("expiry", date(2027, 1, 26), 0.8)
    birth = _reading("birth_date", None, 0.1, ("grammar",), text="昭和66年12月27日生")
    again = _Again(_reading("birth_date", date(1981, 12, 27), 0.4))
    out = license_dates.birth_from_expiry(again, {"birth_date": birth, "expiry": exp})
    assert again.asked[0][0] == "birth_date" and again.asked[0][2][0] == (12, 27)
    assert out["birth_date"].value == "1981-12-27" and "repaired" in out["birth_date"].reasons
    assert "grammar" not in out["birth_date"].reasons and out["birth_date"].doubtful
    wrong = _Again(_reading("birth_date", date(1981, 6, 27), 0.4))  # not on an allowed birthday: refused
    assert license_dates.birth_from_expiry(wrong, {"birth_date": birth, "expiry": exp})["birth_date"] is birth


def test_an_expiry_whose_two_years_disagree_is_decoded_again_as_one_year() -> None:
    assert license_dates.bracket_disagrees("2029年(令和10年)06月10日まで有効")
    assert not license_dates.bracket_disagrees("2029年(令和11年)06月10日まで有効")
    assert not license_dates.bracket_disagrees("平成32年02月07日まで有効")
    exp = fp.FieldReading("expiry", "2029-06-10", "2029年(令和10年)06月10日まで有効", 0.3, date=date(2029, 6, 10))
    again = _Again(_reading("expiry", date(2028, 6, 10), 0.6))
    out = license_dates.bracket_years(again, {"expiry": exp})
    assert again.asked == [("expiry", (date(2028, 1, 1), date(2029, 12, 31)), None)]
    assert out["expiry"].value == "2028-06-10" and "repaired" in out["expiry"].reasons and out["expiry"].doubtful
    out = license_dates.bracket_years(_Again(None), {"expiry": exp})
    assert out["expiry"].value == "2029-06-10" and "inconsistent" in out["expiry"].reasons


# -- decoding within bounds, on real dictionary classes --------------------------------------------------------


def test_a_date_decoded_within_bounds_takes_the_year_the_bounds_allow(e) -> None:
    """A third digit the frames give 1 more than 2: 2016 read freely, 2026 within the six years before 2029."""
    frames = spelled("2016年06月22日")
    frames[5] = {"1": 0.55, "2": 0.4, "": 0.05}
    rep = repair.DateRepair(e.character_table())
    probs = frame_probs(e, frames)
    assert rep.decode(probs, "issue_date").text == "2016年06月22日"
    got = rep.decode(probs, "issue_date", within=(date(2023, 6, 10), date(2029, 6, 10)))
    assert got is not None and got.text == "2026年06月22日"
    assert rep.decode(probs, "issue_date", within=(date(2000, 1, 1), date(2005, 12, 31))) is None


def test_an_era_year_past_the_era_is_not_read_when_the_month_and_day_are_bound(e) -> None:
    """「昭和66年」 (no such year): on the birthdays an expiry allows, the frames' other reading of the digit."""
    frames = spelled("昭和66年12月27日")
    frames[5] = {"6": 0.6, "5": 0.35, "": 0.05}
    rep = repair.DateRepair(e.character_table())
    got = rep.decode(frame_probs(e, frames), "birth_date", mds=license_dates.birthdays(date(2027, 1, 26)))
    assert got is not None and got.text == "昭和56年12月27日"


# -- wired into the licence's fields ---------------------------------------------------------------------------


def test_a_birth_date_split_by_glare_over_its_month_is_completed_from_the_expiry(e) -> None:
    """tune-2927: 「昭和26年」 and 「J08日生」 read apart (glare over 「01月」); the expiry 平成32年02月07日."""
    recs = [
        rec_line(e, spelled("氏名松田 舞"), (1.2, 0.0, 25.8, 6.8)),
        rec_line(e, spelled("昭和26年"), (47.1, 1.1, 58.1, 5.2)),
        rec_line(e, spelled("J08日生"), (63.4, 1.1, 74.0, 5.1)),
        rec_line(e, spelled("平成32年02月07日まで有効"), (3.2, 20.6, 44.8, 24.8)),
    ]
    birth = fieldread.fields_from_lines("license", recs, e)["birth_date"]
    assert birth.value == "1951-01-08" and "repaired" in birth.reasons and birth.doubtful
    recs[2] = rec_line(e, spelled("J生"), (63.4, 1.1, 74.0, 5.1))  # nothing of the month or day: 11 birthdays fit
    assert fieldread.fields_from_lines("license", recs, e)["birth_date"].value is None


def test_an_issue_date_whose_era_was_lost_takes_the_one_era_the_expiry_allows(e) -> None:
    """tune-3197's 「104年09月25日」 (glare over 令和) and tune-2994's 「登合和03年11月0611」 (日 read 11): no date for
    the assignment; 令和 puts them within the six years before the expiry, 平成 does not."""

    def issue(text: str, expiry: str):
        recs = [
            rec_line(e, spelled("氏名 阿部 春香"), (1.8, 0.5, 26.6, 6.2)),
            rec_line(e, spelled("昭和12年03月27日生"), (46.7, 0.4, 75.3, 4.8)),
            rec_line(e, spelled("62333"), (41.2, 14.4, 50.1, 18.6)),
            rec_line(e, spelled(text), (2.0, 15.5, 33.3, 20.6)),
            rec_line(e, spelled(expiry), (2.8, 20.3, 56.8, 25.1)),
        ]
        return fieldread.fields_from_lines("license", recs, e)["issue_date"]

    got = issue("104年09月25日", "2025年(令和07年)04月26日まで有効")
    assert got.value == "2022-09-25" and "repaired" in got.reasons and got.doubtful
    got = issue("登合和03年11月0611", "2026年(令和08年)06月08日まで有効")
    assert got.value == "2021-11-06" and "repaired" in got.reasons
    assert issue("104年09月25日", "2035年(令和17年)04月26日まで有効").value is None  # 令和04 is too early for it


def test_an_expiry_that_lost_its_gregorian_year_takes_it_from_the_bracketed_reiwa_year(e) -> None:
    """tune-3280: glare over 「2027年(令」, 「和09年)05月24日まで有効」 read; 令和09 is 2027."""

    def expiry(birth: str):
        recs = [
            rec_line(e, spelled("氏名 渡邊 勝"), (1.9, 0.2, 24.8, 6.1)),
            rec_line(e, spelled(birth), (46.9, 3.3, 73.4, 7.2)),
            rec_line(e, spelled("和09年)05月24日まで有効"), (17.6, 20.0, 57.0, 25.6)),
        ]
        return fieldread.fields_from_lines("license", recs, e)["expiry"]

    got = expiry("昭和34年04月24日生")
    assert got.value == "2027-05-24" and "repaired" in got.reasons and got.doubtful
    assert expiry("昭和34年08月24日生").value is None  # no birthday a month before it: something else was read


def test_an_expiry_split_by_glare_over_its_bracket_is_read_from_its_two_pieces(e) -> None:
    """tune-4110: glare over 「和11年)」 split the expiry into 「2029年(令」 and 「06月24日まで有効」 on one row; no
    line held a date, the expiry was not found. The year of the one and the month and day of the other make
    it, a month after the birthday read; ``repaired``."""

    def expiry(birth: str, *pieces: tuple[str, tuple[float, float, float, float]]):
        recs = [
            rec_line(e, spelled("氏名 渡邊 勝"), (1.9, 0.2, 24.8, 6.1)),
            rec_line(e, spelled(birth), (45.4, 0.6, 70.9, 4.5)),
            *(rec_line(e, spelled(text), box) for text, box in pieces),
        ]
        return fieldread.fields_from_lines("license", recs, e)["expiry"]

    year, rest = ("2029年(令", (2.8, 20.0, 18.2, 24.8)), ("06月24日まで有効", (25.2, 20.4, 54.2, 24.8))
    got = expiry("昭和48年05月25日生", year, rest)
    assert got.value == "2029-06-24" and "repaired" in got.reasons and got.doubtful
    assert expiry("昭和48年08月25日生", year, rest).value is None  # no birthday a month before it
    below = ("06月24日まで有効", (25.2, 30.4, 54.2, 34.8))
    assert expiry("昭和48年05月25日生", year, below).value is None  # not on one row


def test_a_bracketed_date_whose_until_mark_was_misread_is_the_licence_expiry(e) -> None:
    """tune-3595: 「2023年(令和05年)05月08日ま効」 (glare over 「で有」) read at 0.98 but not taken for the expiry,
    which was not found: no date followed by まで or 有効. Only the expiry prints its year twice, so the one
    such date is the expiry, placed without its label (``no_label``, doubtful)."""

    def fields(until: str, *more: str):
        recs = [
            rec_line(e, spelled("氏名 渡邊 勝"), (1.9, 0.2, 24.8, 6.1)),
            rec_line(e, spelled("昭和57年04月08日生"), (44.4, 1.3, 69.4, 5.2)),
            rec_line(e, spelled("令和02年02月23日"), (7.0, 11.5, 29.2, 15.3)),
            rec_line(e, spelled("2023年(令和05年)05月08日" + until), (3.0, 20.2, 57.0, 25.2)),
            *(rec_line(e, spelled(t), (3.0, 27.0 + 5 * k, 57.0, 31.0 + 5 * k)) for k, t in enumerate(more)),
        ]
        return fieldread.fields_from_lines("license", recs, e)

    got = fields("ま効")
    assert got["expiry"].value == "2023-05-08" and "no_label" in got["expiry"].reasons and got["expiry"].doubtful
    assert got["issue_date"].value == "2020-02-23"
    assert fields("まで有効")["expiry"].reasons == ()  # read with its label: as before
    assert fields("ま効", "2024年(令和06年)05月08日")["expiry"].value is None  # two such dates: neither


def test_a_licence_number_with_two_equal_digits_merged_is_read_as_twelve_digits(e) -> None:
    """「第476305588714」 read with its two 8s run into one (no blank frame kept between them)."""
    frames = spelled("第4763055")
    frames += [{"8": 0.97, "": 0.03}, {"8": 0.6, "": 0.4}, {"8": 0.97, "": 0.03}, {"": 1.0}]
    frames += spelled("714")[1:]
    recs = [rec_line(e, frames, (2.0, 39.8, 33.6, 45.5)), rec_line(e, spelled("号"), (38.5, 40.5, 42.7, 44.2))]
    assert recs[0].decoded.text == "第47630558714"
    card = np.full((648, 1027, 3), 255, np.uint8)
    got = near_label.twelve_digits(card, 12.0, recs, e)
    assert got is not None and got.line.text == "第476305588714" and got.repaired
    number = fieldread.fields_from_lines("license", recs, e, card=card)["license_number"]
    assert number.value == "476305588714" and "repaired" in number.reasons and number.doubtful
    eleven = rec_line(e, spelled("第47630558714"), (2.0, 39.8, 33.6, 45.5))  # no twelfth digit in the frames
    assert near_label.twelve_digits(card, 12.0, [eleven], e) is None


def test_a_residence_card_number_cut_short_is_read_again_past_its_box_or_flagged(e) -> None:
    """tune-3057's 「番号 MD1323」: glare or a finger over the number's end."""
    ppm = 12.0
    card = np.full((int(54 * ppm), int(85.6 * ppm), 3), 255, np.uint8)
    cv2.putText(card, "MD13233355WR", (int(56 * ppm), int(6 * ppm)), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    short = rec_line(e, spelled("MD1323"), (55.5, 2.5, 68.0, 7.0))
    got = near_label.card_number_cut_short(card, ppm, [short], e)
    assert got is not None and got.line.text.replace(" ", "") == "MD13233355WR" and got.repaired
    fields = fieldread.fields_from_lines("residence", [short], e, card=card, ppm=ppm)
    assert fields["card_number"].value == "MD13233355WR" and "repaired" in fields["card_number"].reasons
    covered = card.copy()
    covered[:, int(68 * ppm) :] = (120, 140, 200)  # a finger over the rest: nothing is made up, the field says why
    fields = fieldread.fields_from_lines("residence", [short], e, card=covered, ppm=ppm)
    assert fields["card_number"].value is None and "cut_off" in fields["card_number"].reasons
    assert near_label.card_number_start([rec_line(e, spelled("LEWIS KAREN"), (9.7, 5.7, 30.5, 9.5))]) is None
    # tune-3518: 「番号 LF14541586U」, the last letter cut off with the box
    card = np.full((int(54 * ppm), int(85.6 * ppm), 3), 255, np.uint8)
    cv2.putText(card, "LF14541586UZ", (int(56 * ppm), int(6 * ppm)), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    short = rec_line(e, spelled("LF14541586U"), (55.5, 2.5, 79.0, 7.0))
    got = near_label.card_number_cut_short(card, ppm, [short], e)
    assert got is not None and got.line.text.replace(" ", "") == "LF14541586UZ"
