"""``taimen read DOCUMENT …``: each ``taimen.cli.read_*`` module adds one document."""

from __future__ import annotations

import argparse
import importlib
import pkgutil

import taimen.cli as cli_pkg


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("read", help="read and verify a card / カードを読み取り検証する")
    docs = p.add_subparsers(dest="document", metavar="DOCUMENT")
    for info in sorted(pkgutil.iter_modules(cli_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("read_"):
            importlib.import_module(f"taimen.cli.{info.name}").register_read(docs)
