"""Benchmark: a full My Number Card read (照合番号B) over the modelled contactless link.

For each ISO 14443 bit rate (212 and 424 kbit/s) and each reader kind (extended-length APDUs vs short
256-byte reads) it prints the APDUs, the bytes on the interface and the modelled link time of the whole read
(both tries queries, two VERIFYs, 入力補助AP EF 0002/0003/0004/0007, 券面AP EF 0002/0003/0004, two
challenges, JPKI EF 0006/000A/000B), measured with ``link_bench.measure`` and compared with its floor
(the same payload in the fewest exchanges this command sequence needs). A second floor, "protocol floor",
is stricter: the file objects without card filler, with every EF/key SELECT folded into SFI reads and SFI
VERIFYs (one exchange per AP selection, tries query, VERIFY, file and challenge) — what a different read
strategy could reach at best, if the SFIs were known (the reference does not give them).

The link model (taimen.emulator.link) covers framing, bit rate and a fixed 4 ms turnaround per exchange;
it does not model the card's own RSA time for the two challenges (unknown for the real chip; add it with
``--card-rsa-ms``). "taimen ms" is taimen's own processing per read (parsing and every verification; wall
clock, in-process emulator, median). Sample card: the synthetic person "yamada" (photo 120×160 JPEG 2000;
real file sizes are not known, see docs/mynumber.md).

    python3 benchmarks/mynumber_bench.py [--card-rsa-ms 0] [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from link_bench import measure

from taimen.core.apdu import Command
from taimen.emulator.link import LinkModel
from taimen.mynumber.document import DOCUMENT
from taimen.samples import jlis_test_pki
from taimen.samples import mynumber_cards as mc
from taimen.trust import TrustStore


def protocol_floor(log: list[tuple[bytes, bytes]], link: LinkModel) -> tuple[float, int]:
    """Fewest exchanges and bytes for the same work, from a short-read log (reads stop at each object's end)."""
    exchanges = 0
    payload = 0
    for raw, answer in log:
        cmd = Command.from_bytes(raw)
        if cmd.ins == 0xA4 and cmd.p1 == 0x02:
            continue  # an EF or key SELECT folded into an SFI read / SFI VERIFY
        if cmd.ins == 0xB0 and (cmd.p1 & 0x7F or cmd.p2):
            payload += len(answer) - 2  # continuation chunk: its data counts, its exchange does not
            continue
        exchanges += 1
        payload += len(raw) + len(answer)
    return link.floor(payload, exchanges), exchanges


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--card-rsa-ms", type=float, default=0.0, help="assumed on-card time per RSA challenge (ms)")
    ap.add_argument("--runs", type=int, default=20, help="reads per configuration for taimen's own time")
    args = ap.parse_args()
    sample = mc.genuine("yamada")
    rsa = 2 * args.card_rsa_ms / 1000
    with tempfile.TemporaryDirectory() as d:
        jlis_test_pki.default().write_trust_dir(Path(d))
        store = TrustStore.load([d], environment=False)

        def read(transport):  # type: ignore[no-untyped-def]
            result = DOCUMENT.read(transport, sample.printed.unlock(), store=store)
            assert result.verdict is not None and result.verdict.status == "genuine", result.verdict
            return result

        face = len(sample.chip.kenmen_files[0x0002])
        print(f"sample: {sample.person.key}; 券面AP EF 0002 {face} bytes (photo {len(mc.photo_jp2(1))} bytes)")
        if rsa:
            print(f"times include {args.card_rsa_ms:.0f} ms of assumed on-card RSA per challenge (2 challenges)")
        header = (
            f"{'bit rate':>9} {'reader':>9} {'APDUs':>6} {'sent B':>7} {'recv B':>7} {'link s':>7} "
            f"{'floor s':>8} {'x floor':>7} {'proto floor s':>13} {'x proto':>7} {'taimen ms':>9}"
        )
        print(header)
        print("-" * len(header))
        for bit_rate in (212_000, 424_000):
            link = LinkModel(bit_rate=bit_rate)
            short_card = sample.card(link=link)
            captured: list[tuple[bytes, bytes]] = []

            def read_and_keep_log(transport, card=short_card, keep=captured):  # type: ignore[no-untyped-def]
                result = read(transport)
                keep.extend(card.log or [])  # measure() restores the card's own log afterwards
                return result

            measure(short_card, read_and_keep_log, link, reader_extended=False)
            pfloor, _ = protocol_floor(captured, link)
            for extended in (True, False):
                stats = measure(sample.card(), read, link, reader_extended=extended)
                walls = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    measure(sample.card(), read, link, reader_extended=extended)
                    walls.append(time.perf_counter() - start)
                total = stats["modelled_seconds"] + rsa
                floor = stats["floor_seconds"] + rsa
                print(
                    f"{bit_rate // 1000:>5} kb/s {'extended' if extended else 'short':>9} {stats['apdus']:>6} "
                    f"{stats['bytes_sent']:>7} {stats['bytes_received']:>7} {total:>7.3f} {floor:>8.3f} "
                    f"{total / floor:>7.2f} {pfloor + rsa:>13.3f} {total / (pfloor + rsa):>7.2f} "
                    f"{statistics.median(walls) * 1000:>9.1f}"
                )


if __name__ == "__main__":
    main()
