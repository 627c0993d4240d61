"""Assigning text lines to fields by content and relative position (taimen.ocr.assign), on synthetic line
lists: no OCR engine, no images. Positions are in mm on the card; they differ from taimen's layouts on
purpose (the layout is only a prior)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from taimen.ocr.assign import DATE, Pick, TextLine, assign, find_dates, strip_label
from taimen.ocr.fieldread import merge_boxes


def L(x0: float, y0: float, x1: float, y1: float, text: str) -> TextLine:
    return TextLine(x0, y0, x1, y1, text)


def text_of(lines: list[TextLine], pick: Pick | None) -> str:
    assert pick is not None
    return "".join(lines[s.line].text[s.start : s.end] for s in pick.spans)


MYNUMBER = [
    L(2, 2, 30, 6, "個人番号カード"),
    L(2, 8, 8, 11, "氏名"),
    L(9, 7.5, 30, 11.5, "平野 春香"),
    L(2, 14, 8, 17, "住所"),
    L(11, 13.5, 55, 17, "滋賀県草津市草津1丁目2番"),
    L(11, 17.6, 30, 21, "3号"),
    L(3, 28, 9, 30, "生年月日"),
    L(13, 26, 44, 29.5, "昭和55年 2月17日生"),
    L(44, 26.5, 55, 29.5, "性別 女"),
    L(5, 35, 42, 39, "2035年 2月17日まで有効"),
    L(56, 47, 80, 50, "セキュリティコード 2285"),
    L(30, 49, 40, 52, "草津市長"),
]


def test_my_number_card_fields_by_content_and_position() -> None:
    picks = assign("mynumber", MYNUMBER)
    assert text_of(MYNUMBER, picks["name"]) == "平野 春香"
    assert text_of(MYNUMBER, picks["address"]) == "滋賀県草津市草津1丁目2番3号"  # the wrapped line kept
    assert text_of(MYNUMBER, picks["birth_date"]) == "昭和55年 2月17日生"
    assert text_of(MYNUMBER, picks["expiry"]) == "2035年 2月17日まで有効"
    assert text_of(MYNUMBER, picks["security_code"]) == "2285"
    assert text_of(MYNUMBER, picks["sex"]) == "女"
    assert not picks["name"].reasons and not picks["address"].reasons


def test_a_name_never_ends_in_a_lone_era_character() -> None:
    """The detector ran the name into the start of the birth date: 「平野 春香 昭」."""
    lines = [L(2, 2, 8, 6, "氏名"), L(9, 2, 40, 6, "平野 春香 昭"), L(41, 2, 70, 6, "和55年02月17日生")]
    pick = assign("license", lines)["name"]
    assert text_of(lines, pick) == "平野 春香"
    assert "neighbour_text_removed" in pick.reasons  # said, so the value is doubtful


def test_licence_name_row_holds_the_birth_date_and_the_issue_date_sits_anywhere() -> None:
    lines = [
        L(1.5, 1, 70, 6, "氏名 伊藤 彩 平成17年12月12日生"),
        L(2, 8.5, 54, 12, "住所愛知県豊田市小坂本町8丁目3番地12"),
        L(11.6, 12, 33, 15, "2019年11月01日"),  # printed 4 mm high: right under the address
        L(2, 15.4, 7.5, 18.8, "交付"),
        L(41, 15, 50, 18, "98056"),
        L(3.6, 20.8, 40, 24.5, "平成33年01月11日まで有効"),
        L(11.7, 38.8, 33.7, 42.2, "第449003562473号"),
        L(10.6, 45.2, 26, 47, "令和05年12月12日"),  # category dates, smaller print
        L(11.9, 47.7, 26, 49.5, "令和05年12月12日"),
    ]
    picks = assign("license", lines)
    assert text_of(lines, picks["name"]) == "伊藤 彩"
    assert text_of(lines, picks["birth_date"]) == "平成17年12月12日生"
    assert text_of(lines, picks["address"]) == "愛知県豊田市小坂本町8丁目3番地12"  # the date below is not address
    assert text_of(lines, picks["issue_date"]) == "2019年11月01日"
    assert text_of(lines, picks["expiry"]) == "平成33年01月11日まで有効"
    assert text_of(lines, picks["license_number"]) == "449003562473"


def test_residence_card() -> None:
    lines = [
        L(2, 2, 25, 6, "在留カード"),
        L(50, 2, 84, 6, "番号 AB12345678CD"),
        L(2, 8, 40, 12, "氏名 NGUYEN VAN DUC"),
        L(2, 14, 60, 17, "生年月日 1990年01月02日 性別 男 M."),
        L(2, 18.5, 30, 21.5, "国籍・地域 ベトナム"),
        L(2, 22.5, 58, 25.5, "住居地 東京都杉並区荻窪1丁目2番3号"),
        L(12, 25.8, 40, 28.6, "パレス荻窪101号室"),
        L(2, 29, 12, 31, "在留資格"),
        L(2, 41.5, 60, 44.5, "在留期間(満了日) 5年(2030年01月02日)"),
        L(2, 47.5, 70, 50.5, "このカードは 2030年01月02日 まで有効です。"),
    ]
    picks = assign("residence", lines)
    assert text_of(lines, picks["card_number"]) == "AB12345678CD"
    assert text_of(lines, picks["name"]) == "NGUYEN VAN DUC"
    assert text_of(lines, picks["birth_date"]) == "1990年01月02日"
    assert text_of(lines, picks["sex"]).startswith("男")
    assert text_of(lines, picks["address"]) == "東京都杉並区荻窪1丁目2番3号パレス荻窪101号室"
    assert text_of(lines, picks["expiry"]).startswith("2030年01月02日")


def test_two_security_code_candidates_are_flagged() -> None:
    lines = [L(56, 46, 70, 49, "1234"), L(70, 40, 80, 43, "5678"), L(5, 35, 42, 39, "2035年2月17日まで有効")]
    pick = assign("mynumber", lines)["security_code"]
    assert pick is not None and "two_candidates" in pick.reasons


def test_a_line_left_out_of_the_address_is_said() -> None:
    lines = [
        L(2, 8, 40, 11, "氏名 山田 花子"),
        L(2, 14, 55, 17, "住所 東京都港区芝公園1丁目"),
        L(11, 17.5, 40, 20.5, "2番3号"),
        L(11, 21, 40, 24, "メゾン芝公園"),
        L(11, 24.5, 40, 27.5, "101号室"),
        L(13, 29, 44, 32, "昭和55年2月17日生"),
    ]
    pick = assign("mynumber", lines)["address"]
    assert text_of(lines, pick) == "東京都港区芝公園1丁目2番3号メゾン芝公園"
    assert "more_lines" in pick.reasons


def test_missing_fields_are_none_not_guessed() -> None:
    picks = assign("mynumber", [L(2, 2, 30, 6, "個人番号カード")])
    assert picks["birth_date"] is None and picks["security_code"] is None and picks["address"] is None


def test_dates_and_labels() -> None:
    kinds = [d.kind for d in find_dates([L(0, 0, 1, 1, "昭和55年2月17日生 2035年2月17日まで有効 5年(2030年01月02日)")])]
    assert kinds == ["birth", "expiry", "period"]
    assert DATE.search("2028年(令和10年)03月17日まで有効")
    assert strip_label("氏名 山田", ("name",)) == 3 and strip_label("山田", ("name",)) == 0


def test_split_name_boxes_are_joined() -> None:
    boxes = [(100.0, 10.0, 200.0, 50.0), (230.0, 12.0, 300.0, 50.0), (600.0, 10.0, 900.0, 48.0)]
    assert merge_boxes(boxes) == [(100.0, 10.0, 300.0, 50.0), (600.0, 10.0, 900.0, 48.0)]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 80), st.floats(0, 50), st.floats(0.5, 40), st.floats(1, 6), st.text(max_size=25)),
        max_size=14,
    ),
    st.sampled_from(["mynumber", "license", "residence"]),
)
def test_any_line_list_gives_well_formed_picks(raw: list, document: str) -> None:
    lines = [L(x, y, x + w, y + h, t) for x, y, w, h, t in raw]
    for pick in assign(document, lines).values():
        if pick is None:
            continue
        for s in pick.spans:
            assert 0 <= s.line < len(lines) and 0 <= s.start <= s.end <= len(lines[s.line].text)


def test_a_given_name_that_is_an_era_character_is_kept() -> None:
    """竹内 昭: 昭 is the given name when the birth date follows on the row in full."""
    lines = [
        L(2, 2, 8, 6, "氏名"),
        L(9, 2, 18, 6, "竹内"),
        L(22, 2, 26, 6, "昭"),
        L(48, 2, 75, 6, "昭和30年03月10日生"),
    ]
    pick = assign("license", lines)["name"]
    assert [lines[s.line].text[s.start : s.end] for s in pick.spans] == ["竹内", "昭"]
    assert not pick.reasons


def test_a_given_name_that_is_an_era_character_is_kept_beside_a_birth_date_printed_a_little_higher() -> None:
    """「氏名 杉山 昭」 with 「昭和33年09月11日生」 in a box of its own right of it, printed so far above the name's
    row that the two boxes share less than half their height (tune-2396): the birth date has its own 昭."""
    lines = [
        L(69.1, 29.8, 81.0, 32.8, "昭和33年09月11日生"),
        L(48.2, 31.4, 59.4, 34.8, "氏名 杉山 昭"),
        L(47.7, 34.9, 70.2, 37.6, "住所東京都町田市鶴川1580番地7"),
    ]
    pick = assign("license", lines)["name"]
    assert [lines[s.line].text[s.start : s.end] for s in pick.spans] == ["杉山 昭"]
    # the start of the birth date run into the name, its rest in a box of its own: still cut
    lines = [L(2, 2, 8, 6, "氏名"), L(9, 2, 40, 6, "平野 春香 昭"), L(41, 1, 70, 4.5, "和55年02月17日生")]
    pick = assign("license", lines)["name"]
    assert [lines[s.line].text[s.start : s.end] for s in pick.spans] == ["平野 春香"]


def test_a_latin_name_printed_above_its_label_and_a_little_left_of_its_end() -> None:
    """The residence card's name printed 3 mm high and left, starting above 氏名's end, and the birth date on the
    label's row (tune-2331): the name is the line above the date right of the label's middle."""
    lines = [
        L(2.4, 1.2, 23.6, 6.2, "在留カード"),
        L(6.5, 6.0, 26.9, 10.0, "WALKER BETTY"),
        L(2.2, 9.2, 8.2, 13.1, "氏名"),
        L(12.5, 11.5, 31.8, 15.3, "2006年12月20日"),
        L(2.3, 14.8, 11.6, 18.4, "生年月日"),
    ]
    pick = assign("residence", lines)["name"]
    assert pick is not None and [lines[s.line].text[s.start : s.end] for s in pick.spans] == ["WALKER BETTY"]


def test_the_addresss_own_label_printed_lower_beside_its_first_line_does_not_end_it() -> None:
    """住所 read 「徐所」, printed lower than the address's first line and starting just below its middle
    (tune-2798): it was taken for the next line, a label in the label column, and the second line was lost."""
    lines = [
        L(9.0, 8.5, 29.5, 14.25, "松田 拓海"),
        L(8.17, 13.17, 52.5, 17.5, "靖玉期川越市幅田町858番地56"),
        L(2.67, 15.4, 7.42, 18.42, "徐所"),
        L(8.33, 16.83, 39.42, 21.17, "ハイム服町807号室"),
        L(2.33, 28.33, 41.0, 32.67, "昭和33年12月23日生"),
    ]
    pick = assign("mynumber", lines)["address"]
    assert [lines[s.line].text[s.start : s.end] for s in pick.spans] == [
        "靖玉期川越市幅田町858番地56",
        "ハイム服町807号室",
    ]


def test_a_name_above_a_birth_date_boxed_with_the_name_label() -> None:
    """「氏名1981年11月13日」: the birth date printed up on the label's row and boxed with it, the name above
    (tune-1634). No label-only line: the label's part of the date's box stands for it."""
    lines = [
        L(2.4, 0.8, 22.2, 6.1, "在留カード"),
        L(9.7, 5.1, 27.8, 10.2, "PEREZ LISA"),
        L(2.0, 8.3, 30.2, 13.9, "氏名1981年11月13日"),
        L(2.2, 13.9, 11.8, 18.0, "生年月日"),
    ]
    pick = assign("residence", lines)["name"]
    assert pick is not None and [lines[s.line].text[s.start : s.end] for s in pick.spans] == ["PEREZ LISA"]


def test_the_cards_title_read_with_ka_as_the_kanji_chikara_is_no_name() -> None:
    """「假人委号力一ド」 (tune-2132): カード read 力一ド, the title taken for the name above 「HARRISKAREN」."""
    lines = [L(2.8, 1.2, 35.8, 6.2, "假人委号力一ド"), L(3.3, 5.0, 44.8, 10.4, "HARRISKAREN")]
    pick = assign("mynumber", lines)["name"]
    assert pick is not None and lines[pick.spans[0].line].text == "HARRISKAREN"


def test_digits_inside_an_address_are_not_a_security_code() -> None:
    lines = [L(2, 14, 55, 17, "住所 東京都府中市宮町1353番地2"), L(5, 35, 42, 39, "2035年2月17日まで有効")]
    assert assign("mynumber", lines)["security_code"] is None


def test_a_security_code_placed_by_position_alone_is_doubtful() -> None:
    lines = [L(62, 46, 72, 49, "2285"), L(5, 35, 42, 39, "2035年2月17日まで有効")]
    pick = assign("mynumber", lines)["security_code"]
    assert pick is not None and "no_label" in pick.reasons


def test_dates_that_break_the_card_rules_are_doubtful() -> None:
    from taimen.ocr.date_rules import consistent
    from taimen.ocr.fields import parse_birth_date, parse_license_expiry, parse_mynumber_expiry

    birth = parse_birth_date("昭和55年2月17日生", 1.0)
    ok = consistent("mynumber", {"birth_date": birth, "expiry": parse_mynumber_expiry("2035年2月17日まで有効", 1.0)})
    assert not ok["expiry"].reasons
    bad = consistent("mynumber", {"birth_date": birth, "expiry": parse_mynumber_expiry("2035年12月17日まで有効", 1.0)})
    assert "inconsistent" in bad["expiry"].reasons and bad["expiry"].doubtful and bad["birth_date"].doubtful
    lic = consistent(
        "license", {"birth_date": birth, "expiry": parse_license_expiry("2028年(令和10年)03月17日まで有効", 1.0)}
    )
    assert not lic["expiry"].reasons


def test_an_address_line_split_by_glare_is_joined_and_the_gap_said() -> None:
    """Glare took the middle of the first address line: the pieces on its row are kept, the line below too,
    and the value is doubtful (``gap``) instead of silently losing 「倉北区魚」."""
    lines = [
        L(2.3, 9.3, 8, 13.2, "氏名"),
        L(8.6, 5.7, 29.8, 9.7, "JACKSON KAREN"),
        L(2.4, 13.8, 32.9, 18.8, "生年月日2015年05月17日"),
        L(2.5, 23.6, 32.8, 27.7, "住居地福岡県北九州市小"),
        L(41.8, 23.8, 59.4, 27.7, "町9丁目20番"),
        L(12.8, 26.5, 21.4, 30.7, "38号"),
        L(2.3, 29.9, 11.6, 33.4, "在留資格"),
    ]
    pick = assign("residence", lines)["address"]
    assert text_of(lines, pick) == "福岡県北九州市小町9丁目20番38号"
    assert "gap" in pick.reasons
    touching = [L(2.5, 23.6, 32.8, 27.7, "住居地福岡県北九州市小"), L(33.0, 23.8, 50, 27.7, "倉北区魚町1番")]
    pick = assign("residence", touching)["address"]
    assert text_of(touching, pick) == "福岡県北九州市小倉北区魚町1番" and "gap" not in pick.reasons


def test_an_issue_date_without_its_label_is_doubtful() -> None:
    """Only the category dates at the bottom of a licence were read (the outline cut the card): the date
    placed as the issue date by position alone is flagged."""
    lines = [L(4.2, 34.8, 64.3, 42.8, "第 913455798124 号"), L(19.2, 45.5, 42.2, 49.8, "平成16年03月24日")]
    pick = assign("license", lines)["issue_date"]
    assert pick is not None and "no_label" in pick.reasons
    labelled = [L(1.8, 15.1, 34.2, 20.0, "交付令和06年06月24日"), *lines]
    assert "no_label" not in assign("license", labelled)["issue_date"].reasons


def test_a_security_code_label_read_with_slips_still_anchors_the_code() -> None:
    """セキュリティコード in small print: cut where it wraps (セキュリ) or read with a slip (セキュリチィコード)."""
    for label in ("セキュリ", "セキ2リラィコード", "セキュリチィコード"):
        lines = [L(55, 46, 68, 49, label), L(70, 46, 78, 49.5, "5531"), L(5, 35, 42, 39, "2035年2月17日まで有効")]
        pick = assign("mynumber", lines)["security_code"]
        assert pick is not None and "no_label" not in pick.reasons, label
    same_line = [L(55, 46, 80, 49, "セキュリチィコード 4561")]
    pick = assign("mynumber", same_line)["security_code"]
    assert text_of(same_line, pick) == "4561" and not pick.reasons
    unlabelled = [L(55, 46, 68, 49, "港区長"), L(70, 46, 78, 49.5, "5531")]
    assert "no_label" in assign("mynumber", unlabelled)["security_code"].reasons


def test_an_unlabelled_code_is_looked_for_only_where_it_is_printed() -> None:
    """With no セキュリティコード label read, four digits far left of or above the code's place on a located card
    (a small label blurred into digits beside the birth date) are not the code; four digits at the lower right
    still are, and so is any four-digit run in a whole photo read without an outline."""
    birth = L(9, 27, 39, 31, "昭和36年02月08日生")
    left = [L(2.8, 27.9, 9.8, 31.0, "5916"), birth]
    assert assign("mynumber", left)["security_code"] is None
    high = [L(60, 10, 68, 14, "5916"), birth]
    assert assign("mynumber", high)["security_code"] is None
    lower_right = [L(2.8, 27.9, 9.8, 31.0, "5916"), birth, L(66, 46, 75, 50, "6721")]
    pick = assign("mynumber", lower_right)["security_code"]
    assert text_of(lower_right, pick) == "6721" and "no_label" in pick.reasons
    # a whole photo read without an outline has only a rough frame (tune-3927's code stood at x 40 in it)
    assert text_of(left, assign("mynumber", left, on_card=False)["security_code"]) == "5916"
    labelled = [L(2.8, 27.9, 9.8, 31.0, "5916"), L(1, 24, 9, 27, "セキュリティコード")]
    assert text_of(labelled, assign("mynumber", labelled)["security_code"]) == "5916"


def test_a_licence_number_printed_as_dai_go_needs_no_other_label() -> None:
    lines = [L(2, 40, 32, 45, "第 037328963663"), L(38, 40, 42, 45, "号")]
    assert not assign("license", lines)["license_number"].reasons
    bare = [L(2, 40, 32, 45, "037328963663")]
    assert "no_label" in assign("license", bare)["license_number"].reasons


def test_an_address_whose_label_was_misread_starts_at_its_prefecture() -> None:
    lines = [
        L(1.4, 0.2, 25.5, 6.4, "氏名 森田 陽子"),
        L(1.4, 7.4, 52.1, 12.3, "徐北海道旭川市四条通781番地46"),  # 住所 read as 徐
        L(20.0, 20.0, 40.0, 24.0, "東京都公安委員会"),
    ]
    pick = assign("license", lines)["address"]
    assert text_of(lines, pick) == "北海道旭川市四条通781番地46" and "no_label" in pick.reasons
    far = [L(30.0, 7.4, 70.0, 12.3, "徐北海道旭川市四条通781番地46")]  # not at the label's place: no guess
    assert assign("license", far)["address"] is None


# -- licence misses seen on the v2 photo generator's tuning split -------------------------------------------

LICENCE_TAIL = [
    L(1.8, 7.6, 71.2, 12.3, "住所 福岡県北九州市小倉北区京町3丁目19番11号"),
    L(41.6, 14.4, 49.8, 18.6, "14216"),
    L(3.0, 20.2, 45.1, 25.2, "2023年11月09日まで有効"),
    L(2.4, 39.8, 6.8, 44.6, "第"),
    L(9.9, 39.8, 38.2, 44.6, "770500427338"),
    L(11.2, 44.7, 27.3, 47.6, "昭和58年10月10日"),
]


def test_an_expiry_whose_bracketed_era_was_misread_is_still_a_date() -> None:
    """「2025年(合和07年)03月10日まで有効」: the era inside the brackets read with a slip (合和, 分和, 和)."""
    for era in ("合和", "分和", "和"):
        text = f"2025年({era}07年)03月10日まで有効"
        lines = [L(1.5, 1, 28, 6, "氏名 森田 陽子"), L(47, 1, 75, 5, "昭和17年02月08日生"), *LICENCE_TAIL[:2]]
        lines.append(L(2.6, 19.5, 56.8, 25.4, text))
        assert text_of(lines, assign("license", lines)["expiry"]) == text


def test_an_issue_date_drawn_tall_into_the_expiry_band_is_still_the_issue_date() -> None:
    """The box of 「交付令和02年02月11日」 reached 21.3 mm, below the top of the expiry band (20.2 mm)."""
    lines = [
        L(1.8, 2.2, 8.3, 6.6, "氏名"),
        L(9.3, 3.2, 31.2, 10.0, "上田 雅之"),
        L(49.8, 3.1, 76.2, 8.2, "昭和53年07月20日生"),
        L(1.8, 15.1, 32.4, 21.3, "交付令和02年02月11日"),
        L(3.0, 20.2, 55.1, 26.2, "2025年(令和07年)08月19日まで有効"),
        L(12.3, 47.4, 27.5, 50.3, "平成08年07月20日"),
    ]
    assert text_of(lines, assign("license", lines)["issue_date"]) == "令和02年02月11日"


def test_on_a_skewed_card_the_issue_line_boxed_tall_over_the_band_is_still_the_issue_date() -> None:
    """A skewed card's lines are boxed tall: 「交付 令和04年04月18日」 (15.6-22.3 mm, centre 19.0) reaches far into
    the expiry's box (17.9-27.2 mm); its centre lies above the band's upper quarter. A category date below
    the band stays out."""
    lines = [
        L(5.2, 3.2, 26.7, 11.2, "氏名渡邊 悠斗"),
        L(45.7, 0.0, 76.9, 6.5, "昭和41年07月10日生"),
        L(4.4, 15.6, 30.1, 22.3, "交付 令和04年04月18日"),
        L(4.5, 17.9, 52.4, 27.2, "2027年(令和09年)08月09日まで有効"),
        L(8.8, 47.1, 23.1, 50.3, "昭和59年07月10日"),
    ]
    assert text_of(lines, assign("license", lines)["issue_date"]) == "令和04年04月18日"
    del lines[2]
    assert assign("license", lines)["issue_date"] is None


def test_a_birth_date_without_its_sei_on_the_name_row_is_taken_and_doubted() -> None:
    """生 lost at the end of the name row's date (「昭和58年10月01日」), or a stray mark before it (「…08日1生」)."""
    lost = [L(1.8, 1.8, 29.7, 7.6, "氏名 齋藤 美桜"), L(46.3, 3.1, 70.0, 7.1, "昭和58年10月01日"), *LICENCE_TAIL]
    pick = assign("license", lost)["birth_date"]
    assert text_of(lost, pick) == "昭和58年10月01日" and "grammar" in pick.reasons
    stray = [L(1.8, 1.8, 29.7, 7.6, "氏名 佐々木 陸"), L(50.1, 3.3, 77.4, 7.7, "平成17年04月08日1生"), *LICENCE_TAIL]
    assert text_of(stray, assign("license", stray)["birth_date"]) == "平成17年04月08日1生"


