"""ISO 7816-4 status words with meanings in English and Japanese."""

from __future__ import annotations

SW_OK = 0x9000

_EXACT: dict[int, tuple[str, str]] = {
    0x9000: ("success", "正常終了"),
    0x6281: ("part of returned data may be corrupted", "返却データの一部が破損している可能性があります"),
    0x6282: ("end of file reached before Le bytes", "Le バイトを読む前にファイルの終わりに達しました"),
    0x6283: ("selected file deactivated", "選択されたファイル（DF）は閉塞しています"),
    0x6581: ("memory failure", "メモリ障害"),
    0x66F1: ("no key delivery configured", "鍵配送が設定されていません"),
    0x6700: ("wrong length", "長さが不正です"),
    0x6881: ("logical channel not supported", "論理チャネルは未対応です"),
    0x6882: ("secure messaging not supported", "セキュアメッセージングは未対応です"),
    0x6981: ("command incompatible with file structure", "ファイル構造とコマンドが合いません"),
    0x6982: (
        "security status not satisfied",
        "セキュリティ条件を満たしていません（暗証番号・照合番号が未照合）",
    ),
    0x6983: ("authentication method blocked", "認証方式が閉塞しています"),
    0x6984: ("referenced data blocked", "参照データが閉塞しています（ロック）"),
    0x6985: ("conditions of use not satisfied", "使用条件を満たしていません"),
    0x6986: ("command not allowed (no current EF)", "コマンドは許可されていません（EF 未選択）"),
    0x6987: ("expected secure messaging data objects missing", "SM データオブジェクトがありません"),
    0x6988: ("incorrect secure messaging data objects", "SM データオブジェクトが不正です"),
    0x6A80: ("incorrect parameters in the data field", "データフィールドのパラメータが不正です"),
    0x6A81: ("function not supported", "機能は未対応です"),
    0x6A82: ("file or application not found", "ファイルまたはアプリケーションが見つかりません"),
    0x6A83: ("record not found", "レコードが見つかりません"),
    0x6A86: ("incorrect parameters P1-P2", "P1-P2 が不正です"),
    0x6A87: ("Lc inconsistent with P1-P2", "Lc が P1-P2 と矛盾します"),
    0x6A88: ("referenced data not found", "参照データが見つかりません"),
    0x6B00: ("wrong parameters (offset outside the EF)", "パラメータが不正です（EF の範囲外）"),
    0x6D00: ("instruction not supported", "命令コードは未対応です"),
    0x6E00: ("class not supported", "クラスは未対応です"),
    0x6F00: ("no precise diagnosis", "原因不明のエラー"),
}


def describe(sw: int) -> tuple[str, str]:
    """Return (English, Japanese) meaning of a status word."""
    if sw in _EXACT:
        return _EXACT[sw]
    sw1, sw2 = sw >> 8, sw & 0xFF
    if sw1 == 0x61:
        return (f"{sw2} more bytes available", f"残り {sw2} バイトのデータがあります")
    if sw1 == 0x6C:
        return (f"wrong Le; exact length is {sw2}", f"Le が不正です（正しい長さは {sw2}）")
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        n = sw2 & 0x0F
        if n == 0:
            return ("verification failed; no tries left (blocked)", "照合失敗：残り回数 0（閉塞）")
        return (f"verification failed; {n} tries left", f"照合失敗：残り {n} 回")
    return ("unknown status", "不明なステータス")


def tries_left(sw: int) -> int | None:
    """Tries left encoded in 63Cx, 0 for 6983/6984 (blocked), else None."""
    if sw & 0xFFF0 == 0x63C0:
        return sw & 0x0F
    if sw in (0x6983, 0x6984):
        return 0
    return None
