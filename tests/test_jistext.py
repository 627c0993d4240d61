"""JIS X 0208 / X 0201 decoding with the JIS mapping, 外字/欠字/unknown segments, and never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taimen.jistext import (
    GAIJI_PLACEHOLDER,
    decode_x0201,
    decode_x0208,
    encode_x0201,
    encode_x0208,
    x0208_char,
)

# JIS X 0208 code → Unicode per the JIS mapping (Unicode's JIS0208.TXT), where CP932 differs or it matters.
KNOWN = {
    0x2121: "\u3000",  # ideographic space (name separator)
    0x215D: "\u2212",  # MINUS SIGN (CP932: U+FF0D FULLWIDTH HYPHEN-MINUS)
    0x2141: "\u301c",  # WAVE DASH (CP932: U+FF5E)
    0x2140: "\uff3c",  # FULLWIDTH REVERSE SOLIDUS
    0x2142: "\u2016",  # DOUBLE VERTICAL LINE (CP932: U+2225)
    0x2171: "\u00a2",  # CENT SIGN (CP932: U+FFE0)
    0x2172: "\u00a3",  # POUND SIGN (CP932: U+FFE1)
    0x224C: "\u00ac",  # NOT SIGN (CP932: U+FFE2)
    0x2331: "１",
    0x2421: "ぁ",
    0x2573: "ン",
    0x3021: "亜",  # first kanji of level 1
    0x3B33: "山",
    0x4544: "田",
    0x7426: "熙",  # last code of JIS X 0208:1990
}


@pytest.mark.parametrize(("code", "char"), sorted(KNOWN.items()))
def test_known_code_points(code: int, char: str) -> None:
    assert x0208_char(code) == char
    assert decode_x0208(code.to_bytes(2, "big")).text == char


def test_address_minus_is_u2212_not_fullwidth_hyphen() -> None:
    raw = bytes.fromhex("2332215D2331215D2332")  # ２−１−２
    text = decode_x0208(raw)
    assert text.text == "２\u2212１\u2212２"
    assert "\uff0d" not in text.text
    assert text.complete


def test_gaiji_missing_and_unknown_segments() -> None:
    raw = bytes.fromhex("3B33FFF14544FFFA7F7FFFF7")
    text = decode_x0208(raw)
    kinds = [s.kind for s in text.segments]
    assert kinds == ["text", "gaiji", "text", "missing", "unknown", "gaiji"]
    assert text.gaiji == (1, 7)
    assert text.text == f"山{GAIJI_PLACEHOLDER}田［欠字］［未定義:7F7F］{GAIJI_PLACEHOLDER}"
    assert not text.complete
    js = text.to_json()
    assert js["segments"][1] == {"kind": "gaiji", "code": "FFF1", "index": 1, "placeholder": GAIJI_PLACEHOLDER}
    assert js["segments"][3]["kind"] == "missing"


def test_odd_length_keeps_the_dangling_byte() -> None:
    text = decode_x0208(bytes.fromhex("3B3345"))
    assert text.segments[-1].kind == "unknown" and text.segments[-1].code == 0x45
    assert text.text.startswith("山")


def test_fff2_is_gaiji_not_a_euc_overflow() -> None:
    # TRET reversed the bytes before comparing with FFF1; raw FF F1 must be recognised as written.
    assert decode_x0208(b"\xff\xf1").segments[0].index == 1
    assert decode_x0208(b"\xf1\xff").segments[0].kind == "unknown"


def test_x0201() -> None:
    assert decode_x0201(b"5020408").text == "5020408"
    assert decode_x0201(b"\x5c\x7e").text == "¥‾"
    assert decode_x0201(bytes([0xB1, 0xB2])).text == "ｱｲ"
    bad = decode_x0201(b"12\x0134\xff")
    assert [s.kind for s in bad.segments] == ["text", "unknown", "text", "unknown"]
    assert encode_x0201("AB 1.") == b"AB 1."


@given(st.binary(max_size=200))
def test_decoders_never_raise(data: bytes) -> None:
    t = decode_x0208(data)
    assert isinstance(t.text, str)
    assert sum(2 if s.kind != "text" else 2 * len(s.text) for s in t.segments) >= len(data) - 1
    decode_x0201(data).to_json()


@given(st.lists(st.sampled_from(sorted(KNOWN.values())), max_size=30).map("".join))
def test_x0208_round_trip(text: str) -> None:
    assert decode_x0208(encode_x0208(text)).text == text


def test_encode_refuses_what_x0208_lacks() -> None:
    with pytest.raises(ValueError):
        encode_x0208("髙")  # a 外字 on many cards: not in JIS X 0208
    assert encode_x0208("髙", gaiji={"髙": 2}) == b"\xff\xf2"
