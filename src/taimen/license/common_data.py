"""MF/EF01 共通データ要素 and MF/EF02 暗証番号設定: what the licence tells before any PIN.

MF/EF01 (17 bytes): ``45 0B`` spec version (3 chars JIS X 0201, e.g. "008") + 交付年月日 and 有効期間の末日 as
4-byte BCD Gregorian YYYYMMDD; ``46 02`` カード製造業者識別子 and 暗号関数識別子 (one byte each).
MF/EF02 (3 bytes): ``05 01 xx``; xx = 01 when the holder set PINs, 00 when the card holds DPIN "****" (spec: b1); any
other byte is refused as a card error, so a misread never sends DPIN.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from taimen.errors import ParseError
from taimen.jistext import decode_x0201
from taimen.license.elements import Element, parse_records, unknown_element


def bcd_date(value: bytes) -> date | None:
    """Gregorian YYYYMMDD in 4 BCD bytes; None when a nibble is not a digit or the day does not exist."""
    digits = value.hex()
    if len(value) != 4 or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class CommonData:
    spec_version: str
    issue: date | None
    expiry: date | None
    issue_raw: bytes
    expiry_raw: bytes
    maker: int | None  # カード製造業者識別子
    crypto: int | None  # 暗号関数識別子 (probably names the signature algorithm; values undocumented)
    elements: tuple[Element, ...] = field(default=())


def parse_common_data(data: bytes) -> CommonData:
    records = parse_records(data)
    t45 = records.get(0x45)
    if t45 is None:
        raise ParseError("MF/EF01: common data element (tag 45) is missing")
    if len(t45.value) != 11:
        raise ParseError(f"MF/EF01: tag 45 has {len(t45.value)} bytes, expected 11")
    v = t45.value
    version = decode_x0201(v[:3]).text
    issue, expiry = bcd_date(v[3:7]), bcd_date(v[7:11])
    maker = crypto = None
    elements = [
        Element(
            0x45,
            "共通データ要素（仕様書バージョン・交付年月日・有効期間の末日）",
            "common data (spec version, issue date, expiry date)",
            v,
            {
                "spec_version": version,
                "issue": issue.isoformat() if issue else None,
                "expiry": expiry.isoformat() if expiry else None,
                "issue_bcd": v[3:7].hex().upper(),
                "expiry_bcd": v[7:11].hex().upper(),
            },
            "common",
            "MF/EF01",
        )
    ]
    t46 = records.get(0x46)
    if t46 is not None:
        if len(t46.value) != 2:
            raise ParseError(f"MF/EF01: tag 46 has {len(t46.value)} bytes, expected 2")
        maker, crypto = t46.value[0], t46.value[1]
        elements.append(
            Element(
                0x46,
                "カード製造業者識別子・暗号関数識別子",
                "card manufacturer id, cryptographic function id",
                t46.value,
                {"manufacturer": f"{maker:02X}", "crypto_function": f"{crypto:02X}"},
                "binary",
                "MF/EF01",
            )
        )
    elements += [unknown_element(t, "MF/EF01") for tag, t in records.items() if tag not in (0x45, 0x46)]
    return CommonData(version, issue, expiry, v[3:7], v[7:11], maker, crypto, tuple(elements))


@dataclass(frozen=True, slots=True)
class PinSetting:
    pin_set: bool
    raw: int
    element: Element


def parse_pin_setting(data: bytes) -> PinSetting:
    records = parse_records(data)
    t = records.get(0x05)
    if t is None or len(t.value) != 1:
        raise ParseError("MF/EF02: PIN setting (tag 05, 1 byte) is missing")
    raw = t.value[0]
    if raw not in (0x00, 0x01):
        # Only 00 and 01 are specified. Reading any other byte as "b1 = 0" would send DPIN "****" unasked and
        # spend a try of a PIN the holder did set; a misread must stop the read instead.
        raise ParseError(f"MF/EF02: PIN setting {raw:02X} is neither 00 (no PIN, DPIN) nor 01 (PIN set)")
    pin_set = raw == 0x01
    el = Element(
        0x05,
        "暗証番号設定",
        "PIN setting",
        t.value,
        {"pin_set": pin_set, "meaning_ja": "暗証番号設定あり" if pin_set else "暗証番号設定なし（DPIN ****）"},
        "binary",
        "MF/EF02",
    )
    return PinSetting(pin_set, raw, el)