def test_name_pieces_whose_boxes_overlap_are_one_name() -> None:
    """「三浦」 was drawn wide over the space before 「秀明」: both boxes cover 18.6-21.7 mm."""
    lines = [
        L(8.8, 0.1, 21.7, 6.1, "三浦"),
        L(18.6, 0.3, 29.5, 5.9, "秀明"),
        L(1.9, 2.0, 7.4, 6.0, "氏名"),
        L(46.8, 3.7, 74.4, 8.0, "昭和40年10月10日生"),
        *LICENCE_TAIL,
    ]
    assert text_of(lines, assign("license", lines)["name"]) == "三浦秀明"


def test_a_name_label_read_as_other_marks_is_not_taken_into_the_name() -> None:
    """氏名 read as 「6」 (or 「民者」): the name after it is still the name, placed without its label; a name
    line is never an address because it starts with a prefecture's name (石川)."""
    lines = [L(1.4, 0.1, 29.5, 6.4, "6 井上 健太"), L(48, 0.6, 75.9, 4.9, "昭和50年05月23日生"), *LICENCE_TAIL]
    lines.append(L(9.8, 26.6, 19.6, 31.4, "眼政等"))
    pick = assign("license", lines)["name"]
    assert text_of(lines, pick) == "井上 健太" and "no_label" in pick.reasons
    lines = [L(1.4, 2.0, 28.8, 9.1, "民者 石川 美衣"), L(1.2, 7.6, 59.7, 13.0, "@莱播玉県川越市脇田町6丁目27番地39")]
    picks = assign("license", lines)
    assert text_of(lines, picks["name"]) == "石川 美衣"
    assert picks["address"] is None or "石川" not in text_of(lines, picks["address"])


