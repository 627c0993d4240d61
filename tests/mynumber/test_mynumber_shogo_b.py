"""照合番号B built from the printed values, validated before anything reaches the card."""

from __future__ import annotations

from datetime import date

import pytest

from taimen.errors import OperatorInputError
from taimen.mynumber import shogo_b

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("printed", "digits"),
    [
        ("昭和64年1月7日", "640107"),
        ("平成元年1月8日", "010108"),
        ("平成31年4月30日", "310430"),
        ("令和元年5月1日", "010501"),
        ("令和2年4月8日", "020408"),
        ("昭和30年11月3日", "301103"),
        ("1989-01-07", "640107"),  # a Gregorian date typed for a 和暦 card is converted
        ("1989年1月8日", "010108"),
    ],
)
def test_wareki_birth_digits(printed: str, digits: str) -> None:
    assert shogo_b.parse_birth(printed, today=TODAY).digits == digits


def test_gregorian_card_uses_the_last_two_digits() -> None:
    key = shogo_b.parse_birth("1985-07-04", shogo_b.SEIREKI, today=TODAY)
    assert key.digits == "850704"
    assert key.matches(date(1985, 7, 4))
    assert not key.matches(date(1985, 7, 5))
    assert shogo_b.parse_birth("850704", "seireki", today=TODAY).digits == "850704"


@pytest.mark.parametrize(
    ("birth", "calendar"),
    [
        ("昭和64年1月8日", None),  # 昭和 ended on 1月7日
        ("平成元年1月7日", None),  # 平成 began on 1月8日
        ("令和元年4月30日", None),
        ("平成32年1月1日", None),
        ("640108", None),  # no era has a 64th year on 1月8日
        ("991301", None),
        ("550230", None),
        ("000101", None),  # era years start at 1
        ("55021", None),
        ("5502177", None),
        ("55O217", None),
        ("", None),
        ("昭和55年2月17日", "seireki"),  # contradictory
        ("2030-01-01", None),  # future
        ("020229", "seireki"),  # 2002 and 1902 are not leap years
        ("1980-02-17", "gregorian"),
    ],
)
def test_invalid_birth_is_refused(birth: str, calendar: str | None) -> None:
    with pytest.raises(OperatorInputError):
        shogo_b.parse_birth(birth, calendar, today=TODAY)


def test_six_digits_valid_in_some_era() -> None:
    assert shogo_b.parse_birth("640107", today=TODAY).digits == "640107"
    assert shogo_b.parse_birth("010108", today=TODAY).digits == "010108"
    assert shogo_b.parse_birth("450730", today=TODAY).digits == "450730"  # 昭和45年 (明治45年7月30日 is already 大正)


@pytest.mark.parametrize(
    ("expiry", "code"),
    [
        ("203", "2285"),
        ("1999", "2285"),
        ("20x5", "2285"),
        ("2035", "228"),
        ("2035", "22a5"),
        ("2035", "22855"),
        ("", "2285"),
    ],
)
def test_invalid_expiry_or_code(expiry: str, code: str) -> None:
    with pytest.raises(OperatorInputError):
        shogo_b.build("550217", expiry, code, today=TODAY)


def test_the_secret_does_not_show_in_repr() -> None:
    b = shogo_b.build("550217", "2035", "2285", today=TODAY)
    for text in (repr(b), str(b), f"{b}", repr([b])):
        assert "2285" not in text and "550217" not in text and "2035" not in text
