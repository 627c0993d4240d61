"""The rest of an address after its place: the block number (丁目・番・号, 番地) and the building (name, room),
read again where the recogniser slipped.

The place part is checked against the list of places (``taimen.ocr.places``); what follows has no list, but it
has a grammar and one strong habit:

- **Block numbers** are digits joined by a few marks only: 「14番地23」, 「9丁目8番8号」. A mark between digits
  that is none of them (「2264委地12」, 「9丁目8香8号」) is the one the grammar needs (番), and a Latin letter in
  a run of digits (「番地I1」) is the digit it looks like.
- **Rooms** end in 号室: 「1104号窯。」 is 「1104号室」.
- **Buildings are often named after their 町域** (「メゾン赤坂」 in 赤坂): a word of the building that is the
  town's name with a slip (「メソン赤版」, 「コーポ大急」 after 大島) is the town's name.
- **Building words are loanwords** (メゾン, コーポ, ヴィラ): a katakana word of the building that is in no list
  of loanwords but one dakuten, handakuten or small kana away from one (「コーボ」, 「ヴイラ」) is that word.
  A few words name most apartment houses: one of them with one slip (「メソン」, a listed loanword; 「コー求」)
  is that word.
- **The long-vowel mark** ー is read as a dash (「コ-ポ」, 「シャト－」) or as the kanji 一 (「コ一ポ」): inside a
  katakana word, or ending one before the town's name, it is ー; one before a room number only when the word
  it ends is a loanword (「シャト-101号室」), since 「ハイツ-101」 may be a dash form.
- **Text of the next line** (the start of 「令和…」 or 「交付」, 「在留資格」) after a complete block number is cut off.

A character is changed only where the recogniser's frames give it some probability (``SUPPORT``), except where
the grammar admits nothing else (a mark between digits before 地 is 番). Every change flags the field
``repaired`` (and a cut ``neighbour_text_removed``): a repair is a proposal the operator confirms, never a sure
value.
"""

from __future__ import annotations

import functools
import gzip
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from taimen.ocr.ctc import Support

#: A changed character must have at least this probability in its frames (the recogniser considered it) …
SUPPORT = 0.01
#: … or, in a town's name of three characters or more with one character changed, at least this.
SUPPORT_LONG = 1e-4

_DIGIT = r"[0-9０-９]"
#: Marks a block number may be printed with between its numbers.
_JOINS = "番丁目地号の-ー－−"
#: Latin letters the recogniser gives for a digit.
_LOOKALIKE = {"I": "1", "l": "1", "|": "1", "!": "1", "O": "0", "o": "0"}
#: Labels and starts of dates on the line below an address (licence: 交付 and its date; residence card: 在留資格).
_NEXT_LINE = ("令和", "平成", "昭和", "交付", "在留資格", "有効")
_ERAS = ("令和", "平成", "昭和")


#: Katakana loanwords (UniDic's nouns of foreign origin written in katakana; ``scripts/build_names.py``).
KATAKANA = Path(__file__).with_name("data") / "katakana.txt.gz"
#: A loanword read again must be supported this many times more than the next one.
CLEAR = 4.0
#: Katakana the recogniser confuses: the same kana with and without (han)dakuten, and large and small kana.
_LOOK_ALIKE_KANA = [
    "カガ",
    "キギ",
    "クグ",
    "ケゲヶ",
    "コゴ",
    "サザ",
    "シジ",
    "スズ",
    "セゼ",
    "ソゾ",
    "タダ",
    "チヂ",
    "ツヅッ",
    "テデ",
    "トド",
    "ハバパ",
    "ヒビピ",
    "フブプ",
    "ヘベペ",
    "ホボポ",
    "ウヴゥ",
    "アァ",
    "イィ",
    "エェ",
    "オォ",
    "ヤャ",
    "ユュ",
    "ヨョ",
    "ワヮ",
]
_KANA_GROUP = {ch: g for g in _LOOK_ALIKE_KANA for ch in g}

