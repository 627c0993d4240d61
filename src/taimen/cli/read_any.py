"""``taimen read KEY`` for every registered document that has no dedicated ``read_KEY`` module.

Built from the ``Document`` protocol alone (its unlock fields become ``--field`` options), so a new document
is readable from the command line the moment it is registered, with the same output options as the others.
"""

from __future__ import annotations

import argparse
import getpass
import importlib.util
import sys

from taimen.cli import LazySubParsers
from taimen.documents import LISTINGS, Document, get, strip_spaces
from taimen.errors import OperatorInputError


def _has_own_module(key: str) -> bool:
    return importlib.util.find_spec(f"taimen.cli.read_{key.replace('-', '_')}") is not None


def register_read(sub: LazySubParsers) -> None:
    for listing in LISTINGS:  # listed without importing the document; built when chosen
        if not _has_own_module(listing.key):
            sub.add_lazy(
                listing.key.replace("_", "-"),
                lambda p, key=listing.key: add_options(p, get(key)),
                help=f"{listing.title_ja} / {listing.title_en}",
                description=_description(listing.title_ja, listing.title_en),
            )


def _description(title_ja: str, title_en: str) -> str:
    return (
        f"{title_ja}を読み取り検証します。 Reads and verifies a {title_en}. Values left out are asked"
        " for without echo; values on the command line may stay in the shell history."
    )


def add_document(sub: argparse._SubParsersAction, doc: Document) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    """A complete ``read`` subcommand for ``doc`` (built at once)."""
    p = sub.add_parser(
        doc.key.replace("_", "-"),
        help=f"{doc.title_ja} / {doc.title_en}",
        description=_description(doc.title_ja, doc.title_en),
    )
    add_options(p, doc)
    return p


def add_options(p: argparse.ArgumentParser, doc: Document) -> None:
    from taimen.cli.common import add_output_args, add_transport_args

    for f in doc.unlock_fields:
        p.add_argument(
            f"--{f.key.replace('_', '-')}", dest=f"unlock_{f.key}", metavar="VALUE", help=f"{f.label_ja} / {f.label_en}"
        )
    add_transport_args(p)
    add_output_args(p)
    p.set_defaults(func=run, document_key=doc.key)


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
    from taimen.cli.common import read_document

    doc = get(args.document_key)
    unlock = _values(doc, args)
    for f in doc.unlock_fields:  # not kept on the namespace after this point
        setattr(args, f"unlock_{f.key}", None)
    return read_document(doc.key, unlock, args, expected=30)
