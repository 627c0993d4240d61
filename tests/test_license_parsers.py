"""Licence file parsers: known layouts decode, hostile bytes only ever raise ParseError/CardError."""

from __future__ import annotations

import contextlib
import io
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from taimen.core.tlv import encode
from taimen.emulator import license_card as lc
from taimen.errors import CardError
from taimen.jistext import encode_x0208
from taimen.license.common_data import bcd_date, parse_common_data, parse_pin_setting
from taimen.license.elements import parse_records
from taimen.license.gaiji import parse_ef03, parse_ef05, render_bitmap
from taimen.license.honseki import parse_honseki
from taimen.license.kisai import parse_kisai
from taimen.license.number import check_digit, check_number, with_check_digit
from taimen.license.photo import decode_jpeg2000, parse_photo_file
from taimen.license.signature import parse_ef07
from taimen.license.tsuiki import parse_entry, parse_tsuiki
from taimen.samples.persons import PERSONS, person


def test_common_data() -> None:
    raw = bytes.fromhex("450B303038201904102021020746020102")
    cd = parse_common_data(raw)
    assert cd.spec_version == "008"
    assert cd.issue == date(2019, 4, 10) and cd.expiry == date(2021, 2, 7)
    assert (cd.maker, cd.crypto) == (1, 2)
    assert bcd_date(bytes.fromhex("20191332")) is None
    assert bcd_date(bytes.fromhex("2019A101")) is None
    with pytest.raises(CardError):
        parse_common_data(bytes.fromhex("450A30303820190410202102"))


@pytest.mark.parametrize(("raw", "pin_set"), [("050101", True), ("050100", False)])
def test_pin_setting_bit1(raw: str, pin_set: bool) -> None:
    assert parse_pin_setting(bytes.fromhex(raw)).pin_set is pin_set


@pytest.mark.parametrize("raw", ["0501FF", "0501FE", "050102", "050180", "05020001"])
def test_pin_setting_other_values_are_a_card_error(raw: str) -> None:
    """Only 00 and 01 are specified: a misread byte must never send DPIN "****" (b1 = 0) on its own."""
    with pytest.raises(CardError):
        parse_pin_setting(bytes.fromhex(raw))


def test_tags_1f_5f_7f_are_single_byte() -> None:
    # BER would read 1F/5F/7F as the start of a two-byte tag; the licence's tag space does not.
    data = encode(0x1F, encode_x0208("眼鏡等")) + encode(0x5F, b"\x00") + encode(0x7F, b"") + b"\xff\xff"
    records = parse_records(data)
    assert sorted(records) == [0x1F, 0x5F, 0x7F]
    assert records[0x1F].value == encode_x0208("眼鏡等")


def test_duplicate_tag_is_refused() -> None:
    with pytest.raises(CardError):
        parse_records(encode(0x12, b"") + encode(0x12, b""))


def test_kisai_every_tag_and_unknown_tags_kept() -> None:
    p = person("foreign")
    raw = lc.build_ef01(p, p.license)  # type: ignore[arg-type]
    k = parse_kisai(raw + b"")
    tags = [e.tag for e in k.elements]
    assert tags == list(range(0x11, 0x34))
    assert k.text(0x14).text == "山本　譲"  # type: ignore[union-attr]
    # an unknown tag (a future spec version) is shown, not dropped
    extra = raw.rstrip(b"\xff") + encode(0x34, b"\x12\x34")
    k2 = parse_kisai(extra)
    assert k2.get(0x34) is not None and k2.get(0x34).kind == "raw"  # type: ignore[union-attr]


def test_v006_has_no_junchugata_tag() -> None:
    p = person("expired")
    k = parse_kisai(lc.build_ef01(p, p.license))  # type: ignore[arg-type]
    assert k.get(0x33) is None and k.get(0x32) is not None


def test_empty_category_is_not_licensed() -> None:
    p = person("showa64")
    k = parse_kisai(lc.build_ef01(p, p.license))  # type: ignore[arg-type]
    cats = {c.name_ja: c for c in k.categories}
    assert cats["普通"].licensed and cats["普通"].date.display_ja == "平成19年9月1日"
    assert not cats["大型"].licensed and cats["大型"].date.flags == ("empty",) and cats["大型"].date.iso is None


def test_tsuiki_entry_layout() -> None:
    value = (
        b"\x78" + encode_x0208("５０６０６０３") + encode_x0208("東京都千代田区霞が関２丁目１番２号")
        + encode_x0208("東京都公安")
    )  # fmt: skip
    e = parse_entry(0x70, "address", 1, value, "DF1/EF04")
    assert e.layout_recognised and e.edition == 0x78
    assert e.value.text == "東京都千代田区霞が関２丁目１番２号"
    assert e.date is not None and e.date.display_ja == "令和6年6月3日" and e.date.iso == "2024-06-03"
    assert e.commission is not None and e.commission.text == "東京都公安"


