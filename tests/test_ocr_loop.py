"""The whole loop for a My Number Card: camera photo of the printed face → OCR → 照合番号B proposal → the
operator confirms → the sample virtual card is read in-process → the printed face is compared with the chip.

A genuine card matches. A genuine chip under a re-printed face (someone else's name and photo) is caught as
``not_genuine`` with both names in the reasons. A re-printed birth date is caught earlier, by the chip: the
照合番号B built from the print is refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ocr_helpers import ocr, photo
from taimen.compare import cross_check
from taimen.errors import SecretRejected
from taimen.mynumber.document import DOCUMENT
from taimen.ocr.proposals import OcrResult
from taimen.ocr.reader import read_photo
from taimen.result import CheckStatus, VerdictStatus
from taimen.samples import jlis_test_pki, mynumber_cards
from taimen.transport.inprocess import InProcessTransport


@pytest.fixture(scope="module")
def trust_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("trust")
    jlis_test_pki.default().write_trust_dir(d)
    return d


def operator_confirms(res: OcrResult) -> dict[str, str]:
    """What the operator sends after checking each proposal against the card (here: accepts them all)."""
    assert res.document == "mynumber" and res.unlock["kenmen_b"].value is not None
    values = res.unlock_for_document()
    assert set(values) == {"birth", "calendar", "expiry_year", "security_code"}
    return values


def test_genuine_card_matches_its_printed_face(trust_dir: Path) -> None:
    res = read_photo(photo("yamada", "mynumber", seed=21).jpeg, "mynumber", ocr=ocr())
    sample = mynumber_cards.genuine("yamada")
    assert res.unlock["kenmen_b"].value == sample.printed.shogo_b()  # the proposal is right
    result = DOCUMENT.read(InProcessTransport(sample.card()), operator_confirms(res), trust_dirs=(str(trust_dir),))
    assert result.verdict is not None and result.verdict.status is VerdictStatus.GENUINE
    result = cross_check(res, result)
    face = {c.name: c for c in result.checks if c.name.startswith("face.")}
    assert {k: c.status for k, c in face.items()} == {
        "face.name": CheckStatus.PASSED,
        "face.birth_date": CheckStatus.PASSED,
        "face.address": CheckStatus.PASSED,
        "face.sex": CheckStatus.PASSED,
        "face.expiry": CheckStatus.PASSED,
        "face.photo": CheckStatus.PASSED,
    }
    assert result.verdict.status is VerdictStatus.GENUINE


def test_gregorian_printed_card(trust_dir: Path) -> None:
    res = read_photo(photo("foreign", "mynumber", seed=22).jpeg, "mynumber", ocr=ocr())
    sample = mynumber_cards.genuine("foreign")
    result = DOCUMENT.read(InProcessTransport(sample.card()), operator_confirms(res), trust_dirs=(str(trust_dir),))
    result = cross_check(res, result)
    assert result.verdict.status is VerdictStatus.GENUINE
    assert all(c.status is CheckStatus.PASSED for c in result.checks if c.name in ("face.name", "face.birth_date"))


def test_forged_face_on_a_genuine_chip_is_not_genuine(trust_dir: Path) -> None:
    res = read_photo(photo("yamada", "mynumber", seed=23, forgery="face").jpeg, "mynumber", ocr=ocr())
    assert res.fields["name"].value == "佐々木\u3000美紀"  # what the forger printed
    card = mynumber_cards.genuine("yamada").card()  # the chip is yamada's, untouched
    result = DOCUMENT.read(InProcessTransport(card), operator_confirms(res), trust_dirs=(str(trust_dir),))
    assert result.verdict.status is VerdictStatus.GENUINE  # the chip alone is genuine …
    result = cross_check(res, result)
    assert result.verdict.status is VerdictStatus.NOT_GENUINE  # … the card in front of the clerk is not
    reasons = " ".join(r.ja + " " + r.en for r in result.verdict.reasons)
    assert "佐々木" in reasons and "山田" in reasons
    photo_check = next(c for c in result.checks if c.name == "face.photo")
    assert photo_check.status is CheckStatus.WARNING  # the aid also points at the photo
    assert result.to_json()["verdict"]["status"] == "not_genuine"


def test_forged_birth_date_is_refused_by_the_chip(trust_dir: Path) -> None:
    res = read_photo(photo("yamada", "mynumber", seed=24, forgery="birth_date").jpeg, "mynumber", ocr=ocr())
    assert res.fields["birth_date"].value == "1983-12-17"
    card = mynumber_cards.genuine("yamada").card()
    with pytest.raises(SecretRejected) as err:
        DOCUMENT.read(InProcessTransport(card), operator_confirms(res), trust_dirs=(str(trust_dir),))
    assert err.value.tries_left is not None  # one try spent on the (emulated) card; taimen did not retry


# -- driving licences: the front shows the values at issue; 追記 and 外字 on the chip --------------------------


@pytest.fixture(scope="module")
def license_trust(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from license_helpers import write_trust_dir

    return write_trust_dir(tmp_path_factory.mktemp("license_trust"))


@pytest.mark.parametrize("key", ["yamada", "long", "showa64"])
def test_license_face_matches_the_chip_as_issued(key: str, license_trust: Path) -> None:
    """yamada moved (address 追記 on the back); long's name holds a 外字 on the chip and moved too; showa64's
    licence has no PIN and an expiry recorded as 平成33年."""
    from license_helpers import card_for
    from taimen.license.document import DOCUMENT as LICENSE
    from taimen.samples.persons import person

    facts = person(key).license
    assert facts is not None
    res = read_photo(photo(key, "license", seed=25).jpeg, "license", ocr=ocr())
    pins = {"pin1": facts.pin1, "pin2": facts.pin2} if facts.pin_set else {}  # PINs are not printed: typed
    result = LICENSE.read(InProcessTransport(card_for(key)), pins, trust_dirs=(str(license_trust),))
    before = result.verdict.status
    result = cross_check(res, result)
    face = {c.name: c for c in result.checks if c.name.startswith("face.")}
    for name in (
        "face.name",
        "face.birth_date",
        "face.address",
        "face.expiry",
        "face.issue_date",
        "face.license_number",
    ):
        assert face[name].status is CheckStatus.PASSED, (name, face[name].detail_en)
    assert result.verdict.status is before  # a matching face adds no failure
    if key in ("yamada", "long"):
        assert "追記" in face["face.address"].detail_ja  # the back's change is named
    if key == "long":
        assert "外字" in face["face.name"].detail_ja
