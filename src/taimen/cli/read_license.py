"""``taimen read license``: read and verify an IC driving licence (運転免許証)."""

from __future__ import annotations

import argparse

from taimen.cli import LazySubParsers


def register_read(sub: LazySubParsers) -> None:
    sub.add_lazy(
        "license",
        build,
        help="IC運転免許証 / IC driving licence",
        description=(
            "IC運転免許証を読み取り検証します。暗証番号を設定していない免許証は暗証番号なしで読めます（DPIN）。"
            " Reads an IC driving licence; a licence without PINs set is read with the default PIN."
        ),
    )


def build(p: argparse.ArgumentParser) -> None:
    from taimen.cli.common import add_output_args, add_transport_args

    p.add_argument("--pin1", metavar="NNNN", help="暗証番号1 (4 digits) / PIN 1")
    p.add_argument("--pin2", metavar="NNNN", help="暗証番号2 (4 digits): 本籍, photo and signature / PIN 2")
    add_transport_args(p)
    add_output_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from taimen.cli.common import read_document

    unlock = {k: v for k, v in (("pin1", args.pin1), ("pin2", args.pin2)) if v}
    args.pin1 = args.pin2 = None  # not kept on the namespace after this point
    return read_document("license", unlock, args, expected=18)
