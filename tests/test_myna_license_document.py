"""マイナ免許証 end to end in-process: 免許AP + 入力補助AP in one flow, PIN safety across both secrets."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from license_helpers import assert_no_pin, signer, with_facts
from taimen.emulator.card import VirtualCard
from taimen.errors import PinSafetyError, SecretRejected
from taimen.license.myna_document import DOCUMENT
from taimen.license.pin import PinRejected
from taimen.render_text import render
from taimen.result import CheckStatus
from taimen.samples import jlis_test_pki
from taimen.samples.license_cards import myna_license_card
from taimen.transport.inprocess import InProcessTransport


@pytest.fixture(scope="module")
def trust(tmp_path_factory: pytest.TempPathFactory) -> str:
    d = tmp_path_factory.mktemp("trust")
    jlis_test_pki.default().write_trust_dir(d)
    return str(d)


def _verifies(card: VirtualCard) -> list[bytes]:
    return [c for c, _ in card.log or [] if c[1] == 0x20 and len(c) > 4]


def test_combined_read(trust: str) -> None:
    card, unlock = myna_license_card("yamada", signer(), holder=with_facts("yamada", pin1="8041"))
    card.log = []
    res = DOCUMENT.read(InProcessTransport(card), unlock, trust_dirs=(trust,), today=date(2026, 11, 25))
    assert res.document == "mynumber_license"
    assert res.name == "山田\u3000花子" and res.address == "東京都千代田区霞が関２丁目１番２号"
    assert res.birth_date is not None and res.birth_date.display_ja == "昭和55年2月17日"
    assert res.card_expiry is not None and res.card_expiry.display_ja == "令和10年3月17日"
    assert res.photo is not None
    checks = {c.name: c.status for c in res.checks}
    assert checks["text_ap.signature"] is CheckStatus.PASSED and checks["text_ap.presence"] is CheckStatus.PASSED
    assert checks["mynumber_license.signature"] is CheckStatus.NOT_VERIFIABLE
    assert res.verdict is not None and res.verdict.status == "attention"  # licence data is not proven
    # licence PIN (SFI 6) first, then 照合番号B
    v = _verifies(card)
    assert v[0][:4] == bytes.fromhex("00200086") and v[1][:4] == bytes.fromhex("00200080") and len(v) == 2
    lic = res.fields["license"]
    assert {"C2", "C3", "C4", "C6"} <= set(lic["undocumented_tags"])
    c5 = next(e for e in lic["elements"] if e["tag"] == "C5")
    assert c5["decoded"]["display_ja"] == "令和10年3月17日" and c5["raw"] == "05313030333137"
    text = render(res)
    js = json.dumps(res.to_json(), ensure_ascii=False)
    assert "令和10年3月17日" in text and "502年" not in text and "510年" not in js
    assert_no_pin(js, ("8041",), json_doc=res.to_json())
    b = unlock["birth"] + unlock["expiry_year"] + unlock["security_code"]
    assert_no_pin(js, (b, unlock["security_code"]), json_doc=res.to_json())


def test_no_license_pin_uses_dpin(trust: str) -> None:
    card, unlock = myna_license_card("showa64", signer())
    assert "license_pin" not in unlock
    card.log = []
    res = DOCUMENT.read(InProcessTransport(card), unlock, trust_dirs=(trust,))
    assert res.fields["license"]["pin"]["dpin_used"] is True
    assert _verifies(card)[0][5:] == b"****"


def test_wrong_license_pin_stops_before_shogo_b() -> None:
    card, unlock = myna_license_card("yamada", signer())
    card.log = []
    with pytest.raises(PinRejected) as err:
        DOCUMENT.read(InProcessTransport(card), {**unlock, "license_pin": "0000"})
    assert err.value.tries_left == 9
    assert len(_verifies(card)) == 1  # 照合番号B never presented


def test_wrong_shogo_b_spends_one_try() -> None:
    card, unlock = myna_license_card("yamada", signer())
    with pytest.raises(SecretRejected) as err:
        DOCUMENT.read(InProcessTransport(card), {**unlock, "security_code": "0000"})
    assert not isinstance(err.value, PinRejected) and err.value.tries_left is not None


def test_last_try_of_either_secret_refuses_before_any_verify() -> None:
    card, unlock = myna_license_card("yamada", signer(), tries=1)
    card.log = []
    with pytest.raises(PinSafetyError) as err:
        DOCUMENT.read(InProcessTransport(card), unlock)
    assert "警察署" in err.value.message_ja and _verifies(card) == []


def test_tries_report() -> None:
    card, _ = myna_license_card("yamada", signer(), tries=7)
    reports = DOCUMENT.tries(InProcessTransport(card))
    assert reports[0].tries_left == 7 and reports[1].tries_left is not None


def test_detect_only_with_the_license_ap() -> None:
    card, _ = myna_license_card("yamada", signer())
    assert DOCUMENT.detect(InProcessTransport(card))
    from taimen.samples import mynumber_cards

    assert not DOCUMENT.detect(InProcessTransport(mynumber_cards.genuine("yamada").card()))


def test_cli(tmp_path: Path, trust: str) -> None:
    import os
    import subprocess
    import sys

    from taimen.emulator.image import save_card

    card, unlock = myna_license_card("yamada", signer(), holder=with_facts("yamada", pin1="8041"))
    image = tmp_path / "myna.json"
    save_card(card, image)
    src = Path(__file__).resolve().parents[1] / "src"
    args = [
        "--birth",
        unlock["birth"],
        "--expiry",
        unlock["expiry_year"],
        "--code",
        unlock["security_code"],
        "--license-pin",
        unlock["license_pin"],
        "--json",
        "--trust-dir",
        trust,
        "--trace",
        str(tmp_path / "t"),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "taimen", "read", "mynumber-license", "--card-image", str(image), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(src)},
    )
    assert done.returncode == 10, done.stderr
    out = json.loads(done.stdout)
    assert out["document"] == "mynumber_license" and out["name"] == "山田\u3000花子"
    assert_no_pin(done.stdout, (unlock["license_pin"],), json_doc=out)
    trace = (tmp_path / "t").read_text(encoding="utf-8")
    assert_no_pin(trace, (unlock["license_pin"], unlock["birth"] + unlock["expiry_year"] + unlock["security_code"]))
