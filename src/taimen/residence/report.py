"""Turn a residence-card read into taimen's result: fields (docs/json-output.md), images and checks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from taimen.core import images
from taimen.errors import ParseError
from taimen.residence import codes, layout
from taimen.residence.card_number import redact
from taimen.residence.entries import Parsed, UnknownTag, parse_file, period_of_stay, text, ymd
from taimen.residence.reader import ResidenceRead
from taimen.residence.signature import (
    chain,
    gen1_target,
    gen2_target,
    load_card_certificate,
    verify_gen1,
    verify_gen2,
)
from taimen.result import Check, CheckStatus, DateValue, Image, ReadResult, ReadStats
from taimen.trust import TrustStore


def _check(
    name: str,
    status: CheckStatus,
    ja: str,
    en: str,
    dja: str,
    den: str,
    covers: tuple[str, ...] = (),
    not_covered: tuple[str, ...] = (),
    required: bool = True,
) -> Check:
    return Check(name, status, ja, en, dja, den, covers, not_covered, required)


def _label(key: str) -> str:
    return "MF/EF02" if key == "mf_ef02" else f"{key[:3].upper()}/{key[4:].upper()}"


def _png(data: bytes, what: str, problems: list[str]) -> Image | None:
    try:
        return Image("image/png", images.to_png(data), what)
    except ParseError as exc:
        problems.append(f"{what}: {exc}")
        return None


def _coded(table: dict[str, tuple[str, str]], code: str | None) -> dict[str, Any] | None:
    if code is None:
        return None
    ja, en = table.get(code, (None, None))
    out: dict[str, Any] = {"code": code}
    if ja:
        out["ja"], out["en"] = ja, en
    return out


def parse_all_files(read: ResidenceRead) -> dict[str, Parsed]:
    gen = read.card_type.generation
    return {
        key: parse_file(data, key, gen, _label(key), repeats=(gen == 1 and key == "df2_ef01"))
        for key, data in read.files.items()
    }


def _txt(p: Parsed | None, key: str, tag: int, gen: int) -> str | None:
    if p is None:
        return None
    v = p.get(tag)
    if v is None:
        return None
    table = layout.TAGS_GEN1 if gen == 1 else layout.TAGS_GEN2
    return text(v, table[key][tag], p.file)


def build_result(
    read: ResidenceRead,
    typed_number: str,
    store: TrustStore,
    *,
    today: date,
    now: datetime | None = None,
    stats: ReadStats | None = None,
) -> ReadResult:
    now = now or datetime.now(UTC)
    ct = read.card_type
    gen = ct.generation
    parsed = parse_all_files(read)
    result = ReadResult(document="residence", stats=stats or ReadStats())
    problems: list[str] = []
    unknown: list[UnknownTag] = [u for p in parsed.values() for u in p.unknown]
    f: dict[str, Any] = {
        "generation": gen,
        "card_type": ct.raw,
        "kind": ct.kind,
        "kind_ja": codes.KIND_JA[ct.kind],
        "spec_version": ct.spec_version,
        "absent_files": list(read.absent),
    }
    result.fields = f

    # --- images: D1 face (both gens) -------------------------------------------------------------------
    img_file = parsed.get("df1_ef02" if gen == 1 else "df1_ef03")
    d1 = img_file.get(0xD1) if img_file else None
    d0 = None
    if gen == 1:
        p = parsed.get("df1_ef01")
        d0 = p.get(0xD0) if p else None
    else:
        d0 = img_file.get(0xD0) if img_file else None
    if d1:
        face = d1.rstrip(b"\x00")  # fixed 3000-byte field: the codestream ends at its EOC marker
        try:
            info = images.probe(face)
            images.decode(face)
            result.photo = Image(info.mime, face, "顔画像（IC）")
        except ParseError as exc:
            problems.append(f"D1: {exc}")
    if d0:
        im = _png(d0, "券面（表）イメージ" if gen == 1 else "氏名画像", problems)
        if im:
            result.images["front" if gen == 1 else "name"] = im
    if gen == 2:
        p = parsed.get("df1_ef04")
        addr = p.get(0xDFD1) if p else None
        if addr:
            im = _png(addr, "住居地画像", problems)
            if im:
                result.images["address"] = im

    # --- text -------------------------------------------------------------------------------------------
    chip_number: str | None = None
    if gen == 2:
        chip_number = _txt(parsed.get("df1_ef01"), "df1_ef01", 0xC2, 2)
        pe = parsed.get("df1_ef02")
        t = lambda tag: _txt(pe, "df1_ef02", tag, 2)  # noqa: E731
        result.card_expiry = _flag_expired(ymd(t(0xC5)), today)
        result.birth_date = ymd(t(0xC6))
        sex = t(0xC7)
        result.sex = codes.SEX.get(sex, sex) if sex is not None else None
        f["card_number"] = chip_number
        f["nationality"] = _coded({}, t(0xC8))
        f["status_of_residence"] = _coded({}, t(0xC9))
        period = t(0xCE)
        f["period_of_stay"] = period_of_stay(period) if period is not None else None
        pexp = _flag_expired(ymd(t(0xCD)), today)
        f["period_expiry"] = _expiry_json(pexp, today)
        f["permission"] = {"type": t(0xCA), "date": ymd(t(0xCB))} if t(0xCA) is not None or t(0xCB) else None
        f["work_restriction"] = _coded(codes.WORK_RESTRICTION, t(0xCC))
        d2 = parsed.get("df2_ef01")
        if d2 is not None:
            comp, ind = _txt(d2, "df2_ef01", 0xD5, 2), _txt(d2, "df2_ef01", 0xD7, 2)
            f["permission_outside_status"] = {
                "comprehensive": _coded(codes.COMPREHENSIVE, comp),
                "comprehensive_expiry": ymd(_txt(d2, "df2_ef01", 0xD6, 2)),
                "individual": None if ind is None else {"code": ind, "exists": ind == "1"},
            }
        ren = _txt(parsed.get("df2_ef02"), "df2_ef02", 0xD8, 2)
        f["renewal_application"] = None if ren is None else {"code": ren, "pending": ren == "1"}
        other = parsed.get("df2_ef03")
        if other is not None:
            flag = _txt(other, "df2_ef03", 0xD9, 2)
            f["note"] = {"flag": flag, "recorded": flag == "1", "text": _txt(other, "df2_ef03", 0xDE, 2)}
        f["address_entries"] = None
    else:
        f["card_number"] = None  # gen 1 holds the number only in the front image
        a = parsed.get("df2_ef01")
        entries: list[dict[str, Any]] = []
        if a is not None:
            current: dict[str, Any] = {}
            for o in a.objects:
                key = {0xD2: "date", 0xD3: "municipality_code", 0xD4: "address"}[o.tag]
                if key in current:
                    entries.append(current)
                    current = {}
                value = text(o.value, layout.TAGS_GEN1["df2_ef01"][o.tag], a.file)
                current[key] = ymd(value) if key == "date" else value
            if current:
                entries.append(current)
        if entries and all(e.get("date") is not None and e["date"].iso for e in entries):
            entries.sort(key=lambda e: e["date"].iso)  # newest last (stable: same-day entries keep file order)
        f["address_entries"] = entries
        if entries and entries[-1].get("address"):
            result.address = entries[-1]["address"]
        comp = _txt(parsed.get("df2_ef02"), "df2_ef02", 0xD5, 1)
        ind = _txt(parsed.get("df2_ef03"), "df2_ef03", 0xD6, 1)
        if "df2_ef02" in parsed or "df2_ef03" in parsed:
            f["permission_outside_status"] = {"comprehensive_text": comp, "individual_text": ind}
        ren = _txt(parsed.get("df2_ef04"), "df2_ef04", 0xD7, 1)
        f["renewal_application"] = None if ren is None else {"code": ren, "pending": ren == "1"}
        for k in (
            "nationality",
            "status_of_residence",
            "period_of_stay",
            "period_expiry",
            "permission",
            "work_restriction",
        ):
            f[k] = None
    f["unknown_tags"] = [u.to_json() for u in unknown]
    if problems:
        f["image_problems"] = problems

    f["malformed_files"] = list(read.malformed)
    f["details"] = _details(f)
    result.checks = [
        *_layout_check(read),
        _number_check(typed_number, chip_number, gen),
        *_signature_checks(read, parsed, store, now, gen, d0, d1),
        _presence_check(),
        _period_check(f.get("period_expiry"), f.get("period_of_stay"), gen, ct.kind),
        _expiry_check(result.card_expiry, today, gen),
    ]
    return result.finish()


def _details(f: dict[str, Any]) -> list[dict[str, str]]:
    """Rows the text output prints (render_text): what the counter needs first."""
    from taimen.residence.entries import period_display_ja

    def coded(v: dict[str, Any] | None) -> str | None:
        return None if not v else f"{v.get('ja') or v['code']}" + (f"（{v['code']}）" if v.get("ja") else "")

    rows: list[tuple[str, str, str | None]] = [
        ("種類", "Document", f"{f['kind_ja']}（第{f['generation']}世代・種別 {f['card_type']}）"),
        # the unlock value: letters only in printed output (the JSON field carries it for 失効情報照会)
        ("在留カード等番号", "Card number", redact(f["card_number"]) if f.get("card_number") else None),
        ("国籍・地域", "Nationality", coded(f.get("nationality"))),
        ("在留資格", "Status of residence", coded(f.get("status_of_residence"))),
    ]
    period = f.get("period_of_stay")
    if period:
        rows.append(("在留期間", "Period of stay", period_display_ja(period)))
    pexp = f.get("period_expiry")
    if pexp and pexp.get("display_ja"):
        rows.append(
            ("在留期間の満了日", "Period expiry", pexp["display_ja"] + ("（満了）" if pexp.get("expired") else ""))
        )
    rows.append(("就労制限の有無", "Work restriction", coded(f.get("work_restriction"))))
    pos = f.get("permission_outside_status") or {}
    comp = pos.get("comprehensive")
    rows.append(("資格外活動許可", "Permission outside status", coded(comp) or pos.get("comprehensive_text") or None))
    ren = f.get("renewal_application")
    if ren:
        rows.append(("在留期間更新等許可申請", "Renewal application", "申請中" if ren["pending"] else "なし"))
    entries = f.get("address_entries") or []
    if entries:
        last = entries[-1]
        when = last["date"].display_ja if last.get("date") else ""
        rows.append(("住居地（最新の裏面記載）", "Address (latest entry)", f"{last.get('address', '')}（{when}）"))
    return [{"label_ja": a, "label_en": b, "value": v} for a, b, v in rows if v]


def _layout_check(read: ResidenceRead) -> list[Check]:
    if not read.malformed:
        return []
    return [
        _check(
            "residence.files",
            CheckStatus.FAILED,
            "ファイル構成",
            "file layout",
            "仕様の容量を超えるファイルがあります（カード種別と中身が一致しません）：" + "；".join(read.malformed),
            "files larger than their specified capacity (the content does not fit the card type): "
            + "; ".join(read.malformed),
            tuple(m.split(":")[0] for m in read.malformed),
        )
    ]


def _flag_expired(d: DateValue | None, today: date) -> DateValue | None:
    if d is None or d.iso is None or date.fromisoformat(d.iso) >= today:
        return d
    return DateValue(d.iso, d.display_ja, d.raw, (*d.flags, "expired"))


def _expiry_json(d: DateValue | None, today: date) -> dict[str, Any] | None:
    if d is None:
        return None
    out = d.to_json()
    out["expired"] = d.iso is not None and date.fromisoformat(d.iso) < today
    return out


def _number_check(typed: str, chip_number: str | None, gen: int) -> Check:
    name, ja, en = "residence.card_number", "在留カード等番号", "card number"
    if chip_number is not None and chip_number != typed:
        return _check(
            name,
            CheckStatus.FAILED,
            ja,
            en,
            "チップ内の番号（DF1/EF01）がアクセスに使った番号と一致しません。",
            "the number stored in the chip (DF1/EF01) differs from the number that opened it",
            ("MUTUAL AUTHENTICATE", "VERIFY", "DF1/EF01"),
        )
    extra_ja = "チップ内の番号（DF1/EF01）とも一致しました。" if chip_number else ""
    extra_en = "; the chip's stored number (DF1/EF01) agrees" if chip_number else ""
    return _check(
        name,
        CheckStatus.PASSED,
        ja,
        en,
        f"入力した番号でチップの相互認証と照合に成功しました。{extra_ja}",
        f"the chip accepted the typed number in MUTUAL AUTHENTICATE and VERIFY{extra_en}",
        ("MUTUAL AUTHENTICATE", "VERIFY") + (("DF1/EF01",) if gen == 2 else ()),
        ("券面の番号が本物かどうか（番号は券面に印刷された値で、秘密ではありません）",),
    )


def _presence_check() -> Check:
    return _check(
        "residence.chip_presence",
        CheckStatus.NOT_VERIFIABLE,
        "ICチップの真正性（複製防止）",
        "chip presence (anti-cloning)",
        "在留カードには複製を見破る仕組み（能動認証など）がありません。相互認証で分かるのは、チップが券面に印刷された"
        "番号から作る鍵を知っていることだけで、番号を知る者なら誰でも作れます。データの真正性は電子署名で確認します。",
        "the card has no anti-cloning mechanism (no active or chip authentication). MUTUAL AUTHENTICATE proves only "
        "that the chip knows a key derived from the printed card number, which anyone holding the card can read; "
        "the data's authenticity rests on the signature",
        ("MUTUAL AUTHENTICATE (live session, fresh challenge)",),
        ("cloned chip carrying copied signed data",),
        required=False,  # the card cannot support it; a verdict may be genuine without it (docs/residence.md)
    )


def _sig_fail(dja: str, den: str, covers: tuple[str, ...]) -> Check:
    return _check(
        "residence.signature",
        CheckStatus.FAILED,
        "電子署名（チェックコード）",
        "signature (check code)",
        dja,
        den,
        covers,
    )


def _signature_checks(
    read: ResidenceRead,
    parsed: dict[str, Parsed],
    store: TrustStore,
    now: datetime,
    gen: int,
    d0: bytes | None,
    d1: bytes | None,
) -> list[Check]:
    sig_file = parsed.get("df3_ef01")
    covers = ("DF1/EF01 D0", "DF1/EF02 D1") if gen == 1 else ("DF1/EF02 券面記載事項", "DF1/EF03 D1", "DF1/EF03 D0")
    not_covered = ("DF2 住居地・資格外活動許可・更新申請",) + (("DF1/EF04 住居地画像",) if gen == 2 else ())
    cert_name, cja, cen = "residence.certificate", "署名者証明書（出入国在留管理庁CA）", "signer certificate (ISA CA)"
    sig_tag, cert_tag = (0xDA, 0xDB) if gen == 1 else (0xDC, 0xDD)
    if sig_file is None:
        return [
            _sig_fail("署名ファイル（DF3/EF01）がありません。", "the signature file DF3/EF01 is missing", covers),
            _check(cert_name, CheckStatus.FAILED, cja, cen, "証明書がありません。", "no certificate"),
        ]
    other = (0xDC, 0xDD) if gen == 1 else (0xDA, 0xDB)
    sig, der = sig_file.get(sig_tag), sig_file.get(cert_tag)
    foreign = [u for u in sig_file.unknown if u.tag in other]
    if sig is None or der is None:
        if foreign:
            g = "第1世代" if gen == 2 else "第2世代"
            return [
                _sig_fail(
                    f"カード種別は第{gen}世代ですが、署名ファイルは{g}の形式です（世代の偽装）。",
                    f"the card type says generation {gen}, but the signature file has the other generation's "
                    "tags (a chip claiming the wrong generation)",
                    covers,
                ),
                _check(
                    cert_name,
                    CheckStatus.FAILED,
                    cja,
                    cen,
                    "証明書の形式が世代と一致しません。",
                    "certificate of the wrong generation",
                ),
            ]
        return [
            _sig_fail("署名または証明書がありません。", "signature or certificate missing", covers),
            _check(cert_name, CheckStatus.FAILED, cja, cen, "証明書がありません。", "no certificate"),
        ]
    try:
        cert = load_card_certificate(der, "DF3/EF01")
    except ParseError as exc:
        return [
            _sig_fail("証明書を読めません。", str(exc), covers),
            _check(cert_name, CheckStatus.FAILED, cja, cen, "証明書が不正です。", str(exc)),
        ]
    # the signature with the card's own certificate key
    missing = [n for n, v in (("D0", d0), ("D1", d1)) if v is None]
    printed: list[bytes] = []
    if gen == 2:
        pe = parsed.get("df1_ef02")
        if pe is None:
            missing.append("DF1/EF02")
        else:
            printed = [o.value for o in pe.objects]
    if missing:
        sig_check = _sig_fail(
            f"署名対象のデータ（{'・'.join(missing)}）がありません。",
            f"signed data missing: {', '.join(missing)}",
            covers,
        )
    else:
        assert d0 is not None and d1 is not None
        if gen == 1:
            ok, how = verify_gen1(cert, sig, gen1_target(d0, d1)), "RSA-2048 PKCS#1 v1.5 SHA-256"
        else:
            size = layout.GEN2_PRINTED_TARGET
            ok, enc = verify_gen2(cert, sig, gen2_target(printed, d1, d0, size))
            how = f"ECDSA P-384 SHA-256 ({enc})"
        if ok:
            sig_check = _check(
                "residence.signature",
                CheckStatus.PASSED,
                "電子署名（チェックコード）",
                "signature (check code)",
                f"カードの証明書の公開鍵で署名を検証しました（{how}）。",
                f"the signature verifies with the card certificate's key ({how})",
                covers,
                not_covered,
            )
        else:
            sig_check = _sig_fail(
                "署名が一致しません。署名されたデータ（画像など）が改ざんされています。",
                f"the signature does not verify ({how}): signed data altered or re-signed",
                covers,
            )
    try:
        cert_check = _certificate_check(cert, store, now, gen)
    except (
        ValueError,
        TypeError,
        UnsupportedAlgorithm,
    ) as exc:  # cryptography parses names/extensions lazily: a hostile DER
        cert_check = _check(
            "residence.certificate",
            CheckStatus.FAILED,
            "署名者証明書（出入国在留管理庁CA）",
            "signer certificate (ISA CA)",
            "証明書の内容が不正です。",
            f"malformed certificate: {exc}",
        )
    return [sig_check, cert_check]


def _certificate_check(cert: x509.Certificate, store: TrustStore, now: datetime, gen: int) -> Check:
    name, ja, en = "residence.certificate", "署名者証明書（出入国在留管理庁CA）", "signer certificate (ISA CA)"
    covers = ("DF3/EF01 DB" if gen == 1 else "DF3/EF01 DD",)
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    key = cert.public_key()
    if gen == 1 and not (isinstance(key, rsa.RSAPublicKey) and key.key_size >= 2048):
        return _check(
            name, CheckStatus.FAILED, ja, en, "証明書の鍵がRSA-2048ではありません。", "key is not RSA-2048", covers
        )
    if gen == 2 and not (isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp384r1"):
        return _check(
            name, CheckStatus.FAILED, ja, en, "証明書の鍵がP-384ではありません。", "key is not EC P-384", covers
        )
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        if not ku.digital_signature:
            return _check(
                name,
                CheckStatus.FAILED,
                ja,
                en,
                "証明書の鍵用途に署名がありません。",
                "key usage lacks digitalSignature",
                covers,
            )
    except x509.ExtensionNotFound:
        pass
    r = chain(cert, store, now)
    if r.status in ("broken", "ambiguous"):
        return _check(name, CheckStatus.FAILED, ja, en, r.detail_ja, r.detail_en, covers)
    if r.status == "no_anchor":
        return _check(
            name,
            CheckStatus.NOT_VERIFIABLE,
            ja,
            en,
            f"この端末では検証できません：{r.detail_ja}。",
            f"not verifiable here: {r.detail_en}",
            covers,
        )
    if r.status == "test_anchor":
        return _check(
            name,
            CheckStatus.WARNING,
            ja,
            en,
            f"テスト用CA（{r.anchor_label}）の証明書です。発行された証明書ではありません。",
            f"issued by a test CA ({r.anchor_label}): a test card, not an issued document",
            covers,
        )
    in_validity = cert.not_valid_before_utc <= now <= cert.not_valid_after_utc
    if not in_validity or r.warnings:
        return _check(
            name,
            CheckStatus.WARNING,
            ja,
            en,
            f"{r.anchor_label} に連なりますが、証明書またはCAの有効期間外です（過去に発行されたカードの評価が必要）。",
            f"chains to {r.anchor_label}, but the certificate or CA is outside its validity period "
            "(historical evaluation needed)",
            covers,
        )
    official = "（出入国在留管理庁の公開証明書）" if r.official else ""
    return _check(
        name,
        CheckStatus.PASSED,
        ja,
        en,
        f"固定されたCA {r.anchor_label}{official} に連なります。",
        f"chains to the pinned CA {r.anchor_label}" + (" (official ISA certificate)" if r.official else ""),
        covers,
        ("revocation (失効情報照会 is a manual step)",),
    )


def _period_check(pexp: dict[str, Any] | None, period: dict[str, Any] | None, gen: int, kind: str) -> Check:
    name, ja, en = "residence.period_of_stay", "在留期間", "period of stay"
    if gen == 1:
        return _check(
            name,
            CheckStatus.SKIPPED,
            ja,
            en,
            "第1世代のカードは在留期間を画像（券面イメージ）でのみ記録しています。目で確認してください。",
            "a 1st-generation card records the period of stay only in the front image: check it by eye",
            required=False,
        )
    if period and period.get("indefinite"):
        return _check(name, CheckStatus.PASSED, ja, en, "無期限です。", "indefinite", ("DF1/EF02 CE",), required=False)
    if pexp is None or pexp.get("iso") is None:
        if kind == "special_permanent_resident_certificate":
            return _check(
                name,
                CheckStatus.SKIPPED,
                ja,
                en,
                "特別永住者証明書には在留期間がありません。",
                "an SPRC has no period of stay",
                required=False,
            )
        return _check(
            name,
            CheckStatus.WARNING,
            ja,
            en,
            "在留期間の満了日を読めません。",
            "period expiry unreadable",
            ("DF1/EF02 CD",),
            required=False,
        )
    if pexp.get("expired"):
        return _check(
            name,
            CheckStatus.WARNING,
            ja,
            en,
            f"在留期間の満了日（{pexp['display_ja']}）を過ぎています。",
            f"the period of stay ended on {pexp['iso']}",
            ("DF1/EF02 CD",),
            required=False,
        )
    return _check(
        name,
        CheckStatus.PASSED,
        ja,
        en,
        f"{pexp['display_ja']}まで在留期間内です。",
        f"within the period of stay until {pexp['iso']}",
        ("DF1/EF02 CD",),
        required=False,
    )


def _expiry_check(expiry: DateValue | None, today: date, gen: int) -> Check:
    name, ja, en = "residence.card_expiry", "カードの有効期間", "card expiry"
    if gen == 1:
        return _check(
            name,
            CheckStatus.SKIPPED,
            ja,
            en,
            "第1世代のカードは有効期間を画像でのみ記録しています。目で確認してください。",
            "a 1st-generation card records its expiry only in the front image: check it by eye",
            required=False,
        )
    if expiry is None or expiry.iso is None:
        return _check(
            name,
            CheckStatus.WARNING,
            ja,
            en,
            "有効期間の満了日を読めません。",
            "card expiry unreadable",
            ("DF1/EF02 C5",),
            required=False,
        )
    if date.fromisoformat(expiry.iso) < today:
        return _check(
            name,
            CheckStatus.WARNING,
            ja,
            en,
            f"有効期間（{expiry.display_ja}）を過ぎています。",
            f"the card expired on {expiry.iso}",
            ("DF1/EF02 C5",),
            required=False,
        )
    return _check(
        name,
        CheckStatus.PASSED,
        ja,
        en,
        f"{expiry.display_ja}まで有効です。",
        f"valid until {expiry.iso}",
        ("DF1/EF02 C5",),
        required=False,
    )
