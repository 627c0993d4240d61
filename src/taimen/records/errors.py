"""Errors of the record store, in the style of ``taimen.errors``: English ``str(err)``, Japanese ``message_ja``."""

from __future__ import annotations

from taimen.errors import TaimenError


class RecordsError(TaimenError):
    message_ja = "確認記録の処理でエラーが発生しました。"


class RecordSaveError(RecordsError):
    """The record was NOT stored (disk full, read-only database, store unreachable and no queue…)."""

    message_ja = (
        "記録を保存できませんでした。お客様がお帰りになる前に、責任者に連絡し、本人確認記録を別の方法で残してください。"
    )


class StoreUnavailable(RecordsError):
    """The database cannot be reached."""

    message_ja = "記録の保存先に接続できません。ネットワークと保存先の設定を確認してください。"


class NotAuthorized(RecordsError):
    message_ja = "この操作を行う権限がありません。"


class AuthenticationFailed(RecordsError):
    message_ja = "担当者名またはパスワードが違います。"


class RecordNotFound(RecordsError):
    message_ja = "指定された記録は見つかりません。"


class WrongKey(RecordsError):
    """The key file or passphrase does not open this store (or a ciphertext was moved or altered)."""

    message_ja = "記録の鍵が違います（鍵ファイルまたはパスフレーズを確認してください）。"


class InvalidChange(RecordsError):
    message_ja = "この項目は訂正できません。"