def test_the_number_right_of_the_second_address_line_is_not_address() -> None:
    """The licence's five-digit number stands right of and lower than the address's second line: it was read
    into the address (「…806号室34014」)."""
    lines = [
        L(1.2, 1.2, 28.9, 7.8, "氏名安藤 翔太"),
        L(51.4, 1.8, 76.2, 5.7, "昭和60年12月23日生"),
        L(1.4, 7.8, 50.9, 12.7, "住所東京都港区赤坂9丁目7番27号"),
        L(2.4, 11.6, 36.7, 16.7, "メゾン赤坂806号室"),
        L(41.2, 14.2, 49.7, 18.6, "34014"),
        L(0.9, 14.3, 35.6, 21.4, "交付令和06年12月23日"),
        L(2.8, 20.2, 57.2, 25.2, "2028年(令和10年)01月22日まで有効"),
    ]
    assert text_of(lines, assign("license", lines)["address"]) == "東京都港区赤坂9丁目7番27号メゾン赤坂806号室"


def test_an_address_line_below_a_first_line_boxed_with_its_label_is_kept() -> None:
    """住所 printed lower than the value and boxed with it: the first line's box is twice its type's height, and
    the second line (half that) was left out, the address proposed without it and without doubt."""
    lines = [
        L(1.4, 0.5, 26.6, 6.3, "氏名 横山 達也"),
        L(45.6, 1.5, 71.2, 5.4, "昭和07年12月11日生"),
        L(0.8, 4.7, 64.2, 12.9, "住所熊本県熊本市中央区水前寺215番地10"),
        L(6.8, 10.6, 45.9, 14.4, "シャト一水前寺1203号室"),
        L(1.5, 14.8, 31.8, 20.4, "交付平成29年06月19日"),
        L(41.2, 14.6, 49.8, 18.2, "91096"),
        L(3.4, 20.6, 45.3, 24.8, "平成33年01月10日まで有効"),
        L(1.9, 26.7, 8.2, 29.8, "免許の"),
    ]
    want = "熊本県熊本市中央区水前寺215番地10シャト一水前寺1203号室"
    assert text_of(lines, assign("license", lines)["address"]) == want
    # a small-print line under an address whose first line is boxed alone is still no part of it
    small = L(6.8, 9.2, 30, 11.1, "注意事項あり")
    alone = [*lines[:2], L(6.5, 4.7, 64.2, 9.0, "熊本県熊本市中央区水前寺215番地10"), small]
    assert text_of(alone, assign("license", alone)["address"]) == "熊本県熊本市中央区水前寺215番地10"


