"""The support trace never holds a secret: proven by scanning the written trace file for the bytes."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

import pytest

from taimen.cli.common import finish_transport
from taimen.core import apdu
from taimen.core.apdu import Command
from taimen.core.conversation import Conversation, drive
from taimen.core.files import ReadSession, select_and_read
from taimen.emulator.card import DedicatedFile, ElementaryFile, KeyRef, VirtualCard
from taimen.transport.inprocess import InProcessTransport
from taimen.transport.trace import REDACTED, TracingTransport

AID = bytes.fromhex("D392F000260100000001")
SECRET = b"Q7zX2k"  # the PIN / 照合番号
WRONG = b"Q7zX2j"  # a near miss the operator typed first: as secret as the real one
PUBLIC = b"PUBLIC-CERTIFICATE-DATA"
PRIVATE = "山田太郎 東京都千代田区".encode() + b"PRIVATE-ADDRESS"


def card() -> VirtualCard:
    app = DedicatedFile("app", AID)
    app.add_key(KeyRef(0x0011, SECRET, 3, 3))
    app.add_file(ElementaryFile(0x0001, PUBLIC))
    app.add_file(ElementaryFile(0x0002, PRIVATE, read=(("0011",),)))
    return VirtualCard(DedicatedFile("MF"), [app])


def forms(secret: bytes) -> list[str]:
    """Every way the bytes could appear in a text trace."""
    h = secret.hex()
    spaced = " ".join(h[i : i + 2] for i in range(0, len(h), 2))
    out = [h, h.upper(), spaced, spaced.upper()]
    with contextlib.suppress(UnicodeDecodeError):
        out.append(secret.decode())
    return out


def a_read(wrong_first: bool) -> Conversation[tuple[bytes, bytes]]:
    session = ReadSession()
    yield apdu.select_aid(AID)
    public = yield from select_and_read(session, 0x0001, max_size=1000, tlv=False)
    yield apdu.select_ef(0x0011)
    tries = yield apdu.verify_query()
    assert tries.sw == 0x63C3
    if wrong_first:
        r = yield apdu.verify(WRONG)
        assert r.sw == 0x63C2
    r = yield apdu.verify(SECRET)
    assert r.sw == 0x9000
    private = yield from select_and_read(session, 0x0002, max_size=1000, tlv=False)
    return public, private


@pytest.mark.parametrize("wrong_first", [False, True])
def test_written_trace_holds_no_secret_and_nothing_it_unlocked(tmp_path: Path, wrong_first: bool) -> None:
    transport = TracingTransport(InProcessTransport(card()))
    public, private = drive(a_read(wrong_first), transport)
    assert (public, private) == (PUBLIC, PRIVATE)  # the read itself worked

    out = tmp_path / "trace.txt"
    finish_transport(transport, argparse.Namespace(trace=str(out)))  # what `taimen read … --trace` does
    text = out.read_text(encoding="utf-8")

    for leaked in (SECRET, WRONG, PRIVATE, b"PRIVATE-ADDRESS", "山田太郎".encode()):
        for form in forms(leaked):
            assert form not in text, f"{form!r} leaked into the trace"
    assert "山田" not in text
    # What was read before anything was unlocked stays visible (support needs it) …
    assert any(f in text for f in forms(PUBLIC))
    # … and so does the shape of every exchange: headers, lengths and status words.
    assert "00 20 00 80 Lc=6 " + REDACTED in text
    assert "63C3" in text and "9000" in text
    assert f"{REDACTED} ({len(PRIVATE)} bytes)" in text
    n_verify = 2 if wrong_first else 1
    assert text.count("Lc=6 " + REDACTED) == n_verify


def test_failed_secret_does_not_unlock_redaction_of_later_public_reads() -> None:
    transport = TracingTransport(InProcessTransport(card()))
    transport.transmit(apdu.select_aid(AID))
    transport.transmit(apdu.select_ef(0x0011))
    assert transport.transmit(apdu.verify(WRONG)).sw == 0x63C2
    transport.transmit(apdu.select_ef(0x0001))
    transport.transmit(apdu.read_binary(0, 256))
    text = transport.trace.text()
    assert PUBLIC.hex(" ").upper() in text
    assert all(f not in text for f in forms(WRONG))


@pytest.mark.parametrize("ins", [0x20, 0x21, 0x24, 0x2C, 0x82])  # 82: MUTUAL AUTHENTICATE cryptograms
def test_reference_data_commands_are_redacted_even_without_the_secret_flag(ins: int) -> None:
    # A hand-built VERIFY / CHANGE / RESET RETRY COUNTER that forgot ``secret=True`` must still not leak.
    transport = TracingTransport(InProcessTransport(card()))
    transport.transmit(apdu.select_aid(AID))
    transport.transmit(apdu.select_ef(0x0011))
    transport.transmit(Command(0x00, ins, 0x00, 0x80, SECRET))
    text = transport.trace.text()
    assert all(f not in text for f in forms(SECRET)), text
    assert REDACTED in text


def test_everything_after_unlock_is_redacted_even_in_other_applications() -> None:
    c = card()
    other = DedicatedFile("other", bytes.fromhex("A000000002"))
    other.add_file(ElementaryFile(0x0001, b"OTHER-APP-DATA"))
    c.applications.append(other)
    transport = TracingTransport(InProcessTransport(c))
    transport.transmit(apdu.select_aid(AID))
    transport.transmit(apdu.select_ef(0x0011))
    assert transport.transmit(apdu.verify(SECRET)).ok
    transport.transmit(apdu.select_aid(bytes.fromhex("A000000002")))
    transport.transmit(apdu.select_ef(0x0001))
    assert transport.transmit(apdu.read_binary(0, 256)).data == b"OTHER-APP-DATA"
    text = transport.trace.text()
    assert all(f not in text for f in forms(b"OTHER-APP-DATA"))


def test_trace_entries_have_labels_and_timings() -> None:
    transport = TracingTransport(InProcessTransport(card()))
    transport.transmit(apdu.select_aid(AID, label="SELECT 券面AP"))
    (entry,) = transport.trace.entries
    assert entry.label == "SELECT 券面AP" and entry.sw == "9000" and entry.seconds >= 0
    assert entry.command == "00 A4 04 0C 0A " + AID.hex(" ").upper()
    assert transport.name == "in-process"
    assert transport.trace.text().startswith("SELECT 券面AP\n  > 00 A4 04 0C")
