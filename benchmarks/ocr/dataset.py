"""The OCR benchmark set: card faces of random synthetic persons (plus the fixed sample persons), each
photographed once with randomised but realistic degradation (seeded). Written to a directory as JPEG files
and a truth manifest; the reader under test only ever gets the JPEG bytes."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from taimen import wareki
from taimen.face import render
from taimen.face.degrade import photograph, random_params
from taimen.face.synth import random_person
from taimen.samples.persons import PERSONS, Person

VERSION = 4
MIX = {"mynumber": 0.4, "license": 0.3, "residence": 0.3}


@dataclass(frozen=True)
class Sample:
    id: str
    document: str
    path: Path
    truth: dict[str, str]


def norm(v: str | None) -> str:
    """Exact-match key: NFKC, no whitespace (the printed layout wraps and spaces lines; the chip does not)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", v or "")).upper()


def truth_of(p: Person, document: str) -> dict[str, str]:
    if document == "mynumber":
        w = wareki.to_wareki(p.birth_date)
        yy = w.year if p.birth_calendar == "wareki" else p.birth_date.year
        b = f"{yy % 100:02d}{p.birth_date.month:02d}{p.birth_date.day:02d}{p.mynumber_expiry.year}{p.security_code}"
        return {
            "name": p.name if not p.family_name.isascii() else f"{p.family_name} {p.given_name}",
            "address": p.address,
            "birth_date": p.birth_date.isoformat(),
            "sex": {"1": "male", "2": "female"}[p.sex],
            "expiry": p.mynumber_expiry.isoformat(),
            "security_code": p.security_code,
            "unlock.kenmen_b": b,
        }
    if document == "license":
        lic = p.license
        assert lic is not None
        return {  # the front as printed at issue (changes are 追記 on the back)
            "name": lic.name_at_issue or p.name,
            "birth_date": p.birth_date.isoformat(),
            "address": lic.address_at_issue or p.address,
            "issue_date": lic.issue.isoformat(),
            "expiry": lic.expiry.isoformat(),
            "license_number": lic.number,
        }
    res = p.residence
    assert res is not None
    return {
        "card_number": res.card_number,
        "name": f"{p.family_name} {p.given_name}",
        "birth_date": p.birth_date.isoformat(),
        "sex": {"1": "male", "2": "female"}[p.sex],
        "address": p.address,
        "expiry": res.expiry.isoformat(),
        "unlock.card_number": res.card_number,
    }


def generate(out: Path, n: int = 320, seed: int = 20261125) -> list[Sample]:
    """Write ``n`` photos (or reuse an identical earlier set) and return the samples."""
    manifest = out / "manifest.json"
    if manifest.is_file():
        meta = json.loads(manifest.read_text())
        if meta.get("version") == VERSION and meta.get("n") == n and meta.get("seed") == seed:
            return [Sample(s["id"], s["document"], out / s["file"], s["truth"]) for s in meta["samples"]]
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.jpg"):  # an earlier set's photos
        old.unlink()
    rng = random.Random(seed)
    fixed = [(p, d) for p in PERSONS for d in ("mynumber", "license", "residence") if d == "mynumber" or getattr(p, d)]
    samples = []
    for i in range(n):
        if i < len(fixed):
            person, doc = fixed[i]
        else:
            doc = rng.choices(list(MIX), weights=list(MIX.values()))[0]
            foreign = doc == "residence" or (doc == "mynumber" and rng.random() < 0.12)
            person = random_person(rng, foreign=foreign, license=doc == "license", key=f"synthetic{i}")
        params = random_params(rng)
        photo = photograph(render(person, doc), params)
        name = f"{i:04d}-{doc}.jpg"
        (out / name).write_bytes(photo.jpeg)
        samples.append(
            {
                "id": f"{i:04d}",
                "document": doc,
                "file": name,
                "truth": truth_of(person, doc),
                "params": params.to_json(),
            }
        )
    manifest.write_text(
        json.dumps({"version": VERSION, "n": n, "seed": seed, "samples": samples}, ensure_ascii=False, indent=1)
    )
    return [Sample(s["id"], s["document"], out / s["file"], s["truth"]) for s in samples]