def test_an_address_line_whose_end_another_field_took_is_kept_up_to_it() -> None:
    """性別's 男 read into the address's last line (「コーボ小坂本町210号室男」, tune-1749): the line was not wholly
    free, so the address was proposed without it and without doubt. It is kept up to the taken value, doubted."""
    lines = [
        L(2.4, 1.2, 32.3, 6.8, "個人番号カード"),
        L(2.3, 8.2, 7.9, 12.2, "氏名"),
        L(9.6, 8.7, 31.8, 14.8, "金子 和也"),
        L(2.2, 14.8, 57.1, 19.2, "住所愛知県豊田市小坂本町7丁目30番"),
        L(12.0, 18.4, 18.6, 22.8, "5号"),
        L(11.8, 22.3, 54.5, 28.8, "コーボ小坂本町210号室男"),
        L(11.8, 25.9, 38.7, 30.2, "昭和36年6月9日生"),
        L(43.2, 28.5, 48.9, 32.4, "性別"),
        L(2.3, 28.8, 9.5, 31.9, "生年月日"),
        L(3.8, 36.2, 40.9, 40.7, "2030年6月9日まで有効"),
    ]
    picks = assign("mynumber", lines)
    assert text_of(lines, picks["address"]) == "愛知県豊田市小坂本町7丁目30番5号コーボ小坂本町210号室"
    assert "neighbour_text_removed" in picks["address"].reasons and text_of(lines, picks["sex"]) == "男"