#: What the recogniser reads for the long-vowel mark ー (NFKC has already folded its full-width and half-width
#: forms): the kanji 一, drawn as the same bar, and dashes.
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_BAR = f"[一{_DASHES}]"


def long_vowels(text: str) -> str:
    """``text`` with each bar read after katakana (一 or a dash) written as the long-vowel mark ー where it must be
    one: 一 anywhere but before 番, 丁 or 条, where it is a numeral (「ハイツ一番町」); a dash before katakana or a
    kanji (「コ-ポ」, 「シャト-阿知」), and before a digit only when the word it ends is a loanword
    (「シャト-101号室」: 「ハイツ-101」 may be a dash form)."""
    out = list(text)
    for m in re.finditer(rf"(?<=[ァ-ヺー])({_BAR})(?=(.?))", text):
        bar, after = m.group(1), m.group(2)
        if after in ("番", "丁", "条"):
            continue
        if bar != "一" and re.match(r"[0-9０-９]", after):
            word = re.search(r"[ァ-ヺー]+$", "".join(out[: m.start(1)]))
            if word is None or word.group() + "ー" not in (BUILDING_WORDS | loanwords()):
                continue
        out[m.start(1)] = "ー"
    return "".join(out)


_lock = threading.Lock()
_words: list[frozenset[str]] = []


def loanwords() -> frozenset[str]:
    """The katakana loanwords, read once on first use (empty without the file or with TAIMEN_OCR_NAMES=0)."""
    with _lock:
        if not _words:
            off = os.environ.get("TAIMEN_OCR_NAMES", "1") == "0" or not KATAKANA.is_file()
            text = "" if off else gzip.decompress(KATAKANA.read_bytes()).decode("utf-8")
            _words.append(frozenset(text.split()))
        return _words[0]


@dataclass(frozen=True, slots=True)
class Rest:
    text: str  # the whole address as read, repaired
    changed: int  # characters changed
    cut: bool  # text of the next line cut off its end


def block_marks(text: str, support: Support) -> tuple[str, int]:
    """Marks between a block number's digits that the grammar forbids, read as the ones it needs."""
    chars = list(text)
    changed = 0
    for m in re.finditer(rf"(?<={_DIGIT})([^\d{_JOINS}\s])(?=地{_DIGIT})", text):  # 2264委地12
        chars[m.start(1)] = "番"
        changed += 1
    for m in re.finditer(rf"(?<={_DIGIT})([^\d{_JOINS}\s])(?={_DIGIT}+号)", text):  # 8香8号
        # after 丁目's number (「3丁目10表28号」) 住居表示 prints nothing but 番 there, whatever the frames say
        if _after_chome(text, m.start(1)) or support(m.start(1), "番") >= SUPPORT:
            chars[m.start(1)] = "番"
            changed += 1
    # 番地's number ends the address with no 号 (that is 住居表示's 番…号): a 号 read there is its last digit
    # (「…24番地3号」 for 番地37), the one the frames give most
    if (m := re.search(rf"番地{_DIGIT}+(号)\s*$", text)) is not None:
        digit = max("0123456789", key=lambda d: support(m.start(1), d))
        if support(m.start(1), digit) >= SUPPORT:
            chars[m.start(1)] = digit
            changed += 1
    for m in re.finditer(rf"{_DIGIT}\s*丁\s*([^\d目\s])(?=\s*{_DIGIT})", text):  # 2丁口9番, 「9 丁日21番」
        chars[m.start(1)] = "目"
        changed += 1
    # 9于目21番: 目 after a number is 丁目's
    for m in re.finditer(rf"{_DIGIT}\s*([^\d\s{re.escape(_JOINS)}])\s*目(?=\s*{_DIGIT})", text):
        chars[m.start(1)] = "丁"
        changed += 1
    # a kanji zero among a block or room number's digits (「1〇〇1号室」): a card prints its numbers in one script
    for m in re.finditer(rf"{_DIGIT}*〇[〇0-9０-９]*", text):
        if re.search(_DIGIT, m.group()) and _after_place(text, m.start()):
            for k in range(m.start(), m.end()):
                if chars[k] == "〇":
                    chars[k] = "0"
                    changed += 1
    for m in re.finditer(rf"(?<=[番地号丁目0-9０-９])([{re.escape(''.join(_LOOKALIKE))}])(?={_DIGIT})", text):
        if _after_place(text, m.start(1)) and support(m.start(1), _LOOKALIKE[m.group(1)]) >= SUPPORT:
            chars[m.start(1)] = _LOOKALIKE[m.group(1)]
            changed += 1
    # two other marks between a number and the next number before 番 or 号 are 丁目 (「5TH10番地26」), when the
    # frames give the word some support: one of its characters SUPPORT, the other at least SUPPORT_LONG
    for m in re.finditer(rf"(?<={_DIGIT})([^\d{_JOINS}\s]{{2}})(?={_DIGIT}+[番号])", "".join(chars)):
        both = support(m.start(1), "丁"), support(m.start(1) + 1, "目")
        if max(both) >= SUPPORT and min(both) >= SUPPORT_LONG:
            chars[m.start(1) : m.end(1)] = "丁目"
            changed += 2
    return "".join(chars), changed


