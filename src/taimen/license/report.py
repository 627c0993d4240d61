"""Turn a licence read into taimen's result: current values after 追記, every element for JSON, and checks.

Each check says what it covered. The verdict can only be ``genuine`` when the signature verified with a
pinned key; a licence chip has no documented challenge-response, so presence of the original chip (versus a
copy of its files) is never proven and is stated as not covered.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from taimen.jistext import JisText
from taimen.license.common_data import CommonData
from taimen.license.elements import Element
from taimen.license.gaiji import Gaiji
from taimen.license.kisai import Kisai
from taimen.license.number import RULE_VERIFIED, check_number
from taimen.license.pin import PIN1, PIN2
from taimen.license.reader import LicenseRead
from taimen.license.signature import COVERED, NOT_COVERED, find_signer, verify
from taimen.license.tsuiki import Tsuiki
from taimen.pinsafety import already_unlocked_check
from taimen.result import Check, CheckStatus, DateValue, Image, ReadResult, ReadStats
from taimen.wareki import format_ja

if TYPE_CHECKING:
    from taimen.trust import CertificateAnchor

SEIREKI = "%Y年%-m月%-d日"


def _text(t: JisText | None) -> str | None:
    return t.text if t is not None and t.segments else None


def current_values(kisai: Kisai, tsuiki: Tsuiki, honseki: list[Element]) -> dict[str, Any]:
    """Values as they stand after the newest 追記 of each kind (source says where each came from)."""

    def pick(kind: str, base: JisText | None, base_source: str) -> dict[str, Any] | None:
        entry = tsuiki.latest(kind)
        if entry is not None:
            return {
                "value": entry.value,
                "source": f"{entry.file} {entry.label_ja}",
                "changed": entry.date.display_ja if entry.date else None,
            }
        if base is None or not base.segments:
            return None
        return {"value": base, "source": base_source, "changed": None}

    base_honseki = next((e.decoded for e in honseki if e.tag == 0x41), None)
    return {
        "name": pick("name", kisai.name, "DF1/EF01 氏名"),
        "name_kana": pick("kana", kisai.text(0x13), "DF1/EF01 呼び名"),
        "address": pick("address", kisai.address, "DF1/EF01 住所"),
        "commission": pick("commission", kisai.text(0x20), "DF1/EF01 公安委員会名"),
        "honseki": pick("honseki", base_honseki if isinstance(base_honseki, JisText) else None, "DF1/EF02 本籍"),
    }


def _date_check(kisai: Kisai, common: CommonData) -> Check:
    pairs = [
        ("交付年月日", "issue date", kisai.coded_date(0x18), common.issue),
        ("有効期間の末日", "expiry date", kisai.coded_date(0x1B), common.expiry),
    ]
    bad_ja, bad_en, good = [], [], []
    for ja, en, coded, greg in pairs:
        chip = coded.date if coded else None
        if chip is None or greg is None:
            bad_ja.append(f"{ja}を比較できません")
            bad_en.append(f"{en} could not be compared")
        elif chip != greg:
            bad_ja.append(f"{ja}: 記載事項 {coded.format() if coded else ''} ≠ 共通データ {greg.strftime(SEIREKI)}")
            bad_en.append(f"{en}: particulars {chip.isoformat()} ≠ common data {greg.isoformat()}")
        else:
            good.append(ja)
    covers = ("MF/EF01 共通データ要素", "DF1/EF01 18", "DF1/EF01 1B")
    if bad_ja:
        return Check(
            "license.common_data_dates",
            CheckStatus.WARNING,
            "日付の整合性（西暦の共通データと記載事項）",
            "dates: common data (Gregorian) vs particulars",
            "；".join(bad_ja),
            "; ".join(bad_en),
            covers,
            required=False,
        )
    return Check(
        "license.common_data_dates",
        CheckStatus.PASSED,
        "日付の整合性（西暦の共通データと記載事項）",
        "dates: common data (Gregorian) vs particulars",
        "交付年月日・有効期間の末日が共通データ（西暦）と一致しました。",
        "issue and expiry dates agree with the Gregorian common data",
        covers,
        required=False,
    )


def _era_check(dates: dict[str, DateValue]) -> Check:
    odd = {k: v for k, v in dates.items() if v.flags and "empty" not in v.flags}
    if not odd:
        return Check(
            "license.era_dates",
            CheckStatus.PASSED,
            "和暦の日付",
            "era dates",
            "すべての日付を元号コードから変換しました。",
            "every date converted from its era code",
            tuple(dates),
            required=False,
        )
    ja = "、".join(f"{k}: {v.display_ja}（{'・'.join(v.flags)}）" for k, v in odd.items())
    en = "; ".join(f"{k}: {v.raw} ({', '.join(v.flags)})" for k, v in odd.items())
    return Check(
        "license.era_dates",
        CheckStatus.WARNING,
        "和暦の日付",
        "era dates",
        f"元号の終了後の年など、注意が必要な日付があります（算術的に変換しました）: {ja}",
        f"dates needing attention (converted arithmetically, e.g. a year after the era ended): {en}",
        tuple(odd),
        required=False,
    )


def _number_check(number: str | None) -> tuple[Check, dict[str, Any] | None]:
    if number is None:
        return Check(
            "license.number_check_digit",
            CheckStatus.SKIPPED,
            "免許証番号のチェックディジット",
            "licence number check digit",
            "免許証番号がありません。",
            "no licence number",
            required=False,
        ), None
    nc = check_number(number)
    caveat_ja = "（計算規則は二次資料によるもので、警察庁の原文では未確認）" if not RULE_VERIFIED else ""
    caveat_en = " (rule from secondary sources; the NPA document itself is unverified)" if not RULE_VERIFIED else ""
    if nc.valid:
        status, ja, en = (
            CheckStatus.PASSED,
            f"チェックディジット {number[10]} は正しい値です{caveat_ja}。",
            (f"check digit {number[10]} is as expected{caveat_en}"),
        )
    elif not nc.well_formed:
        status, ja, en = CheckStatus.WARNING, "免許証番号が12桁の数字ではありません。", "not 12 digits"
    else:
        status = CheckStatus.WARNING
        ja = f"チェックディジット {number[10]} は計算値 {nc.expected} と一致しません{caveat_ja}。"
        en = f"check digit {number[10]} differs from the computed {nc.expected}{caveat_en}"
    return Check(
        "license.number_check_digit",
        status,
        "免許証番号のチェックディジット",
        "licence number check digit",
        ja,
        en,
        ("DF1/EF01 21",),
        required=False,
    ), nc.to_json()


def _expiry_check(expiry: DateValue | None, today: date) -> Check:
    if expiry is None or expiry.iso is None:
        return Check(
            "license.expiry",
            CheckStatus.WARNING,
            "有効期限",
            "expiry",
            "有効期間の末日を読めません。",
            "the expiry date could not be read",
            required=False,
        )
    d = date.fromisoformat(expiry.iso)
    if d < today:
        return Check(
            "license.expiry",
            CheckStatus.WARNING,
            "有効期限",
            "expiry",
            f"有効期間の末日（{expiry.display_ja}）を過ぎています。",
            f"expired on {expiry.iso}",
            ("DF1/EF01 1B",),
            required=False,
        )
    return Check(
        "license.expiry",
        CheckStatus.PASSED,
        "有効期限",
        "expiry",
        f"{expiry.display_ja}まで有効です。",
        f"valid until {expiry.iso}",
        ("DF1/EF01 1B",),
        required=False,
    )


def _text_check(texts: dict[str, JisText]) -> Check:
    unknown = [k for k, t in texts.items() if any(s.kind == "unknown" for s in t.segments)]
    special = [k for k, t in texts.items() if any(s.kind in ("gaiji", "missing") for s in t.segments)]
    if unknown:
        return Check(
            "license.text",
            CheckStatus.WARNING,
            "文字コード",
            "character codes",
            f"JIS X 0208 にない未定義のコードがあります: {'、'.join(unknown)}",
            f"codes outside JIS X 0208 in: {', '.join(unknown)}",
            tuple(texts),
            required=False,
        )
    note_ja = f"外字・欠字を含む項目: {'、'.join(special)}" if special else "すべての文字を復号しました。"
    note_en = f"外字/欠字 in: {', '.join(special)}" if special else "every character decoded"
    return Check(
        "license.text",
        CheckStatus.PASSED,
        "文字コード",
        "character codes",
        note_ja,
        note_en,
        tuple(texts),
        required=False,
    )


def signature_check(read: LicenseRead, certificates: list[CertificateAnchor]) -> tuple[Check, dict[str, Any]]:
    info = read.signature
    if info is None:
        return Check(
            "license.signature",
            CheckStatus.FAILED,
            "電子署名",
            "electronic signature",
            "電子署名（DF1/EF07）がありません。",
            "the signature file DF1/EF07 is missing",
            not_covered=COVERED,
        ), {}
    cert, how = find_signer(certificates, info)
    v = verify(
        info,
        read.files.get("df1_ef01"),
        read.files.get("df1_ef02"),
        read.files.get("df2_ef01"),
        cert.public_key() if cert is not None else None,
    )
    status = {"verified": CheckStatus.PASSED, "failed": CheckStatus.FAILED}.get(v.status, CheckStatus.NOT_VERIFIABLE)
    detail_ja, detail_en = v.detail_ja, v.detail_en
    if cert is not None:
        detail_ja += f"（署名者証明書: {cert.info.subject_text()}、照合: {how}）"
        detail_en += f" (signer certificate {cert.info.subject_text()}, matched by {how})"
    if v.status == "verified":
        detail_ja += " 署名対象の範囲と方式は公開資料では未確認です。チップの複製でないことは証明されません。"
        detail_en += (
            "; what the licence signs is unverified in public sources, and a copy of the chip's files would verify too"
        )
    check = Check(
        "license.signature",
        status,
        "電子署名（DF1/EF07）",
        "electronic signature (DF1/EF07)",
        detail_ja,
        detail_en,
        covers=COVERED if v.status == "verified" else (),
        not_covered=NOT_COVERED if v.status == "verified" else (*COVERED, *NOT_COVERED),
    )
    return check, {
        **info.to_json(),
        "verification": v.status,
        "signed_content": v.variant,
        "algorithm_checked": "RSA PKCS#1 v1.5 with SHA-256" if v.status != "not_verifiable" else None,
        "signer_certificate": cert.info.subject_text() if cert is not None else None,
        "signer_matched_by": how or None,
        "ski_matches_key": v.ski_matches,
    }


def _gaiji_images(glyphs: list[Gaiji]) -> dict[str, Image]:
    return {
        f"gaiji{g.index}": Image("image/png", g.png, f"外字{g.index}（{g.file}、32×32 ビットマップから描画）")
        for g in glyphs
        if g.png
    }


def _details(read: LicenseRead, current: dict[str, Any], number: str | None) -> list[dict[str, str]]:
    """Rows for the text renderer (label ja/en, value): what a clerk reads on the licence."""
    k = read.kisai
    rows: list[tuple[str, str, str | None]] = [
        ("仕様書バージョン", "spec version", read.common.spec_version),
        ("暗証番号設定", "PIN setting", "あり" if read.pin_setting.pin_set else "なし（DPIN）"),
        ("残り回数（暗証番号1/2）", "tries left (PIN 1/2)", f"{read.tries['pin1']} / {read.tries['pin2']}"),
        ("免許証番号", "licence number", number),
        ("交付年月日", "issued", (d := k.date(0x18)) and d.display_ja),
        ("照会番号", "reference number", _text(k.text(0x19))),
        ("色区分", "colour", _text(k.text(0x1A))),
        ("公安委員会", "commission", current["commission"] and current["commission"]["value"].text),
        ("通称名", "common name", _text(k.text(0x14))),
        ("統一氏名", "unified name", _text(k.text(0x15))),
        ("本籍", "本籍", current["honseki"] and current["honseki"]["value"].text),
    ]
    rows += [(f"条件{i}", f"condition {i}", c.text) for i, c in enumerate(k.conditions, 1)]
    rows += [(f"免許（{c.name_ja}）", c.name_en, c.date.display_ja) for c in k.categories if c.licensed]
    for g in read.gaiji:
        shown = f"画像 images.gaiji{g.index}" if g.png else "画像形式不明（生データのみ）"
        rows.append((f"外字{g.index}", f"gaiji {g.index}", f"文中の〓（{g.file}、{shown}）"))
    for e in read.tsuiki.entries:
        when = e.date.display_ja if e.date else "日付不明"
        by = f"（{e.commission.text}）" if e.commission else ""
        rows.append((f"追記 {e.label_ja}", f"change {e.kind} {e.seq}", f"{e.value.text}　{when}{by}"))
    return [{"label_ja": ja, "label_en": en, "value": v} for ja, en, v in rows if v]


def build_result(
    read: LicenseRead,
    *,
    certificates: list[CertificateAnchor] | None = None,
    today: date | None = None,
    stats: ReadStats | None = None,
) -> ReadResult:
    today = today or date.today()
    k = read.kisai
    current = current_values(k, read.tsuiki, read.honseki)
    number = k.number
    elements: list[Element] = [
        *read.common.elements,
        read.pin_setting.element,
        *k.elements,
        *read.honseki,
        *read.gaiji_elements,
        *read.tsuiki.elements,
        *(read.signature.elements if read.signature else ()),
    ]
    checks: list[Check] = []
    if read.already_unlocked:
        names = {PIN1.name_en: PIN1.name_ja, PIN2.name_en: PIN2.name_ja}
        checks.append(
            already_unlocked_check(
                "unlock.already_verified",
                [names.get(n, n) for n in read.already_unlocked],
                read.already_unlocked,
                ("MF/IEF01 PIN 1", "MF/IEF02 PIN 2"),
            )
        )
    sig_check, sig_json = signature_check(read, certificates or [])
    checks.append(sig_check)
    checks.append(_date_check(k, read.common))
    num_check, num_json = _number_check(number)
    checks.append(num_check)
    expiry = k.date(0x1B)
    checks.append(_expiry_check(expiry, today))
    dates = {e.name_ja: e.decoded for e in k.elements if isinstance(e.decoded, DateValue)}
    dates.update({f"追記 {e.label_ja}": e.date for e in read.tsuiki.entries if e.date is not None})
    checks.append(_era_check(dates))
    texts = {e.name_ja: e.decoded for e in elements if isinstance(e.decoded, JisText)}
    texts.update({f"追記 {e.label_ja}": e.value for e in read.tsuiki.entries})
    checks.append(_text_check(texts))
    if read.photo is None and read.pin2_verified:
        sw = read.not_read.get("df2_ef01", "")
        checks.append(
            Check(
                "license.photo",
                CheckStatus.WARNING,
                "顔写真",
                "photo",
                f"カードに顔写真（DF2/EF01）がありません（{sw}）。顔写真なしで本人確認はできません。"
                "券面の写真と本人の顔を確認してください。",
                f"the photo (DF2/EF01) is missing on the card ({sw}); compare the printed photo with the holder",
                ("DF2/EF01",),
                required=False,
            )
        )
    elif read.photo is None:
        checks.append(
            Check(
                "license.photo",
                CheckStatus.SKIPPED,
                "顔写真",
                "photo",
                "暗証番号2が入力されていないため、写真は読み取っていません。",
                "the photo needs PIN 2, which was not given",
                required=False,
            )
        )
    elif read.photo.problem:
        checks.append(
            Check(
                "license.photo",
                CheckStatus.WARNING,
                "顔写真",
                "photo",
                f"写真を表示できません: {read.photo.problem}",
                f"photo not shown: {read.photo.problem}",
                ("DF2/EF01",),
                required=False,
            )
        )
    else:  # header checked; the picture is decoded where it is shown (taimen.license.photo)
        checks.append(
            Check(
                "license.photo",
                CheckStatus.PASSED,
                "顔写真",
                "photo",
                f"JPEG 2000 {read.photo.width}×{read.photo.height} を読み取りました。顔と照合してください。",
                f"JPEG 2000 {read.photo.width}x{read.photo.height} read; compare with the holder's face",
                ("DF2/EF01",),
                required=False,
            )
        )
    checks.append(
        Check(
            "license.chip_presence",
            CheckStatus.NOT_VERIFIABLE,
            "ICチップの実在確認",
            "presence of the original chip",
            "運転免許証にはチップの実在を確かめる公開された仕組み（チャレンジ応答）がありません。"
            "ファイルの複製と区別できません。",
            "the licence has no published challenge-response; a copy of its files cannot be told apart",
            not_covered=("chip copy protection",),
            required=False,
        )
    )

    images = _gaiji_images(read.gaiji)
    photo = None
    if read.photo is not None and not read.photo.problem:
        p = read.photo
        photo = Image("image/jp2", p.raw, f"顔写真 / photo (DF2/EF01 JPEG 2000, {p.width}×{p.height}, as stored)")
    elif read.photo is not None:  # kept as read, for the record; not shown as the photo
        images["photo_jpeg2000"] = Image("image/jp2", read.photo.raw, "顔写真（カード記録のまま、表示できません）")
    birth = k.date(0x16)
    fields: dict[str, Any] = {
        "spec_version": read.common.spec_version,
        "pin": {
            "pin_set": read.pin_setting.pin_set,
            "dpin_used": read.dpin_used,
            "tries_left_before_read": read.tries,
            "pin2_verified": read.pin2_verified,
            "already_unlocked": read.already_unlocked,
        },
        "common_data": {
            "spec_version": read.common.spec_version,
            "issue": read.common.issue.isoformat() if read.common.issue else None,
            "expiry": read.common.expiry.isoformat() if read.common.expiry else None,
            "issue_display_ja": format_ja(read.common.issue) if read.common.issue else None,
            "expiry_display_ja": format_ja(read.common.expiry) if read.common.expiry else None,
        },
        "current": {
            key: (
                {"value": v["value"].to_json(), "text": v["value"].text, "source": v["source"], "changed": v["changed"]}
                if v
                else None
            )
            for key, v in current.items()
        },
        "license_number": num_json,
        "dates": {
            "birth": birth,
            "issue": k.date(0x18),
            "expiry": expiry,
        },
        "categories": [c.to_json() for c in k.categories],
        "conditions": [c.to_json() for c in k.conditions],
        "tsuiki": [e.to_json() for e in read.tsuiki.entries],
        "gaiji": [g.to_json() for g in read.gaiji],
        "signature": sig_json,
        "photo": (
            {
                "format": read.photo.kind,
                "width": read.photo.width,
                "height": read.photo.height,
                "problem": read.photo.problem or None,
            }
            if read.photo
            else None
        ),
        "files_absent": read.absent,
        "files_not_read": read.not_read,
        "elements": [e.to_json() for e in elements],
        "details": _details(read, current, number),
    }
    result = ReadResult(
        document="license",
        name=current["name"] and current["name"]["value"].text,
        name_kana=current["name_kana"] and current["name_kana"]["value"].text,
        address=current["address"] and current["address"]["value"].text,
        birth_date=birth,
        card_expiry=expiry,
        photo=photo,
        images=images,
        fields=fields,
        checks=checks,
        stats=stats or ReadStats(extended_length=read.extended_length),
    )
    # The licence has no published challenge-response: its best verdict is "data authentic, chip not provable".
    result.presence_provable = False
    return result.finish()
