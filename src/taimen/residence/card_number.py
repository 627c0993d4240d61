"""The 12-character 在留カード等番号 printed on the face: the only unlock value the card knows.

No public check-digit rule exists (residence-card.md §4); only the chip can say whether a number is right.
"""

from __future__ import annotations

import re
import unicodedata

from taimen.errors import OperatorInputError

PATTERN = r"^[A-Z]{2}[0-9]{8}[A-Z]{2}\Z"
_RE = re.compile(r"[A-Z]{2}[0-9]{8}[A-Z]{2}")


def normalise(text: str) -> str:
    """Upper-case, full-width folded (NFKC), spaces and hyphens removed; OperatorInputError if not 2+8+2."""
    folded = unicodedata.normalize("NFKC", text or "").upper()
    folded = "".join(ch for ch in folded if ch not in " -\u3000\t")
    if not _RE.fullmatch(folded):
        raise OperatorInputError(
            "card number must be 2 letters, 8 digits and 2 letters (e.g. AB12345678CD)",
            message_ja="在留カード等番号は英字2桁・数字8桁・英字2桁の12桁です（例：AB12345678CD）。",
        )
    return folded


def redact(number: str) -> str:
    """For display beside a result: the letters only, never the digits."""
    return f"{number[:2]}********{number[-2:]}" if len(number) == 12 else "************"
