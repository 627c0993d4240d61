"""``taimen ocr``: proposals on stdout (secrets masked unless on a terminal, never in JSON), and ``--read``:
the operator confirms each unlock value before the chip is read and compared with the printed face."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from ocr_helpers import ocr, photo
from taimen.cli import main
from taimen.emulator.image import save_card
from taimen.samples import jlis_test_pki, mynumber_cards


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    ocr()  # load the engine once for this module
    d = tmp_path_factory.mktemp("cli_ocr")
    out = {"trust": d / "trust"}
    jlis_test_pki.default().write_trust_dir(out["trust"])
    sample = mynumber_cards.genuine("yamada")
    out["card"] = d / "mynumber-yamada.json"
    save_card(sample.card(), out["card"], description=sample.description)
    for name, ph in {
        "genuine": photo("yamada", "mynumber", seed=31),
        "forged": photo("yamada", "mynumber", seed=32, forgery="face"),
        "residence": photo("foreign", "residence", seed=33),
    }.items():
        out[name] = d / f"{name}.jpg"
        out[name].write_bytes(ph.jpeg)
    return out


def _as_number(secret: str, text: str) -> bool:
    """Whether ``secret`` stands in ``text`` as a value of its own, not inside a longer run of hex digits."""
    return re.search(rf"(?<![0-9A-Fa-f]){secret}(?![0-9A-Fa-f])", text) is not None


def test_proposals_as_json(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ocr", str(files["genuine"]), "--document", "mynumber", "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["proposal"] is True and data["document"] == "mynumber"
    assert data["unlock"]["birth_yymmdd"]["value"] == "550217"
    assert data["unlock"]["security_code"]["value"] is None and data["unlock"]["security_code"]["redacted"]
    assert "2285" not in out and "55021720352285" not in out


def test_text_output_masks_secrets_when_redirected(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ocr", str(files["residence"])]) == 0  # document recognised by its title
    out = capsys.readouterr().out
    assert "提案" in out and "在留カード" in out
    assert "AB12345678CD" not in out and "************" in out
    assert "SMITH JOHN" in out


def test_read_after_confirmation_genuine(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n\n\n\n"))  # the operator accepts each proposal
    code = main(
        [
            "ocr",
            str(files["genuine"]),
            "--document",
            "mynumber",
            "--read",
            "--card-image",
            str(files["card"]),
            "--trust-dir",
            str(files["trust"]),
            "--json",
            "--no-progress",
        ]
    )
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert code == 0 and result["verdict"]["status"] == "genuine"
    assert {c["name"] for c in result["checks"]} >= {"face.name", "face.birth_date", "face.photo"}
    # stderr is not a terminal: masked. A code stands as a number of its own; the run's fresh test keys and
    # certificates print hex digests that hold any four digits now and then (「…3C228580A…」)
    for secret in ("2285", "55021720352285"):
        assert not _as_number(secret, captured.out) and not _as_number(secret, captured.err), secret


def test_read_with_a_corrected_value(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator's correction is what goes to the card: a wrong one is refused by the chip (one try)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n\n\n0000\n"))  # security code typed over
    code = main(
        [
            "ocr",
            str(files["genuine"]),
            "--document",
            "mynumber",
            "--read",
            "--card-image",
            str(files["card"]),
            "--trust-dir",
            str(files["trust"]),
            "--json",
            "--no-progress",
        ]
    )
    assert code != 0
    assert "照合番号B" in capsys.readouterr().err


def test_read_forged_face(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n\n\n\n"))
    code = main(
        [
            "ocr",
            str(files["forged"]),
            "--document",
            "mynumber",
            "--read",
            "--card-image",
            str(files["card"]),
            "--trust-dir",
            str(files["trust"]),
            "--json",
            "--no-progress",
        ]
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 11 and result["verdict"]["status"] == "not_genuine"
    assert any("佐々木" in r["ja"] and "山田" in r["ja"] for r in result["verdict"]["reasons"])


def test_nothing_is_sent_without_confirmation(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no answer at all
    code = main(
        [
            "ocr",
            str(files["genuine"]),
            "--document",
            "mynumber",
            "--read",
            "--card-image",
            str(files["card"]),
            "--trust-dir",
            str(files["trust"]),
            "--no-progress",
        ]
    )
    assert code == 2
    assert "確認" in capsys.readouterr().err
