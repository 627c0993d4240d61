"""A driving licence's date rules (taimen.ocr.license_dates), the licence number's twelve digits and the
residence card number cut short (taimen.ocr.near_label). Each case is a failure seen on the tuning split of
the photo benchmark, on synthetic probabilities over the real recogniser's dictionary, synthetic line lists or
a synthetic card image; every value a rule makes must be flagged doubtful."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from ocr_helpers import ocr
from taimen.ocr import fields as fp
from taimen.ocr import recline, repair
from taimen.ocr.assign import TextLine
from taimen.ocr.engine import Line


@pytest.fixture(scope="module")
def e():
    return ocr()


def _probs(e, frames: list[dict[str, float]]) -> np.ndarray:
    table = e.character_table()
    index = {ch: i for i, ch in enumerate(table) if i}
    p = np.zeros((len(frames), len(table)), np.float32)
    for t, classes in enumerate(frames):
        for ch, v in classes.items():
            p[t, 0 if ch == "" else index[ch]] = v
    return p


def _spelled(text: str, sure: float = 0.97) -> list[dict[str, float]]:
    frames: list[dict[str, float]] = [{"": 1.0}]
    for ch in text:
        frames += [{ch: sure, "": 1 - sure}, {"": 1.0}]
    return frames


def _rec(e, frames: list[dict[str, float]], box: tuple[float, float, float, float]) -> recline.RecLine:
    probs = _probs(e, frames)
    dec = e.decode(probs)
    tl = TextLine(*box, dec.text, dec.confidence)
    line = Line(dec.text, dec.confidence, dec.char_confidences, dec.positions)
    return recline.RecLine(tl, probs, line, np.full((20, 80, 3), 255, np.uint8))


def _reading(key: str, d: date | None, conf: float = 0.99, reasons: tuple[str, ...] = (), text: str = "x"):
    return fp.FieldReading(key, d.isoformat() if d else None, text, conf, date=d, reasons=reasons)


# -- decoding within bounds, on real dictionary classes --------------------------------------------------------


def test_a_date_decoded_within_bounds_takes_the_year_the_bounds_allow(e) -> None:
    """A third digit the frames give 1 more than 2: 2016 read freely, 2026 within the six years before 2029."""
    frames = _spelled("2016年06月22日")
    frames[5] = {"1": 0.55, "2": 0.4, "": 0.05}
    rep = repair.DateRepair(e.character_table())
    probs = _probs(e, frames)
    assert rep.decode(probs, "issue_date").text == "2016年06月22日"
    got = rep.decode(probs, "issue_date", within=(date(2023, 6, 10), date(2029, 6, 10)))
    assert got is not None and got.text == "2026年06月22日"
    assert rep.decode(probs, "issue_date", within=(date(2000, 1, 1), date(2005, 12, 31))) is None


def test_an_era_year_past_the_era_is_not_read_when_the_month_and_day_are_bound(e) -> None:
    """「昭和66年」 (no such year): on the birthdays an expiry allows, the frames' other reading of the digit."""
    frames = _spelled("昭和66年12月27日")
    frames[5] = {"6": 0.6, "5": 0.35, "": 0.05}
    rep = repair.DateRepair(e.character_table())
    got = rep.decode(_probs(e, frames), "birth_date", mds=[(12, 27), (12, 26), (12, 28)])
    assert got is not None and got.text == "昭和56年12月27日"
