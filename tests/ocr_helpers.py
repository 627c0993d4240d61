"""Shared builders for the OCR tests: photos of sample card faces, made once per test session."""

from __future__ import annotations

import random
from dataclasses import replace
from functools import cache

import numpy as np

from taimen.face import render
from taimen.face.degrade import Photo, photograph, random_params
from taimen.face.variants import forged
from taimen.ocr.assign import TextLine
from taimen.ocr.engine import Engine, Line, engine
from taimen.ocr.recline import RecLine
from taimen.samples.persons import person

#: Photo seeds chosen once (any seed works; fixed so a failure reproduces).
SEEDS = {"mynumber": 11, "license": 12, "residence": 13}


@cache
def ocr() -> Engine:
    """The process-wide engine, loaded and warmed up once per test session."""
    e = engine()
    e.warm_up()
    return e


@cache
def photo(
    key: str, document: str, *, seed: int | None = None, forgery: str | None = None, upside_down: bool = False
) -> Photo:
    p = person(key)
    printed = forged(p, forgery) if forgery else p
    params = random_params(random.Random(SEEDS[document] if seed is None else seed))
    if upside_down:
        params = replace(params, angle=params.angle + 180.0)
    return photograph(render(printed, document), params)


def character_frames(e: Engine, chars: list[dict[str, float]]) -> np.ndarray:
    """Per-frame probabilities over the real recogniser's dictionary: frame 2k+1 holds character k's classes
    as given (and the blank at 0.01), every other frame the blank."""
    table = e.character_table()
    index = {ch: i for i, ch in enumerate(table) if i}
    p = np.zeros((2 * len(chars) + 1, len(table)), np.float32)
    p[:, 0] = 1.0
    for k, classes in enumerate(chars):
        p[2 * k + 1, 0] = 0.01
        for ch, v in classes.items():
            p[2 * k + 1, index[ch]] = v
    return p


# -- synthetic recogniser output over the real dictionary ------------------------------------------------


def frame_probs(e: Engine, frames: list[dict[str, float]]) -> np.ndarray:
    """Per-frame probabilities: each frame's classes as given ("" is the blank)."""
    table = e.character_table()
    index = {ch: i for i, ch in enumerate(table) if i}
    p = np.zeros((len(frames), len(table)), np.float32)
    for t, classes in enumerate(frames):
        for ch, v in classes.items():
            p[t, 0 if ch == "" else index[ch]] = v
    return p


def spelled(text: str, sure: float = 0.97) -> list[dict[str, float]]:
    """Frames of ``text``: each character in one frame, a blank frame before and after it."""
    frames: list[dict[str, float]] = [{"": 1.0}]
    for ch in text:
        frames += [{ch: sure, "": 1 - sure}, {"": 1.0}]
    return frames


def rec_line(e: Engine, frames: list[dict[str, float]], box: tuple[float, float, float, float]) -> RecLine:
    """A recognised line of ``frames`` in ``box`` (card mm), as the line detector and recogniser give it."""
    probs = frame_probs(e, frames)
    dec = e.decode(probs)
    tl = TextLine(*box, dec.text, dec.confidence)
    line = Line(dec.text, dec.confidence, dec.char_confidences, dec.positions)
    return RecLine(tl, probs, line, np.full((20, 80, 3), 255, np.uint8))
