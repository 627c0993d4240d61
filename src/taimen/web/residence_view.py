"""The residence card's and SPRC's panel on the result screen: what a clerk must see first.

在留資格, 在留期間 and its end (expired → red, in words), 就労制限の有無 as a badge, 資格外活動許可, the address
with its latest change, and the card number with 有効期間満了日 for the operator's 失効情報照会. Built only
from what the chip returned (``ReadResult.fields`` of ``taimen.residence``); the 1st generation keeps the
front of the card as an image only, so its status, period and work restriction are pointed at that image,
never guessed. Shows only what the card has: the SPRC has no status, period or work restriction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from taimen.result import DateValue, ReadResult
from taimen.web.i18n import pick, translator

SPRC = "special_permanent_resident_certificate"

#: 就労制限 (gen-2 tag CC, residence-card.md §1) → the badge: 1 none, 2/4 restricted, 9 not permitted.
WORK_BADGE = {"1": "free", "2": "limited", "4": "limited", "9": "none"}
BADGE_ICON = {"free": "◯", "limited": "△", "none": "✕", "unknown": "？"}


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    label: str
    value: str
    tone: str = ""  # "" | "bad" (red, e.g. expired) | "warn" | "ok"
    note: str = ""


@dataclass(frozen=True, slots=True)
class AddressEntry:
    date: str
    address: str
    municipality: str
    latest: bool


@dataclass
class ResidencePanel:
    kind: str  # residence_card | special_permanent_resident_certificate
    kind_label: str
    generation: int | None
    card_number: str
    items: list[Item] = field(default_factory=list)
    work_badge: str = ""  # "free" | "limited" | "none" | "unknown" | "" (not on this card)
    work_badge_label: str = ""
    work_badge_icon: str = ""
    work_detail: str = ""
    period_expired: bool = False
    addresses: list[AddressEntry] = field(default_factory=list)
    #: The chip's face images for display: "front" (gen 1) or "name"/"address" (gen 2), when converted.
    front_image: str | None = None  # image key shown beside the photographed face
    address_image: str | None = None
    #: 失効情報照会: what the operator types into ISA's form.
    lookup_number: str = ""
    lookup_expiry: str = ""
    lookup_expiry_iso: str = ""
    lookup_expiry_printed: bool = False  # taken from the printed face (gen 1 has no expiry on the chip)


def _get(d: Any, key: str) -> Any:
    return d.get(key) if isinstance(d, dict) else getattr(d, key, None)


def _coded(v: Any, lang: str) -> str:
    """{code, ja?, en?} as words when the card's code is known, else the raw code, marked as such."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    code, ja, en = _get(v, "code"), _get(v, "ja"), _get(v, "en")
    words = pick(lang, ja or "", en or ja or "")
    if words:
        return words
    return translator(lang)("rc_code", code=code) if code not in (None, "") else ""


def date_iso(v: Any) -> str | None:
    """The ISO date of a DateValue, its JSON form, or a YYYYMMDD/ISO string."""
    if v is None:
        return None
    if isinstance(v, DateValue):
        return v.iso
    if isinstance(v, dict):
        iso = v.get("iso")
        return iso if isinstance(iso, str) else None
    if isinstance(v, str):
        s = v.strip()
        if len(s) == 8 and s.isdigit():
            s = f"{s[:4]}-{s[4:6]}-{s[6:]}"
        try:
            return date.fromisoformat(s).isoformat()
        except ValueError:
            return None
    return None


def show_date(v: Any, lang: str) -> str:
    iso = date_iso(v)
    if iso is None:
        raw = _get(v, "raw") if not isinstance(v, str) else v
        return str(raw or "")
    if lang == "en":
        return iso
    from taimen import wareki

    d = date.fromisoformat(iso)
    return f"{wareki.format_seireki(d)}（{wareki.format_ja(d)}）"


def _period(v: Any, lang: str) -> str:
    if not v:
        return ""
    t = translator(lang)
    if _get(v, "indefinite"):
        return t("rc_indefinite")
    parts = []
    for unit in ("years", "months", "days"):
        n = _get(v, unit)
        if n:
            parts.append(t(f"rc_{unit}", n=n))
    return ("" if lang == "ja" else " ").join(parts) or str(_get(v, "raw") or "")


def _expired(v: Any, today: date) -> bool:
    flag = _get(v, "expired")
    if isinstance(flag, bool):
        return flag
    iso = date_iso(v)
    return iso is not None and date.fromisoformat(iso) < today


def _permission_outside(v: Any, lang: str) -> str:
    """資格外活動許可: the comprehensive permission (with its end) and whether an individual one exists."""
    if not v:
        return ""
    if isinstance(v, str):
        return v
    t = translator(lang)
    out = []
    comp = _get(v, "comprehensive")
    if comp:
        words = _coded(comp, lang)
        until = _get(v, "comprehensive_expiry") or _get(comp, "expiry")
        out.append(words + (t("rc_until", date=show_date(until, lang)) if until else ""))
    indiv = _get(v, "individual")
    if indiv is not None:
        has = _get(indiv, "exists") if not isinstance(indiv, bool | str) else indiv
        if isinstance(has, str):
            has = has == "1"
        out.append(t("rc_individual_yes") if has else t("rc_individual_no"))
    # gen 1: the 資格外活動許可欄 (包括・個別) as written on the back
    for key in ("comprehensive_text", "individual_text", "text", "entries"):
        val = _get(v, key)
        if isinstance(val, str) and val:
            out.append(val)
        elif isinstance(val, list):
            out.extend(str(x) for x in val if x)
    if not out:
        words = _coded(v, lang)
        if words:
            out.append(words)
    return " ／ ".join(out) if lang == "ja" else " / ".join(out)


