"""Issue 13 item 6: no real-card-tested code challenges the 入力補助AP, so a refusal or a failed check there is
"not verifiable" with that reason, never "not genuine"; the 券面AP challenge stays required."""

from __future__ import annotations

from dataclasses import replace

import pytest

from taimen.emulator.behaviours import Mute, RsaChallenge
from taimen.mynumber.document import DOCUMENT
from taimen.result import CheckStatus, VerdictStatus
from taimen.samples import mynumber_cards as mc
from taimen.samples.mynumber_cards import new_key
from taimen.transport.inprocess import InProcessTransport
from taimen.trust import TrustStore


def _read(
    text_behaviours: list[object] | None = None, kenmen_behaviours: list[object] | None = None, *, store: TrustStore
):  # type: ignore[no-untyped-def]
    sample = mc.genuine("yamada")
    chip = replace(sample.chip, text_behaviours=text_behaviours, kenmen_behaviours=kenmen_behaviours)
    card = mc.build_card(chip)
    return DOCUMENT.read(InProcessTransport(card), sample.printed.unlock(), store=store)


@pytest.mark.parametrize(
    ("behaviour", "reason_en"),
    [
        (Mute(0x80, 0x2A, 0x6D00), "6D00"),
        (Mute(0x80, 0x2A, 0x6982), "6982"),
        (RsaChallenge(new_key()), "does not verify"),
    ],
)
def test_text_ap_refusal_or_failed_check_is_not_verifiable_with_its_reason(
    behaviour: object, reason_en: str, store: TrustStore
) -> None:
    result = _read([behaviour], store=store)
    check = {c.name: c for c in result.checks}["text_ap.presence"]
    assert check.status is CheckStatus.NOT_VERIFIABLE
    assert reason_en in check.detail_en
    assert not check.required
    # the 券面AP proved presence: the card stays genuine
    assert result.verdict is not None and result.verdict.status is VerdictStatus.GENUINE


def test_kenmen_ap_challenge_stays_required(store: TrustStore) -> None:
    result = _read(None, [RsaChallenge(new_key())], store=store)
    check = {c.name: c for c in result.checks}["kenmen_ap.presence"]
    assert check.status is CheckStatus.FAILED and check.required
    assert result.verdict is not None and result.verdict.status is VerdictStatus.NOT_GENUINE
