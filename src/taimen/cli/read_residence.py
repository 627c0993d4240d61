"""``taimen read residence``: read and verify a 在留カード or 特別永住者証明書 (either generation)."""

from __future__ import annotations

import argparse

from taimen.cli import LazySubParsers


def register_read(sub: LazySubParsers) -> None:
    sub.add_lazy(
        "residence",
        build,
        help="在留カード・特別永住者証明書 / residence card, SPRC",
        description=(
            "在留カード・特別永住者証明書（第1世代・第2世代）を読み取り検証します。券面の在留カード等番号（12桁）で"
            "ICチップを開きます。番号が違うとその場で止まり、自動で再試行はしません。"
            " Reads a residence card or special permanent resident certificate (1st or 2nd generation), opened"
            " with the 12-character card number printed on the face; a wrong number stops the read, never retried."
        ),
    )


def build(p: argparse.ArgumentParser) -> None:
    from taimen.cli.common import add_output_args, add_transport_args

    p.add_argument(
        "--card-number",
        metavar="AB12345678CD",
        required=True,
        help="在留カード等番号（英字2・数字8・英字2） / card number (2 letters, 8 digits, 2 letters)",
    )
    add_transport_args(p)
    add_output_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from taimen.cli.common import read_document

    unlock = {"card_number": args.card_number}
    args.card_number = None  # not kept on the namespace after this point
    return read_document("residence", unlock, args, expected=17)
