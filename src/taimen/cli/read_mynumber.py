"""``taimen read mynumber``: read and verify a My Number Card with 照合番号B (never the PIN)."""

from __future__ import annotations

import argparse
import getpass
import sys

from taimen.cli import LazySubParsers
from taimen.errors import OperatorInputError

_PROMPTS = {
    "birth": ("生年月日（券面の表記どおり、例 550217）: ", "--birth"),
    "expiry_year": ("有効期限の年（西暦4桁）: ", "--expiry"),
    "security_code": ("セキュリティコード（4桁）: ", "--code"),
}


def register_read(sub: LazySubParsers) -> None:
    sub.add_lazy(
        "mynumber",
        build,
        help="マイナンバーカード（照合番号Bで読み取り）/ My Number Card via 照合番号B",
        description=(
            "照合番号B（券面の生年月日・有効期限の年・セキュリティコード）で券面AP・券面事項入力補助APを読み取り、"
            "署名・チップの実在・券面との一致を検証します。暗証番号は使いません。"
            " Values left out are asked for without echo; values on the command line may stay in the shell history."
        ),
    )


def build(p: argparse.ArgumentParser) -> None:
    from taimen.cli.common import add_output_args, add_transport_args

    p.add_argument(
        "--birth",
        metavar="DATE",
        help="生年月日（券面の表記どおり）: 550217 / 昭和55年2月17日 / 1985-07-04 with --calendar seireki",
    )
    p.add_argument(
        "--calendar",
        choices=("wareki", "seireki"),
        help="券面の生年月日の暦: wareki＝和暦（既定）, seireki＝西暦表記のカード（外国籍の方など）",
    )
    p.add_argument("--expiry", metavar="YYYY", help="有効期限の年（西暦4桁）/ card expiry year")
    p.add_argument("--code", metavar="NNNN", help="セキュリティコード（4桁）/ security code")
    add_transport_args(p)
    add_output_args(p)
    p.set_defaults(func=run)


def _values(args: argparse.Namespace) -> dict[str, str]:
    given = {"birth": args.birth, "expiry_year": args.expiry, "security_code": args.code}
    for key, value in given.items():
        if value:
            continue
        prompt, flag = _PROMPTS[key]
        if not sys.stdin.isatty():
            raise OperatorInputError(f"{flag} is required", message_ja=f"{flag} を指定してください。")
        given[key] = getpass.getpass(prompt)
    out = {k: v for k, v in given.items() if v}
    if args.calendar:
        out["calendar"] = args.calendar
    return out


def run(args: argparse.Namespace) -> int:
    from taimen.cli.common import read_document

    unlock = _values(args)
    return read_document("mynumber", unlock, args, expected=35)
