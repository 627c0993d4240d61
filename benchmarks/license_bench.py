"""Benchmark: a full IC driving licence read (PIN1 + PIN2, every file) over the modelled contactless link.

Prints, for 212 and 424 kbit/s and for extended-length vs short (256-byte) READ BINARY: APDUs, bytes on the
interface, modelled link time, and the floor (the files' bytes at the bit rate plus one turnaround per
exchange that cannot be avoided). Model: ``taimen.emulator.link.LinkModel`` (ISO 14443 framing, 4 ms per
exchange). Run: ``PYTHONPATH=src python3 benchmarks/license_bench.py``.
"""

from __future__ import annotations

import time

from taimen.core.conversation import drive
from taimen.core.files import ReadSession
from taimen.emulator.license_card import SignerInfo, build_license_card, build_license_files
from taimen.emulator.link import LinkModel
from taimen.license import aids
from taimen.license.reader import read_license
from taimen.samples.persons import person
from taimen.transport.inprocess import InProcessTransport

#: Exchanges no licence read can avoid: one READ per file, VERIFY PIN1 and PIN2, SELECT EF 2F01 (it has no
#: SFI), SELECT DF1, SELECT DF2. taimen adds SELECT MF and two VERIFY-without-data tries queries on purpose.
MIN_EXCHANGES = len(aids.ALL_FILES) + 2 + 3


def run(rate: int, extended: bool, files: dict[str, bytes], key: str) -> dict[str, float]:
    p = person(key)
    card = build_license_card(p, files=dict(files))
    card.meter.model = LinkModel(bit_rate=rate)
    t = InProcessTransport(card, reader_extended=extended)
    session = ReadSession()
    start = time.perf_counter()
    f = p.license
    assert f is not None
    drive(read_license(f.pin1, f.pin2, session=session), t)
    wall = time.perf_counter() - start
    payload = sum(len(v) for v in files.values())
    floor = card.meter.model.floor(payload, MIN_EXCHANGES)
    return {
        "apdus": card.meter.exchanges,
        "sent": card.meter.bytes_sent,
        "received": card.meter.bytes_received,
        "seconds": card.meter.seconds,
        "floor": floor,
        "payload": payload,
        "wall": wall,
        "fallbacks": session.extended_fallbacks,
    }


def main() -> None:
    key = "yamada"
    from cryptography.hazmat.primitives.asymmetric import rsa

    files = build_license_files(person(key), SignerInfo(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    print(f"Full licence read ({key}: PIN1+PIN2, MF/EF01–02, DF1/EF01–07, DF2/EF01)")
    print(f"files: {sum(len(v) for v in files.values())} bytes; unavoidable exchanges: {MIN_EXCHANGES}")
    print(f"{'kbit/s':>6} {'APDU mode':<10} {'APDUs':>5} {'sent':>6} {'recv':>6} {'model s':>8} {'floor s':>8} "
          f"{'x floor':>7} {'CPU ms':>7}")  # fmt: skip
    for rate in (212_000, 424_000):
        for extended in (True, False):
            r = run(rate, extended, files, key)
            print(
                f"{rate // 1000:>6} {'extended' if extended else 'short':<10} {r['apdus']:>5} {r['sent']:>6} "
                f"{r['received']:>6} {r['seconds']:>8.3f} {r['floor']:>8.3f} {r['seconds'] / r['floor']:>7.2f} "
                f"{r['wall'] * 1000:>7.1f}"
            )


if __name__ == "__main__":
    main()
