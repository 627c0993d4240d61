"""The ISO 7816-4 emulator: status words, retry counters, access rules and security state, behaviours.

Commands go in as raw bytes through ``VirtualCard.execute``, as vpcd delivers them.
"""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from taimen.core.apdu import Command
from taimen.emulator.behaviours import Mute, RsaChallenge
from taimen.emulator.card import DedicatedFile, ElementaryFile, KeyRef, VirtualCard
from taimen.errors import CardRemovedError
from taimen.transport.inprocess import InProcessTransport

AID_A = bytes.fromhex("A0000000000001")
AID_B = bytes.fromhex("A0000000000002")
SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


def build() -> VirtualCard:
    mf = DedicatedFile("MF")
    mf.add_key(KeyRef(0x0001, b"1111", 3, 3, name="PIN1"))
    mf.add_key(KeyRef(0x0002, b"2222", 3, 3, name="PIN2"))
    mf.add_file(ElementaryFile(0x2F01, b"\x01\x02\x03"))
    a = DedicatedFile("A", AID_A)
    a.add_key(KeyRef(0x0011, b"aaaa", 3, 3, sfi=0x11))
    a.add_key(KeyRef(0x0012, b"bbbb", 5, 5))
    a.add_file(ElementaryFile(0x0001, b"free" * 100, sfi=1))
    a.add_file(ElementaryFile(0x0002, b"either", read=(("0011",), ("0012",))))
    a.add_file(ElementaryFile(0x0003, b"both", read=(("0011", "0012"),)))
    a.add_file(ElementaryFile(0x0004, b"mf-pin1", read=(("MF:0001",),), sfi=4))
    a.add_file(ElementaryFile(0x0005, b"mf-pin1-and-pin2", read=(("MF:0001", "MF:0002"),)))
    a.add_file(ElementaryFile(0x0006, b""))
    b = DedicatedFile("B", AID_B)
    b.add_file(ElementaryFile(0x0001, b"in B"))
    return VirtualCard(mf, [a, b])


def tx(card: VirtualCard, hexstr: str) -> tuple[bytes, int]:
    answer = card.execute(bytes.fromhex(hexstr.replace(" ", "")))
    return answer[:-2], int.from_bytes(answer[-2:], "big")


def sw(card: VirtualCard, hexstr: str) -> int:
    return tx(card, hexstr)[1]


def select_a(card: VirtualCard) -> None:
    assert sw(card, "00A4040C07" + AID_A.hex()) == 0x9000


def verify(card: VirtualCard, fid: int, value: bytes) -> int:
    assert sw(card, f"00A4020C02{fid:04X}") == 0x9000
    return sw(card, f"0020008004{value.hex()}")


@pytest.fixture
def card() -> VirtualCard:
    c = build()
    c.power_on()
    return c


# --- status words ---------------------------------------------------------------------------------------


def test_6a82_file_or_application_not_found(card: VirtualCard) -> None:
    assert sw(card, "00A4040C05A000000099") == 0x6A82
    select_a(card)
    assert sw(card, "00A4020C020099") == 0x6A82
    assert sw(card, "00B09E0000") == 0x6A82  # no EF with SFI 30


def test_6982_security_status_not_satisfied(card: VirtualCard) -> None:
    select_a(card)
    assert sw(card, "00A4020C020002") == 0x9000
    assert sw(card, "00B0000000") == 0x6982


def test_6b00_offset_beyond_the_file(card: VirtualCard) -> None:
    select_a(card)
    assert sw(card, "00A4020C020001") == 0x9000
    data, status = tx(card, "00B0018F00")
    assert (data, status) == (b"e", 0x9000)
    assert sw(card, "00B0019000") == 0x6B00  # offset 400 == size
    assert sw(card, "00B07FFF00") == 0x6B00


def test_empty_file_reads_empty_at_offset_0(card: VirtualCard) -> None:
    select_a(card)
    assert sw(card, "00A4020C020006") == 0x9000
    assert tx(card, "00B0000000") == (b"", 0x9000)
    assert sw(card, "00B0000100") == 0x6B00


@pytest.mark.parametrize(
    "apdu",
    [
        "00A4",  # shorter than a header
        "00A4020C0300",  # Lc disagrees with the body
        "00A4020C03000102",  # SELECT EF with a 3-byte FID
        "00A4000C03000102",  # SELECT by FID (P1 00) with a 3-byte FID
        "00B000000101",  # READ BINARY with a data field
    ],
)
def test_6700_wrong_length(card: VirtualCard, apdu: str) -> None:
    select_a(card)
    assert sw(card, apdu) == 0x6700


