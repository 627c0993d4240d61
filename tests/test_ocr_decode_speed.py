"""Speed changes that must not change a reading: greedy CTC decoding by runs of frames instead of a loop over every
frame, and the label look-ups kept per text. Each is checked against the code it replaced."""

from __future__ import annotations

import unicodedata

import numpy as np

from taimen.ocr import assign, engine
from taimen.ocr.engine import KATAKANA_RUN_SHARE, KATAKANA_RUN_UNSURE, Line, _is_kanji, _is_katakana

TABLE = ["blank", *"アイウエオカキクケコサシスセソタチツテトナーコポ一水山田川本町市区ＡＢ１２３", "増", "增", " "]


def _katakana_run_per_frame(choose: np.ndarray, idx: np.ndarray, table: list[str]) -> np.ndarray:
    kata = np.array([bool(i) and _is_katakana(ch) and ch != "ー" for i, ch in enumerate(table)])
    out = idx.copy()
    emitted: list[str] = []
    prev = 0
    for t, k in enumerate(idx):
        if k != 0 and k != prev:
            ch = table[k]
            before = emitted[-1] if emitted else ""
            after_kana = _is_katakana(before) or (
                before in "一ー" and len(emitted) > 1 and _is_katakana(emitted[-2]) and emitted[-2] != "ー"
            )
            if after_kana and _is_kanji(ch) and choose[t, k] < KATAKANA_RUN_UNSURE:
                kk = int(np.argmax(np.where(kata, choose[t], 0.0)))
                if choose[t, kk] >= KATAKANA_RUN_SHARE * choose[t, k]:
                    out[t] = kk
                    t2 = t + 1
                    while t2 < len(idx) and idx[t2] == k:
                        out[t2] = kk
                        t2 += 1
                    ch = table[kk]
            emitted.append(ch)
        prev = k
    return out


def _decode_per_frame(prob: np.ndarray, table: list[str], mask: np.ndarray | None, prior: np.ndarray | None) -> Line:
    """``engine._decode`` as it was: a loop over every frame."""
    p = prob if mask is None else np.where(mask[None, :], prob, 0.0)
    choose = p if prior is None else p * prior[None, :]
    idx = choose.argmax(axis=1)
    if prior is not None:
        raw = p.argmax(axis=1)
        lost = (idx == 0) & (raw != 0)
        if lost.any():
            idx[lost] = choose[lost, 1:].argmax(axis=1) + 1
        idx = _katakana_run_per_frame(choose, idx, table)
    best = p[np.arange(len(idx)), idx]
    chars: list[str] = []
    confs: list[float] = []
    pos: list[int] = []
    prev = 0
    for t, k in enumerate(idx):
        if k != 0 and k != prev:
            chars.append(unicodedata.normalize("NFKC", table[k]))
            confs.append(float(best[t]))
            pos.append(t)
        elif k != 0 and k == prev:
            confs[-1] = max(confs[-1], float(best[t]))
        prev = k
    conf = min(confs) if confs else 0.0
    return Line("".join(chars), conf, tuple(confs), tuple(pos))


def _frames(rng: np.random.Generator, t: int) -> np.ndarray:
    """Per-frame probabilities as a CTC model gives them: mostly blank, a class held for a few frames, unsure
    frames between (so kanji after katakana at low probability, and runs broken by a blank, both occur)."""
    logits = rng.normal(0, 1, (t, len(TABLE))).astype(np.float32)
    k = 0
    for i in range(t):
        if rng.random() < 0.35:
            k = int(rng.integers(0, len(TABLE)))
        logits[i, k] += rng.uniform(0.5, 6.0)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def test_decoding_by_runs_reads_as_the_per_frame_loop() -> None:
    rng = np.random.default_rng(12)
    prior = np.array([1.0] + [0.02 if ch == "增" else 0.3 if ch == "水" else 1.0 for ch in TABLE[1:]], np.float32)
    mask = np.array([i == 0 or ch in "１２３ＡＢ" for i, ch in enumerate(TABLE)])
    seen_kana_fix = 0
    for n in range(400):
        prob = _frames(rng, int(rng.integers(1, 60)))
        for m, pr in ((None, None), (None, prior), (mask, None)):
            want = _decode_per_frame(prob, TABLE, m, pr)
            got = engine._decode(prob, TABLE, m, pr)
            assert got == want, n
            assert all(type(c) is float for c in got.char_confidences)
            assert all(type(t) is int for t in got.positions)
        seen_kana_fix += _decode_per_frame(prob, TABLE, None, prior) != _decode_per_frame(prob, TABLE, None, None)
    assert seen_kana_fix > 20  # the prior and the katakana rule were exercised
    assert engine._decode(np.zeros((0, len(TABLE)), np.float32), TABLE, None, prior) == Line("", 0.0, (), ())


def test_label_lookups_are_kept_per_text() -> None:
    assign.label_kind.cache_clear()
    for text in ("氏名", "氏 名", "住所", "生年月日", "生年月目", "山田太郎", "有効期限", "セキュリティコード", ""):
        assert assign.label_kind(text) == assign.label_kind.__wrapped__(text)
        for kinds in (("name",), ("address", "name"), tuple(assign.LABELS)):
            assert assign.strip_label(text + " 山田", kinds) == assign.strip_label.__wrapped__(text + " 山田", kinds)
    assert assign.label_kind.cache_info().hits >= 0 and assign.label_kind("氏名") == "name"
    assert assign.label_kind.cache_info().hits >= 1
