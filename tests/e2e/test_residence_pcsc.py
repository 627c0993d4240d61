"""Residence cards (gen 1 and gen 2) through the real PC/SC stack: pyscard → pcscd → vpcd → emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from taimen.core.secure_messaging import SecureMessagingError
from taimen.residence.access import NumberRejected
from taimen.residence.document import DOCUMENT
from taimen.result import CheckStatus
from taimen.samples import residence_cards as rc
from taimen.testing.pcsc import pcsc_bridge, pcsc_card
from taimen.trust import TrustStore
from taimen.trust.store import CertificateAnchor

pytestmark = pytest.mark.pcsc

SRC = Path(__file__).resolve().parents[2] / "src"
SAMPLES = {s.key: s for s in rc.samples()}
PKI = rc.make_pki()
STORE = TrustStore([], [CertificateAnchor("residence", PKI.ca1, "ca1"), CertificateAnchor("residence", PKI.ca2, "ca2")])


@pytest.mark.parametrize("key", ["rc1-nguyen", "rc2-smith", "sprc1-kim", "sprc2-park"])
def test_both_generations_read_genuine(key: str) -> None:
    s = SAMPLES[key]
    with pcsc_card(rc.build_card(s, PKI)) as transport:
        res = DOCUMENT.read(transport, {"card_number": s.number}, store=STORE, today=date(2026, 12, 5))
    assert res.verdict is not None and res.verdict.status == "genuine", res.verdict
    assert {c.name: c.status for c in res.checks}["residence.signature"] is CheckStatus.PASSED
    assert res.photo is not None and res.fields["generation"] == s.generation


def test_wrong_number_through_pcscd_one_attempt() -> None:
    card = rc.build_card(SAMPLES["rc2-smith"], PKI)
    card.log = []
    with pcsc_card(card) as transport, pytest.raises(NumberRejected):
        DOCUMENT.read(transport, {"card_number": "AB12345678CE"}, store=STORE)
    assert [c[1] for c, _ in card.log].count(0x82) == 1


def test_hostile_chip_bad_padding_is_a_clear_error() -> None:
    card = rc.build_card(SAMPLES["rc2-smith"], PKI)
    access = card.behaviours[0]
    original = access._secured

    def broken(card_: object, df: object, c: object) -> object:
        resp = original(card_, df, c)  # type: ignore[arg-type]
        if resp.data and c.ins == 0xB0:  # type: ignore[attr-defined]
            return type(resp)(resp.data[:-16] + bytes(16), resp.sw)  # last block no longer ends in 80 00…
        return resp

    access._secured = broken  # type: ignore[method-assign]
    with pcsc_card(card) as transport, pytest.raises(SecureMessagingError):
        DOCUMENT.read(transport, {"card_number": "AB12345678CD"}, store=STORE)


@pytest.mark.parametrize("key", ["rc1-nguyen", "rc2-smith"])
def test_cli_json_and_trace_hold_no_card_number_in_the_trace(tmp_path: Path, key: str) -> None:
    s = SAMPLES[key]
    rc.build(tmp_path / "cards", PKI)
    card = rc.build_card(s, PKI)
    trace = tmp_path / "trace.txt"
    with pcsc_bridge(card) as bridge:
        done = subprocess.run(
            [sys.executable, "-m", "taimen", "read", "residence", "--reader", bridge.reader_name,
             "--card-number", s.number, "--json", "--trust-dir", str(tmp_path / "cards" / "trust"),
             "--trace", str(trace)],
            capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, "PYTHONPATH": str(SRC)},
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["document"] == "residence" and out["verdict"]["status"] == "genuine"
    text = trace.read_text()
    assert "MUTUAL AUTHENTICATE" in text
    for form in (s.number, s.number.encode().hex(" ").upper(), s.number.encode().hex().upper()):
        assert form not in text
    assert s.number not in done.stderr