def test_a_birth_date_cut_after_its_day_is_taken_as_cut_off() -> None:
    """The box of the name row's date ended before 日生: 「平成05年11月08」. A date further left is no birth date."""
    lines = [L(1.8, 0.5, 26.4, 6.2, "氏名 安藤 千春"), L(47.1, 3.1, 68.3, 7.1, "平成05年11月08"), *LICENCE_TAIL]
    pick = assign("license", lines)["birth_date"]
    assert text_of(lines, pick) == "平成05年11月08" and "cut_off" in pick.reasons
    shifted = [L(22.6, 2.9, 50.1, 8.4, "2025年01月25日"), L(14.2, 7.3, 21.4, 11.8, "交付")]  # the issue date, high up
    assert assign("license", shifted)["birth_date"] is None


def test_a_licence_number_after_a_stray_mark_or_the_number_label_is_found() -> None:
    """「号349666852955」 (番号 run into the line), 「*371366795563」; digits inside an address are still not it."""
    for text in ("号349666852955", "*349666852955"):
        lines = [L(2.0, 35.3, 33.5, 40.2, text), L(38.1, 39.9, 42.6, 44.9, "号")]
        assert text_of(lines, assign("license", lines)["license_number"]) == text[1:]
    inside = [L(2.0, 8, 60, 12, "住所東京都港区赤坂349666852955番地")]
    assert assign("license", inside)["license_number"] is None


def test_a_two_character_family_name_at_the_left_edge_is_not_a_misread_label() -> None:
    """「和田 恵美子」 starting at the label's place (no 氏名 read) keeps its family name."""
    for x0 in (5.8, 2.3):
        lines = [L(x0, 12.9, 30.8, 19.0, "和田 恵美子"), L(2.2, 31.6, 34.7, 35.6, "生年月日昭和37年10月24日生")]
        assert text_of(lines, assign("mynumber", lines)["name"]) == "和田 恵美子"


def test_the_card_title_read_with_slips_is_not_the_name() -> None:
    """氏名 was not read and the title came out as 「個人番考カ一字」: the name is the line below it."""
    lines = [
        L(2.6, 1.0, 25.5, 6.1, "個人番考カ一字"),
        L(7.9, 7.6, 24.2, 12.8, "佐藤悟"),
        L(9.6, 12.0, 53.6, 16.8, "北海道旭川市四条通3丁目3番"),
        L(5.7, 22.9, 35.7, 28.3, "昭和22年09月17日生"),
    ]
    pick = assign("mynumber", lines)["name"]
    assert text_of(lines, pick) == "佐藤悟" and "no_label" in pick.reasons


def test_marks_run_into_a_name_at_the_label_place_are_not_the_name() -> None:
    """The label misread as marks or digits run into the name (「[6松本 典子」), or as other characters before a
    Latin name (「彪名 PEREZ MICHAEL」, 「# ALLEN JESSICA」): the name is what follows, placed without its label."""
    lines = [L(2.0, 6.7, 26.1, 12.2, "[6松本 典子"), L(2.1, 27.0, 34.8, 31.3, "昭和28年05月07日生")]
    pick = assign("mynumber", lines)["name"]
    assert text_of(lines, pick) == "松本 典子" and "no_label" in pick.reasons
    for text in ("彪名 PEREZ MICHAEL", "# PEREZ MICHAEL"):
        lines = [L(2.2, 0.8, 23.8, 7.0, "在留カード"), L(1.2, 5.8, 35.9, 13.4, text)]
        pick = assign("residence", lines)["name"]
        assert text_of(lines, pick) == "PEREZ MICHAEL" and "no_label" in pick.reasons


def test_the_name_label_s_half_run_into_the_name_is_not_the_name() -> None:
    """氏名 read 「氏8」 and run into the name (tune-1734): the digit made the line no name, and the 免許の条件等
    label's misreading 「免静」 was proposed. 氏 followed by kana or kanji may be the family name's own (氏家)."""
    lines = [
        L(1.8, 1.2, 31.9, 7.0, "氏8上田 恵美子"),
        L(46.7, 3.3, 73.2, 7.7, "1937年08月30日生"),
        L(2.1, 27.2, 7.9, 30.2, "免静"),
    ]
    pick = assign("license", lines)["name"]
    assert text_of(lines, pick) == "上田 恵美子" and "no_label" in pick.reasons
    own = [L(1.8, 1.2, 31.9, 7.0, "氏家 恵美子"), *lines[1:]]
    assert text_of(own, assign("license", own)["name"]) == "氏家 恵美子"


def test_a_latin_name_ends_where_the_sex_begins() -> None:
    """The 性別 value printed on the name's row was read into it: 「WALKER NANCY男 M.」."""
    lines = [L(2.3, 8.6, 8.0, 12.4, "氏名"), L(13.1, 10.5, 51.8, 15.8, "WALKER NANCY男 M.")]
    pick = assign("residence", lines)["name"]
    assert text_of(lines, pick) == "WALKER NANCY" and "neighbour_text_removed" in pick.reasons


def test_a_name_printed_above_its_label_row_when_the_birth_date_stands_on_it() -> None:
    """The name printed high and the birth date up to 氏名's row: the line right of the label is the date, the
    name is the line above it."""
    lines = [
        L(2.4, 1.0, 23.8, 6.2, "在留カード"),
        L(9.8, 5.2, 37.3, 9.5, "THOMAS SUSAN"),
        L(2.3, 8.4, 8.0, 12.2, "氏名"),
        L(16.8, 10.1, 38.2, 13.5, "1942年01月30日"),
        L(2.5, 14.1, 11.6, 17.7, "生年月日"),
        L(2.5, 47.7, 58.2, 51.1, "このカードは2021年01月30日まで有効です。"),
    ]
    picks = assign("residence", lines)
    assert text_of(lines, picks["name"]) == "THOMAS SUSAN" and not picks["name"].reasons
    assert text_of(lines, picks["birth_date"]) == "1942年01月30日"


def test_an_era_character_is_a_given_name_when_the_birth_date_has_its_own_row() -> None:
    """「前田 昭」 on a My Number Card, whose birth date is read in full on a row below: 昭 is the given name."""
    lines = [
        L(2.2, 7.8, 8.0, 11.7, "氏名"),
        L(10.6, 8.8, 27.8, 14.7, "前田 昭"),
        L(12.0, 24.7, 36.1, 28.6, "平成6年3月27日生"),
        L(2.3, 28.3, 9.7, 31.3, "生年月日"),
    ]
    pick = assign("mynumber", lines)["name"]
    assert text_of(lines, pick) == "前田 昭" and not pick.reasons


def test_a_licence_number_after_its_label_read_with_a_slip_is_found() -> None:
    """番号 read 「番管」 and run into the number."""
    lines = [L(1.8, 36.8, 35.2, 42.6, "番管537243779642"), L(2.2, 39.8, 6.8, 44.6, "第")]
    lines.append(L(38.4, 39.8, 42.6, 44.6, "号"))
    pick = assign("license", lines)["license_number"]
    assert text_of(lines, pick) == "537243779642" and not pick.reasons


