"""``taimen read mynumber-license``: a マイナ免許証 (licence data in the 免許AP + holder data via 照合番号B)."""

from __future__ import annotations

import argparse

from taimen.cli import LazySubParsers
from taimen.cli.read_mynumber import _values


def register_read(sub: LazySubParsers) -> None:
    sub.add_lazy(
        "mynumber-license",
        build,
        help="マイナ免許証（免許AP＋照合番号B）/ licence data on a My Number Card",
        description=(
            "マイナンバーカードの免許APから免許情報を、券面事項入力補助APから氏名・住所・生年月日を読み取ります。"
            "免許情報の暗証番号を設定していないカードでは --license-pin は不要です。"
            " Reads the licence data (免許AP) and the holder's name, address and birth date (入力補助AP, 照合番号B)."
        ),
    )


def build(p: argparse.ArgumentParser) -> None:
    from taimen.cli.common import add_output_args, add_transport_args

    p.add_argument("--license-pin", metavar="NNNN", help="免許情報の暗証番号（4桁）/ licence PIN")
    p.add_argument("--birth", metavar="DATE", help="生年月日（券面の表記どおり）: 550217 / 昭和55年2月17日")
    p.add_argument("--calendar", choices=("wareki", "seireki"), help="券面の生年月日の暦（既定: wareki）")
    p.add_argument("--expiry", metavar="YYYY", help="マイナンバーカードの有効期限の年 / card expiry year")
    p.add_argument("--code", metavar="NNNN", help="セキュリティコード（4桁）/ security code")
    add_transport_args(p)
    add_output_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from taimen.cli.common import read_document

    unlock = _values(args)
    if args.license_pin:
        unlock["license_pin"] = args.license_pin
    args.license_pin = None
    return read_document("mynumber_license", unlock, args, expected=24)
