"""Cross-check: the printed card face (read by OCR, confirmed by the operator) against what the chip holds.

A forger who cannot write a chip can still print a card face: another name, another birth date, another
photo on a genuine card. Each printed field is compared with the chip's value after normalising what
legitimately differs between print and chip (full/half width, spaces and line breaks, 和暦/西暦, common
異体字). A mismatch becomes a failed check naming both values, so the verdict turns ``not_genuine``; a
mismatch on a value OCR was unsure of and the operator did not confirm is a warning instead (it may be a
misreading). The photos are compared by a simple structural-similarity score that is shown as an aid: it
never fails a card on its own, it asks the operator to look.

Pure functions; nothing here talks to a card.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from taimen import wareki
from taimen.ocr.proposals import CONFIDENT, OcrResult
from taimen.result import Check, CheckStatus, ReadResult

PREFIX = "face."

#: Variant forms (旧字体・異体字) folded to one form before names and addresses are compared. Cards print the
#: registered form, and so does the chip; the folding absorbs OCR's choice between look-alike forms.
ITAIJI = str.maketrans(
    {
        "髙": "高",
        "﨑": "崎",
        "嵜": "崎",
        "邊": "辺",
        "邉": "辺",
        "齋": "斎",
        "齊": "斉",
        "濱": "浜",
        "濵": "浜",
        "德": "徳",
        "櫻": "桜",
        "澤": "沢",
        "廣": "広",
        "國": "国",
        "眞": "真",
        "嶋": "島",
        "嶌": "島",
        "冨": "富",
        "惠": "恵",
        "藏": "蔵",
        "龍": "竜",
        "瀨": "瀬",
        "槇": "槙",
        "曻": "昇",
        "號": "号",
        "區": "区",
        "縣": "県",
        "ヶ": "ケ",
    }
)
_DASHES = re.compile(r"[‐‑‒–—―−ｰー－-]")

#: Photo similarity: SSIM of the two greyscale photos at 72×96, after aligning the chip photo on the printed
#: one and normalising brightness and contrast. Calibrated on 40 synthetic portraits photographed through the
#: degradation pipeline (taimen.face.degrade): genuine pairs scored a median of 0.92 (lowest 0.86, 2.5 %
#: below 0.87); pairs of different faces a median of 0.74, 27 % at or above 0.80 and 2 % at or above 0.87.
#: The synthetic portraits share one drawing style, so different faces can look alike: an aid, not a decision.
PHOTO_SIMILAR = 0.87
PHOTO_DIFFERENT = 0.80
PHOTO_SIZE = (72, 96)


def normalise_text(text: str) -> str:
    """The form in which a printed and a chip value must be equal: NFKC, no spaces or line breaks, 異体字 folded."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"\s+", "", t).translate(ITAIJI)
    return t.upper()


def normalise_address(text: str) -> str:
    """Addresses also fold dash variants and treat ２丁目１番２号 and ２－１－２ alike."""
    t = normalise_text(text)
    t = re.sub(r"(\d)\s*丁目\s*(\d)", r"\1-\2", t)
    t = re.sub(r"(\d)\s*番地?\s*(\d)", r"\1-\2", t)
    t = re.sub(r"(\d)\s*[番号]$", r"\1", t)
    return _DASHES.sub("-", t)


@dataclass(frozen=True, slots=True)
class Printed:
    """One printed value to compare: what OCR proposed or the operator confirmed."""

    value: str | None
    confidence: float
    confirmed: bool
    display: str
    #: why OCR doubts this value (taimen.ocr.fieldread.REASONS); a doubtful value never fails a card by itself
    reasons: tuple[str, ...] = ()
    doubtful: bool = False
    #: an address as it reads with the other place OCR could not tell from the proposed one (湊町 or 浜町)
    alternative: str | None = None


