"""和暦: every day from the adoption of the Gregorian calendar to 2100 round-trips; boundaries; strictness."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taimen import wareki
from taimen.wareki import BY_CODE, BY_NAME, EraError, format_ja, from_era, parse_ja, past_era_end, to_wareki

FIRST, LAST = date(1873, 1, 1), date(2100, 12, 31)
DISPLAY = re.compile(r"(明治|大正|昭和|平成|令和)(元|[1-9][0-9]?)年([1-9]|1[0-2])月([1-9]|[12][0-9]|3[01])日")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_every_day_round_trips() -> None:
    d, n = FIRST, 0
    one = timedelta(days=1)
    while d <= LAST:
        w = to_wareki(d)
        assert from_era(w.era, w.year, w.month, w.day, strict=True) == d
        text = w.format()
        assert DISPLAY.fullmatch(text), text  # never 令和02年, never 502年
        assert parse_ja(text) == d
        assert wareki.era_of(d) is w.era
        d += one
        n += 1
    assert n == (LAST - FIRST).days + 1 == 83_275


@given(st.dates(FIRST, LAST))
def test_full_width_and_spaced_forms_parse(d: date) -> None:
    text = to_wareki(d).format()
    assert parse_ja(text.translate(FULLWIDTH)) == d
    assert parse_ja(re.sub("(年|月)", r" \1 ", text)) == d  # OCR often puts spaces around 年 and 月
    assert parse_ja(f"{d.year}年{d.month}月{d.day}日") == d
    assert parse_ja(f"生年月日 {text} 生") == d


@pytest.mark.parametrize(
    ("d", "text"),
    [
        (date(1873, 1, 1), "明治6年1月1日"),
        (date(1912, 7, 29), "明治45年7月29日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2020, 4, 8), "令和2年4月8日"),
        (date(2100, 12, 31), "令和82年12月31日"),
    ],
)
def test_boundaries(d: date, text: str) -> None:
    assert to_wareki(d).format() == text
    assert parse_ja(text) == d


def test_era_ends() -> None:
    assert wareki.era_end(BY_NAME["昭和"]) == date(1989, 1, 7)
    assert wareki.era_end(BY_NAME["平成"]) == date(2019, 4, 30)
    assert wareki.era_end(BY_NAME["令和"]) is None
    assert [e.code for e in wareki.ERAS] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "text",
    [
        "昭和64年1月8日",  # 平成 had begun
        "令和元年4月30日",  # still 平成
        "平成31年5月1日",  # 令和 had begun
        "平成元年1月7日",  # still 昭和
        "大正15年12月25日",
        "令和0年5月1日",
        "令和00年5月1日",
        "令和2年2月30日",
        "令和2年13月1日",
        "令和502年4月8日",  # the "502年" defect's shape must not read as any date
        "令和2020年4月8日",  # an era name glued to a Gregorian year is not a date
        "平成2019年4月8日",
        "12020年4月8日",
        "2020年2月30日",
        "令和二年四月八日",  # kanji numerals are not accepted (OCR reads digits)
        "",
        "hello",
    ],
)
def test_strict_parsing_rejects(text: str) -> None:
    with pytest.raises(EraError):
        parse_ja(text)


def test_strict_from_era_rejects_dates_outside_the_era() -> None:
    with pytest.raises(EraError):
        from_era(BY_NAME["昭和"], 64, 1, 8, strict=True)
    with pytest.raises(EraError):
        from_era(BY_NAME["令和"], 1, 4, 30, strict=True)
    with pytest.raises(EraError):
        from_era(BY_NAME["令和"], 2, 2, 30, strict=False)  # no such day, strict or not


def test_arithmetic_conversion_for_card_data() -> None:
    heisei = BY_NAME["平成"]
    d = from_era(heisei, 33, 4, 1, strict=False)
    assert d == date(2021, 4, 1)
    assert past_era_end(heisei, d)
    assert not past_era_end(heisei, date(2019, 4, 30))
    assert not past_era_end(BY_NAME["令和"], date(2100, 1, 1))
    with pytest.raises(EraError):
        from_era(heisei, 33, 4, 1, strict=True)
    with pytest.raises(EraError, match="before"):
        from_era(heisei, 1, 1, 7, strict=False)  # arithmetic, but not before the era began


def test_502_regression_licence_era_digit_and_two_digit_year() -> None:
    # A licence records 令和2年4月8日 as era digit 5 and YYMMDD 020408. The era digit and the zero-padded
    # year must never be glued into the display ("令和502年", "502年"), nor the year shown as "02".
    raw = "5020408"
    era = BY_CODE[int(raw[0])]
    d = from_era(era, int(raw[1:3]), int(raw[3:5]), int(raw[5:7]), strict=False)
    w = to_wareki(d)
    assert (d, w.format()) == (date(2020, 4, 8), "令和2年4月8日")
    assert "502" not in w.format() and "02年" not in w.format()
    assert w.yymmdd() == raw[1:]
    assert parse_ja("令和02年4月8日") == d  # a zero-padded year typed by a person is still that year
    assert to_wareki(parse_ja("令和02年4月8日")).format() == "令和2年4月8日"


@given(st.dates(FIRST, LAST))
def test_era_code_and_yymmdd_round_trip(d: date) -> None:
    w = to_wareki(d)
    coded = f"{w.era.code}{w.yymmdd()}"
    back = from_era(BY_CODE[int(coded[0])], int(coded[1:3]), int(coded[3:5]), int(coded[5:7]), strict=True)
    assert back == d


def test_before_meiji() -> None:
    with pytest.raises(EraError):
        wareki.era_of(date(1868, 1, 24))
    assert format_ja(date(1867, 1, 1)) == "1867年1月1日"
    assert wareki.format_seireki(date(2020, 4, 8)) == "2020年4月8日"
