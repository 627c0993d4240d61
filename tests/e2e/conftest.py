"""End-to-end tests through the real PC/SC stack: pyscard → pcscd → vpcd → taimen's card emulator.

Every test here is marked ``pcsc``. The session fixture ``pcscd_service`` (autouse) runs
``scripts/start-pcscd.sh``, which starts pcscd with the vpcd driver if it is not running; if pcscd cannot be
made to answer, the tests FAIL (they never skip: a missing service is a broken test machine).

Helpers for your own end-to-end tests live in ``taimen.testing.pcsc`` (importable from any test directory):

- ``pcsc_card(card) -> ContextManager[PcscTransport]``: a transport connected through pcscd to ``card``
  (a ``taimen.emulator.card.VirtualCard``), e.g. ``with pcsc_card(card) as t: drive(conversation, t)``;
- ``pcsc_bridge(card) -> ContextManager[VpcdBridge]``: the bridge itself, for tests that remove and insert
  the card (``bridge.remove()`` / ``bridge.insert()``) or open their own ``PcscTransport(bridge.reader_name)``;
- ``pcscd_running()``: pcscd up and not restarted by another run during the block, for tests that talk to
  pcscd without a card of their own (listing readers, ``taimen emulate`` in a subprocess);
- ``exclusive_pcscd()``: keep other test runs away from pcscd (used when a test restarts pcscd).

Both take one of vpcd's two slots for the duration, under an fcntl lock in /tmp/taimen-pcsc, so parallel
pytest runs by several developers wait for a slot rather than collide. The ``pcsc_card`` fixture below is a
factory for the same thing inside this directory.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from taimen.emulator.card import VirtualCard
from taimen.testing.pcsc import pcsc_card as _pcsc_card
from taimen.transport.pcsc import PcscTransport

START_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "start-pcscd.sh"


@pytest.fixture(scope="session", autouse=True)
def pcscd_service() -> None:
    done = subprocess.run([str(START_SCRIPT)], capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        pytest.fail(f"pcscd with the vpcd driver is not available: {done.stderr.strip() or done.stdout.strip()}")


@pytest.fixture
def pcsc_card() -> Iterator[Callable[[VirtualCard], AbstractContextManager[PcscTransport]]]:
    """``pcsc_card(card)`` as a fixture: returns the context-manager factory."""
    yield _pcsc_card
