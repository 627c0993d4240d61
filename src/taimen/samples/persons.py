"""Synthetic sample persons. Every card image, printed face and demo screen is built from these.

Nothing here is a real person. Edge cases are deliberate: era boundaries (昭和64年1月7日, 平成元年1月8日),
a 令和 birth, long names and addresses, a foreign resident whose card prints a Gregorian birth date, and an
expired card.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


def mynumber_check_digit(first11: str) -> str:
    """Check digit of a 12-digit 個人番号 (the published rule: weights 2..7 from the right, mod 11)."""
    if len(first11) != 11 or not first11.isdigit():
        raise ValueError("11 digits expected")
    total = 0
    for n, ch in enumerate(reversed(first11), start=1):
        q = n + 1 if n <= 6 else n - 5
        total += int(ch) * q
    r = total % 11
    return "0" if r <= 1 else str(11 - r)


@dataclass(frozen=True)
class LicenseChange:
    """A 追記 on the back of a driving licence (DF1/EF04 or, for 本籍, EF06)."""

    kind: str  # "address", "name", "kana", "commission", "condition", "condition_removed", "remark", "honseki"
    date: date
    value: str
    commission: str = "東京都公安"  # the writing commission, abbreviated to five characters


@dataclass(frozen=True)
class LicenseFacts:
    """What a driving licence of this person records (used by licence card and face builders).

    The licence number carries a check digit (``taimen.license.number``): build it with ``with_check_digit``.
    ``address_at_issue``/``name_at_issue``/``honseki_at_issue`` are what the face (and DF1/EF01, EF02) printed
    when the licence was issued; a later 追記 in ``changes`` updates them to the person's current values.
    ``gaiji`` maps characters written as 外字 to their numbers (1–2 in EF03 for the face, 3–7 in EF05 for 追記).
    """

    number: str  # 12 digits
    issue: date
    expiry: date
    color: str  # 優良 / 一般 / 新規 (as printed in the colour band)
    conditions: tuple[str, ...] = ()
    categories: dict[str, date] = field(default_factory=dict)  # e.g. {"普通": date(2000,1,1)}
    commission: str = "東京都公安委員会"
    honseki: str = "東京都千代田区霞が関２丁目１番"
    pin1: str = "1234"
    pin2: str = "5678"
    pin_set: bool = True
    reference_number: str = "12345"  # 照会番号
    spec_version: str = "009"  # MF/EF01 仕様書バージョン: "006", "008", "009" layouts in the emulator
    #: Era in which the chip records the expiry when it falls after that era ended (平成33年 on pre-令和 cards).
    expiry_era: str | None = None
    name_kana: str = ""  # 呼び名
    tsushomei: str = ""  # 通称名
    touitsu_kana: str = ""  # 統一氏名（カナ）
    address_at_issue: str | None = None
    name_at_issue: str | None = None
    honseki_at_issue: str | None = None
    changes: tuple[LicenseChange, ...] = ()
    gaiji: dict[str, int] = field(default_factory=dict)
    photo_format: str = "j2k"  # "j2k" (raw codestream) or "jp2"


@dataclass(frozen=True)
class ResidenceFacts:
    card_number: str  # 2 letters + 8 digits + 2 letters
    expiry: date
    nationality: str
    status: str  # 在留資格
    kind: str = "residence"  # or "special_permanent"


@dataclass(frozen=True)
class Person:
    key: str
    family_name: str
    given_name: str  # "" for a mononym
    family_kana: str
    given_kana: str
    birth_date: date
    sex: str  # JIS X 0303: "1" male, "2" female, "9" not applicable, "0" unknown
    address: str
    #: How the My Number Card face prints the birth date: "wareki" (Japanese nationals) or "seireki".
    birth_calendar: str = "wareki"
    nationality: str = "JP"
    # My Number Card
    mynumber_issue: date = date(2024, 4, 1)
    mynumber_expiry: date = date(2034, 2, 17)
    security_code: str = "0000"
    individual_number_base: str = "12345678901"  # 11 digits; the 12th is the check digit
    municipality_code: str = "13101"
    face_seed: int = 0
    license: LicenseFacts | None = None
    residence: ResidenceFacts | None = None

    @property
    def name(self) -> str:
        """Name as the chip's 入力補助AP stores it: family and given separated by U+3000."""
        return f"{self.family_name}\u3000{self.given_name}" if self.given_name else self.family_name

    @property
    def individual_number(self) -> str:
        """Synthetic 個人番号, only ever written into emulated EF 0001 (taimen never reads it)."""
        return self.individual_number_base + mynumber_check_digit(self.individual_number_base)


