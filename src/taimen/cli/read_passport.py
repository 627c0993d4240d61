"""``taimen read passport``: read and verify a passport (eMRTD) with the MRZ as the access key."""

from __future__ import annotations

import argparse

from taimen.cli import LazySubParsers


def register_read(sub: LazySubParsers) -> None:
    sub.add_lazy(
        "passport",
        build,
        help="旅券（パスポート） / passport",
        description=(
            "旅券のICを、身分事項ページのMRZ（または旅券番号・生年月日・有効期限）で読み取り検証します。"
            "旅券は住所を証明しません。 Reads a passport chip with the MRZ (or the three fields) as the key;"
            " a passport proves no address."
        ),
    )


def build(p: argparse.ArgumentParser) -> None:
    from taimen.cli.common import add_output_args, add_transport_args

    p.add_argument("--mrz", metavar="LINES", help="the two MRZ lines (88 characters; a newline or space between)")
    p.add_argument("--document-number", metavar="NUMBER", help="旅券番号 / document number")
    p.add_argument("--birth", metavar="YYMMDD", help="生年月日 / birth date")
    p.add_argument("--expiry", metavar="YYMMDD", help="有効期間満了日 / expiry")
    add_transport_args(p)
    add_output_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from taimen.cli.common import read_document

    unlock = {k: v for k, v in (("mrz", args.mrz), ("document_number", args.document_number),
                                ("birth", args.birth), ("expiry", args.expiry)) if v}  # fmt: skip
    args.mrz = args.document_number = args.birth = args.expiry = None  # not kept on the namespace
    return read_document("passport", unlock, args, expected=14)
