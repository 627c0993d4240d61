"""CLI parity with the web app: every registered document is readable with ``taimen read``, with --json,
--photo-out, a reader or a card image; ``taimen serve``/``demo``/``readers`` exist; the generic reader works."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from taimen.cli import build_parser, read_any
from taimen.documents import registry
from taimen.emulator.image import save_card
from taimen.web.demo import load_catalog

ROOT = Path(__file__).resolve().parents[2]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings}


def test_every_document_has_a_read_command_with_the_common_options() -> None:
    top = _subcommands(build_parser(complete=True))
    assert {"read", "readers", "serve", "demo"} <= set(top)
    reads = _subcommands(top["read"])
    command = {key: key if key in reads else key.replace("_", "-") for key in registry()}
    assert set(command.values()) <= set(reads)
    for key in registry():
        opts = _options(reads[command[key]])
        assert {"--json", "--photo-out", "--reader", "--card-image", "--trust-dir", "--confirm-last-try"} <= opts, key
        assert "--no-progress" in opts, key
    assert {"--host", "--port", "--no-browser"} <= _options(top["serve"]) & _options(top["demo"])


def test_generic_read_command_reads_a_real_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The generic command (used for documents without their own module) on the licence document."""
    catalog = load_catalog(realtime=False)
    try:
        image = tmp_path / "card.json"
        save_card(catalog.entries["license-yamada"].card(False), image)
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        read_any.add_document(sub, registry()["license"])
        photo = tmp_path / "photo.img"
        argv = ["license", "--pin1", "1234", "--pin2", "5678", "--card-image", str(image), "--json", "--no-progress"]
        args = parser.parse_args([*argv, "--trust-dir", catalog.trust_dirs[0], "--photo-out", str(photo)])
        args.lang = "ja"
        assert args.func(args) == 0
    finally:
        catalog.close()
    out = json.loads(capsys.readouterr().out)
    assert out["document"] == "license" and out["verdict"]["status"] == "genuine"
    assert photo.read_bytes()[:4] in (b"\x00\x00\x00\x0c", b"\xffO\xffQ", b"\x89PNG")  # the chip photo, on request

    # No value is a PIN (hex and base64 of signatures may contain the digits by chance, so whole values only).
    def values(v: object) -> list[object]:
        if isinstance(v, dict):
            return [x for k in v.values() for x in values(k)]
        if isinstance(v, list):
            return [x for k in v for x in values(k)]
        return [v]

    assert not {"1234", "5678"} & {v for v in values(out) if isinstance(v, str)}


def test_generic_read_refuses_bad_values_before_touching_anything(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    read_any.add_document(sub, registry()["license"])
    args = parser.parse_args(["license", "--pin1", "12a4", "--card-image", str(tmp_path / "missing.json")])
    from taimen.errors import OperatorInputError

    with pytest.raises(OperatorInputError):
        args.func(args)


def test_demo_and_serve_help_run() -> None:
    for cmd in ("demo", "serve"):
        done = subprocess.run(
            [sys.executable, "-m", "taimen", cmd, "--help"],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
            timeout=60,
            check=False,
        )
        assert done.returncode == 0 and "--no-browser" in done.stdout


def test_serve_refuses_a_non_loopback_address() -> None:
    from taimen.web.app import Settings
    from taimen.web.server import build

    with pytest.raises(ValueError):
        build(lambda port: Settings(port=port), host="0.0.0.0")
