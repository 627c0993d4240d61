"""The emulator's residence access control and the reader against hostile secure-messaging answers."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taimen.core.apdu import Command, Response
from taimen.core.secure_messaging import SecureMessagingError
from taimen.errors import CardError, StatusError
from taimen.residence import layout
from taimen.residence.document import DOCUMENT
from taimen.samples import residence_cards as rc
from taimen.transport.inprocess import InProcessTransport
from taimen.trust import TrustStore

SAMPLES = {s.key: s for s in rc.samples()}


def send(card: object, cmd: Command) -> Response:
    return card.process(cmd)  # type: ignore[attr-defined, no-any-return]


def test_chip_refuses_reads_without_access(pki: rc.SamplePki) -> None:
    card = rc.build_card(SAMPLES["rc2-smith"], pki)
    card.power_on()
    assert send(card, Command(0, 0xA4, 4, 0x0C, layout.DF2_AID)).sw == 0x9000
    assert send(card, Command(0, 0xB0, 0x81, 0, le=256)).sw == 0x6982  # DF2 before VERIFY
    assert send(card, Command(0, 0xA4, 4, 0x0C, layout.DF1_AID)).sw == 0x9000
    assert send(card, Command(0, 0xB0, 0x81, 0, le=256)).sw == 0x6982  # DF1 plain: SM only
    assert send(card, Command(0x08, 0xB0, 0x81, 0, b"\x96\x01\x00", le=256)).sw == 0x6982  # SM without MA
    assert send(card, Command(0, 0x82, 0, 0, bytes(40), le=256)).sw == 0x6985  # no challenge first
    assert send(card, Command(0, 0x84, 0, 0, le=8)).sw == 0x9000
    assert send(card, Command(0, 0x82, 0, 0, bytes(40), le=256)).sw == 0x6300  # wrong cryptogram


def _card_with(pki: rc.SamplePki, mangle: object) -> object:
    """A gen-2 sample whose SM READ BINARY answers pass through ``mangle(response) -> response``."""
    card = rc.build_card(SAMPLES["rc2-smith"], pki)
    access = card.behaviours[0]
    original = access._secured

    def hostile(card_: object, df: object, c: Command) -> Response:
        resp = original(card_, df, c)  # type: ignore[arg-type]
        return mangle(resp) if c.ins == 0xB0 else resp  # type: ignore[operator, no-any-return]

    access._secured = hostile  # type: ignore[method-assign]
    return card


@pytest.mark.parametrize(
    "mangle",
    [
        lambda r: Response(b"", 0x6987),
        lambda r: Response(b"", 0x6988),
        lambda r: Response(r.data[:-16] + bytes(16), r.sw),  # bad padding
        lambda r: Response(r.data[:5] + bytes(len(r.data) - 5), r.sw),  # wrong cryptogram
        lambda r: Response(b"\x87" + r.data[1:], r.sw),  # ICAO DO87 where DO86 belongs
        lambda r: Response(r.data[:-3], r.sw),  # truncated DO
        lambda r: Response(b"\x86\x02\x02\x00", r.sw),  # padding indicator not 01
    ],
    ids=["6987", "6988", "padding", "cryptogram", "do87", "truncated", "indicator"],
)
def test_hostile_sm_answers_are_clear_errors(pki: rc.SamplePki, store: TrustStore, mangle: object) -> None:
    card = _card_with(pki, mangle)
    with pytest.raises(CardError) as err:
        DOCUMENT.read(InProcessTransport(card), {"card_number": "AB12345678CD"}, store=store)  # type: ignore[arg-type]
    assert isinstance(err.value, SecureMessagingError | StatusError)
    assert err.value.message_ja


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(junk=st.binary(max_size=300), sw=st.sampled_from([0x9000, 0x6282, 0x6987, 0x6988, 0x6A82]))
def test_fuzzed_sm_answers_never_crash(pki: rc.SamplePki, store: TrustStore, junk: bytes, sw: int) -> None:
    card = _card_with(pki, lambda r: Response(junk, sw))
    with contextlib.suppress(CardError):  # a clear error is fine; anything else fails the test
        DOCUMENT.read(InProcessTransport(card), {"card_number": "AB12345678CD"}, store=store)  # type: ignore[arg-type]


def test_chip_answers_6987_6988_to_malformed_sm_and_drops_the_session(pki: rc.SamplePki) -> None:
    from taimen.core.conversation import drive
    from taimen.core.files import ReadSession
    from taimen.residence.access import open_access
    from taimen.residence.reader import read_card_type

    card = rc.build_card(SAMPLES["rc2-smith"], pki)
    transport = InProcessTransport(card)
    drive(read_card_type(ReadSession()), transport)
    drive(open_access("AB12345678CD", 2), transport)
    assert send(card, Command(0, 0xA4, 4, 0x0C, layout.DF1_AID)).sw == 0x9000
    assert send(card, Command(0x08, 0xB0, 0x81, 0, b"\x87\x01\x00", le=256)).sw == 0x6988  # DO87 is not this SM
    assert send(card, Command(0x08, 0xB0, 0x81, 0, b"\x96\x01\x00", le=256)).sw == 0x6982  # session gone
    drive(open_access("AB12345678CD", 2), transport)
    assert send(card, Command(0x0C, 0xB0, 0x81, 0, b"\x96\x01\x00", le=256)).sw == 0x6987  # ICAO CLA
    drive(open_access("AB12345678CD", 2), transport)
    assert send(card, Command(0x08, 0x20, 0, 0x86, b"\x86\x11\x01" + bytes(16))).sw == 0x6988  # bad padding
