"""Values the first reading missed, recovered without guessing (taimen.ocr.fieldread): the one-character 性別
value beside its label, and an era name that lost its first character."""

from __future__ import annotations

import re
from dataclasses import replace

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_helpers import ocr
from taimen.ocr import date_head, date_rules, fieldread, near_label, recline, sex_read
from taimen.ocr.assign import TextLine
from taimen.ocr.engine import Line

PPM = 12.0
FONT = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"


def _card(marks: list[tuple[str, float, float, float, int]]) -> np.ndarray:
    """A blank card (85.6 × 54 mm at 12 px/mm) with ``marks``: (text, x mm, y mm, height mm, grey level)."""
    img = Image.new("RGB", (round(85.6 * PPM), round(54 * PPM)), (248, 244, 246))
    d = ImageDraw.Draw(img)
    for text, x, y, size, grey in marks:
        d.text((x * PPM, y * PPM), text, font=ImageFont.truetype(FONT, round(size * PPM)), fill=(grey,) * 3)
    return np.asarray(img)[:, :, ::-1].copy()


def _rec(text: str, box: tuple[float, float, float, float]) -> recline.RecLine:
    tl = TextLine(*box, text, 0.99)
    return recline.RecLine(tl, None, Line(text, 0.99, (0.99,) * len(text)), np.zeros((1, 1, 3), np.uint8))


LABEL = ("性別", 3.0, 32.4, 2.0, 60)


@pytest.fixture(scope="module")
def e():
    return ocr()


@pytest.mark.parametrize("value,sex", [("男", "male"), ("女", "female")])
def test_a_lone_value_beside_the_label_is_read(e, value: str, sex: str) -> None:
    card = _card([LABEL, (value, 9.5, 31.8, 3.0, 150)])  # faint, as under uneven light
    recs = [_rec("生年月日", (3, 28.5, 9.5, 30.5)), _rec("性測", (2.8, 32.2, 7.3, 34.8))]  # the label with a slip
    got = sex_read.sex_beside_label(card, PPM, recs, e)
    assert got is not None and got.line.text == value
    assert 8.5 < got.line.x0 < 10.5
    assert fieldread.fields_from_lines("mynumber", recs, e, card=card, ppm=PPM)["sex"].value == sex


def test_no_value_and_other_marks_are_not_a_sex(e) -> None:
    recs = [_rec("性別", (2.8, 32.2, 7.3, 34.8))]
    assert sex_read.sex_beside_label(_card([LABEL]), PPM, recs, e) is None
    assert sex_read.sex_beside_label(_card([LABEL, ("田", 9.5, 31.8, 3.0, 40)]), PPM, recs, e) is None
    two = _card([LABEL, ("男", 9.5, 31.8, 3.0, 40), ("女", 15.0, 31.8, 3.0, 40)])
    assert sex_read.sex_beside_label(two, PPM, recs, e) is None  # two marks: not a lone value
    far = _card([LABEL, ("男", 30.0, 31.8, 3.0, 40)])
    assert sex_read.sex_beside_label(far, PPM, recs, e) is None  # outside the label's window


def test_an_era_without_its_first_character_is_completed_only_where_one_era_fits() -> None:
    """「和17年…生」 (昭 lost to glare) is 昭和 (令和17 is in the future); 「0和02年…」 as an issue date is 令和
    (昭和2 is before any licence); 平成 is the only era ending in 成. Completed values are flagged."""
    assert date_rules.complete_era("和17年02月08日生", "birth_date") == ("昭和17年02月08日生", True)
    assert date_rules.complete_era("0和02年09月16日", "issue_date") == ("令和02年09月16日", True)
    assert date_rules.complete_era("成3年1月8日生", "birth_date") == ("平成3年1月8日生", True)
    assert date_rules.complete_era("和5年1月8日生", "birth_date") == ("和5年1月8日生", False)  # 昭和5 or 令和5
    assert date_rules.complete_era("昭和17年02月08日生", "birth_date") == ("昭和17年02月08日生", False)
    recs = [_rec("生年月日", (3, 28.5, 9.5, 30.5)), _rec("和17年02月08日生", (10, 28, 40, 31.5))]
    birth = fieldread.fields_from_lines("license", recs, ocr())["birth_date"]
    assert birth.value == "1942-02-08" and "repaired" in birth.reasons and birth.doubtful


def test_a_security_code_the_first_pass_missed_is_found_near_its_label(e) -> None:
    label = ("セキュリティコード", 56.0, 47.6, 1.7, 70)
    card = _card([label, ("1149", 66.0, 42.5, 3.3, 40)])
    recs = [_rec("セキュリティコード", (55.8, 47.4, 72.0, 49.6))]
    got = near_label.code_near_label(card, PPM, recs, e)
    assert got is not None and got.line.text.replace(" ", "") == "1149"
    code = fieldread.fields_from_lines("mynumber", recs, e, card=card, ppm=PPM)["security_code"]
    assert code.value == "1149" and not code.reasons
    assert near_label.code_near_label(_card([label]), PPM, recs, e) is None
    two = _card([label, ("1149", 60.0, 42.5, 3.3, 40), ("5678", 60.0, 51.0, 2.4, 40)])
    assert near_label.code_near_label(two, PPM, recs, e) is None  # two four-digit lines: not a guess
    word = _card([label, ("男女", 66.0, 42.5, 3.3, 40)])
    assert near_label.code_near_label(word, PPM, recs, e) is None


def test_a_date_is_as_sure_as_its_digits_and_era_not_its_decoration(e) -> None:
    """「まで有効」 or 「生」 read unsurely does not make a date doubtful; an unsure digit does."""
    from test_ocr_doubt import _line

    def expiry(extra):
        recs = [
            _line(e, "昭和55年2月17日生", (13, 26, 44, 29.5)),
            _line(e, "2035年2月17日まで有効", (5, 35, 42, 39), extra),
        ]
        return fieldread.fields_from_lines("mynumber", recs, e)["expiry"]

    text = "2035年2月17日まで有効"
    unsure_kana = {2 * text.index("有") + 1: {"有": 0.55}, 2 * text.index("ま") + 1: {"ま": 0.6}}
    sure = expiry(unsure_kana)
    assert sure.value == "2035-02-17" and "low_confidence" not in sure.reasons and not sure.doubtful
    unsure = expiry({2 * text.index("3") + 1: {"3": 0.55}})
    assert unsure.value == "2035-02-17" and "low_confidence" in unsure.reasons


def test_every_reason_the_reader_gives_has_words_for_the_operator() -> None:
    """The CLI, the confirm screen and the cross-check show REASONS' text; a code without an entry would be
    shown as nothing at all."""
    import re
    from pathlib import Path

    src = Path(fieldread.__file__).parent
    codes = set()
    for path in src.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'reasons(?:\.append\(|\s*\+=\s*\[|=\[|=\()\s*"([a-z_]+)"', text))
        codes |= set(re.findall(r'\(\s*"([a-z_]+)",\s*\)', text)) & {"not_found"}
        codes |= set(re.findall(r'\*out\[k\]\.reasons,\s*"([a-z_]+)"', text))
    assert {"cut_off", "grammar", "low_confidence", "inconsistent", "not_found"} <= codes
    assert codes <= set(fieldread.REASONS), codes - set(fieldread.REASONS)


