"""Cross-check of the printed face against the chip: normalisation, both values in every mismatch, the
operator's confirmation, the photo similarity aid, and the recomputed verdict."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pytest
from PIL import Image

from taimen.compare import apply, compare, cross_check, normalise_address, normalise_text, photo_similarity
from taimen.ocr.fields import FieldReading
from taimen.ocr.proposals import OcrResult
from taimen.result import Check, CheckStatus, DateValue, ReadResult, VerdictStatus
from taimen.result import Image as ResultImage
from taimen.samples.face import portrait


def _chip(**kw: object) -> ReadResult:
    r = ReadResult(
        document="mynumber",
        name="山田\u3000花子",
        address="東京都千代田区霞が関２丁目１番２号",
        birth_date=DateValue("1980-02-17", "昭和55年2月17日"),
        sex="female",
        card_expiry=DateValue("2035-02-17", "2035年2月17日"),
        checks=[Check("kenmen_ap.signature", CheckStatus.PASSED, "署名", "signature")],
    )
    for k, v in kw.items():
        setattr(r, k, v)
    return r.finish()


def _ocr(conf: float = 0.99, **values: str) -> OcrResult:
    base = {
        "name": "山田\u3000花子",
        "address": "東京都千代田区霞が関2丁目1番2号",
        "birth_date": "1980-02-17",
        "sex": "female",
        "expiry": "2035-02-17",
    }
    base.update(values)
    fields = {
        k: FieldReading(k, v, v, conf, date=date.fromisoformat(v) if "-" in v and v[:4].isdigit() else None)
        for k, v in base.items()
    }
    return OcrResult(document="mynumber", fields=fields, card_found=True)


def _by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def test_normalisation() -> None:
    assert normalise_text("山田　花子") == normalise_text("山田花子") == normalise_text("山田 花子")
    assert normalise_text("髙橋　﨑子") == normalise_text("高橋崎子")
    assert normalise_text("ＳＭＩＴＨ　ｊｏｈｎ") == "SMITHJOHN"
    assert normalise_address("東京都千代田区霞が関２丁目１番２号") == normalise_address("東京都千代田区霞が関2-1-2")
    assert normalise_address("霞が関２丁目１番２号") != normalise_address("霞が関２丁目１番３号")


def test_matching_face_passes_and_keeps_the_verdict() -> None:
    chip = _chip()
    assert chip.verdict is not None and chip.verdict.status is VerdictStatus.GENUINE
    checks = compare(_ocr(), chip)
    by = _by_name(checks)
    for key in ("name", "birth_date", "address", "sex", "expiry"):
        assert by[f"face.{key}"].status is CheckStatus.PASSED, key
    assert by["face.photo"].status is CheckStatus.SKIPPED  # no photos on either side here
    assert all(not c.required for c in checks)
    assert apply(chip, checks).verdict.status is VerdictStatus.GENUINE


def test_a_printed_only_forgery_fails_with_both_values() -> None:
    res = cross_check(_ocr(name="佐々木\u3000美紀", birth_date="1983-12-17"), _chip())
    assert res.verdict.status is VerdictStatus.NOT_GENUINE
    reasons = " ".join(r.ja + r.en for r in res.verdict.reasons)
    assert "佐々木" in reasons and "山田" in reasons  # both names
    assert "1983-12-17" in reasons and "1980-02-17" in reasons  # both dates
    assert "昭和55年2月17日" in reasons  # shown as the card prints it


def test_unsure_ocr_warns_unless_the_operator_confirmed() -> None:
    unsure = _ocr(conf=0.6, name="山田\u3000花代")
    by = _by_name(compare(unsure, _chip()))
    assert by["face.name"].status is CheckStatus.WARNING and "0.60" in by["face.name"].detail_en
    confirmed = compare(unsure, _chip(), confirmed={"name": "山田\u3000花代"})
    assert _by_name(confirmed)["face.name"].status is CheckStatus.FAILED
    corrected = compare(unsure, _chip(), confirmed={"name": "山田花子"})  # the operator fixed the misreading
    assert _by_name(corrected)["face.name"].status is CheckStatus.PASSED


@pytest.mark.parametrize("reason", ["neighbour_text_removed", "cut_off", "two_candidates", "glare"])
def test_a_confident_but_doubtful_misreading_is_checked_by_eye_not_failed(reason: str) -> None:
    """「平野春香　昭」 at 1.00: a value the reader doubts for a reason never turns a genuine card not_genuine."""
    ocr = _ocr(conf=1.0)
    ocr.fields["name"] = FieldReading("name", "山田\u3000花", "山田\u3000花", 1.0, reasons=(reason,))
    res = cross_check(ocr, _chip())
    check = _by_name(res.checks)["face.name"]
    assert check.status is CheckStatus.WARNING
    assert "目視で確認" in check.detail_ja and "compare by eye" in check.detail_en
    assert res.verdict.status is not VerdictStatus.NOT_GENUINE
    # the same value without a doubt, or confirmed by the operator, fails the card
    ocr.fields["name"] = FieldReading("name", "山田\u3000花", "山田\u3000花", 1.0)
    assert cross_check(ocr, _chip()).verdict.status is VerdictStatus.NOT_GENUINE


def test_an_address_between_two_places_says_when_the_other_place_is_the_chips() -> None:
    """OCR proposed 湊町 with 浜町 named as the other place the frames could not tell apart: when the chip holds
    浜町, the check says the other candidate matches it, and still asks for a look (the face could be altered)."""
    chip = _chip(address="千葉県船橋市浜町７丁目５番２号")
    ocr = _ocr(conf=1.0)
    value = "千葉県船橋市湊町7丁目5番2号"
    extra = {"rival": "千葉県船橋市浜町", "rival_address": "千葉県船橋市浜町7丁目5番2号"}
    ocr.fields["address"] = FieldReading("address", value, value, 1.0, reasons=("two_candidates",), extra=extra)
    check = _by_name(compare(ocr, chip))["face.address"]
    assert check.status is CheckStatus.WARNING
    assert "もう一つの候補「千葉県船橋市浜町7丁目5番2号」はICチップと一致" in check.detail_ja
    assert "other candidate" in check.detail_en and "compare by eye" in check.detail_en
    # a chip that holds neither place: the other candidate is not said to match
    check = _by_name(compare(ocr, _chip(address="千葉県船橋市本町７丁目５番２号")))["face.address"]
    assert check.status is CheckStatus.WARNING and "もう一つの候補" not in check.detail_ja


def test_missing_values_are_skipped_not_passed() -> None:
    ocr = _ocr()
    ocr.fields["address"] = FieldReading("address", None, "", 0.0, problem="nothing read")
    by = _by_name(compare(ocr, _chip(address=None)))
    assert by["face.address"].status is CheckStatus.SKIPPED


def test_apply_replaces_an_earlier_cross_check() -> None:
    chip = _chip()
    apply(chip, compare(_ocr(name="佐々木\u3000美紀"), chip))
    assert chip.verdict.status is VerdictStatus.NOT_GENUINE
    apply(chip, compare(_ocr(), chip))
    assert chip.verdict.status is VerdictStatus.GENUINE
    assert sum(c.name == "face.name" for c in chip.checks) == 1


def _jp2(seed: int) -> bytes:
    buf = io.BytesIO()
    portrait(seed).convert("L").resize((120, 160)).save(buf, "JPEG2000")
    return buf.getvalue()


def _printed(seed: int) -> np.ndarray:
    return np.asarray(portrait(seed).resize((264, 352)))[:, :, ::-1].copy()


def test_photo_similarity_separates_faces() -> None:
    same = photo_similarity(_printed(1), np.asarray(Image.open(io.BytesIO(_jp2(1)))))
    other = photo_similarity(_printed(1), np.asarray(Image.open(io.BytesIO(_jp2(1001)))))
    assert same > 0.95 and other < same - 0.1


# yamada's portrait (seed 1) and the forged-photo variant's (seed 1001, as taimen.face.variants prints it)
@pytest.mark.parametrize(("seed", "status"), [(1, CheckStatus.PASSED), (1001, CheckStatus.WARNING)])
def test_photo_check_is_an_aid(seed: int, status: CheckStatus) -> None:
    ocr = _ocr()
    ocr.portrait = _printed(1)
    chip = _chip(photo=ResultImage("image/jp2", _jp2(seed)))
    check = _by_name(compare(ocr, chip))["face.photo"]
    assert check.status is status
    assert "SSIM" in check.detail_en and not check.required
    if status is CheckStatus.WARNING:  # the photo alone never makes a card "not genuine"
        assert apply(chip, compare(ocr, chip)).verdict.status is VerdictStatus.ATTENTION


def test_hostile_chip_photo_does_not_break_the_comparison() -> None:
    ocr = _ocr()
    ocr.portrait = _printed(3)
    chip = _chip(photo=ResultImage("image/jp2", b"\x00\x00\x00\x0cjP  \r\n\x87\n" + b"\xff" * 40))
    check = _by_name(compare(ocr, chip))["face.photo"]
    assert check.status is CheckStatus.NOT_VERIFIABLE