def residence_panel(
    result: ReadResult,
    lang: str,
    image_keys: set[str],
    printed: dict[str, str] | None = None,
    today: date | None = None,
) -> ResidencePanel | None:
    """The panel for a residence card or SPRC result, or None for other documents."""
    if result.document != "residence" or not result.fields.get("generation"):
        return None  # another document, or nothing was read (a chip that refuted the number's key)
    t = translator(lang)
    f = result.fields
    today = today or date.today()
    kind = str(f.get("kind") or "residence_card")
    sprc = kind == SPRC
    gen = f.get("generation")
    generation = gen if isinstance(gen, int) else None
    number = str(f.get("card_number") or "")
    panel = ResidencePanel(
        kind=kind,
        kind_label=t("rc_kind_sprc" if sprc else "rc_kind_card"),
        generation=generation,
        card_number=number,
    )
    gen1 = generation == 1
    see_front = t("rc_see_front") if gen1 else ""

    if not sprc:
        status = _coded(f.get("status_of_residence"), lang)
        panel.items.append(Item("status", t("rc_status"), status or see_front, "" if status else "warn"))
        period = _period(f.get("period_of_stay"), lang)
        exp = f.get("period_expiry")
        if exp is not None:
            panel.period_expired = _expired(exp, today)
        ends = show_date(exp, lang) if exp is not None else ""
        value = period
        if ends:
            value = f"{period}（{t('rc_ends', date=ends)}）" if period else t("rc_ends", date=ends)
        panel.items.append(
            Item(
                "period",
                t("rc_period"),
                value or see_front,
                "bad" if panel.period_expired else ("" if value else "warn"),
                t("rc_period_expired") if panel.period_expired else "",
            )
        )
        work = f.get("work_restriction")
        code = str(_get(work, "code") or "") if work else ""
        if work:
            panel.work_badge = WORK_BADGE.get(code, "unknown")
            panel.work_detail = _coded(work, lang)
        else:
            panel.work_badge = "unknown"
            panel.work_detail = see_front or t("rc_not_recorded")
        panel.work_badge_label = t(f"rc_work_{panel.work_badge}")
        panel.work_badge_icon = BADGE_ICON[panel.work_badge]
        outside = _permission_outside(f.get("permission_outside_status"), lang)
        panel.items.append(Item("outside", t("rc_outside"), outside or t("rc_not_recorded")))
        renewal = f.get("renewal_application")
        if renewal:
            pending = _get(renewal, "pending")
            panel.items.append(
                Item(
                    "renewal",
                    t("rc_renewal"),
                    t("rc_renewal_pending") if pending else t("rc_renewal_none"),
                    "warn" if pending else "",
                    t("rc_renewal_note") if pending else "",
                )
            )
    nationality = _coded(f.get("nationality"), lang)
    if nationality:
        panel.items.append(Item("nationality", t("rc_nationality"), nationality))
    if result.card_expiry is not None:
        expired = _expired(result.card_expiry, today)
        panel.items.append(
            Item(
                "card_expiry",
                t("rc_card_expiry"),
                show_date(result.card_expiry, lang),
                "bad" if expired else "",
                t("rc_card_expired") if expired else "",
            )
        )
    perm = f.get("permission")
    if perm and not sprc:
        kind_of = _get(perm, "type")
        words = (t("rc_code", code=kind_of) if isinstance(kind_of, str) else _coded(kind_of, lang)) if kind_of else ""
        when = show_date(_get(perm, "date"), lang) if _get(perm, "date") else ""
        if words or when:
            panel.items.append(Item("permission", t("rc_permission"), " ".join(x for x in (words, when) if x)))

    entries = [e for e in f.get("address_entries") or [] if isinstance(e, dict)]
    for i, e in enumerate(entries):  # newest last on the card
        panel.addresses.append(
            AddressEntry(
                date=show_date(e.get("date"), lang) if e.get("date") else "",
                address=str(e.get("address") or ""),
                municipality=str(e.get("municipality_code") or ""),
                latest=i == len(entries) - 1,
            )
        )
    panel.addresses.reverse()  # the latest first: it is the one the clerk needs
    if "front" in image_keys:
        panel.front_image = "front"
    elif "name" in image_keys:
        panel.front_image = "name"
    if "address" in image_keys:
        panel.address_image = "address"

    # 失効情報照会 takes the number and the card's 有効期間満了日 (gen 2 holds it; gen 1 prints it only).
    panel.lookup_number = number
    if result.card_expiry is not None:
        panel.lookup_expiry_iso = date_iso(result.card_expiry) or ""
        panel.lookup_expiry = show_date(result.card_expiry, lang)
    elif (printed or {}).get("card_expiry"):
        iso = _printed_iso((printed or {})["card_expiry"])
        if iso:
            panel.lookup_expiry_iso = iso
            panel.lookup_expiry = show_date(iso, lang)
            panel.lookup_expiry_printed = True
    return panel


def _printed_iso(text: str) -> str | None:
    """A printed date as OCR read it (2031年03月31日, 2031-03-31, 令和13年…) in ISO form."""
    import re
    import unicodedata

    s = unicodedata.normalize("NFKC", text)
    m = re.search(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})", s)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return None
    from taimen import wareki

    try:
        return wareki.parse_ja(s.strip()).isoformat()
    except (ValueError, KeyError):
        return None
