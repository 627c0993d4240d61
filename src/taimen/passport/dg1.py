"""DG1: the MRZ as stored in the chip (9303-10 §4.7.1): ``61 { 5F1F <MRZ> }``."""

from __future__ import annotations

from taimen.core import tlv
from taimen.errors import OperatorInputError, ParseError
from taimen.passport.lds import outer_value
from taimen.passport.mrz import Td3, parse_td3


def parse_dg1(data: bytes) -> Td3:
    inner = tlv.index(tlv.parse_all(outer_value(data, 1)), unique=True)
    mrz = tlv.require(inner, 0x5F1F, what="DG1 MRZ").value
    if len(mrz) != 88:
        raise ParseError(f"DG1 holds a {len(mrz)}-character MRZ; taimen reads TD3 passports (88)")
    try:
        text = mrz.decode("ascii")
        return parse_td3(text[:44] + "\n" + text[44:])
    except (UnicodeDecodeError, OperatorInputError) as exc:
        raise ParseError(f"DG1 MRZ is not a TD3 MRZ: {exc}") from exc


def encode_dg1(line1: str, line2: str) -> bytes:
    return tlv.encode(0x61, tlv.encode(0x5F1F, (line1 + line2).encode("ascii")))