def test_a_licence_number_run_into_half_its_label_is_found() -> None:
    """The small 番号 label above 第 joined to a number printed high, one of its characters lost (「番6580…」):
    the label's rest, not dirt. Another kanji there still is no label."""
    for head in ("番", "号", "番 "):
        lines = [L(2.0, 36.8, 35.9, 42.0, f"{head}658067149696"), L(2.2, 39.8, 6.8, 44.6, "第")]
        lines.append(L(38.2, 39.9, 42.6, 44.8, "号"))
        pick = assign("license", lines)["license_number"]
        assert pick is not None and text_of(lines, pick) == "658067149696" and not pick.reasons
    # another kanji there (番号 squeezed into one glyph: 「箱226011241476」, tune-2771) is taken, never surely
    lines = [L(2.0, 36.8, 35.9, 42.0, "町658067149696"), L(2.2, 39.8, 6.8, 44.6, "第")]
    pick = assign("license", lines)["license_number"]
    assert pick is not None and text_of(lines, pick) == "658067149696" and "neighbour_text_removed" in pick.reasons
    # and a clean number elsewhere wins over it; a kanji inside a longer text is no label
    lines.append(L(2.0, 40.0, 36.0, 45.0, "第 658067149697 号"))
    assert text_of(lines, assign("license", lines)["license_number"]) == "658067149697"
    lines = [L(2.0, 36.8, 35.9, 42.0, "草津町658067149696"), L(2.2, 39.8, 6.8, 44.6, "第")]
    assert assign("license", lines)["license_number"] is None


def test_a_number_far_along_the_name_row_is_no_rest_of_the_name() -> None:
    """The residence card number, read in part (「HB42」), stands at the far end of the name's row: another
    field, not a sign that the name goes on. Letters there still are."""
    lines = [L(2.5, 8.6, 8.0, 12.6, "氏名"), L(9.6, 8.4, 36.0, 12.3, "MARTIN ROBERT"), L(57.3, 8.4, 67.6, 12.6, "HB42")]
    pick = assign("residence", lines)["name"]
    assert text_of(lines, pick) == "MARTIN ROBERT" and not pick.reasons
    lines[2] = L(57.3, 8.4, 67.6, 12.6, "JOHN")
    assert "more_lines" in assign("residence", lines)["name"].reasons


def test_an_address_after_its_label_read_with_slips_or_dirt_starts_at_its_prefecture() -> None:
    """住居地 read with a slip (「主居地 熊本県…」, 「住医地岡山県…」) and a mark between 住所 and the address
    (「住所~岡山県…」): neither is part of the address."""
    for text in ("主居地 熊本県熊本市中央区手取本町5丁目11番地", "住医地熊本県熊本市中央区手取本町5丁目11番地"):
        lines = [L(0.0, 7.2, 28.8, 12.4, "氏名 CLARK JESSICA"), L(0.0, 22.8, 57.8, 26.4, text)]
        pick = assign("residence", lines)["address"]
        assert text_of(lines, pick) == "熊本県熊本市中央区手取本町5丁目11番地" and "no_label" in pick.reasons
    lines = [L(2.3, 14.4, 49.5, 18.9, "住所~岡山県倉敷市中央9丁目5番"), L(11.2, 18.7, 20.7, 22.8, "12号")]
    assert text_of(lines, assign("mynumber", lines)["address"]) == "岡山県倉敷市中央9丁目5番12号"


def test_an_address_whose_prefecture_was_not_read_is_found_by_its_form_and_doubted() -> None:
    """The card's edge cut 「岡山県」 off (tune-0031), or blur read 千葉県 as 「千集眼」: no label, no prefecture,
    yet the line has an address's form (a municipality, then a block number)."""
    for text in ("倉敷市阿知84番地38", "千集眼船橋市湊町881番地31"):
        lines = [
            L(20, 1.8, 30, 5, "真理"),
            L(49, 3, 75, 6, "平成15年10月09日生"),
            L(12, 7.3, 60, 10.5, text),
            L(41, 14.4, 50.8, 17, "62435"),
            L(1.7, 15.1, 32, 18, "交付令和04年07月17日"),
        ]
        pick = assign("license", lines)["address"]
        assert text_of(lines, pick) == text
        assert "no_label" in pick.reasons and "grammar" in pick.reasons
    lines = [L(12, 7.3, 60, 10.5, "第449003562473号"), L(2, 15, 30, 18, "14号室 09170")]
    assert assign("license", lines)["address"] is None  # a number and 号 alone are no address


def test_an_address_found_by_its_form_with_a_misread_block_word_or_its_number_on_the_next_line() -> None:
    """Blur over the whole address (tune-0883, tune-0958): no label, no prefecture, 番 before 地 misread
    (「…三名町1961香地」), or the first line holding only a 政令市 and its ward with the block number below. Either
    is the address, not the building line under it that has a number's form of its own."""
    for first, second in (
        ("参州兵廉期神戸市中央区三名町1961香地", "16"),
        ("信州福同眼北九州市小自北区焦町", "5丁目10番地26"),
    ):
        lines = [
            L(2.0, 5.2, 23.8, 11.0, "中川勝"),
            L(2.0, 12.8, 58.1, 18.2, first),
            L(11.2, 17.2, 18.4 if second == "16" else 37.0, 21.7, second),
            L(11.2, 21.6, 52.2, 26.1, "シャトー三名町1210号案"),
            L(2.2, 26.3, 33.2, 30.8, "平成30年5月17日生"),
        ]
        pick = assign("mynumber", lines)["address"]
        assert text_of(lines, pick).startswith(first + second), text_of(lines, pick)
        assert "no_label" in pick.reasons and "grammar" in pick.reasons
    lines = [L(2.0, 12.8, 40.0, 18.2, "豊田市長"), L(2.0, 20.0, 40.0, 24.0, "中央区")]
    assert assign("mynumber", lines)["address"] is None  # a mayor's line or a ward alone is no address


def test_a_name_label_misread_in_small_type_at_the_left_edge_is_not_the_name() -> None:
    """氏名 read 「氏爾」 or 「民威」 in its own box, in smaller type than the name right of it (tune-0118,
    tune-0460): the label, not the start of the name. A family name split from its given name at the left edge
    is in the name's own type and stays."""
    for label in ("氏爾", "民威"):
        lines = [
            L(1.4, 2.1, 7.5, 6.8, label),
            L(8.2, 2.1, 28.3, 9.4, "石川 芽衣"),
            L(43.8, 0.7, 70.8, 6.2, "昭和53年01月19日生"),
        ]
        pick = assign("license", lines)["name"]
        assert text_of(lines, pick) == "石川 芽衣" and "no_label" in pick.reasons
    lines = [L(2.3, 12.9, 10.0, 19.0, "和田"), L(11.0, 12.9, 30.8, 19.0, "恵美子")]
    lines.append(L(2.2, 31.6, 34.7, 35.6, "生年月日昭和37年10月24日生"))
    assert text_of(lines, assign("mynumber", lines)["name"]) == "和田恵美子"


def test_an_address_stops_at_a_date_whose_era_was_misread_and_at_a_misread_label() -> None:
    """The issue date below the address, its era read 「会和0」 (tune-0111), and 交付 read 「童付」 in the label
    column (tune-0460): neither continues the address."""
    for below in (L(7.8, 12.4, 31.8, 16.4, "会和002年07月05日"), L(1.9, 15.0, 7.6, 19.0, "童付")):
        lines = [
            L(7.2, 2.8, 26.8, 8.5, "前田 雅之"),
            L(48.4, 2.2, 74.8, 6.4, "平成05年05月18日生"),
            L(1.2, 7.6, 65.2, 12.7, "住所 熊本県熊本市中央区水前寺2丁目7番17号"),
            below,
        ]
        pick = assign("license", lines)["address"]
        assert text_of(lines, pick) == "熊本県熊本市中央区水前寺2丁目7番17号"


