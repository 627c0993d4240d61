"""The read conversation against the emulated card: what is sent, in which order, and what never is."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from mynumber_log import selected_efs, verifies, walk_log

from taimen.core.conversation import drive
from taimen.core.files import ReadSession
from taimen.emulator.card import VirtualCard
from taimen.errors import CardRemovedError, PinSafetyError, SecretRejected
from taimen.mynumber import reader, shogo_b, text_ap
from taimen.mynumber.aids import KenmenAp, TextAp
from taimen.mynumber.document import DOCUMENT
from taimen.result import CheckStatus, VerdictStatus
from taimen.samples import mynumber_cards as mc
from taimen.transport.inprocess import InProcessTransport
from taimen.trust import TrustStore

Make = Callable[..., VirtualCard]
GOOD = mc.genuine("yamada").printed.unlock()


def _read(card: VirtualCard, store: TrustStore, unlock: dict[str, str] | None = None, **kw: object):  # type: ignore[no-untyped-def]
    return DOCUMENT.read(InProcessTransport(card), unlock or GOOD, store=store, **kw)  # type: ignore[arg-type]


def _tries(card: VirtualCard, ap: str, fid: int) -> int:
    df = next(a for a in card.applications if a.name == ap)
    return df.keys[fid].tries_left


def test_never_selects_the_individual_number_files(make_card: Make, store: TrustStore) -> None:
    card = make_card()
    result = _read(card, store)
    assert result.verdict.status is VerdictStatus.GENUINE
    efs = selected_efs(card.log)
    assert ("text", TextAp.INDIVIDUAL_NUMBER) not in efs
    assert ("kenmen", KenmenAp.INDIVIDUAL_NUMBER_IMAGE) not in efs
    # and nothing else that needs the PIN, 照合番号A or the birth key
    assert ("kenmen", KenmenAp.AGE) not in efs
    assert ("jpki", 0x0001) not in efs
    assert {("text", 2), ("text", 3), ("text", 4), ("text", 7), ("kenmen", 2), ("kenmen", 3), ("kenmen", 4)} <= efs
    assert {("jpki", 6), ("jpki", 0x0A), ("jpki", 0x0B)} <= efs


def test_only_shogo_b_is_ever_presented_and_tries_come_first(make_card: Make, store: TrustStore) -> None:
    card = make_card()
    _read(card, store)
    v = verifies(card.log)
    assert v == [
        ("kenmen", KenmenAp.SHOGO_B, False, 0x63CA),
        ("text", TextAp.SHOGO_B, False, 0x63CA),
        ("text", TextAp.SHOGO_B, True, 0x9000),
        ("kenmen", KenmenAp.SHOGO_B, True, 0x9000),
    ]


def test_wrong_value_spends_one_try_and_stops(make_card: Make, store: TrustStore) -> None:
    card = make_card()
    wrong = {**GOOD, "security_code": "2286"}
    with pytest.raises(SecretRejected) as err:
        _read(card, store, wrong)
    assert err.value.tries_left == 9
    assert "残り9回" in err.value.message_ja
    with_data = [x for x in verifies(card.log) if x[2]]
    assert with_data == [("text", TextAp.SHOGO_B, True, 0x63C9)]
    assert _tries(card, "券面事項入力補助AP", TextAp.SHOGO_B) == 9
    assert _tries(card, "券面AP", KenmenAp.SHOGO_B) == 10  # the wrong value never reached the 券面AP
    # nothing at all after the refusal
    assert walk_log(card.log)[-1][1].ins == 0x20


def test_last_try_is_refused_without_confirmation(make_card: Make, store: TrustStore) -> None:
    card = make_card(text_b=1)
    with pytest.raises(PinSafetyError):
        _read(card, store)
    assert not [x for x in verifies(card.log) if x[2]]
    card = make_card(text_b=1)
    assert _read(card, store, confirm_last_try=True).verdict.status is VerdictStatus.GENUINE


def test_kenmen_counter_is_checked_before_any_verify(make_card: Make, store: TrustStore) -> None:
    card = make_card(kenmen_b=1)
    with pytest.raises(PinSafetyError) as err:
        _read(card, store)
    assert "券面AP" in err.value.message_ja
    assert not [x for x in verifies(card.log) if x[2]]


def test_locked_counter_is_never_tried(make_card: Make, store: TrustStore) -> None:
    card = make_card(text_b=0)
    with pytest.raises(PinSafetyError) as err:
        _read(card, store, confirm_last_try=True)
    assert "ロック" in err.value.message_ja
    assert not [x for x in verifies(card.log) if x[2]]


def test_kenmen_refusing_what_the_text_ap_accepted_is_not_genuine(make_card: Make, store: TrustStore) -> None:
    from taimen.emulator.mynumber_card import build_card

    chip = mc.genuine("yamada").chip
    card = build_card(chip)
    card.applications[2].keys[KenmenAp.SHOGO_B].value = b"55021720359999"
    card.log = []
    result = _read(card, store)
    assert result.verdict.status is VerdictStatus.NOT_GENUINE
    unlock = next(c for c in result.checks if c.name == "unlock.shogo_b")
    assert unlock.status is CheckStatus.FAILED
    assert len([x for x in verifies(card.log) if x[2] and x[0] == "kenmen"]) == 1
    assert result.photo is None  # the 券面AP stayed closed


def test_short_apdu_reader_gives_the_same_result(make_card: Make, store: TrustStore) -> None:
    card_ext, card_short = make_card(), make_card()
    ext = _read(card_ext, store)
    short = DOCUMENT.read(InProcessTransport(card_short, reader_extended=False), GOOD, store=store)
    assert short.verdict.status is VerdictStatus.GENUINE
    assert short.photo is not None and ext.photo is not None and short.photo.data == ext.photo.data
    assert short.stats.extended_length is False and ext.stats.extended_length is True
    assert short.stats.apdus > ext.stats.apdus


def test_challenge_is_fresh_each_read(make_card: Make, store: TrustStore) -> None:
    card = make_card()
    _read(card, store)
    _read(card, store)
    challenges = [c.data for _, c, _ in walk_log(card.log) if c.cla == 0x80 and c.ins == 0x2A]
    assert len(challenges) == 4 and len(set(challenges)) == 4
    assert all(
        len(c) == 51 and c.startswith(bytes.fromhex("3031300d060960864801650304020105000420")) for c in challenges
    )


def test_card_removed_aborts(make_card: Make, store: TrustStore) -> None:
    card = make_card()
    transport = InProcessTransport(card)
    sent = 0

    class Pull:
        name = "pull"

        def transmit(self, command):  # type: ignore[no-untyped-def]
            nonlocal sent
            sent += 1
            if sent == 12:
                card.remove()
            return transport.transmit(command)

        def close(self) -> None: ...

    with pytest.raises(CardRemovedError):
        DOCUMENT.read(Pull(), GOOD, store=store)


def test_text_ap_read_attributes_alone(make_card: Make, store: TrustStore) -> None:
    """The conversation the マイナ免許証 read reuses: 入力補助AP only, same safety rules."""
    card = make_card()
    b = shogo_b.build(**{"birth": "550217", "expiry_year": "2035", "security_code": "2285"})
    records = drive(text_ap.read_attributes(b, ReadSession()), InProcessTransport(card))
    ev = text_ap.evaluate(records, store)
    assert ev.attributes is not None and ev.attributes.name == "山田\u3000花子"
    assert records.tries_before == 10
    assert {c.name: c.status for c in ev.checks} == {
        "text_ap.cvc": CheckStatus.PASSED,
        "text_ap.signature": CheckStatus.PASSED,
        "text_ap.digest": CheckStatus.PASSED,
        "text_ap.signed_key": CheckStatus.PASSED,
        "text_ap.presence": CheckStatus.PASSED,
    }
    assert {ap for ap, _, _ in walk_log(card.log)} == {"text"}  # the other APs are never touched
    bad = shogo_b.build("550217", "2035", "0000")
    with pytest.raises(SecretRejected):
        drive(text_ap.read_attributes(bad, ReadSession()), InProcessTransport(make_card()))


def test_tries_query_spends_nothing(make_card: Make) -> None:
    card = make_card()
    reports = DOCUMENT.tries(InProcessTransport(card))
    assert [r.tries_left for r in reports] == [10, 10]
    assert not [x for x in verifies(card.log) if x[2]]
    t = drive(reader.query_tries(), InProcessTransport(card))
    assert (t.text_ap, t.kenmen_ap) == (10, 10)
