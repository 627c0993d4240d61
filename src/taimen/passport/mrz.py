"""The machine-readable zone of a passport data page (ICAO 9303 Part 4, TD3: two lines of 44 characters).

Check digits are validated, never repaired: a wrong digit is reported as such, because OCR that "fixes" a
digit may hand BAC a key for a different document — or hide a forged data page. The three fields that
make the access key (document number, birth date, expiry, each with its check digit) are wrapped in
``MrzKey``, whose repr never shows them; nothing here writes them anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from taimen.errors import OperatorInputError

TD3_LENGTH = 44
_CHARSET = re.compile(r"[0-9A-Z<]*")
_WEIGHTS = (7, 3, 1)


def char_value(c: str) -> int:
    if c.isdigit():
        return ord(c) - 48
    if "A" <= c <= "Z":
        return ord(c) - 55
    if c == "<":
        return 0
    raise OperatorInputError(f"character {c!r} cannot appear in an MRZ")


def check_digit(text: str) -> str:
    """ICAO 9303-3 §4.9: weights 7, 3, 1 over the character values, modulo 10."""
    return str(sum(char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(text)) % 10)


def _yymmdd(text: str, what: str) -> tuple[int, int, int]:
    if not re.fullmatch(r"[0-9]{6}", text):
        raise OperatorInputError(f"{what} must be YYMMDD digits", message_ja=f"{what}は6桁の数字（YYMMDD）です。")
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:])
    if not 1 <= mm <= 12 or not 1 <= dd <= 31:
        raise OperatorInputError(f"{what} {text} is not a date", message_ja=f"{what}が日付になっていません。")
    return yy, mm, dd


def birth_date(yymmdd: str, today: dt.date | None = None) -> dt.date | None:
    """A birth date is never in the future: a two-digit year after this year's is in the 1900s."""
    yy, mm, dd = _yymmdd(yymmdd, "birth date")
    now = today or dt.date.today()
    year = 2000 + yy if 2000 + yy <= now.year else 1900 + yy
    try:
        return dt.date(year, mm, dd)
    except ValueError:
        return None


def expiry_date(yymmdd: str) -> dt.date | None:
    """Passports issued under ICAO 9303 with a chip expire in this century."""
    yy, mm, dd = _yymmdd(yymmdd, "expiry date")
    try:
        return dt.date(2000 + yy, mm, dd)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class MrzKey:
    """Document number, birth date and expiry: the BAC/PACE password. Never shown, never stored."""

    document_number: str = field(repr=False)  # as in the MRZ, without fillers
    birth: str = field(repr=False)  # YYMMDD
    expiry: str = field(repr=False)  # YYMMDD

    def __repr__(self) -> str:
        return "MrzKey(<redacted>)"

    @classmethod
    def from_fields(cls, document_number: str, birth: str, expiry: str) -> MrzKey:
        """Typed values. A document number longer than 9 characters is not supported (none in Japan)."""
        number = document_number.strip().upper().replace(" ", "")
        if not re.fullmatch(r"[0-9A-Z]{1,9}", number):
            raise OperatorInputError(
                "document number must be 1-9 letters or digits",
                message_ja="旅券番号は英数字9文字以内で入力してください。",
            )
        _yymmdd(birth, "birth date")
        _yymmdd(expiry, "expiry date")
        return cls(number, birth, expiry)

    def key_text(self) -> str:
        """MRZ_information of ICAO 9303-11 §9.7.1: number ‖ cd ‖ birth ‖ cd ‖ expiry ‖ cd."""
        number = self.document_number.ljust(9, "<")
        return number + check_digit(number) + self.birth + check_digit(self.birth) + self.expiry + check_digit(
            self.expiry
        )

    def seed(self) -> bytes:
        """K_seed = SHA-1(MRZ_information)[:16] (9303-11 §9.7.2)."""
        return hashlib.sha1(self.key_text().encode("ascii")).digest()[:16]

    def password(self) -> bytes:
        """The PACE password π for the MRZ: SHA-1(MRZ_information), all 20 bytes (9303-11 §9.7.3)."""
        return hashlib.sha1(self.key_text().encode("ascii")).digest()


@dataclass(frozen=True, slots=True)
class CheckResult:
    field: str  # "document_number", "birth", "expiry", "optional", "composite"
    ok: bool
    expected: str
    found: str


