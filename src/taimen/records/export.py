"""Export of 確認記録: CSV that opens in Excel, and a printable PDF with Japanese fonts.

Pure functions from ``Record`` objects to bytes: the caller (web pages, ``taimen records export``) fetches the
records through the store, which checks the role and logs the export. Nothing here touches the store or disk
except reading the font file.

CSV: UTF-8 with a BOM (Excel otherwise reads Shift_JIS), CRLF, every cell quoted by the csv module, and any
cell that a spreadsheet would take as a formula (starting with = + - @, tab or CR) prefixed with ``'``
(OWASP "CSV injection"). A customer's name or a typed purpose is attacker-controlled text.

PDF: one A4 page (or more) per record, IPAex Gothic embedded as a subset (Debian's fonts-ipaexfont).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

#: Where Debian (fonts-ipaexfont, fonts-ipafont) puts the Japanese fonts, best first.
FONT_CANDIDATES = (
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
    Path("/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf"),
    Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"),
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

L: dict[str, tuple[str, str]] = {
    "title": ("確認記録", "Verification record"),
    "basis": (
        "犯罪による収益の移転防止に関する法律 第6条・同法施行規則 第20条第1項による確認記録",
        "Verification record under the Act on Prevention of Transfer of Criminal Proceeds, art. 6 "
        "(Ordinance art. 20(1))",
    ),
    "record_id": ("記録番号", "Record number"),
    "version": ("版", "Version"),
    "root_id": ("最初の版の記録番号", "First version"),
    "supersedes": ("訂正元の記録番号", "Corrects record"),
    "correction_reason": ("訂正の理由", "Reason for the correction"),
    "sec_check": ("確認の概要", "The check"),
    "presented_at": ("書類の提示を受けた日時", "Document presented at"),
    "method": ("確認の方法", "Method"),
    "method_ic": ("ICチップ読取り（対面）", "IC chip read (face to face)"),
    "operator": ("確認を行った担当者", "Checked by"),
    "counter": ("窓口", "Counter"),
    "created_by": ("記録を作成した担当者", "Recorded by"),
    "created_at": ("記録日時", "Recorded at"),
    "verdict": ("判定", "Verdict"),
    "reasons": ("判定の理由", "Reasons"),
    "signatures": ("署名検証", "Signatures"),
    "presence": ("カードの実在確認", "Card presence"),
    "sec_person": ("本人特定事項（ICチップから）", "Identity (from the chip)"),
    "name": ("氏名", "Name"),
    "name_kana": ("フリガナ", "Kana"),
    "address": ("住所", "Address"),
    "birth_date": ("生年月日", "Date of birth"),
    "sec_document": ("本人確認書類", "Identity document"),
    "document": ("書類", "Document"),
    "document_number": ("記号番号", "Document number"),
    "document_number_none": ("記録しない（個人番号は記録しない）", "not recorded (never the My Number)"),
    "expiry": ("有効期限", "Expiry"),
    "generation": ("書類の世代・仕様", "Generation / spec"),
    "sec_business": ("取引", "Transaction"),
    "transaction_type": ("取引の種類", "Type of transaction"),
    "purpose": ("取引を行う目的", "Purpose"),
    "occupation": ("職業", "Occupation"),
    "reference": ("顧客番号・取引番号", "Customer or transaction reference"),
    "contract_end": ("契約終了日", "Contract ended"),
    "note": ("備考", "Note"),
    "sec_checks": ("検証の結果", "Checks"),
    "retention": ("保存期間", "Retention"),
    "images": ("保存された画像", "Stored images"),
    "pending": ("未送信（保存先に届くと確定）", "queued (final when it reaches the store)"),
    "printed_at": ("出力日時", "Printed at"),
    "page": ("ページ", "page"),
    "never": (
        "この記録には個人番号・暗証番号・照合番号・セキュリティコードは含まれていません。",
        "This record holds no My Number, PIN, 照合番号 or security code.",
    ),
    "proven": ("確認済み", "proven"),
    "not_proven": ("未確認", "not proven"),
    "unsupported": ("この書類は対応していない", "not supported by this document"),
    "passed": ("合格", "passed"),
}
VERDICTS = {
    "genuine_data_only": ("データ真正（チップ未証明）", "Data authentic, chip not provable"),
    "genuine": ("真正", "Genuine"),
    "attention": ("要確認", "Attention"),
    "not_genuine": ("真正でない", "Not genuine"),
}
STATUS = {
    "passed": ("合格", "passed"),
    "failed": ("不合格", "FAILED"),
    "warning": ("注意", "warning"),
    "not_verifiable": ("検証不能", "not verifiable"),
    "skipped": ("未実施", "skipped"),
}
DOCUMENTS = {
    "mynumber": ("マイナンバーカード", "My Number Card"),
    "license": ("運転免許証", "driver's licence"),
    "mynumber_license": ("マイナ免許証", "licence on the My Number Card"),
    "residence": ("在留カード", "residence card"),
    "passport": ("旅券", "passport"),
}
RETENTION = {
    "hanshu_7y": ("7年（犯収法）", "7 years (犯収法)"),
    "keitai_3y_after_contract": ("契約終了後3年（携帯法）", "3 years after the contract ends (携帯法)"),
}


def _l(key: str, lang: str) -> str:
    ja, en = L[key]
    return en if lang == "en" else ja


def _pick(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    pair = table.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def _when(value: datetime | None) -> str:
    """Local time with its zone, as a person reads it (CSV keeps the ISO form)."""
    if value is None:
        return ""
    local = value.astimezone() if value.tzinfo is not None else value
    return local.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def _date(value: str | date | None, lang: str) -> str:
    if value is None or value == "":
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    if lang != "ja":
        return text
    try:
        from taimen import wareki

        return f"{wareki.format_ja(date.fromisoformat(text))}（{text}）"
    except (ValueError, KeyError):
        return text


def _verdict_kind(verdict: str, checks: Sequence[Any], chip_presence: str | None = None) -> str:
    """A genuine verdict whose chip could not be proven (e.g. a licence) is shown as data-only, as on screen.

    The record says so itself (``chip_presence``); records saved before it was kept are judged by their checks.
    """
    if chip_presence is not None:
        return "genuine_data_only" if verdict == "genuine" and chip_presence != "proven" else verdict
    found = [c for c in checks if c.name.endswith("presence")]
    if verdict == "genuine" and not (found and all(c.status == "passed" for c in found)):
        return "genuine_data_only"
    return verdict


def _presence(checks: Sequence[Any], lang: str, chip_presence: str | None = None) -> str:
    if chip_presence is not None:
        return _l({"proven": "proven", "not_provable": "unsupported"}.get(chip_presence, "not_proven"), lang)
    found = [c for c in checks if c.name.endswith("presence")]
    if not found or all(c.status == "not_verifiable" for c in found):
        return _l("unsupported", lang)
    return _l("proven" if all(c.status == "passed" for c in found) else "not_proven", lang)


def _signatures(checks: Sequence[Any], lang: str) -> str:
    sig = [c for c in checks if c.name.endswith((".signature", ".digest"))]
    ok = sum(1 for c in sig if c.status == "passed")
    return f"{ok} / {len(sig)} {_l('passed', lang)}" if sig else _pick(STATUS, "skipped", lang)


def _rows(r: Any, lang: str) -> list[tuple[str, str, str]]:
    """(section, label, value) for every recorded item, in the order of 施行規則20条1項."""
    d = r.draft
    b = d.business
    number = d.document_number or (_l("document_number_none", lang) if d.document == "mynumber" else "")
    rows = [
        ("sec_check", "record_id", r.id),
        ("sec_check", "version", str(r.version)),
        ("sec_check", "presented_at", _when(d.presented_at)),
        ("sec_check", "method", _l("method_ic", lang) if d.method == "ic_chip_read" else d.method),
        ("sec_check", "operator", d.operator),
        ("sec_check", "counter", d.counter),
        ("sec_check", "created_by", r.created_by),
        ("sec_check", "created_at", _when(r.created_at)),
        ("sec_check", "verdict", _pick(VERDICTS, _verdict_kind(d.verdict, d.checks, d.chip_presence), lang)),
        ("sec_check", "signatures", _signatures(d.checks, lang)),
        ("sec_check", "presence", _presence(d.checks, lang, d.chip_presence)),
        ("sec_person", "name", d.name or ""),
        ("sec_person", "name_kana", d.name_kana or ""),
        ("sec_person", "address", d.address or ""),
        ("sec_person", "birth_date", _date(d.birth_date, lang)),
        ("sec_document", "document", _pick(DOCUMENTS, d.document, lang)),
        ("sec_document", "document_number", number),
        ("sec_document", "expiry", _date(d.expiry, lang)),
        ("sec_document", "generation", d.document_generation or ""),
        ("sec_business", "transaction_type", b.transaction_type),
        ("sec_business", "purpose", b.purpose),
        ("sec_business", "occupation", b.occupation),
        ("sec_business", "reference", b.reference),
        ("sec_business", "contract_end", _date(b.contract_end, lang)),
        ("sec_business", "note", b.note),
        ("sec_business", "retention", _pick(RETENTION, str(d.retention), lang)),
    ]
    if r.supersedes:
        rows += [
            ("sec_check", "supersedes", r.supersedes),
            ("sec_check", "correction_reason", r.correction_reason or ""),
        ]
    return rows


# --- CSV ----------------------------------------------------------------------------------------------------

CSV_KEYS = (
    "record_id", "version", "root_id", "supersedes", "correction_reason", "presented_at", "method", "operator",
    "counter", "created_by", "created_at", "verdict", "reasons", "signatures", "presence", "name", "name_kana",
    "address", "birth_date", "document", "document_number", "expiry", "generation", "transaction_type",
    "purpose", "occupation", "reference", "contract_end", "note", "retention", "images", "pending",
)  # fmt: skip


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: formula starters get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_values(r: Any, lang: str) -> dict[str, str]:
    d = r.draft
    values = {label: value for _section, label, value in _rows(r, lang)}
    values.update(
        root_id=r.root_id,
        supersedes=r.supersedes or "",
        correction_reason=r.correction_reason or "",
        # ISO dates in CSV: sortable, and Excel reads them as dates.
        presented_at=d.presented_at.isoformat(timespec="seconds"),
        created_at=r.created_at.isoformat(timespec="seconds"),
        birth_date=d.birth_date or "",
        expiry=d.expiry or "",
        contract_end=d.business.contract_end.isoformat() if d.business.contract_end else "",
        reasons=" / ".join(x.text(lang) for x in d.reasons),
        images=" ".join(sorted(d.images)),
        pending=_l("pending", lang) if getattr(r, "pending", False) else "",
    )
    return values


def export_csv(records: Iterable[Any], *, lang: str = "ja") -> bytes:
    """Records as CSV: a header row of labels, then one row per record version."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, dialect="excel", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([safe_cell(_l(k, lang)) for k in CSV_KEYS])
    for r in records:
        values = _csv_values(r, lang)
        writer.writerow([safe_cell(values.get(k, "")) for k in CSV_KEYS])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


