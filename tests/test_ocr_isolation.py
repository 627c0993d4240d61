"""OCR is offline and leaves nothing behind: no network, no onnxruntime telemetry, no files.

Each test runs a real OCR of a card photo in a fresh Python process (so onnxruntime is imported under the
conditions being tested) and checks what that process could reach and what it wrote.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ocr_helpers import photo

ROOT = Path(__file__).resolve().parents[1]

#: The child: OCR the photo, print a digest of the result; with BLOCK_SOCKETS an audit hook refuses every
#: socket operation (creation, name lookup, connect), so any attempt to reach the network breaks the read.
CHILD = r"""
import json, os, sys
if os.environ.get("BLOCK_SOCKETS"):
    def hook(event, args):
        if event.startswith("socket."):
            raise RuntimeError(f"network access attempted during OCR: {event}")
    sys.addaudithook(hook)
from taimen.ocr import read_photo
res = read_photo(open(sys.argv[1], "rb").read(), "mynumber")
import onnxruntime
print(json.dumps({"birth": res.unlock["birth_yymmdd"].value, "name": res.fields["name"].value,
                  "card_found": res.card_found, "ort": onnxruntime.__version__}, ensure_ascii=False))
"""


def _run(tmp_path: Path, *, home: Path, prefix: list[str] | None = None, block: bool = False) -> dict[str, object]:
    img = tmp_path / "card.jpg"
    img.write_bytes(photo("yamada", "mynumber").jpeg)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "PYTHONPATH": str(ROOT / "src"),
        "TMPDIR": str(tmp_path / "tmp"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    (tmp_path / "tmp").mkdir(exist_ok=True)
    if block:
        env["BLOCK_SOCKETS"] = "1"
    work = tmp_path / "cwd"
    work.mkdir(exist_ok=True)
    cmd = [*(prefix or []), sys.executable, "-c", CHILD, str(img)]
    out = subprocess.run(cmd, env=env, cwd=work, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _files(d: Path) -> list[str]:
    return sorted(str(p.relative_to(d)) for p in d.rglob("*"))


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="needs unshare -n (root)")
def test_ocr_works_without_any_network(tmp_path: Path) -> None:
    """In a network namespace with no interfaces at all (not even loopback up), OCR still reads the card."""
    home = tmp_path / "home"
    home.mkdir()
    got = _run(tmp_path, home=home, prefix=["unshare", "-n"])
    assert got == {**got, "birth": "550217", "name": "山田\u3000花子", "card_found": True}


def test_ocr_opens_no_socket(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    got = _run(tmp_path, home=home, block=True)
    assert got["birth"] == "550217"


def test_no_telemetry_and_no_files_written(tmp_path: Path) -> None:
    """onnxruntime 1.32 writes ~/.cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid,onnxruntime.db}
    unless ORT_DISABLE_TELEMETRY / ORT_TELEMETRY_DISABLED are set before it is imported (taimen does that)."""
    home = tmp_path / "home"
    home.mkdir()
    got = _run(tmp_path, home=home)
    assert got["birth"] == "550217"
    assert not (home / ".cache" / "Microsoft").exists()
    assert _files(home) == []  # nothing at all under HOME
    assert _files(tmp_path / "tmp") == []  # no temporary files (OCR never writes images or text)
    assert _files(tmp_path / "cwd") == []


def test_the_telemetry_probe_would_notice(tmp_path: Path) -> None:
    """Control: the same onnxruntime, imported without the opt-out, does write its telemetry files here, so the
    test above is checking something real."""
    home = tmp_path / "home"
    home.mkdir()
    code = (
        "import numpy as np, onnxruntime as ort, rapidocr, pathlib\n"
        "p = pathlib.Path(rapidocr.__file__).parent / 'models' / 'ch_ppocr_mobile_v2.0_cls_mobile.onnx'\n"
        "s = ort.InferenceSession(str(p))\n"
        "i = s.get_inputs()[0]\n"
        "s.run(None, {i.name: np.zeros((1, 3, 48, 192), np.float32)})\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert (home / ".cache" / "Microsoft").exists()


def test_the_socket_guard_would_notice() -> None:
    """Control: the audit hook used above does stop a socket operation."""
    guard = CHILD.split("from taimen.ocr")[0]
    code = guard + "import socket\nsocket.getaddrinfo('localhost', 80)\n"
    out = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "BLOCK_SOCKETS": "1"}, capture_output=True, text=True
    )
    assert out.returncode != 0 and "network access attempted" in out.stderr