def test_6700_extended_apdu_on_a_card_without_extended_length() -> None:
    c = build()
    c.extended_length = False
    c.power_on()
    assert sw(c, "00A4040C07" + AID_A.hex()) == 0x9000
    assert sw(c, "00B08100000000") == 0x6700
    assert tx(c, "00B0810004") == (b"free", 0x9000)


@pytest.mark.parametrize("ins", ["CA", "B2", "88", "2A", "00"])
def test_6d00_instruction_not_supported(card: VirtualCard, ins: str) -> None:
    assert sw(card, f"00{ins}000000") == 0x6D00
    assert sw(card, f"80{ins}000000") == 0x6D00


@pytest.mark.parametrize("cla", ["10", "0C", "84", "FF", "A0"])
def test_6e00_class_not_supported(card: VirtualCard, cla: str) -> None:
    assert sw(card, f"{cla}A4040C07" + AID_A.hex()) == 0x6E00


@pytest.mark.parametrize(
    "apdu",
    [
        "00A40404" + "07" + AID_A.hex(),  # SELECT P2 04: FCP not supported here
        "00A4080C020001",  # SELECT by path: P1 08
        "00B0E10000",  # READ BINARY SFI with P1 bits 7-6 set
        "0020010004" + b"1111".hex(),  # VERIFY P1 01
    ],
)
def test_6a86_incorrect_p1_p2(card: VirtualCard, apdu: str) -> None:
    assert sw(card, apdu) == 0x6A86


def test_6986_no_current_ef(card: VirtualCard) -> None:
    select_a(card)
    assert sw(card, "00B0000000") == 0x6986


def test_6981_read_binary_on_a_key_ef(card: VirtualCard) -> None:
    select_a(card)
    assert sw(card, "00A4020C020011") == 0x9000
    assert sw(card, "00B0000000") == 0x6981


def test_6a88_verify_without_a_key(card: VirtualCard) -> None:
    select_a(card)
    assert sw(card, "00200080") == 0x6A88  # no key EF selected
    assert sw(card, "00A4020C020001") == 0x9000
    assert sw(card, "00200080") == 0x6A88  # current EF is a data EF
    assert sw(card, "00200085") == 0x6A88  # no key with SFI 5
    assert sw(card, "00200000") == 0x6A88  # P2 00: no global reference data here


def test_select_mf_by_empty_and_3f00(card: VirtualCard) -> None:
    select_a(card)
    assert sw(card, "00A40000") == 0x9000
    assert card.current_df is card.mf
    select_a(card)
    assert sw(card, "00A4000C023F00") == 0x9000
    assert card.current_df is card.mf
    assert sw(card, "00A4000C022F01") == 0x9000  # P1 00 with an EF FID of the current DF
    assert tx(card, "00B0000000") == (b"\x01\x02\x03", 0x9000)


def test_failed_select_keeps_the_current_ef(card: VirtualCard) -> None:
    select_a(card)
    assert sw(card, "00A4020C020001") == 0x9000
    assert sw(card, "00A4020C020099") == 0x6A82
    assert tx(card, "00B0000004") == (b"free", 0x9000)


def test_read_binary_le_semantics(card: VirtualCard) -> None:
    select_a(card)
    assert sw(card, "00A4020C020001") == 0x9000
    assert tx(card, "00B0018C10") == (b"free", 0x6282)  # offset 396, Le 16: end of file before Le
    assert tx(card, "00B0018C00") == (b"free", 0x9000)  # wildcard Le 256: all up to the end
    assert tx(card, "00B00000000000") == (b"free" * 100, 0x9000)  # extended wildcard
    assert tx(card, "00B0000000012C") == ((b"free" * 100)[:300], 0x9000)


def test_max_response_caps_without_claiming_end_of_file() -> None:
    c = build()
    c.max_response = 100
    c.power_on()
    select_a(c)
    assert sw(c, "00A4020C020001") == 0x9000
    data, status = tx(c, "00B00000FF")
    assert len(data) == 100 and status == 0x9000  # capped, not 6282: the file goes on
    data, status = tx(c, "00B0012C80")  # offset 300, Le 128, 100 left
    assert len(data) == 100 and status == 0x6282


def test_sfi_read_makes_the_ef_current(card: VirtualCard) -> None:
    select_a(card)
    assert tx(card, "00B0810004") == (b"free", 0x9000)  # SFI 1, offset 0
    assert tx(card, "00B0000404") == (b"free", 0x9000)  # now by offset in the same EF
    assert card.current_ef is card.applications[0].files[0x0001]
    assert tx(card, "00B0810804") == (b"free", 0x9000)  # SFI read with an 8-bit offset


