"""Hostile bytes: every parser of card data raises only ParseError/CardError, whatever it is given."""

from __future__ import annotations

import contextlib
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taimen.errors import CardError
from taimen.mynumber import cvc, jpki_ap, kenmen_ap, picture, signatures, text_ap
from taimen.mynumber.aids import JpkiAp, KenmenAp, TextAp
from taimen.mynumber.efs import FileResult
from taimen.samples import mynumber_cards as mc
from taimen.trust import TrustStore

CHIP = mc.genuine("yamada").chip
PARSERS = [
    (text_ap.parse_attributes, CHIP.text_files[TextAp.ATTRIBUTES]),
    (text_ap.parse_integrity, CHIP.text_files[TextAp.INTEGRITY]),
    (text_ap.parse_signed_key, CHIP.text_files[TextAp.SIGNED_KEY]),
    (cvc.parse_cvc, CHIP.text_files[TextAp.CVC]),
    (kenmen_ap.parse_card_face, CHIP.kenmen_files[KenmenAp.CARD_FACE]),
    (kenmen_ap.parse_basic_info, CHIP.kenmen_files[KenmenAp.BASIC_INFO]),
    (jpki_ap.parse_token_info, CHIP.jpki_files[JpkiAp.TOKEN_INFO]),
    (jpki_ap.parse_certificate, CHIP.jpki_files[JpkiAp.AUTH_CERT]),
    (signatures.parse_rsa_public_key, signatures.encode_rsa_public_key(CHIP.card_key.public_key())),
    (
        lambda b: picture.inspect(b, allowed=(picture.PNG, picture.JP2, picture.J2K), max_width=999, max_height=999),
        mc.photo_jp2(1),
    ),
]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _call(parser, data: bytes) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(CardError):
        parser(data)


@SETTINGS
@given(st.binary(max_size=700))
def test_random_bytes(data: bytes) -> None:
    for parser, _ in PARSERS:
        _call(parser, data)


@SETTINGS
@given(st.sampled_from(range(len(PARSERS))), st.data())
def test_mutated_valid_records(which: int, data: st.DataObject) -> None:
    parser, valid = PARSERS[which]
    buf = bytearray(valid)
    for _ in range(data.draw(st.integers(1, 8))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert", "length"]))
        pos = data.draw(st.integers(0, max(0, len(buf) - 1)))
        if op == "flip" and buf:
            buf[pos] ^= data.draw(st.integers(1, 255))
        elif op == "cut":
            del buf[pos:]
        elif op == "insert":
            buf[pos:pos] = data.draw(st.binary(min_size=1, max_size=8))
        elif op == "length" and len(buf) > 4:
            buf[min(pos, 4)] = data.draw(st.sampled_from([0x00, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0xFF]))
    _call(parser, bytes(buf))


@SETTINGS
@given(st.binary(max_size=600), st.binary(max_size=600), st.binary(max_size=700))
def test_evaluation_never_crashes_on_hostile_files(a: bytes, b: bytes, c: bytes) -> None:
    """The whole text-AP and 券面AP evaluation turns any bytes into checks, never an exception."""
    store = TrustStore()
    challenge = None
    text_ap.evaluate(
        text_ap.TextApRecords(FileResult(a), FileResult(b), FileResult(c), FileResult(a), challenge), store
    )
    kenmen_ap.evaluate(kenmen_ap.KenmenApRecords(FileResult(c), FileResult(b), FileResult(a), challenge), store)
    jpki_ap.evaluate(
        jpki_ap.JpkiRecords(0x9000, FileResult(a), FileResult(b), FileResult(c)),
        store,
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
