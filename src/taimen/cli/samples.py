"""``taimen samples DIR``: write sample card images (and the test trust anchors they need) for every document.

Each builder module exposes ``build(out_dir: Path) -> list[Path]``. Builders that are not part of this build
yet are skipped, as ``taimen.documents`` does for documents.
"""

from __future__ import annotations

import argparse
import importlib
from types import ModuleType

from taimen.cli import LazySubParsers
from taimen.errors import OperatorInputError

BUILDERS = (
    "taimen.samples.mynumber_cards",
    "taimen.samples.license_cards",
    "taimen.samples.residence_cards",
    "taimen.samples.passport_cards",
    "taimen.samples.faces",
)


def builders(names: tuple[str, ...] = BUILDERS) -> list[ModuleType]:
    found = []
    for name in names:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):  # not written yet
                continue
            raise
    return found


def register(sub: LazySubParsers) -> None:
    sub.add_lazy("samples", build, help="サンプルのカードイメージを書き出す / write sample card images")


def build(p: argparse.ArgumentParser) -> None:
    p.add_argument("directory", help="output directory (card images, trust/ with the test anchors)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    out = Path(args.directory)
    if out.exists() and not out.is_dir():
        raise OperatorInputError(
            f"{out} exists and is not a directory", message_ja=f"{out} は既にあり、ディレクトリではありません。"
        )
    total = 0
    try:
        for mod in builders():
            for path in mod.build(out):
                print(path)
                total += 1
    except OSError as exc:
        raise OperatorInputError(
            f"cannot write the samples to {out}: {exc.strerror} ({exc.filename})",
            message_ja=f"{out} にサンプルを書き出せません（{exc.strerror}）。",
        ) from None
    print(f"{total} files written to {out}; read them with --card-image FILE --trust-dir {out / 'trust'}")
    return 0