def _licence_recs(address: str = "住所東京都町田市原町田4丁目23番36号") -> list[recline.RecLine]:
    return [
        _rec("氏名小川", (1.8, 2.2, 18.7, 7.2)),
        _rec("昭和57年01月02日生", (44.1, 2.2, 72.4, 6.0)),
        _rec(address, (1.8, 8.0, 62.9, 12.0)),
        _rec("交付令和08年07月21日", (2.2, 16.3, 33.0, 19.7)),
        _rec("2029年(令和11年)02月01日まで有効", (2.8, 20.2, 57.0, 25.1)),
        _rec("第215388793871号", (1.9, 39.6, 42.0, 45.7)),
    ]


def test_a_given_name_and_an_address_line_the_detector_missed_are_read_again(e) -> None:
    """The detector missed a faint given name (「小川」 without 「秀明」) and an address's second line: both were
    proposed cut short without a doubt flag. Ink there is now read again."""
    card = _card([("秀明", 22.0, 2.6, 3.6, 150), ("シャトー町田909号室", 9.5, 12.4, 2.8, 40)])
    got = fieldread.fields_from_lines("license", _licence_recs(), e, card=card, ppm=PPM)
    assert got["name"].value == "小川\u3000秀明"
    assert got["address"].value == "東京都町田市原町田4丁目23番36号シャトー町田909号室"


def test_ink_that_does_not_read_as_the_field_makes_it_doubtful(e) -> None:
    img = Image.fromarray(_card([])[:, :, ::-1].copy())
    d = ImageDraw.Draw(img)
    for k in range(6):  # scribbles where the name continues and under the address
        d.line([(25 * PPM + 20 * k, 3 * PPM), (26 * PPM + 20 * k, 6 * PPM)], fill=(30, 30, 30), width=4)
        d.line([(10 * PPM + 30 * k, 12.6 * PPM), (11 * PPM + 30 * k, 14.8 * PPM)], fill=(30, 30, 30), width=4)
    card = np.asarray(img)[:, :, ::-1].copy()
    got = fieldread.fields_from_lines("license", _licence_recs(), e, card=card, ppm=PPM)
    assert got["name"].value == "小川" and "more_lines" in got["name"].reasons
    assert "more_lines" in got["address"].reasons
    clean = fieldread.fields_from_lines("license", _licence_recs(), e, card=_card([]), ppm=PPM)
    assert "more_lines" not in clean["name"].reasons and "more_lines" not in clean["address"].reasons


def _two_line_address(e, tail: list[tuple[str, float, float, float, int]], document: str = "license"):
    """A licence whose address's second line was boxed to 「シャトー町田9」 (30 mm): ``tail`` printed beyond it."""
    recs = [*_licence_recs(), _rec("シャトー町田9", (9.5, 12.3, 30.0, 15.6))]
    card = _card([("シャトー町田9", 9.5, 12.4, 2.8, 40), *tail])
    return fieldread.fields_from_lines(document, recs, e, card=card, ppm=PPM)["address"]


def test_an_address_line_whose_faint_end_the_box_missed_is_read_on(e) -> None:
    """Glare washed out 「８号室」 after 「…町４０」 and the detector's box stopped there: 「…町40」 was proposed at
    0.98 without a doubt flag. Ink right of the box on its row is read again and appended."""
    got = _two_line_address(e, [("09号室", 30.3, 12.4, 2.8, 175)])
    assert got.value == "東京都町田市原町田4丁目23番36号シャトー町田909号室", got
    marks = _two_line_address(e, [("△◇△", 30.3, 12.4, 2.8, 40)])  # ink that reads as no address's end
    assert marks.value == "東京都町田市原町田4丁目23番36号シャトー町田9" and "runs_on" in marks.reasons
    clean = _two_line_address(e, [])
    assert "runs_on" not in clean.reasons and "low_confidence" not in clean.reasons
    # the end of the line above, tilted down into the row on a card rectified a few degrees off, is no new end
    above = _two_line_address(e, [("23番36号", 30.3, 12.4, 2.8, 40)])
    assert above.value == "東京都町田市原町田4丁目23番36号シャトー町田9" and "runs_on" in above.reasons
    far = _two_line_address(e, [("東京都", 58.0, 12.4, 2.8, 40)])  # beyond the window: another field's text
    assert "runs_on" not in far.reasons
    img = Image.fromarray(_card([("シャトー町田9", 9.5, 12.4, 2.8, 40)])[:, :, ::-1].copy())
    ImageDraw.Draw(img).ellipse((32 * PPM, 6 * PPM, 46 * PPM, 24 * PPM), outline=(90, 60, 40), width=5)  # a head
    recs = [*_licence_recs(), _rec("シャトー町田9", (9.5, 12.3, 30.0, 15.6))]
    head = fieldread.fields_from_lines("license", recs, e, card=np.asarray(img)[:, :, ::-1].copy(), ppm=PPM)
    assert head["address"].value == "東京都町田市原町田4丁目23番36号シャトー町田9"
    assert "runs_on" not in head["address"].reasons


def test_a_birth_date_cut_after_its_day_is_read_and_doubted(e) -> None:
    recs = _licence_recs()
    recs[1] = _rec("平成05年11月08", (47.1, 3.1, 68.3, 7.1))
    f = fieldread.fields_from_lines("license", recs, e)["birth_date"]
    assert f.value == "1993-11-08" and "cut_off" in f.reasons and f.doubtful


def test_text_running_on_past_where_a_name_ends_is_not_its_continuation(e) -> None:
    """On a skewed card the address rose into the name's row, right of 「小川」: the second look read
    「央区元町通」 from it and proposed 「小川　央区元町通」. Text that runs on to the window's end is no given name."""
    card = _card([("央区元町通三丁目", 22.0, 2.6, 3.6, 40)])
    got = fieldread.fields_from_lines("license", _licence_recs(), e, card=card, ppm=PPM)
    assert got["name"].value == "小川" and "more_lines" in got["name"].reasons


def _name_line(e, marks: list[tuple[str, float, float, float, int]]) -> recline.RecLine:
    """The name row of a card with ``marks`` read as one line, as the detector gives it."""
    got = recline.read_box(_card(marks), (1.5 * PPM, 1.0 * PPM, 40 * PPM, 7.5 * PPM), PPM, e)
    assert got is not None
    return got


def _misread_label(rl: recline.RecLine, text: str) -> recline.RecLine:
    """``rl`` with its first two characters (氏名 read right) read as the one character ``text``."""
    dec = rl.decoded
    assert dec.text.startswith("氏名"), dec.text
    line = Line(text + dec.text[2:], dec.confidence, dec.char_confidences[1:], dec.positions[1:])
    return recline.RecLine(replace(rl.line, text=line.text), rl.probs, line, rl.crop)


