"""The MRZ read from a photo of the data page: constrained decoding, doubt, check digits (never silently
fixed), the CLI's proposals and ``--read`` after confirmation, and no key field in any output."""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from taimen.cli import main
from taimen.emulator.image import save_card
from taimen.face import degrade
from taimen.face.passport import render
from taimen.ocr import mrz_photo as mp
from taimen.passport.mrz import check_digit
from taimen.samples import passport_cards as pc

YAMADA = pc.PERSONS["yamada"]
LINE1, LINE2 = pc.mrz_lines(YAMADA)


def _probs(text: str, *, frames: int = 3, soft: dict[int, dict[str, float]] | None = None) -> np.ndarray:
    """Per-frame probabilities (blank + ALPHABET) of a clean line: each character for ``frames`` frames, then a
    blank; ``soft[k]`` replaces character k's distribution."""
    rows = []
    for k, ch in enumerate(text):
        dist = (soft or {}).get(k, {ch: 0.98})
        row = np.full(1 + len(mp.ALPHABET), 1e-4)
        for c, v in dist.items():
            row[1 + mp.ALPHABET.index(c)] = v
        rows += [row] * frames
        blank = np.full(1 + len(mp.ALPHABET), 1e-4)
        blank[0] = 0.98
        rows.append(blank)
    return np.array(rows)


def test_clean_line_decodes_exactly_and_confidently() -> None:
    line = mp.decode_line(_probs(LINE2), mp._GRAMMAR[2])
    assert line.text == LINE2 and line.greedy_length == 44
    assert min(c.p for c in line.chars) > 0.9 and not any(c.repaired for c in line.chars)


def test_filler_runs_need_the_blank_between_repeats() -> None:
    line = mp.decode_line(_probs(LINE1), mp._GRAMMAR[1])
    assert line.text == LINE1


def test_grammar_turns_O_into_0_in_a_date_and_says_so() -> None:
    k = 15  # inside the birth date
    soft = {k: {"O": 0.6, LINE2[k]: 0.35}} if LINE2[k] == "0" else {k: {"O": 0.6, "0": 0.35}}
    line = mp.decode_line(_probs(LINE2, soft=soft), mp._GRAMMAR[2])
    assert line.text[k].isdigit() and line.chars[k].repaired


def _line(text: str, doubtful: dict[int, tuple[float, str]]) -> mp.LineRead:
    chars = []
    for k, ch in enumerate(text):
        if k in doubtful:
            p, alt = doubtful[k]
            chars.append(mp.CharRead(ch, p, ((alt, 0.3),), False))
        else:
            chars.append(mp.CharRead(ch, 0.99, (), False))
    return mp.LineRead(tuple(chars), 44, -0.1)


def _wrong_digit(text: str, k: int) -> str:
    return text[:k] + str((int(text[k]) + 1) % 10) + text[k + 1 :]


def test_confident_wrong_check_digit_is_flagged_never_fixed() -> None:
    bad = _wrong_digit(LINE2, 19)  # the birth date's check digit, read confidently
    res = _result(_line(bad, {}))
    birth = res.unlock["birth"]
    assert birth.value == YAMADA.birth and "check_digit" in birth.reasons and birth.doubtful


def test_doubtful_character_chosen_by_check_digit_is_flagged() -> None:
    k = 16  # a birth-date digit read wrongly but doubtfully; the right one is its next-best reading
    bad = _wrong_digit(LINE2, k)
    res = _result(_line(bad, {k: (0.55, LINE2[k])}))
    birth = res.unlock["birth"]
    assert birth.value == YAMADA.birth
    assert "chosen_by_check_digit" in birth.reasons and birth.doubtful
    other = res.unlock["document_number"]
    assert other.value == YAMADA.number and not other.doubtful