def test_get_challenge(card: VirtualCard) -> None:
    a, s1 = tx(card, "0084000008")
    b, s2 = tx(card, "0084000008")
    assert s1 == s2 == 0x9000 and len(a) == len(b) == 8 and a != b
    assert len(tx(card, "0084000000")[0]) == 256
    assert sw(card, "00840000000101") == 0x6700  # 257 bytes asked


def test_malformed_apdu_never_crashes_the_card(card: VirtualCard) -> None:
    for raw in (b"", b"\x00", b"\x00\xa4\x04", b"\x00\xb0\x00\x00\x00\x00"):
        assert card.execute(raw)[-2:] == b"\x67\x00"


# --- VERIFY and retry counters --------------------------------------------------------------------------


def test_verify_counts_down_blocks_and_stays_blocked(card: VirtualCard) -> None:
    assert verify(card, 0x0001, b"0000") == 0x63C2
    assert verify(card, 0x0001, b"0000") == 0x63C1
    assert sw(card, "00200080") == 0x63C1  # query
    assert verify(card, 0x0001, b"0000") == 0x63C0  # the last try spent: blocked
    assert sw(card, "00200080") == 0x63C0  # query on a blocked key
    assert verify(card, 0x0001, b"1111") == 0x6984  # even the right value: blocked
    assert verify(card, 0x0001, b"0000") == 0x6984
    assert card.mf.keys[0x0001].tries_left == 0


def test_query_does_not_spend_a_try(card: VirtualCard) -> None:
    assert verify(card, 0x0001, b"9999") == 0x63C2
    for _ in range(10):
        assert sw(card, "00200080") == 0x63C2
    assert card.mf.keys[0x0001].tries_left == 2


def test_success_resets_the_counter_to_max(card: VirtualCard) -> None:
    assert verify(card, 0x0001, b"9999") == 0x63C2
    assert verify(card, 0x0001, b"9999") == 0x63C1
    assert verify(card, 0x0001, b"1111") == 0x9000
    assert card.mf.keys[0x0001].tries_left == 3
    assert sw(card, "00200080") == 0x9000  # query after success: verified
    assert verify(card, 0x0001, b"9999") == 0x63C2  # a wrong value afterwards also drops the state
    assert sw(card, "00200080") == 0x63C2


def test_verify_by_sfi_in_p2(card: VirtualCard) -> None:
    select_a(card)
    assert sw(card, "00200091") == 0x63C3  # P2 = 80 | SFI 0x11
    assert sw(card, "0020009104" + b"aaaa".hex()) == 0x9000
    assert card.is_verified(card.applications[0], 0x0011)


def test_counter_larger_than_15_is_reported_as_15() -> None:
    c = build()
    c.mf.keys[0x0001].tries_left = c.mf.keys[0x0001].max_tries = 20
    c.power_on()
    assert sw(c, "00A4020C020001") == 0x9000
    assert sw(c, "00200080") == 0x63CF


# --- access rules and security state --------------------------------------------------------------------


def _read(card: VirtualCard, fid: int) -> int:
    assert sw(card, f"00A4020C02{fid:04X}") == 0x9000
    return sw(card, "00B0000000")


def test_or_rule_either_key_opens(card: VirtualCard) -> None:
    for key, value in ((0x0011, b"aaaa"), (0x0012, b"bbbb")):
        c = build()
        c.power_on()
        select_a(c)
        assert _read(c, 0x0002) == 0x6982
        assert verify(c, key, value) == 0x9000
        assert _read(c, 0x0002) == 0x9000


def test_and_rule_needs_every_key_of_the_group(card: VirtualCard) -> None:
    select_a(card)
    assert verify(card, 0x0011, b"aaaa") == 0x9000
    assert _read(card, 0x0003) == 0x6982
    assert verify(card, 0x0012, b"bbbb") == 0x9000
    assert _read(card, 0x0003) == 0x9000


def test_mf_keys_persist_across_application_select(card: VirtualCard) -> None:
    assert verify(card, 0x0001, b"1111") == 0x9000  # PIN1 in the MF
    select_a(card)
    assert _read(card, 0x0004) == 0x9000
    assert _read(card, 0x0005) == 0x6982  # AND with PIN2 not yet verified
    assert sw(card, "00A4040C07" + AID_B.hex()) == 0x9000
    select_a(card)
    assert _read(card, 0x0004) == 0x9000  # still valid after visiting B and coming back
    assert tx(card, "00B0840000")[1] == 0x9000  # and through an SFI read


def test_application_keys_reset_when_another_application_is_selected(card: VirtualCard) -> None:
    select_a(card)
    assert verify(card, 0x0011, b"aaaa") == 0x9000
    assert _read(card, 0x0002) == 0x9000
    assert sw(card, "00A4040C07" + AID_B.hex()) == 0x9000
    select_a(card)
    assert _read(card, 0x0002) == 0x6982
    assert sw(card, "00A4020C020011") == 0x9000
    assert sw(card, "00200080") == 0x63C3  # not verified any more; counter untouched


