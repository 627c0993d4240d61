"""Sample card faces: the printed fronts of every sample person's documents, forged variants, and one camera
photo of each (for the demo loop photo → OCR → unlock → chip → compare). Synthetic people only.

Each printed face matches the person's virtual card from ``taimen.samples.mynumber_cards`` /
``license_cards``: same names, birth date (和暦 or 西暦 as the person's card prints it), address, expiry,
security code, licence facts and portrait.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from taimen.face import documents_of, render
from taimen.face.degrade import photograph, random_params
from taimen.face.variants import FORGERIES, forged
from taimen.samples.persons import PERSONS

#: Photo parameters are drawn from this seed (per file), so the demo photos are the same on every machine.
SEED = 20260401


def build(out_dir: Path) -> list[Path]:
    """Write PNG card faces and JPEG photos into ``out_dir/faces``; return the paths written."""
    d = out_dir / "faces"
    d.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    jobs = [(p, doc, p, "") for p in PERSONS for doc in documents_of(p)]
    yamada = next(p for p in PERSONS if p.key == "yamada")
    jobs += [(yamada, "mynumber", forged(yamada, kind), f"-forged-{kind.replace('_', '-')}") for kind in FORGERIES]
    for n, (person, doc, printed, suffix) in enumerate(jobs):
        stem = f"{doc}-{person.key}{suffix}"
        face = render(printed, doc, ppm=12.0)
        png = d / f"face-{stem}.png"
        face.save(png)
        photo = photograph(face, replace(random_params(random.Random(SEED + n)), frame=(1280, 960)))
        jpg = d / f"photo-{stem}.jpg"
        jpg.write_bytes(photo.jpeg)
        written += [png, jpg]
    return written
