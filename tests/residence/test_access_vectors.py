"""The official 2nd-generation vectors (001460711.pdf Appendix 2, residence-card.md §2), byte for byte,
through taimen's own access conversation and core's secure messaging."""

from __future__ import annotations

import pytest

from taimen.core.apdu import Response
from taimen.core.symmetric import aes_cbc_encrypt, pad
from taimen.residence import access
from taimen.residence.access import GEN1, GEN2, AuthenticationFailed, NumberRejected

h = bytes.fromhex
NUMBER = "AA12345678BB"
RND_IFD = h("1122334455667788")
K_IFD = h("404142434445464748494A4B4C4D4E4F")
RND_ICC = h("921CE277323DA057")
E_ICC = h("289A96B1DA6AE3DA87770419BFD14F0BDAD15F36432B5A946C188C7221759A62")
M_ICC = h("FA942EC51E62FF5F")
K_ICC = h("2CC6AF9B8B607C662FDCAD27B401D08B")
KSENC = h("C19CF13D3D7FBEE9EA293D834C88952F")


def vector_random() -> object:
    values = [RND_IFD, K_IFD]
    return lambda n: values.pop(0)


def test_key_derivation() -> None:
    assert access.base_key(NUMBER) == h("6522B4E171195BB218223A976C040111")
    assert access.session_key(K_IFD, K_ICC) == KSENC


def test_full_conversation_reproduces_every_command() -> None:
    conv = access.open_access(NUMBER, 2, random=vector_random())
    assert next(conv).to_bytes() == h("0084000008")
    ma = conv.send(Response(RND_ICC, 0x9000))
    assert ma.to_bytes() == h(
        "00820000284AD3C7B6BB484A52771977DED618B41DF841FA0476A05FBE041DEAD6109E773BAC854617634F539700"
    )
    verify = conv.send(Response(E_ICC + M_ICC, 0x9000))
    assert verify.to_bytes() == h("0820008613861101EE0B31EF877F68D071C56D58C72E6748")
    assert verify.secret
    with pytest.raises(StopIteration) as done:
        conv.send(Response(b"", 0x9000))
    acc = done.value.value
    assert acc.channel.keys.enc == KSENC
    # Appendix 2 READ BINARY of DF1/EF03 in SM, full EF (extended Le 0000)
    from taimen.core.apdu import read_binary

    cmd = acc.channel.protect(read_binary(0, 65536, sfi=4))
    assert cmd.to_bytes() == h("08B08400000004960200000000")
    body = b"\xd0\x82\x09\xc4" + bytes(2500) + b"\xd1\x82\x0b\xb8" + bytes(3000)
    ct = aes_cbc_encrypt(KSENC, pad(body, 16))
    assert len(ct) == 5520  # "86 82 15 91 01 [5520 bytes]" in Appendix 2
    wrapped = b"\x86\x82\x15\x91\x01" + ct
    assert acc.channel.unprotect(Response(wrapped, 0x9000)).data == body


def test_card_side_answers_the_vector() -> None:
    data = access.authenticate_data(access.base_key(NUMBER), GEN2, RND_ICC, RND_IFD, K_IFD)
    resp, ks = access.card_answer(access.base_key(NUMBER), GEN2, data, RND_ICC, K_ICC)
    assert resp.data == E_ICC + M_ICC and ks == KSENC


@pytest.mark.parametrize("cipher", [GEN1, GEN2])
def test_both_generations_round_trip_and_wrong_number(cipher: access.Cipher) -> None:
    key = access.base_key(NUMBER)
    data = access.authenticate_data(key, cipher, RND_ICC, RND_IFD, K_IFD)
    resp, _ = access.card_answer(key, cipher, data, RND_ICC, K_ICC)
    assert access.check_icc_answer(key, cipher, resp.data, RND_ICC, RND_IFD) == K_ICC
    wrong = access.base_key("AA12345678BC")
    refused, none = access.card_answer(wrong, cipher, data, RND_ICC, K_ICC)
    assert refused.sw == 0x6300 and none is None
    with pytest.raises(AuthenticationFailed):
        access.check_icc_answer(wrong, cipher, resp.data, RND_ICC, RND_IFD)
    with pytest.raises(AuthenticationFailed):  # a replayed answer for another challenge
        access.check_icc_answer(key, cipher, resp.data, RND_IFD, RND_ICC)


def test_6300_stops_and_never_retries() -> None:
    conv = access.open_access(NUMBER, 2, random=vector_random())
    next(conv)
    conv.send(Response(RND_ICC, 0x9000))
    with pytest.raises(NumberRejected):
        conv.send(Response(b"", 0x6300))


def test_gen1_verify_is_two_des_blocks() -> None:
    from taimen.core.secure_messaging import ENCRYPTION_ONLY, SecureChannel
    from taimen.core.symmetric import SessionKeys, tdes_cbc_encrypt

    ks = access.session_key(K_IFD, K_ICC)
    ch = SecureChannel(SessionKeys("3DES", ks, ks), ENCRYPTION_ONLY)
    cmd = ch.protect(access.verify_command(NUMBER))
    expected = tdes_cbc_encrypt(ks, NUMBER.encode() + b"\x80\x00\x00\x00")
    assert cmd.to_bytes() == h("0820008613861101") + expected
