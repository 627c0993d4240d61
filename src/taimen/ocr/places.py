"""The place part of an address (prefecture, municipality, 町域) checked against the list of real Japanese places
and read again from the recogniser's frames.

Kanji slips in place names are the commonest address misread (宮下通 read 官下通, 白金台 read 自金台). The list
of places (``data/places.tsv.gz``, built by ``scripts/build_places.py`` from Japan Post's postal code data)
gives every prefecture, municipality (with 政令市 wards and 郡) and 町域. Each candidate place is scored against
the address line's kept per-frame probabilities by a CTC Viterbi (``score``): the best path that emits the
place's characters, a free reading before (at most a stray mark) and after it (丁目, 番地, building), and right
after the place a character that can follow one (a number, 丁, 番, 字 …), so that 白金 does not win over 白金台.
The search is best-first over prefecture → municipality → 町域 (a prefix's score bounds its places').

- The best place is taken only when the frames support it (at most ``MAX_GAP`` less probable than the free
  reading) and it is clearly better than any other place (``MARGIN``); if it changes what was read, the field is
  flagged ``repaired`` (doubtful: the operator confirms).
- Printed forms are kept: each character of a place may be read as any of its registered forms (崎/﨑, 高/髙,
  ケ/ヶ, 之/ノ, 4/四), and the frames choose which. The list never turns one form into another.
- An address whose place part is in no entry of the list is flagged ``unknown_place``: a misread place name is
  never proposed without doubt.

Without the data file (or with ``TAIMEN_OCR_PLACES=0``) addresses are read as before.
"""

from __future__ import annotations

import gzip
import heapq
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from taimen.ocr import address_rest, variants
from taimen.ocr import fields as fp
from taimen.ocr.ctc import Support, classes_of
from taimen.ocr.engine import span_frames

DATA = Path(__file__).with_name("data") / "places.tsv.gz"
NEG = -1e9

#: A place read from the frames is taken when it is at most e^MAX_GAP less probable than the free reading per
#: character it changes (the date grammar's bound, ``repair``) …
MAX_GAP = 8.0
#: … and at least e^MARGIN more probable than the best other place.
MARGIN = 4.0
#: Prefectures and municipalities whose places are scored at most (a line that reads like no place at all
#: would otherwise have many expanded); past it no place is taken. A prefecture read as other characters
#: (「网山果」 for 岡山県) ranks below a score of others the frames fit about as well: 12 stopped before it.
MAX_EXPANSIONS = 32
#: Characters that may follow a 町域: a number (丁目, 番地, 条), 字 (大字 …), a separator.
BOUNDARY = "0123456789一二三四五六七八九十丁番字大の-ー－ 　"
#: … and a municipality with no 町域 after it: only a number in digits (番地); 大, 四 … begin many 町域.
NUMBER = "0123456789"
#: Registered forms a place's character may be printed in besides the list's own (the frames choose).
_KANA_GROUPS = ("ケヶヵが", "ノ之の")
_KANJI_DIGITS = "〇一二三四五六七八九"


class Places:
    """Prefecture → municipalities → 町域 (each municipality's names split on first use)."""

    def __init__(self, by_prefecture: dict[str, list[tuple[str, str]]]) -> None:
        #: prefecture → [(municipality, its 町域 joined by "|")]
        self.by_prefecture = by_prefecture
        self._towns: dict[tuple[str, str], tuple[str, ...]] = {}
        self._folded_cities: list[tuple[str, str]] | None = None
        self._city_tails: list[tuple[str, str]] | None = None

    def cities(self, pref: str) -> list[str]:
        return [c for c, _ in self.by_prefecture.get(pref, [])]

    def towns(self, pref: str, city: str) -> tuple[str, ...]:
        key = (pref, city)
        if key not in self._towns:
            joined = next((t for c, t in self.by_prefecture.get(pref, []) if c == city), "")
            self._towns[key] = tuple(x for x in joined.split("|") if x)
        return self._towns[key]

    def folded_cities(self) -> list[tuple[str, str]]:
        """Every municipality as printed (``fold``ed) with its prefecture, built on first use."""
        if self._folded_cities is None:
            self._folded_cities = [
                (fold(cs), pref)
                for pref in self.by_prefecture
                for city in self.cities(pref)
                for cs in city_spellings(city)
            ]
        return self._folded_cities

    def city_tails(self) -> list[tuple[str, str]]:
        """Each municipality's ends (``fold``ed) with what was lost before them (prefecture and the name's
        start, at most ``LOST_CITY_START`` characters, leaving ``CITY_TAIL``), built on first use (about 25 ms)."""
        if self._city_tails is None:
            self._city_tails = [
                (fold(cs[cut:]), pref + cs[:cut])
                for pref in self.by_prefecture
                for city in self.cities(pref)
                for cs in city_spellings(city)
                for cut in range(1, min(LOST_CITY_START, len(cs) - CITY_TAIL) + 1)
            ]
        return self._city_tails


