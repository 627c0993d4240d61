"""My Number Card end to end: pyscard → pcscd → vpcd → the emulated card built from a sample person."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taimen.cli import main
from taimen.errors import SecretRejected
from taimen.mynumber.aids import KenmenAp, TextAp
from taimen.mynumber.document import DOCUMENT
from taimen.samples import jlis_test_pki
from taimen.samples import mynumber_cards as mc
from taimen.testing.pcsc import pcsc_bridge, pcsc_card
from taimen.trust import TrustStore

pytestmark = pytest.mark.pcsc

SAMPLE = mc.genuine("yamada")


@pytest.fixture(scope="module")
def trust(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("trust")
    jlis_test_pki.default().write_trust_dir(d)
    return d


def _verifies(card) -> list[tuple[bytes, int]]:  # type: ignore[no-untyped-def]
    """(data, status word) of every VERIFY the card received."""
    out = []
    for raw, answer in card.log:
        if raw[1] == 0x20:
            out.append((raw[5:] if len(raw) > 4 else b"", int.from_bytes(answer[-2:], "big")))
    return out


def test_full_read_through_pcscd_is_genuine(trust: Path) -> None:
    card = SAMPLE.card()
    card.log = []
    store = TrustStore.load([trust], environment=False)
    with pcsc_card(card) as transport:
        result = DOCUMENT.read(transport, SAMPLE.printed.unlock(), store=store)
    assert result.verdict is not None and result.verdict.status == "genuine", result.verdict
    assert result.name == "山田\u3000花子"
    assert result.photo is not None and result.photo.mime == "image/jp2"
    assert [c.status for c in result.checks if c.name.endswith(".presence")] == ["passed", "passed"]
    assert [sw for data, sw in _verifies(card) if data] == [0x9000, 0x9000]


def test_wrong_value_through_pcscd_spends_one_try_and_sends_one_verify(trust: Path) -> None:
    card = SAMPLE.card()
    card.log = []
    text_ap, kenmen = card.applications[1], card.applications[2]
    before = text_ap.keys[TextAp.SHOGO_B].tries_left
    with pcsc_card(card) as transport, pytest.raises(SecretRejected) as err:
        DOCUMENT.read(transport, {**SAMPLE.printed.unlock(), "security_code": "2286"}, trust_dirs=(str(trust),))
    assert err.value.tries_left == before - 1
    assert text_ap.keys[TextAp.SHOGO_B].tries_left == before - 1
    assert kenmen.keys[KenmenAp.SHOGO_B].tries_left == before
    sent = [sw for data, sw in _verifies(card) if data]
    assert sent == [0x63C0 | (before - 1)]


def test_cli_reads_from_a_named_reader(trust: Path, capsys: pytest.CaptureFixture[str]) -> None:
    card = SAMPLE.card()
    with pcsc_bridge(card) as bridge:
        rc = main(
            [
                "read",
                "mynumber",
                "--birth",
                "昭和55年2月17日",
                "--expiry",
                "2035",
                "--code",
                "2285",
                "--reader",
                bridge.reader_name,
                "--trust-dir",
                str(trust),
                "--json",
                "--no-progress",
            ]
        )
    out = capsys.readouterr().out
    assert rc == 0
    doc = json.loads(out)
    assert doc["verdict"]["status"] == "genuine"
    assert "55021720352285" not in out
