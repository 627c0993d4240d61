"""元号コード + YYMMDD (licence dates): every day round-trips; unknown eras are never guessed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taimen.wareki import BY_NAME, era_coded, era_of, parse_era_coded

DAYS = st.integers(0, (date(2100, 12, 31) - date(1873, 1, 1)).days).map(lambda n: date(1873, 1, 1) + timedelta(n))


@given(DAYS)
def test_round_trip_every_day(d: date) -> None:
    coded = parse_era_coded(era_coded(d))
    assert coded.date == d
    assert coded.era == era_of(d)
    assert not coded.past_era_end and not coded.problem
    assert "502年" not in coded.format() and coded.format().startswith(coded.era.name)


@pytest.mark.parametrize(
    ("raw", "display", "iso"),
    [
        ("5020408", "令和2年4月8日", "2020-04-08"),
        ("5010501", "令和元年5月1日", "2019-05-01"),
        ("4310430", "平成31年4月30日", "2019-04-30"),
        ("3640107", "昭和64年1月7日", "1989-01-07"),
        ("4010108", "平成元年1月8日", "1989-01-08"),
        ("1450729", "明治45年7月29日", "1912-07-29"),
        ("2150730", "大正15年7月30日", "1926-07-30"),
    ],
)
def test_known_dates(raw: str, display: str, iso: str) -> None:
    coded = parse_era_coded(raw)
    assert coded.format() == display
    assert coded.date is not None and coded.date.isoformat() == iso


def test_year_past_era_end_converts_and_is_flagged() -> None:
    coded = parse_era_coded("4330207")
    assert coded.date == date(2021, 2, 7)
    assert coded.past_era_end
    assert coded.format() == "平成33年2月7日"
    assert era_coded(date(2021, 2, 7), BY_NAME["平成"]) == "4330207"


def test_empty_category_date() -> None:
    coded = parse_era_coded("4000000")
    assert coded.empty and coded.date is None and coded.era is BY_NAME["平成"]


@pytest.mark.parametrize(("raw", "problem"), [("6020408", "unknown_era"), ("0020408", "unknown_era"),
                                               ("4021301", "invalid"), ("4000101", "invalid"),
                                               ("502048", "malformed"), ("５０２０４０８", "malformed")])  # fmt: skip
def test_problems_are_reported_not_guessed(raw: str, problem: str) -> None:
    coded = parse_era_coded(raw)
    assert coded.problem == problem
    assert coded.date is None
    assert "昭和" not in coded.format()  # no fallback era


@given(st.text(max_size=12))
def test_parse_never_raises(raw: str) -> None:
    parse_era_coded(raw).format()
