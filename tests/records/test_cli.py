"""``taimen records …`` end to end on a real SQLite file (and PostgreSQL for list/verify)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from taimen.cli import main
from taimen.records import KeySource, RecordDraft, open_store

from .conftest import YAMADA


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("TAIMEN_RECORDS_PASSWORD", "boss-password-1")
    monkeypatch.setenv("TAIMEN_RECORDS_NEW_PASSWORD", "boss-password-1")
    return monkeypatch


def test_records_cli(
    url: str,
    tmp_path: Path,
    env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    make_draft: Callable[..., RecordDraft],
) -> None:
    keyfile = tmp_path / "store.key"
    assert _run(["records", "new-key", str(keyfile)], capsys)[0] == 0
    assert _run(["records", "new-key", str(keyfile)], capsys)[0] == 2  # never overwrites a key
    base = ["--records", url, "--key-file", str(keyfile)]
    rc, out, err = _run(["records", "add-operator", "boss", "--role", "supervisor", *base], capsys)
    assert rc == 0 and "boss (supervisor)" in out, err
    rc, out, err = _run(["records", "add-operator", "clerk", "--role", "operator", *base, "--login", "boss"], capsys)
    assert rc == 0, err
    store = open_store(url, KeySource.from_file(keyfile))
    boss = store.authenticate("boss", "boss-password-1")
    rec = store.save(make_draft("boss"), boss)
    store.close()

    rc, out, err = _run(
        ["records", "list", *base, "--login", "boss", "--name", YAMADA.person.family_name, "--json"], capsys
    )
    assert rc == 0, err
    doc = json.loads(out)
    assert [d["id"] for d in doc] == [rec.id] and doc[0]["name"] == YAMADA.person.name
    rc, out, err = _run(["records", "show", rec.id, *base, "--login", "boss"], capsys)
    assert rc == 0 and YAMADA.person.address in out and "口座開設" in out
    env.setenv("TAIMEN_RECORDS_PASSWORD", "wrong-password")
    rc, out, err = _run(["records", "list", *base, "--login", "boss"], capsys)
    assert rc == 3 and "パスワードが違います" in err and YAMADA.person.name not in out
    env.setenv("TAIMEN_RECORDS_PASSWORD", "boss-password-1")

    rc, out, err = _run(["records", "verify", *base], capsys)
    assert rc == 0 and "OK" in out
    # rotate to a passphrase: the key file stops working, the passphrase opens the store
    env.setenv("TAIMEN_RECORDS_NEW_PASSPHRASE", "新しい合言葉はとても長い")
    rc, out, err = _run(["records", "rotate-key", *base, "--login", "boss", "--new-passphrase"], capsys)
    assert rc == 0, err
    assert _run(["records", "verify", *base], capsys)[0] == 3  # WrongKey: a TaimenError
    env.setenv("TAIMEN_RECORDS_PASSPHRASE", "新しい合言葉はとても長い")
    pbase = ["--records", url]
    assert _run(["records", "verify", *pbase], capsys)[0] == 0
    # a row deleted by hand: verify fails and names the link
    store = open_store(url, KeySource.from_passphrase("新しい合言葉はとても長い"))
    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM records"))
    store.close()
    rc, out, err = _run(["records", "verify", *pbase], capsys)
    assert rc == 1 and "#1" in err and "削除" in err
    rc, out, err = _run(["records", "verify", *pbase, "--json"], capsys)
    assert rc == 1 and json.loads(out)["first_broken"] == 1


def test_purge_and_export(
    tmp_path: Path, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], make_draft: Callable[..., RecordDraft]
) -> None:
    keyfile, url = tmp_path / "k", str(tmp_path / "r.sqlite3")
    _run(["records", "new-key", str(keyfile)], capsys)
    base = ["--records", url, "--key-file", str(keyfile), "--login", "boss"]
    _run(["records", "add-operator", "boss", "--role", "supervisor", *base[:4]], capsys)
    store = open_store(url, KeySource.from_file(keyfile))
    boss = store.authenticate("boss", "boss-password-1")
    rec = store.save(make_draft("boss"), boss)
    store.close()
    try:
        import taimen.records.export  # noqa: F401  (ships with the records web pages)
    except ImportError:
        pass
    else:
        out_csv = tmp_path / "out.csv"
        rc, out, err = _run(["records", "export", *base, "--format", "csv", "-o", str(out_csv)], capsys)
        assert rc == 0, err
        data = out_csv.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and YAMADA.person.address.encode() in data
        assert out_csv.stat().st_mode & 0o077 == 0
    rc, out, err = _run(["records", "purge", *base, "--now", "2030-01-01"], capsys)
    assert rc == 0 and "削除 0 件" in out
    rc, out, err = _run(["records", "purge", *base, "--now", "2040-01-01"], capsys)
    assert rc == 0 and "削除 1 件" in out
    rc, out, err = _run(["records", "verify", *base[:4]], capsys)
    assert rc == 0 and "削除済み 1" in out
    store = open_store(url, KeySource.from_file(keyfile))
    log = store.access_log(boss)
    assert log[0].action == "purge" and log[0].record_ids == (rec.id,)
    store.close()
