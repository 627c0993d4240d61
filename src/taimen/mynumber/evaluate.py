"""From what the card gave to a ReadResult: every check on its own, consistency, and the verdict.

Pure: no I/O. The entered values take part only as comparisons (the chip's birth date against the printed
one, DF29's year against the entered expiry year); they are never copied into the result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from taimen import wareki
from taimen.mynumber import jpki_ap, kenmen_ap, shogo_b, signatures, text_ap
from taimen.mynumber.cvc import format_key_id
from taimen.mynumber.reader import CardRead
from taimen.mynumber.values import sex_label
from taimen.pinsafety import already_unlocked_check
from taimen.result import Check, CheckStatus, DateValue, Image, ReadResult
from taimen.trust import TrustStore


@dataclass(frozen=True)
class Entered:
    """The non-secret-bearing part of what the operator entered that the checks compare against."""

    birth: shogo_b.BirthKey
    expiry_year: int

    @classmethod
    def of(cls, b: shogo_b.ShogoB) -> Entered:
        return cls(b.birth, b.expiry_year)


def _display(d: date, calendar: str) -> str:
    return wareki.format_seireki(d) if calendar == shogo_b.SEIREKI else wareki.format_ja(d)


def _unlock_check(read: CardRead) -> Check:
    title_ja, title_en = "照合番号Bの照合", "照合番号B accepted by the chip"
    covers = ("入力補助AP key EF 0015", "券面AP key EF 0012")
    if read.already_unlocked:
        names = {"text_ap": ("入力補助AP", "text AP"), "kenmen_ap": ("券面AP", "券面AP")}
        check = already_unlocked_check(
            "unlock.shogo_b",
            [f"照合番号B（{names[k][0]}）" for k in read.already_unlocked],
            [f"照合番号B ({names[k][1]})" for k in read.already_unlocked],
            covers,
        )
        return replace(check, title_ja=title_ja, title_en=title_en)
    if read.kenmen_refused is not None:
        return Check(
            "unlock.shogo_b",
            CheckStatus.FAILED,
            title_ja,
            title_en,
            f"入力補助APが受け付けた照合番号Bを券面APが拒否しました（券面APの残り{read.kenmen_refused}回）。"
            "2つのAPの内容が食い違っています。",
            f"the 券面AP refused the 照合番号B the text AP had accepted ({read.kenmen_refused} tries left there): "
            "the two applications disagree",
            covers,
        )
    return Check(
        "unlock.shogo_b",
        CheckStatus.PASSED,
        title_ja,
        title_en,
        "両方のAPが照合番号Bを受け付けました（チップは券面の生年月日・有効期限の年・セキュリティコードを知っています）。",
        "both applications accepted 照合番号B: the chip knows the printed birth date, expiry year and security code",
        covers,
    )


def _birth_check(attrs: text_ap.Attributes | None, face: kenmen_ap.CardFace | None, entered: Entered) -> Check | None:
    dates = {k: v for k, v in (("text", attrs and attrs.birth_date), ("face", face and face.birth_date)) if v}
    if not dates:
        return None
    problems_ja, problems_en = [], []
    if len(set(dates.values())) > 1:
        problems_ja.append("入力補助APと券面APの生年月日が異なります")
        problems_en.append("the text AP and the 券面AP hold different birth dates")
    if not all(entered.birth.matches(d) for d in dates.values()):
        problems_ja.append("チップの生年月日が入力された生年月日と一致しません")
        problems_en.append("the chip's birth date differs from the one entered")
    sources = (("入力補助AP EF 0002 DF24", "text"), ("券面AP EF 0002 DF22", "face"))
    covers = (*(x for x, k in sources if k in dates), "the birth date entered from the card face")
    return Check(
        "consistency.birth_date",
        CheckStatus.FAILED if problems_ja else CheckStatus.PASSED,
        "生年月日の一致",
        "birth dates agree",
        "。".join(problems_ja) + "。" if problems_ja else "入力補助AP・券面AP・入力値の生年月日が一致しました。",
        "; ".join(problems_en) if problems_en else "text AP, 券面AP and the entered birth date agree",
        covers,
    )


def _sex_check(attrs: text_ap.Attributes | None, face: kenmen_ap.CardFace | None) -> Check | None:
    if attrs is None or face is None:
        return None
    same = attrs.sex == face.sex
    return Check(
        "consistency.sex",
        CheckStatus.PASSED if same else CheckStatus.FAILED,
        "性別の一致",
        "sex agrees",
        "入力補助APと券面APの性別が一致しました。" if same else "入力補助APと券面APの性別が異なります。",
        "text AP and 券面AP agree" if same else "the text AP and the 券面AP record different sexes",
        ("入力補助AP EF 0002 DF25", "券面AP EF 0002 DF23"),
    )


def _expiry_check(face: kenmen_ap.CardFace, entered: Entered, today: date) -> Check:
    title_ja, title_en = "有効期限（券面AP DF29）", "card expiry (券面AP DF29)"
    covers = ("DF29 against the expiry year entered", "DF29 against today's date")
    not_covered = ("DF29 is not covered by the 券面AP signature",)
    if face.expiry.year != entered.expiry_year:
        return Check(
            "kenmen_ap.expiry",
            CheckStatus.FAILED,
            title_ja,
            title_en,
            f"チップの有効期限（{face.expiry.year}年）が入力された有効期限の年と一致しません。"
            "どの照合番号Bでも受け付ける偽造チップの疑いがあります。",
            f"the chip's expiry year ({face.expiry.year}) differs from the entered one: a forged chip that "
            "accepts any 照合番号B is suspected",
            covers,
            not_covered,
        )
    if face.expiry < today:
        return Check(
            "kenmen_ap.expiry",
            CheckStatus.WARNING,
            title_ja,
            title_en,
            f"カードの有効期限（{wareki.format_seireki(face.expiry)}）が切れています。",
            f"the card expired on {face.expiry.isoformat()}",
            covers,
            not_covered,
        )
    return Check(
        "kenmen_ap.expiry",
        CheckStatus.PASSED,
        title_ja,
        title_en,
        f"有効期限内です（{wareki.format_seireki(face.expiry)}まで）。入力された年と一致しました。署名の対象外の項目です。",
        f"valid until {face.expiry.isoformat()}, matching the entered year; DF29 is not signed",
        covers,
        not_covered,
    )


def _offsets_check(attrs: text_ap.Attributes | None, face: kenmen_ap.CardFace | None) -> Check | None:
    if attrs is None or face is None:
        return None
    return Check(
        "consistency.offset_tables",
        CheckStatus.PASSED,
        "オフセット表",
        "offset tables",
        "両APのEF 0002のオフセット表が実際のデータ位置と一致しました。",
        "the DF21 offset tables of both EF 0002 files match where each object actually starts",
        ("入力補助AP EF 0002 DF21", "券面AP EF 0002 DF21"),
    )


def evaluate(read: CardRead, entered: Entered, store: TrustStore, *, today: date, now: datetime) -> ReadResult:
    result = ReadResult(document="mynumber")
    text = text_ap.evaluate(read.text, store)
    checks: list[Check] = [_unlock_check(read), *text.checks]
    attrs = text.attributes
    face = None
    fields: dict[str, Any] = {
        "birth_calendar": entered.birth.calendar,
        "tries_left_before": {"text_ap": read.tries_before.text_ap, "kenmen_ap": read.tries_before.kenmen_ap},
    }
    if read.kenmen is not None:
        kenmen = kenmen_ap.evaluate(read.kenmen, store)
        checks += kenmen.checks
        face = kenmen.face
        if face is not None:
            checks.append(_expiry_check(face, entered, today))
        if kenmen.basic_info is not None:
            fields["municipality_code"] = kenmen.basic_info.municipality_code
        if kenmen.cvc is not None:
            fields["kenmen_ap_cvc"] = {
                "issuer_key_id": format_key_id(kenmen.cvc.issuer_key_id),
                "subject_key_id": format_key_id(kenmen.cvc.subject_key_id),
            }
    for extra in (_birth_check(attrs, face, entered), _sex_check(attrs, face), _offsets_check(attrs, face)):
        if extra is not None:
            checks.append(extra)
    if text.cvc is not None:
        fields["text_ap_cvc"] = {
            "issuer_key_id": format_key_id(text.cvc.issuer_key_id),
            "subject_key_id": format_key_id(text.cvc.subject_key_id),
        }
    if read.jpki is not None:
        jp = jpki_ap.evaluate(read.jpki, store, now)
        checks += jp.checks
        if jp.info:
            fields["jpki"] = jp.info

    calendar = entered.birth.calendar
    if attrs is not None:
        result.name = attrs.name
        result.address = attrs.address
        fields["name_parts"] = {"family": attrs.family_name, "given": attrs.given_name}
        if attrs.gaiji:
            fields["gaiji"] = [{"field": f, "code_point": cp, "kind": k} for f, cp, k in attrs.gaiji]
    birth = attrs.birth_date if attrs is not None else face.birth_date if face is not None else None
    if birth is not None:
        result.birth_date = DateValue(birth.isoformat(), _display(birth, calendar), birth.strftime("%Y%m%d"))
    sex = attrs.sex if attrs is not None else face.sex if face is not None else None
    result.sex = sex_label(sex) if sex is not None else None
    if face is not None:
        flags = ("expired",) if face.expiry < today else ()
        result.card_expiry = DateValue(
            face.expiry.isoformat(), wareki.format_seireki(face.expiry), face.expiry.strftime("%Y%m%d"), flags
        )
        info = face.photo_info
        result.photo = Image(info.mime, face.photo, f"顔写真 / photo (券面AP DF27, {info.width}×{info.height})")
        n, a = face.name_image_info, face.address_image_info
        result.images["name"] = Image(n.mime, face.name_image, f"氏名 / name (券面AP DF25, {n.width}×{n.height})")
        result.images["address"] = Image(
            a.mime, face.address_image, f"住所 / address (券面AP DF26, {a.width}×{a.height})"
        )
        fields["card_key_fingerprint"] = signatures.fingerprint(face.card_key)
        # DF2A shows the security code (part of 照合番号B): only its existence is recorded.
        fields["security_code_image"] = {"present": face.security_code_image_present, "signed": False, "shown": False}
    result.fields = fields
    result.checks = checks
    return result.finish()
