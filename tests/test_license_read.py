"""Full licence reads through the in-process transport: PIN safety, DPIN, eras, 追記, 外字, signature."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from license_helpers import card_for, facts, files_for, signer, with_facts, write_trust_dir
from taimen.core import images
from taimen.core.tlv import encode
from taimen.emulator.card import VirtualCard
from taimen.emulator.license_card import build_license_card
from taimen.errors import CardError, OperatorInputError, PinSafetyError
from taimen.license.document import DOCUMENT
from taimen.license.kisai import TAGS
from taimen.license.pin import PinRejected
from taimen.license.reader import read_license
from taimen.render_text import render
from taimen.result import CheckStatus, ReadResult
from taimen.samples.persons import person
from taimen.transport.inprocess import InProcessTransport


def _read(card: VirtualCard, unlock: dict[str, str], **kw: object) -> ReadResult:
    return DOCUMENT.read(InProcessTransport(card), unlock, **kw)  # type: ignore[arg-type]


def _commands(card: VirtualCard) -> list[bytes]:
    return [c for c, _ in card.log or []]


def _verifies(card: VirtualCard) -> list[bytes]:
    return [c for c in _commands(card) if c[1] == 0x20 and len(c) > 4]


def test_full_read_with_both_pins(tmp_path: Path) -> None:
    card = card_for("yamada")
    card.log = []
    res = _read(card, {"pin1": "1234", "pin2": "5678"}, trust_dirs=(str(write_trust_dir(tmp_path)),))
    assert res.name == "山田　花子"
    assert res.address == "東京都千代田区霞が関２丁目１番２号"  # the 追記 overrides the address at issue
    assert res.fields["current"]["address"]["source"] == "DF1/EF04 新住所1"
    assert res.birth_date is not None and res.birth_date.display_ja == "昭和55年2月17日"
    # the photo as stored (JPEG 2000, header checked); decoded only where it is shown
    assert res.photo is not None and res.photo.mime == "image/jp2"
    assert images.decode(res.photo.data).size == (192, 256)
    assert res.fields["current"]["honseki"]["text"] == "東京都千代田区霞が関２丁目１番"
    checks = {c.name: c for c in res.checks}
    assert checks["license.signature"].status is CheckStatus.PASSED
    assert "DF2/EF01" in checks["license.signature"].covers
    assert "DF1/EF04 追記" in checks["license.signature"].not_covered
    assert checks["license.common_data_dates"].status is CheckStatus.PASSED
    assert checks["license.number_check_digit"].status is CheckStatus.PASSED
    assert "未確認" in checks["license.number_check_digit"].detail_ja
    assert res.verdict is not None and res.verdict.status == "genuine"
    # VERIFY: query tries first (no data), then one VERIFY per PIN in the short-EF form from the MF
    queries = [c for c in _commands(card) if c[1] == 0x20 and len(c) == 4]
    assert [q[3] for q in queries] == [0x81, 0x82]
    assert [v[3] for v in _verifies(card)] == [0x81, 0x82]
    assert res.fields["pin"]["tries_left_before_read"] == {"pin1": 3, "pin2": 3}


def test_without_key_signature_is_not_verifiable_never_genuine() -> None:
    res = _read(card_for("yamada"), {"pin1": "1234", "pin2": "5678"})
    sig = next(c for c in res.checks if c.name == "license.signature")
    assert sig.status is CheckStatus.NOT_VERIFIABLE and "検証できません" in sig.detail_ja
    assert res.verdict is not None and res.verdict.status == "attention"


def test_pin1_only_reads_particulars_but_not_honseki_or_photo() -> None:
    card = card_for("yamada")
    card.log = []
    res = _read(card, {"pin1": "1234"})
    assert res.photo is None and res.fields["current"]["honseki"] is None
    assert [v[3] for v in _verifies(card)] == [0x81]
    sig = next(c for c in res.checks if c.name == "license.signature")
    assert sig.status is CheckStatus.NOT_VERIFIABLE and "暗証番号2" in sig.detail_ja


def test_tampered_particulars_fail_the_signature(tmp_path: Path) -> None:
    card = card_for("yamada")
    ef01 = card.applications[0].files[1]
    assert bytes.fromhex("3256") in ef01.data  # 花 (JIS 0x3256) in the name
    ef01.data = ef01.data.replace(bytes.fromhex("3256"), bytes.fromhex("3257"), 1)
    res = _read(card, {"pin1": "1234", "pin2": "5678"}, trust_dirs=(str(write_trust_dir(tmp_path)),))
    sig = next(c for c in res.checks if c.name == "license.signature")
    assert sig.status is CheckStatus.FAILED
    assert res.verdict is not None and res.verdict.status == "not_genuine"


def test_no_pin_card_uses_dpin_without_asking() -> None:
    card = card_for("showa64")
    card.log = []
    res = _read(card, {})
    assert res.fields["pin"] == {
        "pin_set": False, "dpin_used": True, "tries_left_before_read": {"pin1": 3, "pin2": 3}, "pin2_verified": True,
        "already_unlocked": [],
    }  # fmt: skip
    assert [v[5:] for v in _verifies(card)] == [b"****", b"****"]
    assert res.photo is not None


def test_pin_set_card_without_pin1_sends_no_verify() -> None:
    card = card_for("yamada")
    card.log = []
    with pytest.raises(OperatorInputError):
        _read(card, {})
    assert _verifies(card) == []


def test_malformed_pin_is_refused_before_anything_is_sent() -> None:
    card = card_for("yamada")
    card.log = []
    with pytest.raises(OperatorInputError):
        _read(card, {"pin1": "12a4"})
    assert _commands(card) == []


def test_wrong_pin1_decrements_and_stops_before_pin2() -> None:
    card = card_for("yamada")
    card.log = []
    with pytest.raises(PinRejected) as err:
        _read(card, {"pin1": "9999", "pin2": "5678"})
    assert err.value.tries_left == 2 and "残り2回" in err.value.message_ja
    assert card.mf.keys[1].tries_left == 2 and card.mf.keys[2].tries_left == 3
    assert [v[3] for v in _verifies(card)] == [0x81]  # PIN2 never sent
    assert not any(c[1] == 0xA4 and c[2] == 0x04 for c in _commands(card))  # DF1 never selected


def test_wrong_pin2_stops_the_read() -> None:
    card = card_for("yamada")
    with pytest.raises(PinRejected) as err:
        _read(card, {"pin1": "1234", "pin2": "0000"})
    assert err.value.secret.name_ja == "暗証番号2" and card.mf.keys[2].tries_left == 2


def test_one_try_left_needs_confirmation_and_says_what_a_lock_means() -> None:
    card = card_for("yamada", tries=(1, 3))
    card.log = []
    with pytest.raises(PinSafetyError) as err:
        _read(card, {"pin1": "1234"})
    assert "警察署" in err.value.message_ja and "運転免許センター" in err.value.message_ja
    assert _verifies(card) == []
    res = _read(card, {"pin1": "1234"}, confirm_last_try=True)
    assert res.name == "山田　花子"
    assert card.mf.keys[1].tries_left == 3  # a correct PIN resets the counter


def test_one_try_left_on_pin2_refuses_before_pin1_is_presented() -> None:
    card = card_for("yamada", tries=(3, 1))
    card.log = []
    with pytest.raises(PinSafetyError):
        _read(card, {"pin1": "1234", "pin2": "5678"})
    assert _verifies(card) == []


def test_locked_pin_is_reported_without_a_verify() -> None:
    card = card_for("yamada", tries=(0, 3))
    card.log = []
    with pytest.raises(PinSafetyError) as err:
        _read(card, {"pin1": "1234"})
    assert "ロック" in err.value.message_ja
    assert _verifies(card) == []


def test_tries_report_spends_nothing() -> None:
    card = card_for("yamada", tries=(2, 3))
    reports = DOCUMENT.tries(InProcessTransport(card))
    assert [r.tries_left for r in reports] == [2, 3]
    assert card.mf.keys[1].tries_left == 2


def test_short_ef_verify_from_df1_answers_6981() -> None:
    card = card_for("yamada")
    t = InProcessTransport(card)
    from taimen.core import apdu
    from taimen.license.aids import DF1_AID

    assert t.transmit(apdu.select_aid(DF1_AID)).sw == 0x9000
    assert t.transmit(apdu.verify(b"1234", p2=0x81)).sw == 0x6981
    assert card.mf.keys[1].tries_left == 3
    # the SELECT form works from the MF: 00 A4 02 0C 0001, then 00 20 00 80
    t.transmit(apdu.select_mf())
    assert t.transmit(apdu.select_ef(0x0001)).sw == 0x9000
    assert t.transmit(apdu.verify_query(p2=0x80)).sw == 0x63C3
    assert t.transmit(apdu.verify(b"1234", p2=0x80)).sw == 0x9000


def test_files_need_their_pins() -> None:
    from taimen.core import apdu
    from taimen.license.aids import DF1_AID, DF2_AID

    card = card_for("yamada")
    t = InProcessTransport(card)
    t.transmit(apdu.select_aid(DF1_AID))
    assert t.transmit(apdu.read_binary(0, 256, sfi=1)).sw == 0x6982
    t.transmit(apdu.select_mf())
    t.transmit(apdu.verify(b"1234", p2=0x81))
    t.transmit(apdu.select_aid(DF1_AID))
    assert t.transmit(apdu.read_binary(0, 256, sfi=1)).sw == 0x9000
    assert t.transmit(apdu.read_binary(0, 82, sfi=2)).sw == 0x6982  # 本籍 needs PIN2 too
    t.transmit(apdu.select_aid(DF2_AID))
    assert t.transmit(apdu.read_binary(0, 256, sfi=1)).sw == 0x6982


@pytest.mark.parametrize("extended", [True, False])
def test_short_apdu_reader_reads_the_same(extended: bool) -> None:
    card = card_for("long")
    res = DOCUMENT.read(InProcessTransport(card, reader_extended=extended), {"pin1": "2468", "pin2": "1357"})
    assert res.stats.extended_length is extended
    assert res.name == "勅使〓原　左衛門三郎"
    assert res.photo is not None


def test_gaiji_shown_as_images_and_placeholders() -> None:
    res = _read(card_for("long"), {"pin1": "2468", "pin2": "1357"})
    assert set(res.images) >= {"gaiji1", "gaiji3"}
    name = next(e for e in res.fields["elements"] if e["tag"] == "12" and e["file"] == "DF1/EF01")
    seg = name["decoded"]["segments"][1]
    assert seg == {"kind": "gaiji", "code": "FFF1", "index": 1, "placeholder": "〓"}
    addr = res.fields["current"]["address"]
    assert addr["source"] == "DF1/EF04 新住所1" and any(s.get("index") == 3 for s in addr["value"]["segments"])
    assert res.fields["current"]["honseki"]["text"] == "神奈川県足柄下郡箱根町湯本"  # EF06 新本籍
    text_check = next(c for c in res.checks if c.name == "license.text")
    assert text_check.status is CheckStatus.PASSED and "外字" in text_check.detail_ja
    removed = [t for t in res.fields["tsuiki"] if t["kind"] == "condition_removed"]
    assert removed[0]["value"]["text"] == "眼鏡等" and removed[0]["date"]["display_ja"] == "令和7年6月2日"


def test_heisei33_expiry_converted_flagged_and_cross_checked() -> None:
    res = _read(card_for("showa64"), {})
    assert res.card_expiry is not None
    assert res.card_expiry.iso == "2021-02-07" and "past_era_end" in res.card_expiry.flags
    assert res.card_expiry.display_ja.startswith("平成33年2月7日")
    checks = {c.name: c for c in res.checks}
    assert checks["license.era_dates"].status is CheckStatus.WARNING
    assert checks["license.common_data_dates"].status is CheckStatus.PASSED  # 平成33 = 2021 in MF/EF01
    assert checks["license.expiry"].status is CheckStatus.WARNING


def test_common_data_disagreement_is_flagged() -> None:
    p = with_facts("yamada")
    card = build_license_card(p, signer())
    mf_ef01 = card.mf.files[0x2F01]
    mf_ef01.data = mf_ef01.data.replace(bytes.fromhex("20280317"), bytes.fromhex("20290317"))
    res = _read(card, {"pin1": "1234"})
    check = next(c for c in res.checks if c.name == "license.common_data_dates")
    assert check.status is CheckStatus.WARNING and "有効期間の末日" in check.detail_ja


def test_reiwa_dates_never_print_502(tmp_path: Path) -> None:
    """Regression for J-LIS's viewer: a licence whose chip holds 令和 dates shows 令和2年…, never 502年."""
    p = with_facts("yamada", issue=date(2020, 4, 8), expiry=date(2025, 5, 17), categories={"普通": date(2020, 4, 8)})
    card = build_license_card(p, signer())
    raw = card.applications[0].files[1].data
    assert b"\x18\x075020408" in raw  # the chip records 令和 as era digit 5
    res = _read(card, {"pin1": "1234"})
    text = render(res)
    js = json.dumps(res.to_json(), ensure_ascii=False)
    assert "令和2年4月8日" in text and "令和2年4月8日" in js
    assert "令和7年5月17日" in text
    for out in (text, js):
        assert "502年" not in out and "507年" not in out and "昭和502" not in out
    issue = res.fields["dates"]["issue"]
    assert issue.iso == "2020-04-08" and issue.raw == "5020408"


