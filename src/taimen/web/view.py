"""What the result screen shows, computed from a ``ReadResult`` and the fields printed on the card face."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from taimen.documents import UnlockField, strip_spaces
from taimen.result import Check, CheckStatus, DateValue, ReadResult, VerdictStatus
from taimen.web.i18n import pick, translator

STATUS_ICON = {
    CheckStatus.PASSED: "✔",
    CheckStatus.FAILED: "✖",
    CheckStatus.WARNING: "⚠",
    CheckStatus.NOT_VERIFIABLE: "？",
    CheckStatus.SKIPPED: "－",
}
VERDICT_ICON = {
    VerdictStatus.GENUINE: "✔",
    VerdictStatus.ATTENTION: "⚠",
    VerdictStatus.NOT_GENUINE: "✖",
    "genuine_data_only": "✔",  # signed data authentic, chip not provable (licence): same mark, own label and style
}

#: The common fields of every document, in display order: (key, i18n key).
COMMON_FIELDS = (
    ("name", "f_name"),
    ("name_kana", "f_name_kana"),
    ("address", "f_address"),
    ("birth_date", "f_birth_date"),
    ("sex", "f_sex"),
    ("card_expiry", "f_card_expiry"),
)
DATE_FIELDS = frozenset({"birth_date", "card_expiry"})
SEX_WORDS = {
    "male": "sex_male",
    "female": "sex_female",
    "not_applicable": "sex_not_applicable",
    "unknown": "sex_unknown",
}
#: What a printed sex may look like on a card face, mapped to the chip's vocabulary.
PRINTED_SEX = {"男": "male", "女": "female", "male": "male", "female": "female", "m": "male", "f": "female"}


@dataclass(frozen=True, slots=True)
class FieldRow:
    key: str
    label: str
    chip: str
    printed: str
    match: str  # "yes" | "no" | "doubt" (OCR unsure: look by eye) | "none" (nothing printed to compare)


@dataclass(frozen=True, slots=True)
class CheckRow:
    name: str
    status: str
    status_text: str
    icon: str
    title: str
    detail: str
    covers: str
    not_covered: str
    required: bool


def normalize_text(s: str) -> str:
    """Comparison form of printed and chip text: NFKC (full-width digits), no spaces of any width."""
    return "".join(unicodedata.normalize("NFKC", s).split()).casefold()


def _printed_date(text: str) -> date | None:
    from taimen import wareki

    text = text.strip()
    try:
        return date.fromisoformat(unicodedata.normalize("NFKC", text))
    except ValueError:
        pass
    try:
        return wareki.parse_ja(text)
    except (ValueError, KeyError):
        return None


def _chip_text(result: ReadResult, key: str, lang: str) -> str:
    value = getattr(result, key, None)
    if value is None:
        return ""
    if isinstance(value, DateValue):
        if lang == "en":
            return value.iso or value.display_ja or value.raw
        return f"{value.display_ja}（{value.iso}）" if value.iso and value.display_ja else value.display_ja or value.raw
    if key == "sex":
        word = SEX_WORDS.get(str(value))
        return translator(lang)(word) if word else str(value)
    return str(value)


def _match(result: ReadResult, key: str, printed: str) -> str:
    if not printed:
        return "none"
    chip = getattr(result, key, None)
    if chip is None:
        return "no"
    if isinstance(chip, DateValue):
        d = _printed_date(printed)
        return "yes" if d is not None and chip.iso == d.isoformat() else "no"
    if key == "sex":
        return "yes" if PRINTED_SEX.get(normalize_text(printed)) == chip else "no"
    return "yes" if normalize_text(printed) == normalize_text(str(chip)) else "no"


#: The chip-vs-face check (taimen.compare) that decides each row, when the cross-check ran.
FACE_CHECKS = {
    "name": "face.name",
    "address": "face.address",
    "birth_date": "face.birth_date",
    "sex": "face.sex",
    "card_expiry": "face.expiry",
}
CHECK_MATCH = {
    CheckStatus.PASSED: "yes",
    CheckStatus.FAILED: "no",
    CheckStatus.WARNING: "doubt",
    CheckStatus.NOT_VERIFIABLE: "doubt",
    CheckStatus.SKIPPED: "none",
}


def field_rows(result: ReadResult, printed: dict[str, str], lang: str) -> list[FieldRow]:
    """Chip beside printed values. The cross-check's verdict on a field wins; else a plain comparison."""
    t = translator(lang)
    by_name = {c.name: c for c in result.checks}
    rows = []
    for key, label in COMMON_FIELDS:
        chip = _chip_text(result, key, lang)
        raw = printed.get(key, "")
        if not chip and not raw:
            continue
        check = by_name.get(FACE_CHECKS[key])
        if result.document == "residence":
            chip, check = _residence_row(result, key, chip, check, by_name, lang)
        match = CHECK_MATCH[check.status] if check is not None and raw else _match(result, key, raw)
        if not _chip_text(result, key, lang) and raw and (check is None or check.status is CheckStatus.SKIPPED):
            match = "image"  # the chip keeps this item as an image only: nothing to compare as text
        rows.append(FieldRow(key, t(label), chip, _printed_text(key, raw, lang), match))
    if result.document == "residence":
        rows += _residence_rows(result, printed, by_name, lang)
    return rows


