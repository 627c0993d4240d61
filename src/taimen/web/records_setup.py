"""The record store of ``taimen serve`` and ``taimen demo``: command-line options, opening, the demo's store.

``taimen serve --records [URL]`` keeps 確認記録 (without URL: the embedded SQLite file under the user's data
dir; ``postgresql://…`` for a chain of counters). The key comes from ``--records-key FILE`` or the passphrase
in ``TAIMEN_RECORDS_PASSPHRASE`` (never a command-line argument: it would show in the process list).

``taimen demo`` opens a throw-away SQLite store in a temporary directory with a random demo key and three
demo accounts; the directory is deleted when the demo stops.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PASSPHRASE_ENV = "TAIMEN_RECORDS_PASSPHRASE"
DEMO_PASSWORD = "taimen-demo-2026"  # shown on the demo's sign-in page; the demo store dies with the demo
DEMO_ACCOUNTS = (  # the supervisor first: it creates the others
    ("kanri", "supervisor", "管理 恵美"),
    ("madoguchi", "operator", "窓口 太郎"),
    ("kansa", "auditor", "監査 修"),
)


def add_records_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("確認記録 / verification records")
    g.add_argument(
        "--records",
        nargs="?",
        const="",
        default=None,
        metavar="URL",
        help="keep 確認記録: a SQLite path or postgresql://… (without URL: the SQLite file under the data dir)",
    )
    g.add_argument("--records-key", metavar="FILE", help=f"key file of the store (else ${PASSPHRASE_ENV})")
    g.add_argument(
        "--records-queue",
        metavar="FILE",
        help="local encrypted queue for records while a PostgreSQL store is unreachable "
        "(default with PostgreSQL: records-queue.sqlite3 beside the embedded store's file)",
    )
    g.add_argument("--counter", default="", help="this counter's name, written into each record")
    g.add_argument(
        "--keep-images",
        action="store_true",
        help="business policy: keep the chip's photo and card-face images in records (encrypted)",
    )
    g.add_argument(
        "--sign-in",
        choices=("auto", "password", "identify"),
        default="auto",
        help="password: accounts (the default); identify: name and operator ID only (one counter, no accounts)",
    )


@dataclass
class RecordsSetup:
    store: Any = None
    counter: str = ""
    keep_images: bool = False
    require_password: bool | None = None
    demo_accounts: tuple[tuple[str, str], ...] = ()
    demo_password: str = ""
    cleanup: list[Callable[[], None]] = field(default_factory=list)

    def settings(self) -> dict[str, Any]:
        """Keyword arguments for ``taimen.web.context.Settings``."""
        return {
            "records": self.store,
            "counter": self.counter,
            "keep_images": self.keep_images,
            "require_password": self.require_password,
            "demo_accounts": self.demo_accounts,
            "demo_password": self.demo_password,
        }

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
        while self.cleanup:
            self.cleanup.pop()()


def open_from_args(args: argparse.Namespace) -> RecordsSetup:
    """The store named on the command line (or none: then the app keeps nothing, as before)."""
    if args.records is None:
        return RecordsSetup()
    from taimen.records import KeySource, open_store

    if args.records_key:
        key = KeySource.from_file(args.records_key)
    elif os.environ.get(PASSPHRASE_ENV):
        key = KeySource.from_passphrase(os.environ[PASSPHRASE_ENV])
    else:
        raise SystemExit(
            f"確認記録の鍵がありません: --records-key FILE か環境変数 {PASSPHRASE_ENV} で指定してください / "
            f"no key for the records: give --records-key FILE or set {PASSPHRASE_ENV}"
        )
    url = args.records or None
    central = bool(url) and url.startswith(("postgresql:", "postgres:", "postgresql+"))
    queue = getattr(args, "records_queue", None)
    if central and not queue:
        from taimen.records.store import default_sqlite_path

        queue = str(default_sqlite_path().with_name("records-queue.sqlite3"))
    store = open_store(url, key, queue_path=queue) if queue else open_store(url, key)
    require = {"password": True, "identify": False}.get(args.sign_in, True if central else None)
    return RecordsSetup(store, args.counter, args.keep_images, require)


def open_demo(counter: str = "デモ窓口", keep_images: bool = False) -> RecordsSetup:
    """A temporary SQLite store with a random key and the demo accounts; ``close()`` deletes it all."""
    from taimen.records import KeySource, Role, create_key_file, open_store

    root = Path(tempfile.mkdtemp(prefix="taimen-demo-records-"))
    try:
        key = KeySource.from_file(create_key_file(root / "demo.key"))
        store = open_store(str(root / "records.sqlite3"), key)
        admin = None
        for login, role, name in DEMO_ACCOUNTS:
            account = store.create_account(
                login, DEMO_PASSWORD, Role(role), display_name=name, staff_id=login, actor=admin
            )
            admin = admin or account
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    setup = RecordsSetup(
        store,
        counter,
        keep_images,
        True,
        tuple((login, role) for login, role, _name in DEMO_ACCOUNTS),
        DEMO_PASSWORD,
    )
    setup.cleanup.append(lambda: shutil.rmtree(root, ignore_errors=True))
    return setup
