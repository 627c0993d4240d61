"""``taimen serve``: the counter application on this machine's card readers."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="start the counter web app / 窓口用の画面を起動する")
    add_server_args(p)
    p.add_argument("--trust-dir", action="append", default=[], metavar="DIR", help="more trust anchors")
    p.set_defaults(func=run)


def add_server_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default: a free port)")
    p.add_argument("--no-browser", action="store_true", help="do not open the browser; only print the URL")
    p.add_argument(
        "--revocation-url",
        default=None,
        metavar="URL",
        help="page the result screen's 失効情報照会 button opens in a new tab (default: $TAIMEN_REVOCATION_URL, "
        "else ISA's page; taimen never fetches it)",
    )


def revocation_url(args: argparse.Namespace) -> str:
    """--revocation-url, else $TAIMEN_REVOCATION_URL, else the default; only https URLs are accepted."""
    import os

    from taimen.web.context import DEFAULT_REVOCATION_URL

    url = args.revocation_url or os.environ.get("TAIMEN_REVOCATION_URL") or DEFAULT_REVOCATION_URL
    if not url.startswith("https://") or any(c in url for c in "\"'<> \t\n"):
        raise SystemExit(f"taimen: --revocation-url must be an https:// URL: {url!r}")
    return url


def run(args: argparse.Namespace) -> int:
    from taimen.web.app import Settings
    from taimen.web.hooks import compare_hook, ocr_hook, warm_up
    from taimen.web.readers import ReaderSource
    from taimen.web.server import serve_forever, warn
    from taimen.web.sources import pcsc_source

    sources: list[ReaderSource] = []
    pcsc = pcsc_source()
    if pcsc is None:
        warn("PC/SC を利用できません（pyscard と pcscd が必要です） / PC/SC is not available (needs pyscard and pcscd)")
    else:
        sources.append(pcsc)

    lookup = revocation_url(args)

    def settings(port: int) -> Settings:
        return Settings(
            port=port,
            revocation_url=lookup,
            sources=sources,
            trust_dirs=tuple(args.trust_dir),
            lang=args.lang,
            ocr=ocr_hook(),
            compare=compare_hook(),
        )

    warm_up()
    return serve_forever(settings, host=args.host, port=args.port, open_browser=not args.no_browser, announce=_announce)


def _announce(url: str) -> None:
    print(f"taimen: {url}", flush=True)
    print("このURLをブラウザで開いてください（Ctrl+C で終了） / open this URL (Ctrl+C to stop)", flush=True)
