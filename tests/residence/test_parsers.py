"""Strict, bounded parsing of every residence-card file; fuzzed with hypothesis."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taimen.errors import CardError, ParseError
from taimen.residence.entries import parse_file, period_of_stay, split, ymd
from taimen.residence.layout import TAGS_GEN1, TAGS_GEN2
from taimen.residence.reader import CardType, ResidenceRead, parse_card_type
from taimen.residence.report import build_result
from taimen.result import CheckStatus
from taimen.trust import TrustStore
from taimen.trust.store import CertificateAnchor


def test_reference_tlv_examples() -> None:
    # residence-card.md §1 "TLV parser test examples"
    data = (
        b"\xc1\x02\x30\x35" + b"\xd0\x82\x09\xc4" + bytes(2500) + b"\xd1\x82\x0b\xb8" + bytes(3000)
        + b"\xdf\xd1\x82\x09\xc4" + bytes(2500) + b"\xdc\x60" + bytes(96) + b"\xdd\x82\x02\x56" + bytes(598)
    )  # fmt: skip
    objs = split(data, "test")
    assert [o.tag for o in objs] == [0xC1, 0xD0, 0xD1, 0xDFD1, 0xDC, 0xDD]
    assert [len(o.value) for o in objs] == [2, 2500, 3000, 2500, 96, 598]


def test_padding_and_trailing_garbage() -> None:
    assert parse_file(b"\xd8\x01\x31\x00\x00", "df2_ef02", 2, "DF2/EF02").get(0xD8) == b"1"
    with pytest.raises(ParseError, match="padding"):
        parse_file(b"\xd8\x01\x31\x00\x07", "df2_ef02", 2, "DF2/EF02")


def test_lengths_beyond_the_tag_table_are_refused() -> None:
    with pytest.raises(ParseError, match="at most 12"):
        parse_file(b"\xc2\x0d" + b"A" * 13, "df1_ef01", 2, "DF1/EF01")
    with pytest.raises(ParseError, match="at most 7000"):
        parse_file(b"\xd0\x82\x1b\x59" + bytes(7001), "df1_ef01", 1, "DF1/EF01")
    with pytest.raises(ParseError, match="83"):
        split(b"\xd0\x83\x00\x00\x01\x00", "x")  # 3-byte length forms are not in the card's TLV rule
    with pytest.raises(ParseError, match="claims"):
        split(b"\xd0\x82\xff\xff\x00", "x")


def test_repeated_tag_refused_unless_entries() -> None:
    with pytest.raises(ParseError, match="twice"):
        parse_file(b"\xc2\x01A\xc2\x01B", "df1_ef01", 2, "DF1/EF01")
    p = parse_file(b"\xd2\x0820240101\xd2\x0820250101", "df2_ef01", 1, "DF2/EF01", repeats=True)
    assert len(p.objects) == 2


def test_unknown_tags_are_kept_raw() -> None:
    p = parse_file(b"\xd8\x01\x30\xe1\x02\xab\xcd", "df2_ef02", 2, "DF2/EF02")
    assert [u.to_json() for u in p.unknown] == [{"file": "DF2/EF02", "tag": "E1", "raw_hex": "E102ABCD"}]


def test_card_types() -> None:
    assert parse_card_type(b"\xc1\x01\x31").generation == 1
    assert parse_card_type(b"\xc1\x02\x30\x36").kind == "special_permanent_resident_certificate"
    for raw in (b"\xc1\x02\x30\x37", b"\xc1\x02\x30\x38"):
        with pytest.raises(CardError, match="not supported: 特定在留カード"):
            parse_card_type(raw)
    with pytest.raises(CardError):
        parse_card_type(b"\xc1\x01\x39")


def test_values() -> None:
    assert period_of_stay("0000")["indefinite"] is True
    assert period_of_stay("090") == {"raw": "090", "indefinite": False, "days": 90}
    assert period_of_stay("ab")["invalid"] is True
    assert ymd("20260230") is not None and ymd("20260230").flags == ("invalid",)  # type: ignore[union-attr]
    assert ymd("00000000").flags == ("empty",)  # type: ignore[union-attr]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a loaded CI box
@given(st.binary(max_size=600), st.sampled_from(sorted(TAGS_GEN2)), st.sampled_from([1, 2]))
def test_fuzz_file_parsers_only_raise_parse_errors(data: bytes, key: str, gen: int) -> None:
    if key not in (TAGS_GEN1 if gen == 1 else TAGS_GEN2):
        return
    with contextlib.suppress(ParseError):
        parse_file(data, key, gen, key)


tlv_objects = st.lists(
    st.tuples(
        st.sampled_from([0xC2, 0xC5, 0xC7, 0xCE, 0xD0, 0xD1, 0xD5, 0xD8, 0xDC, 0xDD, 0xE0]), st.binary(max_size=40)
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.dictionaries(
        st.sampled_from(["df1_ef01", "df1_ef02", "df1_ef03", "df2_ef01", "df2_ef03", "df3_ef01"]), tlv_objects
    ),
    st.sampled_from([1, 2]),
)
def test_fuzz_whole_report_never_crashes(files: dict[str, list[tuple[int, bytes]]], gen: int) -> None:
    from taimen.core.tlv import encode

    read = ResidenceRead(CardType("1" if gen == 1 else "05", gen, "residence_card"))
    read.files = {k: b"".join(encode(t, v) for t, v in objs) for k, objs in files.items()}
    try:
        result = build_result(read, "AB12345678CD", TrustStore(), today=date(2026, 12, 5))
    except ParseError:
        return
    assert result.verdict is not None and result.verdict.status != "genuine"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_signature_file_never_crashes_nor_passes(data: st.DataObject) -> None:
    """Flip bytes of a real gen-2 signature file (DC and the DD certificate): a failed or unverifiable
    check or a ParseError, never a crash and never a pass for altered bytes."""
    from taimen.samples import residence_cards as rc

    global _PKI_FILES
    if "_PKI_FILES" not in globals():
        pki = rc.make_pki()
        _PKI_FILES = (pki, rc._gen2_files(next(s for s in rc.samples() if s.key == "rc2-smith"), pki))
    pki, files = _PKI_FILES
    sig_file = bytearray(files["df3_ef01"])
    for i in data.draw(st.sets(st.integers(0, len(sig_file) - 1), min_size=1, max_size=4)):
        sig_file[i] ^= data.draw(st.integers(1, 255))
    read = ResidenceRead(CardType("05", 2, "residence_card"))
    read.files = {**files, "df3_ef01": bytes(sig_file)}
    store = TrustStore([], [CertificateAnchor("residence", pki.ca2, "ca2")])
    try:
        result = build_result(read, "AB12345678CD", store, today=date(2026, 12, 5))
    except ParseError:
        return
    checks = {c.name: c.status for c in result.checks}
    assert not (
        checks["residence.signature"] is CheckStatus.PASSED and checks["residence.certificate"] is CheckStatus.PASSED
    )
