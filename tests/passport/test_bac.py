"""MRZ and BAC against ICAO Doc 9303 Part 11 Appendix D (D.2 key derivation, D.3 mutual authentication)."""

from __future__ import annotations

import pytest

from taimen.core.apdu import Response
from taimen.passport import bac
from taimen.passport.mrz import MrzKey, check_digit, key_from_mrz, parse_td3

h = bytes.fromhex

# Appendix D.3 values
RND_ICC = h("4608F91988702212")
RND_IFD = h("781723860C06C226")
K_IFD = h("0B795240CB7049B01C19B33E32804F0B")
CHIP_ANSWER = h("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449")
SPECIMEN = MrzKey("L898902C", "690806", "940623")


def test_appendix_d2_key_derivation() -> None:
    assert SPECIMEN.key_text() == "L898902C<369080619406236"
    assert SPECIMEN.seed() == h("239AB9CB282DAF66231DC5A4DF6BFBAE")
    k_enc, k_mac = bac.access_keys(SPECIMEN)
    assert k_enc == h("AB94FDECF2674FDFB9B391F85D7F76F2")
    assert k_mac == h("7962D9ECE03D1ACD4C76089DCE131543")


def test_appendix_d3_mutual_authentication_byte_for_byte() -> None:
    randoms = iter((RND_IFD, K_IFD))
    conv = bac.authenticate(SPECIMEN, random=lambda n: next(randoms))
    challenge = next(conv)
    assert challenge.to_bytes() == h("0084000008")
    mutual = conv.send(Response(RND_ICC, 0x9000))
    assert mutual.to_bytes() == h(
        "008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728"
    )
    assert mutual.secret
    with pytest.raises(StopIteration) as done:
        conv.send(Response(CHIP_ANSWER, 0x9000))
    channel = done.value.value
    assert channel.keys.enc == h("979EC13B1CBFE9DCD01AB0FED307EAE5")
    assert channel.keys.mac == h("F1CB1F1FB5ADF208806B89DC579DC1F8")
    assert channel.ssc == 0x887022120C06C226


def test_chip_side_reproduces_appendix_d3() -> None:
    k_enc, k_mac = bac.access_keys(SPECIMEN)
    data = h("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7")
    answer = bac.chip_answer(k_enc, k_mac, RND_ICC, data, random=lambda n: h("0B4F80323EB3191CB04970CB4052790B"))
    assert answer is not None and answer[0] == CHIP_ANSWER
    assert answer[1].keys.enc == h("979EC13B1CBFE9DCD01AB0FED307EAE5") and answer[1].ssc == 0x887022120C06C226


def test_refusal_and_forged_proof_are_told_apart() -> None:
    def run(resp: Response) -> None:
        randoms = iter((RND_IFD, K_IFD))
        conv = bac.authenticate(SPECIMEN, random=lambda n: next(randoms))
        next(conv)
        conv.send(Response(RND_ICC, 0x9000))
        conv.send(resp)

    with pytest.raises(bac.AccessRefused):
        run(Response(b"", 0x6300))
    with pytest.raises(bac.ChipProofInvalid):
        run(Response(bytes(40), 0x9000))  # "success" from a chip that does not know the key
    with pytest.raises(bac.ChipProofInvalid):
        run(Response(CHIP_ANSWER[:-1] + b"\x00", 0x9000))
    with pytest.raises(bac.ChipProofInvalid):
        run(Response(CHIP_ANSWER[:39], 0x9000))


def test_mrz_td3_specimen_parses_with_check_digits() -> None:
    mrz = (
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
    )
    td3 = parse_td3(mrz)
    assert td3.valid and td3.surname == "ERIKSSON" and td3.given_names == "ANNA MARIA"
    assert td3.document_number == "L898902C3" and td3.birth == "740812" and td3.expiry == "120415"
    assert td3.sex == "F" and td3.issuing_state == "UTO" and td3.optional == "ZE184226B"
    key, _ = key_from_mrz(mrz)
    assert key.key_text() == "L898902C36" + "7408122" + "1204159"
    assert "L898902C" not in repr(key) and "L898902C" not in repr(td3)


def test_wrong_check_digit_is_flagged_not_fixed() -> None:
    bad = (
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
        "L898902C37UTO7408122F1204159ZE184226B<<<<<10"
    )
    td3 = parse_td3(bad)
    assert not td3.valid and "document_number" in td3.failed and "composite" in td3.failed
    assert td3.document_number == "L898902C3"  # as printed, not repaired
    from taimen.errors import OperatorInputError

    with pytest.raises(OperatorInputError):
        key_from_mrz(bad)


def test_check_digit_examples() -> None:
    assert check_digit("L898902C<") == "3"
    assert check_digit("690806") == "1"
    assert check_digit("<<<<<<<<<<<<<<") == "0"
