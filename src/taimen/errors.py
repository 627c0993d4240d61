"""Error types. Like h11, taimen says whose fault an error is.

- ``CardError``: the card (the remote peer, possibly a forged chip) sent something invalid or refused.
- ``OperatorInputError``: a value the operator entered is invalid; nothing was sent to the card.
- ``TransportError``: the reader, pcscd or the link failed (card pulled, reader gone).
"""

from __future__ import annotations


class TaimenError(Exception):
    """Base class of every error taimen raises on purpose."""

    #: Short Japanese message for the counter clerk; ``str(err)`` stays English for logs.
    message_ja: str = "エラーが発生しました。"

    def __init__(self, message: str, *, message_ja: str | None = None) -> None:
        super().__init__(message)
        if message_ja is not None:
            self.message_ja = message_ja


class CardError(TaimenError):
    """The card's answer is invalid, unexpected or a refusal (remote-peer error)."""

    message_ja = "カードの応答が不正です。"


class ParseError(CardError):
    """Bytes from the card do not follow the expected structure."""

    message_ja = "カードのデータ形式が不正です。"


class StatusError(CardError):
    """The card answered with a status word other than the one expected."""

    def __init__(self, sw: int, context: str = "") -> None:
        from taimen.core.status import describe

        en, ja = describe(sw)
        where = f"{context}: " if context else ""
        super().__init__(f"{where}card answered {sw:04X} ({en})", message_ja=f"{where}{ja}（{sw:04X}）")
        self.sw = sw


class OperatorInputError(TaimenError):
    """An entered value is invalid; nothing was sent to the card."""

    message_ja = "入力された値が正しくありません。"


class TransportError(TaimenError):
    """The reader or link failed."""

    message_ja = "カードリーダーとの通信に失敗しました。"


class CardRemovedError(TransportError):
    """The card left the field during a read."""

    message_ja = "カードが離れました。カードをリーダーに置いたまま、もう一度読み取ってください。"


class ExtendedLengthUnsupported(TransportError):
    """The reader (not the card) cannot carry an extended-length APDU."""

    message_ja = "このカードリーダーは拡張長APDUに対応していません。"


class AnswerTooLong(TransportError):
    """The reader lost an answer longer than it can carry (some readers cannot take 256-byte answers)."""

    message_ja = "カードリーダーが長い応答を受け取れませんでした。カードを置き直して、もう一度読み取ってください。"


class PinSafetyError(TaimenError):
    """taimen refused to send a VERIFY because it could spend a try the operator did not approve."""

    message_ja = "暗証番号の残り回数を守るため、照合を中止しました。"


class SecretRejected(TaimenError):
    """The card rejected a PIN or 照合番号 and spent a try. taimen never retries on its own."""

    message_ja = "暗証番号・照合番号が違います。"

    def __init__(self, message: str, *, message_ja: str | None = None, tries_left: int | None = None) -> None:
        super().__init__(message, message_ja=message_ja)
        self.tries_left = tries_left