# --- PDF ----------------------------------------------------------------------------------------------------


def find_font() -> Path:
    for path in FONT_CANDIDATES:
        if path.is_file():
            return path
    from taimen.records.errors import RecordsError

    raise RecordsError(
        "no Japanese font found: install Debian's fonts-ipaexfont",
        message_ja="日本語フォントが見つかりません。fonts-ipaexfont をインストールしてください。",
    )


def _image_png(data: bytes) -> bytes | None:
    """A stored chip image as PNG (decoded with the same size limits as on screen), or None."""
    from taimen.errors import TaimenError
    from taimen.web.images import chip_image_png

    try:
        return chip_image_png(data)
    except TaimenError:
        return None


def export_pdf(records: Iterable[Any], *, lang: str = "ja") -> bytes:
    """Records as a printable PDF 確認記録: one record per page (longer ones continue on the next)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    font = find_font()
    printed = _when(datetime.now().astimezone())

    class Doc(FPDF):  # type: ignore[misc]
        def footer(self) -> None:
            self.set_y(-16)
            self.set_font("jp", size=7.5)
            self.set_text_color(90, 90, 90)
            self.cell(0, 4, _l("never", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
            self.cell(
                0, 4, f"{_l('printed_at', lang)}: {printed}    {_l('page', lang)} {self.page_no()}/{{nb}}", align="C"
            )

    pdf = Doc(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font("jp", fname=str(font))
    pdf.set_title(_l("title", lang))  # no personal data in the metadata
    pdf.set_creator("taimen")
    pdf.alias_nb_pages()
    count = 0
    for r in records:
        count += 1
        _pdf_record(pdf, r, lang)
    if count == 0:
        pdf.add_page()
        pdf.set_font("jp", size=12)
        pdf.cell(0, 10, "—")
    return bytes(pdf.output())


def _pdf_record(pdf: Any, r: Any, lang: str) -> None:
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    d = r.draft
    pdf.add_page()
    width = pdf.epw
    pdf.set_text_color(13, 35, 64)
    pdf.set_font("jp", size=20)
    pdf.cell(width * 0.5, 11, _l("title", lang), new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.set_font("jp", size=10)
    version = f"（{_l('version', lang)} {r.version}）" if r.version > 1 else ""
    pdf.cell(
        width * 0.5, 11, f"{_l('record_id', lang)}: {r.id}{version}", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font("jp", size=8)
    pdf.set_text_color(70, 70, 70)
    pdf.cell(0, 5, _l("basis", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(13, 35, 64)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + width, pdf.get_y() + 1)
    pdf.ln(4)
    _verdict_band(pdf, d, lang, width)

    photo = _image_png(d.images["photo"].data) if "photo" in d.images else None
    sections: dict[str, list[tuple[str, str]]] = {}
    for section, label, value in _rows(r, lang):
        if label in ("record_id", "version", "verdict"):
            continue  # in the header and the verdict band
        sections.setdefault(section, []).append((_l(label, lang), value or "—"))
    heading = FontFace(emphasis="BOLD", color=(13, 35, 64), fill_color=(226, 234, 245))
    for section in ("sec_person", "sec_document", "sec_check", "sec_business"):
        pdf.set_font("jp", size=11)
        pdf.set_text_color(13, 35, 64)
        top = pdf.get_y()
        pdf.cell(0, 7, _l(section, lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(17, 17, 17)
        pdf.set_font("jp", size=9)
        table_width = width - 36 if section == "sec_person" and photo else width
        with pdf.table(
            col_widths=(46, table_width - 46),
            width=table_width,
            align="LEFT",
            first_row_as_headings=False,
            line_height=4.8,
            padding=(0.9, 2),
            borders_layout="HORIZONTAL_LINES",
            headings_style=heading,
        ) as table:
            for label, value in sections.get(section, []):
                row = table.row()
                row.cell(label, style=FontFace(color=(80, 80, 80)))
                row.cell(value)
        if section == "sec_person" and photo:
            pdf.image(io.BytesIO(photo), x=pdf.l_margin + width - 30, y=top + 9, w=30)
            pdf.set_y(max(pdf.get_y(), top + 9 + 40))
        pdf.ln(1)
    _checks(pdf, d, lang, width)


def _verdict_band(pdf: Any, d: Any, lang: str, width: float) -> None:
    from fpdf.enums import XPos, YPos

    colours = {"genuine": (11, 107, 46, 227, 245, 232), "attention": (122, 74, 0, 255, 242, 204)}
    fg_bg = colours.get(d.verdict, (163, 0, 27, 253, 228, 231))
    pdf.set_draw_color(*fg_bg[:3])
    pdf.set_fill_color(*fg_bg[3:])
    pdf.set_text_color(*fg_bg[:3])
    pdf.set_line_width(0.8)
    pdf.set_font("jp", size=14)
    kind = _verdict_kind(d.verdict, d.checks, d.chip_presence)
    pdf.cell(width, 10, f"{_l('verdict', lang)}: {_pick(VERDICTS, kind, lang)}", border=1, fill=True,
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    reasons = [x.text(lang) for x in d.reasons]
    if reasons:
        pdf.set_font("jp", size=8.5)
        pdf.multi_cell(width, 4.6, "\n".join(f"・{x}" for x in reasons), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(17, 17, 17)
    pdf.set_draw_color(13, 35, 64)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_line_width(0.2)
    pdf.ln(1)


def _checks(pdf: Any, d: Any, lang: str, width: float) -> None:
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    if not d.checks:
        return
    pdf.set_font("jp", size=11)
    pdf.set_text_color(13, 35, 64)
    pdf.cell(0, 7, _l("sec_checks", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(17, 17, 17)
    pdf.set_font("jp", size=8)
    with pdf.table(
        col_widths=(24, width - 24),
        width=width,
        first_row_as_headings=False,
        line_height=4.2,
        padding=(0.6, 2),
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        for c in d.checks:
            row = table.row()
            colour = {"passed": (11, 107, 46), "failed": (163, 0, 27)}.get(c.status, (122, 74, 0))
            row.cell(_pick(STATUS, c.status, lang), style=FontFace(color=colour))
            row.cell(c.title(lang))
