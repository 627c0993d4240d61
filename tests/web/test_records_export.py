"""taimen.records.export: CSV that Excel opens safely, and a PDF 確認記録 whose Japanese text is really there."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from taimen.records.export import FORMULA_START, export_csv, export_pdf, safe_cell
from taimen.records.model import BusinessFields, Record, draft_from_result
from taimen.result import Check, CheckStatus, DateValue, ReadResult

from .test_records_web import pdf_text

pytest.importorskip("fpdf")

HOSTILE = {
    "transaction_type": '=HYPERLINK("http://evil.example","click")',
    "purpose": "+1+2",
    "occupation": "@SUM(A1:A9)",
    "reference": "-2+3",
    "note": 'カンマ, "引用符" と\r\n改行',
}


def record(name: str = "山田　花子", version: int = 1, **business: str) -> Record:
    result = ReadResult(
        document="license",
        name=name,
        name_kana="ヤマダ　ハナコ",
        address="東京都千代田区霞が関２丁目１番２号",
        birth_date=DateValue("1980-02-17", "昭和55年2月17日"),
        card_expiry=DateValue("2030-03-17", "令和12年3月17日"),
        fields={"license_number": {"number": "301234567890"}},
        checks=[
            Check("license.signature", CheckStatus.PASSED, "署名検証", "signature"),
            Check("license.expiry", CheckStatus.PASSED, "有効期限", "expiry"),
            Check(
                "license.chip_presence", CheckStatus.NOT_VERIFIABLE, "ICチップの実在確認", "presence", required=False
            ),
        ],
        presence_provable=False,  # as license/report.py: a licence has no published presence mechanism
    ).finish()
    draft = draft_from_result(
        result,
        document_key="license",
        operator="madoguchi",
        counter="本店1番窓口",
        presented_at=datetime(2026, 12, 5, 10, 30, tzinfo=UTC),
        keep_images=False,
        business=BusinessFields(**business),
    )
    rid = f"rec-{version}"
    return Record(
        id=rid,
        version=version,
        root_id="rec-1",
        supersedes=None if version == 1 else "rec-1",
        superseded_by=None,
        created_at=datetime(2026, 12, 5, 10, 31, tzinfo=UTC),
        created_by="madoguchi",
        correction_reason=None if version == 1 else "職業の訂正",
        draft=draft,
    )


def parse(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_round_trips_and_defuses_formulas() -> None:
    data = export_csv([record(**HOSTILE), record(version=2, occupation="会社員")])
    assert b"\r\n" in data  # Excel's line ends
    rows = parse(data)
    assert len(rows) == 2
    first = rows[0]
    assert first["氏名"] == "山田　花子" and first["記号番号"] == "301234567890"
    # A licence's chip cannot prove itself: genuine data, shown as on the result screen.
    assert first["生年月日"] == "1980-02-17" and first["判定"] == "データ真正（チップ未証明）"
    assert first["カードの実在確認"] == "この書類は対応していない"
    for key, label in (("transaction_type", "取引の種類"), ("purpose", "取引を行う目的"),
                       ("occupation", "職業"), ("reference", "顧客番号・取引番号")):  # fmt: skip
        assert first[label] == "'" + HOSTILE[key]
    assert first["備考"] == HOSTILE["note"]  # quotes, comma and newline survive quoting
    assert rows[1]["版"] == "2" and rows[1]["訂正元の記録番号"] == "rec-1" and rows[1]["訂正の理由"] == "職業の訂正"
    # No cell of the file starts a formula.
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        assert not any(cell.startswith(FORMULA_START) for cell in row)


@pytest.mark.parametrize("text", ["=1+1", "+81", "-1", "@x", "\tx", "\rx"])
def test_safe_cell_quotes_formula_starters(text: str) -> None:
    assert safe_cell(text) == "'" + text


def test_safe_cell_leaves_plain_text() -> None:
    assert safe_cell("山田") == "山田" and safe_cell(None) == "" and safe_cell("a=b") == "a=b"


def test_csv_in_english_has_english_headers() -> None:
    rows = parse(export_csv([record()], lang="en"))
    assert rows[0]["Name"] == "山田　花子" and rows[0]["Verdict"] == "Data authentic, chip not provable"


def test_pdf_is_a_pdf_with_the_japanese_text() -> None:
    data = export_pdf([record(**HOSTILE), record(name="佐藤　次郎")])
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    text = pdf_text(data)
    for needle in ("確認記録", "山田", "佐藤", "東京都千代田区霞が関", "本店1番窓口", "ICチップ読取り", "301234567890"):
        assert needle in text, needle
    assert "個人番号・暗証番号・照合番号・セキュリティコードは含まれていません" in text


def test_pdf_in_english() -> None:
    text = pdf_text(export_pdf([record()], lang="en"))
    assert "Verification record" in text and "Data authentic" in text and "山田" in text
