"""``taimen samples`` writes the residence card images; each, loaded from its file, reads to its verdict
through the check meant for it, with the samples' own trust directory and without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taimen.cli import main
from taimen.emulator.image import load_card
from taimen.residence.document import DOCUMENT
from taimen.result import CheckStatus
from taimen.transport.inprocess import InProcessTransport


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    from taimen.samples import residence_cards

    residence_cards.build(out)
    return out


def test_every_written_image_reads_to_its_expected_verdict(written: Path) -> None:
    images = sorted(written.glob("residence-*.json"))
    assert len(images) == 11
    for path in images:
        sample = json.loads(path.read_text(encoding="utf-8"))["sample"]
        result = DOCUMENT.read(
            InProcessTransport(load_card(path)), sample["unlock"], trust_dirs=(str(written / "trust"),)
        )
        assert result.verdict is not None and result.verdict.status == sample["expected_verdict"], path.name
        if sample["expected_check"]:
            status = next(c.status for c in result.checks if c.name == sample["expected_check"])
            assert status in (CheckStatus.FAILED, CheckStatus.WARNING), path.name
    for f in (written / "trust" / "residence").iterdir():
        assert b"PRIVATE" not in f.read_bytes()


def test_without_the_sample_anchors_nothing_is_genuine(written: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAIMEN_TRUST_NO_BUILTIN", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(written / "no-config"))
    path = written / "residence-rc2-smith.json"
    sample = json.loads(path.read_text(encoding="utf-8"))["sample"]
    result = DOCUMENT.read(InProcessTransport(load_card(path)), sample["unlock"])
    assert result.verdict is not None and result.verdict.status == "attention"
    cert = next(c for c in result.checks if c.name == "residence.certificate")
    assert cert.status is CheckStatus.NOT_VERIFIABLE and "not verifiable here" in cert.detail_en


def test_cli_text_and_exit_codes(written: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trust = str(written / "trust")
    code = main(["read", "residence", "--card-image", str(written / "residence-forged-photo.json"),
                 "--trust-dir", trust, "--card-number", "AB12345678CD", "--no-progress"])  # fmt: skip
    assert code == 11 and "真正でない" in capsys.readouterr().out
    code = main(["read", "residence", "--card-image", str(written / "residence-rc2-smith.json"),
                 "--trust-dir", trust, "--card-number", "AB12 3456 78CD", "--no-progress"])  # fmt: skip
    assert code == 0
    code = main(["read", "residence", "--card-image", str(written / "residence-rc2-smith.json"),
                 "--trust-dir", trust, "--card-number", "AB12345678", "--no-progress"])  # fmt: skip
    assert code == 2


def test_card_images_round_trip(written: Path) -> None:
    from taimen.emulator.image import card_to_json

    for path in sorted(written.glob("residence-*.json")):
        assert card_to_json(load_card(path)) == json.loads(path.read_text(encoding="utf-8")), path.name
