"""``taimen records …``: the 確認記録 store from the command line (docs/records.md).

Secrets never go on the command line (they would show in the process list): the store's passphrase comes from
``TAIMEN_RECORDS_PASSPHRASE`` or a prompt, account passwords from ``TAIMEN_RECORDS_PASSWORD`` or a prompt.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from taimen.cli import LazySubParsers

PASSPHRASE_ENV = "TAIMEN_RECORDS_PASSPHRASE"
NEW_PASSPHRASE_ENV = "TAIMEN_RECORDS_NEW_PASSPHRASE"
PASSWORD_ENV = "TAIMEN_RECORDS_PASSWORD"
NEW_PASSWORD_ENV = "TAIMEN_RECORDS_NEW_PASSWORD"
URL_ENV = "TAIMEN_RECORDS_URL"
KEY_FILE_ENV = "TAIMEN_RECORDS_KEY_FILE"


def register(sub: LazySubParsers) -> None:
    sub.add_lazy("records", build, help="確認記録の一覧・表示・出力・検証・削除 / verification records")


def build(p: argparse.ArgumentParser) -> None:
    rs = p.add_subparsers(dest="records_command", metavar="ACTION", required=True)

    def cmd(name: str, help_: str, *, login: bool = True) -> argparse.ArgumentParser:
        c = rs.add_parser(name, help=help_)
        c.add_argument(
            "--records",
            metavar="URL",
            default=os.environ.get(URL_ENV),
            help=f"SQLite path or postgresql://… (default ${URL_ENV}, else the file under the data dir)",
        )
        c.add_argument(
            "--key-file",
            "--records-key",
            dest="key_file",
            metavar="FILE",
            default=os.environ.get(KEY_FILE_ENV),
            help=f"the store's key file (else the passphrase: ${PASSPHRASE_ENV} or a prompt)",
        )
        c.add_argument("--queue", metavar="PATH", help="this counter's local queue (records made while offline)")
        if login:
            c.add_argument("--login", metavar="NAME", help=f"your account (password: ${PASSWORD_ENV} or a prompt)")
        return c

    k = rs.add_parser("new-key", help="create a key file for a new store / 新しい鍵ファイルを作る")
    k.add_argument("path", type=Path)
    k.set_defaults(func=_new_key)

    c = cmd("add-operator", "add an account / 担当者を登録する")
    c.add_argument("name")
    c.add_argument("--role", choices=("operator", "supervisor", "auditor"), required=True)
    c.add_argument("--display-name", default="")
    c.add_argument("--staff-id", default="")
    c.set_defaults(func=_add_operator)

    c = cmd("operators", "list accounts / 担当者の一覧")
    c.set_defaults(func=_operators)

    for name, help_ in (("list", "search records / 記録を検索する"), ("export", "export records / 記録を出力する")):
        c = cmd(name, help_)
        c.add_argument("--name", help="name or one part of it (exact after normalising)")
        c.add_argument("--kana")
        c.add_argument("--from", dest="date_from", type=date.fromisoformat, metavar="YYYY-MM-DD")
        c.add_argument("--to", dest="date_to", type=date.fromisoformat, metavar="YYYY-MM-DD")
        c.add_argument("--document")
        c.add_argument("--operator", help="records made by this operator")
        c.add_argument("--verdict", choices=("genuine", "attention", "not_genuine"))
        c.add_argument("--all-versions", action="store_true")
        c.add_argument("--limit", type=int, default=50)
        c.add_argument("--offset", type=int, default=0)
        if name == "list":
            c.add_argument("--json", action="store_true")
            c.set_defaults(func=_list)
        else:
            c.add_argument("ids", nargs="*", metavar="ID", help="record ids (else: the search)")
            c.add_argument("--format", choices=("csv", "pdf"), default="csv")
            c.add_argument("-o", "--output", type=Path, required=True)
            c.set_defaults(func=_export)

    c = cmd("show", "show one record and its versions / 記録を表示する")
    c.add_argument("id")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_show)

    c = cmd("verify", "check the hash chain / 改ざん・削除の検査", login=False)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_verify)

    c = cmd("purge", "delete records past retention / 保存期間を過ぎた記録を削除する")
    c.add_argument("--now", type=date.fromisoformat, metavar="YYYY-MM-DD", help="as if today were this day")
    c.set_defaults(func=_purge)

    c = cmd("rotate-key", "re-wrap the data key under a new key / 鍵を交換する")
    g = c.add_mutually_exclusive_group(required=True)
    g.add_argument("--new-key-file", type=Path, help="an existing key file (see new-key)")
    g.add_argument(
        "--new-passphrase", action="store_true", help=f"a new passphrase (${NEW_PASSPHRASE_ENV} or a prompt)"
    )
    c.set_defaults(func=_rotate)

    c = cmd("deliver", "deliver this counter's queued records / 未送信の記録を送る", login=False)
    c.set_defaults(func=_deliver)


# ---------------------------------------------------------------------- opening


def _secret(env: str, prompt: str, *, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        from taimen.errors import OperatorInputError

        raise OperatorInputError(
            f"set {env} or run in a terminal", message_ja=f"{env} を設定するか、端末から実行してください。"
        )
    import getpass

    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("もう一度 / again: ") != value:
        from taimen.errors import OperatorInputError

        raise OperatorInputError("the two entries differ", message_ja="2回の入力が一致しません。")
    return value


def _key(args: argparse.Namespace) -> Any:
    from taimen.records import KeySource

    if args.key_file:
        return KeySource.from_file(args.key_file)
    return KeySource.from_passphrase(_secret(PASSPHRASE_ENV, "記録の鍵のパスフレーズ / store passphrase: "))


def _open(args: argparse.Namespace) -> Any:
    from taimen.records import open_store

    return open_store(args.records or None, _key(args), queue_path=args.queue)


def _actor(store: Any, args: argparse.Namespace) -> Any:
    if not args.login:
        from taimen.errors import OperatorInputError

        raise OperatorInputError("--login NAME is required", message_ja="--login で担当者名を指定してください。")
    return store.authenticate(args.login, _secret(PASSWORD_ENV, f"{args.login} のパスワード / password: "))


# ---------------------------------------------------------------------- commands


def _new_key(args: argparse.Namespace) -> int:
    from taimen.records import create_key_file

    try:
        path = create_key_file(args.path)
    except FileExistsError:
        print(f"{args.path}: 既にあります（上書きしません） / exists, not overwritten", file=sys.stderr)
        return 2
    print(f"{path}")
    print(
        "この鍵を失うと記録は読めなくなります。安全な場所に控えを保管してください。 / "
        "losing this key loses the records: keep a copy somewhere safe",
        file=sys.stderr,
    )
    return 0


def _add_operator(args: argparse.Namespace) -> int:
    from taimen.records import Role

    store = _open(args)
    try:
        actor = _actor(store, args) if args.login else None
        password = _secret(NEW_PASSWORD_ENV, f"{args.name} の新しいパスワード / new password: ", confirm=True)
        op = store.create_account(
            args.name, password, Role(args.role), display_name=args.display_name, staff_id=args.staff_id, actor=actor
        )
        print(f"{op.name} ({op.role})")
    finally:
        store.close()
    return 0


def _operators(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        for op in store.accounts(_actor(store, args)):
            print(f"{op.name}\t{op.role}\t{op.display_name}\t{op.staff_id}\t{'active' if op.active else 'disabled'}")
    finally:
        store.close()
    return 0


def _query(args: argparse.Namespace) -> Any:
    from taimen.records import RecordQuery

    return RecordQuery(
        name=args.name,
        kana=args.kana,
        presented_from=args.date_from,
        presented_to=args.date_to,
        document=args.document,
        operator=args.operator,
        verdict=args.verdict,
        include_superseded=args.all_versions,
        limit=args.limit,
        offset=args.offset,
    )


def record_json(r: Any) -> dict[str, Any]:
    d = r.draft
    b = d.business
    return {
        "id": r.id,
        "version": r.version,
        "root_id": r.root_id,
        "supersedes": r.supersedes,
        "superseded_by": r.superseded_by,
        "created_at": r.created_at.isoformat(),
        "created_by": r.created_by,
        "correction_reason": r.correction_reason,
        "presented_at": d.presented_at.isoformat(),
        "operator": d.operator,
        "counter": d.counter,
        "document": d.document,
        "document_generation": d.document_generation,
        "method": d.method,
        "verdict": d.verdict,
        "reasons": [{"code": x.code, "ja": x.ja} for x in d.reasons],
        "checks": [
            {"name": c.name, "status": c.status, "title_ja": c.title_ja, "required": c.required} for c in d.checks
        ],
        "name": d.name,
        "name_kana": d.name_kana,
        "address": d.address,
        "birth_date": d.birth_date,
        "document_number": d.document_number,
        "expiry": d.expiry,
        "business": {
            "transaction_type": b.transaction_type,
            "purpose": b.purpose,
            "occupation": b.occupation,
            "reference": b.reference,
            "contract_end": b.contract_end.isoformat() if b.contract_end else None,
            "note": b.note,
        },
        "retention": str(d.retention),
        "images": sorted(d.images),
    }


def _list(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        found = store.search(_query(args), _actor(store, args))
    finally:
        store.close()
    if args.json:
        import json

        json.dump([record_json(r) for r in found], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for r in found:
        print(
            f"{r.id}  v{r.version}  {r.presented_at.astimezone().strftime('%Y-%m-%d %H:%M')}  {r.document:<16} "
            f"{r.verdict:<11} {r.operator:<12} {r.name or ''}"
        )
    print(f"{len(found)} 件 / records", file=sys.stderr)
    return 0


def _show(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        history = store.history(args.id, _actor(store, args))
    finally:
        store.close()
    rec = next(r for r in history if r.id == args.id)
    if args.json:
        import json

        json.dump(
            {"record": record_json(rec), "versions": [record_json(r) for r in history]},
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
        return 0
    doc = record_json(rec)
    for key in (
        "id",
        "version",
        "supersedes",
        "superseded_by",
        "presented_at",
        "operator",
        "counter",
        "document",
        "document_generation",
        "method",
        "verdict",
        "name",
        "name_kana",
        "address",
        "birth_date",
        "document_number",
        "expiry",
        "retention",
        "created_at",
        "created_by",
        "correction_reason",
    ):
        if doc[key] not in (None, ""):
            print(f"{key:20} {doc[key]}")
    for k, v in doc["business"].items():
        if v:
            print(f"{k:20} {v}")
    for reason in doc["reasons"]:
        print(f"{'reason':20} {reason['ja']}")
    print(f"{'versions':20} {' → '.join(r.id for r in history)}")
    return 0


def _export(args: argparse.Namespace) -> int:
    try:
        from taimen.records import export
    except ImportError as exc:  # the export module ships with the web pages (records-web)
        from taimen.errors import TaimenError

        raise TaimenError(
            f"records export is not available in this build: {exc}",
            message_ja="このビルドには記録の出力機能がありません。",
        ) from exc
    store = _open(args)
    try:
        actor = _actor(store, args)
        ids = args.ids or [r.id for r in store.search(_query(args), actor)]
        records = store.export_records(ids, args.format, actor)  # logged before anything is written
        data = export.export_csv(records) if args.format == "csv" else export.export_pdf(records)
    finally:
        store.close()
    fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner only
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    print(f"{args.output}: {len(records)} 件 / records ({args.format})", file=sys.stderr)
    return 0


def _verify(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        rep = store.verify_chain()
    finally:
        store.close()
    if args.json:
        import dataclasses
        import json

        json.dump(dataclasses.asdict(rep), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif rep.ok:
        print(f"OK: 連鎖 {rep.entries} 件（記録 {rep.records}、削除済み {rep.tombstones}） / chain intact")
        print(
            f"head {rep.head}  （この値を控えておくと、末尾の削除も検出できます / note it to detect tail truncation）"
        )
    else:
        print(
            f"改ざんを検出 / TAMPERING DETECTED at #{rep.first_broken}: {rep.problem_ja} / {rep.problem}",
            file=sys.stderr,
        )
    return 0 if rep.ok else 1


def _purge(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        actor = _actor(store, args)
        now = datetime.combine(args.now, datetime.min.time(), UTC) if args.now else datetime.now(UTC)
        rep = store.purge(now, actor)
    finally:
        store.close()
    print(f"削除 {len(rep.purged)} 件、保存中 {rep.kept} 件 / purged {len(rep.purged)}, kept {rep.kept}")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    from taimen.records import KeySource

    store = _open(args)
    try:
        actor = _actor(store, args)
        if args.new_key_file:
            new = KeySource.from_file(args.new_key_file)
        else:
            new = KeySource.from_passphrase(
                _secret(NEW_PASSPHRASE_ENV, "新しいパスフレーズ / new passphrase: ", confirm=True)
            )
        store.rotate_key(new, actor)
    finally:
        store.close()
    print(
        f"鍵を交換しました（{new.describe()}）。古い鍵ではもう開けません。 / "
        "key rotated; the old key no longer opens the store"
    )
    return 0


def _deliver(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        n = store.deliver_queued()
        left = store.queued()
    finally:
        store.close()
    print(f"送信 {n} 件、未送信 {left} 件 / delivered {n}, still queued {left}")
    return 0 if left == 0 else 1
