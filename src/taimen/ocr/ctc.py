"""Constrained CTC decoding: the most probable path through a line's per-frame class probabilities that spells
a string of a given form.

A form is a sequence of slots; each slot allows some characters and may be optional. The decoder is a Viterbi
search over (slot, character) states with the CTC rules (a character may last several frames, blanks go
between characters, the same character twice needs a blank between). Greedy decoding picks each frame's best
class and so can drop one of two equal digits (「1955」 read 「195」) or let a stray mark in; the constrained
path must emit one character per required slot, so it finds the digit whose frames the greedy reading gave to
the blank. It is used only where the greedy reading has not got the field's form, and what it changes is
flagged (``repaired``): it proposes, the operator confirms.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

NEG = -1e9


@dataclass(frozen=True, slots=True)
class Slot:
    chars: str
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Path:
    text: str
    confidences: tuple[float, ...]  # per character: its class's highest probability over its frames
    positions: tuple[int, ...]  # per character: its first frame
    score: float  # log-probability of the whole path
    #: how much less probable the path is than the frame-by-frame best reading (log): what the form cost
    gap: float = 0.0

    @property
    def confidence(self) -> float:
        return min(self.confidences) if self.confidences else 0.0


class Support:
    """The support a character has at a position of a decoded line: the highest probability the recogniser gave
    any of its classes (``slot(ch)``: the character and its printed forms) in that character's frames (from
    midway to the previous character's peak to midway to the next one's). 0 without frames."""

    def __init__(
        self, probs: np.ndarray | None, positions: Sequence[int], slot: Callable[[str], Sequence[int]] | None
    ) -> None:
        self.probs, self.positions, self.slot = probs, list(positions), slot

    def __call__(self, i: int, ch: str) -> float:
        if self.probs is None or self.slot is None or not 0 <= i < len(self.positions):
            return 0.0
        pos = self.positions
        lo = 0 if i == 0 else (pos[i - 1] + pos[i]) // 2 + 1
        hi = self.probs.shape[0] if i == len(pos) - 1 else (pos[i] + pos[i + 1]) // 2 + 1
        cls = list(self.slot(ch))
        return float(self.probs[lo:hi, cls].max()) if cls and hi > lo else 0.0


def classes_of(table: Sequence[str]) -> dict[str, list[int]]:
    """NFKC character → the dictionary classes that read as it (index 0, the blank, excluded)."""
    out: dict[str, list[int]] = {}
    for i, ch in enumerate(table):
        if i:
            out.setdefault(unicodedata.normalize("NFKC", ch), []).append(i)
    return out


def best_path(probs: np.ndarray, classes: dict[str, list[int]], slots: Sequence[Slot]) -> Path | None:
    """The best CTC path through ``probs`` (T × classes, blank at 0) that emits one character of each required
    slot, in order, and at most one of each optional slot. None if no path exists (fewer frames than slots)."""
    k_n, t_n = len(slots), probs.shape[0]
    if k_n == 0 or t_n == 0:
        return None
    ids = [sorted({i for ch in s.chars for i in classes.get(ch, ())}) for s in slots]
    m_n = max(1, max(len(x) for x in ids))
    cls = np.zeros((k_n, m_n), np.intp)
    ok = np.zeros((k_n, m_n), bool)
    for k, x in enumerate(ids):
        cls[k, : len(x)] = x
        ok[k, : len(x)] = True
    opt = np.array([s.optional for s in slots])
    lp = np.log(np.maximum(probs.astype(np.float64), 1e-12))
    emit = np.where(ok[None], lp[:, cls], NEG)  # T × K × M
    blank = lp[:, 0]
    # entry into slot k may come from slot k-d when every slot strictly between is optional (k-d = -1: start)
    d_n = 1
    run = 0
    for o in opt:
        run = run + 1 if o else 0
        d_n = max(d_n, run + 1)
    ar = np.arange(k_n)
    valid = np.zeros((k_n, d_n + 1), bool)
    for k in range(k_n):
        for d in range(1, d_n + 1):
            valid[k, d] = k - d >= -1 and bool(opt[k - d + 1 : k].all())
    reach0 = np.array([bool(opt[:k].all()) for k in range(k_n)])
    s = np.where(reach0[:, None], emit[0], NEG)
    b = np.full(k_n + 1, NEG)  # b[j]: blank after j characters' slots (b[0]: before the first)
    b[0] = blank[0]
    bp_kind = np.zeros((t_n, k_n, m_n), np.int8)  # 0 stay, 1 from a blank, 2 from another slot's character
    bp_d = np.zeros((t_n, k_n, m_n), np.int8)
    bp_m = np.zeros((t_n, k_n, m_n), np.int16)
    bp_b = np.zeros((t_n, k_n + 1), bool)  # blank entered from slot j-1's character (else stay)
    bp_bm = np.zeros((t_n, k_n + 1), np.int16)
    rows = np.arange(k_n)
    for t in range(1, t_n):
        top_m = s.argmax(axis=1)
        top_v = s[rows, top_m]
        top_c = cls[rows, top_m]
        s2 = s.copy()
        s2[rows, top_m] = NEG
        sec_m = s2.argmax(axis=1)
        sec_v = s2[rows, sec_m]
        ent_v = np.full((k_n, m_n), NEG)
        ent_k = np.zeros((k_n, m_n), np.int8)
        ent_d = np.zeros((k_n, m_n), np.int8)
        ent_m = np.zeros((k_n, m_n), np.int16)
        for d in range(1, d_n + 1):
            v = valid[:, d]
            bv = np.where(v, b[np.clip(ar - d + 1, 0, k_n)], NEG)[:, None].repeat(m_n, axis=1)
            better = bv > ent_v
            ent_v = np.where(better, bv, ent_v)
            ent_k = np.where(better, 1, ent_k)
            ent_d = np.where(better, d, ent_d)
            jj = np.clip(ar - d, 0, k_n - 1)
            has = (v & (ar - d >= 0))[:, None]
            same = top_c[jj][:, None] == cls
            sv = np.where(has, np.where(same, sec_v[jj][:, None], top_v[jj][:, None]), NEG)
            sm = np.where(same, sec_m[jj][:, None], top_m[jj][:, None])
            better = sv > ent_v
            ent_v = np.where(better, sv, ent_v)
            ent_k = np.where(better, 2, ent_k)
            ent_d = np.where(better, d, ent_d)
            ent_m = np.where(better, sm, ent_m)
        stay = s >= ent_v
        bp_kind[t] = np.where(stay, 0, ent_k)
        bp_d[t] = ent_d
        bp_m[t] = ent_m
        s_best = s.max(axis=1)
        s_arg = s.argmax(axis=1)
        from_s = np.concatenate([[NEG], s_best])
        bp_b[t] = from_s > b
        bp_bm[t] = np.concatenate([[0], s_arg])
        b = np.maximum(b, from_s) + blank[t]
        s = np.maximum(s, ent_v) + emit[t]
    # the path ends after the last required slot (in a blank or in a character)
    best = (NEG, "", 0, 0)
    for k in range(k_n):
        if not opt[k + 1 :].all():
            continue
        if b[k + 1] > best[0]:
            best = (float(b[k + 1]), "b", k + 1, 0)
        m = int(s[k].argmax())
        if s[k, m] > best[0]:
            best = (float(s[k, m]), "s", k, m)
    total, state, k, m = best
    if total <= NEG / 2:
        return None
    frames: dict[int, list[int]] = {}
    chosen: dict[int, int] = {}
    for t in range(t_n - 1, -1, -1):
        if state == "s":
            frames.setdefault(k, []).append(t)
            chosen[k] = int(cls[k, m])
            if t == 0:
                break
            kind = bp_kind[t, k, m]
            if kind == 1:
                state, k = "b", k - int(bp_d[t, k, m]) + 1
            elif kind == 2:
                k, m = k - int(bp_d[t, k, m]), int(bp_m[t, k, m])
        else:
            if t == 0:
                break
            if bp_b[t, k]:
                state, m, k = "s", int(bp_bm[t, k]), k - 1
    rev = {i: ch for sl in slots for ch in sl.chars for i in classes.get(ch, ())}
    text, confs, pos = [], [], []
    for k in sorted(frames):
        c = chosen[k]
        fr = frames[k]
        text.append(rev[c])
        confs.append(float(probs[fr, c].max()))
        pos.append(min(fr))
    free = float(np.log(np.maximum(probs.max(axis=1).astype(np.float64), 1e-12)).sum())
    return Path("".join(text), tuple(confs), tuple(pos), total, max(0.0, free - total))