_lock = threading.Lock()
_loaded: list[Places | None] = []


def places() -> Places | None:
    """The list of places, read once on first use; None without the data file or with TAIMEN_OCR_PLACES=0."""
    with _lock:
        if not _loaded:
            _loaded.append(_load())
        return _loaded[0]


def _load() -> Places | None:
    if os.environ.get("TAIMEN_OCR_PLACES", "1") == "0" or not DATA.is_file():
        return None
    by: dict[str, list[tuple[str, str]]] = {}
    for line in gzip.decompress(DATA.read_bytes()).decode("utf-8").splitlines():
        pref, city, towns = line.split("\t")
        by.setdefault(pref, []).append((city, towns))
    return Places(by)


# -- spellings and folding ------------------------------------------------------------------------------


def _kanji_number(n: int) -> str:
    if n < 10:
        return _KANJI_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _KANJI_DIGITS[tens]) + "十" + ("" if ones == 0 else _KANJI_DIGITS[ones])


def city_spellings(city: str) -> list[str]:
    """A municipality as an address may print it: with its 郡 (揖斐郡揖斐川町) or without."""
    m = re.match(r"^(.+?郡)(.+[町村])$", city)
    return [city, m.group(2)] if m else [city]


def town_spellings(town: str) -> list[str]:
    """A 町域 as printed: the list's form, and its numbers in kanji (4条通 → 四条通, 10条通 → 十条通)."""
    kanji = re.sub(r"\d+", lambda m: _kanji_number(int(m.group())) if int(m.group()) < 100 else m.group(), town)
    return [town] if kanji == town else [town, kanji]


#: Forms that simplified Chinese kept (卷, 增 …) are no printed form of a place: a card prints 石巻, so 石卷 as read
#: is no place of the list (the frames are searched, and the list's form taken, flagged ``repaired``).
_FOLD: dict[str, str] = {
    ch: min(ch + "".join(o for o in others if o not in variants.CHINESE_FORMS))
    for ch, others in variants.NAME_VARIANTS.items()
    if ch not in variants.CHINESE_FORMS
}
_FOLD.update({ch: g[0] for g in _KANA_GROUPS for ch in g})


def fold(text: str) -> str:
    """Text with the forms a place may be printed in made equal (崎/﨑, ケ/ヶ/が, 四/4), spaces dropped."""
    t = variants.address(re.sub(r"\s", "", text))
    t = re.sub(
        "[一二三四五六七八九十]+", lambda m: str(_kanji_value(m.group())) if _kanji_value(m.group()) else m.group(), t
    )
    return "".join(_FOLD.get(ch, ch) for ch in t)


def _kanji_value(s: str) -> int | None:
    """一 → 1, 十一 → 11, 二十 → 20; None for runs that are not one number (一一)."""
    if "十" not in s:
        return _KANJI_DIGITS.index(s) if len(s) == 1 else None
    tens, _, ones = s.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_KANJI_DIGITS.index(tens) if tens else 1) * 10 + (_KANJI_DIGITS.index(ones) if ones else 0)


def known_place(text: str, data: Places) -> bool:
    """Whether ``text`` (an address) starts with a place of the list: prefecture, municipality and a 町域 of it
    (or a number right after the municipality), each in any of its printed forms."""
    return place_of(text, data) is not None


