"""The result of a read: fields, images, checks and the verdict. Shared by every document type.

The JSON contract (docs/json-output.md) is produced by ``ReadResult.to_json``. Verdicts are earned:
``genuine`` only when every check a document requires has passed and nothing failed.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class CheckStatus(StrEnum):
    PASSED = "passed"  # proven
    FAILED = "failed"  # proven wrong: evidence of forgery or tampering
    WARNING = "warning"  # proven, but needs the clerk's attention (expired, date past an era's end…)
    NOT_VERIFIABLE = "not_verifiable"  # could not be checked here (no trust anchor, card cannot answer…)
    SKIPPED = "skipped"  # not attempted (not applicable or not requested)


class VerdictStatus(StrEnum):
    GENUINE = "genuine"
    ATTENTION = "attention"
    NOT_GENUINE = "not_genuine"


@dataclass(frozen=True, slots=True)
class Check:
    """One verification step, saying exactly what it covered."""

    name: str  # stable machine id, e.g. "kenmen_ap.signature"
    status: CheckStatus
    title_ja: str
    title_en: str
    detail_ja: str = ""
    detail_en: str = ""
    covers: tuple[str, ...] = ()  # what the check covered, e.g. ("DF22", "DF23", "DF24")
    not_covered: tuple[str, ...] = ()  # what it explicitly did not cover
    #: A check the document needs for a ``genuine`` verdict.
    required: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": str(self.status),
            "required": self.required,
            "title": {"ja": self.title_ja, "en": self.title_en},
            "detail": {"ja": self.detail_ja, "en": self.detail_en},
            "covers": list(self.covers),
            "not_covered": list(self.not_covered),
        }


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    ja: str
    en: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "ja": self.ja, "en": self.en}


#: Whether the chip proved it is the original: ``proven`` (a required presence check passed),
#: ``not_proven`` (the document could, but this read did not), ``not_provable`` (the document type has no
#: published way: the IC driving licence).
CHIP_PRESENCE = ("proven", "not_proven", "not_provable")


@dataclass(frozen=True, slots=True)
class Verdict:
    status: VerdictStatus
    reasons: tuple[Reason, ...]
    chip_presence: str = "not_proven"

    @property
    def data_only(self) -> bool:
        """Genuine as far as the document can be: its signed data are authentic, its chip cannot be proven."""
        return self.status is VerdictStatus.GENUINE and self.chip_presence == "not_provable"

    @property
    def label_ja(self) -> str:
        if self.data_only:
            return "データ真正（チップ未証明）"
        return {"genuine": "真正", "attention": "要確認", "not_genuine": "真正でない"}[self.status]

    @property
    def label_en(self) -> str:
        if self.data_only:
            return "Data authentic, chip not provable"
        return {"genuine": "Genuine", "attention": "Attention", "not_genuine": "Not genuine"}[self.status]

    @property
    def kind(self) -> str:
        """For display: the status, with the qualified genuine told apart (``genuine_data_only``)."""
        return "genuine_data_only" if self.data_only else str(self.status)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": str(self.status),
            "chip_presence": self.chip_presence,
            "label": {"ja": self.label_ja, "en": self.label_en},
            "reasons": [r.to_json() for r in self.reasons],
        }


CHIP_NOT_PROVABLE = Reason(
    "chip_not_provable",
    "署名されたデータは真正です。ただしこの種類のカードにはICチップの実在を確かめる仕組みがなく、"
    "データを複製したチップと区別できません。券面と本人を必ず確認してください。",
    "the signed data are authentic, but this kind of card has no way to prove its chip is the original: a chip "
    "carrying a copy of the data cannot be told apart. Check the card face and the holder.",
)


def _chip_presence(checks: list[Check], provable: bool) -> str:
    if not provable:
        return "not_provable"
    presence = [c for c in checks if c.required and c.name.endswith(".presence")]
    return "proven" if presence and all(c.status is CheckStatus.PASSED for c in presence) else "not_proven"


def decide(checks: list[Check], extra: list[Reason] | None = None, *, presence_provable: bool = True) -> Verdict:
    """Verdict from checks: any failure → not genuine; any warning or unproven required check → attention.

    ``presence_provable=False`` (documents without a presence mechanism) qualifies a genuine verdict: it then
    says what was proven, "data authentic, chip not provable", and never the plain 真正.
    """
    verdict = _decide(checks, extra)
    presence = _chip_presence(checks, presence_provable)
    reasons = verdict.reasons
    if verdict.status is VerdictStatus.GENUINE and presence == "not_provable":
        reasons = (*reasons, CHIP_NOT_PROVABLE)
    return Verdict(verdict.status, reasons, presence)


def _decide(checks: list[Check], extra: list[Reason] | None) -> Verdict:
    failed = [c for c in checks if c.status is CheckStatus.FAILED]
    if failed:
        return Verdict(
            VerdictStatus.NOT_GENUINE,
            tuple(Reason(c.name, f"{c.title_ja}：{c.detail_ja}", f"{c.title_en}: {c.detail_en}") for c in failed),
        )
    attention = [
        c
        for c in checks
        if c.status is CheckStatus.WARNING
        or (c.required and c.status in (CheckStatus.NOT_VERIFIABLE, CheckStatus.SKIPPED))
    ]
    reasons = [Reason(c.name, f"{c.title_ja}：{c.detail_ja}", f"{c.title_en}: {c.detail_en}") for c in attention]
    reasons += extra or []
    if reasons:
        return Verdict(VerdictStatus.ATTENTION, tuple(reasons))
    if not any(c.required and c.status is CheckStatus.PASSED for c in checks):
        return Verdict(
            VerdictStatus.ATTENTION,
            (Reason("no_checks", "検証が行われていません", "nothing was verified"),),
        )
    return Verdict(
        VerdictStatus.GENUINE,
        (Reason("all_passed", "すべての必須検証に合格しました", "every required check passed"),),
    )


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date as read: ISO form (None when empty or impossible), Japanese display form, raw form."""

    iso: str | None
    display_ja: str
    raw: str = ""
    flags: tuple[str, ...] = ()  # e.g. ("past_era_end",), ("empty",)

    def to_json(self) -> dict[str, Any]:
        return {"iso": self.iso, "display_ja": self.display_ja, "raw": self.raw, "flags": list(self.flags)}


