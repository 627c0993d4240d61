"""Issue 13, real cards and readers, through pyscard → pcscd → vpcd → emulator."""

from __future__ import annotations

import pytest

from taimen.core import apdu
from taimen.emulator.card import DedicatedFile, KeyRef, VirtualCard
from taimen.testing.pcsc import pcsc_bridge
from taimen.transport.pcsc import PcscTransport

from .cards import AID, ATR_T1, PIN, PIN_FID, PIN_TRIES

pytestmark = pytest.mark.pcsc


def _pin_card(**kw: object) -> VirtualCard:
    app = DedicatedFile("AP", AID)
    app.add_key(KeyRef(PIN_FID, PIN, PIN_TRIES, PIN_TRIES, name="PIN"))
    return VirtualCard(DedicatedFile("MF"), [app], atr=ATR_T1, **kw)  # type: ignore[arg-type]


def _query(t: PcscTransport) -> int:
    assert t.transmit(apdu.select_aid(AID)).sw == 0x9000
    assert t.transmit(apdu.select_ef(PIN_FID)).sw == 0x9000
    return t.transmit(apdu.verify_query()).sw


def test_close_unpowers_so_the_unlock_does_not_outlive_the_read() -> None:
    """Item 1: a warm reset keeps a real card's security state; taimen's close() must take the power away."""
    card = _pin_card(warm_reset_keeps_security=True)
    with pcsc_bridge(card) as bridge:
        t = PcscTransport(bridge.reader_name)
        try:
            assert _query(t) == 0x63C0 | PIN_TRIES
            assert t.transmit(apdu.verify(PIN)).sw == 0x9000
            assert t.transmit(apdu.verify_query()).sw == 0x9000
        finally:
            t.close()
        t = PcscTransport(bridge.reader_name)
        try:
            assert _query(t) == 0x63C0 | PIN_TRIES  # not 9000: the next program finds the card locked again
        finally:
            t.close()
