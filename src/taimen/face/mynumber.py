"""Front of the My Number Card (個人番号カード, first design): name, address, birth date as printed (和暦 or
西暦), sex, expiry, security code and the portrait."""

from __future__ import annotations

from PIL import Image

from taimen.face import printing
from taimen.face.draw import Canvas, wrap
from taimen.ocr.layouts import MYNUMBER, Box, Label
from taimen.samples.face import portrait
from taimen.samples.persons import Person


def render(person: Person, *, ppm: float = 16.0) -> Image.Image:
    lay = MYNUMBER
    c = Canvas(lay, ppm, seed=person.face_seed * 31 + 1)
    c.stock(((236, 200, 214), (214, 222, 240)))
    c.band(Box(0.0, 0.0, 85.6, 1.2), (200, 80, 120))
    face = portrait(person.face_seed)
    c.ghost(face, Box(48.5, 33.0, 9.0, 12.0))
    for lab in lay.labels:
        c.label(lab)
    c.label(Label(printing.issuer(person.address), 33.0, 48.6, 2.0))
    c.field(lay.field("name"), person.name)
    addr = lay.field("address")
    c.field_lines(addr, wrap(person.address, addr.lines, 16))
    c.field(lay.field("birth_date"), printing.mynumber_birth(person.birth_date, person.birth_calendar))
    c.field(lay.field("sex"), printing.SEX_JA.get(person.sex, ""))
    exp = lay.field("expiry")
    c.frame(Box(exp.box.x - 1.0, exp.box.y - 0.6, exp.box.w + 2.0, exp.box.h + 1.2), (180, 90, 120))
    c.field(exp, printing.mynumber_expiry(person.mynumber_expiry))
    for i in range(3):  # the certificate-expiry boxes, empty on a new card
        c.frame(Box(3.2 + i * 14.5, 43.4, 13.5, 4.4), (190, 150, 170), 0.15)
    c.field(lay.field("security_code"), person.security_code)
    c.photo(face, lay.photo)
    return c.finish()
