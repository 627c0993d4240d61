"""暗証番号1/2 of the licence and the 免許AP PIN: asking tries, presenting a PIN once, never guessing.

Rules (reference §3 and taimen's standards): the remaining tries are read with a VERIFY without data first;
a VERIFY is sent at most once per read and never retried; with one try left it is refused unless the operator
confirmed (``taimen.pinsafety``); a rejected PIN stops the read; a card whose PIN-setting flag says no PIN was
set is opened with DPIN "****" without asking. A locked licence PIN can only be unlocked by the 公安委員会.
"""

from __future__ import annotations

import re

from taimen.core import apdu
from taimen.core.conversation import Conversation
from taimen.core.status import tries_left
from taimen.errors import OperatorInputError, SecretRejected, StatusError
from taimen.license.aids import DPIN
from taimen.pinsafety import Secret, TriesState, must_verify

_LOCK_JA = (
    "ロックされた暗証番号は、本人が運転免許センターまたは警察署で解除の手続きをする必要があります"
    "（カードの公安委員会のみが解除できます）。"
)
_LOCK_EN = (
    "A locked licence PIN can only be reset by the holder at a driving licence centre or police station "
    "(only the issuing public safety commission can unblock it)."
)

PIN1 = Secret("暗証番号1", "PIN 1", _LOCK_JA, _LOCK_EN)
PIN2 = Secret("暗証番号2", "PIN 2", _LOCK_JA, _LOCK_EN)
MYNA_PIN = Secret("免許情報の暗証番号（マイナ免許証）", "licence PIN of the マイナ免許証", _LOCK_JA, _LOCK_EN)

PIN_PATTERN = re.compile(r"^[0-9]{4}$")  # always with fullmatch: "$" also matches before a final "\n"


class PinRejected(SecretRejected):
    """The card refused the PIN and spent a try: the read stopped, nothing else was sent."""

    def __init__(self, secret: Secret, remaining: int | None) -> None:
        if remaining == 0:
            ja = f"{secret.name_ja}が違います。{secret.name_ja}はロックされました。{secret.lock_ja}"
            en = f"wrong {secret.name_en}; it is now locked. {secret.lock_en}"
        else:
            left_ja = f"残り{remaining}回" if remaining is not None else "残り回数不明"
            left_en = f"{remaining} tries left" if remaining is not None else "tries left unknown"
            ja = f"{secret.name_ja}が違います（{left_ja}）。読み取りを中止しました。番号を確認してください。"
            en = f"wrong {secret.name_en} ({left_en}); the read was stopped. Check the number with the holder."
        super().__init__(en, message_ja=ja, tries_left=remaining)
        self.secret = secret


def pin_bytes(value: str, secret: Secret) -> bytes:
    """A 4-digit PIN as JIS X 0201 digits; checked before anything is sent."""
    if not PIN_PATTERN.fullmatch(value):
        raise OperatorInputError(
            f"{secret.name_en} must be 4 digits", message_ja=f"{secret.name_ja}は4桁の数字で入力してください。"
        )
    return value.encode("ascii")


__all__ = ["TriesState", "present_pin", "query_tries"]


def query_tries(p2: int, secret: Secret) -> Conversation[TriesState]:
    """VERIFY without data (63Cx: x tries left; 9000: already verified, see ``taimen.pinsafety``)."""
    resp = yield apdu.verify_query(p2=p2, label=f"VERIFY（{secret.name_ja} 残り回数）")
    state = TriesState.from_sw(resp.sw)
    if state.tries_left is None and not state.already_verified:
        raise StatusError(resp.sw, f"{secret.name_en}: tries query")
    return state


def present_pin(
    p2: int, secret: Secret, value: bytes, state: TriesState, *, confirm_last_try: bool
) -> Conversation[None]:
    """Send one VERIFY, after the safety policy allowed it; raise PinRejected if the card refuses it.

    Nothing is sent when the key is already verified (``taimen.pinsafety.must_verify``)."""
    if not must_verify(secret, state, confirm_last_try=confirm_last_try):
        return
    resp = yield apdu.verify(value, p2=p2, label=f"VERIFY（{secret.name_ja}）")
    if resp.sw == 0x9000:
        return
    remaining = tries_left(resp.sw)
    if remaining is not None:
        raise PinRejected(secret, remaining)
    raise StatusError(resp.sw, f"VERIFY {secret.name_en}")


def choose_pins(pin_set: bool, pin1: str | None, pin2: str | None) -> tuple[bytes, bytes | None, bool]:
    """(PIN1 bytes, PIN2 bytes or None, DPIN used). No PIN set on the card: DPIN for both, without asking."""
    if not pin_set:
        return DPIN, DPIN, True
    if not pin1:
        raise OperatorInputError(
            "this licence has PINs set: PIN 1 is needed",
            message_ja="この免許証には暗証番号が設定されています。暗証番号1を入力してください。",
        )
    return pin_bytes(pin1, PIN1), (pin_bytes(pin2, PIN2) if pin2 else None), False