def test_a_label_misread_into_the_name_is_known_by_its_small_print(e) -> None:
    """「略和田 恵美子」: 氏名 in small print read as one character run into the name, no label found. The small
    first character, read again on its own, is the label: the name is 和田 恵美子, still doubtful."""
    rl = _misread_label(_name_line(e, [("氏名", 2.0, 2.0, 1.8, 40), ("和田　恵美子", 6.5, 2.0, 4.2, 40)]), "略")
    tail = [_rec("昭和38年12月22日生", (48.8, 0.8, 75.8, 4.6)), *_licence_recs()[2:]]
    got = fieldread.fields_from_lines("license", [rl, *tail], e, card=_card([]), ppm=PPM)["name"]
    assert got.value == "和田\u3000恵美子" and "no_label" in got.reasons


def test_a_small_head_read_as_the_label_s_own_character_is_the_label(e) -> None:
    """「名斉藤」 (tune-2150): 氏名 in tiny blurred print, read 名 in the line, read alone as marks. A head in small
    print that the line's reading gave as 氏 or 名 is the label; the name is what follows, still doubtful."""
    rl = _name_line(e, [("ミネ", 2.0, 2.0, 1.8, 40), ("和田　恵美子", 6.5, 2.0, 4.2, 40)])
    dec = rl.decoded
    assert dec.text.startswith("ミ") and dec.text.lstrip("ミ ").startswith("和田"), dec.text
    k = len(dec.text) - len(dec.text.lstrip("ミ "))
    pos, confs = (dec.positions[0], *dec.positions[k:]), (dec.char_confidences[0], *dec.char_confidences[k:])
    line = Line("名" + dec.text[k:], dec.confidence, confs, pos)
    rl = recline.RecLine(replace(rl.line, text=line.text), rl.probs, line, rl.crop)
    tail = [_rec("昭和38年12月22日生", (48.8, 0.8, 75.8, 4.6)), *_licence_recs()[2:]]
    got = fieldread.fields_from_lines("license", [rl, *tail], e, card=_card([]), ppm=PPM)["name"]
    assert got.value == "和田\u3000恵美子" and "no_label" in got.reasons


def test_a_faint_first_character_read_with_the_misread_label_stays_in_the_name(e) -> None:
    """「駱小川実」 (tune-0657): glare left the name's first character faint, so it measured as small as the label;
    the head read again alone is 「氏名小」: the label and the name's start. Only the label is taken off."""
    marks = [("氏名", 2.0, 2.0, 1.8, 40), ("小", 6.5, 2.0, 4.2, 190), ("川　実", 10.7, 2.0, 4.2, 40)]
    rl = _misread_label(_name_line(e, marks), "駱")
    tail = [_rec("昭和38年12月22日生", (48.8, 0.8, 75.8, 4.6)), *_licence_recs()[2:]]
    got = fieldread.fields_from_lines("license", [rl, *tail], e, card=_card([]), ppm=PPM)["name"]
    assert got.value is not None and got.value.replace("\u3000", "") == "小川実" and "no_label" in got.reasons


def test_an_address_split_where_glare_washed_part_of_it_out_is_read_again_across_the_gap(e) -> None:
    """tune-0724: glare over 「三宮町」 split the address line into 「住所兵庫県神戸市中央区」 and 「2578番地1」 and
    the address lost 三宮町. The row read again as one line holds it; the address stays doubtful (``gap``). A
    gap with nothing printed in it reads no more than the pieces: they stay as they are."""
    recs = _licence_recs()
    recs[2] = _rec("住所兵庫県神戸市中央区", (1.8, 8.0, 38.5, 12.0))
    recs.insert(3, _rec("2578番地1", (49.1, 8.0, 74.5, 12.0)))
    marks = [("住所", 1.8, 8.4, 2.4, 40), ("兵庫県神戸市中央区", 6.0, 8.2, 3.6, 40)]
    marks.append(("２５７８番地１", 49.2, 8.2, 3.6, 40))
    glare = _card([*marks, ("三宮町", 38.4, 8.2, 3.6, 215)])  # washed out, yet readable in a line's context
    got = fieldread.fields_from_lines("license", recs, e, card=glare, ppm=PPM)
    assert got["address"].value == "兵庫県神戸市中央区三宮町2578番地1" and "gap" in got["address"].reasons
    blank = fieldread.fields_from_lines("license", recs, e, card=_card(marks), ppm=PPM)["address"]
    assert blank.value == "兵庫県神戸市中央区2578番地1" and "gap" in blank.reasons


def test_an_address_line_whose_last_glyph_the_recogniser_dropped_is_read_again_to_its_end(e) -> None:
    """tune-0934: 「通924番地3」 read at 0.99 from 「通９２４番地３２」, the 2 in the crop at the box's edge. Read
    again with a margin on the right it ends in 32; taken, and flagged ``repaired`` instead of ``runs_on``."""
    text = "通９２４番地３２"
    marks = [("住所", 1.8, 8.4, 2.4, 40), ("東京都町田市原町田", 10.0, 15.0, 3.0, 40)]
    card = _card(marks + [(ch, 10.0 + 3.1 * i, 20.8, 3.0, 40) for i, ch in enumerate(text)])
    whole = recline.read_box(card, (9.6 * PPM, 20.3 * PPM, 34.4 * PPM, 24.6 * PPM), PPM, e)
    assert whole is not None and whole.line.text == "通924番地32"
    d = whole.decoded
    dropped = Line(d.text[:-1], d.confidence, d.char_confidences[:-1], d.positions[:-1])  # the recogniser's slip
    second = recline.RecLine(replace(whole.line, text=dropped.text), whole.probs, dropped, whole.crop)
    head = [_rec("氏名小川", (1.8, 2.2, 18.7, 7.2)), _rec("昭和57年01月02日生", (44.1, 2.2, 72.4, 6.0))]
    recs = [*head, _rec("住所東京都町田市原町田", (1.8, 14.6, 40, 18.4)), second, *_licence_recs()[3:]]
    got = fieldread.fields_from_lines("license", recs, e, card=card, ppm=PPM)["address"]
    assert got.value == "東京都町田市原町田通924番地32" and "repaired" in got.reasons and "runs_on" not in got.reasons


def test_a_small_name_character_after_a_half_label_stays_with_the_name(e) -> None:
    """「名柴田 結菜」: 氏 cut off with the card's edge, 名 in small print, and 柴 boxed small too (a skewed card):
    read again alone, the two small characters read 「名柴」 — 柴 as itself, so only 名 is the label."""
    marks = [("名", 2.0, 3.6, 1.8, 40), ("柴", 4.3, 2.9, 2.9, 40), ("田　結菜", 7.6, 2.0, 4.2, 40)]
    rl = _name_line(e, marks)
    assert rl.decoded.text.replace(" ", "").startswith("名柴田"), rl.decoded.text
    tail = [_rec("昭和38年12月22日生", (48.8, 0.8, 75.8, 4.6)), *_licence_recs()[2:]]
    got = fieldread.fields_from_lines("license", [rl, *tail], e, card=_card([]), ppm=PPM)["name"]
    assert got.value == "柴田　結菜" and "no_label" in got.reasons