def lost_me(text: str) -> tuple[str, int]:
    """「6丁21番地」: 目 lost between a number's 丁 and the next number (its frames merged into 丁's, or washed out)
    put back, since the grammar has only 丁目 there. Done last (it lengthens the text the frames were read for)."""
    return re.subn(rf"(?<={_DIGIT})(\s*丁)(?=\s*{_DIGIT})", r"\1目", text)


def lost_go(text: str) -> tuple[str, int]:
    """「…12番35」 ending the address: 住居表示 prints 「…番35号」, and the line's last character, 号, was lost (washed
    out at the line's end); put back. The value stays a proposal: more than 号 may have been lost."""
    return re.subn(rf"(?<={_DIGIT}番)({_DIGIT}{{1,3}})$", r"\1号", text)


def lost_ban(text: str, lines: Sequence[str]) -> tuple[str, int]:
    """「…7丁目28」 and 「4号」 on the next line (dev-0639: a faint 番 at the first line's end the recogniser gave no
    weight): after 丁目's number 住居表示 prints 番 before the number that ends in 号, so where a line ending in
    丁目's number is followed by a line starting with a number and 号 (``lines``: the address's lines after the
    first, as read), 番 is put back at the break."""
    for line in lines:
        head = re.match(rf"\s*{_DIGIT}+号", line)
        if head is None:
            continue
        at = text.rfind(line.strip())
        if at > 0 and re.search(rf"丁目\s*{_DIGIT}+\s*$", text[:at]):
            return text[:at].rstrip() + "番" + text[at:], 1
    return text, 0


def _after_chome(text: str, i: int) -> bool:
    """Whether position ``i`` follows 丁目 (its 目 maybe misread: 「3丁R18」) and its block's number."""
    return re.search(rf"丁[^\d\s]\s*{_DIGIT}+$", text[:i]) is not None


def _after_place(text: str, i: int) -> bool:
    """Whether position ``i`` is in the block number or building (after the first 番/丁目 of the address)."""
    m = re.search(r"[番丁]", text)
    return m is not None and m.start() < i + 2


def room(text: str, support: Support) -> tuple[str, int]:
    """A room number whose 室 was misread (「1104号窯。」): 号室, when the frames give 室 some probability."""
    m = re.search(rf"(?<=[ァ-ヺー])[^\d]*?{_DIGIT}+号([^室\d\s])[。.、,]?$", text)
    if m and support(m.start(1), "室") >= SUPPORT:
        return text[: m.start(1)] + "室", 1
    return text, 0


