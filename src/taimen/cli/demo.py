"""``taimen demo``: the counter application on a virtual reader with the sample persons' cards and faces."""

from __future__ import annotations

import argparse

from taimen.cli import LazySubParsers
from taimen.cli.serve import _announce, add_server_args, bound, check_server_args, revocation_url


def register(sub: LazySubParsers) -> None:
    sub.add_lazy("demo", build, help="the counter app with sample cards, no hardware / 見本カードでデモ")


def build(p: argparse.ArgumentParser) -> None:
    add_server_args(p)
    p.add_argument("--no-realtime", action="store_true", help="answer instantly instead of at contactless speed")
    p.add_argument(
        "--vpcd",
        nargs="?",
        const=35963,
        type=int,
        metavar="PORT",
        help="serve the sample cards through vsmartcard's vpcd (pcscd must run with the vpcd driver; "
        "port 35963 = 'Virtual PCD 00 00')",
    )
    p.add_argument(
        "--no-records",
        action="store_true",
        help="no 確認記録 (by default a temporary store with demo accounts, deleted at exit)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_server_args(args)
    if args.vpcd:
        from taimen.emulator.vpcd import reader_name_for_port
        from taimen.errors import OperatorInputError

        try:
            reader_name_for_port(args.vpcd)
        except ValueError:
            raise OperatorInputError(
                f"--vpcd {args.vpcd} is not a vpcd port (35963 or 35964)",
                message_ja=f"--vpcd {args.vpcd} は vpcd のポートではありません（35963 か 35964）。",
            ) from None
    from taimen.web.app import Settings
    from taimen.web.demo import load_catalog
    from taimen.web.hooks import compare_hook, ocr_hook, warm_up
    from taimen.web.readers import ReaderSource, VirtualSource
    from taimen.web.records_setup import RecordsSetup, open_demo
    from taimen.web.server import serve_forever

    if args.vpcd:
        from taimen.web.sources import PcscSource
        from taimen.web.vpcd_slot import VpcdSlot

        slot = VpcdSlot(args.vpcd)
        catalog = load_catalog(slot, realtime=not args.no_realtime)
        source: ReaderSource = PcscSource(match=lambda name: name == slot.name)
    else:
        catalog = load_catalog(realtime=not args.no_realtime)
        source = VirtualSource(catalog.reader)  # type: ignore[arg-type]

    try:
        records = RecordsSetup() if args.no_records else open_demo()
    except BaseException:
        catalog.close()
        raise
    lookup = revocation_url(args)

    def settings(port: int) -> Settings:
        return Settings(
            port=port,
            revocation_url=lookup,
            sources=[source],
            trust_dirs=catalog.trust_dirs,
            lang=args.lang,
            demo=catalog,
            ocr=ocr_hook(),
            compare=compare_hook(),
            **records.settings(),
        )

    warm_up()
    try:
        return bound(
            lambda: serve_forever(
                settings, host=args.host, port=args.port, open_browser=not args.no_browser, announce=_announce
            ),
            args,
        )
    finally:
        records.close()
        catalog.close()