def test_a_short_first_character_of_a_name_is_kept(e) -> None:
    """A family name's own first character in full-size type (名取) or short but reading as itself (三浦)."""
    tail = [_rec("昭和38年12月22日生", (48.8, 0.8, 75.8, 4.6)), *_licence_recs()[2:]]
    for name in ("名取　恵美子", "三浦　恵美子"):
        rl = _name_line(e, [(name, 2.0, 2.0, 4.2, 40)])
        got = fieldread.fields_from_lines("license", [rl, *tail], e, card=_card([]), ppm=PPM)["name"]
        assert got.value == name, (name, rl.decoded.text)


def test_a_licence_number_whose_box_ended_early_is_read_again_to_its_end(e) -> None:
    """Glare over the last digits ended the number's box early: 「第47630556」 (tune-0097). Read again up to 号,
    it is twelve digits, taken and doubted (``repaired``); where only those digits are printed, nothing is."""
    marks = [("第 476305568714", 2.5, 40.0, 3.6, 40), ("号", 38.5, 40.0, 3.6, 40)]
    recs = [_rec("第47630556", (2.3, 39.6, 24.5, 44.8)), _rec("号", (38.2, 39.6, 42.6, 44.8))]
    got = near_label.number_cut_short(_card(marks), PPM, recs, e)
    assert got is not None and re.sub(r"\D", "", got.line.text) == "476305568714" and got.repaired
    number = fieldread.fields_from_lines("license", recs, e, card=_card(marks), ppm=PPM)["license_number"]
    assert number.value == "476305568714" and "repaired" in number.reasons and number.doubtful
    short = [("第 47630556", 2.5, 40.0, 3.6, 40), ("号", 38.5, 40.0, 3.6, 40)]
    assert near_label.number_cut_short(_card(short), PPM, recs, e) is None
    # its first digits faint (tune-1707): the box began after them, 第 and 号 apart on its row
    late = [("第", 2.5, 40.0, 3.6, 40), ("4763", 8.0, 40.0, 3.6, 215), ("05568714", 16.9, 40.0, 3.6, 40)]
    late.append(("号", 38.5, 40.0, 3.6, 40))
    recs = [_rec("第", (2.2, 39.6, 6.7, 44.8)), _rec("05568714", (16.7, 39.6, 34.6, 44.8)), recs[1]]
    got = near_label.number_cut_short(_card(late), PPM, recs, e)
    assert got is not None and re.sub(r"\D", "", got.line.text) == "476305568714" and got.repaired


def test_an_address_line_printed_close_under_the_first_is_found_with_paper_around_it(e) -> None:
    """The second address line printed close under the first, its top above the first line's box end
    (tune-0163): in a strip only as tall as the line the detector found nothing; with paper above and below
    it finds the line, and only the line below the first is taken."""
    card = _card([("シャトー町田909号室", 9.5, 11.6, 4.0, 60)])
    got = fieldread.fields_from_lines("license", _licence_recs(), e, card=card, ppm=PPM)
    assert got["address"].value == "東京都町田市原町田4丁目23番36号シャトー町田909号室"
    assert got["address"].doubtful  # found only by looking again


def test_a_licence_expiry_the_detector_missed_is_looked_for_in_its_band(e) -> None:
    """The expiry band in low contrast was not detected at all (tune-0035): the detector looks again over the
    band's place and the line read there as a date before まで有効 is the expiry; a blank band gives nothing."""
    recs = [r for r in _licence_recs() if "有効" not in r.line.text]
    card = _card([("2027年12月13日まで有効", 3.5, 20.6, 3.6, 170)])
    got = near_label.expiry_in_band(card, PPM, recs, e)
    assert got is not None and "2027年12月13日" in got.line.text
    assert fieldread.fields_from_lines("license", recs, e, card=card, ppm=PPM)["expiry"].value == "2027-12-13"
    assert near_label.expiry_in_band(_card([]), PPM, recs, e) is None


def test_a_my_number_birth_date_the_detector_missed_is_found_beside_its_label(e) -> None:
    """tune-3887: 生年月日 and 性別 were read, the birth date printed between them (女 just under 平) was not.
    Detected again on the label's row, the one line holding a date and 生 is the birth date, doubtful; an empty
    row, or a date without 生, gives nothing."""
    label = ("生年月日", 2.3, 29.4, 2.2, 70)
    recs = [_rec("生年月日", (2.3, 29.2, 9.8, 32.2)), _rec("2031年 7月 5日まで有効", (3.7, 38.3, 42.3, 42.7))]
    card = _card([label, ("平成10年 7月 5日生", 10.8, 28.6, 3.6, 60), ("女", 10.8, 32.0, 3.6, 60)])
    got = near_label.birth_beside_label(card, PPM, recs, e)
    assert got is not None and "平成10年" in got.line.text
    birth = fieldread.fields_from_lines("mynumber", recs, e, card=card, ppm=PPM)["birth_date"]
    assert birth.value == "1998-07-05"
    assert near_label.birth_beside_label(_card([label]), PPM, recs, e) is None
    undated = _card([label, ("平成10年 7月 5日", 10.8, 28.6, 3.6, 60)])
    assert near_label.birth_beside_label(undated, PPM, recs, e) is None


def test_a_residence_card_number_cut_by_the_outline_is_found_right_of_its_label(e) -> None:
    """tune-0240: the outline ran through the red card number at the card's top edge, so the detector's box
    was 1.5 mm high and the number not found; read again right of 番号 it reads whole, and stays doubtful."""
    label = ("番号", 50.0, 0.4, 2.4, 70)
    card = _card([label, ("LH94578078EH", 58.0, -1.6, 3.2, 60)])  # its upper half off the card
    recs = [_rec("番号", (49.7, 0.0, 56.1, 3.2))]
    got = near_label.card_number_near_label(card, PPM, recs, e)
    assert got is not None and got.line.text.replace(" ", "") == "LH94578078EH"
    number = fieldread.fields_from_lines("residence", recs, e, card=card, ppm=PPM)["card_number"]
    assert number.value == "LH94578078EH" and number.doubtful
    assert near_label.card_number_near_label(_card([label]), PPM, recs, e) is None
    word = _card([label, ("LH9457", 58.0, 0.6, 3.2, 60)])  # not a card number's form: no guess
    assert near_label.card_number_near_label(word, PPM, recs, e) is None


def test_a_security_code_whose_label_was_not_read_is_looked_for_where_it_is_printed(e) -> None:
    """The label blurred into marks (「日来2ソ9+3=μ」): the lower right of the card is searched instead, and the
    value is placed by position alone (``no_label``, doubtful)."""
    label = ("セキュリティコード", 56.0, 47.6, 1.7, 70)
    card = _card([label, ("1149", 70.0, 42.5, 3.3, 40)])
    recs = [_rec("日来2ソ9+3=μ", (55.8, 47.4, 72.0, 49.6))]
    got = near_label.code_near_label(card, PPM, recs, e)
    assert got is not None and got.line.text.replace(" ", "") == "1149"
    code = fieldread.fields_from_lines("mynumber", recs, e, card=card, ppm=PPM)["security_code"]
    assert code.value == "1149" and "no_label" in code.reasons and code.doubtful
    elsewhere = _card([label, ("1149", 20.0, 42.5, 3.3, 40)])  # four digits far from the code's place
    assert near_label.code_near_label(elsewhere, PPM, recs, e) is None


