"""The card leaving the field mid-session, and coming back."""

from __future__ import annotations

import pytest

from taimen.core import apdu
from taimen.core.conversation import drive
from taimen.core.files import ReadSession, read_file
from taimen.errors import CardRemovedError, TransportError
from taimen.testing import pcscd
from taimen.testing.pcsc import exclusive_pcscd, pcsc_bridge, wait_card
from taimen.transport.pcsc import PcscTransport

from .cards import AID, BIG_FID, PIN, PIN_SFI, AfterReads, build_card, tlv_file

pytestmark = pytest.mark.pcsc


def test_removed_card_raises_and_reinserted_card_reads_again() -> None:
    card = build_card()
    with pcsc_bridge(card) as bridge:
        transport = PcscTransport(bridge.reader_name)
        try:
            assert transport.transmit(apdu.select_aid(AID)).sw == 0x9000
            assert transport.transmit(apdu.verify(PIN, 0x80 | PIN_SFI)).sw == 0x9000
            bridge.remove()
            with pytest.raises(CardRemovedError) as err:
                transport.transmit(apdu.select_ef(BIG_FID))
            assert "カード" in err.value.message_ja
            assert wait_card(bridge.reader_name, False, 3.0)

            bridge.insert()
            assert wait_card(bridge.reader_name, True, 5.0)
            transport.reconnect()
            assert transport.transmit(apdu.select_aid(AID)).sw == 0x9000
            assert transport.transmit(apdu.select_ef(BIG_FID)).sw == 0x9000
            # A fresh power-up: what VERIFY unlocked before the removal is locked again.
            assert transport.transmit(apdu.read_binary(0, 16)).sw == 0x6982
            assert transport.transmit(apdu.verify(PIN, 0x80 | PIN_SFI)).sw == 0x9000
            data = drive(read_file(ReadSession(), max_size=65536), transport)
            assert data == tlv_file(3000)
        finally:
            transport.close()


@pytest.mark.parametrize("extended", [True, False], ids=["extended-read", "short-reads"])
def test_card_pulled_during_a_file_read(extended: bool) -> None:
    card = build_card(big=3000)
    with pcsc_bridge(card) as bridge:
        # The card leaves the field while it answers the 2nd READ BINARY (the answer never arrives).
        card.behaviours.append(AfterReads(2, bridge.remove))
        with PcscTransport(bridge.reader_name) as transport:
            assert transport.transmit(apdu.select_aid(AID)).sw == 0x9000
            assert transport.transmit(apdu.verify(PIN, 0x80 | PIN_SFI)).sw == 0x9000
            assert transport.transmit(apdu.select_ef(BIG_FID)).sw == 0x9000
            transport.transmit(apdu.read_binary(0, 1))  # READ BINARY no. 1
            with pytest.raises(CardRemovedError):
                drive(read_file(ReadSession(extended=extended), max_size=65536), transport)


def test_pcscd_stopping_mid_session_is_a_transport_error_not_a_removed_card() -> None:
    card = build_card()
    with exclusive_pcscd(), pcsc_bridge(card) as bridge:
        transport = PcscTransport(bridge.reader_name)
        try:
            assert transport.transmit(apdu.select_aid(AID)).sw == 0x9000
            pcscd.stop()
            with pytest.raises(TransportError) as err:
                transport.transmit(apdu.select_ef(BIG_FID))
            assert type(err.value) is TransportError
            assert "PC/SC" in err.value.message_ja
        finally:
            transport.close()
            pcscd.ensure_running()
        assert wait_card(bridge.reader_name, True, 10.0)  # the bridge found the new pcscd by itself