PERSONS: tuple[Person, ...] = (
    Person(
        key="yamada",
        family_name="山田",
        given_name="花子",
        family_kana="ヤマダ",
        given_kana="ハナコ",
        birth_date=date(1980, 2, 17),
        sex="2",
        address="東京都千代田区霞が関２丁目１番２号",
        mynumber_expiry=date(2035, 2, 17),
        security_code="2285",
        individual_number_base="53768667718",
        face_seed=1,
        license=LicenseFacts(
            number="309712345600",
            issue=date(2023, 4, 8),  # 令和5年4月8日
            expiry=date(2028, 3, 17),
            color="優良",
            conditions=("眼鏡等",),
            categories={"普通": date(2000, 5, 10), "原付": date(1997, 3, 1), "準中型": date(2020, 4, 8)},
            address_at_issue="東京都千代田区永田町１丁目７番１号",
            changes=(LicenseChange("address", date(2024, 6, 3), "東京都千代田区霞が関２丁目１番２号"),),
            spec_version="009",
            photo_format="jp2",
        ),
    ),
    Person(
        key="showa64",
        family_name="佐藤",
        given_name="健一",
        family_kana="サトウ",
        given_kana="ケンイチ",
        birth_date=date(1989, 1, 7),  # 昭和64年1月7日, last day of 昭和
        sex="1",
        address="大阪府大阪市北区中之島１丁目３番２０号",
        mynumber_expiry=date(2031, 1, 7),
        security_code="4096",
        individual_number_base="20230101234",
        municipality_code="27127",
        face_seed=2,
        license=LicenseFacts(
            number="620798765480",
            issue=date(2019, 4, 10),  # 平成31年4月10日, before 令和
            expiry=date(2021, 2, 7),  # recorded as 平成33年 on the chip
            expiry_era="平成",
            color="一般",
            categories={"普通": date(2007, 9, 1), "中型": date(2007, 9, 1)},
            commission="大阪府公安委員会",
            honseki="大阪府大阪市北区中之島１丁目",
            pin_set=False,
            reference_number="62104",
            spec_version="008",
        ),
    ),
    Person(
        key="heisei1",
        family_name="鈴木",
        given_name="一郎",
        family_kana="スズキ",
        given_kana="イチロウ",
        birth_date=date(1989, 1, 8),  # 平成元年1月8日, first day of 平成
        sex="1",
        address="北海道札幌市中央区北１条西２丁目",
        mynumber_expiry=date(2032, 1, 8),
        security_code="7351",
        individual_number_base="89012345678",
        municipality_code="01101",
        face_seed=3,
    ),
    Person(
        key="reiwa",
        family_name="高橋",
        given_name="結衣",
        family_kana="タカハシ",
        given_kana="ユイ",
        birth_date=date(2020, 4, 8),  # 令和2年4月8日
        sex="2",
        address="福岡県福岡市中央区天神１丁目８番１号",
        mynumber_expiry=date(2030, 4, 8),  # minors: 5 years
        security_code="0408",
        individual_number_base="44556677889",
        municipality_code="40133",
        face_seed=4,
    ),
    Person(
        key="long",
        family_name="勅使河原",
        given_name="左衛門三郎",
        family_kana="テシガワラ",
        given_kana="サエモンサブロウ",
        birth_date=date(1955, 11, 3),  # 昭和30年11月3日
        sex="1",
        address="神奈川県足柄下郡箱根町仙石原字台ケ岳１２３４番地の５６　グランドパレス箱根仙石原第二別館７８９号室",
        mynumber_expiry=date(2029, 11, 3),
        security_code="9138",
        individual_number_base="31415926535",
        municipality_code="14382",
        face_seed=5,
        license=LicenseFacts(
            number="457511223340",
            issue=date(2024, 10, 1),
            expiry=date(2029, 12, 3),
            color="優良",
            conditions=("眼鏡等", "中型車は中型車（８ｔ）に限る"),
            categories={
                "大型": date(1980, 6, 1),
                "中型": date(1976, 4, 1),
                "普通": date(1975, 4, 1),
                "大特": date(1982, 2, 1),
                "大自二": date(1978, 8, 1),
                "普自二": date(1976, 8, 1),
                "小特": date(1975, 4, 1),
                "原付": date(1975, 4, 1),
                "け引": date(1983, 5, 1),
                "大二": date(1990, 7, 1),
                "二・小・原": date(1975, 4, 1),
                "他": date(1975, 4, 1),
                "二種": date(1990, 7, 1),
            },
            commission="神奈川県公安委員会",
            honseki="神奈川県足柄下郡箱根町湯本",
            honseki_at_issue="神奈川県足柄下郡箱根町仙石原",
            address_at_issue="神奈川県小田原市栄町１丁目１番",
            pin1="2468",
            pin2="1357",
            reference_number="45301",
            changes=(
                LicenseChange(
                    "address",
                    date(2025, 2, 14),
                    "神奈川県足柄下郡箱根町仙石原字台ケ岳１２３４番地の５６"
                    "　グランドパレス箱根仙石原第二別館７８９号室",
                    "神奈川県公",
                ),
                LicenseChange("condition_removed", date(2025, 6, 2), "眼鏡等", "神奈川県公"),
                LicenseChange("honseki", date(2025, 2, 14), "神奈川県足柄下郡箱根町湯本", "神奈川県公"),
            ),
            gaiji={"河": 1, "岳": 3},  # 河 drawn as 外字1 in the name, 岳 as 外字3 in the new address
        ),
    ),
    Person(
        key="foreign",
        family_name="SMITH",
        given_name="JOHN",
        family_kana="スミス",
        given_kana="ジョン",
        birth_date=date(1985, 7, 4),
        sex="1",
        address="東京都港区六本木６丁目１０番１号",
        birth_calendar="seireki",
        nationality="US",
        mynumber_expiry=date(2029, 7, 4),
        security_code="1776",
        individual_number_base="27182818284",
        municipality_code="13103",
        face_seed=6,
        license=LicenseFacts(
            number="301024680200",
            issue=date(2022, 7, 4),  # 令和4年7月4日
            expiry=date(2027, 8, 4),
            color="一般",
            conditions=(
                "眼鏡等",
                "ＡＴ車に限る",
                "準中型で運転できる準中型車は準中型車（５ｔ）に限る",
                "中型車は中型車（８ｔ）に限る",
            ),
            categories={"普通": date(2010, 5, 1), "原付": date(2010, 5, 1), "他": date(2010, 5, 1)},
            honseki="米国",  # foreign nationals: 国籍 in the 本籍 field
            name_kana="スミス　ジョン",
            tsushomei="山本　譲",
            touitsu_kana="スミス　ジョン",
            pin1="0704",
            pin2="1776",
            reference_number="30977",
            spec_version="008",
            photo_format="jp2",
        ),
        residence=ResidenceFacts(
            card_number="AB12345678CD",
            expiry=date(2029, 7, 4),
            nationality="米国",
            status="技術・人文知識・国際業務",
        ),
    ),
    Person(
        key="expired",
        family_name="田中",
        given_name="次郎",
        family_kana="タナカ",
        given_kana="ジロウ",
        birth_date=date(1962, 8, 30),  # 昭和37年8月30日
        sex="1",
        address="愛知県名古屋市中区三の丸３丁目１番２号",
        mynumber_issue=date(2016, 3, 1),
        mynumber_expiry=date(2026, 8, 30),  # expired before today's counter visit
        security_code="5520",
        individual_number_base="16180339887",
        municipality_code="23106",
        face_seed=7,
        license=LicenseFacts(
            number="548113579040",
            issue=date(2016, 8, 1),  # 平成28年, a spec v006 card (no 準中型 tag)
            expiry=date(2019, 9, 30),  # recorded as 平成31年9月30日, after 平成 ended
            expiry_era="平成",
            color="一般",
            categories={"普通": date(1981, 6, 1), "大型": date(1988, 3, 1), "原付": date(1981, 6, 1)},
            commission="愛知県公安委員会",
            honseki="愛知県名古屋市中区三の丸３丁目",
            pin1="4321",
            pin2="8765",
            reference_number="54011",
            spec_version="006",
        ),
    ),
)

BY_KEY = {p.key: p for p in PERSONS}


def person(key: str) -> Person:
    return BY_KEY[key]
