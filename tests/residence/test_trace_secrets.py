"""A trace of a residence read holds neither the card number nor the session key, in any form."""

from __future__ import annotations

from taimen.core.conversation import drive
from taimen.residence.reader import read_residence
from taimen.samples import residence_cards as rc
from taimen.transport.inprocess import InProcessTransport
from taimen.transport.trace import TracingTransport

SAMPLES = {s.key: s for s in rc.samples()}


def forms(secret: bytes) -> list[str]:
    return [secret.hex(), secret.hex().upper(), secret.hex(" ").upper(), secret.decode("latin-1")]


def test_trace_holds_no_number_and_no_session_key(pki: rc.SamplePki) -> None:
    for key in ("rc1-nguyen", "rc2-smith"):
        s = SAMPLES[key]
        card = rc.build_card(s, pki)
        tracing = TracingTransport(InProcessTransport(card))
        drive(read_residence(s.number), tracing)
        channel = card.behaviours[0]._channel
        assert channel is not None
        text = tracing.trace.text()
        for secret in (s.number.encode(), channel.keys.enc):
            for form in forms(secret):
                assert form not in text, key
        assert "MUTUAL AUTHENTICATE" in text and "<redacted>" in text
