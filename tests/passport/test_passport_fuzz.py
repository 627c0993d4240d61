"""Hostile bytes: every parser of passport chip data raises only CardError (ParseError), whatever it is given."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taimen.core import tlv
from taimen.errors import CardError
from taimen.passport import activeauth, lds
from taimen.passport.dg1 import parse_dg1
from taimen.passport.dg2 import parse_dg2, parse_facial_record
from taimen.passport.dg11 import parse_dg11, parse_dg12
from taimen.passport.dg14 import parse_dg14
from taimen.passport.dg15 import parse_dg15
from taimen.passport.sod import parse_sod
from taimen.samples import passport_cards as pc

_CARD = pc.sample("sato").card().applications[0].files
FILES = {fid: ef.data for fid, ef in _CARD.items()}
PARSERS = [
    (lds.parse_com, FILES[lds.EF_COM]),
    (parse_sod, FILES[lds.EF_SOD]),
    (parse_dg1, FILES[0x0101]),
    (parse_dg2, FILES[0x0102]),
    (parse_dg11, FILES[0x010B]),
    (parse_dg12, FILES[0x010C]),
    (parse_dg14, FILES[0x010E]),
    (parse_dg15, FILES[0x010F]),
    (parse_facial_record, tlv.parse_all(tlv.parse_single(FILES[0x0102], 0x75).value)[0].raw[60:]),
]
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _call(parser, data: bytes) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(CardError):
        parser(data)


def test_samples_parse() -> None:
    for parser, data in PARSERS[:-1]:
        parser(data)


@SETTINGS
@given(st.integers(0, len(PARSERS) - 1), st.binary(max_size=600))
def test_random_bytes(i: int, data: bytes) -> None:
    _call(PARSERS[i][0], data)


@SETTINGS
@given(st.integers(0, len(PARSERS) - 1), st.data())
def test_mutated_files(i: int, data: st.DataObject) -> None:
    parser, good = PARSERS[i]
    buf = bytearray(good)
    for _ in range(data.draw(st.integers(1, 6))):
        pos = data.draw(st.integers(0, len(buf) - 1))
        buf[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(buf)))
    _call(parser, bytes(buf[: cut or len(buf)]))


@SETTINGS
@given(st.binary(min_size=0, max_size=300), st.binary(min_size=8, max_size=8))
def test_active_auth_verify_never_raises(signature: bytes, nonce: bytes) -> None:
    key = pc.aa_key("rsa", "yamada").public_key()
    assert activeauth.verify(key, nonce, signature) is False
    ec_key = pc.aa_key("ec", "sato").public_key()
    assert activeauth.verify(ec_key, nonce, signature) is False


def test_dg15_with_an_unknown_key_type_is_a_parse_error() -> None:
    """Found by the mutation fuzzer: a flipped byte in the EC key OID made cryptography raise UnsupportedAlgorithm."""
    import pytest

    from taimen.errors import ParseError

    good = bytearray(FILES[0x010F])
    at = bytes(good).find(bytes.fromhex("2A8648CE3D0201"))  # id-ecPublicKey
    good[at] = 0x00
    with pytest.raises(ParseError):
        parse_dg15(bytes(good))