def test_an_address_found_by_its_form_after_a_misread_label_keeps_its_second_line() -> None:
    """住所 read 「住 」 and 千葉県 「千集眼」 (tune-0311): the address starts after the label, so its second line,
    indented under the address and not under the label, is its continuation."""
    lines = [
        L(1.7, 1.6, 24.3, 7.3, "民名石田彩"),
        L(46.8, 3.5, 73.4, 7.8, "平成14年08月23日生"),
        L(1.8, 7.3, 48.3, 11.8, "住 千集眼船橋市湊町881番地31"),
        L(8.8, 10.8, 35.8, 15.1, "メゾン湊町704号室"),
        L(41.3, 14.2, 51.2, 19.0, "43546"),
        L(1.9, 15.3, 31.7, 19.8, "交付令和06年05月21日"),
    ]
    pick = assign("license", lines)["address"]
    assert text_of(lines, pick) == "千集眼船橋市湊町881番地31メゾン湊町704号室" and "no_label" in pick.reasons


def test_an_address_starting_with_its_label_misread_keeps_its_indented_next_line() -> None:
    """住所 misread and run into the address (「住州神泰川果…」, tune-0538): the next line starts under the
    address, a label's width right of where the first line starts, and continues it."""
    lines = [
        L(2.5, 14.4, 50.7, 18.8, "住州神泰川果相模原市禄区模本9丁目"),
        L(9.9, 17.9, 24.2, 22.4, "21番3号"),
        L(6.5, 24.8, 33.4, 29.2, "昭和63年07月18日生"),
    ]
    pick = assign("mynumber", lines)["address"]
    assert text_of(lines, pick) == "住州神泰川果相模原市禄区模本9丁目21番3号" and "no_label" in pick.reasons


def test_the_address_beside_its_label_starts_with_its_prefecture_not_with_its_last_line() -> None:
    """The address printed higher than its label (tune-0587): its first line only grazes 住所's row and the
    short line that ends it (「43」) stands nearer the label; the address still starts with its prefecture. A
    name that starts like a prefecture (石川) is no address."""
    lines = [
        L(12.0, 13.2, 56.9, 16.6, "愛知県豊田市小坂本町1957番地"),
        L(2.1, 14.6, 8.3, 18.9, "住所"),
        L(12.0, 16.6, 18.3, 20.4, "43"),
        L(12.3, 20.6, 45.9, 24.4, "ヴィラ小坂本町913号室"),
        L(8.0, 25.2, 34.1, 29.0, "平成6年 4月20日生"),
    ]
    pick = assign("mynumber", lines)["address"]
    assert text_of(lines, pick) == "愛知県豊田市小坂本町1957番地43ヴィラ小坂本町913号室"
    lines[0] = L(12.0, 13.2, 40.0, 16.6, "石川 美衣")
    assert text_of(lines, assign("mynumber", lines)["address"]).startswith("43")


def test_a_residence_address_stops_at_the_status_label_read_with_slips() -> None:
    """在留資格 read 「在常商格」 in the label column below a one-line address (tune-0401): a label, not the
    address's rest."""
    lines = [
        L(2.3, 18.6, 28.6, 22.1, "国籍・地域ブラジル"),
        L(2.3, 21.9, 52.8, 26.1, "住然地 周山渠倉数市阿知2192番地26"),
        L(2.3, 28.3, 11.6, 31.9, "在常商格"),
    ]
    pick = assign("residence", lines)["address"]
    assert text_of(lines, pick).endswith("阿知2192番地26")


def test_an_expiry_with_a_stray_mark_before_made_yuko_is_still_an_expiry() -> None:
    """「2027年12月13日8で有始」: まで read 「8で」 (tune-0035), a mark before 有効 or まで."""
    for text in ("2027年12月13日8で有始", "2027年12月13日 1まで有効"):
        assert [d.kind for d in find_dates([L(3, 20, 40, 24.8, text)])] == ["expiry"]


def test_a_birth_date_whose_eras_second_character_was_misread_is_still_the_birth_date() -> None:
    """「平威26年07月11日生」 (成 read 威), even behind the 性別 label printed under it: the first character names the
    era alone. An address's 「平和1丁目」 is no date."""
    lines = [
        *MYNUMBER[:6],
        L(2.2, 30.8, 38.8, 36.5, "性別平威26年07月11日生"),
        L(4.6, 38, 43.6, 42.3, "2022年07月11日まで有効"),
    ]
    assert text_of(lines, assign("mynumber", lines)["birth_date"]) == "平威26年07月11日生"
    assert [d.kind for d in find_dates([L(2, 2, 40, 6, "昭利55年 5月 2日生")])] == ["birth"]
    assert not find_dates([L(2, 2, 40, 6, "東京都平和1丁目2番3号")])


def test_a_card_number_after_a_mark_joined_to_it_is_taken_whole() -> None:
    """tune-2169: the 番号 label read 「B」 and joined to the residence card number (「B PE87849817UV」): the first
    twelve characters (「BPE87849817U」) were taken and failed the grammar. The twelve that best fit two
    letters, eight digits and two letters are taken, doubted (what was left out might have been part of it); a
    second number apart on the line stays a candidate."""
    lines = [L(49.9, 1.7, 80.1, 6.2, "B PE87849817UV"), L(1.7, 6.5, 32.7, 12.2, "WALKER LISA")]
    pick = assign("residence", lines)["card_number"]
    assert text_of(lines, pick) == "PE87849817UV" and pick.reasons == ["neighbour_text_removed"]
    lines[0] = L(49.9, 1.7, 80.1, 6.2, "PE87849817UV")
    pick = assign("residence", lines)["card_number"]
    assert text_of(lines, pick) == "PE87849817UV" and not pick.reasons
    lines[0] = L(49.9, 1.7, 99.0, 6.2, "PE87849817UV AB12345678CD")
    pick = assign("residence", lines)["card_number"]
    assert text_of(lines, pick) == "PE87849817UV" and "two_candidates" in pick.reasons


def test_an_address_line_under_a_first_line_boxed_tall_by_its_slant_is_its_next_line() -> None:
    """tune-3586: on a card rectified a few degrees off every box is tall with its line's slant; 「ヴィラ中央913号室」,
    boxed from 6.9 mm, starts where the first line does, under a first line boxed 4.3–9.7 mm (its middle at 7.0
    mm), and was dropped. A line starting where the address's lines start and boxed 0.4 of a line lower is the
    next row; one boxed barely lower is not."""
    lines = [
        TextLine(24.5, 1.3, 28.1, 4.3, "氏名"),
        TextLine(27.9, 0.8, 41.8, 6.0, "金子 香織"),
        TextLine(53.1, 1.8, 73.5, 6.6, "1979年05月17日生"),
        TextLine(28.7, 4.3, 63.9, 9.7, "岡山県倉敷市中央3丁目30番地29"),
        TextLine(24.8, 5.5, 28.2, 8.2, "住所"),
        TextLine(28.8, 6.9, 49.5, 12.0, "ヴィラ中央913号室"),
        TextLine(24.6, 9.3, 42.4, 13.1, "交付2022年01月07日"),
        TextLine(25.4, 13.1, 51.1, 17.3, "2025年06月16日まで有効"),
    ]
    got = assign("license", lines)["address"]
    assert got is not None and [s.line for s in got.spans] == [3, 5]
    lines[5] = TextLine(28.8, 5.0, 49.5, 10.1, "ヴィラ中央913号室")  # 0.7 mm lower: the same row's box
    got = assign("license", lines)["address"]
    assert got is not None and [s.line for s in got.spans] == [3]