def test_a_security_code_printed_over_a_dark_coloured_area_is_read_in_the_brightest_channel(e) -> None:
    """Dark grey ink over the portrait's dark purple clothing, as the camera blurs it."""
    label = ("セキュリティコード", 56.0, 47.6, 1.7, 70)
    card = _card([label])
    p = round(PPM)
    card[int(36 * p) : int(46.2 * p), int(60 * p) : int(82 * p)] = (128, 37, 70)  # BGR: purple, as photographed
    img = Image.fromarray(card[:, :, ::-1].copy())
    ImageDraw.Draw(img).text(
        (70.0 * PPM, 42.5 * PPM), "4916", font=ImageFont.truetype(FONT, round(3.3 * PPM)), fill=(44, 27, 73)
    )
    card = cv2.GaussianBlur(np.asarray(img)[:, :, ::-1].copy(), (0, 0), 1.6)
    recs = [_rec("セキュリティコード", (55.8, 47.4, 72.0, 49.6))]
    assert near_label.codes_in(card, PPM, e, (int(52 * PPM), int(40 * PPM), int(84 * PPM), int(50 * PPM))) == []
    got = near_label.code_near_label(card, PPM, recs, e)
    assert got is not None and got.line.text.replace(" ", "") == "4916" and got.repaired


def test_an_expiry_cut_before_its_first_digit_is_completed_and_doubted(e) -> None:
    """「031年08月08日まで有効」: the outline cut the card's left edge through the expiry's 2. Completed on the
    line before the assignment (one digit more: it is found as the expiry at all) and flagged repaired."""
    recs = _licence_recs()
    recs[4] = _rec("031年08月08日まで有効", (0.0, 18.8, 37.6, 23.2))
    got = fieldread.fields_from_lines("license", recs, e)["expiry"]
    assert got.value == "2031-08-08" and "repaired" in got.reasons and got.doubtful


def test_a_security_code_run_into_its_unread_label_is_read_from_the_line_s_end(e) -> None:
    """One detected line, the label's small print read as marks before the code (「崇山≠-1851」): the end of
    the line from just before its last four digits is read alone, and taken only as four digits, repaired."""
    window = (int(50 * PPM), int(40 * PPM), int(84 * PPM), int(52 * PPM))
    for marks, code in (("※±≠=", "1851"), ("±≠=※", "4916")):
        got = near_label.codes_in(_card([(marks + code, 56.0, 45.0, 3.0, 60)]), PPM, e, window)
        assert [(g.line.text.replace(" ", ""), g.repaired) for g in got] == [(code, True)]
    assert near_label.codes_in(_card([("±≠=※49", 56.0, 45.0, 3.0, 60)]), PPM, e, window) == []  # two digits


def test_a_gregorian_birth_year_that_lost_its_first_digit_is_completed_only_where_one_digit_fits(e) -> None:
    """「男974年 5月18日生」 (the 1 under a mark): 1974 is the only birth year 0974, 1974 and 2974 allow; the
    value is flagged ``repaired``. An era year, a full year, an expiry or a year two heads allow are left."""
    assert date_rules.complete_century("男974年 5月18日生") == ("1974年 5月18日生", True)
    assert date_rules.complete_century("015年1月9日生") == ("2015年1月9日生", True)
    assert date_rules.complete_century("1974年5月18日生") == ("1974年5月18日生", False)
    assert date_rules.complete_century("昭和974年5月18日生") == ("昭和974年5月18日生", False)
    assert date_rules.complete_century("035年5月18日まで有効") == ("035年5月18日まで有効", False)
    assert date_rules.complete_century("x999年5月18日生")[1]  # 1999 (2999 is in the future)
    assert date_rules.complete_century("031年08月08日まで有効", "expiry") == ("2031年08月08日まで有効", True)
    assert date_rules.complete_century("-990年1月8日まで有効", "expiry") == ("1990年1月8日まで有効", True)
    assert not date_rules.complete_century("531年08月08日まで有効", "expiry")[1]  # 1531, 2531: no expiry
    assert not date_rules.complete_century("031年08月08日生", "expiry")[1]
    recs = [_rec("生年月日", (3, 28.5, 9.5, 30.5)), _rec("男974年 5月18日生", (10, 28, 40, 31.5))]
    birth = fieldread.fields_from_lines("mynumber", recs, e)["birth_date"]
    assert birth.value == "1974-05-18" and "repaired" in birth.reasons and birth.doubtful


def test_a_value_washed_out_beside_a_strong_mark_is_read(e) -> None:
    """Glare left the value's ink at a fifth of a frame's beside it: cut at a share of the strongest ink, the
    value fell apart; it is looked at once more at the floor alone."""
    marks = [LABEL, ("女", 11.0, 31.6, 3.0, 222)]
    card = _card(marks)
    cv2.rectangle(card, (int(8.2 * PPM), int(36.0 * PPM)), (int(20 * PPM), int(38.5 * PPM)), (40, 40, 40), 2)
    recs = [_rec("性別", (2.8, 32.2, 7.3, 34.8))]
    got = sex_read.sex_beside_label(card, PPM, recs, e)
    assert got is not None and got.line.text == "女"


def test_a_label_joined_to_the_birth_date_line_places_the_value(e) -> None:
    """The detector joined 性別 to the birth date printed before it (「2016年11月17日 性別」); the residence
    card's value 「女 F.」 stands above and right of it. The label's box is cut from the characters' frames."""
    font = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
    img = Image.new("RGB", (round(85.6 * PPM), round(54 * PPM)), (248, 244, 246))
    d = ImageDraw.Draw(img)
    d.text((16 * PPM, 20 * PPM), "2016年11月17日 性別", font=ImageFont.truetype(font, round(3.2 * PPM)), fill=(40,) * 3)
    d.text((51 * PPM, 16.4 * PPM), "女 F.", font=ImageFont.truetype(font, round(3.0 * PPM)), fill=(185,) * 3)
    card = np.asarray(img)[:, :, ::-1].copy()
    recs = [r for r in fieldread.detect_lines(card, e, PPM) if "女" not in r.line.text]  # the detector missed it
    assert any(r.line.text.replace(" ", "").endswith("日性別") for r in recs)
    labels = sex_read.sex_labels(recs)
    assert len(labels) == 1 and 39.0 < labels[0].x0 < 44.0 and labels[0].x1 < 50.0  # 性別 at 40–46.4 mm
    got = sex_read.sex_beside_label(card, PPM, recs, e)
    assert got is not None and got.line.text == "女"
    assert sex_read.sex_value("女F.") == "女" and sex_read.sex_value("女M.") is None