def place_of(text: str, data: Places) -> tuple[str, str, str] | None:
    """The place of the list ``text`` starts with (prefecture, municipality, 町域 or "" when a number follows the
    municipality), as the list spells it; None when it starts with none."""
    t = fold(text)
    for pref in data.by_prefecture:
        folded = fold(pref)
        if not t.startswith(folded):
            continue
        rest = t[len(folded) :]
        for city in data.cities(pref):
            for cs in city_spellings(city):
                fc = fold(cs)
                if not rest.startswith(fc):
                    continue
                after = re.sub(r"^大?字", "", rest[len(fc) :])
                if _BLOCK_NUMBER.match(after):
                    return pref, city, ""
                for town in data.towns(pref, city):
                    ft = fold(town)
                    if after.startswith(ft) and (len(after) == len(ft) or after[len(ft)] in _FOLDED_BOUNDARY):
                        return pref, city, town
    return None


_FOLDED_BOUNDARY = set(fold(BOUNDARY)) | set("0123456789")
#: A block number right after the municipality (no 町域): digits and what follows them in a block number. A
#: kanji numeral that starts a 町域's name folds to a digit too (三宮町 → 3宮町), and is no block number.
_BLOCK_NUMBER = re.compile(r"\d+(?:$|[\d丁番号地のノ之\-‐−ー－])")


# -- scoring against the frames -------------------------------------------------------------------------


class Scorer:
    """Slot sets (a place character and its printed forms) → the recogniser's classes, for one dictionary."""

    def __init__(self, table: Sequence[str]) -> None:
        self.table = list(table)
        self.classes = classes_of(table)
        self._simplified: dict[str, list[str]] = {}
        for simp, jp in variants.SIMPLIFIED.items():
            self._simplified.setdefault(jp, []).append(simp)
        self._slots: dict[str, tuple[int, ...]] = {}

    def slot(self, ch: str) -> tuple[int, ...]:
        """The classes a place character ``ch`` may be read as."""
        if ch not in self._slots:
            forms = {ch, *variants.NAME_VARIANTS.get(ch, ""), *self._simplified.get(ch, ())}
            for g in _KANA_GROUPS:
                if ch in g:
                    forms.update(g)
            if ch.isdigit() and ch.isascii():
                forms.add(_KANJI_DIGITS[int(ch)])
            self._slots[ch] = tuple(sorted({i for f in forms for i in self.classes.get(f, ())}))
        return self._slots[ch]

    def slot_set(self, chars: str, forms: bool = True) -> tuple[int, ...]:
        """The classes of any of ``chars`` (with their other forms, or exactly those characters)."""
        return tuple(sorted({i for ch in chars for i in (self.slot(ch) if forms else self.classes.get(ch, ()))}))

    def output(self, probs: np.ndarray, frames: list[int], cls: tuple[int, ...]) -> tuple[str, float]:
        """The form the frames chose among a slot's classes (summed over the slot's frames), and how sure the
        recogniser was of the slot (its classes' highest probability in those frames)."""
        from taimen.ocr.engine import _jis_weight

        # a form only Chinese uses (卷 for 巻) supports the place but is never what the card printed
        printed = [c for c in cls if self.table[c] not in variants.CHINESE_FORMS] or list(cls)
        weights = [float(probs[frames, c].sum()) * _jis_weight(self.table[c]) for c in printed]
        seen = float(probs[np.ix_(frames, list(cls))].max()) if cls else 0.0
        return variants.japanese(self.table[printed[int(np.argmax(weights))]]), seen


@dataclass(frozen=True, slots=True)
class Scored:
    score: float
    end: int  # the frame of the path's last character