def test_every_reference_tag_decoded_in_json() -> None:
    res = _read(card_for("foreign"), {"pin1": "0704", "pin2": "1776"})
    js = res.to_json()
    elements = js["fields"]["elements"]
    by_file: dict[str, dict[str, dict]] = {}
    for e in elements:
        by_file.setdefault(e["file"], {})[e["tag"]] = e
        assert set(e) >= {"tag", "name", "raw", "decoded"} and set(e["name"]) == {"ja", "en"}
    ef01 = by_file["DF1/EF01"]
    assert set(ef01) == {f"{t:02X}" for t in TAGS}
    for tag, e in ef01.items():
        assert e["decoded"] is not None, tag
        if e["kind"] in ("x0208", "x0201"):
            assert e["decoded"]["text"], f"tag {tag} decoded empty on the all-tags sample"
    assert by_file["MF/EF01"]["45"]["decoded"]["spec_version"] == "008"
    assert by_file["MF/EF02"]["05"]["decoded"]["pin_set"] is True
    assert by_file["DF1/EF02"]["41"]["decoded"]["text"] == "米国"
    assert set(by_file["DF1/EF07"]) == {"B1", "B2", "B3", "B4", "B5", "B6"}
    assert set(by_file["DF1/EF03"]) == {"48", "49"} and "A0" in by_file["DF1/EF05"]
    assert "50" in by_file["DF1/EF04"] and "AA" in by_file["DF1/EF06"]
    cats = {c["name"]["ja"]: c for c in js["fields"]["categories"]}
    assert cats["中型"]["licensed"] is False and cats["準中型"]["date"]["display_ja"] == "なし"
    assert cats["普通"]["date"]["display_ja"] == "平成22年5月1日"


