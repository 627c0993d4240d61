"""``taimen serve``: the counter application on this machine's card readers."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from taimen.cli import LazySubParsers


def register(sub: LazySubParsers) -> None:
    sub.add_lazy("serve", build, help="start the counter web app / 窓口用の画面を起動する")


def build(p: argparse.ArgumentParser) -> None:
    from taimen.web.records_setup import add_records_args

    add_server_args(p)
    p.add_argument("--trust-dir", action="append", default=[], metavar="DIR", help="more trust anchors")
    add_records_args(p)
    p.set_defaults(func=run)


def check_server_args(args: argparse.Namespace) -> None:
    """Host and port refused before anything starts: loopback only, a real port number."""
    from taimen.errors import OperatorInputError
    from taimen.web.loopback import is_loopback

    if not is_loopback(args.host):
        raise OperatorInputError(
            f"--host {args.host} is not a loopback address; the counter app serves this machine only",
            message_ja=f"--host {args.host} はループバックアドレスではありません（この PC からのみ使えます）。",
        )
    if not 0 <= args.port <= 65535:
        raise OperatorInputError(
            f"--port {args.port} is not a port number (0-65535; 0 = any free port)",
            message_ja=f"--port {args.port} はポート番号ではありません（0〜65535、0 は空いているポート）。",
        )


def bound(serve: Callable[[], int], args: argparse.Namespace) -> int:
    """Run ``serve``; a port in use or not allowed is the operator's to fix, said in one line."""
    from taimen.errors import OperatorInputError

    try:
        return serve()
    except OSError as exc:
        raise OperatorInputError(
            f"cannot listen on {args.host} port {args.port}: {exc.strerror}",
            message_ja=f"{args.host} のポート {args.port} で待ち受けできません（{exc.strerror}）。",
        ) from None


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
    check_server_args(args)
    from taimen.web.app import Settings
    from taimen.web.hooks import compare_hook, ocr_hook, warm_up
    from taimen.web.readers import ReaderSource
    from taimen.web.records_setup import open_from_args
    from taimen.web.server import serve_forever, warn
    from taimen.web.sources import pcsc_source

    sources: list[ReaderSource] = []
    pcsc = pcsc_source()
    if pcsc is None:
        warn("PC/SC を利用できません（pyscard と pcscd が必要です） / PC/SC is not available (needs pyscard and pcscd)")
    else:
        sources.append(pcsc)

    records = open_from_args(args)
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


def _announce(url: str, opened: bool) -> None:
    """Where the app is. A launch URL works for one browser, once; Enter (or SIGUSR1) prints another."""
    import os

    if opened:
        print(f"taimen: {url}（ブラウザを開きました / browser opened）", flush=True)
    else:
        print(f"taimen: {url}", flush=True)
        print(
            "このURLをブラウザで開いてください。使えるのは1回だけです / open this URL in one browser; it works once",
            flush=True,
        )
    print(
        f"別の画面用の新しいURL: Enter キー（または kill -USR1 {os.getpid()}）、終了: Ctrl+C / "
        f"new URL for another screen: Enter (or kill -USR1 {os.getpid()}); quit: Ctrl+C",
        flush=True,
    )