@dataclass(frozen=True)
class Td3:
    """A parsed TD3 MRZ. Values are as printed (fillers ``<`` removed where they only pad)."""

    line1: str = field(repr=False)
    line2: str = field(repr=False)
    document_code: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str = field(repr=False)
    nationality: str = ""
    birth: str = field(default="", repr=False)
    sex: str = ""
    expiry: str = field(default="", repr=False)
    optional: str = field(default="", repr=False)
    checks: tuple[CheckResult, ...] = ()

    @property
    def valid(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[str]:
        return [c.field for c in self.checks if not c.ok]

    @property
    def name(self) -> str:
        return f"{self.surname} {self.given_names}".strip()

    def key(self) -> MrzKey:
        return MrzKey(self.document_number, self.birth, self.expiry)


def normalise_lines(text: str) -> tuple[str, str]:
    """Two TD3 lines from typed or OCR'd text: whitespace removed, upper case, nothing else changed."""
    lines = [re.sub(r"\s+", "", ln).upper() for ln in text.replace("\\n", "\n").splitlines()]
    lines = [ln for ln in lines if ln]
    if len(lines) == 1 and len(lines[0]) == 2 * TD3_LENGTH:
        lines = [lines[0][:TD3_LENGTH], lines[0][TD3_LENGTH:]]
    if len(lines) != 2:
        raise OperatorInputError(
            "a passport MRZ has two lines of 44 characters",
            message_ja="旅券のMRZは44文字×2行です。",
        )
    return lines[0], lines[1]


def parse_td3(text: str) -> Td3:
    """Parse two TD3 lines. Wrong check digits are recorded in ``checks``; the values stay as printed."""
    l1, l2 = normalise_lines(text)
    for ln in (l1, l2):
        if len(ln) != TD3_LENGTH or not _CHARSET.fullmatch(ln):
            raise OperatorInputError(
                f"MRZ line of {len(ln)} characters; TD3 lines are 44 of 0-9, A-Z and <",
                message_ja="MRZの各行は44文字（0-9、A-Z、<）です。",
            )
    if l1[0] != "P":
        raise OperatorInputError("not a passport MRZ (TD3 begins with P)", message_ja="旅券のMRZではありません。")
    names = l1[5:].rstrip("<")
    surname, _, given = names.partition("<<")
    number_field, number_cd = l2[0:9], l2[9]
    birth, birth_cd = l2[13:19], l2[19]
    expiry, expiry_cd = l2[21:27], l2[27]
    optional, optional_cd = l2[28:42], l2[42]
    composite = l2[0:10] + l2[13:20] + l2[21:43]
    checks = [
        CheckResult("document_number", check_digit(number_field) == number_cd, check_digit(number_field), number_cd),
        CheckResult("birth", check_digit(birth) == birth_cd, check_digit(birth), birth_cd),
        CheckResult("expiry", check_digit(expiry) == expiry_cd, check_digit(expiry), expiry_cd),
    ]
    # 9303-4 §4.2.2: an empty optional field may carry "<" as its check digit instead of 0
    opt_ok = check_digit(optional) == optional_cd or (optional.strip("<") == "" and optional_cd == "<")
    checks.append(CheckResult("optional", opt_ok, check_digit(optional), optional_cd))
    checks.append(CheckResult("composite", check_digit(composite) == l2[43], check_digit(composite), l2[43]))
    return Td3(
        line1=l1,
        line2=l2,
        document_code=l1[0:2].rstrip("<"),
        issuing_state=l1[2:5].rstrip("<"),
        surname=surname.replace("<", " ").strip(),
        given_names=given.replace("<", " ").strip(),
        document_number=number_field.rstrip("<"),
        nationality=l2[10:13].rstrip("<"),
        birth=birth,
        sex=l2[20],
        expiry=expiry,
        optional=optional.rstrip("<"),
        checks=tuple(checks),
    )


def key_from_mrz(text: str) -> tuple[MrzKey, Td3]:
    """The access key from a full MRZ; refuses one whose key fields fail their check digits."""
    td3 = parse_td3(text)
    bad = [f for f in td3.failed if f in ("document_number", "birth", "expiry")]
    if bad:
        raise OperatorInputError(
            f"MRZ check digit wrong for {', '.join(bad)}: retype or rescan (never corrected automatically)",
            message_ja="MRZのチェックディジットが一致しません（"
            + "、".join(bad)
            + "）。入力し直すか撮影し直してください。",
        )
    return td3.key(), td3


def make_td3(
    *, issuing_state: str, surname: str, given_names: str, document_number: str, nationality: str,
    birth: str, sex: str, expiry: str, optional: str = "", document_code: str = "P",
) -> tuple[str, str]:
    """Two TD3 lines with their check digits (for sample passports and tests)."""
    names = (surname.replace(" ", "<") + "<<" + given_names.replace(" ", "<"))
    line1 = (document_code.ljust(2, "<") + issuing_state.ljust(3, "<") + names).ljust(TD3_LENGTH, "<")[:TD3_LENGTH]
    number = document_number.ljust(9, "<")
    opt = optional.ljust(14, "<")
    opt_cd = check_digit(opt)
    head = number + check_digit(number) + nationality.ljust(3, "<") + birth + check_digit(birth) + sex
    tail = expiry + check_digit(expiry) + opt + opt_cd
    composite = check_digit(number + check_digit(number) + birth + check_digit(birth) + tail)
    return line1, head + tail + composite
