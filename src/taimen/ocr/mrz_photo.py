"""The machine-readable zone of a passport data page, read from a camera photo (ICAO 9303-3/4, TD3).

The MRZ is two lines of 44 OCR-B characters at the foot of the data page. The same engine as for cards
(rapidocr's PP-OCRv6 detector and recogniser from its wheel) finds the text lines in the whole photo and
recognises each long line once; the recogniser's per-frame probabilities are then decoded again under the
MRZ's own grammar: exactly 44 characters, each from the characters its position may hold (digits in dates
and check digits, letters in the issuing state, ``<`` fillers), by a constrained CTC Viterbi.

Doubt, never silent repair:
- every character keeps its probability; one below ``DOUBT_BELOW`` makes its field doubtful;
- a character that the grammar changed (the recogniser preferred O where a date needs 0) is ``repaired``;
- a wrong check digit is reported (``check_digit``) and the value is left as read;
- only when a field has doubtful characters, and exactly one combination of their next-best readings
  satisfies every check digit of line 2, is that combination proposed, flagged ``chosen_by_check_digit``
  (still doubtful: the operator confirms it against the page).

The three key fields (document number, birth date, expiry) are the BAC/PACE password: they are secret
proposals (``null`` in JSON, masked when not printed to a terminal), like 照合番号B.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import cv2
import numpy as np

from taimen.ocr.engine import PAGE_SIDE, Engine, engine
from taimen.ocr.fields import DOUBT_BELOW, FieldReading
from taimen.ocr.photo import decode
from taimen.ocr.proposals import OcrResult, UnlockProposal
from taimen.passport import mrz as mrzlib

ALPHABET = "<0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIG, _LET, _ALNUM = "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: What each position of a TD3 line may hold (9303-4 §4.2.2).
LINE1 = ("P", _LET + "<", _LET + "<", _LET + "<", _LET + "<") + (_LET + "<",) * 39
LINE2 = (
    (_ALNUM + "<",) * 9 + (_DIG,) + (_LET + "<",) * 3 + (_DIG,) * 7 + ("MFX<",) + (_DIG,) * 7
    + (_ALNUM + "<",) * 14 + (_DIG + "<",) + (_DIG,)
)
#: Look-alike classes of the recogniser's dictionary whose probability belongs to an MRZ character.
LOOKALIKE = {
    "<": "＜〈«‹く〈",
    "A": "ΑА", "B": "ΒВ", "C": "С", "E": "ΕЕ", "H": "ΗН", "I": "Ι", "K": "ΚК", "M": "ΜМ", "N": "Ν",
    "O": "ΟО", "P": "ΡР", "T": "ΤТ", "X": "ΧХ", "Y": "ΥУ", "Z": "Ζ",
}
#: line 2 slices of the key fields (value, check digit)
KEY_FIELDS = {"passport_number": (0, 9, 9), "mrz_birth": (13, 19, 19), "mrz_expiry": (21, 27, 27)}
#: the unlock value (``taimen.documents`` key of the passport) each key field gives
UNLOCK_KEYS = {"passport_number": "document_number", "mrz_birth": "birth", "mrz_expiry": "expiry"}
REASONS: dict[str, tuple[str, str]] = {
    "check_digit": ("チェックディジットが一致しません", "check digit does not match"),
    "chosen_by_check_digit": (
        "不確かな文字をチェックディジットで選びました（要確認）",
        "a doubtful character was chosen by the check digits (confirm it)",
    ),
    "mrz_not_found": ("MRZが見つかりません", "MRZ not found"),
    "line_length": ("MRZの行の文字数が44ではありません", "an MRZ line did not read as 44 characters"),
}
KEY_LABELS = {
    "passport_number": ("旅券番号", "document number"),
    "mrz_birth": ("生年月日（YYMMDD）", "birth date (YYMMDD)"),
    "mrz_expiry": ("有効期間満了日（YYMMDD）", "expiry (YYMMDD)"),
}
#: fewest doubtful characters whose alternatives are tried against the check digits
MAX_TRIED = 4


@dataclass(frozen=True)
class CharRead:
    ch: str
    p: float
    alts: tuple[tuple[str, float], ...]  # other allowed characters over the same frames, best first
    repaired: bool  # the grammar changed what the recogniser preferred


@dataclass(frozen=True)
class LineRead:
    chars: tuple[CharRead, ...]
    greedy_length: int  # characters in the unconstrained decoding (44 when the line read cleanly)
    score: float  # mean log-probability per frame of the constrained path

    @property
    def text(self) -> str:
        return "".join(c.ch for c in self.chars)


class _Classes:
    """The recogniser's dictionary mapped onto the MRZ alphabet (blank first)."""

    def __init__(self, table: list[str]) -> None:
        where: dict[str, list[int]] = {}
        for i, ch in enumerate(table):
            if i:
                where.setdefault(ch, []).append(i)
        self.groups = [[0]] + [
            where.get(ch, []) + [j for alt in LOOKALIKE.get(ch, "") for j in where.get(alt, [])] for ch in ALPHABET
        ]

    def project(self, probs: np.ndarray) -> np.ndarray:
        out = np.stack([probs[:, g].sum(axis=1) if g else np.zeros(len(probs)) for g in self.groups], axis=1)
        return out.astype(np.float64)


