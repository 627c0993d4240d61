"""``taimen emulate`` and ``taimen readers`` as a user runs them."""

from __future__ import annotations

import json
import os
import pty
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from taimen.core import apdu
from taimen.emulator.image import save_card
from taimen.testing.pcsc import SLOTS, pcsc_bridge, pcscd_running
from taimen.transport.pcsc import PcscTransport, reader_status

from .cards import AID, build_card

pytestmark = pytest.mark.pcsc

SRC = Path(__file__).resolve().parents[2] / "src"
ENV = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONUNBUFFERED": "1"}
#: An ATR no other test card uses, so a card left over in the slot cannot be mistaken for this one.
ATR = bytes.fromhex("3B8880010000000000778100000000")


def taimen(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "taimen", "--lang", "en", *args], capture_output=True, text=True,
                          env=ENV, timeout=60, check=True)  # fmt: skip
    return done.stdout


def wait_atr(reader: str, atr: bytes | None, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = next(s for s in reader_status() if s.name == reader)
        if (state.atr if state.card_present else None) == atr:
            return
        time.sleep(0.05)
    raise AssertionError(f"{reader}: ATR {atr!r} not seen within {timeout} s")


def start_emulator(image: Path, stdin: int | None = None) -> tuple[subprocess.Popen[str], str]:
    """Run ``taimen emulate`` on whichever slot is free (other runs may hold one)."""
    deadline = time.monotonic() + 300
    while True:
        for port in SLOTS:
            proc = subprocess.Popen(
                [sys.executable, "-m", "taimen", "--lang", "en", "emulate", str(image), "--port", str(port)],
                stdin=stdin if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=ENV,
            )
            assert proc.stdout is not None
            first = proc.stdout.readline()
            if first.startswith("ATR"):
                reader = first.split("serving in ", 1)[1].split(" (port", 1)[0]
                return proc, reader
            _, err = proc.communicate(timeout=10)
            assert proc.returncode == 2 and "in use" in err, err
        assert time.monotonic() < deadline, "no vpcd slot became free"
        time.sleep(0.2)


def test_emulate_serves_a_card_image_and_follows_signals(tmp_path: Path) -> None:
    image = tmp_path / "card.json"
    save_card(build_card(atr=ATR, test_behaviours=False), image)
    with pcscd_running():
        _serve_and_follow_signals(image)


def _serve_and_follow_signals(image: Path) -> None:
    proc, reader = start_emulator(image)
    try:
        wait_atr(reader, ATR)
        with PcscTransport(reader) as transport:
            assert transport.transmit(apdu.select_aid(AID)).sw == 0x9000

        listing = taimen("readers")
        line = next(x for x in listing.splitlines() if x.startswith(reader))
        assert "card present" in line and ATR.hex(" ").upper() in line
        as_json = {r["reader"]: r for r in json.loads(taimen("readers", "--json"))}
        assert as_json[reader] == {"reader": reader, "card_present": True, "atr": ATR.hex().upper()}

        proc.send_signal(signal.SIGUSR1)
        wait_atr(reader, None)
        assert "no card" in next(x for x in taimen("readers").splitlines() if x.startswith(reader))
        proc.send_signal(signal.SIGUSR2)
        wait_atr(reader, ATR)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Card is in reader" in out and "Card left the reader." in out
    assert "Stopped (" in out and "APDUs served" in out


def test_emulate_keys_on_a_terminal(tmp_path: Path) -> None:
    image = tmp_path / "card.json"
    save_card(build_card(atr=ATR, test_behaviours=False), image)
    with pcscd_running():
        _serve_with_keys(image)


def _serve_with_keys(image: Path) -> None:
    master, slave = pty.openpty()
    proc, reader = start_emulator(image, stdin=slave)
    os.close(slave)
    try:
        wait_atr(reader, ATR)
        os.write(master, b"r\n")
        wait_atr(reader, None)
        os.write(master, b"i\n")
        wait_atr(reader, ATR)
        os.write(master, b"q\n")
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        os.close(master)
    assert proc.returncode == 0, err
    assert "r=remove, i=insert, q=quit" in out


def expect_line(lines: queue.Queue[str], *parts: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"no line with {parts} within {timeout} s") from None
        if all(p in line for p in parts):
            return line


#: ``python -m taimen`` with Ctrl-C as at a terminal: a suite started in the background by a shell without job
#: control runs with SIGINT ignored, which its children inherit and Python then keeps.
WITH_CTRL_C = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv[0] = 'taimen'; runpy.run_module('taimen', run_name='__main__', alter_sys=True)"
)


def test_readers_watch_follows_the_card() -> None:
    card = build_card(atr=ATR)
    with pcscd_running():
        proc = subprocess.Popen(
            [sys.executable, "-c", WITH_CTRL_C, "--lang", "en", "readers", "--watch"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        assert proc.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
        try:
            expect_line(lines, "reader added", "Virtual PCD 00 01")  # the watcher is up
            with pcsc_bridge(card) as bridge:
                atr = ATR.hex(" ").upper()
                expect_line(lines, "card inserted", bridge.reader_name, atr)
                bridge.remove()
                expect_line(lines, "card removed", bridge.reader_name)
                bridge.insert()
                expect_line(lines, "card inserted", bridge.reader_name, atr)
        finally:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
