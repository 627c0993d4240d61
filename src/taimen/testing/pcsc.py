"""Real PC/SC sessions with an emulated card: pyscard → pcscd → vpcd → ``VpcdBridge`` → ``VirtualCard``.

Usage from any test (pcscd is started if needed; the test fails, never skips, if it cannot run)::

    from taimen.testing.pcsc import pcsc_card

    with pcsc_card(card) as transport:          # a connected PcscTransport
        result = drive(read_something(), transport)

``pcsc_bridge(card)`` yields the ``VpcdBridge`` instead (its ``reader_name``, ``remove()``, ``insert()``) for
tests that move the card in and out of the field. Several test runs on one machine share the two vpcd slots
(ports 35963/35964): a slot is held with an fcntl lock for the whole session, so concurrent runs wait for a
free slot instead of colliding. ``exclusive_pcscd()`` keeps every other run out while a test restarts pcscd.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from taimen.emulator.card import VirtualCard
from taimen.emulator.vpcd import VPCD_PORT, VpcdBridge, reader_name_for_port
from taimen.testing import pcscd
from taimen.testing.pcscd import PcscdError, file_lock
from taimen.transport.pcsc import PcscTransport

#: The two slots of Debian's vpcd reader.conf.
SLOTS = (VPCD_PORT, VPCD_PORT + 1)
#: How long a run waits for a free slot (other runs may hold both for a while).
SLOT_WAIT = 900.0

_exclusive_held = False


class SlotBusy(PcscdError):
    """No vpcd slot became free in time."""


def card_present(reader: str) -> bool | None:
    """Whether pcscd reports a card in ``reader`` (None: reader or service missing)."""
    from smartcard import scard

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return None
    try:
        hresult, states = scard.SCardGetStatusChange(context, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
        if hresult != scard.SCARD_S_SUCCESS:
            return None
        event = states[0][1]
        if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
            return None
        return bool(event & scard.SCARD_STATE_PRESENT)
    finally:
        scard.SCardReleaseContext(context)


def wait_card(reader: str, present: bool, timeout: float) -> bool:
    """Wait until pcscd sees the reader with (or without) a card. pcscd polls vpcd every ~0.4 s."""
    deadline = time.monotonic() + timeout
    while True:
        if card_present(reader) is present:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


@contextmanager
def pcscd_shared(timeout: float = SLOT_WAIT) -> Iterator[None]:
    """Hold pcscd in "in use" state: ``exclusive_pcscd`` in another run waits until we are done.

    Passing through the intent lock first gives a waiting ``exclusive_pcscd`` priority over new sessions.
    """
    if _exclusive_held:
        yield
        return
    with ExitStack() as stack:
        with file_lock("pcscd-intent.lock", shared=True, timeout=timeout):
            stack.enter_context(file_lock("pcscd.lock", shared=True, timeout=timeout))
        yield


@contextmanager
def pcscd_running(timeout: float = SLOT_WAIT) -> Iterator[None]:
    """pcscd up (started if needed) and not restarted by another run until the block ends.

    For tests that talk to pcscd without a card of their own (listing readers, an empty reader, a subprocess
    serving the card); ``pcsc_bridge`` and ``pcsc_card`` include it.
    """
    with pcscd_shared(timeout):
        pcscd.ensure_running()
        yield


@contextmanager
def exclusive_pcscd(timeout: float = SLOT_WAIT) -> Iterator[None]:
    """Keep other runs away from pcscd, e.g. while a test kills and restarts it."""
    global _exclusive_held
    with file_lock("pcscd-intent.lock", timeout=timeout), file_lock("pcscd.lock", timeout=timeout):
        _exclusive_held = True
        try:
            yield
        finally:
            _exclusive_held = False


def _empty_slot(ports: dict[int, ExitStack], wait: float) -> int | None:
    """The first of ``ports`` whose reader is (or within ``wait`` s becomes) empty."""
    deadline = time.monotonic() + wait
    while True:
        for port in ports:
            if card_present(reader_name_for_port(port)) is False:
                return port
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.02)


@contextmanager
def vpcd_slot(timeout: float = SLOT_WAIT) -> Iterator[int]:
    """A free vpcd port (35963 or 35964) held for this process, with its reader empty.

    A slot whose lock we got may still list the previous holder's card for one pcscd poll, so an empty slot
    is preferred; a card that stays for seconds is not ours to use (a vicc or emulator started without the
    lock) and that slot is skipped for a while.
    """
    deadline = time.monotonic() + timeout
    foreign: set[int] = set()
    while True:
        with ExitStack() as held:
            locked: dict[int, ExitStack] = {}
            for port in SLOTS:
                if port in foreign:
                    continue
                stack = held.enter_context(ExitStack())
                try:
                    stack.enter_context(file_lock(f"vpcd-{port}.lock", timeout=0))
                except PcscdError:
                    continue
                locked[port] = stack
            if locked:
                port = _empty_slot(locked, 0.0) or _empty_slot(locked, 3.0)
                if port is not None:
                    for other, stack in locked.items():
                        if other != port:
                            stack.close()  # let other runs have the slot we do not need
                    yield port
                    return
                foreign.update(locked)
        if time.monotonic() >= deadline:
            busy = ", ".join(f"{p}{' (card not managed by taimen)' if p in foreign else ''}" for p in SLOTS)
            raise SlotBusy(f"no vpcd slot became free within {timeout:.0f} s: {busy}")
        if len(foreign) == len(SLOTS):
            foreign.clear()
        time.sleep(0.1)


@contextmanager
def pcsc_bridge(card: VirtualCard, *, quickack: bool = True, timeout: float = SLOT_WAIT) -> Iterator[VpcdBridge]:
    """Put ``card`` into a vpcd reader; yields the bridge once pcscd sees the card. The card leaves at exit."""
    with pcscd_running(timeout), vpcd_slot(timeout) as port:
        bridge = VpcdBridge(card, port=port, quickack=quickack).start()
        try:
            if not wait_card(bridge.reader_name, True, 10.0):
                raise PcscdError(f"pcscd did not see the emulated card in {bridge.reader_name!r} within 10 s")
            yield bridge
        finally:
            bridge.stop()  # the next holder of the slot waits until pcscd has seen the card go


@contextmanager
def pcsc_card(card: VirtualCard, *, quickack: bool = True, timeout: float = SLOT_WAIT) -> Iterator[PcscTransport]:
    """A ``PcscTransport`` connected through pcscd and vpcd to ``card``."""
    with pcsc_bridge(card, quickack=quickack, timeout=timeout) as bridge:
        transport = PcscTransport(bridge.reader_name)
        try:
            yield transport
        finally:
            transport.close()
