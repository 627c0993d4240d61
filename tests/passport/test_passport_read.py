"""Reading the sample passports and forgeries in-process: each ends with its verdict through its own check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from taimen.core.conversation import drive
from taimen.documents import get
from taimen.emulator.image import card_from_json, card_to_json
from taimen.errors import OperatorInputError
from taimen.passport import lds
from taimen.passport.bac import AccessRefused
from taimen.passport.document import DOCUMENT, build_result
from taimen.passport.reader import read_passport
from taimen.result import CheckStatus, ReadStats
from taimen.samples import passport_cards as pc
from taimen.transport.inprocess import InProcessTransport


def _unlock(s: pc.SamplePassport) -> dict[str, str]:
    return {"mrz": "\n".join(pc.mrz_lines(s.person))}


@pytest.mark.parametrize("sample", pc.all_samples(), ids=lambda s: s.key)
def test_every_sample_ends_with_its_verdict(sample: pc.SamplePassport, passport_trust: Path) -> None:
    card = card_from_json(card_to_json(sample.card()))  # through the card-image format
    res = DOCUMENT.read(InProcessTransport(card), _unlock(sample), trust_dirs=(str(passport_trust),))
    assert res.verdict is not None and res.verdict.status == sample.expected_verdict
    failed = {c.name for c in res.checks if c.status is CheckStatus.FAILED}
    if sample.failing_check is None:
        assert failed == set()
        assert res.photo is not None and res.fields["name_latin"] == f"{sample.person.surname} {sample.person.given}"
        assert res.name == sample.person.name_ja  # DG11's name in national characters
        assert res.fields["notices"][0]["code"] == "no_address" and res.address is None
    else:
        assert failed == {sample.failing_check}


def test_chip_proof_names_the_protocol(passport_trust: Path) -> None:
    for key, proved, ca in (("yamada", ["active authentication"], "not offered"), ("suzuki", [], "not offered"),
                            ("sato", ["active authentication", "chip authentication"], "passed")):  # fmt: skip
        s = pc.sample(key)
        res = DOCUMENT.read(InProcessTransport(s.card()), _unlock(s), trust_dirs=(str(passport_trust),))
        assert res.fields["chip_proof"]["proved_by"] == proved
        assert res.fields["chip_proof"]["chip_authentication"] == ca
        if key == "suzuki":
            aa = {c.name: c for c in res.checks}["passport.active_auth"]
    assert aa.status is CheckStatus.SKIPPED and not aa.required and "not excluded" in aa.detail_en


def test_three_typed_fields_unlock_and_are_compared(passport_trust: Path) -> None:
    p = pc.PERSONS["sato"]
    res = DOCUMENT.read(InProcessTransport(pc.sample("sato").card()),
                        {"document_number": p.number.lower(), "birth": p.birth, "expiry": p.expiry},
                        trust_dirs=(str(passport_trust),))  # fmt: skip
    assert res.verdict is not None and res.verdict.status == "genuine"
    assert res.photo is not None and res.photo.mime == "image/jp2"
    assert {c.name: c.status for c in res.checks}["passport.mrz_match"] is CheckStatus.PASSED


def test_wrong_mrz_is_refused_by_the_chip_not_called_a_forgery() -> None:
    p = pc.PERSONS["yamada"]
    with pytest.raises(AccessRefused):
        DOCUMENT.read(InProcessTransport(pc.sample("yamada").card()),
                      {"document_number": p.number, "birth": "850218", "expiry": p.expiry})  # fmt: skip


def test_operator_input_errors_before_any_apdu() -> None:
    card = pc.sample("yamada").card()
    card.log = []
    for unlock in ({}, {"birth": "850217"}, {"document_number": "TS1234567", "birth": "851317", "expiry": "340331"},
                   {"mrz": "P<JPN"}):  # fmt: skip
        with pytest.raises(OperatorInputError):
            DOCUMENT.read(InProcessTransport(card), unlock)
    assert card.log == []


def test_typed_mrz_with_a_different_name_fails_the_comparison(passport_trust: Path) -> None:
    s = pc.sample("yamada")
    l1, l2 = pc.mrz_lines(s.person)
    forged_page = "P<JPNYAMADA<<HANAKA".ljust(44, "<")  # the data page was altered; the key fields still fit
    res = DOCUMENT.read(InProcessTransport(s.card()), {"mrz": forged_page + "\n" + l2},
                        trust_dirs=(str(passport_trust),))  # fmt: skip
    assert {c.name: c.status for c in res.checks}["passport.mrz_match"] is CheckStatus.FAILED
    assert res.verdict is not None and res.verdict.status == "not_genuine"
    assert l1 != forged_page


def test_no_csca_for_the_issuing_state_is_not_verifiable_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAIMEN_TRUST_NO_BUILTIN", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    s = pc.sample("yamada")
    res = DOCUMENT.read(InProcessTransport(s.card()), _unlock(s))
    checks = {c.name: c.status for c in res.checks}
    assert checks["passport.dsc_chain"] is CheckStatus.NOT_VERIFIABLE
    assert checks["passport.sod_signature"] is CheckStatus.PASSED and checks["passport.dg_hashes"] is CheckStatus.PASSED
    assert res.verdict is not None and res.verdict.status == "attention"


def test_short_apdu_reader_falls_back_inside_sm(passport_trust: Path) -> None:
    s = pc.sample("sato")
    res = DOCUMENT.read(InProcessTransport(s.card(), reader_extended=False), _unlock(s),
                        trust_dirs=(str(passport_trust),))  # fmt: skip
    assert res.verdict is not None and res.verdict.status == "genuine"
    assert res.stats.extended_length is False
    ext = DOCUMENT.read(InProcessTransport(s.card()), _unlock(s), trust_dirs=(str(passport_trust),))
    assert ext.stats.apdus < res.stats.apdus


def test_unknown_and_eac_groups_are_listed_not_read(passport_trust: Path) -> None:
    s = pc.sample("suzuki")
    card = s.card()
    app = card.applications[0]
    com = app.files[lds.EF_COM]
    com.data = lds.encode_com([1, 2, 3, 7, 11, 12])  # DG3 (EAC) and DG7 listed, never present
    read = drive(read_passport(pc.mrz_key(s.person)), InProcessTransport(card))
    assert set(read.files) == {1, 2, 11, 12} and set(read.not_read) == {3, 7}
    res = build_result(read, typed=None, unlock_fields=(s.person.number, s.person.birth, s.person.expiry),
                       cscas=[pc.sample_csca()], stats=ReadStats())  # fmt: skip
    assert res.fields["data_groups"]["not_read"] == {"DG3": "needs EAC terminal authentication",
                                                     "DG7": "not needed at a counter"}  # fmt: skip
    assert res.verdict is not None and res.verdict.status == "genuine"


def test_expired_passport_needs_attention() -> None:
    s = pc.sample("suzuki")
    read = drive(read_passport(pc.mrz_key(s.person)), InProcessTransport(s.card()))
    res = build_result(read, typed=None, unlock_fields=(s.person.number, s.person.birth, s.person.expiry),
                       cscas=[pc.sample_csca()], stats=ReadStats(), today=dt.date(2027, 6, 11))  # fmt: skip
    assert {c.name: c.status for c in res.checks}["passport.expiry"] is CheckStatus.WARNING
    assert res.verdict is not None and res.verdict.status == "attention"


def test_registered_and_detected() -> None:
    doc = get("passport")
    assert doc.detect(InProcessTransport(pc.sample("yamada").card()))
    assert doc.tries(InProcessTransport(pc.sample("yamada").card())) == []


def test_chip_refuses_plain_reads_after_selecting_the_application() -> None:
    from taimen.core import apdu

    t = InProcessTransport(pc.sample("yamada").card())
    assert t.transmit(apdu.select_aid(lds.LDS1_AID)).sw == 0x9000
    assert t.transmit(apdu.select_ef(lds.EF_COM)).sw == 0x6982


def test_pace_preferred_when_offered_bac_otherwise(passport_trust: Path) -> None:
    s = pc.sample("sato")
    res = DOCUMENT.read(InProcessTransport(s.card()), _unlock(s), trust_dirs=(str(passport_trust),))
    assert res.fields["access"]["protocol"] == "PACE (brainpoolP256r1, AES-128)"
    assert res.fields["access"]["pace_offered"] == ["PACE ECDH-GM-AES-128"]
    assert {c.name: c.title_en for c in res.checks}["passport.access_control"] == "access control (PACE)"
    y = pc.sample("yamada")
    res = DOCUMENT.read(InProcessTransport(y.card()), _unlock(y), trust_dirs=(str(passport_trust),))
    assert res.fields["access"] == {"protocol": "BAC", "pace_offered": []}


def test_pace_with_a_wrong_mrz_is_refused() -> None:
    p = pc.PERSONS["sato"]
    with pytest.raises(AccessRefused):
        DOCUMENT.read(InProcessTransport(pc.sample("sato").card()),
                      {"document_number": p.number, "birth": p.birth, "expiry": "300916"})  # fmt: skip


def test_pace_trace_redacts_everything_after_mse_set_at(tmp_path: Path, passport_trust: Path) -> None:
    from taimen.transport.trace import TracingTransport

    s = pc.sample("sato")
    traced = TracingTransport(InProcessTransport(s.card()))
    DOCUMENT.read(traced, _unlock(s), trust_dirs=(str(passport_trust),))
    entries = traced.trace.entries
    first = next(i for i, e in enumerate(entries) if e.label == "MSE:Set AT (PACE)")
    assert "<redacted>" in entries[first].command
    for e in entries[first + 1 :]:
        assert e.response == "" or e.response.startswith("<redacted>"), e


def test_chip_authentication_proves_the_dg14_key_and_catches_a_clone(passport_trust: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    s = pc.sample("sato")
    for other_key in (None, ec.generate_private_key(ec.SECP256R1())):
        card = s.card()
        chip = card.behaviours[0]
        chip.ca_key = other_key  # a clone: DG14 copied, its private key not
        res = DOCUMENT.read(InProcessTransport(card), _unlock(s), trust_dirs=(str(passport_trust),))
        ca = {c.name: c for c in res.checks}["passport.chip_auth"]
        assert ca.status is CheckStatus.FAILED and "clone" in ca.detail_en
        assert res.verdict is not None and res.verdict.status == "not_genuine"
