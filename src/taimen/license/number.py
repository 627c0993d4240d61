"""免許証の番号 (licence number): structure and check digit.

12 digits: 公安委員会コード (2), year first licensed (2, Gregorian), 交付番号 (6), check digit (1), 再交付回数
(1). The check digit rule, "Modulus 11" (NPA notification menkyo19810910.pdf, which we have not been able to
read): weights 5,4,3,2,7,6,5,4,3,2 on digits 1–10, check = (11 − sum mod 11) mod 10, so remainders 0 and 10
both give 1. Several independent secondary sources agree on these weights and this mapping (they are the usual
mod-11 weights 2–7 counted from the right; code4fukui/Modulus11 applies the same 11→1, 10→0 mapping), but the
primary document was not seen: the rule is reported as **unverified** and a mismatch is a warning, not proof.
"""

from __future__ import annotations

from dataclasses import dataclass

WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
RULE_VERIFIED = False

#: 公安委員会コード (first two digits) → commission (北海道 has five).
COMMISSIONS = {
    "10": "北海道（札幌）",
    "11": "北海道（函館）",
    "12": "北海道（旭川）",
    "13": "北海道（釧路）",
    "14": "北海道（北見）",
    "20": "青森",
    "21": "岩手",
    "22": "宮城",
    "23": "秋田",
    "24": "山形",
    "25": "福島",
    "30": "東京",
    "40": "茨城",
    "41": "栃木",
    "42": "群馬",
    "43": "埼玉",
    "44": "千葉",
    "45": "神奈川",
    "46": "新潟",
    "47": "山梨",
    "48": "長野",
    "49": "静岡",
    "50": "富山",
    "51": "石川",
    "52": "福井",
    "53": "岐阜",
    "54": "愛知",
    "55": "三重",
    "60": "滋賀",
    "61": "京都",
    "62": "大阪",
    "63": "兵庫",
    "64": "奈良",
    "65": "和歌山",
    "70": "鳥取",
    "71": "島根",
    "72": "岡山",
    "73": "広島",
    "74": "山口",
    "80": "徳島",
    "81": "香川",
    "82": "愛媛",
    "83": "高知",
    "90": "福岡",
    "91": "佐賀",
    "92": "長崎",
    "93": "熊本",
    "94": "大分",
    "95": "宮崎",
    "96": "鹿児島",
    "97": "沖縄",
}


def check_digit(first10: str) -> str:
    if len(first10) != 10 or not first10.isascii() or not first10.isdigit():
        raise ValueError("10 digits expected")
    total = sum(int(c) * w for c, w in zip(first10, WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


@dataclass(frozen=True, slots=True)
class NumberCheck:
    number: str
    well_formed: bool  # 12 ASCII digits
    expected: str | None  # check digit the rule gives
    valid: bool
    commission: str | None
    first_year: str | None  # two digits of the Gregorian year first licensed
    reissues: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "number": self.number,
            "well_formed": self.well_formed,
            "check_digit": self.number[10] if self.well_formed else None,
            "expected_check_digit": self.expected,
            "valid": self.valid,
            "rule": "weights 5,4,3,2,7,6,5,4,3,2; (11 - sum mod 11) mod 10",
            "rule_verified": RULE_VERIFIED,
            "commission_code": self.number[:2] if self.well_formed else None,
            "commission": self.commission,
            "first_licensed_year_2digits": self.first_year,
            "reissue_count": self.reissues,
        }


def check_number(number: str) -> NumberCheck:
    ok = len(number) == 12 and number.isascii() and number.isdigit()
    if not ok:
        return NumberCheck(number, False, None, False, None, None, None)
    expected = check_digit(number[:10])
    return NumberCheck(
        number, True, expected, number[10] == expected, COMMISSIONS.get(number[:2]), number[2:4], number[11]
    )


def with_check_digit(first10: str, reissues: str = "0") -> str:
    """A 12-digit number from its first 10 digits (for sample cards)."""
    return first10 + check_digit(first10) + reissues