def score(
    lp: np.ndarray,
    slot_ids: list[list[tuple[int, ...]]],
    head_max: int,
    t_lim: int,
) -> list[Scored]:
    """Best path score of each candidate (its slots' classes, in order) over the log-probabilities ``lp``
    (T × classes): a free reading of frames before it (starting by frame ``head_max``), one character of each
    slot, then a free reading to the end. Candidates are batched (one numpy step per frame for all)."""
    t_n = lp.shape[0]
    n = len(slot_ids)
    if n == 0 or t_n == 0:
        return []
    sets: dict[tuple[int, ...], int] = {}
    rows = [[sets.setdefault(s, len(sets)) for s in c] for c in slot_ids]
    u_n = len(sets)
    col = np.full((t_n, u_n + 1), NEG)  # the last column pads short candidates
    for s, u in sets.items():
        if s:
            col[:, u] = lp[:, list(s)].max(axis=1)
    lens = np.array([len(r) for r in rows])
    l_n = int(lens.max())
    idx = np.full((n, l_n), u_n)
    for i, r in enumerate(rows):
        idx[i, : len(r)] = r
    keys = list(sets)
    direct = np.zeros((n, l_n), bool)  # char k-1 → char k without a blank (different classes only)
    for i, r in enumerate(rows):
        for k in range(1, len(r)):
            direct[i, k] = not set(keys[r[k - 1]]) & set(keys[r[k]])
    free = lp.max(axis=1)
    head = np.concatenate([[0.0], np.cumsum(free)])  # head[t]: frames before t read freely
    tail = head[-1] - head  # tail[t]: frames from t on read freely
    blank = lp[:, 0]
    a = np.full((n, l_n), NEG)
    b = np.full((n, l_n), NEG)
    last = lens - 1
    rows_n = np.arange(n)
    best = np.full(n, NEG)
    end = np.zeros(n, np.intp)
    for t in range(min(t_n, t_lim)):
        e = col[t][idx]
        enter = np.full((n, l_n), NEG)
        if t <= head_max:
            enter[:, 0] = head[t]
        enter[:, 1:] = np.maximum(b[:, :-1], np.where(direct[:, 1:], a[:, :-1], NEG))
        b = np.maximum(b, a) + blank[t]
        a = np.maximum(a, enter) + e
        done = a[rows_n, last] + tail[t + 1]
        better = done > best
        best = np.where(better, done, best)
        end = np.where(better, t, end)
    return [Scored(float(best[i]), int(end[i])) for i in range(n)]


def trace(lp: np.ndarray, slots: list[tuple[int, ...]], head_max: int, end: int) -> list[list[int]] | None:
    """The frames of each slot on the best path of one candidate that ends its last slot at frame ``end``."""
    l_n = len(slots)
    t_n = end + 1
    col = np.array([lp[:t_n, list(s)].max(axis=1) if s else np.full(t_n, NEG) for s in slots]).T  # T × L
    free = lp[:t_n].max(axis=1)
    head = np.concatenate([[0.0], np.cumsum(free)])
    blank = lp[:t_n, 0]
    direct = np.array([k > 0 and not set(slots[k - 1]) & set(slots[k]) for k in range(l_n)])
    a = np.full(l_n, NEG)
    b = np.full(l_n, NEG)
    pa = np.zeros((t_n, l_n), np.int8)  # 0 stay, 1 from blank k-1, 2 direct from k-1, 3 start
    pb = np.zeros((t_n, l_n), np.int8)  # 0 stay, 1 from char k
    for t in range(t_n):
        starts = np.full(l_n, NEG)
        if t <= head_max:
            starts[0] = head[t]
        from_b = np.concatenate([[NEG], b[:-1]])
        from_a = np.concatenate([[NEG], np.where(direct[1:], a[:-1], NEG)])
        options = np.stack([a, from_b, from_a, starts])
        pa[t] = options.argmax(axis=0)
        pb[t] = (a > b).astype(np.int8)
        b = np.maximum(b, a) + blank[t]
        a = options.max(axis=0) + col[t]
    if a[-1] <= NEG / 2:
        return None
    frames: list[list[int]] = [[] for _ in range(l_n)]
    k, state = l_n - 1, "a"
    for t in range(end, -1, -1):
        if state == "a":
            frames[k].append(t)
            how = pa[t, k]
            if how == 3:
                break
            if how == 1:
                state, k = "b", k - 1
            elif how == 2:
                k -= 1
        elif pb[t, k]:
            state = "a"
    if any(not f for f in frames):
        return None
    return [sorted(f) for f in frames]


