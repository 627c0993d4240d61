"""Round trips through pyscard → pcscd → vpcd → VpcdBridge → VirtualCard."""

from __future__ import annotations

import pytest

from taimen.core import apdu
from taimen.core.conversation import drive
from taimen.core.files import ReadSession, read_file
from taimen.testing.pcsc import pcsc_card
from taimen.transport import pcsc as pcsc_mod

from .cards import AID, BIG_FID, PIN, tlv_file
from .cards import build_card as make_card

pytestmark = pytest.mark.pcsc


def test_select_verify_and_read_extended() -> None:
    card = make_card()
    with pcsc_card(card) as transport:
        assert transport.name in pcsc_mod.readers()
        assert transport.atr == card.atr
        assert transport.transmit(apdu.select_aid(AID)).sw == 0x9000
        assert transport.transmit(apdu.select_ef(BIG_FID)).sw == 0x9000
        assert transport.transmit(apdu.read_binary(0, 16)).sw == 0x6982  # locked until VERIFY
        assert transport.transmit(apdu.verify_query(0x91)).sw == 0x63C3
        assert transport.transmit(apdu.verify(PIN, 0x91)).sw == 0x9000
        session = ReadSession()
        transport.transmit(apdu.select_ef(BIG_FID))
        before = transport.exchanges
        data = drive(read_file(session, max_size=10_000), transport)
        assert data == tlv_file(3000)
        assert transport.exchanges - before == 1  # one extended READ BINARY carried the whole file
        assert session.extended
