"""Card-face renderer and photo degradation: faces match the sample persons; photos are realistic and seeded."""

from __future__ import annotations

import io
import random
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from taimen.face import documents_of, printing, render
from taimen.face.degrade import photograph, random_params
from taimen.face.draw import wrap
from taimen.face.synth import random_person
from taimen.face.variants import FORGERIES, forged
from taimen.ocr.layouts import CARD_H_MM, CARD_W_MM, LAYOUTS
from taimen.ocr.locate import true_aspect
from taimen.samples import faces
from taimen.samples.persons import PERSONS, person


def test_printed_strings_follow_each_card() -> None:
    assert printing.mynumber_birth(date(1989, 1, 7), "wareki") == "昭和64年1月7日生"
    assert printing.mynumber_birth(date(1989, 1, 8), "wareki") == "平成元年1月8日生"
    assert printing.mynumber_birth(date(1985, 7, 4), "seireki") == "1985年7月4日生"
    assert printing.mynumber_expiry(date(2035, 2, 17)) == "2035年2月17日まで有効"
    assert printing.license_birth(date(1980, 2, 17)) == "昭和55年02月17日生"
    # issued under 平成, the licence prints the era year past the era's end
    assert printing.license_expiry(date(2021, 2, 7), issued=date(2019, 2, 1)) == "平成33年02月07日まで有効"
    assert printing.license_expiry(date(2028, 3, 17), issued=date(2023, 4, 8)) == "2028年(令和10年)03月17日まで有効"
    assert printing.issuer("東京都千代田区霞が関２丁目１番２号") == "千代田区長"
    assert printing.issuer("大阪府大阪市北区中之島１丁目") == "大阪市長"
    assert printing.issuer("神奈川県足柄下郡箱根町仙石原") == "箱根町長"


def test_address_wrapping_keeps_every_character() -> None:
    long = person("long").address
    lines = wrap(long, 3, 16)
    assert len(lines) <= 3 and "".join(lines) == long.replace("\u3000", "")


@pytest.mark.parametrize(("key", "document"), [(p.key, d) for p in PERSONS for d in documents_of(p)])
def test_every_sample_person_renders(key: str, document: str) -> None:
    img = render(person(key), document, ppm=8)
    assert img.mode == "RGBA"
    assert img.size == (round(CARD_W_MM * 8), round(CARD_H_MM * 8))
    assert img.getpixel((0, 0))[3] == 0 and img.getpixel((img.width // 2, img.height // 2))[3] == 255  # round corners
    assert np.asarray(img.convert("L")).std() > 20  # something is printed


def test_forged_variants_differ_only_where_they_say() -> None:
    p = person("yamada")
    assert set(FORGERIES) == {"name", "birth_date", "photo", "face"}
    f = forged(p, "face")
    assert (f.name, f.face_seed, f.birth_date) != (p.name, p.face_seed, p.birth_date)
    assert f.birth_date == p.birth_date and f.security_code == p.security_code
    assert forged(p, "birth_date").birth_date != p.birth_date
    a = np.asarray(render(p, "mynumber", ppm=6).convert("L"), np.int16)
    b = np.asarray(render(forged(p, "photo"), "mynumber", ppm=6).convert("L"), np.int16)
    photo = LAYOUTS["mynumber"].photo
    x0, y0, x1, y1 = (round(v * 6) for v in (photo.x, photo.y, photo.x + photo.w, photo.y + photo.h))
    diff = np.abs(a - b)
    assert diff[y0:y1, x0:x1].mean() > 5  # the portrait changed …
    diff[y0:y1, x0:x1] = 0
    diff[33 * 6 : 45 * 6, round(48.5 * 6) : round(57.5 * 6)] = 0  # … and its ghost copy
    assert diff.mean() < 0.5  # … and nothing else


def test_photos_are_seeded_and_keep_the_card_in_frame() -> None:
    card = render(person("yamada"), "mynumber", ppm=8)
    params = random_params(random.Random(5))
    a, b = photograph(card, params), photograph(card, params)
    assert a.jpeg == b.jpeg  # reproducible
    img = Image.open(io.BytesIO(a.jpeg))
    assert img.format == "JPEG" and img.size == params.frame
    w, h = params.frame
    corners = np.array(a.corners)
    assert (
        (corners[:, 0] > 0).all()
        and (corners[:, 0] < w).all()
        and (corners[:, 1] > 0).all()
        and (corners[:, 1] < h).all()
    )
    # a physical camera: the corners are the perspective image of an ID-1 rectangle
    assert true_aspect(corners, params.frame) == pytest.approx(CARD_W_MM / CARD_H_MM, rel=0.01)


def test_random_parameters_span_the_documented_ranges() -> None:
    ps = [random_params(random.Random(i)) for i in range(400)]
    angles = [p.angle for p in ps]
    assert min(angles) < -25 and max(angles) > 25 and all(-30 <= a <= 30 for a in angles)
    assert {p.background for p in ps} == {"wood", "desk", "mat", "light", "cloth", "paper"}
    assert any(p.glare for p in ps) and any(not p.glare for p in ps)
    assert any(p.motion > 0 for p in ps)
    assert min(p.jpeg_quality for p in ps) < 50 and max(p.jpeg_quality for p in ps) > 85


def test_synthetic_persons_hold_their_documents() -> None:
    rng = random.Random(1)
    lic = random_person(rng, license=True)
    res = random_person(rng, foreign=True)
    assert lic.license is not None and lic.birth_calendar == "wareki"
    assert res.residence is not None and res.birth_calendar == "seireki" and res.family_name.isascii()
    assert len(res.residence.card_number) == 12
    for p in (lic, res):
        render(p, "mynumber", ppm=4)
    render(lic, "license", ppm=4)
    render(res, "residence", ppm=4)


def test_samples_builder_writes_faces_and_photos(tmp_path: Path) -> None:
    written = faces.build(tmp_path)
    names = {p.name for p in written}
    assert "face-mynumber-yamada.png" in names and "photo-mynumber-yamada.jpg" in names
    assert "photo-residence-foreign.jpg" in names
    assert {f"photo-mynumber-yamada-forged-{k.replace('_', '-')}.jpg" for k in FORGERIES} <= names
    assert all(p.is_file() and p.stat().st_size > 10_000 for p in written)
