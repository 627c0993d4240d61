"""Benchmark: a full My Number Card read (照合番号B) over the modelled contactless link.

For each ISO 14443 bit rate (212 and 424 kbit/s) and each reader kind (extended-length APDUs vs short
256-byte reads) it prints the APDUs, the bytes on the interface and the modelled link time of the whole read
(both tries queries, two VERIFYs, 入力補助AP EF 0002/0003/0004/0007, 券面AP EF 0002/0003/0004, two
challenges, JPKI EF 0006/000A/000B), and compares it with a floor: the same file objects and commands sent
in the fewest exchanges the card protocol allows (one per SELECT of an AP, tries query, VERIFY, file and
challenge), at the same bit rate and turnaround.

The link model (taimen.emulator.link) covers framing, bit rate and a fixed 4 ms turnaround per exchange;
it does not model the card's own RSA time for the two challenges (unknown for the real chip; add it with
``--card-rsa-ms``). It also prints taimen's own processing time per read (parsing and verification, in-process
emulator, measured wall clock). Sample card: the synthetic person "yamada" (photo 120×160 JPEG 2000 ≈ 3.8 kB;
real file sizes are not known, see docs/mynumber.md).

    PYTHONPATH=src python3 benchmarks/mynumber_bench.py [--card-rsa-ms 0] [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from taimen.core.apdu import Command
from taimen.emulator.link import LinkModel
from taimen.mynumber.document import DOCUMENT
from taimen.samples import jlis_test_pki
from taimen.samples import mynumber_cards as mc
from taimen.transport.inprocess import InProcessTransport
from taimen.trust import TrustStore


def _minimal_traffic(log: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """Fewest exchanges and bytes for the same work: every SELECT AP, query, VERIFY, file and challenge once.

    Files count with the bytes the reader kept (objects without card filler), each in a single exchange.
    """
    exchanges = 0
    payload = 0
    for raw, answer in log:
        cmd = Command.from_bytes(raw)
        if cmd.ins == 0xA4 and cmd.p1 == 0x02:
            continue  # an EF or key SELECT can be folded into an SFI read / SFI VERIFY
        if cmd.ins == 0xB0 and (cmd.p1 & 0x7F or cmd.p2):
            payload += len(answer) - 2  # continuation chunk: its data counts, its exchange does not
            continue
        exchanges += 1
        payload += len(raw) + len(answer)
    return exchanges, payload


def run_once(sample: mc.SampleCard, store: TrustStore, bit_rate: int, extended: bool) -> dict[str, float]:
    card = sample.card(link=LinkModel(bit_rate=bit_rate))
    card.log = []
    start = time.perf_counter()
    result = DOCUMENT.read(InProcessTransport(card, reader_extended=extended), sample.printed.unlock(), store=store)
    wall = time.perf_counter() - start
    assert result.verdict is not None and result.verdict.status == "genuine", result.verdict
    m = card.meter
    # The floor is taken from a short-read log: those reads stop where each object ends (no card filler).
    floor_exchanges, floor_bytes = _minimal_traffic(card.log) if not extended else (0, 0)
    return {
        "apdus": m.exchanges,
        "sent": m.bytes_sent,
        "received": m.bytes_received,
        "link_s": m.seconds,
        "floor_s": m.model.floor(floor_bytes, floor_exchanges),
        "floor_apdus": floor_exchanges,
        "wall_s": wall,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--card-rsa-ms", type=float, default=0.0, help="assumed on-card time per RSA challenge (ms)")
    ap.add_argument("--runs", type=int, default=20, help="reads per configuration for taimen's own time")
    args = ap.parse_args()
    sample = mc.genuine("yamada")
    with tempfile.TemporaryDirectory() as d:
        jlis_test_pki.default().write_trust_dir(Path(d))
        store = TrustStore.load([d], environment=False)
        face = len(sample.chip.kenmen_files[0x0002])
        print(f"sample: {sample.person.key}, 券面AP EF 0002 {face} bytes, photo {len(mc.photo_jp2(1))} bytes")
        rsa = 2 * args.card_rsa_ms / 1000
        header = (
            f"{'bit rate':>9} {'reader':>9} {'APDUs':>6} {'sent B':>7} {'recv B':>7} {'link s':>7} "
            f"{'+RSA s':>7} {'floor s':>8} {'floor APDUs':>11} {'x floor':>7} {'taimen ms':>9}"
        )
        print(header)
        print("-" * len(header))
        for bit_rate in (212_000, 424_000):
            floor = run_once(sample, store, bit_rate, False)
            for extended in (True, False):
                runs = [run_once(sample, store, bit_rate, extended) for _ in range(args.runs)]
                r = {**runs[0], "floor_s": floor["floor_s"], "floor_apdus": floor["floor_apdus"]}
                wall = statistics.median(x["wall_s"] for x in runs) * 1000
                total = r["link_s"] + rsa
                print(
                    f"{bit_rate // 1000:>5} kb/s {'extended' if extended else 'short':>9} {r['apdus']:>6.0f} "
                    f"{r['sent']:>7.0f} {r['received']:>7.0f} {r['link_s']:>7.3f} {total:>7.3f} "
                    f"{r['floor_s'] + rsa:>8.3f} {r['floor_apdus']:>11.0f} {total / (r['floor_s'] + rsa):>7.2f} "
                    f"{wall:>9.1f}"
                )


if __name__ == "__main__":
    main()