# -- the search ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    text: str  # the place as the frames read it (printed forms kept)
    place: tuple[str, str, str]  # prefecture, municipality, 町域 ("" when none) as in the list
    start: int  # its first frame
    end: int  # its last frame
    gap: float  # log: how much less probable than the free reading
    margin: float  # log: how much more probable than the best other place (inf: no other within reach)
    seen: float  # the least probability the recogniser gave any of its characters in that character's frames
    second: str = ""  # that other place
    #: log: how much more probable than its own municipality with a number right after it (inf: not within reach)
    bare_margin: float = float("inf")


#: How many characters past a place the frames are searched (the rest is read freely).
_REACH = 6
#: Characters of junk the place may come after (a stray mark before the prefecture).
_HEAD_CHARS = 2


def best_place(
    probs: np.ndarray, positions: Sequence[int], scorer: Scorer, data: Places, head_chars: int = _HEAD_CHARS
) -> Match | None:
    """The place of the list the frames read best, with how it compares with the free reading and the next
    place. Best-first search: prefectures, their municipalities, their 町域; a prefix's score bounds its
    places' scores (the free reading after it is the most probable any continuation can be)."""
    lp = np.log(np.maximum(probs.astype(np.float64), 1e-12))
    free = float(lp.max(axis=1).sum())
    t_n = lp.shape[0]
    head_max = positions[min(head_chars, len(positions) - 1)] if positions else 0

    def lim(chars: int) -> int:
        i = chars + _REACH
        return t_n if i >= len(positions) else positions[i] + 1

    after_town, after_city = scorer.slot_set(BOUNDARY), scorer.slot_set(NUMBER, forms=False)

    def slots_of(text: str, full: bool, town: str) -> list[tuple[int, ...]]:
        out = [scorer.slot(ch) for ch in text]
        return [*out, after_town if town else after_city] if full else out

    heap: list[tuple[float, int, int, str, str, str, int]] = []
    tick = 0
    digits = set(after_city)

    def digit_read(text: str, end: int) -> bool:
        # the path puts a municipality's block number where the frames read one: on a character read as a digit,
        # with no other character read between it and the municipality's last (not 「高松市五有3」 for 高松市瓦町3)
        if not positions:
            return True
        slots = slots_of(text, True, "")
        frames = trace(lp, slots, head_max, end)
        if frames is None:
            return False
        read = [p for p in positions if frames[-2][0] <= p <= frames[-1][-1]]
        return len(read) <= 2 and bool(read) and int(probs[read[-1]].argmax()) in digits

    def push(items: list[tuple[str, str, str, str]], full: bool) -> None:
        nonlocal tick
        if not items:
            return
        slots = [slots_of(text, full, town) for text, _, _, town in items]
        got = score(lp, slots, head_max, lim(max(len(s) for s in slots)))
        for (text, pref, city, town), sc in zip(items, got, strict=True):
            tick += 1
            if sc.score > NEG / 2:
                heapq.heappush(
                    heap,
                    (-sc.score, tick, 2 if full else (1 if city else 0), text, pref, city + "\t" + town, sc.end),
                )

    push([(p, p, "", "") for p in data.by_prefecture], full=False)
    found: list[tuple[float, str, tuple[str, str, str]]] = []
    bare: list[tuple[float, str, tuple[str, str, str]]] = []
    expanded, capped = 0, False
    while heap:
        neg, _, kind, text, pref, rest, end = heapq.heappop(heap)
        if found and -neg < found[0][0] - MARGIN:
            break
        if kind != 2:
            expanded += 1
            if expanded > MAX_EXPANSIONS:  # frames that fit many places about equally: no place is clearly best
                capped = True
                break
        city, town = rest.split("\t")
        if kind == 2:
            key = (pref, city, town)
            if not town and not digit_read(text, end):
                # a municipality with a block number right after it where the frames read no digit (「町田市五川学湖4」
                # for 町田市玉川学園4): its number put on a misread 町域's frame, neither the place nor a rival
                continue
            if found and not town and found[0][2][:2] == key[:2] and found[0][2][2] and not bare:
                # the best place's own municipality with a number right after it (「港区」 for 「港区白会台800」):
                # no rival where the frames read no digit in the 町域's place (``_place_again``)
                bare.append((-neg, text, key))
                continue
            if not any(k == key for _, _, k in found):
                found.append((-neg, text, key))
                if len(found) == 2:
                    break
        elif kind == 0:
            push([(text + cs, pref, city, "") for city in data.cities(pref) for cs in city_spellings(city)], False)
        else:
            towns = [(text + ts, pref, city, town) for town in data.towns(pref, city) for ts in town_spellings(town)]
            towns.append((text, pref, city, ""))  # a number right after the municipality
            push(towns, full=True)
    if not found:
        return None
    top, text, key = found[0]
    margin = top - found[1][0] if len(found) > 1 else 0.0 if capped else float("inf")
    bare_margin = top - bare[0][0] if bare else float("inf")
    slots = slots_of(text, True, key[2])
    got = score(lp, [slots], head_max, lim(len(slots)))[0]
    frames = trace(lp, slots, head_max, got.end)
    if frames is None:
        return None
    chosen = [scorer.output(probs, f, s) for f, s in zip(frames[:-1], slots, strict=False)]
    second = found[1][1] if len(found) > 1 else ""
    text = "".join(ch for ch, _ in chosen)
    seen = min(p for _, p in chosen)
    return Match(text, key, frames[0][0], frames[-2][-1], free - got.score, margin, seen, second, bare_margin)


