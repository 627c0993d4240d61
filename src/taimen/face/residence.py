"""Front of the residence card (在留カード): card number, name, birth date, sex, nationality, address, status,
period of stay and the card's expiry, and the portrait."""

from __future__ import annotations

from PIL import Image

from taimen.face import printing
from taimen.face.draw import Canvas
from taimen.ocr.layouts import RESIDENCE, Box
from taimen.samples.face import portrait
from taimen.samples.persons import Person


def render(person: Person, *, ppm: float = 16.0) -> Image.Image:
    res = person.residence
    if res is None:
        raise ValueError(f"sample person {person.key!r} holds no residence card")
    lay = RESIDENCE
    c = Canvas(lay, ppm, seed=person.face_seed * 41 + 3)
    c.stock(((200, 214, 236), (214, 236, 226)))
    c.band(Box(0.0, 0.0, 85.6, 1.0), (60, 90, 160))
    face = portrait(person.face_seed)
    c.ghost(face, Box(62.0, 41.5, 8.0, 10.6))
    for lab in lay.labels:
        c.label(lab)
    c.field(lay.field("card_number"), res.card_number)
    name = f"{person.family_name} {person.given_name}".strip() if person.family_name.isascii() else person.name
    c.field(lay.field("name"), name)
    c.field(lay.field("birth_date"), printing.seireki_padded(person.birth_date))
    c.field(lay.field("sex"), printing.SEX_RESIDENCE.get(person.sex, ""))
    c.field(lay.field("nationality"), res.nationality)
    c.field(lay.field("address"), person.address)
    c.field(lay.field("status"), res.status)
    years = max(1, res.expiry.year - person.mynumber_issue.year)
    c.field(lay.field("period"), f"{years}年（{printing.seireki_padded(res.expiry)}）")
    c.field(lay.field("expiry"), printing.seireki_padded(res.expiry))
    c.photo(face, lay.photo)
    return c.finish()