def _birth_row() -> list[recline.RecLine]:
    return [_rec("昭和46年6月13日生", (12.3, 26.1, 39.1, 30.4)), _rec("2032年6月13日まで有効", (3.2, 38.8, 42.2, 43.1))]


def test_a_value_without_its_label_is_found_on_the_birth_dates_rows_and_flagged(e) -> None:
    """Glare took the 性別 label (not read at all): the value below the birth date's label is still found among
    the character-sized marks near the birth date's row, and proposed only as doubtful (``no_label``)."""
    card = _card([("男", 8.5, 32.0, 3.0, 120)])
    recs = _birth_row()
    assert sex_read.sex_beside_label(card, PPM, recs, e) is None  # without the document: the label is needed
    got = sex_read.sex_beside_label(card, PPM, recs, e, document="mynumber")
    assert got is not None and got.line.text == "男" and got.repaired
    sex = fieldread.fields_from_lines("mynumber", recs, e, card=card, ppm=PPM)["sex"]
    assert sex.value == "male" and "no_label" in sex.reasons and sex.doubtful


def test_without_a_label_two_values_or_none_are_no_sex(e) -> None:
    recs = _birth_row()
    both = _card([("男", 8.5, 32.0, 3.0, 120), ("女", 30.0, 32.0, 3.0, 120)])
    assert sex_read.sex_beside_label(both, PPM, recs, e, document="mynumber") is None
    other = _card([("田", 8.5, 32.0, 3.0, 120)])
    assert sex_read.sex_beside_label(other, PPM, recs, e, document="mynumber") is None
    beside_photo = _card([("男", 66.0, 27.0, 3.0, 120)])  # in the portrait's place: not searched
    assert sex_read.sex_beside_label(beside_photo, PPM, recs, e, document="mynumber") is None


def _birth(d: str = "1980-05-02") -> dict:
    from datetime import date

    from taimen.ocr import fields as fp

    b = date.fromisoformat(d)
    missing = fp.FieldReading("expiry", None, "", 0.0, problem="not found on the card", reasons=("not_found",))
    return {"birth_date": fp.FieldReading("birth_date", d, "昭和55年 5月 2日生", 0.99, date=b), "expiry": missing}


def test_an_expiry_that_lost_its_day_is_set_on_the_birthday_and_flagged() -> None:
    """「2031年 5月」 and 「で有効」 read apart (glare over 「2日ま」): the card expires on a birthday, so the
    birth date gives the day; the year, which 照合番号B needs, is the one read; the value is flagged."""
    recs = [_rec("昭和55年 5月 2日生", (8, 25.8, 32, 29.2)), _rec("2031年 5月", (3.6, 36.3, 21, 40.8))]
    exp = date_rules.expiry_from_birth(recs, _birth())["expiry"]
    assert exp.value == "2031-05-02" and "repaired" in exp.reasons and exp.doubtful


def test_a_residence_expiry_whose_year_lost_digits_is_taken_from_the_period_of_stay() -> None:
    """「このカードは20年09月29日まで有効です。」 (glare over 「22」, tune-3442) under a surely read period
    (2022年09月29日): the card is valid until the period ends, so the period's year is taken, flagged. A month,
    a day or digits read that disagree stop it."""
    from datetime import date

    from taimen.ocr import fields as fp

    period = fp.FieldReading("period", "2022-09-29", "2022年09月29日", 0.99, date=date(2022, 9, 29))
    missing = fp.FieldReading("expiry", None, "", 0.0, problem="not found on the card", reasons=("not_found",))
    out = {"period": period, "expiry": missing}
    line = (2.5, 47.4, 58.4, 51.2)
    exp = date_rules.expiry_from_period([_rec("このカードは20年09月29日まで有効です。", line)], out)["expiry"]
    assert exp.value == "2022-09-29" and "repaired" in exp.reasons and exp.doubtful
    for other in ("このカードは20年09月28日まで有効です。", "このカードは21年09月29日まで有効です。"):
        assert date_rules.expiry_from_period([_rec(other, line)], out)["expiry"].value is None


def test_an_expiry_that_kept_only_its_day_s_first_digit_is_set_on_the_birthday() -> None:
    """「2036年 7月2」 and 「で有効」 read apart (glare over 「2日ま」 of 22日まで): the digit read agrees with the
    birthday's day, so the day is taken from the birth date, flagged; a digit that disagrees stops it."""
    birth = _birth("1982-07-22")
    recs = [_rec("昭和57年7月22日生", (8, 25.8, 32, 29.2)), _rec("2036年 7月2", (3.6, 36.3, 21, 40.8))]
    exp = date_rules.expiry_from_birth(recs, birth)["expiry"]
    assert exp.value == "2036-07-22" and "repaired" in exp.reasons and exp.doubtful
    recs[1] = _rec("2036年 7月3", (3.6, 36.3, 21, 40.8))
    assert date_rules.expiry_from_birth(recs, birth)["expiry"].value is None


def test_an_expiry_split_by_glare_over_its_month_is_set_on_the_birthday() -> None:
    """「2032」 and 「09日まで有効」 read apart on one row (glare over 「年12月」): the day read agrees with the
    birth date's, so the card expires on that birthday in the year read, flagged, even when the birth date is
    itself doubtful; a day that disagrees, or a year on another row, gives nothing."""
    from dataclasses import replace

    birth = _birth("2002-12-09")
    birth["birth_date"] = replace(birth["birth_date"], confidence=0.68, reasons=("low_confidence",))
    recs = [_rec("2032", (8.3, 38.1, 18.4, 42.9)), _rec("09日まで有効", (26.5, 37.9, 48.7, 43.1))]
    exp = date_rules.expiry_from_birth(recs, birth)["expiry"]
    assert exp.value == "2032-12-09" and "repaired" in exp.reasons and exp.doubtful
    wrong_day = [recs[0], _rec("08日まで有効", (26.5, 37.9, 48.7, 43.1))]
    assert date_rules.expiry_from_birth(wrong_day, birth)["expiry"].value is None
    apart = [_rec("2032", (8.3, 20.1, 18.4, 24.9)), recs[1]]
    assert date_rules.expiry_from_birth(apart, birth)["expiry"].value is None


@pytest.mark.parametrize(
    "lines",
    [
        ["2031年 5月 2日"],  # a whole date (its own field's business), not a partial one
        ["2031年 6月"],  # the month disagrees with the birth month
        ["2031年 5月", "2036年 5月"],  # two candidates
        ["2031年 5月 2日まで有効"],  # a whole date is not a partial one
        ["1975年 5月"],  # before the birth
    ],
)
def test_no_expiry_is_made_up_from_a_doubtful_or_disagreeing_part(lines: list[str]) -> None:
    recs = [_rec(t, (3.6, 36.3 + 5 * i, 21, 40.8 + 5 * i)) for i, t in enumerate(lines)]
    assert date_rules.expiry_from_birth(recs, _birth())["expiry"].value is None