def test_conversation_is_sans_io() -> None:
    """The read is a generator of APDUs: it can be driven by hand, answer by answer."""
    conv = read_license("1234", None)
    first = next(conv)
    assert first.to_bytes() == bytes.fromhex("00A40000")
    conv.close()


def test_facts_helper_is_consistent() -> None:
    assert facts("showa64").pin_set is False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(["df1_ef01", "df1_ef02", "df1_ef03", "df1_ef04", "df1_ef05", "df1_ef06", "df1_ef07", "df2_ef01"]),
    st.binary(max_size=3000),
)
def test_hostile_card_files_never_crash_a_read(name: str, junk: bytes) -> None:
    """Whatever a forged chip puts in a file, a read ends in a result or a CardError, nothing else."""
    files = dict(files_for("yamada"))
    files[name] = junk
    card = build_license_card(person("yamada"), signer(), files=files)
    try:
        res = _read(card, {"pin1": "1234", "pin2": "5678"})
    except CardError:
        return
    json.dumps(res.to_json(), ensure_ascii=False)
    render(res)


def test_garbage_photo_is_a_warning_not_a_crash() -> None:
    files = dict(files_for("yamada"))
    files["df2_ef01"] = encode(0x5F40, b"\x00\x00\x00\x0cjP  \r\n\x87\n" + b"\x00" * 200)
    res = _read(build_license_card(person("yamada"), signer(), files=files), {"pin1": "1234", "pin2": "5678"})
    photo = next(c for c in res.checks if c.name == "license.photo")
    assert photo.status is CheckStatus.WARNING and res.photo is None


