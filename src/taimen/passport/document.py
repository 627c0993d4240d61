"""The passport as a taimen Document: unlock with the MRZ, read, verify, and build the ``ReadResult``.

What each check proves is in its ``covers``/``not_covered`` and in docs/passport.md. The access key (the
MRZ fields) lives only in this call: it is never logged, traced or returned in the key form.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from typing import Any

from taimen.core import apdu
from taimen.core.conversation import Conversation, Progress, Transport, drive
from taimen.core.files import ReadSession
from taimen.documents import TriesReport, UnlockField
from taimen.errors import OperatorInputError, ParseError
from taimen.mynumber.document import CountingTransport
from taimen.passport import activeauth, certs, lds
from taimen.passport.bac import ChipProofInvalid
from taimen.passport.certs import Cert
from taimen.passport.dg1 import parse_dg1
from taimen.passport.dg2 import parse_dg2
from taimen.passport.dg11 import parse_dg11, parse_dg12
from taimen.passport.dg14 import SecurityInfo, parse_dg14
from taimen.passport.dg15 import parse_dg15
from taimen.passport.mrz import MrzKey, Td3, birth_date, expiry_date, key_from_mrz
from taimen.passport.passiveauth import TRUST_CATEGORY, verify_passive
from taimen.passport.reader import PassportRead, read_passport
from taimen.passport.sod import parse_sod
from taimen.result import Check, CheckStatus, DateValue, Image, ReadResult, ReadStats
from taimen.trust import TrustStore
from taimen.wareki import format_seireki

NO_ADDRESS_JA = (
    "旅券は住所を証明しません。2020年2月4日以降の申請で発行された旅券には所持人記入欄（住所欄）がなく、"
    "ICチップにも住所はありません。住所は別の本人確認書類で確認してください。"
)
NO_ADDRESS_EN = (
    "A passport proves no address: passports issued on applications from 2020-02-04 have no holder's address "
    "field, and the chip holds none. Confirm the address with a second document."
)


def csca_certificates(trust_dirs: tuple[str, ...]) -> list[Cert]:
    """Pinned CSCA certificates (trust-store category ``csca``); never anything from the chip."""
    out = []
    for anchor in TrustStore.load(trust_dirs).raw_certificates(TRUST_CATEGORY):
        try:
            out.append(certs.load(anchor.der))
        except ParseError as exc:
            raise OperatorInputError(f"trust file {anchor.source} is not a certificate: {exc}") from exc
    return out


def unlock_key(unlock: Mapping[str, str]) -> tuple[MrzKey, Td3 | None]:
    """The access key from a full MRZ or from the three typed fields (the operator's input errors first)."""
    mrz = (unlock.get("mrz") or "").strip()
    if mrz:
        return key_from_mrz(mrz)
    number, birth, expiry = (unlock.get(k, "").strip() for k in ("document_number", "birth", "expiry"))
    if not (number and birth and expiry):
        raise OperatorInputError(
            "give the MRZ, or the document number, birth date and expiry (YYMMDD)",
            message_ja="MRZ、または旅券番号・生年月日・有効期限（YYMMDD）を入力してください。",
        )
    return MrzKey.from_fields(number, birth, expiry), None


def _date(d: dt.date | None, raw: str) -> DateValue:
    if d is None:
        return DateValue(None, raw, raw, ("impossible",))
    return DateValue(d.isoformat(), format_seireki(d), raw)


def _detect() -> Conversation[bool]:
    resp = yield apdu.select_aid(lds.LDS1_AID, label="SELECT eMRTD")
    return resp.sw == 0x9000


class PassportDocument:
    key = "passport"
    title_ja = "旅券（パスポート）"
    title_en = "Passport"
    unlock_fields = (
        UnlockField("mrz", "MRZ（身分事項ページ下部の2行）", "MRZ (the two lines at the foot of the data page)",
                    r"[0-9A-Za-z< ]{88,100}", optional=True, max_length=100,
                    hint_ja="撮影から読み取るか入力します。旅券番号・生年月日・有効期限の入力でも構いません。",
                    hint_en="from the camera or typed; or give the three fields below"),
        UnlockField("document_number", "旅券番号", "document number", r"[0-9A-Za-z]{1,9}", optional=True),
        UnlockField("birth", "生年月日（YYMMDD）", "birth date (YYMMDD)", r"[0-9]{6}", optional=True),
        UnlockField("expiry", "有効期間満了日（YYMMDD）", "expiry (YYMMDD)", r"[0-9]{6}", optional=True),
    )  # fmt: skip

    def detect(self, transport: Transport) -> bool:
        return drive(_detect(), transport)

    def tries(self, transport: Transport) -> list[TriesReport]:
        return []  # BAC and PACE with the MRZ have no retry counter to spend

    def read(
        self,
        transport: Transport,
        unlock: Mapping[str, str],
        *,
        confirm_last_try: bool = False,
        trust_dirs: tuple[str, ...] = (),
        on_progress: Callable[[Progress], None] | None = None,
    ) -> ReadResult:
        key, typed = unlock_key(unlock)
        cscas = csca_certificates(trust_dirs)
        session = ReadSession()
        counting = CountingTransport(transport)
        start = time.perf_counter()
        try:
            read = drive(read_passport(key, session), counting, on_progress)
        except ChipProofInvalid as exc:
            stats = ReadStats(counting.apdus, counting.bytes_sent, counting.bytes_received,
                              time.perf_counter() - start, session.extended)  # fmt: skip
            return forged_access_result(str(exc), stats)
        finally:
            del key
        elapsed = time.perf_counter() - start
        stats = ReadStats(counting.apdus, counting.bytes_sent, counting.bytes_received, elapsed, session.extended)
        return build_result(read, typed=typed, unlock_fields=_typed_fields(unlock), cscas=cscas, stats=stats)


def _typed_fields(unlock: Mapping[str, str]) -> tuple[str, str, str] | None:
    if (unlock.get("mrz") or "").strip():
        return None
    return tuple(unlock.get(k, "").strip().upper() for k in ("document_number", "birth", "expiry"))  # type: ignore[return-value]


def forged_access_result(why: str, stats: ReadStats) -> ReadResult:
    result = ReadResult(document="passport", stats=stats)
    result.checks.append(Check(
        "passport.access_control", CheckStatus.FAILED, "アクセス制御", "access control",
        "ICチップは認証に成功したと応答しましたが、MRZの鍵を知っていることを証明できませんでした（偽造チップ）",
        f"the chip answered as authenticated but did not prove knowledge of the MRZ key (forged chip): {why}",
        covers=("BAC/PACE",),
    ))  # fmt: skip
    result.fields["notices"] = [{"code": "no_address", "ja": NO_ADDRESS_JA, "en": NO_ADDRESS_EN}]
    return result.finish()


def _lds_failure(dg: str, exc: Exception) -> Check:
    return Check(f"passport.lds.{dg.lower()}", CheckStatus.FAILED, f"{dg}の形式", f"{dg} format",
                 f"{dg}の形式が不正です", f"{dg} is malformed: {exc}", covers=(dg,))  # fmt: skip


def build_result(
    read: PassportRead,
    *,
    typed: Td3 | None,
    unlock_fields: tuple[str, str, str] | None,
    cscas: list[Cert],
    stats: ReadStats,
    today: dt.date | None = None,
) -> ReadResult:
    today = today or dt.date.today()
    result = ReadResult(document="passport", stats=stats)
    checks = result.checks
    fields: dict[str, Any] = result.fields
    protocol = "PACE" if read.access.startswith("PACE") else "BAC"
    unused_pace = protocol == "BAC" and bool(read.pace_offered)
    note_ja = "（チップはPACEも提供していますが、この方式には未対応のためBACを使用）" if unused_pace else ""
    checks.append(Check(
        "passport.access_control", CheckStatus.PASSED, f"アクセス制御（{protocol}）", f"access control ({protocol})",
        f"ICチップはMRZから作った鍵を知っていることを{read.access}で証明し、以降は暗号通信（セキュアメッセージング）で"
        "読み取りました" + note_ja,
        f"the chip proved knowledge of the MRZ key with {read.access}; everything after was read inside secure "
        "messaging" + (" (the chip also offers a PACE variant taimen does not run, so BAC was used)" if unused_pace
                       else ""),
        covers=(read.access, "secure messaging"), not_covered=("PACE",) if unused_pace else (), required=False,
    ))  # fmt: skip
    com = lds.parse_com(read.com)
    fields["data_groups"] = {
        "present": [f"DG{d}" for d in com.data_groups],
        "read": [f"DG{d}" for d in sorted(read.files)],
        "not_read": {f"DG{d}": why for d, why in sorted(read.not_read.items())},
        "unknown_tags": [f"{t:02X}" for t in com.unknown_tags],
        "lds_version": com.lds_version,
    }
    fields["access"] = {"protocol": read.access, "pace_offered": read.pace_offered}
    # --- DG1 -------------------------------------------------------------------------------------------
    dg1: Td3 | None = None
    try:
        dg1 = parse_dg1(read.files[1]) if 1 in read.files else None
    except ParseError as exc:
        checks.append(_lds_failure("DG1", exc))
    if dg1 is not None:
        result.name = dg1.name
        bd = birth_date(dg1.birth, today)
        ed = expiry_date(dg1.expiry)
        result.birth_date = _date(bd, dg1.birth)
        result.card_expiry = _date(ed, dg1.expiry)
        result.sex = {"M": "male", "F": "female", "<": "unknown"}.get(dg1.sex, dg1.sex)
        fields["mrz"] = {
            "document_code": dg1.document_code, "issuing_state": dg1.issuing_state, "surname": dg1.surname,
            "given_names": dg1.given_names, "document_number": dg1.document_number, "nationality": dg1.nationality,
            "sex": dg1.sex, "check_digits_valid": dg1.valid, "check_digits_failed": dg1.failed,
        }  # fmt: skip
        fields["name_latin"] = dg1.name
        checks.append(_mrz_match(dg1, typed, unlock_fields))
        if ed is not None and ed < today:
            checks.append(Check("passport.expiry", CheckStatus.WARNING, "有効期限", "expiry",
                                f"有効期限（{format_seireki(ed)}）を過ぎています", f"expired on {ed.isoformat()}"))
        else:
            checks.append(Check("passport.expiry", CheckStatus.PASSED, "有効期限", "expiry", "有効期限内です",
                                "within its validity", required=False))
    # --- DG2, DG11, DG12 -------------------------------------------------------------------------------
    if 2 in read.files:
        try:
            faces = parse_dg2(read.files[2])
            result.photo = Image(faces[0].mime, faces[0].image, "DG2 face")
            fields["face"] = {"format": faces[0].declared_type, "width": faces[0].width, "height": faces[0].height}
        except ParseError as exc:
            checks.append(_lds_failure("DG2", exc))
    if 11 in read.files:
        try:
            dg11 = parse_dg11(read.files[11])
            fields["dg11"] = dg11
            if isinstance(dg11.get("full_name"), str):
                fields["name_national"] = dg11["full_name"]
                result.name = str(dg11["full_name"]).replace("<<", "　").replace("<", " ")
        except ParseError as exc:
            checks.append(_lds_failure("DG11", exc))
    if 12 in read.files:
        try:
            fields["dg12"] = parse_dg12(read.files[12])
        except ParseError as exc:
            checks.append(_lds_failure("DG12", exc))
    # --- passive authentication ------------------------------------------------------------------------
    try:
        sod = parse_sod(read.sod)
    except ParseError as exc:
        checks.append(Check("passport.sod_signature", CheckStatus.FAILED, "EF.SODの署名", "EF.SOD signature",
                            "EF.SODの形式が不正です", f"EF.SOD is malformed: {exc}", covers=("EF.SOD",)))
    else:
        checks.extend(verify_passive(sod, read.files, cscas, issuing_state=dg1.issuing_state if dg1 else None))
    # --- chip authenticity: AA (DG15) and CA (DG14) ----------------------------------------------------
    infos: list[SecurityInfo] = []
    if 14 in read.files:
        try:
            infos = parse_dg14(read.files[14])
            fields["dg14_protocols"] = [i.name for i in infos]
        except ParseError as exc:
            checks.append(_lds_failure("DG14", exc))
    checks.append(_active_auth(read))
    checks.append(_chip_auth(read.chip_auth))
    ca = read.chip_auth is not None
    aa = next(c for c in checks if c.name == "passport.active_auth")
    fields["chip_proof"] = {
        "active_authentication": str(aa.status),
        "chip_authentication": read.chip_auth.split(":")[0] if read.chip_auth else "not offered",
        "proved_by": [name for name, ok in (("active authentication", aa.status is CheckStatus.PASSED),
                                            ("chip authentication", read.chip_auth == "passed")) if ok],
    }
    fields["notices"] = [{"code": "no_address", "ja": NO_ADDRESS_JA, "en": NO_ADDRESS_EN}]
    fields["details"] = _details(dg1, fields, aa, bool(ca))
    return result.finish()


def _details(dg1: Td3 | None, fields: dict[str, Any], aa: Check, ca_offered: bool) -> list[dict[str, str]]:
    rows: list[tuple[str, str, str]] = []
    if dg1 is not None:
        rows += [
            ("氏名（ローマ字）", "Name (MRZ)", dg1.name),
            ("旅券番号", "Document number", dg1.document_number),
            ("発行国", "Issuing state", dg1.issuing_state),
            ("国籍", "Nationality", dg1.nationality),
        ]
    dg12 = fields.get("dg12") or {}
    if dg12.get("date_of_issue"):
        rows.append(("発行年月日", "Date of issue", str(dg12["date_of_issue"])))
    if dg12.get("issuing_authority"):
        rows.append(("発行官庁", "Issuing authority", str(dg12["issuing_authority"])))
    proof_ja = {"passed": "能動認証（AA）で証明", "failed": "能動認証（AA）に失敗",
                "skipped": "能動認証（AA）は非対応"}.get(str(aa.status), str(aa.status))
    proof_en = {"passed": "proved by active authentication", "failed": "active authentication failed",
                "skipped": "active authentication not offered"}.get(str(aa.status), str(aa.status))
    ca_state = fields["chip_proof"]["chip_authentication"]
    proof_ja += {"passed": "／チップ認証（CA）で証明", "failed": "／チップ認証（CA）に失敗",
                 "unsupported": "／チップ認証（CA）は未対応の方式"}.get(ca_state, "／チップ認証（CA）は非対応")
    proof_en += {"passed": "; proved by chip authentication", "failed": "; chip authentication failed",
                 "unsupported": "; chip authentication in an unsupported variant"}.get(
        ca_state, "; chip authentication not offered")
    if str(aa.status) == "skipped" and not ca_offered:
        proof_ja += "（複製は排除できません）"
        proof_en += " (a copy is not excluded)"
    rows.append(("ICの真正性", "Chip genuineness", proof_ja + " / " + proof_en))
    rows.append(("住所", "Address",
                 "旅券では確認できません（別の書類で確認） / not on a passport: use a second document"))
    return [{"label_ja": a, "label_en": b, "value": c} for a, b, c in rows]


def _chip_auth(outcome: str | None) -> Check:
    title = ("チップ認証（CA）", "chip authentication (CA)")
    if outcome is None:
        return Check("passport.chip_auth", CheckStatus.SKIPPED, *title,
                     "チップはチップ認証に対応していません（DG14に鍵なし）", "not offered by the chip (no DG14 key)",
                     required=False)  # fmt: skip
    if outcome == "unsupported":
        return Check("passport.chip_auth", CheckStatus.NOT_VERIFIABLE, *title,
                     "チップはチップ認証に対応していますが、その方式（DH・3DES）にこのバージョンは未対応です",
                     "offered in a variant this version does not run (DH or 3DES)", not_covered=("DG14",),
                     required=False)  # fmt: skip
    if outcome == "passed":
        return Check("passport.chip_auth", CheckStatus.PASSED, *title,
                     "ICチップがDG14の秘密鍵で新しい暗号鍵を合意しました（複製でないことの証明）",
                     "the chip agreed new session keys with the private key of DG14 (not a copy)",
                     covers=("DG14",))  # fmt: skip
    return Check("passport.chip_auth", CheckStatus.FAILED, *title,
                 "ICチップがDG14の鍵を持っていません（データを複製した偽造チップの可能性）",
                 f"the chip does not hold the DG14 key ({outcome}): likely a clone of the data", covers=("DG14",))


def _active_auth(read: PassportRead) -> Check:
    title = ("能動認証（AA）", "active authentication (AA)")
    if 15 not in read.files and read.chip_auth == "passed":
        return Check("passport.active_auth", CheckStatus.SKIPPED, *title,
                     "チップは能動認証に対応していません（DG15なし）",
                     "not offered by the chip (no DG15); chip authentication proved the chip", required=False)
    if 15 not in read.files:
        return Check("passport.active_auth", CheckStatus.SKIPPED, *title,
                     "チップは能動認証に対応していません（DG15なし）。ICの複製は排除できません",
                     "not offered by the chip (no DG15): a copy of the chip's data onto another chip is not excluded",
                     required=False)  # fmt: skip
    try:
        key = parse_dg15(read.files[15])
    except ParseError as exc:
        return _lds_failure("DG15", exc)
    resp = read.aa_response
    if resp is None or read.aa_nonce is None:
        return Check("passport.active_auth", CheckStatus.SKIPPED, *title, "実行していません", "not run")
    if resp.sw == 0x9000 and activeauth.verify(key, read.aa_nonce, resp.data):
        return Check("passport.active_auth", CheckStatus.PASSED, *title,
                     "ICチップがDG15の秘密鍵で新しい乱数に署名しました（複製でないことの証明）",
                     "the chip signed a fresh nonce with the private key of DG15 (not a copy)",
                     covers=("DG15", "INTERNAL AUTHENTICATE"))  # fmt: skip
    why = f"answered {resp.sw:04X}" if resp.sw != 0x9000 else "signature does not verify under DG15"
    return Check("passport.active_auth", CheckStatus.FAILED, *title,
                 "ICチップがDG15の鍵で署名できません（データを複製した偽造チップの可能性）",
                 f"the chip cannot sign with the DG15 key ({why}): likely a clone of the data",
                 covers=("DG15", "INTERNAL AUTHENTICATE"))  # fmt: skip


def _mrz_match(dg1: Td3, typed: Td3 | None, fields: tuple[str, str, str] | None) -> Check:
    title = ("身分事項ページのMRZとICの一致", "data-page MRZ against the chip")
    if typed is not None:
        same = typed.line1 == dg1.line1 and typed.line2 == dg1.line2
        what_ja, what_en = "MRZ全体", "the whole MRZ"
    else:
        same = fields is not None and (dg1.document_number, dg1.birth, dg1.expiry) == fields
        what_ja, what_en = "旅券番号・生年月日・有効期限", "document number, birth date and expiry"
    if same:
        return Check("passport.mrz_match", CheckStatus.PASSED, *title, f"{what_ja}がICのDG1と一致します",
                     f"{what_en} match DG1 in the chip", covers=("DG1",))
    return Check("passport.mrz_match", CheckStatus.FAILED, *title, f"{what_ja}がICのDG1と一致しません",
                 f"{what_en} differ from DG1 in the chip", covers=("DG1",))


DOCUMENT = PassportDocument()
