"""``taimen samples DIR`` writes card images and a trust directory; every image reads to its expected verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taimen.cli import main
from taimen.cli import samples as samples_cli
from taimen.emulator.image import load_card
from taimen.mynumber.document import DOCUMENT
from taimen.transport.inprocess import InProcessTransport


def test_samples_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["samples", str(tmp_path)]) == 0
    listed = [Path(line) for line in capsys.readouterr().out.splitlines() if line.startswith(str(tmp_path))]
    assert (tmp_path / "trust" / "jlis-cvc").is_dir() and (tmp_path / "trust" / "jpki").is_dir()
    images = sorted(tmp_path.glob("mynumber-*.json"))
    assert len(images) == 15 and set(images) <= set(listed)
    for path in images:
        doc = json.loads(path.read_text(encoding="utf-8"))
        sample = doc["sample"]
        result = DOCUMENT.read(
            InProcessTransport(load_card(path)),
            {
                "birth": sample["printed"]["birth"],
                "calendar": sample["printed"]["calendar"],
                "expiry_year": sample["printed"]["expiry_year"],
                "security_code": sample["printed"]["security_code"],
            },
            trust_dirs=(str(tmp_path / "trust"),),
        )
        assert result.verdict is not None
        assert result.verdict.status == sample["expected_verdict"], path.name
    # only public keys in the trust directory
    for f in (tmp_path / "trust").rglob("*"):
        if f.is_file():
            assert b"PRIVATE" not in f.read_bytes()


def test_builders_skip_modules_not_written_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = samples_cli.builders(
        ("taimen.samples.mynumber_cards", "taimen.samples.no_such_builder", "taimen.no_such_package.builder")
    )
    assert [m.__name__ for m in found] == ["taimen.samples.mynumber_cards"]
    # A builder that exists but fails to import is an error, not silently skipped.
    (tmp_path / "broken_builder_for_test.py").write_text("import taimen_missing_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        samples_cli.builders(("broken_builder_for_test",))
