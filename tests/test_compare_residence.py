"""Cross-check of a residence card's printed face against its chip: gen-2 chip text (card number, period,
dates), gen-1 front image read by the same OCR, address entries, and doubtful readings kept to 目視で確認."""

from __future__ import annotations

import io
from datetime import date

import pytest

from taimen.compare import compare, cross_check
from taimen.ocr.fields import FieldReading
from taimen.ocr.proposals import OcrResult
from taimen.result import Check, CheckStatus, DateValue, ReadResult, VerdictStatus
from taimen.result import Image as ResultImage

NUMBER = "AB12345678CD"


def _gen2(**fields: object) -> ReadResult:
    r = ReadResult(
        document="residence",
        birth_date=DateValue("1990-07-04", "1990年7月4日"),
        sex="male",
        card_expiry=DateValue("2030-07-04", "2030年7月4日"),
        fields={
            "generation": 2,
            "kind": "residence_card",
            "card_number": NUMBER,
            "period_expiry": {"iso": "2030-07-04", "display_ja": "", "raw": "20300704", "flags": [], "expired": False},
            **fields,
        },
        checks=[Check("residence.signature", CheckStatus.PASSED, "署名", "signature")],
    )
    return r.finish()


def _ocr(conf: float = 0.99, **values: str) -> OcrResult:
    base = {
        "card_number": NUMBER,
        "birth_date": "1990-07-04",
        "sex": "male",
        "period": "2030-07-04",
        "expiry": "2030-07-04",
    }
    base.update(values)
    fields = {
        k: FieldReading(k, v, v, conf, date=date.fromisoformat(v) if v[:4].isdigit() and "-" in v else None)
        for k, v in base.items()
    }
    return OcrResult(document="residence", fields=fields, card_found=True)


def _by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def test_gen2_matching_face_passes_number_period_and_dates() -> None:
    checks = _by_name(compare(_ocr(), _gen2()))
    for name in ("face.card_number", "face.period", "face.birth_date", "face.expiry", "face.sex"):
        assert checks[name].status is CheckStatus.PASSED, name
    assert checks["face.name"].status is CheckStatus.SKIPPED  # gen 2 keeps the name as an image


def test_gen2_confident_mismatches_fail_and_never_quote_the_number() -> None:
    result = cross_check(_ocr(card_number="AB12345679CD", period="2031-07-04"), _gen2())
    checks = _by_name(result.checks)
    assert checks["face.card_number"].status is CheckStatus.FAILED
    assert checks["face.period"].status is CheckStatus.FAILED
    assert "2031" in checks["face.period"].detail_ja and "2030" in checks["face.period"].detail_ja
    number = checks["face.card_number"]
    assert "AB1234567" not in number.detail_ja + number.detail_en
    assert result.verdict is not None and result.verdict.status is VerdictStatus.NOT_GENUINE


def test_gen2_doubtful_mismatch_is_check_by_eye_only() -> None:
    result = cross_check(_ocr(conf=0.6, card_number="AB12345679CD", period="2031-07-04"), _gen2())
    checks = _by_name(result.checks)
    assert checks["face.card_number"].status is CheckStatus.WARNING
    assert checks["face.period"].status is CheckStatus.WARNING
    assert "目視" in checks["face.period"].detail_ja
    assert result.verdict is not None and result.verdict.status is VerdictStatus.ATTENTION


def test_gen2_status_compared_when_ocr_reads_it() -> None:
    chip = _gen2(status_of_residence={"code": "T015", "ja": "技術・人文知識・国際業務"})
    ok = _by_name(compare(_ocr(status="技術・人文知識・国際業務"), chip))
    assert ok["face.status"].status is CheckStatus.PASSED
    bad = _by_name(compare(_ocr(status="永住者"), chip))
    assert bad["face.status"].status is CheckStatus.FAILED


def _gen1(entries: list[dict[str, object]], front: bytes | None = None) -> ReadResult:
    images = {"front": ResultImage("image/png", front)} if front else {}
    r = ReadResult(
        document="residence",
        address=str(entries[-1]["address"]) if entries else None,
        images=images,
        fields={"generation": 1, "kind": "residence_card", "card_number": None, "address_entries": entries},
        checks=[Check("residence.signature", CheckStatus.PASSED, "署名", "signature")],
    )
    return r.finish()


ENTRIES = [
    {"date": {"iso": "2023-04-01"}, "municipality_code": "271276", "address": "大阪府大阪市北区中之島１丁目３番２０号"},
    {"date": {"iso": "2025-04-10"}, "municipality_code": "271276", "address": "大阪府大阪市北区天満橋１丁目８番３０号"},
]


def test_gen1_address_at_issue_is_not_a_mismatch_with_the_latest_entry() -> None:
    checks = _by_name(compare(_ocr(address="大阪府大阪市北区中之島1丁目3番20号"), _gen1(ENTRIES)))
    assert checks["face.address"].status is CheckStatus.PASSED and "2023-04-01" in checks["face.address"].detail_ja
    other = _by_name(compare(_ocr(address="東京都新宿区西新宿2丁目8番1号"), _gen1(ENTRIES)))
    assert other["face.address"].status is CheckStatus.WARNING  # for the eye, never failed by itself


@pytest.fixture(scope="module")
def nguyen_front() -> bytes:
    rc = pytest.importorskip("taimen.samples.residence_cards")
    pytest.importorskip("rapidocr")
    from taimen.core import images

    s = next(x for x in rc.samples() if x.key == "rc1-nguyen")
    out = io.BytesIO()
    images.decode(rc.front_image(s)).convert("L").save(out, format="PNG")
    return out.getvalue()


def test_gen1_front_image_is_read_and_compared_with_the_face(nguyen_front: bytes) -> None:
    chip = _gen1(ENTRIES, nguyen_front)
    face = _ocr(
        card_number="EF98765432GH", birth_date="1998-02-14", sex="female", period="2027-03-31", expiry="2027-03-31"
    )
    checks = _by_name(compare(face, chip))
    for key in ("birth_date", "period", "expiry", "sex", "card_number"):
        assert checks[f"face.front.{key}"].status is CheckStatus.PASSED, (key, checks[f"face.front.{key}"])
    assert "EF98765432GH" not in checks["face.front.card_number"].detail_ja

    # A face printed with another birth date over the genuine chip: two confident readings differ.
    altered = _ocr(card_number="EF98765432GH", birth_date="1988-02-14", sex="female", period="2027-03-31")
    result = cross_check(altered, chip)
    checks = _by_name(result.checks)
    assert checks["face.front.birth_date"].status is CheckStatus.FAILED
    assert result.verdict is not None and result.verdict.status is VerdictStatus.NOT_GENUINE
    # the same difference from a doubtful face reading only asks for a look
    doubtful = _by_name(compare(_ocr(conf=0.5, birth_date="1988-02-14"), chip))
    assert doubtful["face.front.birth_date"].status is CheckStatus.WARNING
