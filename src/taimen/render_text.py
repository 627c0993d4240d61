"""Readable terminal output of a ReadResult."""

from __future__ import annotations

from taimen.result import CheckStatus, ReadResult

_MARK = {
    CheckStatus.PASSED: "OK ",
    CheckStatus.FAILED: "NG ",
    CheckStatus.WARNING: "!  ",
    CheckStatus.NOT_VERIFIABLE: "?  ",
    CheckStatus.SKIPPED: "-  ",
}

_SEX = {
    "male": ("男", "male"),
    "female": ("女", "female"),
    "not_applicable": ("適用不能", "not applicable"),
    "unknown": ("不明", "unknown"),
}


def render(result: ReadResult, lang: str = "ja") -> str:
    ja = lang == "ja"
    out: list[str] = []
    v = result.verdict
    if v is not None:
        out.append(f"判定: {v.label_ja}" if ja else f"Verdict: {v.label_en}")
        for r in v.reasons:
            out.append(f"  - {r.ja if ja else r.en}")
        out.append("")
    rows = [
        ("氏名", "Name", result.name),
        ("フリガナ", "Kana", result.name_kana),
        ("住所", "Address", result.address),
        ("生年月日", "Birth date", _date(result.birth_date, ja)),
        (
            "性別",
            "Sex",
            _SEX.get(result.sex or "", (result.sex, result.sex))[0 if ja else 1] if result.sex else None,
        ),
        ("有効期限", "Expiry", _date(result.card_expiry, ja)),
    ]
    for lj, le, val in rows:
        if val:
            out.append(f"{lj if ja else le}: {val}")
    if result.photo is not None:
        out.append(f"{'顔写真' if ja else 'Photo'}: {result.photo.mime}, {len(result.photo.data)} bytes")
    # Document-specific rows a document chooses to show (fields["details"]: label_ja, label_en, value).
    details = result.fields.get("details")
    for row in details if isinstance(details, list) else []:
        if isinstance(row, dict) and row.get("value"):
            out.append(f"{row.get('label_ja' if ja else 'label_en', '')}: {row['value']}")
    # Notices the clerk must act on (fields["notices"]: code, ja, en), e.g. a passport proves no address.
    notices = result.fields.get("notices")
    for n in notices if isinstance(notices, list) else []:
        if isinstance(n, dict):
            out.append(f"{'注意' if ja else 'Notice'}: {n.get('ja' if ja else 'en', '')}")
    out.append("")
    out.append("検証項目:" if ja else "Checks:")
    for c in result.checks:
        title = c.title_ja if ja else c.title_en
        detail = c.detail_ja if ja else c.detail_en
        out.append(f"  [{_MARK[c.status]}] {title}" + (f" — {detail}" if detail else ""))
    s = result.stats
    out.append("")
    out.append(f"APDU: {s.apdus}, {s.bytes_sent}/{s.bytes_received} bytes, {s.seconds:.2f} s")
    return "\n".join(out) + "\n"


def _date(d: object, ja: bool) -> str | None:
    if d is None:
        return None
    iso = getattr(d, "iso", None)
    disp = getattr(d, "display_ja", "")
    if ja:
        return f"{disp} ({iso})" if iso and disp else disp or iso
    return iso or disp
