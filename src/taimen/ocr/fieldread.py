"""Read the fields of a rectified card: detect every text line on the card, recognise each line once, assign
lines to fields by content and relative position (``taimen.ocr.assign``), then decode each field's part of
its line again over the field's own characters (digits for a security code, date characters for a date) from
the same recogniser output, and parse it (``taimen.ocr.fields``).

Each field carries the reasons to doubt it (``REASONS``): the reader says what it is unsure of instead of
proposing a bad value with confidence.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from functools import partial

import cv2
import numpy as np

from taimen.license.number import check_number
from taimen.ocr import address_gaps, glyphs, license_dates, names, places, repair, reread, tilt, variants
from taimen.ocr import assign as asg
from taimen.ocr import fields as fp
from taimen.ocr.birth_year import year_lost
from taimen.ocr.channels import GLARE_PAPER, darkest
from taimen.ocr.date_head import date_head_lost, date_tail_lost
from taimen.ocr.date_rules import (
    birth_from_expiry,
    birthdays,
    complete_century,
    complete_era,
    consistent,
    disagreed,
    expiry_from_birth,
    expiry_from_period,
    expiry_on_birthday,
)
from taimen.ocr.engine import CHARSETS, Engine, Line, class_index
from taimen.ocr.layouts import CARD_H_MM, CARD_W_MM
from taimen.ocr.line_end import read_before_start, read_past_end, starts_late
from taimen.ocr.look_again import (
    OCCLUDER_REDDER,
    address_tail,
    drop_label_head,
    finger_after,
    first_line_above,
    glare_after,
    glare_before,
    line_below,
    look_for_missed_text,
    read_across_gap,
    read_to_the_end,
    runs_on,
)
from taimen.ocr.near_label import (
    RECOVERED_SURE,
    address_in_band,
    birth_beside_label,
    card_number_cut_short,
    card_number_near_label,
    card_number_start,
    code_near_label,
    expiry_in_band,
    number_cut_short,
    twelve_digits,
)
from taimen.ocr.recline import MAX_LINE_MM, MIN_LINE_MM, RecLine, faint_digit, span_frames
from taimen.ocr.sex_read import sex_beside_label

#: Why a field is doubtful (codes in JSON; text in the CLI and the web UI).
REASONS: dict[str, tuple[str, str]] = {
    "not_found": ("券面に見つかりません", "not found on the card"),
    "low_confidence": ("読み取りの確度が低い", "recognised with low confidence"),
    "grammar": ("書式に合いません", "does not have the field's form"),
    "two_candidates": ("候補が複数あります", "two candidates"),
    "cut_off": ("文字が欠けている可能性（カードの端・指）", "may be cut off (card edge, finger)"),
    "low_contrast": ("コントラストが低い", "low contrast"),
    "glare": ("光が反射しています", "glare over the text"),
    "neighbour_text_removed": ("隣の項目の文字を除きました", "text of a neighbouring field removed"),
    "check_digit": ("チェックディジットが合いません", "a check digit does not match"),
    "chosen_by_check_digit": ("チェックディジットで候補を選びました", "chosen among readings by the check digit"),
    "mrz_not_found": ("MRZ（機械読取領域）が見つかりません", "the MRZ was not found"),
    "no_label": ("項目名が読めず、位置から推定", "its label was not read: placed by position"),
    "gap": ("行の途中が読めません（反射・汚れ）", "part of the line could not be read (glare, dirt)"),
    "runs_on": ("行の続きが読めていない可能性", "the printed line may go on past what was read"),
    "more_lines": ("続きの行がある可能性", "a further line may belong to it"),
    "repaired": ("文字を補正しました", "characters repaired"),
    "inconsistent": (
        "他の日付と整合しません（誕生日と有効期限）",
        "inconsistent with the other date (birthday, expiry)",
    ),
    "variant_form": (
        "異体字の可能性（﨑/崎、髙/高など）: 券面を目で確認",
        "may be a variant form (﨑/崎, 髙/高 …): check the card",
    ),
    "no_outline": ("カードの輪郭が見つからず写真全体から読み取り", "read from the whole photo: no card outline found"),
    "other_outline": ("別のカード輪郭から読み取り", "read from another card outline than the other fields"),
    "unknown_place": ("住所の地名が郵便番号データにありません", "the place name is not in the postal code data"),
}


def doubt_words(reasons: tuple[str, ...], confidence: float) -> tuple[str, str]:
    """Why a value is doubted, in Japanese and English: its reasons' words, or its confidence when it has none."""
    ja = "、".join(REASONS[r][0] for r in reasons if r in REASONS) or f"確度 {confidence:.2f}"
    en = ", ".join(REASONS[r][1] for r in reasons if r in REASONS) or f"confidence {confidence:.2f}"
    return ja, en

CHARSET = {
    "birth_date": "date",
    "expiry": "date",
    "period": "date",
    "issue_date": "date",
    "security_code": "digits",
    "license_number": "digits",
    "card_number": "card_number",
    "sex": "sex",
}
FIELDS = {
    "mynumber": ("name", "address", "birth_date", "sex", "expiry", "security_code"),
    "license": ("name", "birth_date", "address", "issue_date", "expiry", "license_number"),
    "residence": ("card_number", "name", "birth_date", "sex", "address", "period", "expiry"),
}
PPM_REC = 12.0


