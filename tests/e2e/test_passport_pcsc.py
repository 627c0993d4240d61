"""Passports through the real PC/SC stack: pyscard → pcscd → vpcd → the emulated eMRTD chip.

Every sample and forgery ends with the verdict it should, through the check meant for it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from taimen.passport.document import DOCUMENT
from taimen.result import CheckStatus
from taimen.samples import passport_cards as pc
from taimen.testing.pcsc import pcsc_bridge, pcsc_card

pytestmark = pytest.mark.pcsc

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(scope="module")
def trust(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("passport-e2e")
    pc.write_trust(out)
    return out / "trust"


@pytest.mark.parametrize("sample", pc.all_samples(), ids=lambda s: s.key)
def test_sample_verdict_through_pcscd(sample: pc.SamplePassport, trust: Path) -> None:
    with pcsc_card(sample.card()) as transport:
        res = DOCUMENT.read(transport, {"mrz": "\n".join(pc.mrz_lines(sample.person))}, trust_dirs=(str(trust),))
    assert res.verdict is not None and res.verdict.status == sample.expected_verdict
    failed = {c.name for c in res.checks if c.status is CheckStatus.FAILED}
    assert failed == ({sample.failing_check} if sample.failing_check else set())
    if sample.failing_check is None:
        assert res.photo is not None


def test_cli_through_the_reader(trust: Path) -> None:
    s = pc.sample("sato")
    with pcsc_bridge(s.card()) as bridge:
        done = subprocess.run(
            [sys.executable, "-m", "taimen", "read", "passport", "--reader", bridge.reader_name,
             "--document-number", s.person.number, "--birth", s.person.birth, "--expiry", s.person.expiry,
             "--json", "--trust-dir", str(trust)],
            capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, "PYTHONPATH": str(SRC)},
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["document"] == "passport" and out["verdict"]["status"] == "genuine"
    assert out["photo"]["mime"] == "image/jp2"
    assert out["fields"]["chip_proof"]["proved_by"] == ["active authentication", "chip authentication"]
