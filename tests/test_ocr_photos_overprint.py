"""The photo benchmark's overprint accounting: a value the generator printed under another printed line is
measured from the boxes it printed, never from what the reader read (benchmarks/ocr/photos.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "ocr"))
photos = pytest.importorskip("photos")


def test_a_value_under_another_line_is_overprinted_and_the_label_beside_it_is_not() -> None:
    prints = [
        ("", (3.0, 29.0, 7.0, 31.0)),  # 生年月日 label: not a field
        ("birth_date", (10.5, 31.0, 40.0, 34.0)),  # jittered down onto the 性別 value
        ("sex", (11.0, 32.0, 14.0, 35.0)),
        ("name", (10.5, 7.8, 30.0, 11.8)),
    ]
    over = photos.print_overlap(prints)
    assert over["sex"] == pytest.approx(2 / 3, abs=0.01)  # two of its three millimetres under the birth date
    assert 0 < over["birth_date"] < 0.1
    assert "name" not in over


def test_lines_of_one_field_do_not_overprint_each_other() -> None:
    prints = [("address", (10.0, 14.0, 50.0, 17.2)), ("address", (10.0, 17.0, 30.0, 20.0))]
    assert photos.print_overlap(prints) == {}


def test_the_generator_records_every_line_it_prints(tmp_path: Path) -> None:
    """The boxes are the ones Card.put pasted: recovering a photo's layout gives each truth field a box, and
    the cached measure is the same as the computed one."""
    card, _, _ = photos._layout("tune", 3)
    fields = {f for f, _ in card.prints if f}
    assert fields == set(card.fields)
    assert len(card.prints) > len(card.fields)  # labels too
    assert photos.overprint("tune", 3, cache=tmp_path) == photos.print_overlap(card.prints)
    assert photos.overprint("tune", 3, cache=tmp_path) == photos.overprint("tune", 3, cache=tmp_path)