def printed_values(ocr: OcrResult, confirmed: Mapping[str, str] | None = None) -> dict[str, Printed]:
    """The printed values: the operator's confirmed/corrected ones take precedence over OCR's proposals."""
    confirmed = confirmed or {}
    out: dict[str, Printed] = {}
    for key, f in ocr.fields.items():
        if key in confirmed:
            v = confirmed[key]
            out[key] = Printed(v, 1.0, True, v)
        else:
            alternative = f.extra.get("rival_address")
            shown = f.text or (f.value or "")
            out[key] = Printed(f.value, f.confidence, False, shown, f.reasons, f.doubtful, alternative)
    for key, v in confirmed.items():
        out.setdefault(key, Printed(v, 1.0, True, v))
    return out


def _mismatch(
    name: str, title_ja: str, title_en: str, p: Printed, printed: str, chip: str, alternative_matches: bool = False
) -> Check:
    sure = p.confirmed or (p.confidence >= CONFIDENT and not p.doubtful)
    ja = f"券面「{printed}」／IC「{chip}」"
    en = f"printed {printed!r} / chip {chip!r}"
    if sure:
        return Check(
            name,
            CheckStatus.FAILED,
            title_ja,
            title_en,
            f"券面とICチップの内容が一致しません：{ja}。券面だけが書き換えられた偽造の疑いがあります。",
            f"the card face and the chip differ: {en}; the printed face may have been altered",
            ("printed card face", "chip"),
            required=False,
        )
    from taimen.ocr.fieldread import doubt_words

    why_ja, why_en = doubt_words(p.reasons, p.confidence)
    # OCR's other candidate equal to the chip points at a misreading, yet only the eye can tell which is printed
    other_ja = f"OCRのもう一つの候補「{p.alternative}」はICチップと一致します。" if alternative_matches else ""
    other_en = f"; OCR's other candidate {p.alternative!r} matches the chip" if alternative_matches else ""
    return Check(
        name,
        CheckStatus.WARNING,
        title_ja,
        title_en,
        f"一致しません：{ja}。OCRの読み取りに疑いがあるため（{why_ja}）読み違いの可能性があります。{other_ja}"
        "券面を目視で確認してください。",
        f"they differ: {en}; OCR doubted this value ({why_en}), so this may be a misreading{other_en}: "
        "compare by eye",
        ("printed card face (OCR, unconfirmed)", "chip"),
        required=False,
    )


def _skipped(name: str, title_ja: str, title_en: str, why_ja: str, why_en: str) -> Check:
    return Check(name, CheckStatus.SKIPPED, title_ja, title_en, why_ja, why_en, required=False)


GAIJI = "〓"  # the placeholder a chip's 外字 (a character drawn as an image) decodes to


def _equal(printed: str, chip: str, kind: str) -> bool:
    """Equal after normalising; a 外字 placeholder in the chip value stands for any one printed character."""
    fn = normalise_address if kind == "address" else normalise_text
    a, b = fn(printed), fn(chip)
    if GAIJI not in b:
        return a == b
    pattern = "".join("." if ch == GAIJI else re.escape(ch) for ch in b)
    return re.fullmatch(pattern, a) is not None


def _text_check(
    key: str,
    title_ja: str,
    title_en: str,
    p: Printed | None,
    chip: str | None,
    kind: str,
    note: tuple[str, str] = ("", ""),
) -> Check:
    name = PREFIX + key
    if chip is None:
        return _skipped(name, title_ja, title_en, "ICチップにこの項目がありません。", "the chip has no such value")
    if p is None or not p.value:
        return _skipped(name, title_ja, title_en, "券面から読み取れませんでした。", "not read from the card face")
    if _equal(p.value, chip, kind):
        folded = normalise_text(p.value) != re.sub(r"\s+", "", unicodedata.normalize("NFKC", p.value)).upper()
        note_ja = "（異体字・表記の違いを同一視）" if folded else ""
        note_en = " (variant characters or notation treated as equal)" if folded else ""
        if GAIJI in chip:
            note_ja += "（外字〓の文字はICチップの画像と目視で確認してください）"
            note_en += " (the chip holds 〓 as an image, 外字: compare that character by eye)"
        return Check(
            name,
            CheckStatus.PASSED,
            title_ja,
            title_en,
            f"券面とICチップが一致しました{note_ja}：{chip}{note[0]}",
            f"the card face matches the chip{note_en}: {chip!r}{note[1]}",
            ("printed card face", "chip"),
            required=False,
        )
    other = p.alternative is not None and not p.confirmed and _equal(p.alternative, chip, kind)
    check = _mismatch(name, title_ja, title_en, p, p.value, chip, other)
    if note[0]:
        return Check(
            check.name,
            check.status,
            check.title_ja,
            check.title_en,
            check.detail_ja + note[0],
            check.detail_en + note[1],
            check.covers,
            required=False,
        )
    return check


