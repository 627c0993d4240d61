"""The record store against real SQLite files and a real PostgreSQL: saving, reading, roles, corrections,
the blind-index search, retention, key rotation and the chain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from taimen.records import (
    AuthenticationFailed,
    InvalidChange,
    KeySource,
    NotAuthorized,
    Operator,
    RecordDraft,
    RecordNotFound,
    RecordQuery,
    Retention,
    Role,
    WrongKey,
    create_key_file,
    draft_from_result,
    open_store,
)
from taimen.records.retention import purge_due
from taimen.records.store import SqlRecordStore
from taimen.result import ReadResult

from .conftest import FAST_ARGON2, YAMADA


def test_draft_takes_what_the_law_wants_and_no_secret(yamada_result: ReadResult) -> None:
    assert yamada_result.verdict is not None and str(yamada_result.verdict.status) == YAMADA.expected
    d = draft_from_result(
        yamada_result,
        document_key="mynumber",
        operator="clerk",
        counter="1",
        presented_at=datetime.now(UTC),
        keep_images=False,
    )
    assert d.name == YAMADA.person.name and d.address == YAMADA.person.address
    assert (
        d.birth_date == "1980-02-17" and d.document_number is None
    )  # a My Number Card has no 記号番号 but the 個人番号
    assert d.method == "ic_chip_read" and d.checks and d.verdict == YAMADA.expected
    assert d.images == {}
    with_images = draft_from_result(
        yamada_result,
        document_key="mynumber",
        operator="clerk",
        counter="1",
        presented_at=datetime.now(UTC),
        keep_images=True,
    )
    assert set(with_images.images) == {"photo", "name", "address"}
    with pytest.raises(ValueError, match="個人番号"):
        draft_from_result(
            yamada_result,
            document_key="mynumber",
            operator="c",
            counter="1",
            presented_at=datetime.now(UTC),
            keep_images=False,
            document_number=YAMADA.person.individual_number,
        )
    with pytest.raises(ValueError, match="timezone"):
        draft_from_result(
            yamada_result,
            document_key="mynumber",
            operator="c",
            counter="1",
            presented_at=datetime.now(),
            keep_images=False,
        )


def test_save_get_search_roles(
    store: SqlRecordStore, people: dict[str, Operator], make_draft: Callable[..., RecordDraft]
) -> None:
    clerk, clerk2, boss, audit = people["clerk"], people["clerk2"], people["boss"], people["audit"]
    rec = store.save(make_draft(keep_images=True), clerk)
    assert rec.version == 1 and rec.supersedes is None and not rec.pending
    # the operator sees what they just saved; not what a colleague saved; not a search across customers
    got = store.get(rec.id, clerk)
    assert (
        got.name == YAMADA.person.name
        and got.draft.images["photo"].data == make_draft(keep_images=True).images["photo"].data
    )
    with pytest.raises(NotAuthorized):
        store.get(rec.id, clerk2)
    other = store.save(make_draft("clerk2", name_kana="ヤマダ ハナコ"), clerk2)  # (the My Number Card has no kana)
    assert [r.id for r in store.search(RecordQuery(), clerk)] == [rec.id]
    with pytest.raises(NotAuthorized):
        store.save(make_draft("clerk2"), clerk)  # not in another's name
    with pytest.raises(NotAuthorized):
        store.save(make_draft("audit"), audit)  # auditors change nothing
    # supervisor and auditor browse
    assert {r.id for r in store.search(RecordQuery(), boss)} == {rec.id, other.id}
    assert {r.id for r in store.search(RecordQuery(name="山田"), audit)} == {rec.id, other.id}
    assert store.search(RecordQuery(name="山田 花子"), boss) and store.search(RecordQuery(name="山田花子"), boss)
    assert store.search(RecordQuery(name=YAMADA.person.name), boss) and store.search(RecordQuery(name="花子"), boss)
    for kana in ("ヤマダ", "やまだ", "ﾔﾏﾀﾞ", "ヤマダハナコ", "やまだ　はなこ"):
        assert [r.id for r in store.search(RecordQuery(kana=kana), boss)] == [other.id], kana
    assert store.search(RecordQuery(name="山"), boss) == []  # exact token, no substring (see docs/records.md)
    assert store.search(RecordQuery(name="田中"), boss) == []
    assert [r.id for r in store.search(RecordQuery(operator="clerk2"), boss)] == [other.id]
    today = datetime.now(UTC).date()
    assert len(store.search(RecordQuery(presented_from=today, presented_to=today, document="mynumber"), boss)) == 2
    assert store.search(RecordQuery(presented_to=today - timedelta(days=1)), boss) == []
    assert len(store.search(RecordQuery(verdict=YAMADA.expected), boss)) == 2
    # every read is logged, without the searched name
    store.get(rec.id, audit)
    log = store.access_log(boss)
    assert [e.action for e in log[:1]] == ["view"] and log[0].actor == "audit"
    assert all("山田" not in e.detail for e in log)
    with pytest.raises(NotAuthorized):
        store.access_log(clerk)
    # auditors are read-only: they read on screen but take no copy (docs/records.md, "Roles")
    for who in (clerk, audit):
        with pytest.raises(NotAuthorized):
            store.export_records([rec.id], "csv", who)
    assert store.access_log(boss)[0].action == "view"  # a refused export logs nothing and returns nothing


def test_export_logs_every_exported_record(
    store: SqlRecordStore, people: dict[str, Operator], make_draft: Callable[..., RecordDraft]
) -> None:
    boss = people["boss"]
    saved = [store.save(make_draft(), people["clerk"]) for _ in range(3)]
    ids = [r.id for r in saved]
    out = store.export_records([*ids, ids[0]], "pdf", boss)
    assert [r.id for r in out] == ids and out[0].draft.name == saved[0].draft.name
    entry = store.access_log(boss)[0]
    assert (entry.action, entry.actor, entry.record_ids, entry.detail) == ("export", "boss", tuple(ids), "pdf")
    for rid in ids:  # each record's own history shows who exported it and when
        assert [e.action for e in store.access_log(boss, record_id=rid)][:1] == ["export"]
    assert not [e for e in store.access_log(boss) if e.action == "view"]  # the export is the trace, not N views
    with pytest.raises(RecordNotFound):
        store.export_records(["0" * 32], "csv", boss)
    assert store.access_log(boss)[0] == entry  # nothing exported, nothing logged


def test_has_accounts_says_only_whether_one_exists(url: str, key: KeySource) -> None:
    store = open_store(url, key, password_memory_kib=FAST_ARGON2)
    try:
        assert store.has_accounts() is False
        store.create_account("boss", "boss-password-1", Role.SUPERVISOR)
        assert store.has_accounts() is True
    finally:
        store.close()


def test_idempotent_save(
    store: SqlRecordStore, people: dict[str, Operator], make_draft: Callable[..., RecordDraft]
) -> None:
    d = make_draft()
    a, b = store.save(d, people["clerk"]), store.save(d, people["clerk"])
    assert a.id == b.id and len(store.search(RecordQuery(), people["boss"])) == 1


def test_correction_is_a_new_version(
    store: SqlRecordStore, people: dict[str, Operator], make_draft: Callable[..., RecordDraft]
) -> None:
    boss = people["boss"]
    v1 = store.save(make_draft(), people["clerk"])
    v2 = store.correct(v1.id, {"occupation": "自営業", "contract_end": "2027-03-31"}, boss, reason="申告訂正")
    assert (v2.version, v2.supersedes, v2.root_id) == (2, v1.id, v1.id)
    assert v2.draft.business.occupation == "自営業" and v2.draft.business.contract_end == date(2027, 3, 31)
    assert v2.name == v1.name and v2.correction_reason == "申告訂正"
    assert store.get(v1.id, boss).draft.business.occupation == "会社員"  # history is kept as it was
    assert store.get(v1.id, boss).superseded_by == v2.id
    assert [r.id for r in store.search(RecordQuery(), boss)] == [v2.id]
    assert [r.version for r in store.history(v2.id, boss)] == [1, 2]
    with pytest.raises(InvalidChange):
        store.correct(v1.id, {"name": "別人"}, boss, reason="x")  # chip values are not correctable
    with pytest.raises(InvalidChange):
        store.correct(v1.id, {"note": "x"}, boss, reason="x")  # only the newest version is corrected
    with pytest.raises(InvalidChange):
        store.correct(v2.id, {"document_number": YAMADA.person.individual_number}, boss, reason="x")
    with pytest.raises(NotAuthorized):
        store.correct(v2.id, {"note": "x"}, people["audit"], reason="x")
    assert store.verify_chain().ok


def test_accounts(store: SqlRecordStore, people: dict[str, Operator]) -> None:
    assert store.authenticate("clerk", "clerk-password-1") == people["clerk"]
    with pytest.raises(AuthenticationFailed):
        store.authenticate("clerk", "wrong-password")
    with pytest.raises(AuthenticationFailed):
        store.authenticate("nobody", "clerk-password-1")
    with pytest.raises(NotAuthorized):
        store.create_account("x", "some-password", Role.SUPERVISOR, actor=people["clerk"])
    store.set_active("clerk", False, people["boss"])
    with pytest.raises(AuthenticationFailed):
        store.authenticate("clerk", "clerk-password-1")
    with store.engine.connect() as conn:
        hashes = [r[0] for r in conn.execute(sa.text("SELECT password_hash FROM accounts"))]
    assert all(h.startswith("$argon2id$") and "password" not in h for h in hashes)


def test_first_account_must_be_a_supervisor(store: SqlRecordStore) -> None:
    with pytest.raises(NotAuthorized):
        store.create_account("clerk", "clerk-password-1", Role.OPERATOR)


def test_retention_purge_leaves_tombstones(
    store: SqlRecordStore, people: dict[str, Operator], make_draft: Callable[..., RecordDraft]
) -> None:
    boss, clerk = people["boss"], people["clerk"]
    old = datetime(2019, 4, 1, 10, 0, tzinfo=UTC)
    hanshu = store.save(make_draft(presented_at=old), clerk)
    fresh = store.save(make_draft(), clerk)
    keitai = store.save(make_draft(presented_at=old, retention=Retention.KEITAI), clerk)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    rep = store.purge(now)
    assert rep.purged == (hanshu.id,) and rep.kept == 2  # 2019 + 7 years < 2026-06; 携帯法 without an end is kept
    # the contract ended in 2022: set it later as a correction; 3 years after that the record goes
    v2 = store.correct(keitai.id, {"contract_end": date(2022, 5, 1)}, boss, reason="解約")
    assert store.purge(datetime(2025, 4, 30, tzinfo=UTC)).purged == ()
    assert set(purge_due(store, now=now).purged) == {keitai.id, v2.id}
    report = store.verify_chain()
    assert report.ok and report.tombstones == 3 and report.records == 1, report
    assert [r.id for r in store.search(RecordQuery(include_superseded=True), boss)] == [fresh.id]
    with pytest.raises(NotAuthorized):
        store.purge(now, clerk)


def test_wrong_key_and_rotation(
    url: str, key: KeySource, tmp_path: Path, make_draft: Callable[..., RecordDraft]
) -> None:
    s = open_store(url, key, password_memory_kib=FAST_ARGON2)
    boss = s.create_account("boss", "boss-password-1", Role.SUPERVISOR)
    rec = s.save(make_draft("boss"), boss)
    with s.engine.connect() as conn:
        before = conn.execute(sa.text("SELECT id, payload FROM records")).all()
    other = KeySource.from_file(create_key_file(tmp_path / "other.key"))
    with pytest.raises(WrongKey):
        open_store(url, other)
    phrase = KeySource.from_passphrase("とても長い合言葉 correct horse", argon2_memory_kib=FAST_ARGON2)
    s.rotate_key(phrase, boss)
    s.close()
    with pytest.raises(WrongKey):
        open_store(url, key)  # the old key no longer opens the store
    s2 = open_store(url, phrase)
    assert s2.get(rec.id, boss).name == YAMADA.person.name
    with s2.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT id, payload FROM records")).all() == before  # history not rewritten
    assert s2.verify_chain().ok
    s2.close()


def test_ciphertext_bound_to_its_row(
    store: SqlRecordStore, people: dict[str, Operator], make_draft: Callable[..., RecordDraft]
) -> None:
    a = store.save(make_draft(), people["clerk"])
    b = store.save(make_draft(name="佐藤 一郎"), people["clerk"])
    with store.engine.begin() as conn:
        pa = conn.execute(sa.text("SELECT payload FROM records WHERE id = :i"), {"i": a.id}).scalar_one()
        conn.execute(sa.text("UPDATE records SET payload = :p WHERE id = :i"), {"p": pa, "i": b.id})
    with pytest.raises(WrongKey):
        store.get(b.id, people["boss"])
    rep = store.verify_chain()
    assert not rep.ok and rep.broken_id == b.id and rep.first_broken == 2


@pytest.mark.parametrize("tamper", ["edit", "delete", "delete_chain", "insert", "truncate"])
def test_tamper_is_detected(
    tamper: str, store: SqlRecordStore, people: dict[str, Operator], make_draft: Callable[..., RecordDraft]
) -> None:
    recs = [store.save(make_draft(), people["clerk"]) for _ in range(4)]
    assert store.verify_chain().ok
    target = recs[1]
    with store.engine.begin() as conn:
        if tamper == "edit":  # a clerk "fixes" the verdict by hand
            conn.execute(
                sa.text("UPDATE records SET verdict = 'genuine', operator = 'x' WHERE id = :i"), {"i": target.id}
            )
        elif tamper == "delete":
            conn.execute(sa.text("DELETE FROM records WHERE id = :i"), {"i": target.id})
        elif tamper == "delete_chain":
            conn.execute(sa.text("DELETE FROM records WHERE id = :i"), {"i": target.id})
            conn.execute(sa.text("DELETE FROM chain WHERE record_id = :i"), {"i": target.id})
        elif tamper == "insert":
            row = conn.execute(sa.text("SELECT * FROM records WHERE id = :i"), {"i": target.id}).mappings().one()
            conn.execute(
                sa.text(
                    "INSERT INTO records SELECT :n, root_id, version, supersedes, :k, created_at, created_by,"
                    " presented_at, presented_date, operator, counter, document, document_generation, method,"
                    " verdict, retention, retention_until, payload, images FROM records WHERE id = :i"
                ),
                {"n": "f" * 32, "k": "dup" + row["idempotency_key"][3:], "i": target.id},
            )
        elif tamper == "truncate":  # the last record and its chain entry, with the head left as it was
            conn.execute(sa.text("DELETE FROM records WHERE id = :i"), {"i": recs[3].id})
            conn.execute(sa.text("DELETE FROM chain WHERE record_id = :i"), {"i": recs[3].id})
    rep = store.verify_chain()
    assert not rep.ok, rep
    assert rep.first_broken == {"truncate": 4, "insert": 5}.get(tamper, 2), rep
    assert rep.problem and rep.problem_ja


def test_record_says_what_was_proven_in_both_languages(
    store: SqlRecordStore, people: dict[str, Operator], yamada_result: ReadResult
) -> None:
    """The record keeps whether the chip proved presence, and reasons and check titles in English too."""
    from dataclasses import replace

    from taimen.records.export import export_csv
    from taimen.result import CHIP_NOT_PROVABLE, Verdict, VerdictStatus

    def save(result: ReadResult) -> str:
        d = draft_from_result(
            result,
            document_key="mynumber",
            operator="clerk",
            counter="c1",
            presented_at=datetime.now(UTC),
            keep_images=False,
        )
        return store.save(d, people["clerk"]).id

    assert yamada_result.verdict is not None and yamada_result.verdict.chip_presence == "proven"
    proven = store.get(save(yamada_result), people["boss"]).draft
    assert proven.chip_presence == "proven" and proven.verdict == "genuine"
    assert all(c.title_en for c in proven.checks) and proven.checks[0].title("en") != proven.checks[0].title("ja")
    data_only = replace(yamada_result, verdict=Verdict(VerdictStatus.GENUINE, (CHIP_NOT_PROVABLE,), "not_provable"))
    rec = store.get(save(data_only), people["boss"])
    assert rec.draft.chip_presence == "not_provable"
    assert [r.en for r in rec.draft.reasons] == [CHIP_NOT_PROVABLE.en]
    en = export_csv([rec], lang="en").decode("utf-8-sig")
    assert CHIP_NOT_PROVABLE.en in en and CHIP_NOT_PROVABLE.ja not in en
    ja = export_csv([rec], lang="ja").decode("utf-8-sig")
    assert CHIP_NOT_PROVABLE.ja in ja and "チップ未証明" in ja