def next_line(text: str) -> str:
    """``text`` with the start of the next line's label or date cut off its end (「…27号会和0」), when it comes
    right after a complete block number (号, or 番地 and a number) and with at most one slip per two characters."""
    m = re.search(rf"(?:{_DIGIT}号|番地{_DIGIT}+)(?=\D)", text)
    if not m:
        return text
    tail = text[m.end() :]
    if re.search(r"[ァ-ヺ]", tail):  # a building
        return text
    for label in _NEXT_LINE:
        head, more = tail[: len(label)], tail[len(label) :]
        if len(head) < 2 or _slips(head, label[: len(head)]) > len(head) // 2:
            continue
        # an era is followed by its year (「令和0」), a label by at most one mark (平和荘 is a building)
        if re.match(r"(?:[0-9０-９元].*)?$", more) if label in _ERAS else len(more) <= 1:
            return text[: m.end()]
    return text


def _slips(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=False)) + abs(len(a) - len(b))


def town_in_building(text: str, town: str, support: Support, read_as: str = "") -> tuple[str, int]:
    """The building's words that are ``town`` (its 町域) with a slip, read as the town: at most one character
    in three changed, each one supported by the frames, and the word standing after a building word (katakana)
    and before the room number or the end. A word that is the town exactly as its place part was misread
    (``read_as``: 「淡町」 for 湊町 on both lines) is the same print read the same way, and needs less support."""
    n = len(town)
    if n < 2:
        return text, 0
    start = re.search(rf"{_DIGIT}[^ァ-ヺ]*?(?=[ァ-ヺ])", text)
    if not start:
        return text, 0
    norm = re.sub(rf"(?<=[ァ-ヺー]){_BAR}", "ー", text)  # a bar after katakana is the long-vowel mark (「シャト一」)
    chars = list(text)
    changed = 0
    for i in range(start.end(), len(text) - n + 1):
        window = text[i : i + n]
        if window == town or not re.match(r"[ァ-ヺー]", norm[i - 1]) or re.search(r"[\d０-９ァ-ヺー]", window):
            continue
        after = text[i + n : i + n + 1]
        if after and not re.match(rf"{_DIGIT}|[\s号室]", after):
            continue
        diff = [k for k in range(n) if window[k] != town[k]]
        # a slip the place part has too (「小板本街」 and 「小妖本街」 for 小坂本町: 町 read 街 twice) is the same glyph
        # read the same way, which the list of places already read as the town's: it needs less support
        same = [k for k in diff if len(read_as) == n and window[k] == read_as[k]]
        other = [k for k in diff if k not in same]
        if not diff or len(other) * 3 > n + 1:  # one of two or three, two of four or five …
            continue
        floor = SUPPORT_LONG if (n >= 3 and len(other) == 1) or window == read_as else SUPPORT
        if all(support(i + k, town[k]) >= (SUPPORT_LONG if k in same else floor) for k in diff):
            for k in diff:
                chars[i + k] = town[k]
            changed += len(diff)
    return "".join(chars), changed


def katakana_words(text: str, support: Support, words: frozenset[str]) -> tuple[str, int]:
    """The building's katakana words in no list of loanwords read as the listed word one look-alike kana away
    (「コーボ」 → コーポ, 「ヴイラ」 → ヴィラ), when the frames give that kana ``SUPPORT`` and ``CLEAR`` times
    what they give any other such word."""
    start = re.search(rf"{_DIGIT}[^ァ-ヺ]*?(?=[ァ-ヺ])", text)
    if not start or not words:
        return text, 0
    chars = list(text)
    changed = 0
    for m in re.finditer(rf"[ァ-ヺ](?:[ァ-ヺー]|{_BAR})+", text[start.end() :]):
        i0 = start.end() + m.start()
        word = re.sub(rf"(?<=[ァ-ヺー]){_BAR}", "ー", m.group())  # a bar after katakana is the long-vowel mark
        if word in words:
            continue
        scored = []
        for k, ch in enumerate(word):
            for alt in _KANA_GROUP.get(ch, ""):
                cand = word[:k] + alt + word[k + 1 :]
                if alt != ch and cand in words and (s := support(i0 + k, alt)) >= SUPPORT:
                    scored.append((s, k, alt))
        scored.sort(reverse=True)
        if scored and (len(scored) == 1 or scored[0][0] >= CLEAR * scored[1][0]):
            _, k, alt = scored[0]
            chars[i0 + k] = alt
            changed += 1
    return "".join(chars), changed