def test_no_choice_when_two_alternatives_pass() -> None:
    # two doubtful characters whose alternatives compensate in every check digit cannot both be chosen:
    # with a single doubtful filler in the optional field no check digit of the key changes, nothing is chosen
    k = 30
    res = _result(_line(LINE2, {k: (0.5, "A")}))
    assert res.unlock["document_number"].value == YAMADA.number
    assert not any("chosen_by_check_digit" in u.reasons for u in res.unlock.values())


def _result(l2: mp.LineRead):
    l1 = mp.decode_line(_probs(LINE1), mp._GRAMMAR[1])
    original = mp._find
    mp._find = lambda img, ocr, classes: (l1, l2, np.zeros((8, 2), np.float32))  # type: ignore[assignment]
    try:
        return mp.read_mrz_image(np.zeros((10, 10, 3), np.uint8), ocr=_NoEngine())  # type: ignore[arg-type]
    finally:
        mp._find = original  # type: ignore[assignment]


class _NoEngine:
    def character_table(self) -> list[str]:
        return ["blank", *mp.ALPHABET]


def test_check_digits_of_the_sample() -> None:
    assert mp.failed_checks(LINE2) == []
    assert LINE2[9] == check_digit(LINE2[:9])


# -- photos through the real engine ----------------------------------------------------------------------------


def _photo(seed: int) -> bytes:
    rng = random.Random(seed)
    params = degrade.random_params(rng)
    params = degrade.PhotoParams(**{**params.to_json(), "glare": (), "blur": 0.5, "motion": 0.0,
                                    "card_frac": 0.8, "jpeg_quality": 85})  # fmt: skip
    return degrade.photograph(render(YAMADA), params).jpeg


@pytest.fixture(scope="module")
def page_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mrz") / "page.jpg"
    path.write_bytes(_photo(5))
    return path


def test_photo_proposes_the_three_key_values(page_photo: Path) -> None:
    res = mp.read_mrz_photo(page_photo.read_bytes())
    got = {k: res.unlock[k].value for k in ("document_number", "birth", "expiry")}
    assert got == {"document_number": YAMADA.number, "birth": YAMADA.birth, "expiry": YAMADA.expiry}
    assert res.unlock_for_document() == got
    doc = json.dumps(res.to_json())
    for secret in (YAMADA.number, YAMADA.birth, YAMADA.expiry, LINE2[:10]):
        assert secret not in doc
    assert res.to_json()["unlock"]["birth"]["redacted"] is True


def test_photo_without_mrz_is_not_found() -> None:
    blank = degrade.photograph(render(YAMADA).crop((0, 0, 1000, 700)), degrade.random_params(random.Random(2))).jpeg
    res = mp.read_mrz_photo(blank)
    assert all(u.value is None and u.doubtful for u in res.unlock.values())
    assert res.problems


def test_cli_json_has_no_key_field(page_photo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ocr", str(page_photo), "--document", "passport", "--json"]) == 0
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert data["document"] == "passport" and data["proposal"] is True
    for secret in (YAMADA.number, YAMADA.birth, YAMADA.expiry):
        assert secret not in out.out and secret not in out.err


def test_cli_read_after_confirmation(
    page_photo: Path, passport_trust: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    image = tmp_path / "pp.json"
    save_card(pc.sample("yamada").card(), image)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n\n\n"))  # the operator accepts the three proposals
    rc = main(["ocr", str(page_photo), "--document", "passport", "--read", "--card-image", str(image),
               "--trust-dir", str(passport_trust), "--json", "--no-progress"])  # fmt: skip
    out = capsys.readouterr()
    assert rc == 0, out.err
    doc = json.loads(out.out)
    assert doc["verdict"]["status"] == "genuine"
    assert {c["name"]: c["status"] for c in doc["checks"]}["passport.mrz_match"] == "passed"
    # prompts went to stderr, masked (not a terminal); the key never appears there
    for secret in (YAMADA.number, LINE2[:28]):
        assert secret not in out.err
    assert list(tmp_path.iterdir()) == [image]