# -- the hook ------------------------------------------------------------------------------------------

_SCORERS: dict[int, Scorer] = {}


def _scorer(ocr: Any) -> Scorer | None:
    if id(ocr) not in _SCORERS:
        try:
            table = ocr.character_table()
        except AttributeError:  # another engine (Tesseract in the benchmark): no per-class probabilities
            return None
        _SCORERS[id(ocr)] = Scorer(table)
    return _SCORERS[id(ocr)]


Piece = tuple["np.ndarray | None", Any, int, int]  # a line's probabilities, its decoded Line, span start, end


def check_address(ocr: Any, reading: fp.FieldReading, pieces: Sequence[Piece]) -> fp.FieldReading:
    """The address ``reading`` (parsed from ``pieces``: each address line's probabilities, decoded line and span)
    with its place part read again against the list of places: repaired (flag ``repaired``), confirmed, or
    flagged ``unknown_place`` when it is in no entry of the list; and its block number and building read again
    by their grammar (``taimen.ocr.address_rest``). Unchanged without the list."""
    data = places()
    if data is None or reading.value is None:
        return reading
    read = reading.value
    text, frames, positions = _joined(pieces)
    scorer = _scorer(ocr) if frames is not None else None
    support = Support(frames, positions, scorer.slot if scorer is not None else None)
    rest, changed = address_rest.block_marks(text, support)
    rest, room = address_rest.room(rest, support)
    cut = address_rest.next_line(rest)
    repaired, removed = bool(changed or room), len(cut) < len(rest)
    if repaired or removed:
        again = fp.parse_address([(cut, reading.confidence)])
        if again.value is not None:
            reading, text = again, cut
            positions = positions[: len(text)]
    place, head, j, rival = _place_again(reading, text, frames, positions, scorer, data)
    if scorer is not None:  # the building's words first: a town's name after them is found after katakana
        text, changed = address_rest.kanji_kana(text, support, address_rest.loanwords())
        repaired |= bool(changed)
        text, changed = address_rest.building_words(text, support)
        repaired |= bool(changed)
        text, changed = address_rest.katakana_words(text, support, address_rest.loanwords())
        repaired |= bool(changed)
    if place is not None and place[2] and scorer is not None:
        read_as = text[max(0, j - len(place[2])) : j] if head is not None and j < len(text) else ""
        # the town as this card prints it (四条通, the list's 4条通): a building named after it repeats that form
        printed = next((t for t in town_spellings(place[2]) if t in text), place[2])
        text, changed = address_rest.town_in_building(text, printed, support, read_as)
        repaired |= bool(changed)
    whole, changed = address_rest.lost_me((head if head is not None else text[:j]) + text[j:])
    whole, lost = address_rest.lost_go(whole.rstrip())
    repaired |= bool(changed or lost)
    whole, changed = address_rest.lost_ban(whole, [dec.text[a:b] for _, dec, a, b in pieces[1:]])
    repaired |= bool(changed)
    if head is not None or repaired or removed:
        again = fp.parse_address([(whole, reading.confidence)])
        if again.value is not None:
            reasons = (*again.reasons, "neighbour_text_removed") if removed else again.reasons
            flags = (*again.flags, "repaired") if head is not None or repaired else again.flags
            reading = replace(again, flags=flags, reasons=reasons, extra={**again.extra, "read": read})
    if place is None:
        return replace(reading, reasons=(*reading.reasons, "unknown_place"))
    if rival is not None:
        extra = {**reading.extra, "rival": rival}
        if head is not None and reading.value.startswith(head):
            # the whole address as it reads with the other place, for comparing with the chip's
            extra["rival_address"] = rival + reading.value[len(head) :]
        return replace(reading, reasons=(*reading.reasons, "two_candidates"), extra=extra)
    return reading


