"""Reads of every sample and forgery through the emulator in-process: verdicts and the check that decides."""

from __future__ import annotations

from datetime import date

import pytest

from taimen.errors import CardError, OperatorInputError
from taimen.residence.access import NumberRejected
from taimen.residence.document import DOCUMENT
from taimen.result import CheckStatus, ReadResult
from taimen.samples import residence_cards as rc
from taimen.transport.inprocess import InProcessTransport
from taimen.trust import TrustStore

TODAY = date(2026, 12, 5)
SAMPLES = {s.key: s for s in rc.samples()}


def read(card: object, number: str, store: TrustStore) -> ReadResult:
    return DOCUMENT.read(InProcessTransport(card), {"card_number": number}, store=store, today=TODAY)  # type: ignore[arg-type]


def check(result: ReadResult, name: str) -> CheckStatus:
    return next(c.status for c in result.checks if c.name == name)


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_every_sample_ends_as_its_card_is(key: str, pki: rc.SamplePki, store: TrustStore) -> None:
    s = SAMPLES[key]
    result = read(rc.build_card(s, pki), s.unlock_number or s.number, store)
    assert result.verdict is not None and result.verdict.status == s.expected_verdict
    if s.expected_check:
        expected = CheckStatus.WARNING if s.expected_verdict == "attention" else CheckStatus.FAILED
        assert check(result, s.expected_check) is expected
    if s.forgery is None:
        assert check(result, "residence.signature") is CheckStatus.PASSED
        assert check(result, "residence.certificate") is CheckStatus.PASSED
        assert result.photo is not None and result.photo.mime == "image/jp2"
        assert result.fields["generation"] == s.generation and result.fields["card_type"] == s.card_type


def test_gen2_fields(pki: rc.SamplePki, store: TrustStore) -> None:
    s = SAMPLES["rc2-restricted"]
    r = read(rc.build_card(s, pki), s.number, store)
    f = r.fields
    assert f["kind"] == "residence_card" and f["card_number"] == s.number
    assert f["work_restriction"]["code"] == "9" and f["work_restriction"]["ja"] == "就労不可"
    assert f["permission_outside_status"]["comprehensive"]["code"] == "1"
    assert f["period_of_stay"] == {"raw": "0103", "indefinite": False, "years": 1, "months": 3}
    assert f["period_expiry"]["iso"] == "2027-09-30" and f["period_expiry"]["expired"] is False
    assert r.birth_date is not None and r.birth_date.iso == "2001-01-09" and r.sex == "male"
    assert set(r.images) == {"name", "address"} and all(i.mime == "image/png" for i in r.images.values())
    assert r.to_json()["document"] == "residence"


def test_gen1_fields(pki: rc.SamplePki, store: TrustStore) -> None:
    s = SAMPLES["rc1-nguyen"]
    r = read(rc.build_card(s, pki), s.number.lower(), store)  # typed in lower case: normalised
    assert set(r.images) == {"front"} and r.images["front"].mime == "image/png"
    entries = r.fields["address_entries"]
    assert [e["address"] for e in entries] == [a for _, _, a in s.address_entries]
    assert r.address == s.address_entries[-1][2]
    assert r.birth_date is None and r.card_expiry is None


def test_sprc_gen2_has_indefinite_period(pki: rc.SamplePki, store: TrustStore) -> None:
    r = read(rc.build_card(SAMPLES["sprc2-park"], pki), "NP55667788QR", store)
    assert r.fields["kind"] == "special_permanent_resident_certificate"
    assert r.fields["period_of_stay"]["indefinite"] is True
    assert check(r, "residence.period_of_stay") is CheckStatus.PASSED


@pytest.mark.parametrize("key", ["rc2-smith", "rc1-nguyen"])
def test_wrong_number_stops_after_one_attempt(key: str, pki: rc.SamplePki, store: TrustStore) -> None:
    card = rc.build_card(SAMPLES[key], pki)
    card.log = []
    with pytest.raises(NumberRejected):
        read(card, "ZZ99999999ZZ", store)
    mas = [c for c, _ in card.log if c[1] == 0x82]
    verifies = [c for c, _ in card.log if c[1] == 0x20]
    assert len(mas) == 1 and verifies == []  # one MUTUAL AUTHENTICATE, never a second attempt