#: Words most apartment houses are named with (「メゾン赤坂」, 「コーポ大島」): ranked above other loanwords in a
#: building's name, so 「メソン」 (a meson) is メゾン there.
BUILDING_WORDS = frozenset(
    {
        *("メゾン", "コーポ", "ハイツ", "ハイム", "ヴィラ", "シャトー", "パレス", "レジデンス", "マンション"),
        *("ガーデン", "テラス", "コート", "ハウス", "グラン", "プラザ", "パーク", "タワー", "ヒルズ", "ロイヤル"),
    }
)
_KANA = r"[ァ-ヺー]"


def building_words(text: str, support: Support) -> tuple[str, int]:
    """A word of the building one slip away from a word of ``BUILDING_WORDS``, read as that word: the slip a
    look-alike kana (ソ for ゾ) or a kanji (「コー求」 for コーポ), the word's own kana supported ``SUPPORT`` by
    the frames there and ``CLEAR`` times more than any other such word's, the word standing alone (no katakana
    on either side)."""
    # from the block number's last digit: the word's first kana may be read as a kanji (「八イム」 for ハイム)
    start = re.search(rf"{_DIGIT}(?=[^ァ-ヺ]*?[ァ-ヺ])", text)
    if not start:
        return text, 0
    norm = re.sub(rf"(?<=[ァ-ヺー]){_BAR}", "ー", text)  # a bar after katakana is the long-vowel mark
    chars = list(text)
    changed = 0
    for i in range(start.end(), len(text)):
        if i and re.match(_KANA, norm[i - 1]):
            continue
        scored = []
        for word in BUILDING_WORDS:
            window, end = norm[i : i + len(word)], i + len(word)
            if len(window) < len(word) or window in BUILDING_WORDS:
                continue
            if end < len(norm) and re.match(_KANA, norm[end]):
                continue
            diff = [k for k in range(len(word)) if window[k] != word[k]]
            if len(diff) != 1:
                continue
            k = diff[0]
            slip = window[k]
            kanji = not re.match(r"[ァ-ヺー0-9０-９]", slip)
            look_alike = slip in _KANA_GROUP.get(word[k], "") or kanji
            # a kanji after the word's own kana (「コー水」): the kana were read, the word is spelled out but for
            # the one glyph, which needs only the support a town's one slip does (``town_in_building``)
            floor = SUPPORT_LONG if kanji and k > 0 and len(word) >= 3 else SUPPORT
            if look_alike and (s := support(i + k, word[k])) >= floor:
                scored.append((s, word))
        scored.sort(reverse=True)
        if scored and (len(scored) == 1 or scored[0][0] >= CLEAR * scored[1][0]):
            word = scored[0][1]
            chars[i : i + len(word)] = word
            changed += 1
    return "".join(chars), changed


#: Kanji (and hiragana) drawn like a katakana, which the recogniser gives for it in a building's name (「力一サ」
#: for カーサ, 「卜」 for ト): the kana each stands for.
_KANJI_KANA = {
    "力": "カ", "一": "ー", "卜": "ト", "口": "ロ", "工": "エ", "夕": "タ", "二": "ニ", "八": "ハ",
    "才": "オ", "千": "チ", "三": "ミ", "又": "ヌ", "へ": "ヘ", "り": "リ", **{d: "ー" for d in _DASHES},
}  # fmt: skip
_RUN = re.compile(rf"(?:[ァ-ヺー]|[{''.join(_KANJI_KANA)}])+")