def test_tsuiki_unrecognised_layout_is_shown_whole() -> None:
    e = parse_entry(0x60, "name", 1, encode_x0208("山田　太郎"), "DF1/EF04")
    assert not e.layout_recognised and e.value.text == "山田　太郎" and e.date is None


def test_tsuiki_latest_wins() -> None:
    facts = person("yamada").license
    assert facts is not None
    from taimen.samples.persons import LicenseChange

    changes = (
        LicenseChange("address", date(2024, 1, 5), "東京都港区１丁目"),
        LicenseChange("address", date(2025, 3, 1), "東京都品川区２丁目"),
    )
    f2 = type(facts)(**{**facts.__dict__, "changes": changes})
    t = parse_tsuiki(lc.build_ef04(f2), "DF1/EF04")
    assert [e.seq for e in t.of("address")] == [1, 2]
    assert t.latest("address").value.text == "東京都品川区２丁目"  # type: ignore[union-attr]


def test_gaiji_bitmaps_render() -> None:
    p = person("long")
    glyphs, _ = parse_ef03(lc.build_ef03(p.license))  # type: ignore[arg-type]
    assert [g.index for g in glyphs] == [1] and glyphs[0].side == 32
    img = Image.open(io.BytesIO(glyphs[0].png))  # type: ignore[arg-type]
    assert img.size == (64, 64)
    assert 0 < sum(img.histogram()[:128]) < 64 * 64 / 2  # ink, not a blank or solid square
    glyphs5, _ = parse_ef05(lc.build_ef05(p.license))  # type: ignore[arg-type]
    assert [g.index for g in glyphs5] == [3]
    assert render_bitmap(b"\x00" * 100) is None  # not a square: kept raw
    assert render_bitmap(b"\x00" * 4096) is None  # beyond the size limit


def test_honseki() -> None:
    els = parse_honseki(lc.build_ef02(person("yamada").license))  # type: ignore[arg-type]
    assert els[0].text == "東京都千代田区霞が関２丁目１番"


def test_photo_bounds() -> None:
    jp = lc.photo_jpeg2000(1, "j2k")
    assert len(jp) <= 2000
    ok = decode_jpeg2000(jp + b"\xff" * 10)
    assert ok.png and (ok.width, ok.height) == (192, 256)
    # a header claiming a huge image is not decoded
    huge = bytearray(jp)
    huge[8:12] = (50000).to_bytes(4, "big")
    assert decode_jpeg2000(bytes(huge)).png is None and "limit" in decode_jpeg2000(bytes(huge)).problem
    assert decode_jpeg2000(b"GIF89a...").kind == "unknown"
    broken = decode_jpeg2000(jp[:60])
    assert broken.png is None and broken.problem
    with pytest.raises(CardError):
        parse_photo_file(encode(0x5F41, jp))


def test_signature_file() -> None:
    info = parse_ef07(lc.build_ef07(b"data", None))
    assert info.value is not None and len(info.value) == 256
    assert info.issuer == "TAIMEN SAMPLE LICENSE CA (NOT NPA)" and info.ski is not None and len(info.ski) == 20


def test_number_check_digit() -> None:
    # worked example published with the rule (jiko0.com): 3090123456 → check digit 2
    assert check_digit("3090123456") == "2"
    assert check_number("309012345620").valid
    assert not check_number("309012345630").valid and check_number("309012345630").expected == "2"
    assert not check_number("30901234562").well_formed
    for p in PERSONS:
        if p.license is not None:
            assert check_number(p.license.number).valid, p.key
    assert with_check_digit("3090123456", "1") == "309012345621"


# --- fuzzing: only ParseError/CardError may escape ------------------------------------------------


def _myna(data: bytes) -> None:
    from taimen.license import myna_license as m

    for parse in (m.parse_data, m.parse_security, m.parse_pin_setting, m.decode_expiry):
        with contextlib.suppress(CardError):
            parse(data)


PARSERS = [_myna, parse_common_data, parse_pin_setting, parse_kisai, parse_honseki, parse_ef03, parse_ef05, parse_ef07,
           lambda b: parse_tsuiki(b, "DF1/EF04"), lambda b: parse_tsuiki(b, "DF1/EF06"), parse_photo_file]  # fmt: skip


def _mutations() -> st.SearchStrategy[bytes]:
    """Real sample files, truncated anywhere (the test body also overwrites one byte)."""
    seeds = [*lc.build_license_files(person("long")).values(), lc.build_myna_license_data(person("yamada"))]
    return st.builds(lambda seed, cut: seed[:cut], st.sampled_from(seeds), st.integers(0, 2100))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), _mutations()), st.integers(0, 2100), st.integers(0, 255))
def test_fuzz_parsers(data: bytes, pos: int, value: int) -> None:
    if data:
        b = bytearray(data)
        b[pos % len(b)] = value
        data = bytes(b)
    for parse in PARSERS:
        with contextlib.suppress(CardError):
            parse(data)