#: A place read again from the frames: the list's (prefecture, municipality, 町域), what stands for ``text[:j]``,
#: ``j``, its margin over the next place and that place.
Choice = tuple[tuple[str, str, str], str, int, float, str]


def _place_again(
    reading: fp.FieldReading,
    text: str,
    frames: np.ndarray | None,
    positions: list[int],
    scorer: Scorer | None,
    data: Places,
) -> tuple[tuple[str, str, str] | None, str | None, int, str | None]:
    """The place the address starts with, and when it was read again: what stands for ``text[:j]`` (the place
    as the frames read it, or the address with its lost prefecture completed, ``j`` = len(text)), and the place
    it was chosen over when another came within ``MARGIN`` (None when it was clearly the best)."""
    assert reading.value is not None
    known = place_of(reading.value, data)
    if known is not None:
        # a place of the list as read: its path is the free reading itself, no other place can beat it
        return known, None, 0, None
    found, rival = _searched(reading, text, frames, positions, scorer, data)
    if found is not None:
        return (*found[:3], None)
    completed = with_prefecture(reading.value, data)
    if completed is not None:
        again = fp.parse_address([(completed, reading.confidence)])
        if again.value is not None:
            return place_of(completed, data), completed, len(text), None
    # the label read into the line's start as up to four other characters (住居地 → 「收的地」, 「国住地域」) before
    # a place read with slips: searched once more from further in
    found, rival_past = _searched(reading, text, frames, positions, scorer, data, past_label=True)
    if found is not None:
        return (*found[:3], None)
    # no place clearly best: the best of rivals the frames cannot tell apart (湊町 or 浜町, 豊田市 or 豊川市) is
    # proposed rather than the slips read, the other named (``two_candidates``); either way the operator decides
    chosen = max((r for r in (rival, rival_past) if r is not None), key=lambda r: r[3], default=None)
    if chosen is None:
        return None, None, 0, None
    return (*chosen[:3], chosen[4])


#: Places closer than e^TIE (10 %) are tied: the first of them is an accident of the search, and none is proposed.
TIE = 0.1

#: At most this many characters of a misread label may stand before the place (住居地 and a mark).
LABEL_RESIDUE = 4