def _allowed(grammar: tuple[str, ...]) -> np.ndarray:
    a = np.zeros((len(grammar), len(ALPHABET)), bool)
    for k, chars in enumerate(grammar):
        for ch in chars:
            a[k, ALPHABET.index(ch) + 0] = True
    return a


_GRAMMAR = {1: _allowed(LINE1), 2: _allowed(LINE2)}


def decode_line(p: np.ndarray, grammar: np.ndarray) -> LineRead:
    """Best CTC path through ``p`` (T × (1 + 37): blank, then ``ALPHABET``) that emits exactly one character
    per grammar position from that position's allowed characters (Viterbi)."""
    n_pos = grammar.shape[0]
    t_len = p.shape[0]
    lp = np.log(p + 1e-9)
    neg = -1e18
    blank = lp[:, 0]
    chars = lp[:, 1:]
    allowed_pen = np.where(grammar, 0.0, neg)  # (K, C)
    s = np.full((n_pos, chars.shape[1]), neg)
    b = np.full(n_pos + 1, neg)  # b[j]: blank after j characters
    b[0] = blank[0]
    s[0] = chars[0] + allowed_pen[0]
    # back-pointers: for s: 0 stay, 1 from blank b[k], 2 from s[k-1, c'≠c] (which c' stored); for b: 0 stay, 1 from s
    bp_s = np.zeros((t_len, n_pos, chars.shape[1]), np.int8)
    bp_c = np.zeros((t_len, n_pos, chars.shape[1]), np.int16)
    bp_b = np.zeros((t_len, n_pos + 1), np.int8)
    bp_bc = np.zeros((t_len, n_pos + 1), np.int16)
    for t in range(1, t_len):
        # from the previous position: best and second-best class, so that c' ≠ c
        prev = np.vstack([np.full((1, s.shape[1]), neg), s[:-1]])  # prev[k] = s[k-1]
        top = prev.argmax(axis=1)
        top_v = prev[np.arange(n_pos), top]
        prev2 = prev.copy()
        prev2[np.arange(n_pos), top] = neg
        sec = prev2.argmax(axis=1)
        sec_v = prev2[np.arange(n_pos), sec]
        cls = np.arange(s.shape[1])[None, :]
        from_prev_v = np.where(cls == top[:, None], sec_v[:, None], top_v[:, None])
        from_prev_c = np.where(cls == top[:, None], sec[:, None], top[:, None])
        cand = np.stack([s, np.repeat(b[:-1, None], s.shape[1], axis=1), from_prev_v])  # (3, K, C)
        choice = cand.argmax(axis=0)
        new_s = cand.max(axis=0) + chars[t][None, :] + allowed_pen
        bp_s[t] = choice
        bp_c[t] = from_prev_c
        s_best = s.max(axis=1)
        s_arg = s.argmax(axis=1)
        from_s = np.concatenate([[neg], s_best])  # b[j] from s[j-1]
        cand_b = np.stack([b, from_s])
        bp_b[t] = cand_b.argmax(axis=0)
        bp_bc[t] = np.concatenate([[0], s_arg])
        b = cand_b.max(axis=0) + blank[t]
        s = new_s
    # end in b[n] or s[n-1, c]
    end_s = s[n_pos - 1].argmax()
    if b[n_pos] >= s[n_pos - 1, end_s]:
        state, k, c, total = "b", n_pos, 0, b[n_pos]
    else:
        state, k, c, total = "s", n_pos - 1, int(end_s), s[n_pos - 1, end_s]
    frames: list[list[int]] = [[] for _ in range(n_pos)]
    cls_of = [0] * n_pos
    for t in range(t_len - 1, -1, -1):
        if state == "s":
            frames[k].append(t)
            cls_of[k] = c
            if t == 0:
                break
            how = bp_s[t, k, c]
            if how == 1:
                state = "b"
            elif how == 2:
                c = int(bp_c[t, k, c])
                k -= 1
        else:
            if t == 0:
                break
            if bp_b[t, k] == 1:
                c = int(bp_bc[t, k])
                k -= 1
                state = "s"
    out = []
    for k in range(n_pos):
        fr = frames[k] or [0]
        seg = p[fr, 1:].max(axis=0)
        c = cls_of[k]
        allowed = grammar[k]
        order = [j for j in np.argsort(-seg) if allowed[j] and j != c]
        alts = tuple((ALPHABET[j], float(seg[j])) for j in order[:2])
        out.append(CharRead(ALPHABET[c], float(seg[c]), alts, repaired=int(seg.argmax()) != c))
    greedy = p.argmax(axis=1)
    n_greedy = sum(1 for t in range(t_len) if greedy[t] != 0 and (t == 0 or greedy[t] != greedy[t - 1]))
    return LineRead(tuple(out), n_greedy, float(total) / max(1, t_len))


