"""``taimen ocr IMAGE``: read a photo of the card face and propose the printed values and unlock values.

Everything OCR reads is a proposal. ``taimen ocr`` alone sends nothing to any card. With ``--read`` it shows
each unlock value and waits for the operator to confirm (Enter) or correct it; only then is the chip read,
and the printed face is compared with the chip (``taimen.compare``).

Secret proposals (セキュリティコード, 照合番号B, residence card number) are printed only to a terminal; when
the output is redirected they are masked, and ``--json`` never contains them.
"""

from __future__ import annotations

import argparse
import sys

from taimen.cli import LazySubParsers
from taimen.errors import OperatorInputError

TYPE_CHECKING = False  # without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any

FIELD_LABELS = {
    "name": ("氏名", "name"),
    "address": ("住所", "address"),
    "birth_date": ("生年月日", "birth date"),
    "sex": ("性別", "sex"),
    "expiry": ("有効期限", "expiry"),
    "security_code": ("セキュリティコード", "security code"),
    "issue_date": ("交付", "issued"),
    "license_number": ("免許証番号", "licence number"),
    "card_number": ("在留カード番号", "card number"),
    "period": ("在留期間（満了日）", "period of stay ends"),
    "passport_number": ("旅券番号（MRZ）", "document number (MRZ)"),
    "mrz_birth": ("生年月日（MRZ, YYMMDD）", "birth date (MRZ, YYMMDD)"),
    "mrz_expiry": ("有効期間満了日（MRZ, YYMMDD）", "expiry (MRZ, YYMMDD)"),
    "nationality": ("国籍（MRZ）", "nationality (MRZ)"),
    "issuing_state": ("発行国（MRZ）", "issuing state (MRZ)"),
}
SEX = {"male": ("男", "male"), "female": ("女", "female")}
DOC_TITLES = {
    "mynumber": ("マイナンバーカード", "My Number Card"),
    "license": ("運転免許証", "driving licence"),
    "residence": ("在留カード", "residence card"),
    "passport": ("旅券（MRZ）", "passport (MRZ)"),
}


def register(sub: LazySubParsers) -> None:
    sub.add_lazy(
        "ocr",
        build,
        help="券面の写真を読み取り、入力値を提案する / propose values from a photo of the card face",
        description=(
            "カメラで撮った券面の写真から記載事項と照合番号Bの材料（在留カード番号）を読み取り、提案として表示します。"
            "OCRの結果は必ず券面と照合して確認・訂正してください。--read を付けると、確認した値でICチップを読み取り、"
            "券面とICチップの内容を照合します。 OCR output is always a proposal: confirm or correct it."
        ),
    )


def build(p: argparse.ArgumentParser) -> None:
    from taimen.cli.common import add_output_args, add_transport_args

    p.add_argument("image", help="photo of the card front (JPEG/PNG)")
    p.add_argument(
        "--document",
        choices=("mynumber", "license", "residence", "passport"),
        help="書類の種類（省略時は自動判定。旅券は身分事項ページのMRZを読むため passport を指定）",
    )
    p.add_argument(
        "--read",
        action="store_true",
        help="確認した値でICチップを読み取り券面と照合 / confirm the values, read the chip, compare with the face",
    )
    add_transport_args(p)
    add_output_args(p)
    p.set_defaults(func=run)


def _read_image(path: str) -> bytes:
    from pathlib import Path

    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise OperatorInputError(
            f"cannot read {path}: {exc.strerror}", message_ja=f"写真 {path} を読み込めません。"
        ) from exc


def _shown(key: str, value: str | None, *, reveal: bool) -> str:
    from taimen.ocr.proposals import SECRET_FIELDS

    if value is None:
        return "—"
    if key in SECRET_FIELDS and not reveal:
        return "*" * len(value)
    return value


def _field_text(f: Any) -> str:
    """A field as the operator should see it: dates as printed (和暦 or 西暦) plus ISO."""
    if f.value is None:
        return f"（読めません: {f.problem}）"
    if f.date is not None:
        return f"{f.text}  [{f.value}]"
    if f.key == "sex" and f.value in SEX:
        return "／".join(SEX[f.value])
    return f.value


def _pad(label: str, width: int) -> str:
    """Pad to a display width (full-width characters take two columns)."""
    import unicodedata

    cols = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in label)
    return label + " " * max(1, width - cols)


