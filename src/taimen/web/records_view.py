"""What the records screens show: labels for stored values, the rows of a record, search parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from taimen import documents, wareki
from taimen.web.i18n import pick, translator

VERDICT_LABELS = {
    "genuine": ("真正", "Genuine"),
    "genuine_data_only": ("データ真正（チップ未証明）", "Data authentic, chip not provable"),
    "attention": ("要確認", "Attention"),
    "not_genuine": ("真正でない", "Not genuine"),
}
VERDICT_ICONS = {"genuine": "✔", "genuine_data_only": "✔", "attention": "⚠", "not_genuine": "✖"}
#: What the search's verdict filter offers (the store keeps the status; "data only" is shown, not stored).
VERDICT_FILTER = ("genuine", "attention", "not_genuine")


def presence_checks(checks: Any) -> list[Any]:
    return [c for c in checks if c.name.endswith("presence")]


def verdict_kind(verdict: str, checks: Any, chip_presence: str | None = None) -> str:
    """The verdict as the result screen showed it: "genuine" whose chip could not be proven is told apart.

    The record keeps the status and the checks; a genuine verdict without a passed presence check can only be
    the data-only kind (a document whose chip cannot prove itself), as taimen.result decides it.
    """
    if chip_presence is not None:  # kept by the record itself (older records: judged by their checks)
        return "genuine_data_only" if verdict == "genuine" and chip_presence != "proven" else verdict
    found = presence_checks(checks)
    if verdict == "genuine" and not (found and all(c.status == "passed" for c in found)):
        return "genuine_data_only"
    return verdict


#: Documents the store may hold that this build cannot read (records made elsewhere, e.g. by the CLI).
OTHER_DOCUMENTS = {"residence": ("在留カード", "residence card"), "passport": ("旅券", "passport")}
STATUS_WORDS = {
    "passed": "st_passed",
    "failed": "st_failed",
    "warning": "st_warning",
    "not_verifiable": "st_not_verifiable",
    "skipped": "st_skipped",
}
PAGE_SIZE = 25

#: The operator's free fields: (form name, i18n label, longest accepted value).
BUSINESS_FIELDS = (
    ("transaction_type", "f_transaction_type", 100),
    ("purpose", "f_purpose", 200),
    ("occupation", "f_occupation", 100),
    ("reference", "f_reference", 100),
    ("note", "f_note", 500),
)
COUNTER_MAX = 100
DOCUMENT_NUMBER_MAX = 40


def document_title(key: str, lang: str) -> str:
    doc = documents.registry().get(key)
    if doc is not None:
        return pick(lang, doc.title_ja, doc.title_en)
    if key in OTHER_DOCUMENTS:
        return pick(lang, *OTHER_DOCUMENTS[key])
    return key


def document_choices(lang: str) -> list[tuple[str, str]]:
    keys = list(documents.registry()) + [k for k in OTHER_DOCUMENTS if k not in documents.registry()]
    return [(k, document_title(k, lang)) for k in keys]


def verdict_label(status: str, lang: str) -> str:
    return pick(lang, *VERDICT_LABELS[status]) if status in VERDICT_LABELS else status


def when(value: datetime | None, lang: str) -> str:
    if value is None:
        return ""
    local = value.astimezone() if value.tzinfo is not None else value
    return local.strftime("%Y年%m月%d日 %H:%M:%S" if lang == "ja" else "%Y-%m-%d %H:%M:%S")


def iso_date(value: str | None, lang: str) -> str:
    """A stored ISO date shown with its Japanese era in Japanese (as the card prints it)."""
    if not value:
        return ""
    if lang != "ja":
        return value
    try:
        d = date.fromisoformat(value)
    except ValueError:
        return value
    try:
        return f"{wareki.format_ja(d)}（{value}）"
    except (ValueError, KeyError):  # a date before Meiji: the ISO form is enough
        return value


def role_label(role: str, lang: str) -> str:
    key = f"role_{role}"
    t = translator(lang)
    try:
        return t(key)
    except KeyError:
        return role


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    value: str
    key: str = ""


def signature_summary(checks: Any, lang: str, chip_presence: str | None = None) -> tuple[str, str]:
    """(signatures, presence) in words: presence as the record says it (older records: from their checks)."""
    t = translator(lang)
    sig = [c for c in checks if c.name.endswith((".signature", ".digest"))]
    passed = sum(1 for c in sig if c.status == "passed")
    signatures = f"{passed} / {len(sig)} {t('st_passed')}" if sig else t("st_skipped")
    found = presence_checks(checks)
    if chip_presence is not None:
        presence = t(
            {"proven": "presence_proven", "not_provable": "presence_unsupported"}.get(
                chip_presence, "presence_not_proven"
            )
        )
    elif not found or all(c.status == "not_verifiable" for c in found):
        presence = t("presence_unsupported")
    elif all(c.status == "passed" for c in found):
        presence = t("presence_proven")
    else:
        presence = t("presence_not_proven")
    return signatures, presence


def status_word(status: str, lang: str) -> str:
    key = STATUS_WORDS.get(status)
    return translator(lang)(key) if key else status


def chip_rows(d: Any, lang: str) -> list[Row]:
    """The 本人特定事項 and the document, as the chip gave them (never editable)."""
    t = translator(lang)
    rows = [
        Row(t("f_name"), d.name or "", "name"),
        Row(t("f_name_kana"), d.name_kana or "", "name_kana"),
        Row(t("f_address"), d.address or "", "address"),
        Row(t("f_birth_date"), iso_date(d.birth_date, lang), "birth_date"),
        Row(t("record_document"), document_title(d.document, lang), "document"),
        Row(t("f_card_expiry"), iso_date(d.expiry, lang), "expiry"),
    ]
    return [r for r in rows if r.value or r.key in ("name", "address", "birth_date")]


def method_rows(d: Any, lang: str) -> list[Row]:
    t = translator(lang)
    signatures, presence = signature_summary(d.checks, lang, d.chip_presence)
    return [
        Row(t("record_presented_at"), when(d.presented_at, lang), "presented_at"),
        Row(t("record_method"), t("record_method_ic") if d.method == "ic_chip_read" else d.method, "method"),
        Row(t("record_signatures"), signatures, "signatures"),
        Row(t("record_presence"), presence, "presence"),
    ]


@dataclass(frozen=True, slots=True)
class SearchForm:
    """The 記録一覧 search as typed (strings, for refilling the form) and the problems found in it."""

    values: dict[str, str]
    page: int
    errors: list[str]
    presented_from: date | None
    presented_to: date | None

    @property
    def active(self) -> bool:
        return any(self.values.values())


SEARCH_KEYS = ("name", "kana", "from", "to", "document", "operator", "verdict")


def parse_search(params: Any, lang: str) -> SearchForm:
    t = translator(lang)
    values = {k: str(params.get(k, "")).strip()[:100] for k in SEARCH_KEYS}
    errors: list[str] = []
    dates: dict[str, date | None] = {"from": None, "to": None}
    for key, label in (("from", "q_from"), ("to", "q_to")):
        if values[key]:
            try:
                dates[key] = date.fromisoformat(values[key])
            except ValueError:
                errors.append(f"{t(label)}: {t('field_invalid')}")
                values[key] = ""
    if values["verdict"] not in ("", *VERDICT_FILTER):
        values["verdict"] = ""
    if values["document"] and values["document"] not in dict(document_choices(lang)):
        values["document"] = ""
    try:
        page = max(1, min(int(str(params.get("page", "1"))), 100_000))
    except ValueError:
        page = 1
    return SearchForm(values, page, errors, dates["from"], dates["to"])
