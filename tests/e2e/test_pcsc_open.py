"""Opening a reader: choosing it by name, and the errors an operator sees when something is missing."""

from __future__ import annotations

import pytest

from taimen.core import apdu
from taimen.emulator.vpcd import reader_name_for_port
from taimen.errors import OperatorInputError, TransportError
from taimen.testing import pcscd
from taimen.testing.pcsc import exclusive_pcscd, pcsc_bridge, pcscd_running, vpcd_slot
from taimen.transport.pcsc import PcscTransport, readers

from .cards import AID, build_card

pytestmark = pytest.mark.pcsc


def test_open_by_unique_part_of_the_name() -> None:
    with pcsc_bridge(build_card()) as bridge, PcscTransport.open(bridge.reader_name[-5:]) as transport:
        assert transport.name == bridge.reader_name
        assert transport.transmit(apdu.select_aid(AID)).sw == 0x9000


def test_open_errors_name_the_readers() -> None:
    with pcscd_running():
        with pytest.raises(OperatorInputError) as missing:
            PcscTransport.open("RC-S300")
        assert "Virtual PCD 00 00" in missing.value.message_ja
        with pytest.raises(OperatorInputError) as ambiguous:
            PcscTransport.open("virtual pcd")
        assert "複数" in ambiguous.value.message_ja


def test_open_an_empty_reader_says_to_put_the_card_on_it() -> None:
    with pcscd_running(), vpcd_slot() as port, pytest.raises(TransportError) as err:
        PcscTransport.open(reader_name_for_port(port))
    assert "カードを置いて" in err.value.message_ja
    assert "0x8010000C" in str(err.value)  # SCARD_E_NO_SMARTCARD


def test_no_pcscd_says_to_start_it() -> None:
    with exclusive_pcscd():
        pcscd.stop()
        try:
            with pytest.raises(TransportError) as err:
                readers()
            assert "pcscd" in err.value.message_ja and "起動" in err.value.message_ja
            with pytest.raises(TransportError):
                PcscTransport.open(None)
        finally:
            pcscd.ensure_running()