# -- finding the two lines --------------------------------------------------------------------------------


def _crop(img: np.ndarray, box: np.ndarray, pad: float = 0.12) -> np.ndarray:
    tl, tr, br, bl = box.astype(np.float32)
    w = float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    h = float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    down = (bl - tl) / max(1.0, np.linalg.norm(bl - tl))
    right = (tr - tl) / max(1.0, np.linalg.norm(tr - tl))
    e, s = down * h * pad, right * h * 0.3
    src = np.array([tl - e - s, tr - e + s, br + e + s, bl + e - s], np.float32)
    ow, oh = int(w + 0.6 * h), int(h * (1 + 2 * pad))
    dst = np.array([[0, 0], [ow, 0], [ow, oh], [0, oh]], np.float32)
    return cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (ow, oh), flags=cv2.INTER_LINEAR)


def _shape(box: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
    w = float(max(np.linalg.norm(box[1] - box[0]), np.linalg.norm(box[2] - box[3])))
    h = float(max(np.linalg.norm(box[3] - box[0]), np.linalg.norm(box[2] - box[1])))
    centre = box.mean(axis=0)
    direction = (box[1] - box[0]) / max(1.0, float(np.linalg.norm(box[1] - box[0])))
    return w, h, centre, direction


def _join_rows(boxes: list[np.ndarray]) -> list[np.ndarray]:
    """Boxes on one straight row (an MRZ line split at a run of fillers) joined into one box; the originals
    are kept too."""
    long = [b for b in boxes if _shape(b)[0] > 2 * _shape(b)[1]]
    out = list(boxes)
    used: set[int] = set()
    for i, a in enumerate(long):
        if i in used:
            continue
        _, ha, ca, da = _shape(a)
        row = [a]
        for j in range(i + 1, len(long)):
            _, hb, cb, db = _shape(long[j])
            off = cb - ca
            across = abs(float(off[0] * -da[1] + off[1] * da[0]))
            if abs(hb - ha) < 0.35 * ha and across < 0.45 * ha and abs(float(np.dot(da, db))) > 0.99:
                row.append(long[j])
                used.add(j)
        if len(row) > 1:
            row.sort(key=lambda b: float(np.dot(b.mean(axis=0), da)))
            out.append(np.array([row[0][0], row[-1][1], row[-1][2], row[0][3]], np.float32))
    return out


@dataclass
class _Candidate:
    box: np.ndarray
    crop: np.ndarray
    p: np.ndarray  # projected probabilities
    text: str  # greedy over the MRZ alphabet


def _candidates(img: np.ndarray, ocr: Engine, classes: _Classes, side: int) -> list[_Candidate]:
    boxes = ocr.detect(img, side=side)
    out = []
    for box in _join_rows(boxes):
        w, h, _, _ = _shape(box)
        if h < 6 or w < 12 * h:  # a TD3 line is about 28 times as long as it is high
            continue
        crop = _crop(img, box)
        p = classes.project(ocr.probabilities(crop))
        g = p.argmax(axis=1)
        text = "".join(ALPHABET[k - 1] for t, k in enumerate(g) if k and (t == 0 or g[t - 1] != k))
        if len(text) >= 30 and (text.count("<") >= 2 or sum(ch.isdigit() for ch in text) >= 12):
            out.append(_Candidate(box, crop, p, text))
    return out


def _pick_lines(cands: list[_Candidate]) -> tuple[_Candidate, _Candidate] | None:
    """Line 2 is the candidate that reads best under line 2's grammar; line 1 is the parallel line just above
    it with the same length."""
    if len(cands) < 2:
        return None
    best: tuple[float, _Candidate, _Candidate] | None = None
    for a, b in itertools.permutations(cands, 2):
        wa, ha, ca, da = _shape(a.box)
        wb, _, cb, _ = _shape(b.box)
        off = cb - ca  # b below a
        down = np.array([-da[1], da[0]])
        gap = float(np.dot(off, down))
        if not (0.8 * ha < gap < 4.5 * ha) or abs(wa - wb) > 0.25 * max(wa, wb):
            continue
        score = -abs(len(a.text) - 44) - abs(len(b.text) - 44) + 3 * (a.text[:1] == "P")
        if best is None or score > best[0]:
            best = (score, a, b)
    return None if best is None else (best[1], best[2])


def _find(img: np.ndarray, ocr: Engine, classes: _Classes) -> tuple[LineRead, LineRead, np.ndarray] | None:
    for side in (PAGE_SIDE, 1920):
        cands = _candidates(img, ocr, classes, side)
        pair = _pick_lines(cands)
        if pair is None:  # upside down: the same boxes, turned
            flipped = [
                _Candidate(c.box[[2, 3, 0, 1]], cv2.rotate(c.crop, cv2.ROTATE_180), c.p, c.text) for c in cands
            ]
            for c in flipped:
                c.p = classes.project(ocr.probabilities(c.crop))
                g = c.p.argmax(axis=1)
                c.text = "".join(ALPHABET[k - 1] for t, k in enumerate(g) if k and (t == 0 or g[t - 1] != k))
            pair = _pick_lines(flipped)
        if pair is not None:
            l1 = decode_line(pair[0].p, _GRAMMAR[1])
            l2 = decode_line(pair[1].p, _GRAMMAR[2])
            return l1, l2, np.vstack([pair[0].box, pair[1].box])
    return None


# -- check digits and proposals ---------------------------------------------------------------------------

_CHECKS = (
    ("document_number", lambda s: s[0:9], 9),
    ("birth", lambda s: s[13:19], 19),
    ("expiry", lambda s: s[21:27], 27),
    ("composite", lambda s: s[0:10] + s[13:20] + s[21:43], 43),
)


def failed_checks(line2: str) -> list[str]:
    """Names of the line-2 check digits that fail (the optional field's own digit is not a key matter)."""
    return [name for name, part, at in _CHECKS if mrzlib.check_digit(part(line2)) != line2[at]]


def _choose_by_check_digits(line: LineRead) -> tuple[str, set[int]]:
    """Line 2's text, and the positions changed: a combination of next-best readings of doubtful characters
    is taken only when the line as read fails a check digit and exactly one combination passes them all."""
    text = line.text
    if not failed_checks(text):
        return text, set()
    covered = [k for k in range(44) if k not in range(10, 13) and k != 20]
    doubtful = sorted((k for k in covered if line.chars[k].p < DOUBT_BELOW and line.chars[k].alts),
                      key=lambda k: line.chars[k].p)[:MAX_TRIED]
    if not doubtful:
        return text, set()
    passing = []
    options = [[line.chars[k].ch] + [a for a, _ in line.chars[k].alts] for k in doubtful]
    for combo in itertools.product(*options):
        cand = list(text)
        for k, ch in zip(doubtful, combo, strict=True):
            cand[k] = ch
        s = "".join(cand)
        if s != text and not failed_checks(s):
            passing.append(s)
    if len(passing) != 1:
        return text, set()
    return passing[0], {k for k in doubtful if passing[0][k] != text[k]}


def _field(key: str, line: LineRead, text: str, lo: int, hi: int, cd: int, changed: set[int],
           extra_reasons: tuple[str, ...]) -> FieldReading:
    span = range(lo, hi + 1) if cd >= 0 else range(lo, hi)
    reasons: list[str] = list(extra_reasons)
    conf = min(line.chars[k].p for k in span)
    if any(line.chars[k].p < DOUBT_BELOW for k in span if k not in changed):
        reasons.append("low_confidence")
    if any(line.chars[k].repaired for k in span):
        reasons.append("repaired")
    if changed & set(span):
        reasons.append("chosen_by_check_digit")
        conf = min(conf, min(dict(line.chars[k].alts).get(text[k], 0.0) for k in changed & set(span)))
    value = text[lo:hi].rstrip("<") if key == "passport_number" else text[lo:hi]
    if cd >= 0 and mrzlib.check_digit(text[lo:hi]) != text[cd]:
        reasons.append("check_digit")
    if key in ("mrz_birth", "mrz_expiry"):
        fn = mrzlib.birth_date if key == "mrz_birth" else mrzlib.expiry_date
        try:
            if fn(value) is None:
                reasons.append("grammar")
        except Exception:
            reasons.append("grammar")
    return FieldReading(key, value or None, value, conf, reasons=tuple(dict.fromkeys(reasons)))


def read_mrz_photo(data: bytes, *, ocr: Engine | None = None) -> OcrResult:
    """Proposals for the MRZ of the passport data page in the photo ``data`` (JPEG/PNG bytes)."""
    t0 = time.perf_counter()
    img = decode(data)
    t1 = time.perf_counter()
    res = read_mrz_image(img, ocr=ocr)
    res.timings = {"decode": t1 - t0, **res.timings, "total": time.perf_counter() - t0}
    return res


def read_mrz_image(img: np.ndarray, *, ocr: Engine | None = None) -> OcrResult:
    """As ``read_mrz_photo`` for a decoded BGR image."""
    return read_mrz_lines(img, ocr=ocr)[0]


def read_mrz_lines(img: np.ndarray, *, ocr: Engine | None = None) -> tuple[OcrResult, tuple[str, str] | None]:
    """The proposal and the two lines as read (for the benchmark's per-character count; the second line holds
    the access key: keep it in memory only, as briefly as possible)."""
    ocr = ocr or engine()
    t = time.perf_counter()
    classes = _Classes(ocr.character_table())
    found = _find(img, ocr, classes)
    res = OcrResult(document="passport", method="mrz")
    res.timings = {"mrz": time.perf_counter() - t}
    if found is None:  # nothing that reads like an MRZ
        res.problems.append("the MRZ (two lines of 44 characters at the foot of the data page) was not found")
        res.hints = ["frame"]
        for key in KEY_FIELDS:
            res.fields[key] = FieldReading(key, None, "", 0.0, problem="MRZ not found", reasons=("mrz_not_found",))
        res.unlock = passport_unlock(res.fields)
        return res, None
    l1, l2, boxes = found
    res.card_found = True
    res.document_confidence = 1.0
    text2, changed = _choose_by_check_digits(l2)
    len_reason = ("line_length",) if l2.greedy_length != 44 else ()
    for key, (lo, hi, cd) in KEY_FIELDS.items():
        res.fields[key] = _field(key, l2, text2, lo, hi, cd, changed, len_reason)
    res.fields["nationality"] = _field("nationality", l2, text2, 10, 13, -1, set(), len_reason)
    res.fields["sex"] = _field("sex", l2, text2, 20, 21, -1, set(), len_reason)
    name_reason = ("line_length",) if l1.greedy_length != 44 else ()
    res.fields["issuing_state"] = _field("issuing_state", l1, l1.text, 2, 5, -1, set(), name_reason)
    res.fields["name"] = _field("name", l1, l1.text, 5, 44, -1, set(), name_reason)
    n = res.fields["name"]
    surname, _, given = l1.text[5:].rstrip("<").partition("<<")
    pretty = f"{surname.replace('<', ' ')} {given.replace('<', ' ')}".strip()
    res.fields["name"] = FieldReading("name", pretty or None, pretty, n.confidence, reasons=n.reasons)
    bad = failed_checks(text2)
    if bad:
        res.problems.append("MRZ check digits do not match: " + ", ".join(bad) + " (never corrected automatically)")
    if "composite" in bad:
        for key in KEY_FIELDS:
            f = res.fields[key]
            if "check_digit" not in f.reasons:
                res.fields[key] = FieldReading(key, f.value, f.text, f.confidence, reasons=(*f.reasons, "check_digit"))
    res.unlock = passport_unlock(res.fields)
    res.hints = _hints(res)
    res.portrait_context, res.portrait_inner = _portrait(img, boxes)
    res.portrait = res.portrait_context
    return res, (l1.text, text2)


#: Where the portrait lies relative to the MRZ (ICAO 9303-4 zone V, left of the VIZ, above the MRZ), in units
#: of the MRZ character pitch (2.54 mm) from the start of line 1 (x) and its top edge (y, up is negative);
#: generous, because layouts differ: the photo comparison aligns the chip photo inside it.
PORTRAIT_BOX = (-1.5, -21.5, 15.5, -1.0)  # x0, y0, x1, y1
PORTRAIT_INNER = (0.78, 0.80)


def _portrait(img: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray | None, tuple[float, float]]:
    """The area of the data page where the portrait is printed, cut from the photo along the MRZ's axes."""
    tl, tr = boxes[0], boxes[1]
    across = tr - tl
    pitch = float(np.linalg.norm(across)) / 44.0
    if pitch < 2:
        return None, (1.0, 1.0)
    ux = across / np.linalg.norm(across)
    uy = np.array([-ux[1], ux[0]], np.float32)
    x0, y0, x1, y1 = PORTRAIT_BOX

    def at(x: float, y: float) -> np.ndarray:
        return tl + ux * x * pitch + uy * y * pitch

    src = np.array([at(x0, y0), at(x1, y0), at(x1, y1)], np.float32)
    w, h = round((x1 - x0) * pitch), round((y1 - y0) * pitch)
    dst = np.array([[0, 0], [w, 0], [w, h]], np.float32)
    crop = cv2.warpAffine(img, cv2.getAffineTransform(src, dst), (w, h), borderMode=cv2.BORDER_REPLICATE)
    return crop, PORTRAIT_INNER


def _hints(res: OcrResult) -> list[str]:
    reasons = {r for k in KEY_FIELDS for r in res.fields[k].reasons}
    if not reasons:
        return []
    out = []
    if reasons & {"low_confidence", "line_length", "check_digit"}:
        out.append("focus")
    return out


def passport_unlock(fields: dict[str, FieldReading]) -> dict[str, UnlockProposal]:
    """The three values of the access key, each a secret proposal (BAC/PACE password)."""
    out = {}
    for key, (ja, en) in KEY_LABELS.items():
        f = fields.get(key)
        out[UNLOCK_KEYS[key]] = UnlockProposal(
            UNLOCK_KEYS[key],
            f.value if f else None,
            f.confidence if f and f.value else 0.0,
            (key,),
            True,
            ja,
            en,
            reasons=f.reasons if f else ("mrz_not_found",),
        )
    return out
