"""Parallel test runs share vpcd's two slots through file locks: they wait, they do not collide."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.pcsc

CHILD = """
import json, sys, time
from taimen.core import apdu
from taimen.emulator.card import DedicatedFile, VirtualCard
from taimen.testing.pcsc import pcsc_card

aid = bytes.fromhex("F0000000%02X")
card = VirtualCard(DedicatedFile("MF"), [DedicatedFile("app", aid=aid)])
with pcsc_card(card) as transport:
    start = time.time()
    time.sleep(0.8)
    sw = transport.transmit(apdu.select_aid(aid)).sw
    end = time.time()
print(json.dumps({"reader": transport.name, "start": start, "end": end, "sw": sw}))
"""


def test_three_runs_share_two_slots_without_overlap() -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    children = [
        subprocess.Popen([sys.executable, "-c", CHILD % i], stdout=subprocess.PIPE, text=True, env=env)
        for i in range(3)
    ]
    sessions = []
    for child in children:
        out, _ = child.communicate(timeout=300)
        assert child.returncode == 0
        sessions.append(json.loads(out))
    # Each card answered its own SELECT: no run talked to another run's card.
    assert all(s["sw"] == 0x9000 for s in sessions)
    for a in sessions:
        for b in sessions:
            if a is not b and a["reader"] == b["reader"]:
                assert a["end"] <= b["start"] or b["end"] <= a["start"], (a, b)
