"""Forged printed faces: a genuine chip under a card face printed with someone else's name, birth date or
photo. The chip is the sample person's; only the print changes, which is what the cross-check must catch.

A forged birth date also changes 照合番号B as built from the print, so the chip refuses it (VERIFY fails and
spends a try): that forgery is caught before any comparison, by the chip itself.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from taimen.samples.persons import Person

FORGERIES: dict[str, str] = {
    "name": "printed name differs from the chip",
    "birth_date": "printed birth date differs from the chip (照合番号B from the print is refused)",
    "photo": "printed photo differs from the chip",
    "face": "printed name and photo differ from the chip (the chip's own unlock values are kept)",
}

_OTHER_NAMES = (("佐々木", "美紀"), ("小川", "翔太"))
_OTHER_LATIN = (("BROWN", "ALEX"), ("WILSON", "KATE"))


def _other_name(p: Person) -> tuple[str, str]:
    pool = _OTHER_LATIN if p.family_name.isascii() else _OTHER_NAMES
    return next(n for n in pool if n[0] != p.family_name)


def _other_birth(d: date) -> date:
    return date(d.year + 3, 12 if d.month != 12 else 11, min(d.day, 28))


def forged(p: Person, kind: str) -> Person:
    """``p`` as the forger prints them (use it only to render the face; the chip stays ``p``'s)."""
    if kind not in FORGERIES:
        raise ValueError(f"unknown forgery {kind!r}; known: {', '.join(FORGERIES)}")
    q = p
    if kind in ("name", "face"):
        family, given = _other_name(p)
        q = replace(q, family_name=family, given_name=given)
    if kind == "birth_date":
        q = replace(q, birth_date=_other_birth(p.birth_date))
    if kind in ("photo", "face"):
        q = replace(q, face_seed=p.face_seed + 1000)
    return q
