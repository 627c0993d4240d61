"""The one conversation that reads a My Number Card with 照合番号B (sans-I/O: it only yields APDUs).

Order, chosen so that no try is ever spent needlessly:

1. query the 照合番号B counters of both APs (VERIFY with no data; nothing is spent);
2. apply the pin-safety policy to both counters before any VERIFY;
3. VERIFY once at the 券面事項入力補助AP; if the card refuses, stop at once with the tries left: the same
   (wrong) value is never sent to the 券面AP and nothing is retried;
4. read the 入力補助AP files and challenge it; then VERIFY at the 券面AP (the value the card just
   accepted), read its files and challenge it;
5. read the JPKI AP's token information and certificates without any PIN.

The 個人番号 files (入力補助AP EF 0001, 券面AP EF 0005) are never selected.
"""

from __future__ import annotations

from dataclasses import dataclass

from taimen.core.conversation import Conversation
from taimen.core.files import ReadSession
from taimen.mynumber import jpki_ap, kenmen_ap, shogo_b, text_ap
from taimen.mynumber.aids import KenmenAp, TextAp
from taimen.pinsafety import TriesState, must_verify


@dataclass(frozen=True)
class Tries:
    text_ap: int | None
    kenmen_ap: int | None
    #: The query answered 9000: 照合番号B was already verified at that AP before this read.
    text_ap_verified: bool = False
    kenmen_ap_verified: bool = False

    @property
    def text_state(self) -> TriesState:
        return TriesState(self.text_ap, self.text_ap_verified)

    @property
    def kenmen_state(self) -> TriesState:
        return TriesState(self.kenmen_ap, self.kenmen_ap_verified)


@dataclass(frozen=True)
class CardRead:
    """Everything the card gave, before verification. Holds no secret."""

    tries_before: Tries
    text: text_ap.TextApRecords
    kenmen: kenmen_ap.KenmenApRecords | None
    #: Tries left at the 券面AP when it refused the value the 入力補助AP had accepted (else None).
    kenmen_refused: int | None
    jpki: jpki_ap.JpkiRecords | None
    #: APs whose 照合番号B was already verified, so no VERIFY was sent there ("text_ap", "kenmen_ap").
    already_unlocked: tuple[str, ...] = ()


def query_tries() -> Conversation[Tries]:
    """Both counters, 券面AP first so the 入力補助AP key stays selected for the VERIFY that follows."""
    yield from kenmen_ap.select()
    kenmen = yield from shogo_b.query_tries(KenmenAp.SHOGO_B, "券面AP")
    yield from text_ap.select()
    text = yield from shogo_b.query_tries(TextAp.SHOGO_B, "入力補助AP")
    return Tries(text.tries_left, kenmen.tries_left, text.already_verified, kenmen.already_verified)


def read_card(
    b: shogo_b.ShogoB,
    session: ReadSession,
    *,
    confirm_last_try: bool = False,
    challenge: bool = True,
    jpki: bool = True,
) -> Conversation[CardRead]:
    tries = yield from query_tries()
    text_secret = shogo_b.secret_at(text_ap.AP_JA, text_ap.AP_EN)
    kenmen_secret = shogo_b.secret_at(kenmen_ap.AP_JA, kenmen_ap.AP_EN)
    # The policy for both counters before any VERIFY (one rule for 9000: pinsafety.must_verify).
    verify_text = must_verify(text_secret, tries.text_state, confirm_last_try=confirm_last_try)
    must_verify(kenmen_secret, tries.kenmen_state, confirm_last_try=confirm_last_try)
    unlocked: list[str] = []
    if verify_text:
        refused = yield from shogo_b.present(b, text_ap.AP_JA, text_ap.AP_EN)
        if refused is not None:
            raise shogo_b.rejected(refused, text_ap.AP_JA, text_ap.AP_EN)
    else:
        unlocked.append("text_ap")
    text = yield from text_ap.read_records(session, challenge=challenge, tries_before=tries.text_ap)
    yield from kenmen_ap.select()
    kenmen_state = tries.kenmen_state
    if kenmen_state.already_verified:
        # It was unlocked when asked, but the 入力補助AP was selected since: ask again right before deciding.
        kenmen_state = yield from shogo_b.query_tries(KenmenAp.SHOGO_B, "券面AP")
    else:
        yield from shogo_b.select_key(KenmenAp.SHOGO_B, "券面AP")
    kenmen_refused = None
    if must_verify(kenmen_secret, kenmen_state, confirm_last_try=confirm_last_try):
        kenmen_refused = yield from shogo_b.present(b, kenmen_ap.AP_JA, kenmen_ap.AP_EN)
    else:
        unlocked.append("kenmen_ap")
    kenmen = None
    if kenmen_refused is None:
        kenmen = yield from kenmen_ap.read_records(session, challenge=challenge)
    records = (yield from jpki_ap.read_records(session)) if jpki else None
    return CardRead(tries, text, kenmen, kenmen_refused, records, tuple(unlocked))
