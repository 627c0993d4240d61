"""照合番号B: the 14 digits built from what is printed on the card face (reference §2).

    birth date YYMMDD (6) ‖ card expiry year YYYY (4) ‖ セキュリティコード (4)

The birth date is taken **as printed**: a Japanese national's card prints it in 和暦, so the year digits are
the era year (昭和55年2月17日 → 550217, confirmed on a card by soltia48/myna-card). A card that prints a
Gregorian birth date (foreign residents) is assumed to use the last two digits of the Gregorian year, as the
住基カード did; that is **unverified** on a real My Number Card.

Everything is validated before anything is sent to the card: digits only, a date that exists in that era.
The value is a secret: it is never logged, traced, stored or shown; ``repr`` hides it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from taimen import wareki
from taimen.core import apdu
from taimen.core.conversation import Conversation
from taimen.core.status import tries_left
from taimen.documents import has_control
from taimen.errors import OperatorInputError, SecretRejected, StatusError
from taimen.pinsafety import Secret, TriesState

WAREKI = "wareki"
SEIREKI = "seireki"
CALENDARS = (WAREKI, SEIREKI)
MIN_EXPIRY_YEAR = 2016  # the first cards were issued in January 2016
MAX_EXPIRY_YEAR = 2099

_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")  # with fullmatch
_SLASH = re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})")


def _bad(en: str, ja: str) -> OperatorInputError:
    return OperatorInputError(en, message_ja=ja)


#: Longest text taken as a birth date ("明治45年12月31日" is 11 characters); longer input is refused unparsed.
MAX_BIRTH_LENGTH = 24


def _typed(text: str, limit: int, what_en: str, what_ja: str) -> str:
    """``text`` NFKC-normalised without surrounding spaces; refused when long or holding a control character
    (a value with a newline is a paste gone wrong, and must never reach the card)."""
    if len(text) > limit or has_control(text):
        raise _bad(f"{what_en}: invalid input", f"{what_ja}の入力が正しくありません。")
    return unicodedata.normalize("NFKC", text).strip(" ")


def _digits(text: str, n: int, what_en: str, what_ja: str) -> str:
    t = _typed(text, n + 8, what_en, what_ja)
    if len(t) != n or not t.isascii() or not t.isdigit():
        raise _bad(f"{what_en} must be exactly {n} digits", f"{what_ja}は{n}桁の数字で入力してください。")
    return t


@dataclass(frozen=True, slots=True)
class BirthKey:
    """The six birth-date digits as printed, with the calendar the card prints them in."""

    digits: str
    calendar: str
    #: The full date when the operator typed one (e.g. 昭和55年2月17日); None for the bare 6-digit form.
    full_date: date | None = None

    def matches(self, d: date) -> bool:
        """True if a birth date read from the chip prints as these six digits on this card."""
        return birth_digits(d, self.calendar) == self.digits


def birth_digits(d: date, calendar: str) -> str:
    """YYMMDD as the card face prints ``d``: era year for 和暦, last two Gregorian digits for 西暦."""
    if calendar == SEIREKI:
        return f"{d.year % 100:02d}{d.month:02d}{d.day:02d}"
    return wareki.to_wareki(d).yymmdd()


def _possible_six(digits: str, calendar: str, today: date) -> bool:
    """Whether six digits can be a printed birth date: some era (or century) holds that day, not after today."""
    yy, mm, dd = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    if calendar == SEIREKI:
        for century in (1900, 2000):
            try:
                if date(century + yy, mm, dd) <= today:
                    return True
            except ValueError:
                continue
        return False
    for era in wareki.ERAS:
        try:
            if wareki.from_era(era, yy, mm, dd, strict=True) <= today:
                return True
        except wareki.EraError:
            continue
    return False


def parse_birth(text: str, calendar: str | None = None, *, today: date | None = None) -> BirthKey:
    """The birth date as printed: ``550217``, ``昭和55年2月17日``, ``1980年2月17日`` or ``1980-02-17``.

    ``calendar`` is how the card prints the date (``wareki`` by default). A Gregorian date typed for a 和暦
    card is converted to its era form; an era date typed for a 西暦 card is refused as contradictory.
    """
    today = today or date.today()
    if calendar is not None and calendar not in CALENDARS:
        raise _bad(f"calendar must be {' or '.join(CALENDARS)}", "暦は wareki（和暦）か seireki（西暦）です。")
    t = _typed(text, MAX_BIRTH_LENGTH, "birth date", "生年月日")
    if not t:
        raise _bad("birth date is empty", "生年月日を入力してください。")
    if t.isascii() and t.isdigit():
        if len(t) != 6:
            raise _bad(
                "birth date must be 6 digits (YYMMDD as printed) or a full date",
                "生年月日は印字どおりの6桁（年2桁・月・日）か、日付で入力してください。",
            )
        cal = calendar or WAREKI
        if not _possible_six(t, cal, today):
            raise _bad(
                f"{t[:2]}/{t[2:4]}/{t[4:]} is not a possible birth date on a {cal} card",
                "存在しない生年月日です（元号の範囲・月日を確認してください）。",
            )
        return BirthKey(t, cal)
    has_era = any(e.name in t for e in wareki.ERAS)
    m = _ISO.fullmatch(t) or _SLASH.fullmatch(t)
    try:
        if has_era:
            if calendar == SEIREKI:
                raise _bad(
                    "an era date was entered for a card that prints a Gregorian birth date",
                    "西暦表記のカードに和暦の生年月日が入力されました。",
                )
            d = wareki.parse_ja(t)
            cal = WAREKI
        elif m:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            cal = calendar or WAREKI
        else:
            d = wareki.parse_ja(t)  # 1980年2月17日
            cal = calendar or WAREKI
    except (wareki.EraError, ValueError) as exc:
        raise _bad(
            f"birth date {t!r} is not a valid date ({exc})", "生年月日が正しくありません（存在しない日付です）。"
        ) from exc
    if d > today:
        raise _bad("birth date is in the future", "生年月日が未来の日付です。")
    try:
        digits = birth_digits(d, cal)
    except wareki.EraError as exc:
        raise _bad("birth date is before 明治", "明治より前の生年月日は扱えません。") from exc
    return BirthKey(digits, cal, d)


def parse_expiry_year(text: str) -> int:
    year = int(_digits(text, 4, "card expiry year", "有効期限の年（西暦4桁）"))
    if not MIN_EXPIRY_YEAR <= year <= MAX_EXPIRY_YEAR:
        raise _bad(
            f"card expiry year {year} is outside {MIN_EXPIRY_YEAR}-{MAX_EXPIRY_YEAR}",
            "有効期限の年が範囲外です（西暦4桁で入力してください）。",
        )
    return year


@dataclass(frozen=True, slots=True)
class ShogoB:
    """照合番号B. Only ``value()`` yields the digits, for the one VERIFY command that carries them."""

    birth: BirthKey = field(repr=False)
    expiry_year: int = field(repr=False)
    _code: str = field(repr=False)

    def value(self) -> bytes:
        return f"{self.birth.digits}{self.expiry_year:04d}{self._code}".encode("ascii")

    def __repr__(self) -> str:
        return "ShogoB(<secret>)"

    __str__ = __repr__


def build(
    birth: str, expiry_year: str, security_code: str, *, calendar: str | None = None, today: date | None = None
) -> ShogoB:
    """Validate the three printed values and combine them; OperatorInputError names the wrong one."""
    key = parse_birth(birth, calendar, today=today)
    year = parse_expiry_year(expiry_year)
    code = _digits(security_code, 4, "security code", "セキュリティコード")
    return ShogoB(key, year, code)


# --- presenting it to the card -------------------------------------------------------------------------

SECRET = Secret(
    name_ja="照合番号B",
    name_en="照合番号B (verification number B)",
    lock_ja=(
        "ロックされると照合番号Bでは券面事項を読み取れなくなり、解除にはカードの持ち主が"
        "住所地の市区町村窓口で手続きをする必要があります。"
    ),
    lock_en=(
        "Once locked, the card face can no longer be read with 照合番号B; the holder must have it unlocked "
        "at the municipal office."
    ),
)


def secret_at(ap_ja: str, ap_en: str) -> Secret:
    """The pin-safety description of 照合番号B at one AP (each AP keeps its own counter)."""
    return Secret(f"照合番号B（{ap_ja}）", f"照合番号B ({ap_en})", SECRET.lock_ja, SECRET.lock_en)


def select_key(key_fid: int, label: str) -> Conversation[None]:
    """SELECT the 照合番号B key EF of the current AP."""
    response = yield apdu.select_ef(key_fid, label=f"SELECT 照合番号B key ({label})")
    if response.sw != 0x9000:
        raise StatusError(response.sw, f"SELECT 照合番号B key ({label})")


def query_tries(key_fid: int, label: str) -> Conversation[TriesState]:
    """SELECT the key EF of the current AP and ask its remaining tries without spending one (63Cx; 9000:
    already verified, see ``taimen.pinsafety``)."""
    yield from select_key(key_fid, label)
    response = yield apdu.verify_query(label=f"VERIFY 照合番号B tries ({label})")
    return TriesState.from_sw(response.sw)


def present(b: ShogoB, label_ja: str, label_en: str) -> Conversation[int | None]:
    """VERIFY once at the key EF already selected. Returns None when accepted, else the tries left.

    Never called twice with the same value: the caller stops (or reports) on the first refusal.
    """
    response = yield apdu.verify(b.value(), label=f"VERIFY 照合番号B ({label_en})")
    if response.sw == 0x9000:
        return None
    left = tries_left(response.sw)
    if left is None:
        raise StatusError(response.sw, f"VERIFY 照合番号B ({label_en})")
    return left


def rejected(left: int, label_ja: str, label_en: str) -> SecretRejected:
    """The error reported when the card refused the value (one try spent; never retried)."""
    if left == 0:
        return SecretRejected(
            f"the card rejected 照合番号B at the {label_en} and is now locked. {SECRET.lock_en}",
            message_ja=f"照合番号Bが違います（{label_ja}）。照合番号Bはロックされました。{SECRET.lock_ja}",
            tries_left=0,
        )
    return SecretRejected(
        f"the card rejected 照合番号B at the {label_en}; {left} tries left. Check the birth date, expiry year "
        "and security code printed on the card. taimen does not retry.",
        message_ja=(
            f"照合番号Bが違います（{label_ja}）。残り{left}回です。券面の生年月日・有効期限の年・"
            "セキュリティコードを確認してください。自動での再試行はしません。"
        ),
        tries_left=left,
    )
