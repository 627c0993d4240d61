"""券面AP records: strict offset table, the 96-byte DigestInfo, what the signature covers, EF 0003."""

from __future__ import annotations

import hashlib

import pytest

from taimen.core import tlv
from taimen.errors import ParseError
from taimen.mynumber import kenmen_ap, signatures
from taimen.mynumber.aids import KenmenAp
from taimen.mynumber.offset_table import encode_indexed_record
from taimen.samples import mynumber_cards as mc

FACE = mc.genuine("yamada").chip.kenmen_files[KenmenAp.CARD_FACE]


def _objects(raw: bytes) -> list[tlv.Tlv]:
    outer = tlv.parse_single(raw, 0xFF20)
    return tlv.parse_all(outer.value, stop_on_filler=True)


def test_offsets_are_positions_from_the_first_byte_of_the_file() -> None:
    face = kenmen_ap.parse_card_face(FACE)
    outer = tlv.parse_single(FACE, 0xFF20)
    objs = _objects(FACE)
    assert [o.tag for o in objs] == [0xDF21, *kenmen_ap.FACE_TAGS]
    assert face.offsets == tuple(outer.header_len + o.offset for o in objs[1:])
    assert FACE[face.offsets[0] : face.offsets[0] + 2] == b"\xdf\x22"
    assert FACE.endswith(b"\xff" * mc.FACE_FILLER)  # filler after the object, as on a card


@pytest.mark.parametrize("which", range(9))
def test_a_wrong_offset_is_rejected(which: int) -> None:
    table_start = len(tlv.parse_single(FACE, 0xFF20).raw) - len(tlv.parse_single(FACE, 0xFF20).value) + 3
    tampered = bytearray(FACE)
    tampered[table_start + 2 * which + 1] ^= 0x04
    with pytest.raises(ParseError, match="offset table"):
        kenmen_ap.parse_card_face(bytes(tampered))


def test_signed_digest_info_layout() -> None:
    face = kenmen_ap.parse_card_face(FACE)
    di = face.signed_digest_info
    assert len(di) == 115
    assert di[:19] == bytes.fromhex("3071300d06096086480165030402010500" + "0460")
    objs = {o.tag: o for o in _objects(FACE)}
    expect = (
        hashlib.sha256(objs[0xDF22].raw + objs[0xDF23].raw + objs[0xDF24].raw).digest()
        + hashlib.sha256(objs[0xDF25].raw + objs[0xDF26].raw).digest()
        + hashlib.sha256(objs[0xDF27].raw).digest()
    )
    assert di[19:] == expect
    assert len(signatures.sha256_digest_info(bytes(32))) == 51
    assert signatures.sha256_digest_info(bytes(32))[:19] == bytes.fromhex("3031300d060960864801650304020105000420")


def _rebuild(changes: dict[int, bytes]) -> bytes:
    objs = _objects(FACE)
    fields = [(o.tag, changes.get(o.tag, o.value)) for o in objs[1:]]
    return encode_indexed_record(outer_tag=0xFF20, table_tag=0xDF21, fields=fields)


def test_expiry_and_security_code_image_are_not_covered() -> None:
    original = kenmen_ap.parse_card_face(FACE)
    changed = kenmen_ap.parse_card_face(_rebuild({0xDF29: b"20400101", 0xDF2A: mc.render_fixed("9999", 24, 12)}))
    assert changed.signed_digest_info == original.signed_digest_info
    assert str(changed.expiry) == "2040-01-01"
    for tag, value in ((0xDF22, b"19800218"), (0xDF23, b"1"), (0xDF27, mc.photo_jp2(42))):
        assert kenmen_ap.parse_card_face(_rebuild({tag: value})).signed_digest_info != original.signed_digest_info


def test_signature_must_carry_exactly_the_payload() -> None:
    key = mc.genuine("yamada").chip.card_key
    payload = kenmen_ap.parse_card_face(FACE).signed_digest_info
    from taimen.emulator.behaviours import raw_pkcs1_sign

    sig = raw_pkcs1_sign(key, payload)
    assert signatures.verify_digest_info(key.public_key(), sig, payload)
    assert not signatures.verify_digest_info(key.public_key(), raw_pkcs1_sign(key, payload + b"\x00"), payload)
    assert not signatures.verify_digest_info(key.public_key(), sig[:-1], payload)
    assert not signatures.verify_digest_info(key.public_key(), bytes(256), payload)


def test_security_code_image_is_not_kept() -> None:
    code_png = _objects(FACE)[-1].value
    face = kenmen_ap.parse_card_face(FACE)
    assert face.security_code_image_present
    for value in vars(face).values():
        if isinstance(value, bytes):
            assert code_png not in value


@pytest.mark.parametrize(
    ("tag", "value"),
    [
        (0xDF27, mc.render_fixed("x", 24, 12)),  # a PNG where the JPEG 2000 photo belongs
        (0xDF25, mc.photo_jp2(1)),  # a photo where the name image belongs
        (0xDF2A, b"not an image"),
        (0xDF22, b"19801302"),
        (0xDF29, b"2035021"),
        (0xDF28, bytes(255)),
        (0xDF24, bytes(265)),
    ],
)
def test_malformed_fields(tag: int, value: bytes) -> None:
    with pytest.raises(ParseError):
        kenmen_ap.parse_card_face(_rebuild({tag: value}))


def test_objects_out_of_order_or_missing() -> None:
    objs = _objects(FACE)[1:]
    swapped = [(o.tag, o.value) for o in objs]
    swapped[0], swapped[1] = swapped[1], swapped[0]
    with pytest.raises(ParseError):
        kenmen_ap.parse_card_face(encode_indexed_record(outer_tag=0xFF20, table_tag=0xDF21, fields=swapped))
    with pytest.raises(ParseError):
        kenmen_ap.parse_card_face(
            encode_indexed_record(outer_tag=0xFF20, table_tag=0xDF21, fields=[(o.tag, o.value) for o in objs[:-1]])
        )


def test_junk_after_the_filler_inside_the_record() -> None:
    outer = tlv.parse_single(FACE, 0xFF20)
    with pytest.raises(ParseError, match="filler"):
        kenmen_ap.parse_card_face(tlv.encode(0xFF20, outer.value + b"\xff\xff\x01"))
    assert kenmen_ap.parse_card_face(tlv.encode(0xFF20, outer.value + b"\xff\xff")).offsets


def test_basic_info() -> None:
    info = kenmen_ap.parse_basic_info(mc.genuine("showa64").chip.kenmen_files[KenmenAp.BASIC_INFO])
    assert info.municipality_code == "27127"
    assert info.version == 1
    with pytest.raises(ParseError):
        kenmen_ap.parse_basic_info(tlv.encode(0xFF30, tlv.encode(0xDF34, b"99101")))
    with pytest.raises(ParseError):
        kenmen_ap.parse_basic_info(tlv.encode(0xFF30, tlv.encode(0xDF34, b"1310")))
