"""Shared builders for the OCR tests: photos of sample card faces, made once per test session."""

from __future__ import annotations

import random
from dataclasses import replace
from functools import cache

import numpy as np

from taimen.face import render
from taimen.face.degrade import Photo, photograph, random_params
from taimen.face.variants import forged
from taimen.ocr.engine import Engine, engine
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