def kanji_kana(text: str, support: Support, words: frozenset[str]) -> tuple[str, int]:
    """The building's first word read with kanji drawn like its katakana (「力一サ」): where the word begins the
    building (right after the block number's digit or 号, or a space), holds katakana, and with its look-alikes read as
    the kana is a loanword or a building word while as read it is none, each changed character (but a bar after a
    kana) given ``SUPPORT`` by the frames; the longest such word from the run's start (a town's kanji may follow:
    「カーサ千住」). The kanji right after the run may be one of the word's kana read as another character
    (「力一秒」 for カーサ, 「エス子一ト」 for エステート), when one kana makes the word and the frames give it
    ``SUPPORT_LONG`` and ``CLEAR`` times any other kana that does (a kanji after the word's own kana, as in
    ``building_words``)."""
    start = re.search(rf"{_DIGIT}", text)  # the block number: a building follows it
    if not start or not words:
        return text, 0
    known = _with_building_words(words)
    for m in _RUN.finditer(text, start.end()):
        i0, run = m.start(), m.group()
        if not re.match(rf"{_DIGIT}|[\s号]", text[i0 - 1]):
            continue
        mapped = "".join(_KANJI_KANA.get(ch, ch) for ch in run)
        # two look-alikes and the kana the next kanji stands for (「力一秒」): kana enough to be a word's
        # the kanji may stand inside the word, the rest of it read as kana or look-alikes (「エス子一ト」)
        rest = _RUN.match(text, m.end() + 1)
        more = rest.group() if rest else ""
        tail = "".join(_KANJI_KANA.get(ch, ch) for ch in more)
        last = _last_kana(text, m.end(), mapped, tail, support, known) if len(run) >= 2 else ""
        if last and _supported(run, mapped, i0, support) and _supported(more, tail, m.end() + 1, support, True):
            end = m.end() + 1 + len(more)
            return text[:i0] + mapped + last + tail + text[end:], _changes(run + more, mapped + tail) + 1
        if not re.search(r"[ァ-ヺ]", run):
            continue
        for end in range(len(run), 1, -1):
            if end < len(run) and re.match(r"[ァ-ヺー]", run[end]):
                continue  # the word would end inside katakana
            word = mapped[:end]
            # bars after kana alone are the parse's to write as ー (``long_vowels``): nothing to repair
            plain = re.sub(rf"(?<=[ァ-ヺー]){_BAR}", "ー", run[:end])
            if plain == word or run[:end] in known or word not in known:
                continue
            if _supported(run[:end], word, i0, support):
                return text[:i0] + word + text[i0 + end :], _changes(run[:end], word)
            break
        break  # only the building's first word
    return text, 0


@functools.lru_cache(maxsize=2)
def _with_building_words(words: frozenset[str]) -> frozenset[str]:
    """``words`` and ``BUILDING_WORDS``: built once per list (33 000 words: 0.6 ms a copy), not per address."""
    return words | BUILDING_WORDS


def _changes(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=False))


def _supported(run: str, word: str, i0: int, support: Support, after_kana: bool = False) -> bool:
    """Whether the frames give each kana ``run`` is read as (``word``) ``SUPPORT``; a bar after a kana (also at
    the start, ``after_kana``) is the long-vowel mark whatever they say (``long_vowels``)."""
    diff = [k for k in range(len(run)) if run[k] != word[k] and not ((k or after_kana) and word[k] == "ー")]
    return all(support(i0 + k, word[k]) >= SUPPORT for k in diff)


def _last_kana(text: str, i: int, head: str, tail: str, support: Support, known: frozenset[str]) -> str:
    """The kana the kanji at ``i`` stands for in the loanword ``head`` + it + ``tail``, or ""."""
    if i >= len(text) or not re.match(r"[\u4e00-\u9fff]", text[i]) or text[i] in _KANJI_KANA:
        return ""
    scored = sorted(((support(i, k), k) for k in _KANA_ALL if head + k + tail in known), reverse=True)
    if not scored or scored[0][0] < SUPPORT_LONG or (len(scored) > 1 and scored[0][0] < CLEAR * scored[1][0]):
        return ""
    return scored[0][1]


_KANA_ALL = [chr(c) for c in range(0x30A1, 0x30FB)]
