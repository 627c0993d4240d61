"""Issue 13 item 8: optional licence files refused with 6982 or missing, and a licence without a DF2 photo."""

from __future__ import annotations

import pytest

from license_helpers import card_for
from taimen.license.document import DOCUMENT
from taimen.result import CheckStatus
from taimen.samples.license_cards import no_photo_card
from taimen.transport.inprocess import InProcessTransport

PINS = {"pin1": "1234", "pin2": "5678"}


@pytest.mark.parametrize("key", ["df1_ef03", "df1_ef04", "df1_ef05", "df1_ef06", "df1_ef07"])
def test_optional_file_refused_with_6982_is_reported_not_read(key: str) -> None:
    card = card_for("yamada", locked=(key,))
    result = DOCUMENT.read(InProcessTransport(card), PINS)
    assert result.name == "山田　花子"
    assert len(result.fields["files_absent"]) == 1
    assert result.fields["files_not_read"] == {key: "6982"}


def test_licence_without_photo_shows_everything_else_and_marks_the_photo_missing() -> None:
    card, unlock = no_photo_card("yamada")
    result = DOCUMENT.read(InProcessTransport(card), unlock)
    assert result.name == "山田　花子" and result.address and result.birth_date is not None
    assert result.photo is None
    checks = {c.name: c for c in result.checks}
    assert checks["license.photo"].status is CheckStatus.WARNING
    assert "ありません" in checks["license.photo"].detail_ja and "missing" in checks["license.photo"].detail_en
    # the photo is part of what the signature covers, so it cannot verify, but nothing claims forgery either
    assert checks["license.signature"].status is not CheckStatus.PASSED
    assert result.fields["files_not_read"] == {"df2_ef01": "6A82"}
