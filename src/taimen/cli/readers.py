"""``taimen readers``: list the PC/SC readers, whether a card is in each and its ATR (``--watch``: follow)."""

from __future__ import annotations

import argparse
import sys

from taimen.cli import LazySubParsers


def register(sub: LazySubParsers) -> None:
    sub.add_lazy("readers", build, help="list PC/SC readers and cards / カードリーダーとカードの一覧")


def build(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--watch", action="store_true", help="keep running and print reader/card events until Ctrl-C")
    p.set_defaults(func=run)


def _text(args: argparse.Namespace, ja: str, en: str) -> str:
    return ja if getattr(args, "lang", "ja") == "ja" else en


def run(args: argparse.Namespace) -> int:
    if args.watch:
        return _watch(args)
    from taimen.transport.pcsc import reader_status

    states = reader_status()
    if args.json:
        import json

        out = [{"reader": s.name, "card_present": s.card_present, "atr": s.atr.hex().upper() or None} for s in states]
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not states:
        print(_text(args, "カードリーダーが見つかりません。", "No PC/SC reader found."))
        return 1
    for s in states:
        if s.card_present:
            card = _text(args, "カードあり", "card present") + f"  ATR {s.atr.hex(' ').upper()}"
            if s.in_use:
                card += _text(args, "（使用中）", " (in use)")
        else:
            card = _text(args, "カードなし", "no card")
        print(f"{s.name}\t{card}")
    return 0


def _watch(args: argparse.Namespace) -> int:
    import threading

    from taimen.transport.monitor import CardWatcher, WatchEvent

    labels = {
        "reader_added": ("リーダー接続", "reader added"),
        "reader_removed": ("リーダー切断", "reader removed"),
        "card_inserted": ("カード挿入", "card inserted"),
        "card_removed": ("カード取り外し", "card removed"),
        "service_lost": ("PC/SC サービス停止（再接続を待っています）", "PC/SC service lost (waiting for it)"),
    }

    def show(event: WatchEvent) -> None:
        ja, en = labels[event.kind]
        atr = f"  ATR {event.atr.hex(' ').upper()}" if event.kind == "card_inserted" else ""
        print(f"{_text(args, ja, en)}\t{event.reader}{atr}", flush=True)

    done = threading.Event()
    try:
        with CardWatcher(show):
            done.wait()
    except ImportError as exc:
        from taimen.errors import TransportError

        raise TransportError("pyscard is not installed") from exc
    except KeyboardInterrupt:
        pass
    return 0
