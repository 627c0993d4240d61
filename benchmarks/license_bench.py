"""Benchmark: a full IC driving licence read (PIN1 + PIN2, every file) over the modelled contactless link.

For 212 and 424 kbit/s and for an extended-length reader vs a short-APDU-only reader it prints APDUs, bytes
on the interface, modelled link time and the floor from ``link_bench.measure`` (the read's payload at the bit
rate plus one turnaround per exchange no strategy can avoid), and the ratio between them. The read is the
real document reader (``taimen.license.document.DOCUMENT``) against an emulated licence; the model is
``taimen.emulator.link.LinkModel`` (ISO 14443 framing, 4 ms per exchange). Numbers are modelled, not timed.

Run: ``python3 benchmarks/license_bench.py`` (add ``--json`` for machine-readable rows).
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

from taimen.emulator.license_card import build_license_card, build_license_files
from taimen.emulator.link import LinkModel
from taimen.license.document import DOCUMENT
from taimen.samples.license_cards import sample_signer
from taimen.samples.persons import person

RATES = (212_000, 424_000)


def licence_rows(key: str = "yamada") -> list[dict[str, object]]:
    p = person(key)
    assert p.license is not None
    files = build_license_files(p, sample_signer()[0])  # build once: every run reads identical bytes
    unlock = {"pin1": p.license.pin1, "pin2": p.license.pin2}
    rows = []
    for extended in (True, False):
        for rate in RATES:
            link = LinkModel(bit_rate=rate)
            stats = measure(build_license_card(p, files=dict(files)), lambda t: DOCUMENT.read(t, unlock), link,
                            extended)  # fmt: skip
            result = stats.pop("result")
            stats["read"] = f"licence {key} (spec {p.license.spec_version})"
            stats["verdict"] = result.verdict.status if result.verdict else None
            rows.append(stats)
    return rows


def myna_rows(key: str = "yamada") -> list[dict[str, object]]:
    """The マイナ免許証: 免許AP (PIN, 001B, 001C) plus the 入力補助AP via 照合番号B with its challenge."""
    from taimen.emulator.image import card_from_json, card_to_json
    from taimen.license.myna_document import DOCUMENT as MYNA
    from taimen.samples.license_cards import myna_license_card
    from taimen.trust import TrustStore

    card, unlock = myna_license_card(key, sample_signer()[0])
    image = card_to_json(card)  # every run starts from the same card
    store = TrustStore()  # the link numbers do not depend on which anchors verify the result
    rows = []
    for extended in (True, False):
        for rate in RATES:
            link = LinkModel(bit_rate=rate)
            stats = measure(
                card_from_json(image, link=link), lambda t: MYNA.read(t, unlock, store=store), link, extended
            )
            stats.pop("result")
            stats["read"] = f"マイナ免許証 {key}"
            rows.append(stats)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = licence_rows() + myna_rows()
    if args.json:
        json.dump(rows, sys.stdout, indent=1, default=str)
        print()
        return 0
    print("licence: MF/EF01, MF/EF02, tries of PIN1/PIN2, VERIFY PIN1+PIN2, DF1/EF01–EF07, DF2/EF01 (photo)")
    print(
        "マイナ免許証: 免許AP 001A, tries, VERIFY, 001B, 001C + 入力補助AP tries, 照合番号B, EF 0002/3/4/7, challenge"
    )
    print(f"{'read':<26}{'reader':<9}{'kbit/s':>7}{'APDUs':>6}{'min':>5}{'sent':>6}{'recv':>7}"
          f"{'payload':>8}{'model ms':>10}{'floor ms':>10}{'ratio':>7}")  # fmt: skip
    for r in rows:
        print(
            f"{r['read']!s:<26}{'extended' if r['reader_extended'] else 'short':<9}{r['bit_rate'] // 1000:>7}"  # type: ignore[operator]
            f"{r['apdus']:>6}{r['min_exchanges']:>5}{r['bytes_sent']:>6}{r['bytes_received']:>7}{r['payload_bytes']:>8}"
            f"{r['modelled_seconds'] * 1000:>10.1f}{r['floor_seconds'] * 1000:>10.1f}{r['ratio']:>7.2f}"  # type: ignore[operator]
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
