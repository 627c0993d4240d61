"""Benchmark: a full residence-card read (gen 1 and gen 2) over the modelled contactless link.

For 212 and 424 kbit/s and for an extended-length reader vs a short-APDU-only reader it prints APDUs, bytes
on the interface, modelled link time, the floor (payload at the bit rate plus one turnaround per exchange no
strategy can avoid; ``link_bench.measure``) and their ratio. The read is the real document reader against
emulated cards whose EFs have the sizes the specifications give (gen 1: D0 7000 and D1 3000-byte fixed
fields, DF2 342/122/122/3, DF3 1464; gen 2: EFs at their capacities 14/73/5508/2505, 22/3/207, 704), so the
numbers follow from the reference, not from taimen's own choices.

Short reads inside secure messaging ask for ``SM_SHORT_LE`` (223) plain bytes per READ BINARY, so that the
wrapped answer (DO86 header, padding indicator, padding to a whole block) still fits one short response;
each chunk is its own SM exchange, decrypted on its own (zero IV, own padding). Whether a real card encrypts
offset chunks this way is **unverified** (residence-card.md open question 2). Numbers are modelled, not timed.

Run: ``python3 benchmarks/residence_bench.py`` (``--json`` for machine-readable rows).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from link_bench import measure

from taimen.emulator.image import card_from_json, card_to_json
from taimen.emulator.link import LinkModel
from taimen.residence.document import DOCUMENT
from taimen.samples import residence_cards as rc
from taimen.trust import TrustStore

RATES = (212_000, 424_000)
CARDS = ("rc1-nguyen", "rc2-smith", "sprc1-kim", "sprc2-park")


def rows() -> list[dict[str, object]]:
    pki = rc.make_pki()
    by = {s.key: s for s in rc.samples()}
    store = TrustStore()  # link numbers do not depend on which anchors verify the result
    out = []
    for key in CARDS:
        s = by[key]
        image = card_to_json(rc.build_card(s, pki))  # every run reads identical bytes
        for extended in (True, False):
            for rate in RATES:
                link = LinkModel(bit_rate=rate)
                stats = measure(
                    card_from_json(image, link=link),
                    lambda t, s=s: DOCUMENT.read(t, {"card_number": s.number}, store=store),
                    link,
                    extended,
                )
                result = stats.pop("result")
                stats["read"] = f"{key} (gen {s.generation})"
                stats["photo_bytes"] = len(result.photo.data) if result.photo else 0
                out.append(stats)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    data = rows()
    if args.json:
        json.dump(data, sys.stdout, indent=1, default=str)
        print()
        return 0
    print("residence: MF/EF02+EF01, GET CHALLENGE, MUTUAL AUTHENTICATE, VERIFY (SM), DF1 in SM, DF2, DF3")
    print(f"{'read':<22}{'reader':<9}{'kbit/s':>7}{'APDUs':>6}{'min':>5}{'sent':>6}{'recv':>7}"
          f"{'payload':>8}{'model ms':>10}{'floor ms':>10}{'ratio':>7}")  # fmt: skip
    for r in data:
        print(
            f"{r['read']!s:<22}{'extended' if r['reader_extended'] else 'short':<9}{r['bit_rate'] // 1000:>7}"  # type: ignore[operator]
            f"{r['apdus']:>6}{r['min_exchanges']:>5}{r['bytes_sent']:>6}{r['bytes_received']:>7}{r['payload_bytes']:>8}"
            f"{r['modelled_seconds'] * 1000:>10.1f}{r['floor_seconds'] * 1000:>10.1f}{r['ratio']:>7.2f}"  # type: ignore[operator]
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
