"""APDU round trips through pyscard → pcscd → vpcd → VpcdBridge, with and without TCP_QUICKACK, and the
largest extended APDUs that pass.

Run: ``python3 benchmarks/vpcd_latency.py`` (pcscd with the vpcd driver is started if needed, as root).
Prints milliseconds per APDU and which extended command/response sizes went through in one exchange.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from taimen.core.apdu import Command, Response
from taimen.emulator.card import DedicatedFile, ElementaryFile, VirtualCard
from taimen.testing.pcsc import pcsc_bridge, pcsc_card, wait_card
from taimen.transport.pcsc import PcscTransport

FILE = bytes(i & 0xFF for i in range(65535))


class DataLength:
    """80 E0 with any data: answers the number of data bytes received (2 bytes), so big commands are checked."""

    def handle(self, card: VirtualCard, df: DedicatedFile, command: Command) -> Response | None:
        if (command.cla, command.ins) != (0x80, 0xE0):
            return None
        return Response(len(command.data).to_bytes(2, "big"), 0x9000)


def make_card() -> VirtualCard:
    mf = DedicatedFile("MF")
    mf.add_file(ElementaryFile(0x0001, FILE))
    return VirtualCard(mf, behaviours=[DataLength()])


def latency(quickack: bool, n: int) -> list[float]:
    read16 = Command(0x00, 0xB0, 0x00, 0x00, le=16)
    with pcsc_card(make_card(), quickack=quickack) as t:
        assert t.transmit(Command(0x00, 0xA4, 0x02, 0x0C, b"\x00\x01")).sw == 0x9000
        for _ in range(5):
            t.transmit(read16)
        times = []
        for _ in range(n):
            start = time.perf_counter()
            assert t.transmit(read16).sw == 0x9000
            times.append((time.perf_counter() - start) * 1000)
    return times


def sizes() -> None:
    card = make_card()
    with pcsc_bridge(card) as bridge, PcscTransport(bridge.reader_name) as t:
        t.transmit(Command(0x00, 0xA4, 0x02, 0x0C, b"\x00\x01"))
        print("extended READ BINARY (response data bytes asked → received, SW):")
        for le in (256, 1024, 4096, 9000, 16384, 32768, 60000, 65533, 65534, 65535):
            before = t.exchanges
            r = t.transmit(Command(0x00, 0xB0, 0x00, 0x00, le=le, extended=True))
            ok = r.sw == 0x9000 and r.data == FILE[:le]
            print(f"  Le={le:5d} → {len(r.data):5d} bytes, SW {r.sw:04X}, exchanges {t.exchanges - before}, {ok=}")
        print("extended command data (bytes sent → card saw, SW):")
        for lc in (255, 256, 4096, 16384, 32768, 65000, 65526, 65527):
            cmd = Command(0x80, 0xE0, 0x00, 0x00, bytes(lc), le=65536, extended=True)
            try:
                r = t.transmit(cmd)
                seen = int.from_bytes(r.data, "big") if r.sw == 0x9000 else None
                print(f"  Lc={lc:5d} (APDU {len(cmd.to_bytes())} bytes) → card saw {seen}, SW {r.sw:04X}")
            except Exception as exc:
                print(f"  Lc={lc:5d} (APDU {len(cmd.to_bytes())} bytes) → {type(exc).__name__}: {exc}")
                # vpcd drops the card's connection when a frame cannot be sent; the bridge reconnects.
                time.sleep(1.0)
                wait_card(bridge.reader_name, True, 5.0)
                t.reconnect()
                t.transmit(Command(0x00, 0xA4, 0x02, 0x0C, b"\x00\x01"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="APDUs per measurement (with QUICKACK)")
    args = parser.parse_args()
    for quickack, n in ((True, args.n), (False, max(20, args.n // 10))):
        ms = latency(quickack, n)
        ms.sort()
        print(
            f"TCP_QUICKACK {'on ' if quickack else 'off'}: READ BINARY Le=16 round trip over {n} APDUs: "
            f"median {statistics.median(ms):.3f} ms, mean {statistics.fmean(ms):.3f} ms, "
            f"p95 {ms[int(0.95 * (n - 1))]:.3f} ms, min {ms[0]:.3f} ms, max {ms[-1]:.3f} ms"
        )
    sizes()


if __name__ == "__main__":
    main()
