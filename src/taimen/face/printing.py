"""How each card prints dates and other values (the strings the renderer draws and the reader parses)."""

from __future__ import annotations

import re
from datetime import date

from taimen import wareki

SEX_JA = {"1": "男", "2": "女"}
SEX_RESIDENCE = {"1": "男 M.", "2": "女 F."}


def mynumber_birth(d: date, calendar: str) -> str:
    """「昭和55年2月17日生」 (和暦) or 「1985年7月4日生」 (西暦), as the My Number Card prints it."""
    if calendar == "seireki":
        return f"{wareki.format_seireki(d)}生"
    return f"{wareki.to_wareki(d).format()}生"


def mynumber_expiry(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日まで有効"


def _era_padded(d: date) -> str:
    w = wareki.to_wareki(d)
    year = "元" if w.year == 1 else f"{w.year:02d}"
    return f"{w.era.name}{year}年{d.month:02d}月{d.day:02d}日"


def license_birth(d: date) -> str:
    return f"{_era_padded(d)}生"


def license_issue(d: date) -> str:
    return _era_padded(d)


def license_expiry(expiry: date, issued: date) -> str:
    """Licences issued under 平成 print the era year even past the era's end (平成33年); newer ones print
    「2028年(令和10年)03月17日まで有効」."""
    if issued < wareki.BY_NAME["令和"].start:
        era = wareki.era_of(issued)
        return f"{era.name}{expiry.year - era.offset:02d}年{expiry.month:02d}月{expiry.day:02d}日まで有効"
    w = wareki.to_wareki(expiry)
    year = "元" if w.year == 1 else f"{w.year:02d}"
    return f"{expiry.year}年({w.era.name}{year}年){expiry.month:02d}月{expiry.day:02d}日まで有効"


def seireki_padded(d: date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


_MUNICIPALITY = re.compile(r"^(?:東京都|北海道|(?:京都|大阪)府|.{2,3}県)(.+?郡.+?[町村]|.+?市.+?区|.+?[市区町村])")


def issuer(address: str) -> str:
    """「千代田区長」: the head of the municipality in the address (the My Number Card's issuer line)."""
    m = _MUNICIPALITY.match(address)
    if not m:
        return "市区町村長"
    place = m.group(1)
    if "市" in place and place.endswith("区"):  # 政令市の区: the city issues
        place = place[: place.index("市") + 1]
    if "郡" in place:
        place = place[place.index("郡") + 1 :]
    return f"{place}長"
