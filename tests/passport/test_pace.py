"""PACE ECDH generic mapping against ICAO Doc 9303 Part 11 Appendix G.1 (brainpoolP256r1, AES-128), byte for byte.

The values are the worked example's; independent public implementations (gmrtd, JMRTD-derived tests) carry
the same numbers. Curve constants are cross-checked against ``cryptography``'s own key derivation.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from taimen.core.apdu import Response
from taimen.passport import pace
from taimen.passport.bac import AccessRefused, ChipProofInvalid
from taimen.passport.dg14 import parse_security_infos
from taimen.passport.ecc import CURVES
from taimen.passport.mrz import MrzKey

h = bytes.fromhex
KEY = MrzKey("T22000129", "640812", "101031")
CARD_ACCESS = h("31143012060A04007F0007020204020202010202010D")
NONCE_Z = h("95A3A016522EE98D01E76CB6B98B42C3")
SK_MAP_IFD = h("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99")
SK_DH_IFD = h("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595")
PK_MAP_IFD = h("047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
               "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D")  # fmt: skip
PK_MAP_IC = h("04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"
              "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54")  # fmt: skip
PK_DH_IFD = h("042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C"
              "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462")  # fmt: skip
PK_DH_IC = h("049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"
             "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094")  # fmt: skip
G_MAPPED = h("048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2"
             "8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522")  # fmt: skip
H_POINT = h("0460332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5"
            "0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181")  # fmt: skip


def _fixed(*scalars: bytes):  # type: ignore[no-untyped-def]
    """A random source giving the example's private keys (``_scalar`` reads size + 8 bytes, reduces mod n)."""
    values = iter(scalars)
    return lambda n: bytes(8) + next(values)


def test_password_and_nonce_key() -> None:
    assert KEY.password() == h("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD")
    assert pace.kdf(KEY.password(), 3, "AES", 16) == h("89DED1B26624EC1E634C1989302849DD")


def test_mapping_points() -> None:
    curve = CURVES[13]
    sk = int.from_bytes(SK_MAP_IFD, "big")
    assert curve.encode(curve.mul(sk, curve.g)) == PK_MAP_IFD
    hp = curve.mul(sk, curve.decode(PK_MAP_IC))
    assert curve.encode(hp) == H_POINT
    s = int.from_bytes(h("3F00C4D39D153F2B2A214A078D899B22"), "big")
    assert curve.encode(curve.add(curve.mul(s, curve.g), hp)) == G_MAPPED


def test_appendix_g1_transcript_byte_for_byte() -> None:
    params = pace.supported(parse_security_infos(CARD_ACCESS)[0])
    assert params is not None and params.curve.name == "brainpoolP256r1"
    conv = pace.authenticate(KEY, params, random=_fixed(SK_MAP_IFD, SK_DH_IFD))
    assert next(conv).to_bytes() == h("0022C1A412800A04007F0007020204020283010184010D")
    assert conv.send(Response(b"", 0x9000)).to_bytes() == h("10860000027C0000")
    assert conv.send(Response(h("7C1280") + bytes([16]) + NONCE_Z, 0x9000)).to_bytes() == \
        h("10860000457C438141") + PK_MAP_IFD + b"\x00"  # fmt: skip
    assert conv.send(Response(h("7C438241") + PK_MAP_IC, 0x9000)).to_bytes() == \
        h("10860000457C438341") + PK_DH_IFD + b"\x00"  # fmt: skip
    assert conv.send(Response(h("7C438441") + PK_DH_IC, 0x9000)).to_bytes() == h("008600000C7C0A8508C2B0BD78D94BA86600")
    with pytest.raises(StopIteration) as done:
        conv.send(Response(h("7C0A86083ABB9674BCE93C08"), 0x9000))
    channel = done.value.value
    assert channel.keys.enc == h("F5F0E35C0D7161EE6724EE513A0D9A7F")
    assert channel.keys.mac == h("FE251C7858B356B24514B3BD5F4297D1")
    assert channel.ssc == 0


def test_wrong_token_from_the_chip_is_a_forgery_and_refusal_is_not() -> None:
    params = pace.supported(parse_security_infos(CARD_ACCESS)[0])
    assert params is not None

    def run(last: Response) -> None:
        conv = pace.authenticate(KEY, params, random=_fixed(SK_MAP_IFD, SK_DH_IFD))
        next(conv)
        conv.send(Response(b"", 0x9000))
        conv.send(Response(h("7C1280") + bytes([16]) + NONCE_Z, 0x9000))
        conv.send(Response(h("7C438241") + PK_MAP_IC, 0x9000))
        conv.send(Response(h("7C438441") + PK_DH_IC, 0x9000))
        conv.send(last)

    with pytest.raises(ChipProofInvalid):
        run(Response(h("7C0A86080000000000000000"), 0x9000))
    with pytest.raises(AccessRefused):
        run(Response(b"", 0x6300))


def test_points_off_the_curve_are_refused() -> None:
    curve = CURVES[13]
    bad = bytearray(PK_MAP_IC)
    bad[-1] ^= 1
    with pytest.raises(Exception, match="not on"):
        curve.decode(bytes(bad))


@pytest.mark.parametrize("pid,named", [(12, ec.SECP256R1()), (15, ec.SECP384R1()), (18, ec.SECP521R1()),
                                       (13, ec.BrainpoolP256R1()), (16, ec.BrainpoolP384R1()),
                                       (17, ec.BrainpoolP512R1())])  # fmt: skip
def test_curve_constants_match_cryptography(pid: int, named: ec.EllipticCurve) -> None:
    curve = CURVES[pid]
    k = 0x1234567890ABCDEF1234567890ABCDEF
    pub = ec.derive_private_key(k, named).public_key().public_numbers()
    assert curve.mul(k, curve.g) == (pub.x, pub.y)
    assert curve.mul(curve.n, curve.g) is None


@pytest.mark.parametrize("oid,pid", [("0.4.0.127.0.7.2.2.4.2.2", 12), ("0.4.0.127.0.7.2.2.4.2.4", 16),
                                     ("0.4.0.127.0.7.2.2.4.2.1", 13)])  # fmt: skip
def test_terminal_and_chip_agree(oid: str, pid: int) -> None:
    from taimen.passport.dg14 import SecurityInfo

    params = pace.supported(SecurityInfo(oid, "", 2, pid))
    assert params is not None
    chip = pace.PaceChip(KEY, params)
    conv = pace.authenticate(KEY, params)
    cmd = next(conv)
    assert cmd.secret
    resp = Response(b"", 0x9000)
    chip_channel = None
    try:
        while True:
            cmd = conv.send(resp)
            resp, chip_channel = chip.step(cmd)
    except StopIteration as done:
        channel = done.value
    assert chip_channel is not None and channel.keys.enc == chip_channel.keys.enc
    wrong = pace.PaceChip(MrzKey("T22000129", "640812", "101030"), params)
    conv = pace.authenticate(KEY, params)
    next(conv)
    resp = Response(b"", 0x9000)
    with pytest.raises((AccessRefused, ChipProofInvalid)):
        while True:
            cmd = conv.send(resp)
            resp, _ = wrong.step(cmd)
