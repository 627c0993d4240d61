"""The CLI imports only what the command needs (issue 13, item 20): a cheap guard, not a timed test.

``python -X importtime`` lists every module a real ``taimen`` process imported. Timing lives in
``benchmarks/startup_bench.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from taimen.documents import LISTINGS

ROOT = Path(__file__).resolve().parents[1]

#: Never needed to print the version or to read a card from the command line.
HEAVY = {
    "numpy",
    "cv2",
    "PIL",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "onnxruntime",
    "rapidocr",
    "rapidocr_onnxruntime",
    "pytesseract",
    "taimen.ocr",
    "taimen.web",
    "taimen.face",
    "taimen.compare",
}
#: Not needed for --version either: no document, no emulator, no signature code.
NOT_FOR_VERSION = {
    "cryptography",
    "taimen.documents",
    "taimen.emulator",
    "taimen.mynumber",
    "taimen.license",
    "taimen.trust",
    "taimen.transport",
    "json",
    "asyncio",
}


def imported(argv: list[str], cwd: Path) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "taimen", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert out.returncode in (0, 10), out.stderr[-2000:]
    names = set()
    for line in out.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if not name.startswith("package"):
                names.add(name)
    return names


def _offending(names: set[str], banned: set[str]) -> set[str]:
    return {n for n in names if n in banned or any(n.startswith(b + ".") for b in banned)}


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("samples")
    subprocess.run(
        [sys.executable, "-m", "taimen", "samples", str(d)],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    return d


def test_version_imports_nothing_heavy(tmp_path: Path) -> None:
    names = imported(["--version"], tmp_path)
    assert "taimen.cli" in names
    assert not _offending(names, HEAVY | NOT_FOR_VERSION)


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    assert not _offending(imported(["--help"], tmp_path), HEAVY | NOT_FOR_VERSION)


#: Pillow's plugins beyond the few it always loads: their presence means ``Image.init()`` loaded them all.
ALL_PLUGINS = {"PIL.FliImagePlugin", "PIL.GbrImagePlugin", "PIL.SgiImagePlugin", "PIL.PdfImagePlugin"}


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        # The licence photo (JPEG 2000) is kept as stored and decoded only where it is shown: no Pillow.
        (["read", "license", "--card-image", "{s}/license-yamada.json", "--pin1", "1234", "--pin2", "5678"], set()),
        (
            [
                "read",
                "mynumber",
                "--card-image",
                "{s}/mynumber-yamada.json",
                "--birth",
                "550217",
                "--expiry",
                "2035",
                "--code",
                "2285",
            ],
            set(),
        ),
    ],
    ids=["license", "mynumber"],
)
def test_read_imports_no_web_ocr_or_numpy(samples: Path, argv: list[str], allowed: set[str]) -> None:
    argv = [a.format(s=samples) for a in argv] + ["--trust-dir", str(samples / "trust"), "--no-progress"]
    names = imported(argv, samples)
    assert "taimen.documents" in names  # it did read
    assert not _offending(names, HEAVY - allowed)
    assert not names & ALL_PLUGINS
    # JPEG 2000 opened through its plugin and PNG written by name: not Image.preinit's five plugins
    assert not names & {"PIL.GifImagePlugin", "PIL.BmpImagePlugin", "PIL.JpegImagePlugin", "PIL.PpmImagePlugin"}
    assert "taimen.emulator.residence_card" not in names  # a residence card's emulator only for its images
    others = {entry.module for entry in LISTINGS if entry.key != argv[1]} - {"taimen.mynumber.document"}
    assert not names & others  # only the document read is imported
    # the emulator loads another card type's behaviours only for an image that uses them
    assert not {n for n in names if n.startswith("taimen.emulator.") and n.endswith("_card")}
    if argv[1] == "license":  # the pinned signer is found by key (taimen.trust.certinfo), not cryptography.x509
        assert "cryptography.x509" not in names
