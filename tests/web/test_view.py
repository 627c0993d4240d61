"""The result screen's model: chip fields beside printed fields, mismatches, checks in words, problems first."""

from __future__ import annotations

from taimen.result import Check, CheckStatus, DateValue, ReadResult
from taimen.web import view


def _result() -> ReadResult:
    return ReadResult(
        document="mynumber",
        name="山田\u3000花子",
        address="東京都千代田区霞が関２丁目１番２号",
        birth_date=DateValue("1980-02-17", "昭和55年2月17日", "19800217"),
        sex="female",
        card_expiry=DateValue("2035-02-17", "2035年2月17日", "20350217"),
    )


def test_printed_fields_match_across_widths_spaces_and_calendars() -> None:
    printed = {
        "name": "山田 花子",  # ASCII space where the chip has U+3000
        "address": "東京都千代田区霞が関2丁目1番2号",  # half-width digits where the chip has full-width
        "birth_date": "1980-02-17",
        "sex": "女",
        "card_expiry": "2035年2月17日まで有効",
    }
    rows = {r.key: r for r in view.field_rows(_result(), printed, "ja")}
    assert {k: r.match for k, r in rows.items()} == dict.fromkeys(printed, "yes")
    assert rows["birth_date"].printed == "昭和55年2月17日（1980-02-17）"
    assert rows["card_expiry"].printed == "2035年2月17日（2035-02-17）"
    assert rows["sex"].printed == "女"


def test_mismatches_are_flagged() -> None:
    printed = {"name": "山田 花代", "birth_date": "昭和55年2月18日", "sex": "男", "address": ""}
    rows = {r.key: r for r in view.field_rows(_result(), printed, "en")}
    assert rows["name"].match == "no" and rows["birth_date"].match == "no" and rows["sex"].match == "no"
    assert rows["address"].match == "none" and rows["card_expiry"].match == "none"
    assert rows["birth_date"].printed == "1980-02-18" and rows["sex"].chip == "female"


def test_unreadable_printed_date_is_a_mismatch_not_a_crash() -> None:
    rows = {r.key: r for r in view.field_rows(_result(), {"birth_date": "昭和5?年"}, "ja")}
    assert rows["birth_date"].match == "no" and rows["birth_date"].printed == "昭和5?年"


def test_checks_problems_first_with_words_and_summary() -> None:
    checks = [
        Check("a", CheckStatus.PASSED, "署名", "signature"),
        Check("b", CheckStatus.FAILED, "写真", "photo", "差し替え", "swapped"),
        Check("c", CheckStatus.NOT_VERIFIABLE, "実在", "presence"),
        Check("d", CheckStatus.WARNING, "期限", "expiry", required=False),
    ]
    rows = view.check_rows(checks, "ja")
    assert [r.name for r in rows] == ["b", "d", "c", "a"]
    assert [r.status_text for r in rows] == ["不合格", "注意", "検証不能", "合格"]
    assert rows[0].detail == "差し替え" and rows[1].required is False
    assert view.summary(checks, "ja") == "検証4件：不合格1、注意1、検証不能1、合格1"
    assert view.summary(checks, "en") == "4 checks: 1 FAILED, 1 Warning, 1 Not verifiable, 1 Passed"


def test_unlock_field_rendering() -> None:
    from taimen.documents import UnlockField

    digits = view.unlock_field(UnlockField("security_code", "セキュリティコード", "code", r"^\d{4}$"), "2285", "ja")
    assert digits.numeric and not digits.masked and not digits.choices and digits.value == "2285"
    pin = view.unlock_field(UnlockField("pin1", "暗証番号1", "PIN 1", r"^[0-9]{4}$", optional=True), "", "en")
    assert pin.masked and pin.optional and pin.label == "PIN 1"
    assert view.unlock_field(UnlockField("license_pin", "暗証番号", "PIN", r"^\d{4}$"), "", "ja").masked
    cal = view.unlock_field(UnlockField("calendar", "暦", "calendar", r"^(wareki|seireki)?$", secret=False), "", "ja")
    assert cal.choices == (("wareki", "和暦"), ("seireki", "西暦")) and cal.optional


def test_other_fields_flatten_without_binary_dumps() -> None:
    r = _result()
    r.fields = {"jpki": {"token": "JPKIAPICCTOKEN2", "sizes": [1, 2]}, "blob": b"\x00" * 100, "none": None}
    assert view.other_fields(r) == [("jpki.token", "JPKIAPICCTOKEN2"), ("jpki.sizes", "1、2"), ("blob", "100 bytes")]


def test_cross_check_decides_the_rows_when_it_ran() -> None:
    r = _result()
    r.checks = [
        Check("face.name", CheckStatus.PASSED, "氏名", "name", required=False),  # e.g. 異体字 folded by compare
        Check("face.address", CheckStatus.WARNING, "住所", "address", required=False),  # OCR unsure
        Check("face.birth_date", CheckStatus.FAILED, "生年月日", "birth", required=False),
    ]
    printed = {"name": "髙田花子", "address": "東京都千代田区霞が関２丁目１番２号", "birth_date": "1980-02-17"}
    rows = {x.key: x.match for x in view.field_rows(r, printed, "ja")}
    assert rows == {"name": "yes", "address": "doubt", "birth_date": "no", "sex": "none", "card_expiry": "none"}
