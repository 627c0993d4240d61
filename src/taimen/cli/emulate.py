"""``taimen emulate FILE``: serve a card image to pcscd through vpcd until Ctrl-C.

The card appears in the reader "Virtual PCD 00 00" (port 35963) or "… 00 01" (35964). To take the card out of
the field and put it back: type ``r`` / ``i`` + Enter (when stdin is a terminal), or send SIGUSR1 / SIGUSR2.
"""

from __future__ import annotations

import argparse
import sys

from taimen.cli import LazySubParsers
from taimen.errors import OperatorInputError

TYPE_CHECKING = False  # without importing typing (start-up time)
if TYPE_CHECKING:
    import threading

    from taimen.emulator.vpcd import VpcdBridge


def register(sub: LazySubParsers) -> None:
    sub.add_lazy(
        "emulate",
        build,
        help="serve a card image to pcscd via vpcd / カードイメージを仮想リーダーに挿入する",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def build(p: argparse.ArgumentParser) -> None:
    from taimen.emulator.link import BIT_RATES

    p.add_argument("image", metavar="FILE", help="card-image JSON file")
    p.add_argument("--port", type=int, default=35963, help="vpcd port: 35963 (default) or 35964")
    p.add_argument("--host", default="127.0.0.1", help="host where vpcd listens (default 127.0.0.1)")
    p.add_argument("--realtime", action="store_true", help="answer at the modelled contactless speed")
    p.add_argument("--bit-rate", type=int, default=212_000, choices=BIT_RATES, help="modelled ISO 14443 bit rate")
    p.add_argument("--no-quickack", action="store_true", help="do not re-arm TCP_QUICKACK (shows vpcd's 40 ms delay)")
    p.set_defaults(func=run)


def _say(args: argparse.Namespace, ja: str, en: str) -> None:
    print(ja if getattr(args, "lang", "ja") == "ja" else en, flush=True)


def run(args: argparse.Namespace) -> int:
    import threading
    from contextlib import ExitStack

    from taimen.emulator.image import load_card
    from taimen.emulator.link import LinkModel
    from taimen.emulator.vpcd import VPCD_PORT, VpcdBridge, reader_name_for_port
    from taimen.testing.pcscd import PcscdError, file_lock

    try:
        reader = reader_name_for_port(args.port)
    except ValueError:
        raise OperatorInputError(
            f"--port {args.port} is not a vpcd port", message_ja=f"--port {args.port} は vpcd のポートではありません。"
        ) from None
    try:
        card = load_card(args.image, link=LinkModel(bit_rate=args.bit_rate), realtime=args.realtime)
    except OSError as exc:
        raise OperatorInputError(
            f"cannot read {args.image}: {exc}", message_ja=f"{args.image} を読めません: {exc}"
        ) from None

    def event(what: str) -> None:
        if what == "connected":
            _say(args, f"カードを「{reader}」に置きました。", f"Card is in reader {reader!r}.")
        else:
            _say(args, "カードがリーダーから離れました。", "Card left the reader.")

    bridge = VpcdBridge(card, args.host, args.port, quickack=not args.no_quickack, on_event=event)
    stop = threading.Event()

    other = VPCD_PORT + 1 if args.port == VPCD_PORT else VPCD_PORT
    with ExitStack() as stack:
        try:
            # Test runs hold the same per-slot lock, so they wait for this emulator rather than collide.
            stack.enter_context(file_lock(f"vpcd-{args.port}.lock", timeout=0))
        except PcscdError:
            raise OperatorInputError(
                f"vpcd port {args.port} is in use by another emulator or test run; try --port {other}",
                message_ja=f"ポート {args.port} の仮想リーダーは使用中です。--port {other} を試してください。",
            ) from None
        _serve(args, bridge, reader, stop)
    return 0


def _serve(args: argparse.Namespace, bridge: VpcdBridge, reader: str, stop: threading.Event) -> None:
    import os
    import signal
    import threading
    from types import FrameType

    from taimen.testing.pcscd import vpcd_readers

    card = bridge.card

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGUSR1:
            bridge.remove()
        elif signum == signal.SIGUSR2:
            bridge.insert()
        else:
            stop.set()

    try:
        for signum in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM):
            signal.signal(signum, on_signal)
        _say(
            args,
            f"ATR {card.atr.hex(' ').upper()}、{reader}（ポート {args.port}）に挿入します。"
            f"PID {os.getpid()}: SIGUSR1 で取り外し、SIGUSR2 で挿入、Ctrl-C で終了。",
            f"ATR {card.atr.hex(' ').upper()}, serving in {reader} (port {args.port}). "
            f"PID {os.getpid()}: SIGUSR1 removes, SIGUSR2 inserts, Ctrl-C quits.",
        )
        if vpcd_readers() is None:
            _say(args, "pcscd が動いていません。起動するまで待ちます。", "pcscd is not running; waiting for it.")
        bridge.start()
        if sys.stdin.isatty():
            _say(
                args,
                "r + Enter で取り外し、i + Enter で挿入、q + Enter で終了。",
                "r=remove, i=insert, q=quit (+Enter)",
            )
            threading.Thread(target=_keyboard, args=(bridge, stop), daemon=True).start()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        bridge.stop()
        _say(args, f"終了しました（APDU {bridge.apdus} 件）。", f"Stopped ({bridge.apdus} APDUs served).")


def _keyboard(bridge: VpcdBridge, stop: threading.Event) -> None:
    for line in sys.stdin:
        key = line.strip().lower()
        if key == "r":
            bridge.remove()
        elif key == "i":
            bridge.insert()
        elif key == "q":
            break
    stop.set()
