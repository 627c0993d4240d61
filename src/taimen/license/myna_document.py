"""マイナ免許証 as a taimen Document: the 免許AP (licence data) plus the 入力補助AP (who the holder is).

The 免許AP holds no name, birth date or address (reference §6); they come from the My Number Card's
券面事項入力補助AP, opened with 照合番号B (``taimen.mynumber.text_ap``), whose signature, digest and chip
challenge prove the card and its holder data. The licence data's own signature (EF 001C) cannot be verified:
what it signs and with which key is not published. So a マイナ免許証 read ends at best in "attention", with
the reasons saying exactly which half was proven.

Order: tries of the licence PIN and of 照合番号B are read first and both checked against the safety policy;
then the licence PIN is presented (a refusal stops the read before 照合番号B is spent) and 001B/001C read;
then 照合番号B is presented at the 入力補助AP and its records read and challenged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from taimen import wareki
from taimen.core import apdu
from taimen.core.conversation import Conversation, Progress, Transport, drive
from taimen.core.files import ReadSession
from taimen.documents import TriesReport, UnlockField
from taimen.license import myna_license as ap
from taimen.license.pin import MYNA_PIN, PIN_PATTERN, pin_bytes
from taimen.mynumber import shogo_b, text_ap
from taimen.mynumber.aids import TEXT_AP, TextAp
from taimen.mynumber.document import DOCUMENT as MYNUMBER
from taimen.mynumber.values import sex_label
from taimen.pinsafety import already_unlocked_check, must_verify
from taimen.result import Check, CheckStatus, DateValue, Image, ReadResult, ReadStats
from taimen.transport.counting import CountingTransport
from taimen.trust import TrustStore

B_SECRET = shogo_b.secret_at(text_ap.AP_JA, text_ap.AP_EN)


@dataclass
class MynaCardRead:
    license: ap.MynaLicenseRead
    text: text_ap.TextApRecords
    b_tries_before: int | None
    #: Keys the card reported as already verified (no VERIFY was sent for them).
    already_unlocked: tuple[str, ...] = ()


def read_myna_license(
    pin: str | None, b: shogo_b.ShogoB, *, confirm_last_try: bool = False, session: ReadSession | None = None
) -> Conversation[MynaCardRead]:
    session = session or ReadSession()
    pin_set, setting, lic_tries = yield from ap.read_pin_state()
    value = ap.license_pin_value(pin_set, pin)
    b_tries = yield from text_ap.query_tries()
    # Both secrets pass the policy before either is presented (one rule for 9000: pinsafety.must_verify).
    must_verify(MYNA_PIN, lic_tries, confirm_last_try=confirm_last_try)
    must_verify(B_SECRET, b_tries, confirm_last_try=confirm_last_try)
    yield from ap.select_license_ap()
    yield from ap.unlock(value, lic_tries, confirm_last_try=confirm_last_try)
    del value
    licence = yield from ap.read_files(session, pin_set, setting, lic_tries)
    yield from text_ap.select()
    if b_tries.already_verified:  # the 免許AP was selected since: ask again right before deciding
        b_now = yield from shogo_b.query_tries(TextAp.SHOGO_B, text_ap.AP_EN)
    else:
        yield from shogo_b.select_key(TextAp.SHOGO_B, text_ap.AP_EN)
        b_now = b_tries
    unlocked = ["licence PIN"] if lic_tries.already_verified else []
    if must_verify(B_SECRET, b_now, confirm_last_try=confirm_last_try):
        refused = yield from shogo_b.present(b, text_ap.AP_JA, text_ap.AP_EN)
        if refused is not None:
            raise shogo_b.rejected(refused, text_ap.AP_JA, text_ap.AP_EN)
    else:
        unlocked.append("照合番号B (text AP)")
    records = yield from text_ap.read_records(session, challenge=True, tries_before=b_tries.tries_left)
    return MynaCardRead(licence, records, b_tries.tries_left, tuple(unlocked))


def _detect() -> Conversation[bool]:
    for aid in (ap.INSTANCE_AID, TEXT_AP):
        resp = yield apdu.select_aid(aid)
        if resp.sw != 0x9000:
            return False
    return True


def _tries() -> Conversation[tuple[bool, int | None, int | None]]:
    pin_set, _, lic = yield from ap.read_pin_state()
    b = yield from text_ap.query_tries()
    return pin_set, lic.tries_left, b.tries_left


def _license_checks(lic: ap.MynaLicenseRead, today: date) -> list[Check]:
    checks = [
        Check(
            "mynumber_license.signature",
            CheckStatus.NOT_VERIFIABLE,
            "免許情報の電子署名（免許AP EF 001C）",
            "licence data signature (免許AP EF 001C)",
            "免許情報の署名の対象と検証鍵は公開されていないため、ここでは検証できません。免許情報（有効期限・条件・"
            "免許の種類・写真）の真正性は証明されていません。",
            "what EF 001C signs and with which key is not published: not verifiable here; the licence data "
            "(expiry, conditions, categories, photo) is not proven authentic",
            not_covered=("免許AP EF 001B", "免許AP EF 001C"),
        )
    ]
    e = lic.expiry
    if e is None or e.iso is None:
        checks.append(
            Check(
                "mynumber_license.expiry",
                CheckStatus.WARNING,
                "免許の有効期限",
                "licence expiry",
                "有効期限（タグ C5）を読めません。",
                "the expiry (tag C5) could not be read",
                ("免許AP 001B C5",),
                required=False,
            )
        )
    else:
        expired = date.fromisoformat(e.iso) < today
        checks.append(
            Check(
                "mynumber_license.expiry",
                CheckStatus.WARNING if expired else CheckStatus.PASSED,
                "免許の有効期限",
                "licence expiry",
                f"有効期限（{e.display_ja}）を過ぎています。" if expired else f"{e.display_ja}まで有効です。",
                f"expired on {e.iso}" if expired else f"valid until {e.iso}",
                ("免許AP 001B C5",),
                required=False,
            )
        )
    if lic.photo is not None:
        ok = lic.photo.png is not None
        checks.append(
            Check(
                "mynumber_license.photo",
                CheckStatus.PASSED if ok else CheckStatus.WARNING,
                "顔写真",
                "photo",
                "免許情報の写真（内容から JPEG 2000 と判定）を表示しました。署名は検証できていません。"
                if ok
                else f"写真を表示できません: {lic.photo.problem}",
                "licence photo (recognised as JPEG 2000 by content) shown; its signature is not verified"
                if ok
                else f"photo not shown: {lic.photo.problem}",
                required=False,
            )
        )
    return checks


def _birth_check(birth: date | None, entered: shogo_b.BirthKey) -> Check | None:
    if birth is None:
        return None
    same = entered.matches(birth)
    return Check(
        "consistency.birth_date",
        CheckStatus.PASSED if same else CheckStatus.FAILED,
        "生年月日の一致",
        "birth dates agree",
        "入力補助APの生年月日が入力値と一致しました。" if same else "チップの生年月日が入力値と一致しません。",
        "the text AP's birth date matches the one entered" if same else "the chip's birth date differs",
        ("入力補助AP EF 0002 DF24", "the birth date entered from the card face"),
    )


def build_result(read: MynaCardRead, entered: shogo_b.BirthKey, store: TrustStore, today: date) -> ReadResult:
    text = text_ap.evaluate(read.text, store)
    lic = read.license
    checks = [*text.checks, *_license_checks(lic, today)]
    if read.already_unlocked:
        ja = {"licence PIN": "免許情報の暗証番号", "照合番号B (text AP)": "照合番号B（入力補助AP）"}
        checks.insert(
            0,
            already_unlocked_check(
                "unlock.already_verified", [ja[k] for k in read.already_unlocked], list(read.already_unlocked)
            ),
        )
    attrs = text.attributes
    result = ReadResult(document="mynumber_license")
    if attrs is not None:
        result.name, result.address = attrs.name, attrs.address
        cal = entered.calendar
        display = (
            wareki.format_seireki(attrs.birth_date) if cal == shogo_b.SEIREKI else wareki.format_ja(attrs.birth_date)
        )
        result.birth_date = DateValue(attrs.birth_date.isoformat(), display, attrs.birth_date.strftime("%Y%m%d"))
        result.sex = sex_label(attrs.sex)
        extra = _birth_check(attrs.birth_date, entered)
        if extra is not None:
            checks.append(extra)
    result.card_expiry = lic.expiry
    if lic.photo is not None:
        result.images["photo_jpeg2000"] = Image("image/jp2", lic.photo.raw, "免許情報の写真（カード記録のまま）")
        if lic.photo.png is not None:
            result.photo = Image("image/png", lic.photo.png, "顔写真（免許AP、JPEG 2000 から変換）")
    fields: dict[str, Any] = {
        "license": {
            "pin": {"pin_set": lic.pin_set, "dpin_used": lic.dpin_used, "tries_left_before_read": lic.tries_before},
            "expiry": lic.expiry,
            "photo_tag": f"{lic.photo_tag:02X}" if lic.photo_tag is not None else None,
            "signature": lic.signature,
            "elements": [e.to_json() for e in lic.elements],
            "undocumented_tags": [f"{e.tag:02X}" for e in lic.elements if e.name_ja.startswith("不明なタグ")],
        },
        "holder_source": "券面事項入力補助AP (照合番号B)",
        "tries_left_before": {"license_pin": lic.tries_before, "shogo_b_text_ap": read.b_tries_before},
        "details": [
            {
                "label_ja": "免許情報の暗証番号",
                "label_en": "licence PIN",
                "value": "設定あり" if lic.pin_set else "設定なし（DPIN）",
            },
            {
                "label_ja": "残り回数（免許PIN / 照合番号B）",
                "label_en": "tries left (licence PIN / 照合番号B)",
                "value": f"{lic.tries_before} / {read.b_tries_before}",
            },
            {
                "label_ja": "免許の有効期限",
                "label_en": "licence expiry",
                "value": lic.expiry.display_ja if lic.expiry else None,
            },
            {
                "label_ja": "未公開タグ（生データで表示）",
                "label_en": "undocumented tags (raw)",
                "value": ", ".join(f"{e.tag:02X}" for e in lic.elements if e.name_ja.startswith("不明なタグ")) or None,
            },
        ],
    }
    if attrs is not None:
        fields["name_parts"] = {"family": attrs.family_name, "given": attrs.given_name}
    result.fields = fields
    result.checks = checks
    return result.finish()


class MynaLicenseDocument:
    key = "mynumber_license"
    title_ja = "マイナ免許証"
    title_en = "マイナ免許証 (licence data on a My Number Card)"
    unlock_fields = (
        UnlockField(
            "license_pin",
            "免許情報の暗証番号（4桁）",
            "licence PIN (4 digits)",
            PIN_PATTERN.pattern,
            optional=True,
            hint_ja="免許情報の記録時に設定した暗証番号。設定していないカードでは不要です（自動で判定します）。",
            hint_en="the PIN chosen when the licence was recorded; not needed when none was set (detected)",
        ),
        *MYNUMBER.unlock_fields,
    )

    def detect(self, transport: Transport) -> bool:
        return bool(drive(_detect(), transport))

    def tries(self, transport: Transport) -> list[TriesReport]:
        pin_set, lic, b = drive(_tries(), transport)
        note = "" if pin_set else "（設定なし: DPIN）"
        return [TriesReport(f"{MYNA_PIN.name_ja}{note}", lic), TriesReport(B_SECRET.name_ja, b)]

    def read(
        self,
        transport: Transport,
        unlock: Mapping[str, str],
        *,
        confirm_last_try: bool = False,
        trust_dirs: tuple[str, ...] = (),
        on_progress: Callable[[Progress], None] | None = None,
        today: date | None = None,
        store: TrustStore | None = None,
    ) -> ReadResult:
        pin = unlock.get("license_pin") or None
        if pin is not None:
            pin_bytes(pin, MYNA_PIN)  # format errors before anything is sent
        b = shogo_b.build(
            unlock.get("birth", ""),
            unlock.get("expiry_year", ""),
            unlock.get("security_code", ""),
            calendar=unlock.get("calendar") or None,
        )
        store = store if store is not None else TrustStore.load(trust_dirs)
        counting = CountingTransport(transport)
        session = ReadSession()
        start = time.perf_counter()
        read = drive(
            read_myna_license(pin, b, confirm_last_try=confirm_last_try, session=session), counting, on_progress
        )
        elapsed = time.perf_counter() - start
        entered = b.birth
        del b, pin
        result = build_result(read, entered, store, today or date.today())
        result.stats = ReadStats(
            counting.apdus, counting.bytes_sent, counting.bytes_received, elapsed, session.extended
        )
        return result


DOCUMENT = MynaLicenseDocument()