def detect_lines(card: np.ndarray, ocr: Engine, ppm: float) -> list[RecLine]:
    """Every text line on the card, recognised once (whole dictionary, Japanese prior)."""
    out: list[RecLine] = []
    h, w = card.shape[:2]
    quads = ocr.detect(card)
    cut: list[tuple[int, int, int, int, np.ndarray]] = []
    boxes = [(float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 0].max()), float(b[:, 1].max())) for b in quads]
    slanted = {box: t for box, q in zip(boxes, quads, strict=True) if (t := tilt.tilted(q)) is not None}
    # pieces of one line split by the detector stand side by side; a tilted box whose upright box crosses another
    # one is another printed line the tilt made collide with it (a label under the name's start): never joined
    alone = [b for b in slanted if any(_cross(b, o) for o in boxes if o is not b)]
    for x0, y0, x1, y1 in merge_boxes([b for b in boxes if b not in alone]) + alone:
        t = slanted.get((x0, y0, x1, y1))  # a tilted line joined to no other piece is cut out along its slant
        if t is not None:
            if MIN_LINE_MM <= t.height / ppm <= MAX_LINE_MM:
                crop = tilt.cut(card, t, 0.04 * t.height)
                cut.append((int(t.x0), int(t.y0), int(np.ceil(t.x1)), int(np.ceil(t.y1)), crop))
            continue
        lh = (y1 - y0) / ppm
        if (
            lh < MIN_LINE_MM
            or (lh > MAX_LINE_MM and not _skewed_line(x1 - x0, y1 - y0, ppm))
            or (x1 - x0) < (y1 - y0) * 0.6
        ):
            continue
        pad = 0.04 * (y1 - y0)
        cx0, cy0 = max(0, int(x0 - pad)), max(0, int(y0 - pad))
        cx1, cy1 = min(w, int(np.ceil(x1 + pad))), min(h, int(np.ceil(y1 + pad)))
        crop = card[cy0:cy1, cx0:cx1]
        if crop.size:
            cut.append((cx0, cy0, cx1, cy1, crop))
    many = getattr(ocr, "probabilities_many", None)  # all lines at once: two at a time on two cores
    crops = [c[4] for c in cut]
    for (cx0, cy0, cx1, cy1, crop), probs in zip(
        cut, many(crops) if many else [ocr.probabilities(c) for c in crops], strict=True
    ):
        dec = ocr.decode(probs, "any")
        text = asg.nfkc(dec.text)
        if not text.strip():
            continue
        if len(text) != len(dec.positions):  # an NFKC expansion: keep the text, no per-character slicing
            dec = Line(text, dec.confidence, (), ())
        tl = asg.TextLine(cx0 / ppm, cy0 / ppm, cx1 / ppm, cy1 / ppm, text, dec.confidence)
        out.append(RecLine(tl, probs, Line(text, dec.confidence, dec.char_confidences, dec.positions), crop))
    out.sort(key=lambda r: (round(r.line.y0), r.line.x0))
    return out