def _license_as_issued(chip: ReadResult, tag: str) -> str | None:
    """What a licence's DF1/EF01 recorded at issue (name 12, address 17): the front shows that; a later
    change is a 追記 on the back, recorded separately on the chip."""
    for e in chip.fields.get("elements") or []:
        if isinstance(e, dict) and e.get("tag") == tag and e.get("file") == "DF1/EF01":
            decoded = e.get("decoded")
            text = decoded.get("text") if isinstance(decoded, dict) else decoded
            return text if isinstance(text, str) else None
    return None


def _license_change(chip: ReadResult, key: str) -> tuple[str, str]:
    current = (chip.fields.get("current") or {}).get(key)
    if isinstance(current, dict) and current.get("changed"):
        when, text = current["changed"], current.get("text", "")
        return (
            f"。裏面の追記で「{text}」に変更されています（{when}）",
            f"; changed on the back (追記) to {text!r} on {when}",
        )
    return ("", "")


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        try:
            return wareki.parse_ja(value)
        except wareki.EraError:
            return None


def _date_check(key: str, title_ja: str, title_en: str, p: Printed | None, chip_iso: str | None) -> Check:
    name = PREFIX + key
    if chip_iso is None:
        return _skipped(name, title_ja, title_en, "ICチップにこの項目がありません。", "the chip has no such value")
    if p is None or not p.value:
        return _skipped(name, title_ja, title_en, "券面から読み取れませんでした。", "not read from the card face")
    printed = _parse_date(p.value)
    chip = date.fromisoformat(chip_iso)
    shown = f"{wareki.format_ja(chip)}（{chip.isoformat()}）"
    if printed == chip:
        return Check(
            name,
            CheckStatus.PASSED,
            title_ja,
            title_en,
            f"券面とICチップが一致しました：{shown}",
            f"the card face matches the chip: {chip.isoformat()}",
            ("printed card face", "chip"),
            required=False,
        )
    printed_shown = f"{wareki.format_ja(printed)}（{printed.isoformat()}）" if printed else p.display
    return _mismatch(name, title_ja, title_en, p, printed_shown, shown)


SEX_JA = {"male": "男", "female": "女"}


def _sex_check(p: Printed | None, chip: str | None) -> Check:
    name = PREFIX + "sex"
    title_ja, title_en = "券面とICの照合（性別）", "card face vs chip: sex"
    if chip is None or chip not in SEX_JA:
        return _skipped(name, title_ja, title_en, "ICチップの性別がありません。", "no sex on the chip")
    if p is None or not p.value:
        return _skipped(name, title_ja, title_en, "券面から読み取れませんでした。", "not read from the card face")
    if p.value == chip:
        return Check(
            name,
            CheckStatus.PASSED,
            title_ja,
            title_en,
            f"一致しました：{SEX_JA[chip]}",
            f"matches: {chip}",
            required=False,
        )
    return _mismatch(name, title_ja, title_en, p, SEX_JA.get(p.value, p.value), SEX_JA[chip])


# -- photos ------------------------------------------------------------------------------------------------


def _norm(g: np.ndarray) -> np.ndarray:
    g = g.astype(np.float64)
    return (g - g.mean()) / (g.std() + 1e-6) * 50 + 128  # same brightness and contrast for both


