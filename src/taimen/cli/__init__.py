"""Command-line interface. Each module in this package that defines ``register(subparsers)`` adds a command."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from taimen import __version__
from taimen.errors import OperatorInputError, PinSafetyError, TaimenError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="taimen",
        description="対面 — ICカード本人確認書類の対面確認 / face-to-face checks of Japanese IC identity documents",
    )
    parser.add_argument("--version", action="version", version=f"taimen {__version__}")
    parser.add_argument("--lang", choices=("ja", "en"), default="ja", help="message language (default: ja)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "common":
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(mod, "register"):
            mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        from taimen.cli.common import check_outputs

        check_outputs(args)  # before anything is read or typed: the verdict must not be lost after the read
        return int(args.func(args) or 0)
    except PinSafetyError as exc:
        print(exc.message_ja if args.lang == "ja" else str(exc), file=sys.stderr)
        return 4
    except OperatorInputError as exc:
        print((exc.message_ja + " " if args.lang == "ja" else "") + str(exc), file=sys.stderr)
        return 2
    except TaimenError as exc:
        print(exc.message_ja if args.lang == "ja" else str(exc), file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # a file or device problem nobody anticipated: one line, not a traceback
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"{type(exc).__name__}: {exc.strerror or exc}{where}", file=sys.stderr)
        return 3
    except Exception as exc:
        # A bug. The message could quote a value (a PIN, a name): only the type, unless asked for details.
        if os.environ.get("TAIMEN_DEBUG") == "1":
            raise
        print(
            f"内部エラー（{type(exc).__name__}）。詳細は TAIMEN_DEBUG=1 で再実行してください。"
            f" / internal error ({type(exc).__name__}); rerun with TAIMEN_DEBUG=1 for details",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":
    sys.exit(main())