def test_a_month_and_day_whose_year_was_lost_is_no_address_line() -> None:
    """tune-3740: a finger over the issue date's start left 「-05月07日」 boxed right under the address, at its left
    edge, and it was taken as the address's next line (「…22号-05月07日」). A month and a day are a date's."""
    lines = [
        TextLine(17.9, 0.1, 27.0, 5.6, "誠一"),
        TextLine(46.1, 3.3, 72.1, 7.2, "昭和22年11月03日生"),
        TextLine(18.6, 7.3, 67.9, 11.5, "神奈川県相模原市緑区大島2丁目3番22号"),
        TextLine(17.2, 11.3, 30.2, 15.3, "-05月07日"),
        TextLine(1.8, 15.2, 7.8, 19.0, "交付"),
        TextLine(3.1, 20.2, 29.0, 24.6, "2029年12月03日"),
    ]
    got = assign("license", lines)["address"]
    assert got is not None and [s.line for s in got.spans] == [2]


def test_the_name_label_read_as_a_character_and_a_digit_is_not_the_name() -> None:
    """氏名 read 「我6」 and run into the name (dev-0342): the digit made the line no name and nothing was proposed."""
    lines = [
        L(2.2, 1.2, 31.6, 6.7, "個人番号カード"),
        L(2.2, 7.5, 27.6, 13.8, "我6村田貴子"),
        L(11.2, 23.8, 37.3, 28.1, "昭和27年04月24日生"),
    ]
    pick = assign("mynumber", lines)["name"]
    assert text_of(lines, pick) == "村田貴子" and "no_label" in pick.reasons


def test_the_name_label_read_as_lowercase_letters_before_a_latin_name() -> None:
    """氏名 read 「nn」 before a name printed in capitals (tune-3572): the lowercase made the line no name. A
    name's own short word in capitals stays."""
    for text in ("nn MOORE JESSICA", "In MOORE JESSICA"):
        lines = [L(2.6, 1.2, 22.5, 6.4, "在留力一ド"), L(2.5, 7.5, 34.7, 12.0, text)]
        pick = assign("residence", lines)["name"]
        assert text_of(lines, pick) == "MOORE JESSICA" and "no_label" in pick.reasons
    lines = [L(2.6, 1.2, 22.5, 6.4, "在留カード"), L(2.5, 7.5, 34.7, 12.0, "LI WEI")]
    assert text_of(lines, assign("residence", lines)["name"]) == "LI WEI"


def test_a_latin_name_ends_before_a_piece_on_its_row_that_is_no_latin_word() -> None:
    """「性交F、」 (性別 女 F. misread) boxed apart right of the name (tune-3681): its F was appended."""
    lines = [
        L(2.7, 8.9, 8.9, 13.2, "氏名"),
        L(12.2, 11.2, 37.2, 15.7, "MARTIN WILLIAM"),
        L(40.0, 11.7, 54.7, 18.1, "性交F、"),
    ]
    pick = assign("residence", lines)["name"]
    assert text_of(lines, pick) == "MARTIN WILLIAM"


def test_a_name_above_a_birth_date_boxed_with_the_label_may_overlap_the_date_s_box() -> None:
    """「PARK MARCO」 printed high over 「氏名1980年02月02日」, its box overlapping the date's top (dev-0307)."""
    lines = [
        L(2.2, 1.0, 22.4, 6.1, "在留カード"),
        L(8.0, 6.2, 24.4, 10.2, "PARK MARCO"),
        L(2.2, 8.0, 29.8, 13.0, "氏名1980年02月02日"),
        L(2.7, 13.9, 11.5, 17.0, "生年月日"),
    ]
    pick = assign("residence", lines)["name"]
    assert text_of(lines, pick) == "PARK MARCO"


def test_the_title_read_with_kanji_drawn_like_its_katakana_is_no_name() -> None:
    """「個人委号力一F」 (tune-2949): カード read 力一F, under half of the title until 力一 is compared as カー."""
    lines = [L(2.2, 0.8, 32.5, 6.8, "個人委号力一F"), L(11.8, 10.2, 34.2, 15.9, "中川 芽衣")]
    pick = assign("mynumber", lines)["name"]
    assert text_of(lines, pick) == "中川 芽衣"


def test_a_day_read_as_me_still_ends_a_date() -> None:
    """日 read 目 (「2026年01月20目」, dev-0275): after a year, a month and the day's digits it can only be 日, and
    the residence card's expiry is found; an address's 丁目 stays no date."""
    lines = [
        L(2.5, 41.1, 19.7, 44.5, "在留期間(満了目)"),
        L(22.2, 43.8, 49.2, 48.2, "1年(2026年01月20目)"),
        L(2.5, 47.1, 39.7, 51.1, "ごのカードは2026年01月20目"),
        L(44.6, 47.6, 58.2, 50.9, "まで有効です。"),
    ]
    picks = assign("residence", lines)
    assert text_of(lines, picks["expiry"]) == "2026年01月20目" and text_of(lines, picks["period"]) == "2026年01月20目"
    assert not find_dates([L(2, 22, 50, 26, "住居地 長野県松本市深志2丁目25番20号")])
    assert not DATE.search("2丁目") and not DATE.search("20目")


def test_a_residence_expiry_cut_before_its_day_mark_is_taken_cut_off() -> None:
    """「このカードは 2027年09月06」 and 「まで有効です。」 apart (dev-0588): the box ended before 日. Without まで有効
    on its row a cut date below the period is not taken."""
    lines = [
        L(23.8, 41.1, 53.7, 44.8, "1年 (2027年09月06日)"),
        L(2.7, 41.6, 19.7, 44.5, "在留期間(満了日)"),
        L(2.7, 47.4, 40.2, 51.2, "このカードは 2027年09月06"),
        L(44.7, 48.0, 58.4, 50.9, "まで有効です。"),
    ]
    pick = assign("residence", lines)["expiry"]
    assert text_of(lines, pick) == "2027年09月06" and pick.reasons == ["cut_off"]
    assert assign("residence", lines[:3])["expiry"] is None


def test_a_licence_date_under_the_issue_label_is_the_expiry() -> None:
    """まで有効 and the bracketed 令和 year lost to glare (「2029年12月03日」 on the row under 交付, tune-3740): the
    issue date stands right of its label, so a date starting under the label is the expiry band's, not the issue
    date; placed by position alone (``no_label``)."""
    lines = [
        L(46.1, 3.3, 72.1, 7.2, "昭和22年11月03日生"),
        L(1.8, 15.2, 7.8, 19.0, "交付"),
        L(3.1, 20.2, 29.0, 24.6, "2029年12月03日"),
        L(10.8, 38.2, 36.4, 42.5, "734971078491"),
    ]
    picks = assign("license", lines)
    assert text_of(lines, picks["expiry"]) == "2029年12月03日" and picks["expiry"].reasons == ["no_label"]
    assert picks["issue_date"] is None
    # on the label's row, right of it, the same date stays the issue date
    beside = [*lines[:2], L(8.0, 15.0, 34.0, 19.5, "2029年12月03日"), lines[3]]
    picks = assign("license", beside)
    assert picks["expiry"] is None and text_of(beside, picks["issue_date"]) == "2029年12月03日"
