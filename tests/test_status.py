"""Status words: meanings in both languages and the retry counter encodings."""

from __future__ import annotations

import pytest

from taimen.core import status
from taimen.errors import StatusError


@pytest.mark.parametrize(
    ("sw", "en_part", "ja_part"),
    [
        (0x9000, "success", "正常"),
        (0x6282, "end of file", "ファイルの終わり"),
        (0x6700, "wrong length", "長さ"),
        (0x6982, "security status", "セキュリティ条件"),
        (0x6984, "blocked", "閉塞"),
        (0x6986, "no current EF", "EF 未選択"),
        (0x6A82, "not found", "見つかりません"),
        (0x6A86, "P1-P2", "P1-P2"),
        (0x6A88, "referenced data not found", "参照データ"),
        (0x6B00, "offset", "範囲外"),
        (0x6D00, "instruction", "命令"),
        (0x6E00, "class", "クラス"),
    ],
)
def test_exact_meanings(sw: int, en_part: str, ja_part: str) -> None:
    en, ja = status.describe(sw)
    assert en_part in en
    assert ja_part in ja


def test_every_table_entry_has_both_languages() -> None:
    for sw, (en, ja) in status._EXACT.items():
        assert en and ja, f"{sw:04X}"
        assert any("\u3040" <= ch <= "\u9fff" for ch in ja), f"{sw:04X} Japanese text has no Japanese"


@pytest.mark.parametrize("n", range(16))
def test_63cx_carries_tries(n: int) -> None:
    sw = 0x63C0 | n
    assert status.tries_left(sw) == n
    en, ja = status.describe(sw)
    if n == 0:
        assert "blocked" in en and "閉塞" in ja
    else:
        assert f"{n} tries left" in en and f"残り {n} 回" in ja


@pytest.mark.parametrize(("sw", "tries"), [(0x6983, 0), (0x6984, 0), (0x9000, None), (0x6982, None), (0x63B1, None)])
def test_tries_left_other_words(sw: int, tries: int | None) -> None:
    assert status.tries_left(sw) == tries


def test_61xx_and_6cxx_carry_lengths() -> None:
    assert status.describe(0x6110)[0] == "16 more bytes available"
    assert "exact length is 32" in status.describe(0x6C20)[0]
    assert "32" in status.describe(0x6C20)[1]


def test_unknown_status() -> None:
    assert status.describe(0x6400) == ("unknown status", "不明なステータス")


def test_status_error_message_names_the_word_and_context() -> None:
    err = StatusError(0x6982, "READ EF 0001")
    assert err.sw == 0x6982
    assert "READ EF 0001" in str(err) and "6982" in str(err) and "security status" in str(err)
    assert "6982" in err.message_ja and "セキュリティ条件" in err.message_ja
