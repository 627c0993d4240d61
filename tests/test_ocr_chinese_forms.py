"""Forms that simplified Chinese uses as its standard and Japanese replaced (卷/巻, 冲/沖): the recogniser,
trained mostly on Chinese, leans to them; a card prints the Japanese form."""

from __future__ import annotations

import pytest

from ocr_helpers import character_frames, ocr


@pytest.fixture(scope="module")
def e():
    return ocr()


@pytest.mark.parametrize(("chinese", "japanese", "text"), [("卷", "巻", "石巻市"), ("冲", "沖", "沖縄県")])
def test_the_chinese_standard_form_gives_way_to_the_japanese_one_and_stays_unsure(
    e, chinese: str, japanese: str, text: str
) -> None:
    """An address 「…石巻…」 was read 石卷 and proposed without doubt (held-out split, session 4)."""
    chars = [{ch: 0.98} for ch in text]
    k = text.index(japanese)
    chars[k] = {chinese: 0.85, japanese: 0.13}
    line = e.decode(character_frames(e, chars))
    assert line.text == text
    assert line.char_confidences[k] < 0.9  # the model's own confidence: the field stays doubtful