def printed_doubts(ocr: Any, lang: str) -> dict[str, str]:
    """Why OCR doubted each printed value it read (cut off, glare, two candidates …), keyed by result row, with
    the other place it could not tell from an address's, so the clerk knows what to look at on the card."""
    if ocr is None:
        return {}
    from taimen.ocr.fieldread import doubt_words
    from taimen.web.hooks import PRINTED_FIELDS

    ja = lang == "ja"
    out = {}
    for ocr_key, key in PRINTED_FIELDS.items():
        reading = getattr(ocr, "fields", {}).get(ocr_key)
        if reading is None or not reading.value or not reading.doubtful:
            continue
        text = doubt_words(reading.reasons, reading.confidence)[0 if ja else 1]
        rival = reading.extra.get("rival")
        if rival:
            text += f"（ほかの候補：{rival}）" if ja else f" (the other candidate: {rival})"
        out[key] = text
    return out


def _residence_rows(
    result: ReadResult, printed: dict[str, str], by_name: dict[str, Check], lang: str
) -> list[FieldRow]:
    """The end of the period of stay, chip (gen 2 text, or gen 1's front image read by OCR) beside print."""
    from taimen.web.residence_view import show_date

    t = translator(lang)
    raw = printed.get("period", "")
    end = result.fields.get("period_expiry")
    chip = show_date(end, lang) if end is not None else ""
    check = by_name.get("face.period") or by_name.get("face.front.period")
    if not chip and check is not None and check.name == "face.front.period":
        chip = t("chip_front_image")
    if not chip and not raw:
        return []
    d = _printed_date(raw) if raw else None
    if check is not None and raw:
        match = CHECK_MATCH[check.status]
    elif not raw:
        match = "none"
    elif not chip:
        match = "image"
    else:  # no cross-check ran: equal dates match, anything else is for the eye
        iso = end.get("iso") if isinstance(end, dict) else getattr(end, "iso", None)
        match = "yes" if d is not None and d.isoformat() == iso else "doubt"
    shown = raw
    if d is not None:
        shown = show_date(d.isoformat(), lang)
    return [FieldRow("period", t("rc_period"), chip, shown, match)]


#: Residence gen 1: the items read off the chip's front image (taimen.compare's face.front.* checks).
FRONT_CHECKS = {
    "name": "face.front.name",
    "birth_date": "face.front.birth_date",
    "sex": "face.front.sex",
    "card_expiry": "face.front.expiry",
}


def _residence_row(
    result: ReadResult, key: str, chip: str, check: Check | None, by_name: dict[str, Check], lang: str
) -> tuple[str, Check | None]:
    """A residence card keeps name and address as images (gen 2) or the whole front as an image (gen 1):
    the chip column says so, and the front image's reading decides the match where it was compared. The
    address column lists every entry of the back, newest first, since the front shows the one at issue."""
    t = translator(lang)
    front = by_name.get(FRONT_CHECKS.get(key, ""))
    if not chip and front is not None:
        return t("chip_front_image"), front
    entries = [e for e in result.fields.get("address_entries") or [] if isinstance(e, dict) and e.get("address")]
    if key == "address" and entries:
        from taimen.web.residence_view import show_date

        shown = [f"{show_date(e.get('date'), lang)}：{e['address']}" for e in reversed(entries)]
        return " ／ ".join(shown), check
    if not chip and key in ("name", "address") and f"{key}" in result.images:
        return t("chip_image_only"), check
    return chip, check


def _printed_text(key: str, raw: str, lang: str) -> str:
    """Printed values shown like the chip's, so the two columns read alike (dates in both calendars)."""
    if key in DATE_FIELDS and raw:
        d = _printed_date(raw)
        if d is not None:
            if lang == "en":
                return d.isoformat()
            from taimen import wareki

            shown = wareki.format_seireki(d) if key == "card_expiry" else wareki.format_ja(d)
            return f"{shown}（{d.isoformat()}）"
    if key == "sex" and raw:
        word = SEX_WORDS.get(PRINTED_SEX.get(normalize_text(raw), ""))
        return translator(lang)(word) if word else raw
    return raw


#: Problems first: the clerk reads from the top.
SEVERITY = {
    CheckStatus.FAILED: 0,
    CheckStatus.WARNING: 1,
    CheckStatus.NOT_VERIFIABLE: 2,
    CheckStatus.SKIPPED: 3,
    CheckStatus.PASSED: 4,
}


def check_rows(checks: list[Check], lang: str) -> list[CheckRow]:
    t = translator(lang)
    ordered = sorted(checks, key=lambda c: SEVERITY[c.status])  # stable: the document's order within a status
    return [
        CheckRow(
            name=c.name,
            status=str(c.status),
            status_text=t(f"st_{c.status}"),
            icon=STATUS_ICON[c.status],
            title=pick(lang, c.title_ja, c.title_en),
            detail=pick(lang, c.detail_ja, c.detail_en),
            covers="、".join(c.covers) if lang == "ja" else ", ".join(c.covers),
            not_covered="、".join(c.not_covered) if lang == "ja" else ", ".join(c.not_covered),
            required=c.required,
        )
        for c in ordered
    ]


