"""``taimen read DOCUMENT …``: each ``taimen.cli.read_*`` module adds one document; ``read_any`` adds the rest.

A ``read_*`` module's ``register_read(sub)`` calls ``sub.add_lazy(name, build, help=…)``: the document and
everything it imports are loaded only when that document is read.
"""

from __future__ import annotations

import argparse
import importlib

import taimen.cli as cli_pkg


def register(sub: cli_pkg.LazySubParsers) -> None:
    sub.add_lazy("read", build, help="read and verify a card / カードを読み取り検証する")


def build(p: argparse.ArgumentParser) -> None:
    docs = cli_pkg.subparsers(p, dest="document", metavar="DOCUMENT")
    for name in cli_pkg.command_modules():
        if name.startswith("read_"):
            importlib.import_module(f"taimen.cli.{name}").register_read(docs)