def test_a_line_running_at_a_slant_is_read_though_its_upright_box_is_tall(e) -> None:
    """A card rectified a few degrees off: the address's upright box is 9–12 mm high over 50 mm (tune-0819
    lost its address so). Long for its height, it is one slanted line and is read; a tall box as short as a
    portrait is not."""
    layer = Image.new("L", (round(60 * PPM), round(14 * PPM)), 0)
    ImageDraw.Draw(layer).text(
        (2 * PPM, 5 * PPM), "岡山県倉敷市阿知8丁目4番36号", font=ImageFont.truetype(FONT, round(3.6 * PPM)), fill=255
    )
    layer = layer.rotate(6.5, resample=Image.BICUBIC)
    img = Image.fromarray(_card([])[:, :, ::-1].copy())
    img.paste((40, 40, 40), (round(3 * PPM), round(6 * PPM)), layer)
    recs = fieldread.detect_lines(np.asarray(img)[:, :, ::-1].copy(), e, PPM)
    # cut out along its slant (taimen.ocr.tilt) when the detector's box follows the slant; an upright box that
    # holds it is read as it is (``_skewed_line``)
    read = [r for r in recs if "倉敷市阿知" in r.line.text]
    assert read, [(r.line.text, r.line.h) for r in recs]
    assert not fieldread._skewed_line(20 * PPM, 10 * PPM, PPM)  # a box as tall as it is long is no line


def test_a_licence_date_whose_start_glare_washed_out_is_read_again_with_its_start(e) -> None:
    """Glare over 「昭和60」: the detector's box began at 「年06月08日生」 and no birth date was found (tune-1803).
    The row left of the box, levels stretched, reads the whole date; taken only with the month and day first
    read, and doubted. Nothing is made up where no start is printed, nor read into another line on the row."""
    marks = [("昭和60", 48.0, 3.0, 3.6, 222), ("年06月08日生", 58.8, 3.0, 3.6, 40)]
    tail = _rec("年06月08日生", (58.6, 2.6, 80.6, 7.0))
    recs = [r for r in _licence_recs() if not r.line.text.endswith("生")] + [tail]
    got = date_head.date_head_lost(_card(marks), PPM, recs, e, "birth")
    assert got is not None and "昭和60年06月08日生" in got.line.text and got.repaired
    birth = fieldread.fields_from_lines("license", recs, e, card=_card(marks), ppm=PPM)["birth_date"]
    assert birth.value == "1985-06-08" and "repaired" in birth.reasons and birth.doubtful
    assert date_head.date_head_lost(_card(marks[1:]), PPM, recs, e, "birth") is None
    assert date_head.date_head_lost(_card(marks), PPM, recs, e, "expiry") is None  # 生: a birth date
    named = [_rec("氏名小川 秀明 昭和6", (1.8, 2.2, 58.0, 7.2)), *recs[1:]]  # never read into another line
    assert date_head.date_head_lost(_card(marks), PPM, named, e, "birth") is None


def test_a_licence_date_whose_end_glare_washed_out_is_read_again_past_its_box(e) -> None:
    """Glare over 「07日生」: the detector's box ended at 「昭和15年02月」 (tune-4113: at 「…02月0」, taken cut off).
    Read again from its start to where a whole date ends, levels stretched, it is one date with the year first
    read; taken doubted. Nothing is made up where no end is printed, nor from a line whose year reads otherwise."""
    marks = [("昭和15年02月", 47.6, 1.4, 3.4, 40), ("07日生", 68.0, 1.4, 3.4, 215)]
    head = _rec("昭和15年02月", (47.5, 1.1, 68.1, 4.9))
    recs = [r for r in _licence_recs() if not r.line.text.endswith("生")] + [head]
    got = date_head.date_tail_lost(_card(marks), PPM, recs, e, "birth")
    assert got is not None and re.search("昭和15年02月0?7日", got.line.text) and got.repaired
    birth = fieldread.fields_from_lines("license", recs, e, card=_card(marks), ppm=PPM)["birth_date"]
    assert birth.value == "1940-02-07" and "repaired" in birth.reasons and birth.doubtful
    assert date_head.date_tail_lost(_card(marks[:1]), PPM, recs, e, "birth") is None
    other = [*recs[:-1], _rec("昭和16年02月", (47.5, 1.1, 68.1, 4.9))]
    assert date_head.date_tail_lost(_card(marks), PPM, other, e, "birth") is None


def test_a_licence_number_with_a_washed_out_digit_is_doubted_however_sure_its_reading(e) -> None:
    """Glare over half an 8 left a 3 that the recogniser read at 0.999 (tune-1979): 「390575314242」 was proposed
    without a doubt flag. A digit much fainter than the others makes the number doubtful (``glare``); the same
    number printed evenly does not."""

    def number(grey_of_seventh: int) -> tuple[list[recline.RecLine], np.ndarray]:
        marks = [("第 390575", 2.5, 40.0, 3.6, 40), ("8", 23.9, 40.0, 3.6, grey_of_seventh)]
        marks += [("14242", 25.7, 40.0, 3.6, 40), ("号", 38.5, 40.0, 3.6, 40)]
        card = _card(marks)
        rl = recline.read_box(card, (1.9 * PPM, 39.4 * PPM, 42.6 * PPM, 45.0 * PPM), PPM, e)
        assert rl is not None and "390575814242" in rl.line.text.replace(" ", "")
        return [r for r in _licence_recs() if "号" not in r.line.text] + [rl], card

    recs, card = number(228)
    assert recline.faint_digit(recs[-1], 0, len(recs[-1].line.text))
    got = fieldread.fields_from_lines("license", recs, e, card=card, ppm=PPM)["license_number"]
    assert got.value == "390575814242" and "glare" in got.reasons and got.doubtful
    recs, card = number(40)
    assert not recline.faint_digit(recs[-1], 0, len(recs[-1].line.text))
    got = fieldread.fields_from_lines("license", recs, e, card=card, ppm=PPM)["license_number"]
    assert got.value == "390575814242" and "glare" not in got.reasons


def test_a_licence_address_the_detector_missed_is_looked_for_in_its_place(e) -> None:
    """No line of the address nor its label was detected on a clean card (tune-1762), and the issuer's
    「岡山県」 (公安委員会 lost) at the card's foot was proposed as the address. A bare prefecture there is no
    address; the detector looks again between the name's row and the issue date's, and the line starting with
    a prefecture is taken (doubtful below 0.97, as anything found by looking again). A blank place gives
    nothing."""
    recs = [r for r in _licence_recs() if "住所" not in r.line.text] + [_rec("岡山県", (57.5, 49.4, 65.7, 52.9))]
    card = _card([("住所", 2.0, 8.5, 2.0, 40), ("岡山県倉敷市中央2丁目2番地29", 7.0, 7.8, 3.6, 40)])
    got = near_label.address_in_band(card, PPM, recs, e)
    assert got is not None and got.line.text.endswith("岡山県倉敷市中央2丁目2番地29")
    address = fieldread.fields_from_lines("license", recs, e, card=card, ppm=PPM)["address"]
    assert address.value == "岡山県倉敷市中央2丁目2番地29"
    assert near_label.address_in_band(_card([]), PPM, recs, e) is None
    assert fieldread.fields_from_lines("license", recs, e, card=_card([]), ppm=PPM)["address"].value is None


