"""マイナ免許証: the 免許AP the police load onto a My Number Card (reference drivers-license.md §6,
mynumber-card.md §8).

Known (hmpow/DLC_Starter, tested on a real card): the instance AID A0 00 00 02 31 06 00…00 answers SELECT
with 9000 (the ELF …3104… and EXE …3105… AIDs answer 6A82); EF 001A holds the PIN setting ``C1 01 00/01``;
the AP's own 4-digit PIN is at SFI 6 (VERIFY ``00 20 00 86``; the empty VERIFY answered 63CA, 10 tries);
EF 001B holds the licence data in the licence's TLV form, with tag C5 = 有効期限 as 元号 code + YYMMDD
(hmpow compares the first byte with 0x05 and reads six JIS X 0201 digits; a JIS X 0201 era digit '5' is
accepted too); EF 001C holds the signature and issuer information.

Not known: every other tag of 001B and the layout of 001C. They are shown as raw TLV, never guessed. A
value that is recognisably a JPEG 2000 image is shown as the photo (recognised by content, not by tag), and
001C tags B1–B6 are displayed as on the licence's EF07 if present (an inference). What 001C signs, and with
which key, is not published: the signature is reported as not verifiable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from taimen.core import apdu
from taimen.core.conversation import Conversation
from taimen.core.files import ReadSession, read_file
from taimen.core.tlv import Tlv, index, parse_one
from taimen.errors import CardError, OperatorInputError, ParseError, StatusError
from taimen.jistext import decode_x0201
from taimen.license.aids import DPIN
from taimen.license.elements import Element, era_date_value, unknown_element
from taimen.license.photo import J2K_SOC_SIZ, JP2_SIGNATURE, Photo, decode_jpeg2000
from taimen.license.pin import MYNA_PIN, TriesState, pin_bytes, present_pin, query_tries
from taimen.license.signature import TAGS as EF07_TAGS
from taimen.result import DateValue
from taimen.wareki import parse_era_coded

ELF_AID = bytes.fromhex("A0000002310400000000000000000000")
EXE_AID = bytes.fromhex("A0000002310500000000000000000000")
INSTANCE_AID = bytes.fromhex("A0000002310600000000000000000000")
PIN_SETTING_SFI = 0x1A  # WEF01 001A
DATA_SFI = 0x1B  # WEF02 001B 免許情報
SECURITY_SFI = 0x1C  # WEF03 001C 電子署名
PIN_SFI = 0x06  # IEF01 0006 (別紙3; 別添3-1's 0002 answers 6A82)
PIN_P2 = 0x80 | PIN_SFI
MAX_FILE = 16 * 1024
MAX_OBJECTS = 256


def parse_myna_records(data: bytes) -> list[Tlv]:
    """The licence's TLV form (one-byte tags, 0xFF padding), plus 5F40 as a two-byte tag as 50so reads it."""
    out: list[Tlv] = []
    pos = 0
    while pos < len(data):
        if data[pos] == 0xFF:
            break
        two_byte = data[pos : pos + 2] == b"\x5f\x40"
        t, pos = parse_one(data, pos, single_byte_tags=not two_byte)
        out.append(t)
        if len(out) > MAX_OBJECTS:
            raise ParseError(f"免許AP: more than {MAX_OBJECTS} objects")
    index(out)  # a tag twice is a forger's ambiguity
    return out


def decode_expiry(value: bytes) -> DateValue:
    """C5: era code (byte 01–05 or JIS X 0201 '1'–'5') + YYMMDD in JIS X 0201."""
    if len(value) == 7 and 1 <= value[0] <= 9:
        text = str(value[0]) + decode_x0201(value[1:]).text
    else:
        text = decode_x0201(value).text
    return era_date_value(parse_era_coded(text))


def _is_jpeg2000(value: bytes) -> bool:
    return value.startswith(JP2_SIGNATURE) or value.startswith(J2K_SOC_SIZ)


@dataclass
class MynaLicenseRead:
    pin_set: bool
    tries_before: int | None
    dpin_used: bool
    data_raw: bytes
    security_raw: bytes | None
    elements: list[Element] = field(default_factory=list)
    expiry: DateValue | None = None
    photo: Photo | None = None
    photo_tag: int | None = None
    signature: dict[str, object] = field(default_factory=dict)


def parse_pin_setting(data: bytes) -> tuple[bool, Element]:
    objs = {t.tag: t for t in parse_myna_records(data)}
    t = objs.get(0xC1)
    if t is None or len(t.value) != 1 or t.value[0] not in (0, 1):
        raise ParseError("免許AP EF 001A: PIN setting C1 01 00/01 expected")
    pin_set = t.value[0] == 1
    return pin_set, Element(0xC1, "暗証番号設定", "PIN setting", t.value, {"pin_set": pin_set}, "binary", "免許AP/001A")


