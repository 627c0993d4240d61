"""An unsure unlock field read again from several crops of its place and put to a vote (taimen.ocr.reread,
taimen.ocr.fieldread). The crops' readings are given by a stand-in recogniser (the real one's dictionary and
decoding): what is tested is which value the vote proposes and that it stays doubtful."""

from __future__ import annotations

import numpy as np
import pytest

from ocr_helpers import character_frames, ocr
from taimen.ocr import fieldread, recline, reread
from taimen.ocr.assign import TextLine
from taimen.ocr.engine import Engine, Line


@pytest.fixture(scope="module")
def e():
    return ocr()


class _Crops:
    """The real engine, except that each crop read again reads as the next of ``texts``."""

    def __init__(self, real: Engine, texts: list[str]) -> None:
        self.real, self.texts, self.calls = real, list(texts), 0

    def probabilities(self, crop: np.ndarray) -> np.ndarray:
        text = self.texts[self.calls % len(self.texts)]
        self.calls += 1
        return character_frames(self.real, [{ch: 0.97} for ch in text])

    def decode(self, probs: np.ndarray, charset: str | None = None) -> Line:
        return self.real.decode(probs, charset)

    def character_table(self) -> list[str]:
        return self.real.character_table()


def _code(e, texts: list[str]) -> tuple[fieldread.fp.FieldReading, int]:
    """The security code of a card whose code line first read 「1277」 with its 1 unsure (0.64), the crops read
    again reading ``texts``; and how many crops were read."""
    first = character_frames(e, [{"1": 0.64, "7": 0.3}, {"2": 0.97}, {"7": 0.97}, {"7": 0.97}])
    dec = e.decode(first, "any")
    crop = np.full((50, 90, 3), 255, np.uint8)
    expiry = "2032年3月30日まで有効"
    lines = [
        (TextLine(4, 37, 44, 42, expiry), character_frames(e, [{c: 0.99} for c in expiry])),
        (TextLine(75.5, 42.9, 82.8, 46.7, dec.text, dec.confidence), first),
    ]
    recs = []
    for tl, probs in lines:
        d = e.decode(probs, "any")
        recs.append(recline.RecLine(tl, probs, Line(d.text, d.confidence, d.char_confidences, d.positions), crop))
    card = np.full((648, 1027, 3), 255, np.uint8)  # blank: nothing else on the card is read again
    stand_in = _Crops(e, texts)
    got = fieldread.fields_from_lines("mynumber", recs, stand_in, card=card, ppm=12.0)["security_code"]
    return got, stand_in.calls


def test_a_code_most_crops_read_otherwise_takes_their_value_and_stays_doubtful(e) -> None:
    """tune-0359: 「7277」 under glare read 「1277」 (0.64); five of eight crops read 7277."""
    got, calls = _code(e, ["7277", "7277", "1277", "7277", "1277", "7277", "7277", "1271"])
    assert calls == len(reread.CROPS)
    assert got.value == "7277" and got.doubtful
    assert {"repaired", "two_candidates", "low_confidence"} <= set(got.reasons)


def test_a_code_the_crops_do_not_clearly_outvote_is_kept_as_first_read(e) -> None:
    got, _ = _code(e, ["7277", "7277", "1277", "7277", "1277", "1277", "1271", "1271"])  # 3 against 3
    assert got.value == "1277" and got.doubtful and "repaired" not in got.reasons
    got, _ = _code(e, ["7277", "1271", "7277", "7277", "1271", "7277", "1271", "1271"])  # a tie
    assert got.value == "1277"


def test_the_vote_wants_a_clear_majority_over_the_first_reading() -> None:
    assert reread.vote("1277", ["7277"] * 4 + ["1277"] * 2 + [None] * 2) == "7277"
    assert reread.vote("1277", ["7277"] * 4 + ["1277"] * 3 + [None]) is None
    assert reread.vote(None, ["7277"] * 4 + [None] * 4) == "7277"
    assert reread.vote("7277", ["7277"] * 8) is None  # the first reading stands
    assert reread.vote(None, ["7277"] * 3 + [None] * 5) is None


def test_crops_are_no_longer_read_once_the_vote_is_settled(e) -> None:
    """Most unsure fields were read right: when the first crops agree with the first reading, the rest of them
    cannot outvote it and are not read (the re-read is paid where it can change something)."""
    got, calls = _code(e, ["1277"] * 8)
    assert got.value == "1277" and 0 < calls < len(reread.CROPS)
    assert reread.settled("1277", ["1277", "1277", "1277", None], 4)
    assert not reread.settled("1277", ["1277", "7277", "7277", None], 4)
    assert not reread.settled(None, [None, None], 6)
