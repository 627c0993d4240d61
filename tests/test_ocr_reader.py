"""The reader on photos of rendered card faces: it finds the card itself (never told where), reads each field,
and proposes unlock values. A few photos only; the 300-photo benchmark lives in benchmarks/ocr/."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ocr_helpers import ocr, photo
from taimen.errors import OperatorInputError
from taimen.ocr import locate
from taimen.ocr import photo as photo_io
from taimen.ocr.reader import read_photo
from taimen.samples.persons import person


def _mm(photo_corners: tuple[tuple[float, float], ...], found: np.ndarray) -> float:
    truth = np.array(photo_corners)
    return float(np.abs(found - truth).max() / np.linalg.norm(truth[1] - truth[0]) * 85.6)


@pytest.mark.parametrize(
    ("key", "document", "seed"), [("yamada", "mynumber", 3), ("long", "license", 4), ("foreign", "residence", 5)]
)
def test_locator_finds_the_corners(key: str, document: str, seed: int) -> None:
    ph = photo(key, document, seed=seed)
    img = photo_io.decode(ph.jpeg)
    quad = locate.find_card(img)
    assert _mm(ph.corners, quad.points) < 1.0  # within a millimetre of the card's real corners


def test_my_number_card_fields_and_shogo_b() -> None:
    p = person("yamada")
    res = read_photo(photo("yamada", "mynumber").jpeg, "mynumber", ocr=ocr())
    assert res.card_found and res.method == "lines" and res.document == "mynumber"
    assert res.fields["name"].value == p.name
    assert res.fields["birth_date"].value == "1980-02-17" and res.fields["birth_date"].calendar == "wareki"
    assert res.fields["sex"].value == "female"
    assert res.fields["expiry"].value == "2035-02-17"
    assert res.fields["security_code"].value == "2285"
    assert res.unlock["kenmen_b"].value == "55021720352285"
    assert all(f.confidence > 0.5 for f in res.fields.values())
    assert res.portrait is not None and res.portrait.shape[0] > res.portrait.shape[1]  # the photo, portrait format


def test_era_boundary_and_gregorian_birth_dates() -> None:
    showa = read_photo(photo("showa64", "mynumber").jpeg, "mynumber", ocr=ocr())
    assert showa.fields["birth_date"].text.startswith("昭和64年1月7日")
    assert showa.unlock["birth_yymmdd"].value == "640107"
    foreign = read_photo(photo("foreign", "mynumber").jpeg, "mynumber", ocr=ocr())
    assert foreign.fields["birth_date"].calendar == "seireki"
    assert foreign.unlock["birth_yymmdd"].value == "850704"
    assert foreign.fields["name"].value == "SMITH JOHN"


def test_driving_licence() -> None:
    lic = person("showa64").license
    assert lic is not None
    res = read_photo(photo("showa64", "license").jpeg, "license", ocr=ocr())
    assert res.fields["license_number"].value == lic.number
    assert res.fields["birth_date"].value == "1989-01-07"
    assert res.fields["issue_date"].value == lic.issue.isoformat()
    # issued under 平成: printed 平成33年02月07日まで有効, read as 2021-02-07 and flagged
    assert res.fields["expiry"].value == lic.expiry.isoformat() and "past_era_end" in res.fields["expiry"].flags
    assert res.unlock == {}  # licence PINs are not printed


def test_residence_card_number_and_auto_detection() -> None:
    res = read_photo(photo("foreign", "residence").jpeg, None, ocr=ocr())  # document not given
    assert res.document == "residence" and res.document_confidence >= 0.6
    assert res.fields["card_number"].value == "AB12345678CD"
    assert res.unlock["card_number"].value == "AB12345678CD" and res.unlock["card_number"].secret
    assert res.fields["expiry"].value == "2029-07-04"
    # the narrow half-width space between the names is not always seen; the comparison ignores spaces
    assert res.fields["name"].value.replace(" ", "") == "SMITHJOHN"


def test_upside_down_photo() -> None:
    res = read_photo(photo("yamada", "mynumber", upside_down=True).jpeg, None, ocr=ocr())
    assert res.document == "mynumber" and res.upside_down
    assert res.fields["security_code"].value == "2285"


def test_no_card_in_the_photo() -> None:
    rng = np.random.default_rng(0)
    noise = (rng.random((600, 800, 3)) * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noise).save(buf, "JPEG")
    res = read_photo(buf.getvalue(), "mynumber", ocr=ocr())
    assert not res.card_found and res.method == "page"
    assert res.unlock["kenmen_b"].value is None  # nothing invented
    assert res.problems


def test_photo_input_is_checked_before_decoding() -> None:
    with pytest.raises(OperatorInputError):
        read_photo(b"not an image", "mynumber", ocr=ocr())
    # a header claiming a huge image is refused before any pixel is allocated
    buf = io.BytesIO()
    Image.new("L", (64, 64)).save(buf, "PNG")
    png = bytearray(buf.getvalue())
    png[16:24] = (20000).to_bytes(4, "big") + (20000).to_bytes(4, "big")
    with pytest.raises(OperatorInputError):
        photo_io.decode(bytes(png))
