"""Issue 13 item 1: a tries query answered 9000 ("already verified") is handled by one rule for every key.

9000 means the card's security status for that key is already satisfied (another program, or an earlier
read without a power cycle, presented it). taimen then sends no VERIFY (the value it has may differ from the
one that unlocked the card, and a wrong one would spend a try), reads on, and the verdict says the card was
already unlocked: the chip's acceptance of the entered value was not tested in this read.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from license_helpers import card_for
from taimen.core.apdu import Command, Response
from taimen.emulator.card import DedicatedFile, KeyRef, VirtualCard
from taimen.errors import PinSafetyError
from taimen.license.document import DOCUMENT as LICENSE
from taimen.mynumber.aids import KenmenAp, TextAp
from taimen.mynumber.document import DOCUMENT as MYNUMBER
from taimen.pinsafety import Secret, TriesState, must_verify
from taimen.result import CheckStatus, VerdictStatus
from taimen.samples import mynumber_cards as mc
from taimen.transport.inprocess import InProcessTransport

SECRET = Secret("鍵", "key", "解除してください。", "have it reset.")


def _verify_commands(card: VirtualCard) -> list[bytes]:
    return [c for c, _ in card.log or [] if c[1] == 0x20 and len(c) > 4]


class LeftUnlocked:
    """A key that some other program verified and that stays verified whatever is selected since."""

    def __init__(self, fid: int) -> None:
        self.fid = fid

    def handle(self, card: VirtualCard, df: DedicatedFile, c: Command) -> Response | None:
        key = card.current_ef
        if c.ins == 0x20 and isinstance(key, KeyRef) and key.fid == self.fid:
            card.verified.add((id(df), self.fid))
            if not c.data:
                return Response(b"", 0x9000)
        return None


def _unlocked_at(card: VirtualCard, ap_name: str, fid: int) -> None:
    df = next(a for a in card.applications if a.name == ap_name)
    df.behaviours.insert(0, LeftUnlocked(fid))


def test_rule_9000_means_no_verify_and_no_policy() -> None:
    assert TriesState.from_sw(0x9000) == TriesState(None, already_verified=True)
    assert TriesState.from_sw(0x63C3) == TriesState(3)
    assert TriesState.from_sw(0x6A88) == TriesState(None)
    assert must_verify(SECRET, TriesState.from_sw(0x9000), confirm_last_try=False) is False
    assert must_verify(SECRET, TriesState(3), confirm_last_try=False) is True
    with pytest.raises(PinSafetyError):
        must_verify(SECRET, TriesState(1), confirm_last_try=False)
    assert must_verify(SECRET, TriesState(1), confirm_last_try=True) is True
    for state in (TriesState(0), TriesState(None)):
        with pytest.raises(PinSafetyError):
            must_verify(SECRET, state, confirm_last_try=True)


def test_mynumber_already_unlocked_text_ap_reads_without_verify_and_says_so(
    make_card: Callable[..., VirtualCard], store: object
) -> None:
    card = make_card()
    _unlocked_at(card, "券面事項入力補助AP", TextAp.SHOGO_B)
    card.log = []
    result = MYNUMBER.read(InProcessTransport(card), mc.genuine("yamada").printed.unlock(), store=store)  # type: ignore[arg-type]
    verifies = _verify_commands(card)
    # Only the 券面AP (not unlocked) gets a VERIFY; the 入力補助AP, already unlocked, none.
    assert len(verifies) == 1
    checks = {c.name: c for c in result.checks}
    assert checks["unlock.shogo_b"].status is CheckStatus.NOT_VERIFIABLE
    assert "already" in checks["unlock.shogo_b"].detail_en and "解除済み" in checks["unlock.shogo_b"].detail_ja
    assert result.verdict is not None and result.verdict.status is VerdictStatus.ATTENTION
    assert result.name  # everything else was read


def test_licence_already_unlocked_reads_without_verify_and_says_so() -> None:
    card = card_for("yamada")
    transport = InProcessTransport(card)
    card.verified.add((id(card.mf), 0x0001))  # a licence reader closed without a power cycle
    card.verified.add((id(card.mf), 0x0002))
    card.log = []
    result = LICENSE.read(transport, {"pin1": "1234", "pin2": "5678"})
    assert _verify_commands(card) == []
    checks = {c.name: c for c in result.checks}
    assert checks["unlock.already_verified"].status is CheckStatus.NOT_VERIFIABLE
    assert result.verdict is not None and result.verdict.status is VerdictStatus.ATTENTION
    assert result.name


def test_kenmen_key_is_queried_again_before_its_verify_is_skipped(
    make_card: Callable[..., VirtualCard], store: object
) -> None:
    """The 券面AP was unlocked when queried, but selecting the 入力補助AP may drop that: ask again, then VERIFY."""
    card = make_card()
    transport = InProcessTransport(card)
    kenmen = next(a for a in card.applications if a.name == "券面AP")
    card.current_df = kenmen
    card.verified.add((id(kenmen), KenmenAp.SHOGO_B))
    card.log = []
    result = MYNUMBER.read(transport, mc.genuine("yamada").printed.unlock(), store=store)  # type: ignore[arg-type]
    assert len(_verify_commands(card)) == 2  # the emulator drops the 券面AP state on leaving it
    assert result.verdict is not None and result.verdict.status is VerdictStatus.GENUINE
