"""``taimen read license``: read and verify an IC driving licence (運転免許証)."""

from __future__ import annotations

import argparse

from taimen.cli.common import (
    ProgressBar,
    add_output_args,
    add_transport_args,
    emit_result,
    finish_transport,
    open_transport,
)


def register_read(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "license",
        help="IC運転免許証 / IC driving licence",
        description=(
            "IC運転免許証を読み取り検証します。暗証番号を設定していない免許証は暗証番号なしで読めます（DPIN）。"
            " Reads an IC driving licence; a licence without PINs set is read with the default PIN."
        ),
    )
    p.add_argument("--pin1", metavar="NNNN", help="暗証番号1 (4 digits) / PIN 1")
    p.add_argument("--pin2", metavar="NNNN", help="暗証番号2 (4 digits): 本籍, photo and signature / PIN 2")
    add_transport_args(p)
    add_output_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from taimen.license.document import DOCUMENT

    unlock = {k: v for k, v in (("pin1", args.pin1), ("pin2", args.pin2)) if v}
    args.pin1 = args.pin2 = None  # not kept on the namespace after this point
    transport = open_transport(args)
    bar = ProgressBar(not args.no_progress, expected=18)
    try:
        result = DOCUMENT.read(
            transport,
            unlock,
            confirm_last_try=args.confirm_last_try,
            trust_dirs=tuple(args.trust_dir),
            on_progress=bar,
        )
    finally:
        bar.done()
        finish_transport(transport, args)
    return emit_result(result, args)
