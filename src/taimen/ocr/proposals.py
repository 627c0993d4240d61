"""What OCR hands back: readings of the printed fields and the unlock values they imply — always proposals.

The operator confirms or corrects every proposal before anything is sent to a card (a wrong 照合番号B spends
one of the card's tries). Nothing here talks to a card. Secret proposals (セキュリティコード, 照合番号B, the
residence card number) are never put into JSON; ``to_json`` replaces their values with ``null``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from taimen.ocr.fields import DOUBT_BELOW, FieldReading

#: Below this, the CLI and the web UI flag a value as needing a careful look.
CONFIDENT = DOUBT_BELOW
#: What the operator can do about a poor photo (codes in ``OcrResult.hints``).
HINTS: dict[str, tuple[str, str]] = {
    "glare": (
        "光が反射しています。カードの角度を変えて撮り直してください。",
        "Glare on the card: tilt it a little and retake.",
    ),
    # a value not found on a card wholly in the photo is most often under a finger holding the card
    "frame": (
        "カード全体を枠に入れ、指がかからないように撮ってください。",
        "Put the whole card inside the frame, with no finger over it.",
    ),
    # a skin-coloured region coming in from the card's edge (``finger.fingers``)
    "finger": (
        "指がカードにかかっています。カードの縁を持って撮り直してください。",
        "A finger is over the card: hold it by its edges and retake.",
    ),
    "focus": (
        "ピントが合っていません。カードを動かさずに撮り直してください。",
        "Out of focus: hold still and retake.",
    ),
    "dark": (
        "暗すぎるか、コントラストが低すぎます。明るい場所で撮り直してください。",
        "Too dark or low contrast: retake in brighter light.",
    ),
}
#: Printed fields that are (part of) a secret: 照合番号B's security code, the residence card's access number.
SECRET_FIELDS = frozenset({"security_code", "card_number", "passport_number", "mrz_birth", "mrz_expiry"})


@dataclass(frozen=True, slots=True)
class UnlockProposal:
    key: str  # "birth_yymmdd" | "expiry_year" | "security_code" | "kenmen_b" | "card_number"
    value: str | None
    confidence: float
    sources: tuple[str, ...]  # the fields it was built from
    secret: bool
    label_ja: str
    label_en: str
    note_en: str = ""
    note_ja: str = ""
    reasons: tuple[str, ...] = ()  # the doubt reasons of the fields it was built from

    @property
    def doubtful(self) -> bool:
        return self.value is None or self.confidence < CONFIDENT or bool(self.reasons)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": None if self.secret else self.value,
            "redacted": self.secret and self.value is not None,
            "length": len(self.value) if self.value else 0,
            "confidence": round(self.confidence, 4),
            "sources": list(self.sources),
            "label": {"ja": self.label_ja, "en": self.label_en},
            "note": {"ja": self.note_ja, "en": self.note_en},
            "reasons": list(self.reasons),
            "doubtful": self.doubtful,
        }


@dataclass
class OcrResult:
    """A proposal read off a photo of a card face. Never sent to a card without the operator's confirmation."""

    document: str | None  # "mynumber" | "license" | "residence" | None when not recognised
    fields: dict[str, FieldReading] = field(default_factory=dict)
    unlock: dict[str, UnlockProposal] = field(default_factory=dict)
    card_found: bool = False
    method: str = ""  # "layout" (card found, fields cut by layout) | "page" (fallback: whole-photo OCR)
    document_confidence: float = 0.0
    upside_down: bool = False
    #: the printed portrait cut from the rectified card (BGR, in memory only; for display)
    portrait: np.ndarray | None = None
    #: the same with a margin, for the photo comparison (which aligns it precisely); ``portrait_inner``: the
    #: fraction of its width and height the photo itself fills
    portrait_context: np.ndarray | None = None
    portrait_inner: tuple[float, float] = (1.0, 1.0)
    timings: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    #: what the operator should fix before retaking the photo (codes of ``HINTS``)
    hints: list[str] = field(default_factory=list)

    def value(self, key: str) -> str | None:
        f = self.fields.get(key)
        return f.value if f else None

    def unlock_for_document(self) -> dict[str, str]:
        """The proposals keyed as the chip reader's ``Document.unlock_fields`` name them (taimen.documents),
        for pre-filling the operator's form: My Number Card → birth, calendar, expiry_year, security_code.
        Only what the operator then confirms may be passed to ``Document.read``."""
        if self.document == "passport":  # the MRZ's three key fields (document_number, birth, expiry)
            return {k: u.value for k, u in self.unlock.items() if u.value}
        if self.document != "mynumber":
            return {}
        birth = self.fields.get("birth_date")
        out = {
            "birth": self.unlock["birth_yymmdd"].value,
            "calendar": birth.calendar if birth else None,
            "expiry_year": self.unlock["expiry_year"].value,
            "security_code": self.unlock["security_code"].value,
        }
        return {k: v for k, v in out.items() if v}

    def doubtful(self) -> list[str]:
        """Fields and unlock values the operator should look at twice."""
        out = [k for k, f in self.fields.items() if f.doubtful]
        out += [k for k, u in self.unlock.items() if u.doubtful]
        return list(dict.fromkeys(out))

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "taimen.ocr/1",
            "proposal": True,
            "notice": {
                "ja": "OCRの結果は提案です。カードの券面と照合し、確認または訂正してから使用してください。",
                "en": "OCR output is a proposal: check it against the card and confirm or correct it before use.",
            },
            "document": self.document,
            "document_confidence": round(self.document_confidence, 4),
            "card_found": self.card_found,
            "method": self.method,
            "upside_down": self.upside_down,
            "fields": {k: _field_json(f) for k, f in self.fields.items()},
            "unlock": {k: u.to_json() for k, u in self.unlock.items()},
            "doubtful": self.doubtful(),
            "problems": list(self.problems),
            "hints": [{"code": h, "ja": HINTS[h][0], "en": HINTS[h][1]} for h in self.hints],
            "timings_ms": {k: round(v * 1000, 1) for k, v in self.timings.items()},
        }