def test_malformed_number_sends_nothing(pki: rc.SamplePki, store: TrustStore) -> None:
    card = rc.build_card(SAMPLES["rc2-smith"], pki)
    card.log = []
    with pytest.raises(OperatorInputError):
        read(card, "AB1234567CD", store)
    assert card.log == []


def test_no_anchor_is_not_verifiable_never_genuine(pki: rc.SamplePki) -> None:
    r = read(rc.build_card(SAMPLES["rc2-smith"], pki), "AB12345678CD", TrustStore())
    assert check(r, "residence.certificate") is CheckStatus.NOT_VERIFIABLE
    assert r.verdict is not None and r.verdict.status == "attention"


def test_specified_card_is_refused_before_any_secret(pki: rc.SamplePki, store: TrustStore) -> None:
    card = rc.build_card(SAMPLES["rc2-smith"], pki)
    card.mf.files[0x0002].data = b"\xc1\x0207"
    card.log = []
    with pytest.raises(CardError, match="特定在留カード"):
        read(card, "AB12345678CD", store)
    assert all(c[1] not in (0x82, 0x84, 0x20) for c, _ in card.log)


def test_detect(pki: rc.SamplePki) -> None:
    assert DOCUMENT.detect(InProcessTransport(rc.build_card(SAMPLES["sprc1-kim"], pki)))  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["rc1-nguyen", "rc2-smith"])
@pytest.mark.parametrize("cap", [1000, 223])
def test_a_card_that_caps_its_answers_is_read_to_the_end(
    key: str, cap: int, pki: rc.SamplePki, store: TrustStore
) -> None:
    """An extended READ BINARY answered with fewer bytes and 9000 (a capping card or reader) — inside SM too."""
    s = SAMPLES[key]
    card = rc.build_card(s, pki)
    card.max_response = cap
    result = read(card, s.number, store)
    assert result.verdict is not None and result.verdict.status == "genuine"


def test_short_apdu_reader_reads_everything(pki: rc.SamplePki, store: TrustStore) -> None:
    for key in ("rc1-nguyen", "sprc2-park"):
        s = SAMPLES[key]
        card = rc.build_card(s, pki)
        transport = InProcessTransport(card, reader_extended=False)
        r = DOCUMENT.read(transport, {"card_number": s.number}, store=store, today=TODAY)  # type: ignore[arg-type]
        assert r.verdict is not None and r.verdict.status == "genuine" and not r.stats.extended_length


def test_expired_period_is_flagged(pki: rc.SamplePki, store: TrustStore) -> None:
    s = SAMPLES["rc2-expired"]
    r = read(rc.build_card(s, pki), s.number, store)
    pexp = r.fields["period_expiry"]
    assert pexp["expired"] is True and "expired" in pexp["flags"] and pexp["iso"] == "2025-05-05"
    assert r.card_expiry is not None and "expired" not in r.card_expiry.flags
    assert r.fields["renewal_application"] == {"code": "1", "pending": True}


def test_command_bytes_follow_the_spec_appendix(pki: rc.SamplePki, store: TrustStore) -> None:
    """001460711.pdf Appendix 2: DF1/EF03 in SM `08 B0 84 00 00 00 04 96 02 00 00 00 00`, answered
    `86 82 15 91 01 …` (5520 encrypted bytes: the 5508-byte EF padded); DF3 in plain `00 B0 82 00 00 00 00`."""
    card = rc.build_card(SAMPLES["rc2-smith"], pki)
    card.log = []
    read(card, "AB12345678CD", store)
    log = dict(card.log)
    sm = bytes.fromhex("08B08400000004960200000000")
    assert sm in log and log[sm][:5] == bytes.fromhex("8682159101") and len(log[sm]) == 5 + 5520 + 2
    assert bytes.fromhex("00B08200000000") in log
    assert card.log[0][0] == bytes.fromhex("00A40000023F00")


def test_reader_that_loses_long_answers_inside_sm(pki: rc.SamplePki, store: TrustStore) -> None:
    for key in ("rc1-nguyen", "rc2-smith"):
        s = SAMPLES[key]
        transport = InProcessTransport(rc.build_card(s, pki), reader_extended=False, max_answer=200)
        r = DOCUMENT.read(transport, {"card_number": s.number}, store=store, today=TODAY)  # type: ignore[arg-type]
        assert r.verdict is not None and r.verdict.status == "genuine"
