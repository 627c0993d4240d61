"""The real test-card vector (reference §3): 入力補助AP EF 0002 of the JPKI test card holder 黒桐幹也."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from taimen.errors import ParseError
from taimen.mynumber import shogo_b
from taimen.mynumber.text_ap import parse_attributes
from taimen.samples.mynumber_cards import text_attributes, text_integrity

EF0002 = bytes.fromhex(
    "ff2065df2108000e002000590064df220fe9bb92e6a190e38080e5b9b9e4b99fdf2336e69db1e4baace983bde6b885e780ace5b882"
    "e8a6b3e5b883e5ad90e58d97efbc91efbc92efbc8defbc97efbc8defbc92efbc90efbc92df24083139383030323137df250131"
)
EF0001_PHYSICAL = bytes.fromhex("ff100c353337363836363737313838ffff")
DF31 = "6d5a4c1ef9ab15bf506862d7e66b9c0f179ca065bc936c8e634e9e57449ca9cd"
DF32 = "b9e0d09427b23b1d4beda2848512b4103752dc2667e51f9712872d65f472cb3b"


def test_vector_parses_to_the_stated_values() -> None:
    assert len(EF0002) == 104
    a = parse_attributes(EF0002)
    assert a.name == "黒桐\u3000幹也"
    assert (a.family_name, a.given_name) == ("黒桐", "幹也")
    assert a.address == "東京都清瀬市観布子南１２－７－２０２"
    assert a.birth_date == date(1980, 2, 17)
    assert a.sex == "1"
    assert a.offsets == (0x0E, 0x20, 0x59, 0x64)


def test_vector_digests() -> None:
    a = parse_attributes(EF0002)
    assert a.signed_region == EF0002[0x0E:0x68]
    assert hashlib.sha256(a.signed_region).hexdigest() == DF32
    assert hashlib.sha256(EF0001_PHYSICAL).hexdigest() == DF31
    # Neither the whole file nor the file without its outer header is what DF32 digests.
    assert hashlib.sha256(EF0002).hexdigest() != DF32
    assert hashlib.sha256(EF0002[3:]).hexdigest() != DF32


def test_emulator_encoders_reproduce_the_vector() -> None:
    """The sample builder's encoder writes this exact file, and its EF 0003 carries the stated digests."""
    encoded = text_attributes("黒桐\u3000幹也", "東京都清瀬市観布子南１２－７－２０２", date(1980, 2, 17), "1")
    assert encoded == EF0002
    from cryptography.hazmat.primitives.asymmetric import rsa

    from taimen.mynumber.text_ap import parse_integrity

    integ = parse_integrity(text_integrity(EF0001_PHYSICAL, EF0002, rsa.generate_private_key(65537, 2048)))
    assert integ.number_digest.hex() == DF31
    assert integ.attributes_digest.hex() == DF32


def test_vector_with_card_filler_parses() -> None:
    assert parse_attributes(EF0002 + b"\xff" * 40).name == "黒桐\u3000幹也"


def test_offset_table_tamper_is_rejected() -> None:
    tampered = bytearray(EF0002)
    assert tampered[6:8] == b"\x00\x0e"
    tampered[7] = 0x0F
    with pytest.raises(ParseError, match="offset table"):
        parse_attributes(bytes(tampered))


@pytest.mark.parametrize("index", range(6, 14))
def test_every_offset_byte_is_checked(index: int) -> None:
    tampered = bytearray(EF0002)
    tampered[index] ^= 0x01
    with pytest.raises(ParseError):
        parse_attributes(bytes(tampered))


def test_shogo_b_of_the_test_card() -> None:
    assert shogo_b.build("550217", "2035", "2285").value() == b"55021720352285"
    assert shogo_b.build("昭和55年2月17日", "2035", "2285").value() == b"55021720352285"
    assert shogo_b.build("1980-02-17", "2035", "2285").value() == b"55021720352285"
    assert shogo_b.build("５５０２１７", "２０３５", "２２８５").value() == b"55021720352285"
