"""``taimen read KEY`` for every registered document that has no dedicated ``read_KEY`` module.

Built from the ``Document`` protocol alone (its unlock fields become ``--field`` options), so a new document
is readable from the command line the moment it is registered, with the same output options as the others.
"""

from __future__ import annotations

import argparse
import getpass
import importlib.util
import sys

from taimen.cli.common import add_output_args, add_transport_args, read_document
from taimen.documents import Document, registry, strip_spaces
from taimen.errors import OperatorInputError


def _has_own_module(key: str) -> bool:
    return importlib.util.find_spec(f"taimen.cli.read_{key.replace('-', '_')}") is not None


def register_read(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for key, doc in registry().items():
        if not _has_own_module(key):
            add_document(sub, doc)


def add_document(sub: argparse._SubParsersAction, doc: Document) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    p = sub.add_parser(
        doc.key.replace("_", "-"),
        help=f"{doc.title_ja} / {doc.title_en}",
        description=(
            f"{doc.title_ja}を読み取り検証します。 Reads and verifies a {doc.title_en}. Values left out are asked"
            " for without echo; values on the command line may stay in the shell history."
        ),
    )
    for f in doc.unlock_fields:
        p.add_argument(
            f"--{f.key.replace('_', '-')}", dest=f"unlock_{f.key}", metavar="VALUE", help=f"{f.label_ja} / {f.label_en}"
        )
    add_transport_args(p)
    add_output_args(p)
    p.set_defaults(func=run, document_key=doc.key)
    return p


def _values(doc: Document, args: argparse.Namespace) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in doc.unlock_fields:
        value = getattr(args, f"unlock_{f.key}", None)
        flag = f"--{f.key.replace('_', '-')}"
        if not value and not f.optional:
            if not sys.stdin.isatty():
                raise OperatorInputError(f"{flag} is required", message_ja=f"{flag} を指定してください。")
            value = getpass.getpass(f"{f.label_ja}: ") if f.secret else input(f"{f.label_ja}: ")
        if not value:
            continue
        if not f.accepts(strip_spaces(value)):
            raise OperatorInputError(f"{flag}: invalid format", message_ja=f"{f.label_ja}の形式が正しくありません。")
        out[f.key] = strip_spaces(value)
    return out


def run(args: argparse.Namespace) -> int:
    doc = registry()[args.document_key]
    unlock = _values(doc, args)
    for f in doc.unlock_fields:  # not kept on the namespace after this point
        setattr(args, f"unlock_{f.key}", None)
    return read_document(doc.key, unlock, args, expected=30)
