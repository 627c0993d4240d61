"""``taimen demo`` as a counter runs it: the printed launch URL works once, a new one comes on SIGUSR1 or Enter,
and the long-lived session never appears on a command line or in the output (issue 13, item 16)."""

from __future__ import annotations

import os
import pty
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
URL = re.compile(r"http://127\.0\.0\.1:\d+/\?code=[\w-]+")


def _lines(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    out: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            out.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return out


def _next_url(lines: queue.Queue[str], seen: list[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        seen.append(line)
        m = URL.search(line)
        if m:
            return m.group(0)
    raise AssertionError(f"taimen printed no launch URL: {''.join(seen)[-500:]}")


@pytest.mark.parametrize("how", ["signal", "enter"])
def test_printed_url_works_once_and_a_new_one_comes_on_request(tmp_path: Path, how: str) -> None:
    master, terminal = pty.openpty()  # stdin is a terminal, as at a counter
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "taimen", "demo", "--no-browser", "--port", "0", "--no-realtime", "--no-records"],
        cwd=tmp_path,
        env=env,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = _lines(proc)
    seen: list[str] = []
    session = "?"
    try:
        first = _next_url(lines, seen, 60)
        origin = first.split("/?")[0]
        with httpx.Client(follow_redirects=False, timeout=10) as a:
            r = a.get(first)
            assert r.status_code == 303
            assert a.get(origin + "/api/state").status_code != 403  # past the guard (operator sign-in is next)
            session = a.cookies.get(f"taimen_{origin.rsplit(':', 1)[1]}")
            assert session and session not in first
        with httpx.Client(follow_redirects=False, timeout=10) as b:
            assert b.get(first).status_code == 403  # used: a second browser cannot reuse it
            assert b.get(origin + "/api/state").status_code == 403
            if how == "signal":
                proc.send_signal(signal.SIGUSR1)
            else:
                os.write(master, b"\n")
            second = _next_url(lines, seen, 20)
            assert second != first
            assert b.get(second).status_code == 303
            assert b.get(origin + "/api/state").status_code != 403
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(master)
        os.close(terminal)
    time.sleep(0.2)
    while not lines.empty():
        seen.append(lines.get())
    out = "".join(seen)
    assert "Traceback" not in out
    assert session not in out