@dataclass(frozen=True, slots=True)
class Image:
    mime: str  # image/png, image/jp2, image/jpeg
    data: bytes
    description: str = ""

    def to_json(self, *, include_data: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "mime": self.mime,
            "bytes": len(self.data),
            "sha256": hashlib.sha256(self.data).hexdigest(),
            "description": self.description,
        }
        if include_data:
            out["data_base64"] = base64.b64encode(self.data).decode()
        return out


@dataclass(frozen=True, slots=True)
class ReadStats:
    apdus: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    seconds: float = 0.0
    extended_length: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "apdus": self.apdus,
            "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received,
            "seconds": round(self.seconds, 4),
            "extended_length": self.extended_length,
        }


@dataclass
class ReadResult:
    """Everything a read established. ``fields`` holds document-specific decoded items."""

    document: str  # "mynumber" | "license" | "mynumber_license" | "residence" | "passport"
    name: str | None = None
    name_kana: str | None = None
    address: str | None = None
    birth_date: DateValue | None = None
    sex: str | None = None  # "male" | "female" | "not_applicable" | "unknown" | raw
    card_expiry: DateValue | None = None
    photo: Image | None = None
    images: dict[str, Image] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    verdict: Verdict | None = None
    stats: ReadStats = field(default_factory=ReadStats)
    #: False for documents with no published way to prove their chip is the original (the IC licence): their
    #: best verdict is "data authentic, chip not provable". Kept here so every recomputation honours it.
    presence_provable: bool = True

    def finish(self, extra: list[Reason] | None = None) -> ReadResult:
        self.verdict = decide(self.checks, extra, presence_provable=self.presence_provable)
        return self

    def to_json(self, *, include_images: bool = True) -> dict[str, Any]:
        def enc(v: Any) -> Any:
            if hasattr(v, "to_json"):
                return v.to_json()
            if isinstance(v, dict):
                return {k: enc(x) for k, x in v.items()}
            if isinstance(v, list | tuple):
                return [enc(x) for x in v]
            if isinstance(v, bytes):
                return v.hex().upper()
            return v

        return {
            "schema": "taimen.read/1",
            "document": self.document,
            "name": self.name,
            "name_kana": self.name_kana,
            "address": self.address,
            "birth_date": enc(self.birth_date),
            "sex": self.sex,
            "card_expiry": enc(self.card_expiry),
            "photo": self.photo.to_json(include_data=include_images) if self.photo else None,
            "images": {k: v.to_json(include_data=include_images) for k, v in self.images.items()},
            "fields": enc(self.fields),
            "checks": [c.to_json() for c in self.checks],
            "verdict": self.verdict.to_json() if self.verdict else None,
            "stats": self.stats.to_json(),
        }