def test_selecting_the_mf_resets_application_keys_but_not_mf_keys(card: VirtualCard) -> None:
    assert verify(card, 0x0001, b"1111") == 0x9000
    select_a(card)
    assert verify(card, 0x0011, b"aaaa") == 0x9000
    assert sw(card, "00A40000") == 0x9000
    select_a(card)
    assert _read(card, 0x0002) == 0x6982
    assert _read(card, 0x0004) == 0x9000


def test_power_cycle_drops_every_verification(card: VirtualCard) -> None:
    assert verify(card, 0x0001, b"1111") == 0x9000
    card.power_off()
    card.power_on()
    select_a(card)
    assert _read(card, 0x0004) == 0x6982
    assert card.mf.keys[0x0001].tries_left == 3  # counters survive power, as on a chip


def test_removed_card_raises_in_the_transport() -> None:
    c = build()
    t = InProcessTransport(c)
    assert t.transmit(Command(0x00, 0xA4, 0x04, 0x0C, AID_A)).sw == 0x9000
    c.remove()
    with pytest.raises(CardRemovedError):
        t.transmit(Command(0x00, 0xA4, 0x04, 0x0C, AID_A))
    c.insert()
    assert t.transmit(Command(0x00, 0xA4, 0x04, 0x0C, AID_A)).sw == 0x9000


def test_meter_counts_every_exchange(card: VirtualCard) -> None:
    select_a(card)
    tx(card, "00A4020C020001")
    tx(card, "00B0000000")
    assert card.meter.exchanges == 3
    assert card.meter.bytes_sent == 12 + 7 + 5
    assert card.meter.bytes_received == 2 + 2 + 258


# --- behaviours -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_rsa_challenge_signs_a_digest_info(rsa_key: rsa.RSAPrivateKey) -> None:
    c = build()
    c.applications[0].behaviours.append(RsaChallenge(rsa_key))
    c.power_on()
    select_a(c)
    message = b"challenge from the terminal"
    di = SHA256_PREFIX + hashlib.sha256(message).digest()
    signature, status = tx(c, f"802A0000{len(di):02X}{di.hex()}00")
    assert status == 0x9000 and len(signature) == 256
    rsa_key.public_key().verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    assert sw(c, f"802A0001{len(di):02X}{di.hex()}00") == 0x6A86  # P2 01 not enabled
    too_long = b"\x01" * 250
    assert sw(c, f"802A0000{len(too_long):02X}{too_long.hex()}00") == 0x6700


def test_rsa_challenge_needs_its_required_key(rsa_key: rsa.RSAPrivateKey) -> None:
    c = build()
    c.applications[0].behaviours.append(RsaChallenge(rsa_key, required=(0x0011,)))
    c.power_on()
    select_a(c)
    di = SHA256_PREFIX + bytes(32)
    assert sw(c, f"802A000033{di.hex()}00") == 0x6982
    assert verify(c, 0x0011, b"aaaa") == 0x9000
    assert sw(c, f"802A000033{di.hex()}00") == 0x9000
    # Only in its own application: in B the instruction is unknown.
    assert sw(c, "00A4040C07" + AID_B.hex()) == 0x9000
    assert sw(c, f"802A000033{di.hex()}00") == 0x6D00


def test_mute_behaviour_on_the_whole_card() -> None:
    c = build()
    c.behaviours.append(Mute(0x80, 0x2A, 0x6A81))
    c.power_on()
    assert sw(c, "802A0000020000") == 0x6A81
    assert sw(c, "00A4040C07" + AID_A.hex()) == 0x9000  # other commands unaffected


# --- the emulator itself takes input from the terminal: it must never crash --------------------------------


@settings(max_examples=5 * settings().max_examples)
@given(
    raws=st.lists(
        st.one_of(
            st.binary(max_size=12),
            st.tuples(
                st.sampled_from([b"\x00\xa4\x04\x0c", b"\x00\xa4\x02\x0c", b"\x00\xb0", b"\x00\x20\x00", b"\x00\x84"]),
                st.binary(max_size=10),
            ).map(b"".join),
        ),
        max_size=12,
    )
)
def test_fuzz_emulator_answers_everything(raws: list[bytes]) -> None:
    c = build()
    c.power_on()
    for raw in raws:
        answer = c.execute(raw)
        assert len(answer) >= 2
    for df in (c.mf, *c.applications):
        for key in df.keys.values():
            assert 0 <= key.tries_left <= key.max_tries
