"""Bad input to any command is a one-line error and a non-zero exit, never a traceback (issue 13, item 19).

Each case runs ``python -m taimen`` as the operator would. The cases are the issue's 13 and what probing
every command with bad input found besides.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PINS = ["--pin1", "1234", "--pin2", "5678", "--no-progress"]
B = ["--birth", "550217", "--expiry", "2035", "--code", "2285", "--no-progress"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    d = tmp_path_factory.mktemp("bad")
    from taimen.emulator.image import save_card
    from taimen.web.demo import load_catalog

    catalog = load_catalog(realtime=False)
    try:
        save_card(catalog.entries["license-yamada"].card(False), d / "license.json")
        save_card(catalog.entries["mynumber-yamada"].card(False), d / "mynumber.json")
    finally:
        catalog.close()
    (d / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    (d / "deepobj.json").write_text('{"a":' * 200_000 + "1" + "}" * 200_000)
    (d / "bignum.json").write_text('{"format": "taimen-card-image", "version": 1, "mf": {"x": ' + "9" * 5000 + "}}")
    (d / "nan.json").write_text('{"format": "taimen-card-image", "version": NaN}')
    (d / "garbage.json").write_bytes(b"\xff\xfe\x00garbage")
    (d / "list.json").write_text("[]")
    (d / "existing.txt").write_text("x")
    (d / "notimage.png").write_bytes(b"hello")
    (d / "dir").mkdir()
    return {p.name: str(p) for p in d.iterdir()} | {"root": str(d)}


def cases(f: dict[str, str]) -> dict[str, list[str]]:
    lic, myn, missing = f["license.json"], f["mynumber.json"], str(Path(f["root"]) / "missing" / "out")
    return {
        # the issue's cases
        "card image missing": ["read", "license", "--card-image", str(Path(f["root"]) / "nope.json"), *PINS],
        "card image is a directory": ["read", "license", "--card-image", f["dir"], *PINS],
        "JSON nested 200 000 deep": ["read", "license", "--card-image", f["deep.json"], *PINS],
        "JSON objects nested 200 000 deep": ["read", "license", "--card-image", f["deepobj.json"], *PINS],
        "5 000-digit number": ["read", "license", "--card-image", f["bignum.json"], *PINS],
        "--trace into a missing folder": ["read", "license", "--card-image", lic, *PINS, "--trace", missing],
        "--photo-out into a missing folder": ["read", "license", "--card-image", lic, *PINS, "--photo-out", missing],
        "samples onto an existing file": ["samples", f["existing.txt"]],
        "serve --host not loopback": ["serve", "--host", "0.0.0.0", "--no-browser"],
        "serve --host a name": ["serve", "--host", "example.com", "--no-browser"],
        "serve --port 70000": ["serve", "--port", "70000", "--no-browser"],
        "demo --host not loopback": ["demo", "--host", "192.0.2.1", "--no-browser"],
        "demo --port 70000": ["demo", "--port", "70000", "--no-browser"],
        # found by probing
        "emulate: JSON nested deep": ["emulate", f["deep.json"]],
        "emulate: 5 000-digit number": ["emulate", f["bignum.json"]],
        "NaN in a card image": ["read", "license", "--card-image", f["nan.json"], *PINS],
        "mynumber: deep JSON": ["read", "mynumber", "--card-image", f["deep.json"], *B],
        "mynumber-license: deep JSON": ["read", "mynumber-license", "--card-image", f["deep.json"], *B],
        "mynumber: --trace into a missing folder": ["read", "mynumber", "--card-image", myn, *B, "--trace", missing],
        "mynumber: --photo-out is a directory": ["read", "mynumber", "--card-image", myn, *B, "--photo-out", f["dir"]],
        "--trace is a directory": ["read", "license", "--card-image", lic, *PINS, "--trace", f["dir"]],
        "--trust-dir is a file": ["read", "license", "--card-image", lic, *PINS, "--trust-dir", f["existing.txt"]],
        "samples under a file": ["samples", str(Path(f["existing.txt"]) / "sub")],
        "PIN with a newline": ["read", "license", "--card-image", lic, "--pin1", "1234\n", "--no-progress"],
        "security code with a newline": ["read", "mynumber", "--card-image", myn, *B[:4], "--code", "2285\n"],
        "ocr: not an image": ["ocr", f["notimage.png"]],
        "ocr: a directory": ["ocr", f["dir"]],
        "ocr --read: --trace into a missing folder": [
            "ocr", f["notimage.png"], "--read", "--card-image", lic, "--trace", missing,
        ],
        "emulate --port 70000": ["emulate", lic, "--port", "70000"],
        "demo --vpcd 70000": ["demo", "--vpcd", "70000", "--no-browser"],
    }  # fmt: skip


def _run(argv: list[str], cwd: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "-m", "taimen", *argv],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def test_every_bad_input_is_one_line_and_a_non_zero_exit(files: dict[str, str]) -> None:
    todo = cases(files)
    with ThreadPoolExecutor(4) as pool:
        done = dict(zip(todo, pool.map(lambda a: _run(a, files["root"]), todo.values()), strict=True))
    problems = []
    for name, out in done.items():
        err = out.stderr.strip()
        if (
            out.returncode in (0, 1, 70)  # 1: Python's own exit on an uncaught exception; 70: taimen's safety net
            or "Traceback" in out.stderr + out.stdout
            or len(err.splitlines()) != 1
            or out.stdout.strip()
        ):
            problems.append(f"{name}: exit {out.returncode}, stderr {err[-300:]!r}, stdout {out.stdout[-200:]!r}")
    assert not problems, "\n".join(problems)
    assert not Path(files["existing.txt"]).is_dir() and Path(files["existing.txt"]).read_text() == "x"


@pytest.mark.parametrize("flag", ["--trace", "--photo-out"])
def test_output_paths_are_checked_before_the_card_is_read(
    files: dict[str, str], flag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verdict must not be lost after the read: nothing is sent to the card when an output path is bad."""
    from taimen.cli import main
    from taimen.transport.inprocess import InProcessTransport

    sent: list[object] = []
    real = InProcessTransport.transmit

    def counting(self: InProcessTransport, command: object) -> object:
        sent.append(command)
        return real(self, command)  # type: ignore[arg-type]

    monkeypatch.setattr(InProcessTransport, "transmit", counting)
    missing = str(Path(files["root"]) / "missing" / "out")
    code = main(["read", "license", "--card-image", files["license.json"], *PINS, flag, missing])
    assert code == 2
    assert sent == []