def other_fields(result: ReadResult) -> list[tuple[str, str]]:
    """Document-specific fields, flattened for a simple table (large binary values left out)."""
    out: list[tuple[str, str]] = []

    def walk(prefix: str, v: Any) -> None:
        if len(out) >= 200:
            return
        if isinstance(v, dict):
            for k, x in v.items():
                walk(f"{prefix}.{k}" if prefix else str(k), x)
        elif isinstance(v, list | tuple):
            if all(not isinstance(x, dict | list | tuple) for x in v):
                out.append((prefix, "、".join(_scalar(x) for x in v)))
            else:
                for i, x in enumerate(v):
                    walk(f"{prefix}[{i}]", x)
        else:
            out.append((prefix, _scalar(v)))

    walk("", result.fields)
    return [(k, v) for k, v in out if v]


def _scalar(v: Any) -> str:
    if isinstance(v, bytes | bytearray):
        return f"{len(v)} bytes" if len(v) > 32 else bytes(v).hex().upper()
    if isinstance(v, DateValue):
        return f"{v.display_ja}（{v.iso}）" if v.iso and v.display_ja else v.display_ja or v.iso or v.raw
    if hasattr(v, "to_json"):
        return str(v.to_json())
    return "" if v is None else str(v)


#: Words a document may use as choice values in an unlock field, shown in the clerk's language.
CHOICE_WORDS = {"wareki": ("和暦", "Japanese era"), "seireki": ("西暦", "Gregorian")}
_CHOICES = re.compile(r"\^\(([A-Za-z0-9_]+(?:\|[A-Za-z0-9_]+)+)\)(\?)?\$")
_DIGITS = re.compile(r"\^(?:\\d|\[0-9\])\{\d+(?:,\d+)?\}\$")


@dataclass(frozen=True, slots=True)
class UnlockInput:
    key: str
    label: str
    hint: str
    value: str
    pattern: str
    optional: bool
    masked: bool  # a memorised PIN the customer types ("pin1", "license_pin"): never shown
    numeric: bool
    choices: tuple[tuple[str, str], ...]  # (value, label) when the field is a fixed choice
    upper: bool = False  # letters in upper case only (the residence card number): the screen upper-cases them


def unlock_field(f: UnlockField, value: str, lang: str) -> UnlockInput:
    m = _CHOICES.fullmatch(f.pattern)
    choices: tuple[tuple[str, str], ...] = ()
    if m:
        choices = tuple((w, pick(lang, *CHOICE_WORDS[w]) if w in CHOICE_WORDS else w) for w in m.group(1).split("|"))
    return UnlockInput(
        key=f.key,
        label=pick(lang, f.label_ja, f.label_en),
        hint=pick(lang, f.hint_ja, f.hint_en),
        value=value,
        pattern=f.pattern,
        optional=f.optional or bool(m and m.group(2)),
        masked=any(part.startswith("pin") for part in f.key.lower().split("_")),
        numeric=bool(_DIGITS.fullmatch(f.pattern)),
        choices=choices,
        upper=_upper_only(f.pattern),
    )


def _upper_only(pattern: str) -> bool:
    return "A-Z" in pattern and "a-z" not in pattern


def normalise_unlock(f: UnlockField, value: str) -> str:
    """What the clerk typed, in the form the field's pattern expects. A field of upper-case letters (the
    residence card number, e.g. ``ab 1234 5678 cd`` or full-width) is NFKC-folded, upper-cased and freed of
    spaces and hyphens; other fields are only stripped."""
    value = strip_spaces(value)  # controls such as a trailing newline stay, to be refused by the pattern
    if _upper_only(f.pattern):
        folded = unicodedata.normalize("NFKC", value).upper()
        value = "".join(ch for ch in folded if ch not in " -")
    return value


def summary(checks: list[Check], lang: str) -> str:
    """ "検証15件：合格15、注意1" — the checks counted by status, in words."""
    t = translator(lang)
    parts = []
    for status in (
        CheckStatus.FAILED,
        CheckStatus.WARNING,
        CheckStatus.NOT_VERIFIABLE,
        CheckStatus.PASSED,
        CheckStatus.SKIPPED,
    ):
        n = sum(1 for c in checks if c.status is status)
        if n:
            parts.append(t("summary_part", label=t(f"st_{status}"), count=n))
    return t("summary", n=len(checks), parts=("、" if lang == "ja" else ", ").join(parts))


def when(moment: datetime | None, lang: str) -> str:
    if moment is None:
        return ""
    if lang == "ja":
        from taimen import wareki

        return f"{wareki.format_ja(moment.date())} {moment:%H:%M:%S}"
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def image_labels(names: list[str], lang: str) -> list[tuple[str, str]]:
    t = translator(lang)
    known = {"name": "img_name", "address": "img_address"}
    return [(n, t(known[n]) if n in known else n) for n in names]
