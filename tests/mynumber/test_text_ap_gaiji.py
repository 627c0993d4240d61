"""Issue 13 item 9: 外字 on the chip. Private-use and unassigned code points in the 入力補助AP name/address are
accepted, shown as a placeholder with a warning, never a failed "malformed EF 0002"."""

from __future__ import annotations

from dataclasses import replace

import pytest

from taimen.errors import ParseError
from taimen.mynumber import text_ap
from taimen.mynumber.aids import TextAp
from taimen.mynumber.document import DOCUMENT
from taimen.result import CheckStatus, VerdictStatus
from taimen.samples import jlis_test_pki
from taimen.samples import mynumber_cards as mc
from taimen.transport.inprocess import InProcessTransport
from taimen.trust import TrustStore

PUA, UNASSIGNED = "\ue05a", "\u0378"


def test_gaiji_in_name_and_address_read_as_placeholder_with_a_warning(store: TrustStore) -> None:
    sample = mc.genuine("yamada")
    p, chip = sample.person, sample.chip
    attributes = mc.text_attributes(f"山{PUA}\u3000花子", f"{p.address}{UNASSIGNED}", p.birth_date, p.sex)
    number_file = chip.text_files[TextAp.INDIVIDUAL_NUMBER]
    integrity = mc.text_integrity(number_file, attributes, jlis_test_pki.default().text_issuer.key)
    files = {**chip.text_files, TextAp.ATTRIBUTES: attributes, TextAp.INTEGRITY: integrity}
    card = mc.build_card(replace(chip, text_files=files))
    result = DOCUMENT.read(InProcessTransport(card), sample.printed.unlock(), store=store)
    checks = {c.name: c for c in result.checks}
    assert "text_ap.ef0002" not in checks  # not a failed "malformed EF 0002"
    assert checks["text_ap.digest"].status is CheckStatus.PASSED  # the digest covers the raw bytes
    assert result.name == "山〓\u3000花子" and result.address is not None and result.address.endswith("〓")
    gaiji = checks["text_ap.gaiji"]
    assert gaiji.status is CheckStatus.WARNING
    assert "U+E05A" in gaiji.detail_en and "U+0378" in gaiji.detail_en
    assert result.fields["gaiji"] == [
        {"field": "name", "code_point": "U+E05A", "kind": "private_use"},
        {"field": "address", "code_point": "U+0378", "kind": "unassigned"},
    ]
    assert result.verdict is not None and result.verdict.status is VerdictStatus.ATTENTION


@pytest.mark.parametrize("bad", ["\x07", "\u202e", "\x9b"])
def test_control_and_format_characters_are_still_refused(bad: str) -> None:
    raw = mc.text_attributes(f"山田{bad}", "東京都", mc.genuine("yamada").person.birth_date, "1")
    with pytest.raises(ParseError):
        text_ap.parse_attributes(raw)