def _field_json(f: FieldReading) -> dict[str, Any]:
    out = f.to_json()
    if f.key in SECRET_FIELDS:
        out["redacted"] = f.value is not None
        out["length"] = len(f.value or "")
        out["value"] = out["text"] = None
    return out


def mynumber_unlock(fields: dict[str, FieldReading]) -> dict[str, UnlockProposal]:
    """照合番号B = birth date YYMMDD as printed (和暦 year when printed in 和暦) + expiry year + security code."""
    out: dict[str, UnlockProposal] = {}
    birth = fields.get("birth_date")
    yymmdd = None
    if birth and birth.date:
        yy = birth.era_year if birth.calendar == "wareki" and birth.era_year else birth.date.year
        yymmdd = f"{yy % 100:02d}{birth.date.month:02d}{birth.date.day:02d}"
    def why(*keys: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for k in keys if fields.get(k) for r in fields[k].reasons))

    out["birth_yymmdd"] = UnlockProposal(
        "birth_yymmdd",
        yymmdd,
        birth.confidence if birth and yymmdd else 0.0,
        ("birth_date",),
        False,
        "生年月日（6桁）",
        "birth date (6 digits)",
        note_en="year as printed: the era year for a 和暦 date; the Gregorian year's last two digits otherwise"
        + (" (unverified for Gregorian-printed cards)" if birth and birth.calendar == "seireki" else ""),
        note_ja="券面の表記どおりの年（和暦なら元号の年、西暦なら下2桁）",
        reasons=why("birth_date"),
    )
    exp = fields.get("expiry")
    year = str(exp.date.year) if exp and exp.date else None
    out["expiry_year"] = UnlockProposal(
        "expiry_year",
        year,
        exp.confidence if exp and year else 0.0,
        ("expiry",),
        False,
        "有効期限の年（西暦4桁）",
        "expiry year",
        reasons=why("expiry"),
    )
    code = fields.get("security_code")
    out["security_code"] = UnlockProposal(
        "security_code",
        code.value if code else None,
        code.confidence if code and code.value else 0.0,
        ("security_code",),
        True,
        "セキュリティコード",
        "security code",
        reasons=why("security_code"),
    )
    parts = [out["birth_yymmdd"], out["expiry_year"], out["security_code"]]
    b = "".join(p.value for p in parts if p.value) if all(p.value for p in parts) else None
    out["kenmen_b"] = UnlockProposal(
        "kenmen_b",
        b,
        min(p.confidence for p in parts) if b else 0.0,
        ("birth_date", "expiry", "security_code"),
        True,
        "照合番号B（14桁）",
        "PIN B (14 digits)",
        reasons=why("birth_date", "expiry", "security_code"),
    )
    return out


def residence_unlock(fields: dict[str, FieldReading]) -> dict[str, UnlockProposal]:
    num = fields.get("card_number")
    return {
        "card_number": UnlockProposal(
            "card_number",
            num.value if num else None,
            num.confidence if num and num.value else 0.0,
            ("card_number",),
            True,
            "在留カード番号",
            "residence card number",
            reasons=num.reasons if num else (),
        )
    }
