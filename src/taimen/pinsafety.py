"""Never burn a customer's PIN: the policy applied before every VERIFY that spends a try.

The caller has already read the remaining tries with a non-consuming query (VERIFY with no data). VERIFY is
sent at most once per operator confirmation; nothing here ever retries.
"""

from __future__ import annotations

from dataclasses import dataclass

from taimen.errors import PinSafetyError


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
