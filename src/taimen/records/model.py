"""確認記録 (verification records): the public model shared by the store, the CLI and the web pages.

A ``RecordDraft`` is what the operator confirms on the result screen; ``RecordStore.save`` turns it into a
stored, encrypted, chained ``Record``. ``draft_from_result`` is the only way from a ``ReadResult`` to a draft
and takes only what 犯収法 施行規則20条1項 wants: never the 個人番号, PINs, 照合番号B, the security code, or a
card number that only served as an unlock key.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from taimen.result import CheckStatus, Image, ReadResult

if TYPE_CHECKING:
    from taimen.records.keys import KeySource


class Role(StrEnum):
    OPERATOR = "operator"  # counter operator: saves records, sees only what they just saved
    SUPERVISOR = "supervisor"  # browses, opens, exports, corrects; manages accounts
    AUDITOR = "auditor"  # reads and verifies; changes nothing and exports nothing


@dataclass(frozen=True, slots=True)
class Operator:
    """An account: who did something. ``name`` is the login and the name written into records."""

    name: str
    display_name: str
    role: Role
    staff_id: str = ""  # the business's own staff number
    active: bool = True


class Retention(StrEnum):
    HANSHU = "hanshu_7y"  # 犯収法 6条: 7 years from the record's creation
    KEITAI = "keitai_3y_after_contract"  # 携帯電話不正利用防止法: 3 years after the contract ends


@dataclass(frozen=True, slots=True)
class BusinessFields:
    """What the operator enters for the business (施行規則20条1項: 取引の種類, 目的, 職業, a search key)."""

    transaction_type: str = ""  # 取引の種類
    purpose: str = ""  # 取引を行う目的
    occupation: str = ""  # 職業
    reference: str = ""  # customer or transaction reference (a search key into the business's own records)
    contract_end: date | None = None  # 携帯法: retention runs 3 years from here; set later as a correction
    note: str = ""


@dataclass(frozen=True, slots=True)
class CheckSummary:
    """One check as the record keeps it: no card bytes, only what was proven."""

    name: str
    status: str  # CheckStatus value
    title_ja: str
    required: bool
    title_en: str = ""  # empty in records saved before English was kept

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_ja


@dataclass(frozen=True, slots=True)
class ReasonSummary:
    code: str
    ja: str
    en: str = ""  # empty in records saved before English was kept

    def text(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.ja


@dataclass(frozen=True, slots=True)
class RecordDraft:
    """A record the operator has confirmed but not yet saved. Values the operator may correct are plain fields."""

    idempotency_key: str  # created at the counter; saving the same draft twice stores one record
    presented_at: datetime  # when the document was presented (aware datetime)
    operator: str  # Operator.name of who checked
    counter: str  # counter / branch id
    document: str  # ReadResult.document: "mynumber", "license", "mynumber_license", "residence", "passport"
    document_generation: str | None  # e.g. the licence spec version; None when the card does not say
    method: str  # "ic_chip_read" (from 2027: "ICチップ情報を読み取って画面表示")
    checks: tuple[CheckSummary, ...]
    verdict: str  # VerdictStatus value
    reasons: tuple[ReasonSummary, ...]
    name: str | None
    name_kana: str | None
    address: str | None
    birth_date: str | None  # ISO
    document_number: str | None  # 記号番号 (licence / residence card / passport number); never the 個人番号
    expiry: str | None  # ISO
    business: BusinessFields = BusinessFields()
    retention: Retention = Retention.HANSHU
    images: Mapping[str, Image] = field(default_factory=dict)  # only when the business keeps images
    #: taimen.result.CHIP_PRESENCE: "proven", "not_proven" or "not_provable" (the document has no way to prove
    #: its chip, e.g. the licence: a genuine verdict then means "data authentic, chip not provable").
    #: None only in records saved before it was kept.
    chip_presence: str | None = None

    def with_changes(self, **changes: Any) -> RecordDraft:
        """A copy with operator corrections applied (before saving)."""
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Record:
    """A stored record version, decrypted. ``id`` names this version; ``root_id`` the first version."""

    id: str
    version: int
    root_id: str
    supersedes: str | None  # id of the version this one corrects
    superseded_by: str | None  # id of the newer version, if any (filled by the store when known)
    created_at: datetime
    created_by: str  # who made this version (operator of the save, or the supervisor of a correction)
    correction_reason: str | None
    draft: RecordDraft  # every recorded value
    pending: bool = False  # True while queued locally (store unreachable); delivered later exactly once

    # shortcuts used by pages and exports
    @property
    def name(self) -> str | None:
        return self.draft.name

    @property
    def name_kana(self) -> str | None:
        return self.draft.name_kana

    @property
    def address(self) -> str | None:
        return self.draft.address

    @property
    def birth_date(self) -> str | None:
        return self.draft.birth_date

    @property
    def document(self) -> str:
        return self.draft.document

    @property
    def document_number(self) -> str | None:
        return self.draft.document_number

    @property
    def verdict(self) -> str:
        return self.draft.verdict

    @property
    def operator(self) -> str:
        return self.draft.operator

    @property
    def counter(self) -> str:
        return self.draft.counter

    @property
    def presented_at(self) -> datetime:
        return self.draft.presented_at


#: Documents whose 記号番号 is a 12-digit licence number (which may pass the 個人番号 check digit by chance).
LICENCE_DOCUMENTS = frozenset({"license", "mynumber_license"})

#: Fields ``RecordStore.correct`` accepts: what the operator entered, never what the chip proved.
CORRECTABLE = frozenset(
    {"transaction_type", "purpose", "occupation", "reference", "contract_end", "note", "document_number"}
)


@dataclass(frozen=True, slots=True)
class RecordQuery:
    name: str | None = None  # whole name or one of its space-separated parts (exact after normalising)
    kana: str | None = None
    presented_from: date | None = None  # inclusive
    presented_to: date | None = None  # inclusive
    document: str | None = None
    operator: str | None = None
    verdict: str | None = None
    include_superseded: bool = False  # by default only the newest version of each record
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class AccessEntry:
    at: datetime
    actor: str
    action: str  # "save" | "correct" | "view" | "search" | "export" | "purge" | "rotate_key" | "account"
    record_ids: tuple[str, ...]
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    entries: int  # chain entries checked
    records: int  # record versions present
    tombstones: int
    head: str  # hex of the last entry's hash: note it outside the database to detect tail truncation
    first_broken: int | None = None  # sequence number (1-based) of the first bad link
    broken_id: str | None = None  # record id at that link, when known
    problem: str = ""  # English
    problem_ja: str = ""


@dataclass(frozen=True, slots=True)
class PurgeReport:
    purged: tuple[str, ...]  # record version ids deleted (a tombstone is chained for each)
    kept: int


class RecordStore(Protocol):
    """The store API. Every method takes the acting ``Operator`` and enforces its role."""

    def save(self, draft: RecordDraft, actor: Operator) -> Record: ...

    def correct(self, record_id: str, changes: Mapping[str, Any], actor: Operator, *, reason: str) -> Record: ...

    def search(self, query: RecordQuery, actor: Operator) -> list[Record]: ...

    def get(self, record_id: str, actor: Operator) -> Record: ...

    def history(self, record_id: str, actor: Operator) -> list[Record]: ...

    def export_records(self, ids: Sequence[str], fmt: str, actor: Operator) -> list[Record]: ...

    def has_accounts(self) -> bool: ...

    def access_log(self, actor: Operator, *, record_id: str | None = None, limit: int = 200) -> list[AccessEntry]: ...

    def verify_chain(self) -> ChainReport: ...

    def purge(self, now: datetime, actor: Operator | None = None) -> PurgeReport: ...

    def rotate_key(self, new_key: KeySource, actor: Operator) -> None: ...

    def create_account(
        self,
        name: str,
        password: str,
        role: Role,
        *,
        display_name: str = "",
        staff_id: str = "",
        actor: Operator | None = None,
    ) -> Operator: ...

    def authenticate(self, name: str, password: str) -> Operator: ...

    def accounts(self, actor: Operator) -> list[Operator]: ...

    def deliver_queued(self) -> int: ...

    def queued(self) -> int: ...

    def close(self) -> None: ...


def _summary_checks(result: ReadResult) -> tuple[CheckSummary, ...]:
    return tuple(CheckSummary(c.name, str(c.status), c.title_ja, c.required, c.title_en) for c in result.checks)


def document_number_of(result: ReadResult) -> str | None:
    """The 記号番号 the law wants, when the chip gave one that is not the 個人番号.

    My Number Card: none (its only number is the 個人番号, which must never be recorded). Licence: the
    licence number. Residence card / passport: their document numbers. A residence card number is also
    the card's unlock key, but it is the document number the law asks for, so it is kept (encrypted).
    """
    if result.document == "mynumber":
        return None
    f = result.fields
    lic = f.get("license_number")
    if isinstance(lic, Mapping) and isinstance(lic.get("number"), str):
        return str(lic["number"])
    for key in ("residence_card_number", "card_number", "passport_number", "document_number"):
        v = f.get(key)
        if isinstance(v, str) and v:
            return v
    return None


def _generation(result: ReadResult) -> str | None:
    v = result.fields.get("spec_version")
    return str(v) if v not in (None, "") else None


def draft_from_result(
    result: ReadResult,
    *,
    document_key: str,
    operator: str,
    counter: str,
    presented_at: datetime,
    keep_images: bool,
    business: BusinessFields | None = None,
    document_number: str | None = None,
    retention: Retention = Retention.HANSHU,
    idempotency_key: str | None = None,
) -> RecordDraft:
    """The draft the operator confirms. Reads only the fields listed here from ``result``.

    ``document_number`` overrides what the chip gave (e.g. a passport number typed by the operator). It is
    refused on a My Number Card, whose only number is the 個人番号.
    """
    if presented_at.tzinfo is None:
        raise ValueError("presented_at must be timezone-aware")
    number = document_number if document_number is not None else document_number_of(result)
    kojin = number is not None and document_key not in LICENCE_DOCUMENTS and looks_like_kojin_bangou(number)
    if number and (document_key == "mynumber" or kojin):
        raise ValueError("a My Number Card has no 記号番号 to record; the 個人番号 is never recorded")
    verdict = result.verdict
    images: dict[str, Image] = {}
    if keep_images:
        if result.photo is not None:
            images["photo"] = result.photo
        for k, img in result.images.items():
            if k in ("name", "address"):  # 券面AP name/address images: what the chip shows of the face
                images[k] = img
    return RecordDraft(
        idempotency_key=idempotency_key or uuid.uuid4().hex,
        presented_at=presented_at,
        operator=operator,
        counter=counter,
        document=document_key or result.document,
        document_generation=_generation(result),
        method="ic_chip_read",
        checks=_summary_checks(result),
        verdict=str(verdict.status) if verdict else "attention",
        reasons=tuple(ReasonSummary(r.code, r.ja, r.en) for r in verdict.reasons) if verdict else (),
        chip_presence=verdict.chip_presence if verdict else "not_proven",
        name=result.name,
        name_kana=result.name_kana,
        address=result.address,
        birth_date=result.birth_date.iso if result.birth_date else None,
        document_number=number,
        expiry=result.card_expiry.iso if result.card_expiry else None,
        business=business or BusinessFields(),
        retention=retention,
        images=images,
    )


def looks_like_kojin_bangou(s: str) -> bool:
    digits = s.strip()
    if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
        return False
    body = [int(c) for c in digits[:11]]
    total = sum(d * (n + 1 if n <= 6 else n - 5) for n, d in enumerate(reversed(body), start=1))
    r = total % 11
    check = 0 if r <= 1 else 11 - r
    return check == int(digits[11])


__all__ = [
    "CORRECTABLE",
    "AccessEntry",
    "BusinessFields",
    "ChainReport",
    "CheckStatus",
    "CheckSummary",
    "Operator",
    "PurgeReport",
    "ReasonSummary",
    "Record",
    "RecordDraft",
    "RecordQuery",
    "RecordStore",
    "Retention",
    "Role",
    "document_number_of",
    "draft_from_result",
    "looks_like_kojin_bangou",
]
