"""Never burn a customer's PIN: the policy applied before every VERIFY that spends a try.

The caller has already read the remaining tries with a non-consuming query (VERIFY with no data). VERIFY is
sent at most once per operator confirmation; nothing here ever retries.

One rule for every key (照合番号B, licence PINs, the 免許AP PIN): a query answered ``9000`` means the card's
security status for that key is already satisfied (real cards answer so after a VERIFY until they lose
power). taimen then sends **no** VERIFY: the value it holds may not be the one that unlocked the card, and a
wrong one would spend a try. The read goes on, and the result carries ``already_unlocked_check``: the chip's
acceptance of the entered value was not tested in this read.
"""

from __future__ import annotations

from dataclasses import dataclass

from taimen.core.status import tries_left as _tries_left
from taimen.errors import PinSafetyError
from taimen.result import Check, CheckStatus


@dataclass(frozen=True, slots=True)
class Secret:
    """What a document calls the secret and what a lock means for the holder."""

    name_ja: str  # 照合番号B, 暗証番号1
    name_en: str
    lock_ja: str  # what to do once it is locked
    lock_en: str


def check_tries(secret: Secret, tries_left: int | None, *, confirm_last_try: bool) -> None:
    """Raise ``PinSafetyError`` unless a VERIFY may be sent now."""
    if tries_left is None:
        raise PinSafetyError(
            f"the card did not report the remaining tries of {secret.name_en}; refusing to guess",
            message_ja=f"{secret.name_ja}の残り回数をカードが返さなかったため、照合を行いません。",
        )
    if tries_left == 0:
        raise PinSafetyError(
            f"{secret.name_en} is locked. {secret.lock_en}",
            message_ja=f"{secret.name_ja}はロックされています。{secret.lock_ja}",
        )
    if tries_left == 1 and not confirm_last_try:
        raise PinSafetyError(
            f"only one try of {secret.name_en} is left; a wrong value locks it. {secret.lock_en} "
            "Check the value and confirm explicitly to use the last try.",
            message_ja=(
                f"{secret.name_ja}の残り回数は1回です。間違えるとロックされます。{secret.lock_ja}"
                "値を確認し、最後の1回を使うことを明示的に確認してください。"
            ),
        )


@dataclass(frozen=True, slots=True)
class TriesState:
    """The answer to a non-consuming tries query."""

    tries_left: int | None  # None: not reported (or already verified)
    already_verified: bool = False  # the query answered 9000

    @classmethod
    def from_sw(cls, sw: int) -> TriesState:
        """63Cx: x tries left; 9000: already verified; anything else: not reported."""
        if sw == 0x9000:
            return cls(None, already_verified=True)
        return cls(_tries_left(sw))


def must_verify(secret: Secret, state: TriesState, *, confirm_last_try: bool) -> bool:
    """Whether to send the one VERIFY: False when the key is already verified; else the policy, which may raise."""
    if state.already_verified:
        return False
    check_tries(secret, state.tries_left, confirm_last_try=confirm_last_try)
    return True


def already_unlocked_check(name: str, keys_ja: list[str], keys_en: list[str], covers: tuple[str, ...] = ()) -> Check:
    """What the result says when some key was already verified before this read (no VERIFY was sent to it)."""
    ja, en = "、".join(keys_ja), ", ".join(keys_en)
    return Check(
        name,
        CheckStatus.NOT_VERIFIABLE,
        "カードの解除状態",
        "card unlock state",
        f"カードは読み取りの前から解除済みでした（{ja}）。照合は送らずに読み取ったため、入力した値をチップが"
        "受け付けるかは確認していません。カードをリーダーから外して置き直し、もう一度読み取ってください。",
        f"the card was already unlocked before this read ({en}); no VERIFY was sent, so whether the chip accepts "
        "the entered value was not tested. Take the card off the reader, put it back and read again.",
        covers,
    )
