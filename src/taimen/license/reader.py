"""The one conversation that reads an IC driving licence (sans-I/O: yields APDUs, receives responses).

Order, and why:
1. SELECT MF; MF/EF01 (共通データ要素) and MF/EF02 (暗証番号設定) need no PIN: spec version and Gregorian
   dates, and whether the holder set PINs (if not, DPIN "****" opens the card; nobody is asked).
2. Remaining tries of PIN1 and PIN2 (VERIFY without data, short-EF form 81/82 while the MF is current; sent
   from DF1 the card answers 6981). Both are checked against the safety policy before either is presented.
3. VERIFY PIN1, then PIN2 only if PIN1 was accepted. A refused PIN stops the read at once.
4. SELECT DF1 and read its EFs by short EF identifier (one extended READ BINARY each where the reader allows);
   EF02 本籍 and EF06 本籍の追記 only with PIN2. With PIN2, SELECT DF2 and read the photo.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from taimen.core import apdu
from taimen.core.conversation import Conversation, transmit_ok
from taimen.core.files import ReadSession, read_file, select_and_read
from taimen.errors import ParseError, StatusError
from taimen.license import aids
from taimen.license.aids import LicenseFile
from taimen.license.common_data import CommonData, PinSetting, parse_common_data, parse_pin_setting
from taimen.license.elements import Element
from taimen.license.gaiji import Gaiji, parse_ef03, parse_ef05
from taimen.license.honseki import parse_honseki
from taimen.license.kisai import Kisai, parse_kisai
from taimen.license.photo import Photo, parse_photo_file
from taimen.license.pin import PIN1, PIN2, TriesState, choose_pins, present_pin, query_tries
from taimen.license.signature import SignatureInfo, parse_ef07
from taimen.license.tsuiki import Tsuiki, merge, parse_tsuiki
from taimen.pinsafety import must_verify


@dataclass
class LicenseRead:
    """Everything one read produced. ``files`` holds the raw EFs in memory only (for the signature check)."""

    common: CommonData
    pin_setting: PinSetting
    tries: dict[str, int | None]
    dpin_used: bool
    pin2_verified: bool
    kisai: Kisai
    files: dict[str, bytes] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    #: Optional files the card did not give: file key → status word ("6A82" not found, "6982" refused).
    not_read: dict[str, str] = field(default_factory=dict)
    #: PINs the card reported as already verified (no VERIFY was sent for them).
    already_unlocked: list[str] = field(default_factory=list)
    honseki: list[Element] = field(default_factory=list)
    gaiji: list[Gaiji] = field(default_factory=list)
    gaiji_elements: list[Element] = field(default_factory=list)
    tsuiki: Tsuiki = field(default_factory=lambda: Tsuiki((), ()))
    signature: SignatureInfo | None = None
    photo: Photo | None = None
    extended_length: bool = True


def read_tries() -> Conversation[tuple[PinSetting, TriesState, TriesState]]:
    """PIN setting and remaining tries of PIN1/PIN2, spending nothing."""
    yield from transmit_ok(apdu.select_mf())
    setting = parse_pin_setting(
        (yield from read_file(ReadSession(), sfi=aids.MF_PIN_SETTING_SFI, max_size=64, tlv=False, label="MF/EF02"))
    )
    t1 = yield from query_tries(0x80 | aids.PIN1_SFI, PIN1)
    t2 = yield from query_tries(0x80 | aids.PIN2_SFI, PIN2)
    return setting, t1, t2


#: Answers that mean "this optional file is not there for us": not found, or access refused (a card may
#: protect EF03–EF07 or the photo differently). Either way the file is reported as not read.
_NOT_READ = (0x6A82, 0x6982)


def _read_ef(
    session: ReadSession, f: LicenseFile, *, optional: bool, not_read: dict[str, str]
) -> Conversation[bytes | None]:
    try:
        data = yield from read_file(session, sfi=f.sfi, max_size=f.limit, tlv=False, label=f"{f.df}/{f.name_ja}")
    except StatusError as exc:
        if optional and exc.sw in _NOT_READ:
            not_read[f.key] = f"{exc.sw:04X}"
            return None
        raise
    return (yield from _complete(data, f))


def _complete(data: bytes, f: LicenseFile) -> Conversation[bytes]:
    """Read on when an answer stopped short of the specified size without saying so (a capping card/reader).

    The licence's EFs are not one BER object, so only their specified size shows a cut. The EF was selected
    by the SFI read, so offsets continue in it. A file that really is shorter costs one 6B00 answer.
    """
    out = bytearray(data)
    while len(out) < f.size:
        want = min(256, f.size - len(out))
        resp = yield apdu.read_binary(len(out), want, label=f"{f.df}/{f.name_ja}（続き）")
        if resp.sw == 0x6B00 or (resp.sw in (0x9000, 0x6282) and not resp.data):
            break
        if resp.sw not in (0x9000, 0x6282):
            raise StatusError(resp.sw, f"{f.df}/{f.name_ja}")
        if len(resp.data) > want:
            raise ParseError(f"{f.df}/{f.name_ja}: card returned {len(resp.data)} bytes for Le {want}")
        out += resp.data
        if resp.sw == 0x6282:
            break
    return bytes(out)


def read_license(
    pin1: str | None,
    pin2: str | None,
    *,
    confirm_last_try: bool = False,
    session: ReadSession | None = None,
) -> Conversation[LicenseRead]:
    session = session or ReadSession()
    yield from transmit_ok(apdu.select_mf())
    common = parse_common_data(
        (yield from select_and_read(session, aids.MF_COMMON_DATA_FID, max_size=256, tlv=False, label="MF/EF01"))
    )
    setting = parse_pin_setting(
        (yield from read_file(session, sfi=aids.MF_PIN_SETTING_SFI, max_size=64, tlv=False, label="MF/EF02"))
    )
    value1, value2, dpin = choose_pins(setting.pin_set, pin1, pin2)

    t1 = yield from query_tries(0x80 | aids.PIN1_SFI, PIN1)
    t2 = yield from query_tries(0x80 | aids.PIN2_SFI, PIN2)
    # Policy for both PINs before either is presented: a refusal must not leave half a read behind.
    must_verify(PIN1, t1, confirm_last_try=confirm_last_try)
    if value2 is not None:
        must_verify(PIN2, t2, confirm_last_try=confirm_last_try)
    already = [s for s, t in ((PIN1, t1), (PIN2, t2)) if t.already_verified and (s is PIN1 or value2 is not None)]
    yield from present_pin(0x80 | aids.PIN1_SFI, PIN1, value1, t1, confirm_last_try=confirm_last_try)
    if value2 is not None:
        yield from present_pin(0x80 | aids.PIN2_SFI, PIN2, value2, t2, confirm_last_try=confirm_last_try)
    with_pin2 = value2 is not None
    del value1, value2  # the PINs are not kept past their VERIFY

    yield from transmit_ok(apdu.select_aid(aids.DF1_AID, "SELECT DF1（記載事項）"))
    files: dict[str, bytes] = {}
    absent: list[str] = []
    not_read: dict[str, str] = {}
    for f in aids.DF1_FILES:
        if 2 in f.pins and not with_pin2:
            continue
        optional = f is not aids.DF1_EF01 and f is not aids.DF1_EF02
        data = yield from _read_ef(session, f, optional=optional, not_read=not_read)
        if data is None:
            absent.append(f"{f.df}/{f.name_ja}")
        else:
            files[f.key] = data
    if with_pin2:
        # A licence without its photo still shows everything else; the photo is then marked missing.
        resp = yield apdu.select_aid(aids.DF2_AID, "SELECT DF2（写真）")
        photo_raw = None
        if resp.sw == 0x9000:
            photo_raw = yield from _read_ef(session, aids.DF2_EF01, optional=True, not_read=not_read)
        elif resp.sw in _NOT_READ:
            not_read[aids.DF2_EF01.key] = f"{resp.sw:04X}"
        else:
            raise StatusError(resp.sw, "SELECT DF2（写真）")
        if photo_raw is None:
            absent.append(f"{aids.DF2_EF01.df}/{aids.DF2_EF01.name_ja}")
        else:
            files[aids.DF2_EF01.key] = photo_raw

    result = LicenseRead(
        common=common,
        pin_setting=setting,
        tries={"pin1": t1.tries_left, "pin2": t2.tries_left},
        dpin_used=dpin,
        pin2_verified=with_pin2,
        kisai=parse_kisai(files["df1_ef01"]),
        files=files,
        absent=absent,
        not_read=not_read,
        already_unlocked=[s.name_en for s in already],
        extended_length=session.extended,
    )
    if "df1_ef02" in files:
        result.honseki = parse_honseki(files["df1_ef02"])
    parts = []
    if "df1_ef03" in files:
        glyphs, els = parse_ef03(files["df1_ef03"])
        result.gaiji += glyphs
        result.gaiji_elements += els
    if "df1_ef05" in files:
        glyphs, els = parse_ef05(files["df1_ef05"])
        result.gaiji += glyphs
        result.gaiji_elements += els
    if "df1_ef04" in files:
        parts.append(parse_tsuiki(files["df1_ef04"], "DF1/EF04"))
    if "df1_ef06" in files:
        parts.append(parse_tsuiki(files["df1_ef06"], "DF1/EF06"))
    result.tsuiki = merge(*parts)
    if "df1_ef07" in files:
        result.signature = parse_ef07(files["df1_ef07"])
    if "df2_ef01" in files:
        result.photo = parse_photo_file(files["df2_ef01"], decode=False)  # decoded when shown
    return result