def parse_data(data: bytes) -> tuple[list[Element], DateValue | None, Photo | None, int | None]:
    elements: list[Element] = []
    expiry = photo = photo_tag = None
    for t in parse_myna_records(data):
        if t.tag == 0xC5:
            expiry = decode_expiry(t.value)
            elements.append(Element(0xC5, "有効期限", "expiry date", t.value, expiry, "date", "免許AP/001B"))
        elif _is_jpeg2000(t.value) and photo is None:
            photo, photo_tag = decode_jpeg2000(t.value), t.tag
            elements.append(
                Element(
                    t.tag,
                    f"写真（内容から判定、タグ {t.tag:02X} は未公開）",
                    f"photo (recognised by content; tag {t.tag:02X} undocumented)",
                    t.value,
                    {"image": "photo", "format": photo.kind},
                    "raw",
                    "免許AP/001B",
                )
            )
        else:
            elements.append(unknown_element(t, "免許AP/001B"))
    return elements, expiry, photo, photo_tag


def parse_security(data: bytes) -> tuple[list[Element], dict[str, object]]:
    elements: list[Element] = []
    info: dict[str, object] = {}
    for t in parse_myna_records(data):
        if t.tag in EF07_TAGS:
            _, ja, en = EF07_TAGS[t.tag]
            decoded: object
            if t.tag in (0xB2, 0xB4, 0xB5):
                decoded = decode_x0201(t.value)
                info[{0xB2: "serial", 0xB4: "issuer", 0xB5: "subject"}[t.tag]] = decoded.text  # type: ignore[attr-defined]
            else:
                decoded = {"hex": t.value.hex().upper(), "bytes": len(t.value)}
                if t.tag == 0xB6:
                    info["ski"] = t.value.hex().upper()
                if t.tag == 0xB1:
                    info["signature_bytes"] = len(t.value)
            elements.append(
                Element(
                    t.tag,
                    f"{ja}（DF1/EF07 と同じタグと推定）",
                    f"{en} (assumed: same tag as DF1/EF07)",
                    t.value,
                    decoded,
                    "raw",
                    "免許AP/001C",
                )
            )
        else:
            elements.append(unknown_element(t, "免許AP/001C"))
    return elements, info


def select_license_ap() -> Conversation[None]:
    resp = yield apdu.select_aid(INSTANCE_AID, "SELECT 免許AP")
    if resp.sw == 0x6A82:
        raise CardError(
            "no 免許AP on this card: it is not a マイナ免許証",
            message_ja="このカードには免許AP（免許情報）がありません。マイナ免許証ではありません。",
        )
    if resp.sw != 0x9000:
        raise StatusError(resp.sw, "SELECT 免許AP")


def read_pin_state() -> Conversation[tuple[bool, Element, TriesState]]:
    """PIN setting and remaining tries (selects the 免許AP); spends nothing."""
    yield from select_license_ap()
    raw = yield from read_file(ReadSession(), sfi=PIN_SETTING_SFI, max_size=64, tlv=False, label="免許AP 001A")
    pin_set, el = parse_pin_setting(raw)
    tries = yield from query_tries(PIN_P2, MYNA_PIN)
    return pin_set, el, tries


def license_pin_value(pin_set: bool, pin: str | None) -> bytes:
    """The PIN to present: DPIN when the card says none was set, else the 4 digits (checked, not yet sent)."""
    if not pin_set:
        return DPIN
    if not pin:
        raise OperatorInputError(
            "this マイナ免許証 has a licence PIN set: it is needed",
            message_ja="このマイナ免許証には免許情報の暗証番号が設定されています。暗証番号を入力してください。",
        )
    return pin_bytes(pin, MYNA_PIN)


def unlock(value: bytes, tries: TriesState, *, confirm_last_try: bool) -> Conversation[None]:
    """One VERIFY at SFI 6 of the selected 免許AP, after the safety policy allowed it (none if already verified)."""
    yield from present_pin(PIN_P2, MYNA_PIN, value, tries, confirm_last_try=confirm_last_try)


def read_files(
    session: ReadSession, pin_set: bool, setting: Element, tries: TriesState
) -> Conversation[MynaLicenseRead]:
    """001B and 001C of the selected, unlocked 免許AP, parsed."""
    data = yield from read_file(session, sfi=DATA_SFI, max_size=MAX_FILE, tlv=False, label="免許AP 001B 免許情報")
    try:
        security = yield from read_file(
            session, sfi=SECURITY_SFI, max_size=MAX_FILE, tlv=False, label="免許AP 001C 電子署名"
        )
    except StatusError as exc:
        if exc.sw != 0x6A82:
            raise
        security = None
    elements, expiry, photo, photo_tag = parse_data(data)
    sec_elements, sig_info = parse_security(security) if security is not None else ([], {})
    return MynaLicenseRead(
        pin_set=pin_set,
        tries_before=tries.tries_left,
        dpin_used=not pin_set,
        data_raw=data,
        security_raw=security,
        elements=[setting, *elements, *sec_elements],
        expiry=expiry,
        photo=photo,
        photo_tag=photo_tag,
        signature=sig_info,
    )


def read_license_ap(
    pin: str | None, *, confirm_last_try: bool = False, session: ReadSession | None = None
) -> Conversation[MynaLicenseRead]:
    """The 免許AP alone: PIN setting, tries, one VERIFY (DPIN when no PIN is set), then 001B and 001C."""
    session = session or ReadSession()
    pin_set, setting, tries = yield from read_pin_state()
    value = license_pin_value(pin_set, pin)
    yield from unlock(value, tries, confirm_last_try=confirm_last_try)
    del value
    return (yield from read_files(session, pin_set, setting, tries))
