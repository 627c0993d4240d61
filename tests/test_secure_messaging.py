"""Secure messaging (core/secure_messaging.py): published vectors, both sides, and a hostile chip.

Vectors: ICAO Doc 9303 Part 11 Appendix D (BAC worked example: EF.COM SELECT and READ BINARY under 3DES
SM) and the residence card's 2nd-generation spec 001460711.pdf Appendix 2 (residence-card.md §2).
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taimen.core.apdu import Command, Response, read_binary
from taimen.core.conversation import drive
from taimen.core.files import ReadSession, read_file
from taimen.core.secure_messaging import (
    ENCRYPTION_ONLY,
    ICAO_9303,
    SM_SHORT_LE,
    SecureChannel,
    SecureMessagingError,
    SmCommandError,
    secured,
)
from taimen.core.symmetric import (
    SessionKeys,
    aes_cbc_decrypt,
    aes_cbc_encrypt,
    aes_cmac,
    pad,
    retail_mac,
    tdes_cbc_encrypt,
    unpad,
)
from taimen.errors import AnswerTooLong, ExtendedLengthUnsupported, ParseError

h = bytes.fromhex

# --- ICAO 9303-11 Appendix D ------------------------------------------------------------------------------
ICAO_KMAC = h("7962D9ECE03D1ACD4C76089DCE131543")
ICAO_KENC = h("AB94FDECF2674FDFB9B391F85D7F76F2")
ICAO_KSENC = h("979EC13B1CBFE9DCD01AB0FED307EAE5")
ICAO_KSMAC = h("F1CB1F1FB5ADF208806B89DC579DC1F8")
ICAO_SSC = 0x887022120C06C226


def icao_channel() -> SecureChannel:
    return SecureChannel(SessionKeys("3DES", ICAO_KSENC, ICAO_KSMAC), ICAO_9303, ssc=ICAO_SSC)


def test_icao_bac_mutual_authenticate_cryptogram_and_mac() -> None:
    s = h("781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B")
    e_ifd = tdes_cbc_encrypt(ICAO_KENC, s)
    assert e_ifd == h("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
    assert retail_mac(ICAO_KMAC, e_ifd) == h("5F1448EEA8AD90A7")


def test_icao_select_ef_com() -> None:
    ch = icao_channel()
    protected = ch.protect(Command(0x00, 0xA4, 0x02, 0x0C, h("011E")))
    assert protected.to_bytes() == h("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
    plain = ch.unprotect(Response.from_bytes(h("990290008E08FA855A5D4C50A8ED9000")))
    assert plain == Response(b"", 0x9000)


def test_icao_read_binary_ef_com() -> None:
    ch = icao_channel()
    ch.ssc = 0x887022120C06C228
    protected = ch.protect(Command(0x00, 0xB0, 0x00, 0x00, le=4))
    assert protected.to_bytes() == h("0CB000000D9701048E08ED6705417E96BA5500")
    plain = ch.unprotect(Response.from_bytes(h("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")))
    assert plain == Response(h("60145F01"), 0x9000)
    protected = ch.protect(Command(0x00, 0xB0, 0x00, 0x04, le=0x12))
    assert protected.to_bytes() == h("0CB000040D9701128E082EA28A70F3C7B53500")
    plain = ch.unprotect(
        Response.from_bytes(
            h("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000")
        )
    )
    assert plain == Response(h("04303130365F36063034303030305C026175"), 0x9000)


# --- residence card, 2nd generation (001460711.pdf Appendix 2) ---------------------------------------------
RC_KEY = h("6522B4E171195BB218223A976C040111")
RC_KSENC = h("C19CF13D3D7FBEE9EA293D834C88952F")


def test_residence_gen2_mutual_authenticate_vectors() -> None:
    rnd_ifd, k_ifd, rnd_icc = h("1122334455667788"), h("404142434445464748494A4B4C4D4E4F"), h("921CE277323DA057")
    e_ifd = aes_cbc_encrypt(RC_KEY, rnd_ifd + rnd_icc + k_ifd)
    assert e_ifd == h("4AD3C7B6BB484A52771977DED618B41DF841FA0476A05FBE041DEAD6109E773B")
    assert aes_cmac(RC_KEY, e_ifd)[:8] == h("AC854617634F5397")
    e_icc = h("289A96B1DA6AE3DA87770419BFD14F0BDAD15F36432B5A946C188C7221759A62")
    assert aes_cmac(RC_KEY, e_icc)[:8] == h("FA942EC51E62FF5F")
    assert aes_cbc_decrypt(RC_KEY, e_icc)[:16] == rnd_icc + rnd_ifd


def rc_channel() -> SecureChannel:
    return SecureChannel(SessionKeys("AES", RC_KSENC, RC_KSENC), ENCRYPTION_ONLY)


def test_residence_gen2_verify_command() -> None:
    verify = Command(0x00, 0x20, 0x00, 0x86, b"AA12345678BB", secret=True)
    protected = rc_channel().protect(verify)
    assert protected.to_bytes() == h("0820008613861101EE0B31EF877F68D071C56D58C72E6748")
    assert protected.secret


def test_residence_gen2_read_binary_command_and_response() -> None:
    ch = rc_channel()
    protected = ch.protect(read_binary(0, 65536, sfi=4))
    assert protected.to_bytes() == h("08B0840000000496020000" + "0000")
    body = b"\xd0\x82\x00\x03abc\xd1\x82\x00\x02jp"
    cryptogram = aes_cbc_encrypt(RC_KSENC, pad(body, 16))
    plain = ch.unprotect(Response(b"\x86" + bytes((len(cryptogram) + 1,)) + b"\x01" + cryptogram, 0x9000))
    assert plain == Response(body, 0x9000)


def test_residence_verify_mismatch_is_a_plain_status() -> None:
    ch = rc_channel()
    ch.protect(Command(0x00, 0x20, 0x00, 0x86, b"AA12345678BB"))
    assert ch.unprotect(Response(b"", 0x6300)) == Response(b"", 0x6300)
    assert not ch.closed


# --- both sides agree -------------------------------------------------------------------------------------
KEYS = {
    ("3DES", ICAO_9303): (SessionKeys("3DES", ICAO_KSENC, ICAO_KSMAC), 1),
    ("AES", ICAO_9303): (SessionKeys("AES", bytes(range(16)), bytes(range(16, 32))), (1 << 128) - 1),
    ("3DES", ENCRYPTION_ONLY): (SessionKeys("3DES", RC_KEY, RC_KEY), None),
    ("AES", ENCRYPTION_ONLY): (SessionKeys("AES", RC_KSENC, RC_KSENC), None),
}


def pair(key: tuple[str, object]) -> tuple[SecureChannel, SecureChannel]:
    keys, ssc = KEYS[key]  # type: ignore[index]
    profile = key[1]
    return SecureChannel(keys, profile, ssc), SecureChannel(keys, profile, ssc)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", list(KEYS))
@given(
    data=st.binary(max_size=600),
    le=st.one_of(st.none(), st.integers(1, 65536)),
    answer=st.binary(max_size=600),
)
def test_terminal_and_card_agree(key: tuple[str, object], data: bytes, le: int | None, answer: bytes) -> None:
    terminal, card = pair(key)
    command = Command(0x00, 0xB0, 0x01, 0x02, data, le)
    seen = card.card_unprotect(Command.from_bytes(terminal.protect(command).to_bytes()))
    assert (seen.cla, seen.ins, seen.p1, seen.p2, seen.data, seen.le) == (0, 0xB0, 1, 2, data, le)
    reply = card.card_protect(Response(answer, 0x9000))
    assert terminal.unprotect(Response.from_bytes(reply.to_bytes())) == Response(answer, 0x9000)
    assert terminal.ssc == card.ssc


def test_ssc_wraps_and_aes_iv_follows_counter() -> None:
    terminal, card = pair(("AES", ICAO_9303))
    for i in range(3):
        card.card_unprotect(terminal.protect(Command(0, 0xA4, 2, 0x0C, bytes((i, 1)))))
        terminal.unprotect(card.card_protect(Response(b"", 0x9000)))
    assert terminal.ssc == card.ssc == 5  # wrapped from 2^128-1


# --- a hostile chip ---------------------------------------------------------------------------------------
def sent(ch: SecureChannel) -> None:
    ch.protect(Command(0x00, 0xB0, 0x00, 0x00, le=4))


def test_altered_response_is_refused_and_the_channel_closes() -> None:
    ch = icao_channel()
    ch.ssc = 0x887022120C06C228
    sent(ch)
    good = h("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")
    bad = good[:4] + bytes((good[4] ^ 1,)) + good[5:]
    with pytest.raises(SecureMessagingError, match="checksum"):
        ch.unprotect(Response.from_bytes(bad))
    assert ch.closed
    with pytest.raises(SecureMessagingError):
        sent(ch)


def test_replayed_response_fails_with_the_next_counter() -> None:
    ch = icao_channel()
    ch.protect(Command(0x00, 0xA4, 0x02, 0x0C, h("011E")))
    answer = Response.from_bytes(h("990290008E08FA855A5D4C50A8ED9000"))
    ch.unprotect(answer)
    ch.protect(Command(0x00, 0xA4, 0x02, 0x0C, h("011E")))
    with pytest.raises(SecureMessagingError, match="checksum"):
        ch.unprotect(answer)


@pytest.mark.parametrize(
    ("data", "sw", "why"),
    [
        (h("99029000"), 0x9000, "lacks its checksum"),
        (h("8E080102030405060708"), 0x9000, "lacks"),
        (h("990290008E08FA855A5D4C50A8ED") + h("5301FF"), 0x9000, "unexpected"),
        (h("9902900099029000"), 0x9000, "not valid TLV"),
        (b"", 0x9000, "without"),
        (h("9902"), 0x9000, "not valid TLV"),
    ],
)
def test_malformed_icao_responses(data: bytes, sw: int, why: str) -> None:
    ch = icao_channel()
    ch.protect(Command(0x00, 0xA4, 0x02, 0x0C, h("011E")))
    with pytest.raises(SecureMessagingError, match=why):
        ch.unprotect(Response(data, sw))
    assert ch.closed


def test_outer_status_must_match_the_protected_one() -> None:
    terminal, card = pair(("AES", ICAO_9303))
    card.card_unprotect(terminal.protect(Command(0, 0xB0, 0, 0, le=4)))
    reply = card.card_protect(Response(b"abcd", 0x9000))
    with pytest.raises(SecureMessagingError, match="disagrees"):
        terminal.unprotect(Response(reply.data, 0x6282))


@pytest.mark.parametrize("sw", [0x6987, 0x6988])
def test_sm_error_status_ends_the_session(sw: int) -> None:
    ch = rc_channel()
    ch.protect(read_binary(0, 65536, sfi=4))
    assert ch.unprotect(Response(b"", sw)).sw == sw
    assert ch.closed


def test_bad_padding_in_an_encryption_only_response() -> None:
    ch = rc_channel()
    sent(ch)
    cryptogram = aes_cbc_encrypt(RC_KSENC, b"no padding here!")
    with pytest.raises(SecureMessagingError, match="malformed"):
        ch.unprotect(Response(b"\x86\x11\x01" + cryptogram, 0x9000))
    ch = rc_channel()
    sent(ch)
    with pytest.raises(SecureMessagingError, match="indicator"):
        ch.unprotect(Response(b"\x86\x11\x02" + cryptogram, 0x9000))


@given(st.binary(max_size=300), st.integers(0, 0xFFFF))
def test_unprotect_fuzz_only_raises_sm_errors(data: bytes, sw: int) -> None:
    for make in (icao_channel, rc_channel):
        ch = make()
        sent(ch)
        with contextlib.suppress(SecureMessagingError):
            ch.unprotect(Response(data, sw))


@given(st.binary(max_size=300))
def test_card_unprotect_fuzz_only_raises_command_errors(data: bytes) -> None:
    for profile_cla, make in ((0x0C, icao_channel), (0x08, rc_channel)):
        ch = make()
        with contextlib.suppress(SmCommandError):
            ch.card_unprotect(Command(profile_cla, 0xB0, 0, 0, data, 256))


def test_card_side_refuses_a_wrong_checksum_with_6988() -> None:
    terminal, card = pair(("3DES", ICAO_9303))
    protected = terminal.protect(Command(0, 0xA4, 2, 0x0C, h("011E")))
    tampered = Command(protected.cla, protected.ins, protected.p1, 0x0D, protected.data, protected.le)
    with pytest.raises(SmCommandError) as err:
        card.card_unprotect(tampered)
    assert err.value.sw == 0x6988


def test_padding_helpers() -> None:
    assert pad(b"", 8) == h("8000000000000000")
    assert pad(bytes(7), 8) == bytes(7) + b"\x80"
    assert unpad(pad(b"abc", 16), 16) == b"abc"
    for bad in (b"", bytes(16), h("80") + bytes(16), b"abc"):
        with pytest.raises(ParseError):
            unpad(bad, 16)


def test_keys_never_show_in_repr() -> None:
    ch = icao_channel()
    assert ICAO_KSENC.hex() not in repr(ch).lower()
    assert ICAO_KSENC.hex() not in repr(ch.keys).lower()


# --- file reading inside SM, with the reader's extended → short fallback -----------------------------------
class ShortOnlyCard:
    """A chip behind a reader that refuses extended APDUs; its EF holds 700 bytes of TLV."""

    name = "short-only"

    def __init__(self, channel: SecureChannel) -> None:
        self.card = channel
        self.ef = b"\x53\x82\x02\xb8" + bytes(range(256)) * 2 + bytes(184)
        self.sent: list[Command] = []

    def transmit(self, command: Command) -> Response:
        if command.extended:
            raise ExtendedLengthUnsupported("reader carries short APDUs only")
        plain = self.card.card_unprotect(command)
        self.sent.append(plain)
        offset = (plain.p1 << 8) | plain.p2
        answer = self.card.card_protect(Response(self.ef[offset : offset + (plain.le or 0)], 0x9000))
        assert len(answer.data) <= 256, "a short response carries at most 256 bytes"
        return answer

    def close(self) -> None:
        pass


def test_file_read_inside_sm_falls_back_to_short_reads() -> None:
    terminal, card_side = pair(("AES", ICAO_9303))
    card = ShortOnlyCard(card_side)
    session = ReadSession(short_le=SM_SHORT_LE)
    data = drive(secured(read_file(session, max_size=4096), terminal), card)
    assert data == card.ef
    assert terminal.ssc == card_side.ssc
    assert all(not c.extended for c in card.sent)
    assert session.extended_fallbacks == 1
    assert len(card.sent) == 4  # 700 bytes in reads of at most 223


class SmallAnswerReader(ShortOnlyCard):
    """The same chip behind a reader that also loses answers longer than 160 bytes (after the chip sent them)."""

    name = "small-answers"

    def transmit(self, command: Command) -> Response:
        answer = super().transmit(command)
        if len(answer.data) > 160:
            raise AnswerTooLong("the reader lost a long answer")
        return answer


@pytest.mark.parametrize("key", [("AES", ICAO_9303), ("3DES", ICAO_9303), ("AES", ENCRYPTION_ONLY)])
def test_lost_answers_step_reads_down_and_keep_the_counters_in_step(key: tuple[str, object]) -> None:
    terminal, card_side = pair(key)
    card = SmallAnswerReader(card_side)
    session = ReadSession(short_le=SM_SHORT_LE)
    data = drive(secured(read_file(session, max_size=4096), terminal), card)
    assert data == card.ef
    assert terminal.ssc == card_side.ssc  # the chip counted the lost response; the terminal stepped past it
    assert session.short_le <= 128 and session.short_step_downs >= 1