def _searched(
    reading: fp.FieldReading,
    text: str,
    frames: np.ndarray | None,
    positions: list[int],
    scorer: Scorer | None,
    data: Places,
    *,
    past_label: bool = False,
) -> tuple[Choice | None, Choice | None]:
    """The place the frames read best (``best_place``) when the frames support it: as the first item when it is
    clearly the best (``MARGIN``), as the second when another place came within reach (or the search stopped
    before any other was scored). ``past_label``: searched from up to ``LABEL_RESIDUE`` characters in, what
    stands before the place a misread label's residue, not counted as the place's changes."""
    assert reading.value is not None
    if scorer is None or frames is None or not text:
        return None, None
    m = best_place(frames, positions, scorer, data, LABEL_RESIDUE if past_label else _HEAD_CHARS)
    if m is None:
        return None, None
    i0 = next((i for i, p in enumerate(positions) if p >= m.start), 0)
    j = next((i for i, p in enumerate(positions) if p > m.end), len(text))
    changes = _edits(fold(text[i0:j]), fold(m.text))
    # characters left out before it count, but not a label's residue: the place's own slips must pay
    changes += 0 if past_label else i0
    # its municipality with a block number right after it rivals a 町域 only where a digit was read there
    town_read = text[max(i0, j - len(m.place[2])) : j] if m.place[2] else ""
    bare = m.bare_margin if re.search(r"\d", town_read) or not town_read else float("inf")
    if m.gap > MAX_GAP * max(1, changes) or fold(reading.value).startswith(fold(m.text)):
        return None, None
    if fp.parse_address([(m.text + text[j:], reading.confidence)]).value is None:
        return None, None
    margin = min(m.margin, bare)
    if margin >= MARGIN:
        return (m.place, m.text, j, margin, ""), None
    if margin < TIE:  # a tie, or no other place scored before the search stopped: nothing to choose by
        return None, None
    if not known_place(m.text + text[j:], data):
        # what follows it ends no 町域 (「千葉県柏市明原」, then 「西3丁目」): not even an address of the list
        return None, None
    second = m.second if m.margin <= bare else "".join(m.place[:2])
    return None, (m.place, m.text, j, margin, second)


#: At most this many characters stand where a lost prefecture was printed (神奈川県, or a label's residue).
LOST_PREFECTURE = 4


def with_prefecture(text: str, data: Places) -> str | None:
    """An address whose prefecture was not read (cut off with the card's edge, or blurred into other characters:
    「千集眼船橋市…」) completed with the one prefecture whose list holds what follows: the fewest leading
    characters dropped, and only when exactly one prefecture fits (a 府中市 with a 町域 that both 東京都's and
    広島県's have: none); failing that, with the start of its municipality too (``_with_city_start``)."""
    if text.startswith(variants.PREFECTURES):
        return None
    index = data.folded_cities()
    for k in range(LOST_PREFECTURE + 1):
        rest = text[k:]
        head = fold(rest)
        prefs = {p for city, p in index if head.startswith(city)}
        fits = [p for p in sorted(prefs) if known_place(p + rest, data)]
        if fits:
            return fits[0] + rest if len(fits) == 1 else None
    return _with_city_start(text, data)


#: At most this many characters of a municipality's name may be lost with its prefecture (a finger over
#: 「福岡県北」 of 福岡県北九州市) …
LOST_CITY_START = 3
#: … and at least this many of it must be read.
CITY_TAIL = 2


def _with_city_start(text: str, data: Places) -> str | None:
    """An address that lost its prefecture and the start of its municipality (「九州市小倉北区京町…」) completed
    with the one municipality whose name ends with what was read and whose list holds what follows."""
    t = fold(text)
    fits = {head for tail, head in data.city_tails() if t.startswith(tail) and known_place(head + text, data)}
    return next(iter(fits)) + text if len(fits) == 1 else None


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (the characters a repair changes)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for k, cb in enumerate(b, 1):
            prev, row[k] = row[k], min(row[k] + 1, row[k - 1] + 1, prev + (ca != cb))
    return row[-1]


def _joined(pieces: Sequence[Piece]) -> tuple[str, np.ndarray | None, list[int]]:
    """The address lines' spans joined: text, frames and each character's frame in the joined frames."""
    texts: list[str] = []
    mats: list[np.ndarray] = []
    positions: list[int] = []
    offset = 0
    usable = True
    for probs, dec, start, end in pieces:
        texts.append(dec.text[start:end])
        if probs is None or not dec.positions or len(dec.positions) != len(dec.text):
            usable = False
            continue
        t0, t1 = span_frames(dec, start, end, probs.shape[0])
        mats.append(probs[t0:t1])
        positions += [offset + p - t0 for p in dec.positions[start:end]]
        offset += t1 - t0
    text = "".join(texts)
    if not usable or not mats or len(positions) != len(text):
        return text, None, []
    return text, np.concatenate(mats), positions
