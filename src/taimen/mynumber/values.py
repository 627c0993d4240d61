"""Small value types shared by the 券面 records: dates, sex codes, text."""

from __future__ import annotations

import unicodedata
from datetime import date

from taimen.errors import ParseError

#: JIS X 0303 / ISO 5218 sex codes as the card writes them (one ASCII digit).
SEX_CODES = {"1": "male", "2": "female", "9": "not_applicable", "0": "unknown"}


def parse_date8(value: bytes, what: str) -> date:
    """``YYYYMMDD`` in ASCII, a date that exists."""
    if len(value) != 8 or not value.isdigit():
        raise ParseError(f"{what}: 8 ASCII digits expected")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise ParseError(f"{what}: {value.decode()} is not a date") from exc


def parse_sex(value: bytes, what: str) -> str:
    """The raw code, preserved even when it is not one of the JIS X 0303 values (reference §2)."""
    if len(value) != 1:
        raise ParseError(f"{what}: one byte expected")
    ch = value.decode("latin-1")
    return ch if ch.isprintable() and ch.isascii() else f"0x{value.hex().upper()}"


def sex_label(code: str) -> str:
    return SEX_CODES.get(code, code)


#: Shown in place of a character the chip holds but no font can show (外字): 〓 (GETA MARK), as in Japanese
#: print and as taimen shows the licence's 外字.
PLACEHOLDER = "\u3013"
_GAIJI_KINDS = {"Co": "private_use", "Cn": "unassigned"}


def parse_text(value: bytes, what: str, *, max_chars: int, gaiji: list[tuple[str, str]] | None = None) -> str:
    """UTF-8 text without control or format characters (a forged chip could otherwise drive the terminal).

    Private-use and unassigned code points (real cards may carry 外字 there) are accepted and replaced by
    ``PLACEHOLDER``; each is appended to ``gaiji`` as (``U+XXXX``, kind) so the caller can warn.
    """
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{what}: not UTF-8") from exc
    if not text or len(text) > max_chars:
        raise ParseError(f"{what}: {len(text)} characters (1..{max_chars} allowed)")
    out = []
    for c in text:
        cat = unicodedata.category(c)
        if cat in ("Cc", "Cf", "Cs"):
            raise ParseError(f"{what}: control or format character U+{ord(c):04X}")
        if cat in _GAIJI_KINDS:
            if gaiji is not None:
                gaiji.append((f"U+{ord(c):04X}", _GAIJI_KINDS[cat]))
            out.append(PLACEHOLDER)
        else:
            out.append(c)
    return "".join(out)
