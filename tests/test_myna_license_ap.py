"""The 免許AP of a マイナ免許証 on its own: PIN setting, 10 tries, DPIN, C5 expiry, unknown tags kept raw."""

from __future__ import annotations

import pytest

from license_helpers import signer, with_facts
from taimen.core import apdu
from taimen.core.conversation import drive
from taimen.core.tlv import encode
from taimen.emulator.card import DedicatedFile, VirtualCard
from taimen.emulator.license_card import build_myna_license_data, build_myna_license_df
from taimen.errors import CardError, OperatorInputError, PinSafetyError
from taimen.license.myna_license import (
    ELF_AID,
    EXE_AID,
    INSTANCE_AID,
    decode_expiry,
    parse_data,
    parse_myna_records,
    read_license_ap,
)
from taimen.license.pin import PinRejected
from taimen.samples.persons import person
from taimen.transport.inprocess import InProcessTransport


def _card(key: str = "yamada", **kw: object) -> VirtualCard:
    return VirtualCard(DedicatedFile("MF"), [build_myna_license_df(person(key), signer(), **kw)])  # type: ignore[arg-type]


def test_aids_elf_and_exe_answer_6a82() -> None:
    t = InProcessTransport(_card())
    assert t.transmit(apdu.select_aid(ELF_AID)).sw == 0x6A82
    assert t.transmit(apdu.select_aid(EXE_AID)).sw == 0x6A82
    assert t.transmit(apdu.select_aid(INSTANCE_AID)).sw == 0x9000
    assert t.transmit(apdu.verify_query(p2=0x86)).sw == 0x63CA  # 10 tries (hmpow observed 63CA)


def test_read_with_pin() -> None:
    card = _card()
    card.log = []
    r = drive(read_license_ap("1234"), InProcessTransport(card))
    assert r.pin_set and not r.dpin_used and r.tries_before == 10
    assert r.expiry is not None and r.expiry.display_ja == "令和10年3月17日" and r.expiry.iso == "2028-03-17"
    assert r.photo is not None and r.photo.png is not None
    unknown = [e for e in r.elements if e.kind == "raw" and e.name_ja.startswith("不明なタグ")]
    assert {e.tag for e in unknown} >= {0xC2, 0xC3, 0xC4, 0xC6}  # undocumented tags stay visible, raw
    assert r.signature["issuer"] == "TAIMEN SAMPLE LICENSE CA (NOT NPA)"
    verifies = [c for c, _ in card.log if c[1] == 0x20 and len(c) > 4]
    assert [v[3] for v in verifies] == [0x86] and verifies[0][5:] == b"1234"


def test_no_pin_set_uses_dpin() -> None:
    card = _card(pin_set=False)
    card.log = []
    r = drive(read_license_ap(None), InProcessTransport(card))
    assert r.dpin_used
    assert [c[5:] for c, _ in card.log if c[1] == 0x20 and len(c) > 4] == [b"****"]


def test_pin_needed_when_set() -> None:
    card = _card()
    card.log = []
    with pytest.raises(OperatorInputError):
        drive(read_license_ap(None), InProcessTransport(card))
    assert not [c for c, _ in card.log if c[1] == 0x20 and len(c) > 4]


def test_wrong_pin_stops_and_last_try_needs_confirmation() -> None:
    card = _card()
    with pytest.raises(PinRejected) as err:
        drive(read_license_ap("9999"), InProcessTransport(card))
    assert err.value.tries_left == 9
    card = _card(tries=1)
    with pytest.raises(PinSafetyError) as safety:
        drive(read_license_ap("1234"), InProcessTransport(card))
    assert "警察署" in safety.value.message_ja
    r = drive(read_license_ap("1234", confirm_last_try=True), InProcessTransport(card))
    assert r.expiry is not None


def test_not_a_myna_license() -> None:
    with pytest.raises(CardError) as err:
        drive(read_license_ap("1234"), InProcessTransport(VirtualCard(DedicatedFile("MF"))))
    assert "マイナ免許証ではありません" in err.value.message_ja


@pytest.mark.parametrize(
    ("raw", "iso"), [(b"\x05100317", "2028-03-17"), (b"5100317", "2028-03-17"), (b"\x04330207", "2021-02-07")]
)
def test_expiry_forms(raw: bytes, iso: str) -> None:
    assert decode_expiry(raw).iso == iso


def test_expiry_unknown_era_is_not_guessed() -> None:
    d = decode_expiry(b"\x07100317")
    assert d.iso is None and "unknown_era" in d.flags


def test_5f40_is_two_byte_here() -> None:
    data = encode(0xC5, b"\x05100317") + encode(0x5F40, b"\x00" * 3) + b"\xff\xff"
    assert [t.tag for t in parse_myna_records(data)] == [0xC5, 0x5F40]


def test_emulated_data_round_trip() -> None:
    p = with_facts("showa64", expiry=__import__("datetime").date(2030, 1, 7))
    elements, expiry, _, _ = parse_data(build_myna_license_data(p))
    assert expiry is not None and expiry.display_ja == "令和12年1月7日"
    assert elements[0].tag != 0xC5 or elements[0].decoded is expiry
