"""IC driving licence through the real PC/SC stack: pyscard → pcscd → vpcd → emulated licence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from license_helpers import assert_no_pin, card_for, signer, write_trust_dir
from taimen.license.document import DOCUMENT
from taimen.license.pin import PinRejected
from taimen.result import CheckStatus
from taimen.testing.pcsc import pcsc_bridge, pcsc_card

pytestmark = pytest.mark.pcsc

SRC = Path(__file__).resolve().parents[2] / "src"


def test_full_read_with_pin1_and_pin2(tmp_path: Path) -> None:
    card = card_for("yamada")
    with pcsc_card(card) as transport:
        res = DOCUMENT.read(transport, {"pin1": "1234", "pin2": "5678"}, trust_dirs=(str(write_trust_dir(tmp_path)),))
    assert res.name == "山田　花子" and res.address == "東京都千代田区霞が関２丁目１番２号"
    assert res.photo is not None
    checks = {c.name: c.status for c in res.checks}
    assert checks["license.signature"] is CheckStatus.PASSED
    assert res.verdict is not None and res.verdict.status == "genuine"
    cats = {c["name"]["ja"]: c["date"]["display_ja"] for c in res.fields["categories"]}
    assert cats["準中型"] == "令和2年4月8日"


def test_no_pin_card_uses_dpin() -> None:
    card = card_for("showa64")
    card.log = []
    with pcsc_card(card) as transport:
        res = DOCUMENT.read(transport, {})
    assert res.fields["pin"]["dpin_used"] is True and res.photo is not None
    verifies = [c for c, _ in card.log if c[1] == 0x20 and len(c) > 4]
    assert [v[5:] for v in verifies] == [b"****", b"****"]
    assert res.card_expiry is not None and res.card_expiry.display_ja.startswith("平成33年2月7日")


def test_wrong_pin_decrements_and_stops() -> None:
    card = card_for("long")
    card.log = []
    with pcsc_card(card) as transport:
        with pytest.raises(PinRejected) as err:
            DOCUMENT.read(transport, {"pin1": "0000", "pin2": "1357"})
        reports = DOCUMENT.tries(transport)
    assert err.value.tries_left == 2
    assert [r.tries_left for r in reports] == [2, 3]
    assert [c[3] for c, _ in card.log if c[1] == 0x20 and len(c) > 4] == [0x81]  # PIN2 never presented


def test_cli_through_the_reader(tmp_path: Path) -> None:
    card = card_for("long")
    trust = write_trust_dir(tmp_path / "trust")
    with pcsc_bridge(card) as bridge:
        done = subprocess.run(
            [sys.executable, "-m", "taimen", "read", "license", "--reader", bridge.reader_name,
             "--pin1", "2468", "--pin2", "1357", "--json", "--trust-dir", str(trust)],
            capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, "PYTHONPATH": str(SRC)},
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["document"] == "license" and out["verdict"]["status"] == "genuine"
    assert out["images"]["gaiji1"]["mime"] == "image/png"
    assert_no_pin(done.stdout, ("2468", "1357"), json_doc=out)


def test_myna_license_through_pcscd(tmp_path: Path) -> None:
    from taimen.license.myna_document import DOCUMENT as MYNA
    from taimen.samples import jlis_test_pki
    from taimen.samples.license_cards import myna_license_card

    trust = tmp_path / "trust"
    jlis_test_pki.default().write_trust_dir(trust)
    card, unlock = myna_license_card("yamada", signer())
    card.log = []
    with pcsc_card(card) as transport:
        res = MYNA.read(transport, unlock, trust_dirs=(str(trust),))
    assert res.name == "山田\u3000花子" and res.card_expiry is not None and res.card_expiry.iso == "2028-03-17"
    checks = {c.name: c.status for c in res.checks}
    assert checks["text_ap.presence"] is CheckStatus.PASSED
    assert checks["mynumber_license.signature"] is CheckStatus.NOT_VERIFIABLE
    assert [c[3] for c, _ in card.log if c[1] == 0x20 and len(c) > 4] == [0x86, 0x80]


def test_myna_license_without_pin_uses_dpin_through_pcscd() -> None:
    from taimen.license.myna_document import DOCUMENT as MYNA
    from taimen.samples.license_cards import myna_license_card

    card, unlock = myna_license_card("showa64", signer())
    card.log = []
    with pcsc_card(card) as transport:
        res = MYNA.read(transport, unlock)
    assert res.fields["license"]["pin"]["dpin_used"] is True
    assert next(c for c, _ in card.log if c[1] == 0x20 and len(c) > 4)[5:] == b"****"