def _cross(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _skewed_line(w: float, h: float, ppm: float) -> bool:
    """An upright box taller than a line because the line runs at a slant (a card rectified a few degrees
    off: 「住所 岡山県…」 boxed 9.3 mm high over 47 mm): long for its height, and no taller than a line's worth of
    slant (at most 12 mm)."""
    return h <= SKEWED_MAX_MM * ppm and w >= 4.0 * h


#: The tallest upright box a single slanted line is taken in (``_skewed_line``).
SKEWED_MAX_MM = 12.0


def merge_boxes(boxes: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Join boxes that are pieces of one printed line (the detector splits a line at a wide space, e.g.
    between family and given name): same row, similar height, a gap of less than about one character."""
    rest = sorted(boxes, key=lambda b: b[0])
    out: list[list[float]] = []
    for b in rest:
        for m in out:
            hm, hb = m[3] - m[1], b[3] - b[1]
            overlap = (min(m[3], b[3]) - max(m[1], b[1])) / max(1e-6, min(hm, hb))
            gap = b[0] - m[2]
            if overlap > 0.6 and max(hm, hb) < 1.45 * min(hm, hb) and -0.5 * hb < gap < 1.1 * max(hm, hb):
                m[:] = [min(m[0], b[0]), min(m[1], b[1]), max(m[2], b[2]), max(m[3], b[3])]
                break
        else:
            out.append(list(b))
    return [(a, b, c, d) for a, b, c, d in out]


#: Characters of a printed date that do not make its value.
DATE_DECORATION = frozenset("生まで有効()（） 　")


def _span_text(ocr: Engine, rl: RecLine, span: asg.Span, charset: str | None) -> tuple[str, float, tuple[int, ...]]:
    """The text of a span, decoded again over ``charset`` from its own frames (None: as first read), with the
    recogniser's confidence and each character's frame."""
    dec = rl.decoded
    if rl.probs is None or charset is None:
        confs = dec.char_confidences[span.start : span.end] or (dec.confidence,)
        text = dec.text[span.start : span.end]
        return text, (min(confs) if text.strip() else 0.0), dec.positions[span.start : span.end]
    if not dec.positions:  # no per-character frames: the span's characters that the charset allows
        allowed = CHARSETS.get(charset)
        text = dec.text[span.start : span.end]
        text = text if allowed is None else "".join(ch for ch in text if ch in allowed or ch.isspace())
        return text, dec.confidence if text.strip() else 0.0, ()
    t0, t1 = span_frames(dec, span.start, span.end, rl.probs.shape[0])
    again = ocr.decode(rl.probs[t0:t1], charset)
    conf = again.confidence
    if charset == "date":  # only what makes the value counts: not 生, まで有効 or brackets after or around it
        value = [c for ch, c in zip(again.text, again.char_confidences, strict=True) if ch not in DATE_DECORATION]
        conf = min(value) if value else conf
    return again.text, conf, again.positions


def _condition(crop: np.ndarray) -> list[str]:
    """Photo conditions that explain a poor reading of this line."""
    out = []
    grey = darkest(crop)
    if grey.size == 0:
        return out
    if float((grey >= GLARE_PAPER).mean()) > 0.25:
        out.append("glare")
    lo, hi = np.percentile(grey, (3, 97))
    if hi - lo < 70:
        out.append("low_contrast")
    return out


def _glare_at_ends(card: np.ndarray, ppm: float, recs: list[RecLine], pick: asg.Pick) -> bool:
    """A glare spot right before the field's first line or right after its last, where the field ends its line
    (a licence's name is followed by its birth date on the same line: glare after that says nothing of the name)."""
    if glare_before(card, ppm, recs[pick.spans[0].line].line):
        return True
    last = pick.spans[-1]
    line = recs[last.line].line
    return last.end >= len(line.text.rstrip()) and glare_after(card, ppm, line)


def _edge(line: asg.TextLine) -> bool:
    return line.x0 < 0.6 or line.y0 < 0.4 or line.x1 > CARD_W_MM - 0.6 or line.y1 > CARD_H_MM - 0.4


def read_fields(
    card: np.ndarray, document: str, ocr: Engine, ppm: float = PPM_REC
) -> tuple[dict[str, fp.FieldReading], list[RecLine]]:
    recs = detect_lines(card, ocr, ppm)
    return fields_from_lines(document, recs, ocr, card=card, ppm=ppm), recs


#: Documents whose name and address are looked for again (``look_for_missed_text``): how many lines the
#: address may take. A My Number Card's address wraps too, its second line fainter under glare (dev-0375's
#: 「３７号」 under 「…10番」); 65 tuning photos once showed no change.
ADDRESS_LINES = {"license": 2, "mynumber": 3, "residence": 2}


def fields_from_lines(
    document: str, recs: list[RecLine], ocr: Engine, *, card: np.ndarray | None = None, ppm: float = PPM_REC
) -> dict[str, fp.FieldReading]:
    if document in REPAIR_DATES:
        recs = _repair_lines(recs, ocr, document)
    on_card = card is not None  # positions are card mm, not a whole photo's rough frame
    picks = asg.assign(document, [r.line for r in recs], on_card=on_card)
    recovered: set[str] = set()
    for key, look, documents in (
        ("sex", partial(sex_beside_label, document=document), ("mynumber", "residence")),
        ("security_code", code_near_label, ("mynumber",)),
        ("license_number", number_cut_short, ("license",)),
        ("license_number", twelve_digits, ("license",)),
        ("birth_date", partial(date_head_lost, kind="birth"), ("license", "mynumber")),
        ("birth_date", _tail_lost, ("license", "mynumber")),
        ("birth_date", birth_beside_label, ("mynumber",)),
        ("expiry", partial(date_head_lost, kind="expiry"), ("license",)),
        ("expiry", expiry_in_band, ("license",)),
        ("address", address_in_band, ("license",)),
        ("card_number", card_number_near_label, ("residence",)),
        ("card_number", card_number_cut_short, ("residence",)),
    ):
        # a date taken cut off (「昭和15年02月0」) is read past its end as well: its end may have been washed out
        cut = look is _tail_lost and "cut_off" in getattr(picks.get(key), "reasons", ())
        if document in documents and (picks.get(key) is None or cut) and card is not None:
            extra = look(card, ppm, recs, ocr)
            if extra is not None:
                recs = [*recs, extra]
                picks = asg.assign(document, [r.line for r in recs], on_card=on_card)
                recovered.add(key)
    gap_read = False
    if card is not None and (addr := picks.get("address")) is not None and "gap" in addr.reasons:
        joined = read_across_gap(card, ppm, recs, addr, ocr)
        if joined is not None:
            recs, gap_read = joined, True
            picks = asg.assign(document, [r.line for r in recs], on_card=on_card)
    name = picks.get("name")
    if document != "residence" and name is not None and "no_label" in name.reasons:
        drop_label_head(name, recs, ocr)
    ended = False
    if card is not None and (addr := picks.get("address")) is not None and addr.spans:
        recs, ended = read_past_end(card, ppm, recs, addr, ocr)
        recs, started = read_before_start(card, ppm, recs, addr, ocr)
        ended |= started
    if card is not None:
        recs = address_tail(card, ppm, recs, picks, ocr, recovered)
    if card is not None and document in ADDRESS_LINES:
        plain = document == "license"
        recs = look_for_missed_text(card, ppm, recs, picks, ocr, recovered, ADDRESS_LINES[document], plain)
    if card is not None:
        recs = first_line_above(card, ppm, recs, picks, ocr, recovered)
    extended = read_to_the_end(card, ppm, recs, picks, ocr) if card is not None else set()
    if ended:  # an address line read on past its box: what was added was read only the second time
        extended.add("address")
    out: dict[str, fp.FieldReading] = {}
    for key in FIELDS[document]:
        pick = picks.get(key)
        if pick is None:
            out[key] = fp.FieldReading(key, None, "", 0.0, problem="not found on the card", reasons=("not_found",))
            if key == "card_number" and (start := card_number_start(recs)) is not None:
                # its start was read and the rest not (a finger, glare): say so, the operator reads it off the card
                problem = "only the number's start was read: its end is hidden or cut off"
                out[key] = replace(out[key], text=start.line.text, problem=problem, reasons=("not_found", "cut_off"))
            continue
        cs = CHARSET.get(key)
        if key == "name" and document == "residence":
            cs = "latin"
        if key == "license_number" and any(recs[sp.line].repaired for sp in pick.spans):
            cs = None  # read again already, as twelve digits (``twelve_digits``, ``number_cut_short``): as it is
        parts = [_span_text(ocr, recs[s.line], s, cs) for s in pick.spans]
        if cs == "latin":  # the whole-dictionary reading may have kept the space the Latin decoding lost
            first = _span_text(ocr, recs[pick.spans[0].line], pick.spans[0], None)
            t = first[0].upper().strip()
            if " " in t and t.replace(" ", "") == parts[0][0].replace(" ", "") and " " not in parts[0][0]:
                parts[0] = (t, parts[0][1], ())
        if key == "name" and len(parts) > 1:  # pieces of one name, split by the detector
            sep = " " if document == "residence" else "\u3000"
            parts = [(sep.join(t.strip() for t, _, _ in parts), min(c for _, c, _ in parts), ())]
        cut = "cut_off" in pick.reasons and key in ("birth_date", "issue_date", "expiry")
        if cut and re.search(r"月\s*\d{1,2}\s*$", parts[0][0]):
            parts[0] = (parts[0][0] + "日", parts[0][1], parts[0][2])  # the day's digits were read, 日 was cut
        repaired_era = False
        if CHARSET.get(key) == "date" and parts:
            first = _parse(document, key, parts)
            implausible = first.date is not None and not repair.plausible(first.date, _plausible_as(document, key))
            if document in REPAIR_DATES and (first.value is None or implausible):
                gkey, western = _grammar_key(document, key), REPAIR_DATES[document][key]
                head_lost = (document, key) in HEAD_LOST
                again = _date_again(ocr, recs[pick.spans[0].line], pick.spans[0], gkey, western, head_lost=head_lost)
                if again is not None:
                    parts[0], repaired_era = again, True
            if not repaired_era:
                text, repaired_era = complete_era(parts[0][0], key)
                parts[0] = (text, parts[0][1], parts[0][2])
            if not repaired_era and key in ("birth_date", "expiry") and _parse(document, key, parts).value is None:
                text, repaired_era = complete_century(parts[0][0], key)
                if repaired_era:
                    parts[0] = (text, parts[0][1], ())
        reading = _parse(document, key, parts)
        if key == "address":  # the place part checked against the list of places (taimen.ocr.places)
            pieces = [(recs[s.line].probs, recs[s.line].decoded, s.start, s.end) for s in pick.spans]
            reading = places.check_address(ocr, reading, pieces)
        if key == "name" and cs != "latin":  # a part in no list of names read again (taimen.ocr.names)
            pieces = [(recs[s.line].probs, recs[s.line].decoded, s.start, s.end) for s in pick.spans]
            reading = names.check_name(ocr, reading, pieces)
        plausible = reading.date is None or repair.plausible(reading.date, _plausible_as(document, key))
        if document in REPAIR_DATES and not plausible:
            # an expiry in 2083 or a birth in the future was misread: never proposed as a value
            reading = replace(reading, value=None, date=None, problem=f"not a plausible {key}")
        if repaired_era and reading.value is not None:
            reading = replace(reading, flags=(*reading.flags, "repaired"))
        reasons = [*pick.reasons, *reading.reasons]
        if reading.value is None or reading.problem:
            reasons.append("grammar")
        changed = CHARSET.get(key) in ("date", "digits", "card_number") and any(
            recs[sp.line].repaired for sp in pick.spans
        )
        if "repaired" in reading.flags or changed:
            reasons.append("repaired")
        if key == "sex" and any(recs[sp.line].repaired for sp in pick.spans):
            reasons.append("no_label")  # found without its label (``sex_unlabelled``)
        if reading.value is not None and reading.confidence < (RECOVERED_SURE if key in recovered else _sure_at(key)):
            reasons.append("low_confidence")
        if (
            key == "name"
            and cs != "latin"
            and reading.value
            and (_variant_doubt(ocr, recs, pick.spans) or _read_as_variant(reading))
        ):
            reasons.append("variant_form")
        if key in ("name", "address") and reading.value and runs_on(recs, picks, pick):
            reasons.append("runs_on")
        if key == "address" and reading.value and line_below(recs, picks, pick):
            reasons.append("more_lines")
        if key == "address" and reading.value and card is not None and starts_late(recs, pick, ppm):
            reasons.append("cut_off")  # a line of it starts right of the first: its start was not read
        if key == "license_number" and reading.value and not _check_digit_holds(reading.value):
            reasons.append("check_digit")
        if recs[pick.spans[0].line].probs is None:
            reasons.append("no_outline")
        elif any(_edge(recs[s.line].line) for s in pick.spans):
            reasons.append("cut_off")
        elif (
            key in ("name", "address")
            and card is not None
            and finger_after(card, ppm, recs[pick.spans[-1].line].line) > OCCLUDER_REDDER
        ):
            reasons.append("cut_off")  # a finger over the line's end: what it hides was never read
        if key == "name" and card is not None and _glare_at_ends(card, ppm, recs, pick):
            reasons.append("glare")  # a spot where the name begins or ends: a washed-out character left no trace
        if reading.value is None or reading.confidence < 0.9:
            for s in pick.spans:
                reasons += _condition(recs[s.line].crop)
        faint = key in FAINT_CHECKED.get(document, ()) and reading.value is not None
        if faint and any(faint_digit(recs[s.line], s.start, s.end) for s in pick.spans):
            reasons.append("glare")  # a washed-out digit is misread with full confidence (8 read 3)
        if key == "address" and gap_read:  # what stood in the gap was read only the second time: doubtful
            reasons.append("gap")
        if key == "address" and reading.value and address_gaps.lost_inside(recs, pick.spans):
            reasons.append("gap")  # the frames jump over a character the recogniser dropped
        if key in extended:  # its last characters were read only the second time
            reasons.append("repaired")
        out[key] = replace(reading, reasons=tuple(dict.fromkeys(reasons)))
        if key == "name" and cs != "latin" and reading.problem == fp.ONE_PART and pick.spans[0].start > 0:
            out[key] = _name_without_label(ocr, document, recs[pick.spans[0].line], pick.spans[0], out[key])
        if key == "name" and ("variant_form" in reasons or glyphs.has_vendor_form(reading.value)):
            # 髙 read 高: decided from the character's pixels; also where the frames gave the variant no weight
            # (邉 read 邊 at 0.43 with 邉 under 2 %): a variant it shows is proposed doubted, never silently
            named = glyphs.name_forms(recs, pick.spans, out[key])
            if named.value != out[key].value:
                named = replace(named, reasons=tuple(dict.fromkeys((*named.reasons, "variant_form"))))
            out[key] = named
        if card is not None and key in REREAD.get(document, ()) and len(pick.spans) == 1 and _unsure(out[key]):
            out[key] = _read_again(card, ppm, ocr, document, key, recs[pick.spans[0].line], pick.spans[0], out[key])
    if document == "mynumber":
        out = _on_birthday(ocr, recs, picks, out)
        out = _era_before_expiry(ocr, recs, picks, out)
        out = birth_from_expiry(recs, out)
        out = expiry_from_birth(recs, out)
        if card is not None:  # a birth year that lost its start: its row read again from further left
            out = year_lost(card, ppm, ocr, recs, out)
    if document == "residence":
        out = expiry_from_period(recs, out)
    if document == "license":
        out = _one_style(ocr, recs, picks, out)
        exp_pick = picks.get("expiry")
        exp_line = recs[exp_pick.spans[0].line] if exp_pick is not None and exp_pick.spans else None
        out = license_dates.cross_check(_license_again(ocr, recs, picks), recs, exp_line, out)
    return consistent(document, out)


def _license_again(ocr: Engine, recs: list[RecLine], picks: dict[str, asg.Pick | None]) -> license_dates.Again:
    """A licence date decoded again from its own frames under the date grammar, with the bounds the licence's
    other dates set (``license_dates``): the parsed reading, or None when its frames spell no such date."""

    def again(
        key: str, *, within: tuple[date, date] | None = None, mds: list[tuple[int, int]] | None = None
    ) -> fp.FieldReading | None:
        pick = picks.get(key)
        if pick is None or len(pick.spans) != 1:
            return None
        span, gkey, western = pick.spans[0], _grammar_key("license", key), REPAIR_DATES["license"][key]
        got = _date_again(ocr, recs[span.line], span, gkey, western, within=within, mds=mds)
        reading = _parse("license", key, [got]) if got is not None else None
        return reading if reading is not None and reading.date is not None else None

    return again


def _check_digit_holds(number: str) -> bool:
    """Whether a licence number's 11th digit is its check digit (``taimen.license.number``): a digit misread
    at high confidence (8 read 3 under glare) breaks it. The rule is unverified on real cards, so a mismatch
    only makes the value doubtful."""
    check = check_number(re.sub(r"\D", "", number))
    return not check.well_formed or check.valid


_PADDED = re.compile(r"\d\s*\d\s*月\s*\d\s*\d\s*日")
_SHORT = re.compile(r"(?<![\d\s])\s*\d\s*月|月\s*\d\s*日")


def _one_style(
    ocr: Engine, recs: list[RecLine], picks: dict[str, asg.Pick | None], out: dict[str, fp.FieldReading]
) -> dict[str, fp.FieldReading]:
    """A card prints its dates in one style. A licence date read unsurely with a one-digit month or day
    (「令和04年1月24日」 for 11月) where every other date of the card was read zero-padded (「01月20日」) lost a
    digit to the blank: it is decoded again from its frames with two-digit months and days, and the reading
    taken (flagged ``repaired``) when it is another plausible date."""
    keys = [k for k in ("birth_date", "issue_date", "expiry") if out.get(k) is not None and out[k].text]
    short = [k for k in keys if out[k].date is not None and _SHORT.search(out[k].text)]
    others = [k for k in keys if k not in short]
    if len(short) != 1 or not others or not all(_PADDED.search(out[k].text) for k in others):
        return out
    key = short[0]
    old, pick = out[key], picks.get(key)
    if pick is None or len(pick.spans) != 1 or (old.confidence >= 0.9 and "repaired" not in old.reasons):
        return out
    gkey = _grammar_key("license", key)
    again = _date_again(ocr, recs[pick.spans[0].line], pick.spans[0], gkey, REPAIR_DATES["license"][key], padded=True)
    if again is None:
        return out
    reading = _parse("license", key, [again])
    if (
        reading.date is None
        or reading.date == old.date
        or not repair.plausible(reading.date, _plausible_as("license", key))
    ):
        return out
    reasons = tuple(
        dict.fromkeys((*old.reasons, "repaired", *(("low_confidence",) if reading.confidence < 0.9 else ())))
    )
    return {**out, key: replace(reading, flags=(*reading.flags, "repaired"), reasons=reasons)}


#: Fields read again from several crops (``taimen.ocr.reread``) when their reading is unsure: the unlock values
#: a digit misread changes. (An expiry, of which 照合番号B takes only the year, and a licence's dates and number,
#: tried on the tuning split, gained nothing for their cost.)
REREAD: dict[str, tuple[str, ...]] = {
    "mynumber": ("birth_date", "security_code"),
    "residence": ("card_number",),
}


def _name_without_label(
    ocr: Engine, document: str, rl: RecLine, span: asg.Span, reading: fp.FieldReading
) -> fp.FieldReading:
    """A Japanese name read as one part right after its label in one box (「名見宏」 for 氏名　邉見　宏: 邉 merged
    into 見's frames) read again from the label's end on: the label's small print beside it can change how the
    recogniser reads the name's first characters. Taken only when it reads the name in two parts holding all
    that was read, and more; flagged ``repaired`` (and ``variant_form`` for a character with registered forms)."""
    if rl.probs is None or len(rl.decoded.positions) != len(rl.decoded.text) or rl.crop.size == 0:
        return reading
    t0, _ = span_frames(rl.decoded, span.start, span.end, rl.probs.shape[0])
    h, w = rl.crop.shape[:2]
    crop = rl.crop[:, max(0, int(t0 / rl.probs.shape[0] * w) - h // 4) :]
    probs = ocr.probabilities(crop)
    dec = ocr.decode(probs, "any")
    text = asg.nfkc(dec.text)
    if not text.strip() or len(text) != len(dec.positions):
        return reading
    alone = RecLine(rl.line, probs, Line(text, dec.confidence, dec.char_confidences, dec.positions), crop)
    again = _parse(document, "name", [_span_text(ocr, alone, asg.Span(0, 0, len(text)), None)])
    again = names.check_name(ocr, again, [(probs, alone.decoded, 0, len(text))])
    old, new = (re.sub(r"\s", "", v or "") for v in (reading.value, again.value))
    if again.problem or not old or old not in new or len(new) <= len(old):
        return reading
    reasons = [r for r in reading.reasons if r != "grammar"] + ["repaired"]
    if any(ch in variants.NAME_VARIANTS for ch in new):
        reasons.append("variant_form")
    if again.confidence < fp.DOUBT_BELOW:
        reasons.append("low_confidence")
    flags = tuple(dict.fromkeys((*again.flags, "repaired")))
    return replace(again, flags=flags, reasons=tuple(dict.fromkeys(reasons)))


#: Fields whose digits are checked for one washed out beside the others (``recline.faint_digit``).
FAINT_CHECKED: dict[str, tuple[str, ...]] = {"license": ("license_number", "birth_date", "issue_date", "expiry")}


#: Unlock values have no check digit to catch a misread character, and a wrong security code spends one of
#: 照合番号B's tries: they are sure only from 0.95. Fresh tune-5590's residence card number read W as M at
#: 0.999 under motion blur and JPEG 35, the number at 0.933 by its 0/8 frames; between 0.90 and 0.95 the
#: development photos read 1 right card number in 456 and 1 right security code in 349 (already doubted).
SURE_AT = {"card_number": 0.95, "security_code": 0.95}


def _sure_at(key: str) -> float:
    return SURE_AT.get(key, fp.DOUBT_BELOW)


def _unsure(reading: fp.FieldReading) -> bool:
    """Worth reading again: no value, or a value the grammar or a repair had to make; a code or a card number
    (a short crop, cheap to read) also when read with a low confidence."""
    if reading.value is None or "repaired" in reading.reasons:
        return True
    return CHARSET.get(reading.key) != "date" and reading.confidence < _sure_at(reading.key)


def _field_box(rl: RecLine, span: asg.Span, ppm: float) -> tuple[float, float, float, float] | None:
    """The box (card pixels) of a span's characters: its frames' share of the line's crop."""
    if rl.probs is None or not rl.decoded.positions or rl.crop.size == 0:
        return None
    total = rl.probs.shape[0]
    t0, t1 = span_frames(rl.decoded, span.start, span.end, total)
    x0, w = rl.line.x0 * ppm, rl.crop.shape[1]
    return x0 + t0 / total * w, rl.line.y0 * ppm, x0 + t1 / total * w, rl.line.y0 * ppm + rl.crop.shape[0]


def _reading_of(document: str, key: str, crop: np.ndarray, probs: np.ndarray, ocr: Engine) -> fp.FieldReading | None:
    """What one crop of a field alone reads as, under the field's grammar (a date decoded again under the date
    grammar when the greedy reading is none); None without a plausible value."""
    dec = ocr.decode(probs, "any")
    text = asg.nfkc(dec.text)
    if not text.strip():
        return None
    if len(text) != len(dec.positions):
        dec = Line(text, dec.confidence, (), ())
    tl = asg.TextLine(0.0, 0.0, 1.0, 1.0, text, dec.confidence)
    rl = RecLine(tl, probs, Line(text, dec.confidence, dec.char_confidences, dec.positions), crop)
    span = asg.Span(0, 0, len(text))
    reading = _parse(document, key, [_span_text(ocr, rl, span, CHARSET[key])])
    bounds = _plausible_as(document, key)
    if CHARSET[key] == "date" and (reading.date is None or not repair.plausible(reading.date, bounds)):
        gkey, head_lost = _grammar_key(document, key), (document, key) in HEAD_LOST
        again = _date_again(ocr, rl, span, gkey, REPAIR_DATES[document][key], head_lost=head_lost)
        reading = _parse(document, key, [again]) if again is not None else reading
    if reading.value is None or (reading.date is not None and not repair.plausible(reading.date, bounds)):
        return None
    return reading


def _read_again(
    card: np.ndarray,
    ppm: float,
    ocr: Engine,
    document: str,
    key: str,
    rl: RecLine,
    span: asg.Span,
    reading: fp.FieldReading,
) -> fp.FieldReading:
    """An unsure field read again from several crops of its place (``taimen.ocr.reread``); the value most of
    them read, when clearly ahead of the first reading, replaces it, flagged ``repaired`` (and
    ``two_candidates`` when some crops still read the first value)."""
    box = _field_box(rl, span, ppm)
    if box is None:
        return reading
    cut = list(reread.crops(card, box))
    many = getattr(ocr, "probabilities_many", None)
    readings: list[fp.FieldReading | None] = []
    values: list[str | None] = []
    for i in range(0, len(cut), 2):  # two crops at a time (two cores); no more once the vote is settled
        pair = cut[i : i + 2]
        for c, p in zip(pair, many(pair) if many else [ocr.probabilities(c) for c in pair], strict=True):
            readings.append(_reading_of(document, key, c, p, ocr))
            values.append(readings[-1].value if readings[-1] is not None else None)
        if reread.settled(reading.value, values, len(cut) - len(values)):
            break
    won = reread.vote(reading.value, values)
    if won is None:
        return reading
    votes = values.count(won)
    best = max((r for r in readings if r is not None and r.value == won), key=lambda r: r.confidence)
    reasons = [r for r in reading.reasons if r not in ("grammar", "not_found")]
    reasons.append("repaired")
    if reading.value in values:
        reasons.append("two_candidates")
    confidence = min(votes / len(values), best.confidence, reading.confidence if reading.value else 1.0)
    if confidence < fp.DOUBT_BELOW:
        reasons.append("low_confidence")
    return replace(
        best,
        confidence=confidence,
        flags=(*best.flags, "repaired"),
        problem=f"read again from {len(values)} crops, {votes} of which read this value",
        reasons=tuple(dict.fromkeys(reasons)),
    )


def _era_before_expiry(
    ocr: Engine, recs: list[RecLine], picks: dict[str, asg.Pick | None], out: dict[str, fp.FieldReading]
) -> dict[str, fp.FieldReading]:
    """A birth date left without a value because its era is named only by its second character and two eras
    with it give a birth (「男和08年10月26日生」, 昭 under the 性別 value: 昭和08 or 令和08), read again as a
    birth before a surely read expiry: a card expires after its holder was born (令和08年10月26日 is no birth
    for a card that expires on 2026-10-26). A card that expires on the birthday read (a Japanese national's)
    runs to the 5th or 10th birthday after it was issued, so its holder was born at least 5 years before.
    Flagged ``repaired``; 照合番号B needs the era year, which both eras share."""
    birth, exp, pick = out.get("birth_date"), out.get("expiry"), picks.get("birth_date")
    if birth is None or birth.value is not None or pick is None or not pick.spans:
        return out
    if exp is None or exp.date is None or exp.doubtful:
        return out
    rl, e = recs[pick.spans[0].line], exp.date
    reading = None
    # born on that birthday at the latest (the card issued on the day of birth)
    five = e.replace(year=e.year - NATIONAL_MIN_YEARS, day=28 if (e.month, e.day) == (2, 29) else e.day)
    for bound in (five + timedelta(days=1), e):
        again = _date_again(ocr, rl, pick.spans[0], "birth_date", None, head_lost=True, born_before=bound)
        reading = _parse("mynumber", "birth_date", [again]) if again is not None else None
        d = reading.date if reading is not None else None
        if d is not None and (bound == e or (e.month, e.day) in birthdays((d.month, d.day))):
            break
        reading = None
    if reading is None or reading.date is None or not repair.plausible(reading.date, "birth_date"):
        return out
    reasons = [r for r in birth.reasons if r not in ("grammar", "not_found")]
    reasons += ["repaired", *(("low_confidence",) if reading.confidence < 0.9 else ())]
    flags = (*reading.flags, "repaired")
    return {**out, "birth_date": replace(reading, flags=flags, reasons=tuple(dict.fromkeys(reasons)))}


#: A My Number Card issued to a Japanese national runs to the 10th birthday after issue (5th under 18).
NATIONAL_MIN_YEARS = 5


def _on_birthday(
    ocr: Engine, recs: list[RecLine], picks: dict[str, asg.Pick | None], out: dict[str, fp.FieldReading]
) -> dict[str, fp.FieldReading]:
    """A Japanese national's My Number Card expires on a birthday. When the birth date and the expiry disagree
    in month or day (「2029年 月26日」 repaired to January, 「7月10日」 read 「7日」), or one of them has no
    value, the less sure one is decoded again from its own frames under the grammar with the other's month and
    day; taken only within the grammar's bounds, and flagged ``repaired`` (doubtful: the operator confirms)."""
    birth, exp = out.get("birth_date"), out.get("expiry")
    if birth is None or exp is None or (birth.date is None and exp.date is None):
        return out
    if birth.date and exp.date and (exp.date.month, exp.date.day) in birthdays((birth.date.month, birth.date.day)):
        return out
    dated = [k for k in ("birth_date", "expiry") if out[k].date is not None]
    source = max(dated, key=lambda k: out[k].confidence)
    target = "expiry" if source == "birth_date" else "birth_date"
    pick, src = picks.get(target), out[source].date
    if pick is None or src is None or not pick.spans or out[target].confidence > out[source].confidence:
        return out
    if out[target].confidence >= 0.9 and "repaired" not in out[target].reasons:  # read surely: kept as read
        return out
    western = REPAIR_DATES["mynumber"][target]
    best: tuple[float, tuple[str, float, tuple[int, ...]]] | None = None
    for md in birthdays((src.month, src.day)):
        again = _date_again(ocr, recs[pick.spans[0].line], pick.spans[0], target, western, md=md)
        if again is not None and (best is None or again[1] > best[0]):
            best = (again[1], again)
    if best is None:
        return expiry_on_birthday(out) if target == "expiry" else out
    reading = _parse("mynumber", target, [best[1]])
    if reading.date is None or not repair.plausible(reading.date, target):
        return out
    reasons = [r for r in out[target].reasons if r not in ("grammar", "inconsistent", "not_found")]
    reasons.append("repaired")
    if reading.confidence < 0.9:
        reasons.append("low_confidence")
    flags = (*reading.flags, "repaired")
    fixed = replace(reading, flags=flags, reasons=tuple(dict.fromkeys(reasons)))
    held = disagreed(out[source]) if out[target].date is not None else out[source]
    return {**out, target: fixed, source: held}


_tail_lost = partial(date_tail_lost, kind="birth")

#: Documents whose dates are decoded again under the date grammar when the first reading is not a date, and
#: the form of each date field (True Gregorian, None either; a licence's expiry also 「2028年(令和10年)…」).
REPAIR_DATES: dict[str, dict[str, bool | None]] = {
    "mynumber": {"birth_date": None, "expiry": True},
    "residence": {"birth_date": True, "expiry": True, "period": True},
    "license": {"birth_date": None, "issue_date": None, "expiry": None},
}


#: Dates whose era may be read by its second character alone when no form fits (``DateRepair._head_lost``):
#: a My Number Card's 和暦 birth date, where 昭和 squeezed into one glyph (「潮36年」) left 照合番号B's birth
#: date unread. (A licence's birth date would fit too; not tried.)
HEAD_LOST = {("mynumber", "birth_date")}


def _plausible_as(document: str, key: str) -> str:
    """The bounds a field's date is held to: a licence's only to those of any card date (1868 to 12 years
    ahead), since a licence read on the day it was issued, by a PC whose clock lags, must not lose its issue
    date; other cards' dates to their field's (no birth in the future, no expiry before 1990)."""
    return "date" if document == "license" else key


def _grammar_key(document: str, key: str) -> str:
    """The date grammar's name for a field: a licence's expiry has forms of its own."""
    return repair.LICENSE_EXPIRY if (document, key) == ("license", "expiry") else key


def _repair_lines(recs: list[RecLine], ocr: Engine, document: str) -> list[RecLine]:
    """Lines holding a date the first reading broke (「195年11月16日生」), with that date decoded again under
    the date grammar, so that the assignment finds it; the field taken from it is flagged ``repaired`` (its
    span does not read as a date greedily, so ``_date_again`` decodes it once more)."""
    rep = None
    out = []
    for r in recs:
        if r.probs is not None and repair.broken_date_spans(r.decoded.text):
            rep = rep or repair.for_engine(ocr)
            if rep is not None:
                tail = r.decoded.text[r.decoded.text.rfind("日") :]
                key = "birth_date" if "生" in tail else "expiry" if re.search("まで|有効", tail) else "date"
                key = _grammar_key(document, key)
                head_lost = (document, key) in HEAD_LOST
                # a card that may print 和暦 may have had its era's last character read as a digit (「945年」 for
                # 昭和45年): only a surely Gregorian date is taken to have lost its century's first digit
                western = True if document == "residence" else REPAIR_DATES.get(document, {}).get(key)
                dec, changed = repair.repair_line(
                    rep, r.decoded.text, r.decoded, r.probs, key, head_lost=head_lost, western=western
                )
                if changed:
                    r = replace(r, line=replace(r.line, text=dec.text), decoded=dec, repaired=True)
        for key in ("birth_date", "expiry"):
            if r.repaired:
                break
            dec = r.decoded
            text, completed = complete_century(dec.text, key)
            if completed and len(text) == len(dec.text):  # one mark became a digit: frames still match
                dec = replace(dec, text=text)
            elif completed and len(text) == len(dec.text) + 1 and len(dec.char_confidences) == len(dec.text):
                # the lost digit is put on its neighbour's frame, with no confidence: it was not seen
                k = next(i for i, (a, b) in enumerate(zip(text, dec.text, strict=False)) if a != b)
                confs = (*dec.char_confidences[:k], 0.0, *dec.char_confidences[k:])
                pos = dec.positions[:k] + dec.positions[k : k + 1] + dec.positions[k:]
                dec = Line(text, 0.0, confs, pos)
            else:
                continue
            r = replace(r, line=replace(r.line, text=text), decoded=dec, repaired=True)
        out.append(r)
    return out


def _date_again(
    ocr: Engine,
    rl: RecLine,
    span: asg.Span,
    key: str,
    western: bool | None,
    *,
    md: tuple[int, int] | None = None,
    padded: bool = False,
    head_lost: bool = False,
    born_before: date | None = None,
    within: tuple[date, date] | None = None,
    mds: list[tuple[int, int]] | None = None,
) -> tuple[str, float, tuple[int, ...]] | None:
    """A date span decoded under the date grammar (``taimen.ocr.repair``): the frames up to the greedy
    reading's 日, then what the greedy reading has after it (生, まで有効); with ``md`` on that month and day;
    ``head_lost``: an era whose first character left no trace may be read by its second (a birth before
    ``born_before``); ``within``: a date between these two days; ``mds``: on one of these months and days."""
    rep = repair.for_engine(ocr)
    if rep is None or rl.probs is None or not rl.decoded.positions:
        return None
    t0, t1 = span_frames(rl.decoded, span.start, span.end, rl.probs.shape[0])
    greedy = ocr.decode(rl.probs[t0:t1], "date")
    cut = greedy.text.rfind("日")
    if cut < 0:  # the day's 日 read as another mark (「 1月生」): the mark before 生 or まで ends the date
        lost = re.search(r"\d\s*([^\d年日\s])(?=\s*(?:生|まで))", greedy.text)
        cut = lost.start(1) if lost else -1
    tail = ""
    if 0 <= cut < len(greedy.positions) - 1:
        t1 = t0 + (greedy.positions[cut] + greedy.positions[cut + 1]) // 2 + 1
        tail = greedy.text[cut + 1 :]
    century_lost = bool(repair.CENTURY_LOST.match(greedy.text))  # 「348年」: the year's first digit lost
    path = rep.decode(
        rl.probs[t0:t1],
        key,
        western,
        md,
        padded,
        head_lost=head_lost,
        born_before=born_before,
        within=within,
        mds=mds,
        century_lost=century_lost,
    )
    if path is None:
        return None
    return path.text + tail, path.confidence, tuple(t0 + p for p in path.positions)


#: A name character's other registered forms (``variants.NAME_VARIANTS``) with at least this probability in
#: the recogniser's own frames make the reading doubtful.
VARIANT_P = 0.02


def _variant_doubt(ocr: Engine, recs: list[RecLine], spans: list[asg.Span]) -> bool:
    """A name character that has other registered forms (崎/﨑, 高/髙 …) is doubtful when one of them is missing
    from the recogniser's dictionary (it could never be read: 﨑) or is a form it has not seen (_unseen: 髙), or
    had weight in the character's frames."""
    index = None
    for s in spans:
        rl = recs[s.line]
        for k in range(s.start, min(s.end, len(rl.decoded.text))):
            if _vendor_form(rl.decoded.text[k]):  # 增, 﨑, 髙: an old or variant form outside JIS X 0208
                return True
            if rl.decoded.text[k] in variants.CHINESE_FORMS:
                # read through the Japanese prior (穗 for 穂): the recogniser leans to the form Chinese kept even
                # where the other was printed, so its frames giving 穂 no weight cannot clear the name
                return True
            others = variants.NAME_VARIANTS.get(rl.decoded.text[k])
            if not others:
                continue
            index = index if index is not None else class_index(ocr) or {}
            if rl.probs is None or not rl.decoded.positions or any(o not in index or _unseen(o) for o in others):
                return True
            t = rl.decoded.positions[k]
            frames = rl.probs[max(0, t - 1) : t + 2]
            if max(float(frames[:, index[o]].max()) for o in others) >= VARIANT_P:
                return True
    return False


def _read_as_variant(reading: fp.FieldReading) -> bool:
    """The list of names put a character with registered forms into the name (演田 read, 濱田 proposed): the
    frames that chose the form among them were not sure enough to read it."""
    read = reading.extra.get("read", "")
    return bool(read) and any(ch in variants.NAME_VARIANTS for ch in reading.value or "" if ch not in read)


def _unseen(ch: str) -> bool:
    """A vendor form that Chinese does not use either (髙, 栁, 𠮷): the recogniser, trained mostly on Chinese,
    has all but never seen it and gives it no weight even where it is printed (髙田 read 高田 with 髙 under
    2 % on the tuning split), so its frames cannot clear a name of it."""
    return _vendor_form(ch) and ch not in variants.CHINESE_FORMS


def _vendor_form(ch: str) -> bool:
    """A character of a vendor extension of Shift_JIS (NEC/IBM: 增, 﨑, 髙), outside JIS X 0208 and 0212: the
    variant forms registers hold and that a blurred common form is misread as."""
    if ch.isascii():
        return False
    try:
        ch.encode("euc_jp")
        return False
    except UnicodeEncodeError:
        pass
    try:
        ch.encode("cp932")
        return True
    except UnicodeEncodeError:
        return False


def _parse(document: str, key: str, parts: list[tuple[str, float, tuple[int, ...]]]) -> fp.FieldReading:
    text, conf, positions = parts[0]
    if key == "name":
        return fp.parse_name(text, conf, latin=document == "residence", positions=positions)
    if key == "address":
        return fp.parse_address([(t, c) for t, c, _ in parts])
    if key == "birth_date":
        if document == "residence":
            return fp.parse_western_date(text, conf, "birth_date")
        return fp.parse_birth_date(text if "生" in text else text + "生", conf)
    if key == "expiry":
        if document == "mynumber":
            return fp.parse_mynumber_expiry(text, conf)
        if document == "license":
            return fp.parse_license_expiry(text, conf)
        return fp.parse_western_date(text, conf, "expiry")
    if key == "period":  # the residence card's 在留期間 end, printed in parentheses
        return fp.parse_western_date(text, conf, "period")
    if key == "issue_date":
        r = fp.parse_birth_date(text, conf, key="issue_date")
        return r
    if key == "sex":
        return fp.parse_sex(text, conf)
    if key == "security_code":
        return fp.parse_digits(text, conf, "security_code", 4)
    if key == "license_number":
        return fp.parse_digits(text, conf, "license_number", 12)
    return fp.parse_card_number(text, conf)


def page_lines(found: list[tuple[np.ndarray, str, float]]) -> list[RecLine]:
    """Lines read from a whole photo (no card outline) in a card-aligned frame: turned by the median angle of
    the lines (the card is within ±15° of upright) and scaled so that the median line is 3.5 mm high. Good
    enough for relative positions; every value found this way is doubtful anyway."""
    items = [(np.asarray(b, np.float32), asg.nfkc(t), float(c)) for b, t, c in found if asg.nfkc(t).strip()]
    if not items:
        return []
    angles = [np.arctan2(b[1, 1] - b[0, 1], b[1, 0] - b[0, 0]) for b, _, _ in items]
    a = -float(np.median(angles))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    boxes = [b @ rot.T for b, _, _ in items]
    heights = [float(b[:, 1].max() - b[:, 1].min()) for b in boxes]
    scale = 3.5 / max(1.0, float(np.median(heights)))
    x_min = min(float(b[:, 0].min()) for b in boxes)
    y_min = min(float(b[:, 1].min()) for b in boxes)
    out = []
    for b, (_, text, conf) in zip(boxes, items, strict=True):
        x0, y0 = (b.min(axis=0) - (x_min, y_min)) * scale + 2.0
        x1, y1 = (b.max(axis=0) - (x_min, y_min)) * scale + 2.0
        tl = asg.TextLine(float(x0), float(y0), float(x1), float(y1), text, conf)
        out.append(RecLine(tl, None, Line(text, conf, (conf,) * len(text)), np.zeros((1, 1, 3), np.uint8)))
    out.sort(key=lambda r: (round(r.line.y0), r.line.x0))
    return out


def card_text_score(recs: list[RecLine], document: str) -> float:
    """How much the lines look like this document's face (labels and dates found): 0..1."""
    lines = [r.line for r in recs]
    if not lines:
        return 0.0
    dates = asg.find_dates(lines)
    labels = sum(1 for ln in lines if asg.label_kind(ln.text) or asg.strip_label(ln.text, tuple(asg.LABELS)))
    return min(1.0, (len(dates) + labels) / 6)


def sharpness(card: np.ndarray) -> float:
    """Edge strength relative to contrast (low: out of focus or moving)."""
    grey = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    lap = cv2.Laplacian(grey, cv2.CV_32F)
    return float(np.abs(lap).mean() / max(1.0, float(grey.std())))
