"""Issue 13 item 13: a licence cannot prove chip presence, so its best verdict says what was proven (signed data
authentic, chip not provable) instead of the plain 真正 a My Number Card earns with presence proven."""

from __future__ import annotations

from pathlib import Path

from license_helpers import card_for, write_trust_dir
from taimen.license.document import DOCUMENT as LICENSE
from taimen.mynumber.document import DOCUMENT as MYNUMBER
from taimen.render_text import render
from taimen.samples import mynumber_cards as mc
from taimen.transport.inprocess import InProcessTransport
from taimen.trust import TrustStore


def test_licence_best_verdict_is_qualified(tmp_path: Path) -> None:
    trust = (str(write_trust_dir(tmp_path)),)
    result = LICENSE.read(InProcessTransport(card_for("yamada")), {"pin1": "1234", "pin2": "5678"}, trust_dirs=trust)
    v = result.verdict
    assert v is not None and v.status == "genuine" and v.chip_presence == "not_provable"
    assert v.label_ja == "データ真正（チップ未証明）" and v.label_en == "Data authentic, chip not provable"
    j = result.to_json()["verdict"]
    assert j["status"] == "genuine" and j["chip_presence"] == "not_provable"
    assert j["label"] == {"ja": "データ真正（チップ未証明）", "en": "Data authentic, chip not provable"}
    assert any(r["code"] == "chip_not_provable" for r in j["reasons"])
    assert "判定: データ真正（チップ未証明）" in render(result, lang="ja")


def test_a_cloned_licence_accepting_any_pin_is_never_shown_plain_genuine(tmp_path: Path) -> None:
    from taimen.emulator.behaviours import AcceptAnyVerify

    card = card_for("yamada")
    card.mf.behaviours.insert(0, AcceptAnyVerify((0x0001, 0x0002)))
    trust = (str(write_trust_dir(tmp_path)),)
    result = LICENSE.read(InProcessTransport(card), {"pin1": "0000", "pin2": "0000"}, trust_dirs=trust)
    assert result.verdict is not None and result.verdict.label_ja != "真正"


def test_mynumber_with_presence_proven_stays_plain_genuine(store: TrustStore) -> None:
    sample = mc.genuine("yamada")
    result = MYNUMBER.read(InProcessTransport(sample.card()), sample.printed.unlock(), store=store)
    v = result.verdict
    assert v is not None and v.status == "genuine" and v.chip_presence == "proven" and v.label_ja == "真正"
    assert result.to_json()["verdict"]["chip_presence"] == "proven"