def _ssim(a: np.ndarray, b: np.ndarray) -> float:
    import cv2

    a, b = _norm(a), _norm(b)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(x: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(x, (7, 7), 1.5)

    mu_a, mu_b = blur(a), blur(b)
    var_a, var_b = blur(a * a) - mu_a**2, blur(b * b) - mu_b**2
    cov = blur(a * b) - mu_a * mu_b
    s = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return float(s.mean())


def photo_similarity(printed: np.ndarray, chip: np.ndarray, inner: tuple[float, float] = (1.0, 1.0)) -> float:
    """Structural similarity (SSIM, 0..1) of the printed photo and the chip photo.

    ``printed`` (BGR or grey) is cut from the rectified card with a margin: the photo fills about ``inner``
    (fractions of its width and height). The chip photo is first aligned on it (best normalised
    cross-correlation over small shifts and scales, which absorbs the last millimetre of rectification
    error), then both are compared in greyscale at 72×96 after normalising brightness and contrast.
    """
    import cv2

    p = printed if printed.ndim == 2 else cv2.cvtColor(printed, cv2.COLOR_BGR2GRAY)
    c = chip if chip.ndim == 2 else cv2.cvtColor(chip, cv2.COLOR_BGR2GRAY)
    w, h = PHOTO_SIZE
    ctx = cv2.resize(p, (round(w / inner[0]), round(h / inner[1])), interpolation=cv2.INTER_AREA).astype(np.float32)
    best = (-2.0, None)
    for scale in (0.94, 0.97, 1.0, 1.03, 1.06):
        tw, th = round(w * scale), round(h * scale)
        if tw > ctx.shape[1] or th > ctx.shape[0]:
            continue
        tpl = cv2.resize(c, (tw, th), interpolation=cv2.INTER_AREA).astype(np.float32)
        res = cv2.matchTemplate(ctx, tpl, cv2.TM_CCOEFF_NORMED)
        _, score, _, (x, y) = cv2.minMaxLoc(res)
        if score > best[0]:
            best = (score, (x, y, tw, th))
    if best[1] is None:
        return _ssim(
            cv2.resize(p, PHOTO_SIZE, interpolation=cv2.INTER_AREA),
            cv2.resize(c, PHOTO_SIZE, interpolation=cv2.INTER_AREA),
        )
    x, y, tw, th = best[1]
    region = cv2.resize(ctx[y : y + th, x : x + tw], PHOTO_SIZE, interpolation=cv2.INTER_AREA)
    return _ssim(region, cv2.resize(c, PHOTO_SIZE, interpolation=cv2.INTER_AREA))


def _photo_check(ocr: OcrResult, chip: ReadResult) -> Check:
    name = PREFIX + "photo"
    title_ja, title_en = "券面とICの照合（顔写真・参考）", "card face vs chip: photo (an aid)"
    if chip.photo is None:
        return _skipped(name, title_ja, title_en, "ICチップの顔写真がありません。", "no photo on the chip")
    printed = ocr.portrait_context if ocr.portrait_context is not None else ocr.portrait
    inner = ocr.portrait_inner if ocr.portrait_context is not None else (1.0, 1.0)
    if printed is None or printed.size == 0:
        return _skipped(
            name, title_ja, title_en, "券面の顔写真を切り出せませんでした。", "no printed photo was cut out"
        )
    from taimen.core import images

    try:
        chip_img = np.asarray(images.decode(chip.photo.data).convert("L"))
    except Exception as exc:  # a hostile chip photo: say so, do not crash the comparison
        return Check(
            name,
            CheckStatus.NOT_VERIFIABLE,
            title_ja,
            title_en,
            "ICチップの顔写真を復号できません。",
            f"the chip photo cannot be decoded: {exc}",
            required=False,
        )
    score = photo_similarity(printed, chip_img, inner)
    how_ja = f"類似度 {score:.2f}（構造的類似度SSIM。0.87以上を類似、0.80未満を相違とする参考値で、判定ではありません）"
    how_en = (
        f"similarity {score:.2f} (structural similarity, SSIM; ≥ 0.87 similar, < 0.80 different: an aid, not "
        "a decision)"
    )
    covers = ("printed photo (from the camera image)", "chip photo")
    if score >= PHOTO_SIMILAR:
        return Check(
            name,
            CheckStatus.PASSED,
            title_ja,
            title_en,
            f"似ています。{how_ja}",
            f"similar; {how_en}",
            covers,
            required=False,
        )
    if score < PHOTO_DIFFERENT:
        return Check(
            name,
            CheckStatus.WARNING,
            title_ja,
            title_en,
            f"券面の写真とICチップの写真が異なって見えます。目視で確認してください。{how_ja}",
            f"the printed photo looks different from the chip photo: compare them by eye; {how_en}",
            covers,
            required=False,
        )
    return Check(
        name,
        CheckStatus.NOT_VERIFIABLE,
        title_ja,
        title_en,
        f"判断できません（光の反射・ぼけ等）。目視で確認してください。{how_ja}",
        f"inconclusive (glare, blur …): compare them by eye; {how_en}",
        covers,
        required=False,
    )


# -- the cross-check ---------------------------------------------------------------------------------------


def compare(ocr: OcrResult, chip: ReadResult, confirmed: Mapping[str, str] | None = None) -> list[Check]:
    """Checks comparing the printed face (``ocr``, with the operator's ``confirmed`` values) with the chip."""
    p = printed_values(ocr, confirmed)
    chip_name, chip_address = chip.name, chip.address
    name_note = address_note = ("", "")
    if chip.document == "license":  # the front shows the values at issue
        chip_name = _license_as_issued(chip, "12") or chip_name
        chip_address = _license_as_issued(chip, "17") or chip_address
        name_note, address_note = _license_change(chip, "name"), _license_change(chip, "address")
    checks = [
        _text_check(
            "name", "券面とICの照合（氏名）", "card face vs chip: name", p.get("name"), chip_name, "text", name_note
        ),
        _date_check(
            "birth_date",
            "券面とICの照合（生年月日）",
            "card face vs chip: birth date",
            p.get("birth_date"),
            chip.birth_date and chip.birth_date.iso,
        ),
        _text_check(
            "address",
            "券面とICの照合（住所）",
            "card face vs chip: address",
            p.get("address"),
            chip_address,
            "address",
            address_note,
        ),
    ]
    if "sex" in p or chip.sex in SEX_JA:
        checks.append(_sex_check(p.get("sex"), chip.sex))
    checks.append(
        _date_check(
            "expiry",
            "券面とICの照合（有効期限）",
            "card face vs chip: expiry",
            p.get("expiry"),
            chip.card_expiry and chip.card_expiry.iso,
        )
    )
    issued = (chip.fields.get("dates") or {}).get("issue") if chip.document == "license" else None
    if "issue_date" in p and getattr(issued, "iso", None):
        checks.append(
            _date_check(
                "issue_date",
                "券面とICの照合（交付年月日）",
                "card face vs chip: issue date",
                p.get("issue_date"),
                issued.iso,
            )
        )
    number = chip.fields.get("license_number")
    if isinstance(number, dict) and "license_number" in p:
        checks.append(
            _text_check(
                "license_number",
                "券面とICの照合（免許証番号）",
                "card face vs chip: licence number",
                p.get("license_number"),
                number.get("number"),
                "text",
            )
        )
    checks.append(_photo_check(ocr, chip))
    if chip.document == "residence":
        checks = _residence_checks(ocr, chip, p, checks)
    return checks


# -- residence card / SPRC ---------------------------------------------------------------------------------
#
# Gen 2 holds the printed entries as text: card number, birth date, sex, card expiry, period expiry (compared
# like any chip text). Gen 1 holds the whole front as a signed bilevel image (the 券面（表）イメージ) and no text:
# that image is read with the same OCR as the photographed face, and the two readings are compared. A value
# either reading doubts only asks for a look by eye; two confident readings that differ fail the check (the
# printed face differs from what the issuer signed).

FRONT_FIELDS = (
    ("card_number", "在留カード等番号", "card number", "text"),
    ("name", "氏名", "name", "text"),
    ("birth_date", "生年月日", "birth date", "date"),
    ("sex", "性別", "sex", "sex"),
    ("address", "住居地", "address", "address"),
    ("status", "在留資格", "status of residence", "text"),
    ("period", "在留期間（満了日）", "period of stay (end)", "date"),
    ("expiry", "有効期間", "card expiry", "date"),
)


def _date_iso(v: object) -> str | None:
    iso = v.get("iso") if isinstance(v, dict) else getattr(v, "iso", None)
    return iso if isinstance(iso, str) else None


def _same(kind: str, a: str, b: str) -> bool:
    if kind == "date":
        da, db = _parse_date(a), _parse_date(b)
        return da is not None and da == db
    if kind == "sex":
        return a.strip().lower() == b.strip().lower()
    return _equal(a, b, "address" if kind == "address" else "text")


def _number_check(p: Printed | None, chip_number: str | None) -> Check:
    """The printed card number against the chip's (gen 2). The details never quote the number."""
    name, title_ja, title_en = (
        PREFIX + "card_number",
        "券面とICの照合（在留カード等番号）",
        "card face vs chip: card number",
    )
    if not chip_number:
        return _skipped(name, title_ja, title_en, "ICチップにこの項目がありません。", "the chip has no such value")
    if p is None or not p.value:
        return _skipped(name, title_ja, title_en, "券面から読み取れませんでした。", "not read from the card face")
    if _equal(p.value, chip_number, "text"):
        return Check(
            name,
            CheckStatus.PASSED,
            title_ja,
            title_en,
            "券面とICチップが一致しました。",
            "the card face matches the chip",
            ("printed card face", "chip"),
            required=False,
        )
    c = _mismatch(name, title_ja, title_en, p, "…", "…")
    return Check(
        c.name,
        c.status,
        c.title_ja,
        c.title_en,
        c.detail_ja.replace("：券面「…」／IC「…」", ""),
        c.detail_en.replace(": printed '…' / chip '…'", ""),
        c.covers,
        required=False,
    )


def _residence_address(p: Printed | None, chip: ReadResult) -> Check | None:
    """The front shows the address at issue; later moves are entries on the back (gen 1: the chip's
    address entries). A printed address equal to any entry matches; one equal to none is for the eye (the
    front's address may predate every back entry), never a failure by itself."""
    entries = [e for e in chip.fields.get("address_entries") or [] if isinstance(e, dict) and e.get("address")]
    if not entries or p is None or not p.value:
        return None
    name, title_ja, title_en = PREFIX + "address", "券面とICの照合（住居地）", "card face vs chip: address"
    for e in entries:
        if _equal(p.value, str(e["address"]), "address"):
            when = _date_iso(e.get("date")) or ""
            return Check(
                name,
                CheckStatus.PASSED,
                title_ja,
                title_en,
                f"券面の住居地はICチップの記載（{when}）と一致しました：{e['address']}",
                f"the printed address matches the chip's entry of {when}",
                ("printed card face", "chip"),
                required=False,
            )
    latest = str(entries[-1]["address"])
    return Check(
        name,
        CheckStatus.WARNING,
        title_ja,
        title_en,
        f"券面の住居地「{p.value}」はICチップのどの記載とも一致しません（最新：{latest}）。表面は交付時の住居地、"
        "変更は裏面に記載されます。裏面の記載とICチップの券面画像を目視で確認してください。",
        f"the printed address {p.value!r} matches no entry on the chip (latest: {latest!r}); the front shows the "
        "address at issue and moves are written on the back: check the back and the chip's front image by eye",
        ("printed card face", "chip"),
        required=False,
    )


def _front_reading(chip: ReadResult) -> OcrResult | None:
    """The gen-1 chip's front image read by the same OCR as the photographed face, or None when it cannot be.

    The image is put on a dark surround, like a card photographed on a counter, so the card finder sees its
    edges and cuts fields by the layout (a bare white image falls back to whole-page reading, which misplaces
    fields)."""
    img = chip.images.get("front")
    if img is None:
        return None
    import io

    from PIL import Image as PILImage

    from taimen.core import images
    from taimen.ocr import read_photo

    try:
        front = images.decode(img.data).convert("RGB")
    except Exception:
        return None
    pad = max(40, front.width // 8)
    scene = PILImage.new("RGB", (front.width + 2 * pad, front.height + 2 * pad), (92, 74, 58))
    scene.paste(front, (pad, pad))
    buf = io.BytesIO()
    scene.save(buf, format="PNG")
    try:
        return read_photo(buf.getvalue(), "residence")
    except Exception:
        return None


def _front_text_checks(p: dict[str, Printed], front: OcrResult) -> list[Check]:
    out = []
    for key, ja, en, kind in FRONT_FIELDS:
        name = f"{PREFIX}front.{key}"
        title_ja, title_en = f"券面とICの券面画像の照合（{ja}）", f"card face vs chip front image: {en}"
        f = front.fields.get(key)
        mine = p.get(key)
        if f is None or not f.value or mine is None or not mine.value:
            continue  # not read on one side: nothing to say beyond the image shown for the eye
        quote = key != "card_number"  # the number is the unlock key: never quoted in a check
        if _same(kind, mine.value, f.value):
            out.append(
                Check(
                    name,
                    CheckStatus.PASSED,
                    title_ja,
                    title_en,
                    "券面とICチップの券面画像が一致しました" + (f"：{f.value}" if quote else "。"),
                    "the card face matches the chip's front image" + (f": {f.value!r}" if quote else ""),
                    ("printed card face (OCR)", "chip front image (OCR)"),
                    required=False,
                )
            )
            continue
        front_sure = f.confidence >= CONFIDENT and not getattr(f, "doubtful", False)
        sure = (
            mine.confirmed or (mine.confidence >= CONFIDENT and not getattr(mine, "doubtful", False))
        ) and front_sure
        shown_ja = f"：券面「{mine.value}」／IC画像「{f.value}」" if quote else ""
        shown_en = f": printed {mine.value!r} / chip image {f.value!r}" if quote else ""
        if sure:
            out.append(
                Check(
                    name,
                    CheckStatus.FAILED,
                    title_ja,
                    title_en,
                    f"券面とICチップの券面画像が一致しません{shown_ja}。券面が書き換えられた偽造の疑いがあります。",
                    f"the card face and the chip's front image differ{shown_en}; the printed face may be altered",
                    ("printed card face (OCR)", "chip front image (OCR)"),
                    required=False,
                )
            )
        else:
            out.append(
                Check(
                    name,
                    CheckStatus.WARNING,
                    title_ja,
                    title_en,
                    f"一致しません{shown_ja}。読み取りに自信がないため読み違いの可能性があります。"
                    "ICチップの券面画像と券面を目視で確認してください。",
                    f"they differ{shown_en}; OCR was unsure, so this may be a misreading: compare the chip's "
                    "front image with the card by eye",
                    ("printed card face (OCR)", "chip front image (OCR)"),
                    required=False,
                )
            )
    return out


#: The photo box of the gen-1 front image, as fractions of the card (85.6 × 54 mm): taimen.ocr.layouts.
def _front_photo_check(ocr: OcrResult, chip: ReadResult) -> Check | None:
    """The photo area of the gen-1 front image beside the printed portrait, scored like the photos.

    The front image is bilevel (MMR, black and white): a face is at best a silhouette, so the score says
    little about who it is. It is shown as an aid and never passes or fails a card."""
    img = chip.images.get("front")
    printed = ocr.portrait_context if ocr.portrait_context is not None else ocr.portrait
    if img is None or printed is None or getattr(printed, "size", 0) == 0:
        return None
    import cv2

    from taimen.core import images
    from taimen.ocr.layouts import RESIDENCE

    name, title_ja, title_en = (
        PREFIX + "front.photo",
        "券面とICの券面画像の照合（顔写真・参考）",
        ("card face vs chip front image: photo (an aid)"),
    )
    try:
        g = np.asarray(images.decode(img.data).convert("L"))
    except Exception:
        return None
    h, w = g.shape
    b = RESIDENCE.photo
    x0, y0 = round(b.x / 85.6 * w), round(b.y / 54.0 * h)
    x1, y1 = round((b.x + b.w) / 85.6 * w), round((b.y + b.h) / 54.0 * h)
    crop = g[y0:y1, x0:x1]
    if crop.size == 0:
        return None
    k = max(3, (w // 170) | 1)  # soften the black-and-white pixels into grey before the comparison
    crop = cv2.GaussianBlur(crop, (k, k), 0)
    inner = ocr.portrait_inner if ocr.portrait_context is not None else (1.0, 1.0)
    score = photo_similarity(printed, crop, inner)
    return Check(
        name,
        CheckStatus.NOT_VERIFIABLE,
        title_ja,
        title_en,
        f"類似度 {score:.2f}（参考値）。ICチップの券面画像は白黒2値のため、顔の見分けには使えません。"
        "ICチップの顔写真と券面の写真を見比べてください。",
        f"similarity {score:.2f} (an aid): the chip's front image is black and white, too coarse to tell faces "
        "apart; compare the chip photo with the printed photo by eye",
        ("printed photo (from the camera image)", "photo area of the chip front image"),
        required=False,
    )


def _residence_checks(ocr: OcrResult, chip: ReadResult, p: dict[str, Printed], checks: list[Check]) -> list[Check]:
    f = chip.fields
    address = _residence_address(p.get("address"), chip)
    if address is not None:
        checks = [address if c.name == address.name else c for c in checks]
    extra: list[Check] = []
    if f.get("generation") == 2:
        extra.append(_number_check(p.get("card_number"), f.get("card_number")))
        period = _date_iso(f.get("period_expiry"))
        if period is not None or "period" in p:
            extra.append(
                _date_check(
                    "period",
                    "券面とICの照合（在留期間の満了日）",
                    "card face vs chip: end of the period of stay",
                    p.get("period"),
                    period,
                )
            )
        status = f.get("status_of_residence")
        words = status.get("ja") if isinstance(status, dict) else None
        if words and "status" in p:
            extra.append(
                _text_check(
                    "status",
                    "券面とICの照合（在留資格）",
                    "card face vs chip: status of residence",
                    p.get("status"),
                    words,
                    "text",
                )
            )
    elif f.get("generation") == 1:
        front = _front_reading(chip)
        if front is not None:
            extra += _front_text_checks(p, front)
        photo = _front_photo_check(ocr, chip)
        if photo is not None:
            extra.append(photo)
    return checks + extra


def apply(result: ReadResult, checks: list[Check]) -> ReadResult:
    """Add the cross-check to ``result`` (replacing an earlier one) and recompute the verdict."""
    result.checks = [c for c in result.checks if not c.name.startswith(PREFIX)] + list(checks)
    return result.finish()


def photo_cross_check(ocr: OcrResult, result: ReadResult) -> ReadResult:
    """Only the photo comparison (``face.photo``): for a passport, whose printed MRZ the read itself compares
    with DG1, the data page's portrait beside DG2.

    The portrait's place on the page is estimated from the MRZ (layouts differ, the page may be tilted), so
    a low similarity cannot say "looks different": it is ``not_verifiable`` (compare by eye), never a warning
    that would turn a genuine passport's verdict to 要確認 on the strength of a rough crop."""
    check = _photo_check(ocr, result)
    if check.status is CheckStatus.WARNING:
        check = replace(
            check,
            status=CheckStatus.NOT_VERIFIABLE,
            detail_ja="顔写真の位置をMRZから推定して切り出したため、違いは判断できません。目視で確認してください。"
            + check.detail_ja.split("。", 2)[-1],
            detail_en="the portrait was cut where the MRZ suggests it is, so a difference cannot be judged: "
            "compare them by eye; " + check.detail_en.split("; ", 1)[-1],
        )
    return apply(result, [check])


def cross_check(ocr: OcrResult, result: ReadResult, confirmed: Mapping[str, str] | None = None) -> ReadResult:
    """``compare`` and ``apply`` in one step."""
    return apply(result, compare(ocr, result, confirmed))