def test_a_security_code_glare_left_faint_beside_its_label_is_read_with_its_levels_stretched(e) -> None:
    """tune-2624: glare over the code left 「3318」 faint beside a label printed dark: the detector took nothing
    there for text, nor in the brightest channel. Stretched, label and code are one line; its end is the code
    (``repaired``, doubtful)."""
    label = ("セキュリティコード", 56.0, 47.6, 1.7, 70)
    card = cv2.GaussianBlur(_card([label, ("3318", 73.0, 46.8, 2.6, 238)]), (0, 0), 1.6)
    recs = [_rec("セキュリティコード", (55.8, 47.4, 72.0, 49.6))]
    got = near_label.code_near_label(card, PPM, recs, e)
    assert got is not None and got.line.text.replace(" ", "") == "3318" and got.repaired
    code = fieldread.fields_from_lines("mynumber", recs, e, card=card, ppm=PPM)["security_code"]
    assert code.value == "3318" and "repaired" in code.reasons and code.doubtful


def test_a_my_number_birth_date_whose_year_glare_washed_out_in_part_is_read_again(e) -> None:
    """tune-2311: glare over 「1年0」 of 「2001年4月6日生」 on a My Number Card: the line was read 「生2004月6日生」 (生
    the 生年月日 label's rest), no date, and 照合番号B had no birth date. The box (no room left of it: the card's
    edge) is read again with its levels stretched and taken with the month and day first read, doubted."""
    font = ImageFont.truetype(FONT, round(3.6 * PPM))
    x = 2.4
    marks = []
    for part, grey in (("200", 40), ("1年", 236), ("4月6日生", 40)):
        marks.append((part, x, 28.6, 3.6, grey))
        x += font.getlength(part) / PPM
    card = cv2.GaussianBlur(_card(marks), (0, 0), 1.0)
    recs = [_rec("生2004月6日生", (2.2, 28.4, x + 0.2, 33.2)), _rec("2030年4月6日まで有効", (6.1, 38.3, 42.9, 42.8))]
    got = date_head.date_head_lost(card, PPM, recs, e, "birth")
    assert got is not None and "2001年4月6日生" in got.line.text and got.repaired
    birth = fieldread.fields_from_lines("mynumber", recs, e, card=card, ppm=PPM)["birth_date"]
    assert birth.value == "2001-04-06" and "repaired" in birth.reasons and birth.doubtful
    # another month or day read again is no such date
    recs[0] = _rec("生2004月8日生", (2.2, 28.4, x + 0.2, 33.2))
    assert date_head.date_head_lost(card, PPM, recs, e, "birth") is None


def _mynumber_recs() -> list[recline.RecLine]:
    return [
        _rec("個人番号カード", (2.0, 1.0, 30.0, 7.0)),
        _rec("氏名江口 蒼", (2.0, 7.5, 25.0, 12.0)),
        _rec("住所 大分県別府市北浜2706番地", (2.0, 14.0, 54.0, 18.0)),
        _rec("生年月日昭和22年12月27日生", (2.0, 27.0, 38.0, 33.0)),
        _rec("2026年12月27日まで有効", (4.0, 34.0, 40.0, 38.0)),
    ]


@pytest.mark.parametrize("grey", [40, 230])
def test_a_my_number_address_line_the_detector_missed_is_read_again_also_when_faint(e, grey: int) -> None:
    """A My Number Card's address wraps onto a second line too, and glare leaves it fainter than the first
    (dev-0102: 「２３」 under 「…2706番地」 at 14 grey levels over the paper, dev-0375: 「３７号」 under 「…10番」):
    both were proposed cut short, doubted only by confidence. The line below is looked for as on a licence."""
    card = _card(
        [("住所", 2.5, 14.6, 1.6, 90), ("大分県別府市北浜2706番地", 11.5, 14.4, 3.0, 40), ("23", 11.5, 18.6, 3.0, grey)]
    )
    got = fieldread.fields_from_lines("mynumber", _mynumber_recs(), e, card=card, ppm=PPM)["address"]
    assert got.value == "大分県別府市北浜2706番地23", got
    assert got.doubtful  # found only by looking again


def test_an_address_first_line_the_detector_missed_above_its_building_line_is_read_again(e) -> None:
    """tune-3563: the detector gave 「住所熊本県…16号」, printed between the name's row and the building's line,
    no box at all, and 「ハイム手取本町915号室」 alone was proposed (doubted). The band above a building's line
    is looked at again; a line there that starts with a prefecture is the address's first line."""
    recs = [
        _rec("氏名小川", (1.8, 1.0, 18.7, 6.0)),
        _rec("昭和57年01月02日生", (44.1, 1.0, 72.4, 5.0)),
        _rec("シャトー町田909号室", (8.5, 11.0, 32.0, 14.4)),
        _rec("交付令和08年07月21日", (2.2, 16.3, 33.0, 19.7)),
        _rec("2029年(令和11年)02月01日まで有効", (2.8, 20.2, 57.0, 25.1)),
        _rec("第215388793871号", (1.9, 39.6, 42.0, 45.7)),
    ]
    line = ("東京都町田市原町田4丁目23番36号", 8.5, 7.2, 2.8, 40)
    card = _card([("住所", 2.0, 8.0, 2.0, 70), line, ("シャトー町田909号室", 8.5, 11.2, 3.0, 40)])
    got = fieldread.fields_from_lines("license", recs, e, card=card, ppm=PPM)["address"]
    assert got.value == "東京都町田市原町田4丁目23番36号シャトー町田909号室", got
    assert got.doubtful  # found only by looking again
    # no prefecture starts the line above: it is left alone
    other = _card([("ABCDEFG 12345", 8.5, 7.0, 3.0, 40), ("シャトー町田909号室", 8.5, 11.2, 3.0, 40)])
    alone = fieldread.fields_from_lines("license", recs, e, card=other, ppm=PPM)["address"]
    assert alone.value == "シャトー町田909号室"


def test_guilloche_under_a_my_number_address_is_no_unread_line(e) -> None:
    """A My Number Card's guilloche passes for ink under its address: the detector, looking again, finds no line
    there, and on 640 photos saying ``more_lines`` for it doubted 31 right values. Only a plain card (the licence)
    says so for ink the detector cannot read."""
    img = Image.fromarray(
        _card([("住所", 2.5, 14.6, 1.6, 90), ("大分県別府市北浜2706番地", 11.5, 14.4, 3.0, 40)])[:, :, ::-1]
    )
    d = ImageDraw.Draw(img)
    for k in range(8):  # wavy lines under the address
        x = 10 * PPM + 50 * k
        d.line([(x, 19 * PPM), (x + 25, 21.5 * PPM), (x + 50, 19 * PPM)], fill=(150, 120, 140), width=3)
    card = np.asarray(img)[:, :, ::-1].copy()
    got = fieldread.fields_from_lines("mynumber", _mynumber_recs(), e, card=card, ppm=PPM)["address"]
    assert got.value == "大分県別府市北浜2706番地" and "more_lines" not in got.reasons, got
