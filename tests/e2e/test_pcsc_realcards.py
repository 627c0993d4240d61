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


def test_first_apdu_after_power_up_answered_6f00_is_retried_once() -> None:
    """Item 5: some cards answer the first APDU after power-up with 6F00 (soltia48 sends a throwaway SELECT)."""
    from taimen.emulator.behaviours import FirstAnswer
    from taimen.mynumber.document import DOCUMENT
    from taimen.samples import mynumber_cards as mc

    card = mc.genuine("yamada").card()
    card.behaviours.insert(0, FirstAnswer(0x6F00))
    card.log = []
    with pcsc_bridge(card) as bridge:
        t = PcscTransport(bridge.reader_name)
        try:
            assert DOCUMENT.detect(t)
        finally:
            t.close()
    assert card.log is not None
    sws = [answer[-2:].hex().upper() for _, answer in card.log]
    assert sws[:2] == ["6F00", "9000"]  # the same SELECT again, once


def test_6f00_is_not_retried_twice_or_later_in_a_session() -> None:
    from taimen.emulator.behaviours import FirstAnswer

    card = _pin_card()
    card.behaviours.insert(0, FirstAnswer(0x6F00, count=2))
    card.log = []
    with pcsc_bridge(card) as bridge:
        t = PcscTransport(bridge.reader_name)
        try:
            assert t.transmit(apdu.select_aid(AID)).sw == 0x6F00  # answered 6F00 twice: reported, not retried again
            assert t.transmit(apdu.select_aid(AID)).sw == 0x9000
        finally:
            t.close()
    assert card.log is not None and len(card.log) == 3


def test_card_left_in_raw_protocol_by_another_program_is_recovered() -> None:
    """Item 4: another program connected with SCARD_PROTOCOL_RAW and left the card so; pcscd then refuses
    T=1 and T=0 with SCARD_E_PROTO_MISMATCH (reproduced with vpcd: it persists until the card is reset)."""
    from smartcard import scard as sc

    from taimen.transport.pcsc import E_PROTO_MISMATCH, establish_context, release_context

    card = _pin_card()
    with pcsc_bridge(card) as bridge:
        other = establish_context()
        try:
            hresult, handle, _active = sc.SCardConnect(
                other, bridge.reader_name, sc.SCARD_SHARE_SHARED, sc.SCARD_PROTOCOL_RAW
            )
            assert hresult & 0xFFFFFFFF == 0
            sc.SCardDisconnect(handle, sc.SCARD_LEAVE_CARD)
            # the state the issue describes: a plain exclusive T=1|T=0 connect is refused
            hresult, handle, _active = sc.SCardConnect(
                other, bridge.reader_name, sc.SCARD_SHARE_EXCLUSIVE, sc.SCARD_PROTOCOL_T1 | sc.SCARD_PROTOCOL_T0
            )
            assert hresult & 0xFFFFFFFF == E_PROTO_MISMATCH
        finally:
            release_context(other)
        t = PcscTransport(bridge.reader_name)
        try:
            assert t.protocol in (sc.SCARD_PROTOCOL_T1, sc.SCARD_PROTOCOL_T0)
            assert _query(t) == 0x63C0 | PIN_TRIES
        finally:
            t.close()