def test_extended_read_is_one_apdu_per_file_and_a_capped_reader_still_reads_everything(tmp_path: Path) -> None:
    card = card_for("yamada")
    card.log = []
    _read(card, {"pin1": "1234", "pin2": "5678"})
    reads = [c for c, _ in card.log if c[1] == 0xB0]
    assert all(c[4:] == b"\x00\x00\x00" for c in reads)  # extended whole-file reads only
    assert len(reads) == 10 and len(card.log) == 18  # one READ BINARY per file, nothing else
    capped = card_for("yamada")
    capped.max_response = 400  # a card/reader that cuts long answers short without an error
    res = _read(capped, {"pin1": "1234", "pin2": "5678"}, trust_dirs=(str(write_trust_dir(tmp_path)),))
    assert next(c for c in res.checks if c.name == "license.signature").status is CheckStatus.PASSED
    assert res.photo is not None


def test_signature_over_tlv_data_without_padding_is_recognised(tmp_path: Path) -> None:
    from taimen.emulator.license_card import build_ef07
    from taimen.license.signature import _tlv_part

    files = dict(files_for("yamada"))
    trimmed = (
        _tlv_part(files["df1_ef01"])
        + _tlv_part(files["df1_ef02"])
        + _tlv_part(files["df2_ef01"], single_byte_tags=False)
    )
    files["df1_ef07"] = build_ef07(trimmed, signer())
    card = build_license_card(person("yamada"), signer(), files=files)
    res = _read(card, {"pin1": "1234", "pin2": "5678"}, trust_dirs=(str(write_trust_dir(tmp_path)),))
    assert res.fields["signature"]["verification"] == "verified"
    assert res.fields["signature"]["signed_content"] == "tlv"
    assert "埋め草を除く" in next(c for c in res.checks if c.name == "license.signature").detail_ja
