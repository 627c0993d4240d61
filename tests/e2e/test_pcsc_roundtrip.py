"""Round trips through pyscard → pcscd → vpcd → VpcdBridge → VirtualCard."""

from __future__ import annotations

import math
import subprocess

import pytest

from taimen.core import apdu
from taimen.core.conversation import drive
from taimen.core.files import ReadSession, read_file
from taimen.errors import ExtendedLengthUnsupported
from taimen.testing.pcsc import pcsc_bridge, pcsc_card
from taimen.transport.pcsc import PcscTransport, reader_status, readers

from .cards import AID, ATR_T0_ONLY, BIG_FID, BLOB, PIN, PIN_SFI, SMALL_FID, build_card, tlv_file

pytestmark = pytest.mark.pcsc

P2_PIN = 0x80 | PIN_SFI


def unlock(transport: PcscTransport) -> None:
    assert transport.transmit(apdu.select_aid(AID)).sw == 0x9000
    assert transport.transmit(apdu.verify(PIN, P2_PIN)).sw == 0x9000


def test_pyscard_lists_the_virtual_readers_and_the_card() -> None:
    card = build_card()
    with pcsc_bridge(card) as bridge:
        names = readers()
        assert "Virtual PCD 00 00" in names and "Virtual PCD 00 01" in names
        state = next(s for s in reader_status() if s.name == bridge.reader_name)
        assert state.card_present and state.atr == card.atr


def test_pcsc_scan_sees_the_reader_and_the_card() -> None:
    card = build_card()
    with pcsc_bridge(card) as bridge:
        listing = subprocess.run(["pcsc_scan", "-r"], capture_output=True, text=True, timeout=20, check=True)
        assert bridge.reader_name in listing.stdout
        scan = subprocess.run(["pcsc_scan", "-c", "-n"], capture_output=True, text=True, timeout=20, check=True)
        ours = scan.stdout.split(bridge.reader_name, 1)[1].split("Reader ", 1)[0]
        assert "Card inserted" in ours
        assert card.atr.hex(" ").upper() in ours


def test_select_and_protected_read() -> None:
    card = build_card()
    with pcsc_card(card) as transport:
        assert transport.atr == card.atr
        assert transport.transmit(apdu.select_aid(bytes.fromhex("D392F0002601000000FF"))).sw == 0x6A82
        assert transport.transmit(apdu.select_aid(AID)).sw == 0x9000
        assert transport.transmit(apdu.select_ef(SMALL_FID)).sw == 0x9000
        small = transport.transmit(apdu.read_binary(0, 256))
        assert (small.data, small.sw) == (b"\x01\x02\x03\x04", 0x9000)
        assert transport.transmit(apdu.select_ef(BIG_FID)).sw == 0x9000
        assert transport.transmit(apdu.read_binary(0, 16)).sw == 0x6982  # locked until VERIFY
        assert transport.transmit(apdu.verify(PIN, P2_PIN)).sw == 0x9000
        assert transport.transmit(apdu.read_binary(0, 16)).data == tlv_file(3000)[:16]


def test_verify_counts_down_and_blocks() -> None:
    card = build_card()
    with pcsc_card(card) as transport:
        assert transport.transmit(apdu.select_aid(AID)).sw == 0x9000
        assert transport.transmit(apdu.verify_query(P2_PIN)).sw == 0x63C3
        assert transport.transmit(apdu.verify(b"9999", P2_PIN)).sw == 0x63C2
        assert transport.transmit(apdu.verify_query(P2_PIN)).sw == 0x63C2  # asking spends nothing
        assert transport.transmit(apdu.verify(PIN, P2_PIN)).sw == 0x9000  # right value resets the counter
        assert transport.transmit(apdu.verify_query(P2_PIN)).sw == 0x9000  # already verified
        for left in (2, 1, 0):
            assert transport.transmit(apdu.verify(b"0000", P2_PIN)).sw == 0x63C0 | left
        assert transport.transmit(apdu.verify(PIN, P2_PIN)).sw == 0x6984  # blocked: even the right PIN fails
        assert transport.transmit(apdu.verify_query(P2_PIN)).sw == 0x63C0
        assert transport.transmit(apdu.select_ef(BIG_FID)).sw == 0x9000
        assert transport.transmit(apdu.read_binary(0, 16)).sw == 0x6982


@pytest.mark.parametrize("size", [300, 3000, 9000, 32767])
def test_read_binary_extended_in_one_apdu(size: int) -> None:
    card = build_card(big=size)
    with pcsc_card(card) as transport:
        unlock(transport)
        assert transport.transmit(apdu.select_ef(BIG_FID)).sw == 0x9000
        session = ReadSession()
        before = transport.exchanges
        assert drive(read_file(session, max_size=65536), transport) == tlv_file(size)
        assert transport.exchanges - before == 1
        assert session.extended and session.extended_fallbacks == 0


def test_read_binary_short_chunks() -> None:
    card = build_card(big=3000)
    with pcsc_card(card) as transport:
        unlock(transport)
        assert transport.transmit(apdu.select_ef(BIG_FID)).sw == 0x9000
        session = ReadSession(extended=False)
        before = transport.exchanges
        assert drive(read_file(session, max_size=65536), transport) == tlv_file(3000)
        assert transport.exchanges - before == math.ceil(3000 / 256)
        assert transport.bytes_received > 3000


def test_get_response_and_wrong_le_are_handled_by_the_transport() -> None:
    card = build_card()
    card.log = []
    with pcsc_card(card) as transport:
        chained = transport.transmit(apdu.Command(0x80, 0xCA, 0x00, 0x00, le=256))
        assert (chained.data, chained.sw) == (BLOB, 0x9000)
        assert [raw[:2] for raw, _ in card.log] == [b"\x80\xca", b"\x00\xc0", b"\x00\xc0"]
        exact = transport.transmit(apdu.Command(0x80, 0xCB, 0x00, 0x00, le=256))
        assert (exact.data, exact.sw) == (BLOB[:16], 0x9000)
        assert card.log[-1][0] == bytes.fromhex("80CB000010")


def test_t0_card_connects_and_reads_with_short_apdus() -> None:
    card = build_card(big=1000, atr=ATR_T0_ONLY)
    with pcsc_card(card) as transport:
        assert transport.is_t0
        unlock(transport)
        assert transport.transmit(apdu.select_ef(BIG_FID)).sw == 0x9000
        with pytest.raises(ExtendedLengthUnsupported):
            transport.transmit(apdu.Command(0x00, 0xB0, 0, 0, le=65536, extended=True))
        session = ReadSession()
        assert drive(read_file(session, max_size=65536), transport) == tlv_file(1000)
        assert not session.extended and session.extended_fallbacks == 1
