"""``taimen demo``: the counter application on a virtual reader with the sample persons' cards and faces."""

from __future__ import annotations

import argparse

from taimen.cli.serve import _announce, add_server_args


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("demo", help="the counter app with sample cards, no hardware / 見本カードでデモ")
    add_server_args(p)
    p.add_argument("--no-realtime", action="store_true", help="answer instantly instead of at contactless speed")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from taimen.web.app import Settings
    from taimen.web.demo import load_catalog
    from taimen.web.hooks import compare_hook, ocr_hook
    from taimen.web.readers import VirtualSource
    from taimen.web.server import serve_forever

    catalog = load_catalog(realtime=not args.no_realtime)
    source = VirtualSource(catalog.reader)

    def settings(port: int) -> Settings:
        return Settings(
            port=port,
            sources=[source],
            trust_dirs=catalog.trust_dirs,
            lang=args.lang,
            demo=catalog,
            ocr=ocr_hook(),
            compare=compare_hook(),
        )

    try:
        return serve_forever(
            settings, host=args.host, port=args.port, open_browser=not args.no_browser, announce=_announce
        )
    finally:
        catalog.close()
