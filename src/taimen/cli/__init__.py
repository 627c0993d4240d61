"""Command-line interface. Each module in this package that defines ``register(subparsers)`` adds a command.

Start-up is part of the interface (a clerk waits for it): command modules import only the standard library at
module level, and a command's options are added by a builder that runs only when that command is chosen
(``LazySubParsers.add_lazy``), so ``taimen --version`` imports no document, no crypto, no numpy, no web stack.
See docs/architecture.md, "Start-up".
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from taimen import __version__
from taimen.errors import OperatorInputError, PinSafetyError, TaimenError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at every start
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class LazySubParsers(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subcommands listed with their help at once, but whose parser is made (and options added, with the imports
    they need) only when the subcommand is chosen: making an argparse parser costs about half a millisecond,
    mostly gettext looking for translations on disk, times the twenty-odd commands and documents."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._builders: dict[str, tuple[Callable[[argparse.ArgumentParser], None], dict[str, Any]]] = {}

    def add_lazy(self, name: str, build: Callable[[argparse.ArgumentParser], None], **kwargs: Any) -> None:
        """A subcommand listed with its help now; its parser is made, and ``build(parser)`` adds its options,
        when it is used (``kwargs`` as for ``add_parser``)."""
        if "help" in kwargs:  # the line in the parent's help, as add_parser would add it
            self._choices_actions.append(self._ChoicesPseudoAction(name, (), kwargs["help"]))
        self._builders[name] = (build, kwargs)
        self._name_parser_map[name] = None  # a valid choice already; the parser is made in ``build``

    def build(self, name: str) -> None:
        entry = self._builders.pop(name, None)
        if entry is None:
            return
        build, kwargs = entry
        order = list(self._name_parser_map)
        del self._name_parser_map[name]
        parser = self.add_parser(name, **{k: v for k, v in kwargs.items() if k != "help"})
        ordered = {k: self._name_parser_map[k] for k in order}  # keep the listing order
        self._name_parser_map.clear()
        self._name_parser_map.update(ordered)
        build(parser)

    def build_all(self) -> None:
        """Every subcommand complete (tests and documentation), recursively."""
        for name in list(self._builders):
            self.build(name)
        for parser in self._name_parser_map.values():
            for action in parser._actions:
                if isinstance(action, LazySubParsers):
                    action.build_all()

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if values:
            self.build(values[0])
        super().__call__(parser, namespace, values, option_string)


def command_modules() -> list[str]:
    """The modules of this package, by name (a directory listing: ``pkgutil`` would import ``inspect``)."""
    names = set()
    for directory in __path__:
        for entry in os.scandir(directory):
            stem, dot, ext = entry.name.partition(".")
            if dot and ext in ("py", "pyc") and not stem.startswith("_") and entry.is_file():
                names.add(stem)
    return sorted(names)


def subparsers(parser: argparse.ArgumentParser, **kwargs: Any) -> LazySubParsers:
    return parser.add_subparsers(action=LazySubParsers, **kwargs)  # type: ignore[return-value]


def build_parser(*, complete: bool = False) -> argparse.ArgumentParser:
    """The whole parser; ``complete`` builds every lazy subcommand (else they are built when chosen)."""
    parser = argparse.ArgumentParser(
        prog="taimen",
        description="対面 — ICカード本人確認書類の対面確認 / face-to-face checks of Japanese IC identity documents",
    )
    parser.add_argument("--version", action="version", version=f"taimen {__version__}")
    parser.add_argument("--lang", choices=("ja", "en"), default="ja", help="message language (default: ja)")
    sub = subparsers(parser, dest="command", metavar="COMMAND")
    for name in command_modules():
        if name.startswith("read_") or name == "common":
            continue
        mod = importlib.import_module(f"{__name__}.{name}")
        if hasattr(mod, "register"):
            mod.register(sub)
    if complete:
        sub.build_all()
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