def render_text(res: Any, *, lang: str, reveal: bool) -> str:
    from taimen.ocr.proposals import SECRET_FIELDS

    ja = lang == "ja"
    out = []
    out.append(
        "券面OCRの結果（提案）: カードの券面と照合し、確認・訂正してから使用してください。"
        if ja
        else "Card-face OCR (proposals): check against the card and confirm or correct before use."
    )
    if res.document is None:
        out.append(
            "書類の種類を判定できませんでした。--document を指定してください。"
            if ja
            else "Document not recognised; pass --document."
        )
    else:
        title = DOC_TITLES[res.document][0 if ja else 1]
        how = (
            ""
            if res.card_found
            else (
                "（カードの輪郭が見つからず、写真全体から読み取り）" if ja else " (card outline not found: whole photo)"
            )
        )
        out.append(f"{'書類' if ja else 'Document'}: {title}{how}")
    width = 26
    for key, f in res.fields.items():
        label = FIELD_LABELS.get(key, (key, key))[0 if ja else 1]
        value = _shown(key, f.value, reveal=reveal) if key in SECRET_FIELDS else _field_text(f)
        flag = _doubt(f.doubtful, f.reasons, ja)
        out.append(f"  {_pad(label, width)}{value}   ({f.confidence:.2f}){flag}")
    if res.unlock:
        out.append("読み取りに使う値（提案）:" if ja else "Unlock values (proposals):")
        for u in res.unlock.values():
            label = u.label_ja if ja else u.label_en
            value = u.value if (u.value is None or not u.secret or reveal) else "*" * len(u.value)
            flag = _doubt(u.doubtful, u.reasons, ja)
            out.append(f"  {_pad(label, width)}{value or '—'}   ({u.confidence:.2f}){flag}")
        if not reveal:
            out.append(
                "  （出力先が端末でないため秘密の値は伏せています）"
                if ja
                else "  (secret values masked: output is not a terminal)"
            )
    for p in res.problems:
        out.append(("注意: " if ja else "Note: ") + p)
    if res.hints:
        from taimen.ocr.proposals import HINTS

        out.append("撮り直すと読み取れる可能性があります:" if ja else "A better photo would help:")
        out += [f"  ・{HINTS[h][0 if ja else 1]}" for h in res.hints]
    return "\n".join(out) + "\n"


def _doubt(doubtful: bool, reasons: tuple[str, ...], ja: bool) -> str:
    """The flag after a doubtful value, with the reasons (cut off, glare, two candidates …)."""
    if not doubtful:
        return ""
    from taimen.ocr.fieldread import REASONS
    from taimen.ocr.mrz_photo import REASONS as MRZ_REASONS

    texts = {**REASONS, **MRZ_REASONS}
    why = ("、" if ja else ", ").join(texts[r][0 if ja else 1] for r in reasons if r in texts)
    head = "  ← 要確認" if ja else "  <- check"
    return f"{head}（{why}）" if why and ja else f"{head} ({why})" if why else head


def _ask(prompt: str) -> str:
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise OperatorInputError("no confirmation given", message_ja="確認の入力がありません。中止しました。")
    return line.strip()


def confirm_unlock(res: Any, document: Any, *, lang: str, reveal: bool) -> dict[str, str]:
    """Show each unlock value the document needs and let the operator confirm (Enter) or correct it."""
    ja = lang == "ja"
    proposals = res.unlock_for_document()
    values: dict[str, str] = {}
    for uf in document.unlock_fields:
        label = uf.label_ja if ja else uf.label_en
        proposed = proposals.get(uf.key)
        if proposed:
            shown = proposed if (reveal or not uf.secret) else "*" * len(proposed)
            hint = "Enter＝確定／訂正する場合は値を入力" if ja else "Enter = confirm, or type the correct value"
            answer = _ask(f"{label}: {shown}  （{'OCRの提案' if ja else 'OCR proposal'}）  {hint}: ")
            values[uf.key] = answer or proposed
        elif uf.optional and getattr(res, "document", "") == "passport":
            continue  # the MRZ proposal gives the three fields; the whole MRZ is not asked for again
        else:
            if uf.secret and sys.stdin.isatty():
                import getpass

                answer = getpass.getpass(f"{label}: ")
            else:
                answer = _ask(f"{label}: ")
            if answer:
                values[uf.key] = answer
            elif not uf.optional:
                raise OperatorInputError(f"{uf.key} is required", message_ja=f"{label}を入力してください。")
    from taimen.documents import strip_spaces

    for uf in document.unlock_fields:  # the same check as everywhere: bounded, whole-value, no control chars
        if uf.key in values:
            values[uf.key] = strip_spaces(values[uf.key])
            if not uf.accepts(values[uf.key]):
                label = uf.label_ja if ja else uf.label_en
                raise OperatorInputError(f"{uf.key}: invalid format", message_ja=f"{label}の形式が正しくありません。")
    return values


def run(args: argparse.Namespace) -> int:
    data = _read_image(args.image)
    if args.document == "passport":  # the MRZ of the data page; never sent anywhere without confirmation
        from taimen.ocr.mrz_photo import read_mrz_photo

        res = read_mrz_photo(data)
    else:
        from taimen.ocr import read_photo

        res = read_photo(data, args.document)
    reveal = sys.stdout.isatty()
    if not args.read:
        if args.json:
            import json

            json.dump(res.to_json(), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            sys.stdout.write(render_text(res, lang=args.lang, reveal=reveal))
        return 0 if res.document else 2
    # --read: the operator confirms, then the chip is read and compared with the printed face
    from taimen import documents
    from taimen.compare import cross_check

    sys.stderr.write(render_text(res, lang=args.lang, reveal=sys.stderr.isatty()))
    if res.document is None:
        return 2
    try:
        document = documents.get(res.document)
    except KeyError as exc:
        raise OperatorInputError(
            f"taimen cannot read the chip of a {res.document} yet",
            message_ja="この書類のICチップの読み取りには対応していません。",
        ) from exc
    unlock = confirm_unlock(res, document, lang=args.lang, reveal=sys.stderr.isatty())
    from taimen.cli.common import emit_result, read_with

    result = read_with(document, unlock, args, expected=35)
    if res.document != "passport":  # a passport's MRZ is compared with DG1 by the read itself (mrz_match)
        result = cross_check(res, result)
    return emit_result(result, args)
