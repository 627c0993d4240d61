"""Modelled contactless read time of a card read: APDUs, bytes each way, link time and its lower bound.

The card is the emulator (a card image or a ``VirtualCard``); the link is ``taimen.emulator.link.LinkModel``
(ISO 14443 bit rate, framing, turnaround per exchange). Numbers are modelled, not wall-clock: they are
reproducible and let a read strategy be compared with the best any strategy could do on the same link.

Library use (document readers call this from their own benchmark scripts)::

    from link_bench import measure
    stats = measure("card.json", lambda t: DOCUMENT.read(t, unlock), LinkModel(bit_rate=424_000), True)
    print(stats["apdus"], stats["modelled_seconds"], stats["ratio"])

Command line::

    python3 benchmarks/link_bench.py CARD_IMAGE              # generic full read of every file
    python3 benchmarks/link_bench.py --demo                   # a built-in synthetic card
    python3 benchmarks/link_bench.py CARD_IMAGE --document mynumber --unlock shogo_b=…   # a document reader

See benchmarks/README.md for what every number means.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script from a checkout: make ``taimen`` importable from src/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from taimen.core import apdu, tlv
from taimen.core.apdu import Command
from taimen.core.conversation import Conversation, Transport, drive
from taimen.core.files import ReadSession, select_and_read
from taimen.emulator.card import DedicatedFile, ElementaryFile, KeyRef, VirtualCard
from taimen.emulator.image import card_from_json, card_to_json, load_card
from taimen.emulator.link import BIT_RATES, LinkMeter, LinkModel
from taimen.errors import ExtendedLengthUnsupported, ParseError
from taimen.transport.inprocess import InProcessTransport

#: Status words with which a card refuses an extended READ BINARY; the reader then repeats it short.
_REFUSALS = {0x6700, 0x6D00, 0x6A86, 0x6F00}


def measure(
    card_image_or_card: str | Path | VirtualCard,
    read_callable: Callable[[Transport], Any],
    link_model: LinkModel | None = None,
    reader_extended: bool = True,
) -> dict[str, Any]:
    """Run ``read_callable(transport)`` against the card over the modelled link and return the numbers.

    ``card_image_or_card``: a card-image path (loaded fresh, so every call starts from the image) or a
    ``VirtualCard`` (used as it is: its retry counters change as a real card's would).
    ``reader_extended=False`` models a short-APDU-only reader (ACR122U): extended commands fail in the
    reader, reach no card and cost no modelled time.

    Returns a dict: ``bit_rate``, ``reader_extended``, ``apdus`` (exchanges that reached the card),
    ``extended_apdus``, ``refused_by_reader``, ``bytes_sent``, ``bytes_received`` (whole APDUs),
    ``payload_bytes`` (command and response data fields), ``min_exchanges``, ``modelled_seconds``,
    ``floor_seconds`` (payload at the bit rate + min_exchanges turnarounds), ``ratio``
    (modelled / floor) and ``result`` (what ``read_callable`` returned).
    """
    link = link_model or LinkModel()
    if isinstance(card_image_or_card, VirtualCard):
        card = card_image_or_card
        card.meter = LinkMeter(link)
    else:
        card = load_card(card_image_or_card, link=link)
    saved_log, card.log = card.log, []
    transport = _CountingTransport(InProcessTransport(card, reader_extended=reader_extended, name="benchmark"))
    try:
        result = read_callable(transport)
    finally:
        transport.close()
        log, card.log = card.log, saved_log
    payload, min_exchanges, extended = _analyse(log)
    floor = link.floor(payload, min_exchanges)
    return {
        "bit_rate": link.bit_rate,
        "reader_extended": reader_extended,
        "apdus": card.meter.exchanges,
        "extended_apdus": extended,
        "refused_by_reader": transport.refused,
        "bytes_sent": card.meter.bytes_sent,
        "bytes_received": card.meter.bytes_received,
        "payload_bytes": payload,
        "min_exchanges": min_exchanges,
        "modelled_seconds": card.meter.seconds,
        "floor_seconds": floor,
        "ratio": card.meter.seconds / floor if floor else float("nan"),
        "result": result,
    }


class _CountingTransport:
    """Counts the extended commands a short-only reader refused (they never reach the card's log)."""

    def __init__(self, inner: InProcessTransport) -> None:
        self.inner, self.name, self.refused = inner, inner.name, 0

    def transmit(self, command: Command) -> Any:
        try:
            return self.inner.transmit(command)
        except ExtendedLengthUnsupported:
            self.refused += 1
            raise

    def close(self) -> None:
        self.inner.close()


def _analyse(log: Iterable[tuple[bytes, bytes]]) -> tuple[int, int, int]:
    """(payload bytes, minimal exchanges, extended APDUs) of a recorded session.

    Minimal exchanges: every command other than READ BINARY, plus one READ BINARY per file read (the
    one at offset 0 that the card answered). Continuation chunks, end-of-file confirmations and extended
    attempts the card refused are what a better strategy or link could save.
    """
    payload = minimal = extended = 0
    for raw, answer in log:
        try:
            c = Command.from_bytes(raw)
        except ParseError:
            minimal += 1
            continue
        sw = int.from_bytes(answer[-2:], "big")
        payload += len(c.data) + len(answer) - 2
        extended += c.extended
        if c.ins != 0xB0:
            minimal += 1
            continue
        first = c.p2 == 0 and (c.p1 & 0x80 or c.p1 == 0)  # offset 0, by SFI or in the current EF
        refused = c.extended and (sw in _REFUSALS or sw >> 8 == 0x6C)
        if first and not refused and sw >> 8 != 0x6C:
            minimal += 1
    return payload, minimal, extended


# --- the generic full read ------------------------------------------------------------------------------


def generic_full_read(structure: VirtualCard) -> Callable[[Transport], dict[str, int]]:
    """A read of everything: for the MF and each application, SELECT it, read every file readable with
    nothing presented, then for each key read its tries (VERIFY without data), VERIFY it with the value
    stored in the image and read what that opens. ``structure`` is a separate copy of the card, consulted
    for file and key lists only (as a document reader knows its card's layout); the read itself is APDUs.

    Returns a read callable; the read returns {"files": n, "bytes": n, "verified": n}.
    """

    def read(transport: Transport) -> dict[str, int]:
        return drive(_conversation(structure), transport)

    return read


def _is_tlv(data: bytes) -> bool:
    try:
        _, end = tlv.parse_one(data)
    except ParseError:
        return False
    return all(b in tlv.FILLER for b in data[end:])


def _conversation(card: VirtualCard) -> Conversation[dict[str, int]]:
    session = ReadSession()
    mf_verified: set[int] = set()
    stats = {"files": 0, "bytes": 0, "verified": 0}
    for df in (card.mf, *card.applications):
        if df is card.mf:
            yield apdu.select_mf()
        else:
            assert df.aid is not None
            resp = yield apdu.select_aid(df.aid)
            if not resp.ok:
                continue
        verified = mf_verified if df is card.mf else set()
        done: set[int] = set()
        yield from _read_open(session, card, df, verified, mf_verified, done, stats)
        for key in df.keys.values():
            yield apdu.select_ef(key.fid)
            tries = yield apdu.verify_query()
            if tries.sw == 0x9000:
                verified.add(key.fid)
            elif tries.sw & 0xFFF0 == 0x63C0 and tries.sw & 0x0F:
                answer = yield apdu.verify(key.value)
                if not answer.ok:
                    continue
                verified.add(key.fid)
                stats["verified"] += 1
            else:
                continue  # blocked or unknown: never guess
            yield from _read_open(session, card, df, verified, mf_verified, done, stats)
    return stats


def _read_open(
    session: ReadSession,
    card: VirtualCard,
    df: DedicatedFile,
    verified: set[int],
    mf_verified: set[int],
    done: set[int],
    stats: dict[str, int],
) -> Conversation[None]:
    def opens(ef: ElementaryFile) -> bool:
        def ok(ref: str) -> bool:
            return int(ref[3:], 16) in mf_verified if ref.startswith("MF:") else int(ref, 16) in verified

        return not ef.read or any(all(ok(r) for r in group) for group in ef.read)

    for ef in df.files.values():
        if ef.fid in done or not opens(ef):
            continue
        data = yield from select_and_read(session, ef.fid, max_size=65536, tlv=_is_tlv(ef.data))
        done.add(ef.fid)
        stats["files"] += 1
        stats["bytes"] += len(data)


# --- a synthetic card for --demo ------------------------------------------------------------------------


def demo_card() -> VirtualCard:
    """A card shaped like the Japanese ones: a PIN-protected 3 KB photo, a few short files, one free file."""
    mf = DedicatedFile("MF")
    app = DedicatedFile("demo AP", bytes.fromhex("D392F0002601000000FF"))
    app.add_key(KeyRef(0x0011, b"1234", 3, 3, name="PIN"))
    app.add_file(ElementaryFile(0x0001, tlv.encode(0x5F1F, bytes(range(256)) * 12) + b"\xff" * 64, read=(("0011",),)))
    app.add_file(ElementaryFile(0x0002, tlv.encode(0x30, tlv.encode(0x04, b"name" * 30)), read=(("0011",),)))
    app.add_file(ElementaryFile(0x0003, tlv.encode(0x5F20, "東京都千代田区".encode() * 8), read=(("0011",),)))
    app.add_file(ElementaryFile(0x0004, tlv.encode(0x30, bytes(900)), name="certificate"))
    return VirtualCard(mf, [app], card_type="demo", description="link_bench demo card")


# --- command line ---------------------------------------------------------------------------------------


def _document_read(key: str, unlock: dict[str, str]) -> Callable[[Transport], Any]:
    from taimen import documents

    doc = documents.get(key)
    return lambda transport: doc.read(transport, unlock)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Modelled contactless read time of a card image.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("card_image", nargs="?", help="card-image JSON (docs/card-image.md)")
    src.add_argument("--demo", action="store_true", help="use a built-in synthetic card")
    p.add_argument("--document", help="measure this document reader (taimen.documents key) instead of a full read")
    p.add_argument("--unlock", action="append", default=[], metavar="NAME=VALUE", help="unlock value for --document")
    p.add_argument("--turnaround", type=float, default=LinkModel().turnaround, help="seconds per exchange")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = p.parse_args(argv)

    image = card_to_json(demo_card()) if args.demo else json.loads(Path(args.card_image).read_text("utf-8"))
    name = "demo card" if args.demo else args.card_image
    if args.document:
        unlock = dict(u.split("=", 1) for u in args.unlock)
        read: Callable[[Transport], Any] = _document_read(args.document, unlock)
    else:
        read = generic_full_read(card_from_json(image))

    rows = []
    for reader_extended in (True, False):
        for rate in BIT_RATES:
            link = LinkModel(bit_rate=rate, turnaround=args.turnaround)
            stats = measure(card_from_json(image, link=link), read, link, reader_extended)
            stats.pop("result")
            rows.append(stats)
    if args.json:
        json.dump(rows, sys.stdout, indent=1)
        print()
        return 0
    print(f"{name}: turnaround {args.turnaround * 1000:.1f} ms per exchange")
    print(
        f"{'reader':<9}{'kbit/s':>7}{'APDUs':>7}{'min':>5}{'sent':>7}{'recv':>8}"
        f"{'model ms':>10}{'floor ms':>10}{'ratio':>7}"
    )
    for r in rows:
        print(
            f"{'extended' if r['reader_extended'] else 'short':<9}{r['bit_rate'] // 1000:>7}{r['apdus']:>7}"
            f"{r['min_exchanges']:>5}{r['bytes_sent']:>7}{r['bytes_received']:>8}"
            f"{r['modelled_seconds'] * 1000:>10.1f}{r['floor_seconds'] * 1000:>10.1f}{r['ratio']:>7.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
