"""The ReadResult contract the web UI and compare code against (docs/json-output.md, residence section)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from taimen.residence.document import DOCUMENT
from taimen.samples import residence_cards as rc
from taimen.transport.inprocess import InProcessTransport
from taimen.trust import TrustStore

KEYS = {
    "generation", "card_type", "kind", "card_number", "nationality", "status_of_residence", "period_of_stay",
    "period_expiry", "permission", "work_restriction", "renewal_application", "address_entries",
    "unknown_tags", "spec_version",
}  # fmt: skip
CHECKS = ["residence.card_number", "residence.signature", "residence.certificate", "residence.chip_presence",
          "residence.period_of_stay", "residence.card_expiry"]  # fmt: skip


@pytest.mark.parametrize(("key", "images"), [("rc1-nguyen", {"front"}), ("rc2-smith", {"name", "address"})])
def test_json_shape(key: str, images: set[str], pki: rc.SamplePki, store: TrustStore) -> None:
    s = next(x for x in rc.samples() if x.key == key)
    r = DOCUMENT.read(InProcessTransport(rc.build_card(s, pki)), {"card_number": s.number}, store=store,  # type: ignore[arg-type]
                      today=date(2026, 12, 5))  # fmt: skip
    j = json.loads(json.dumps(r.to_json(), ensure_ascii=False))
    assert j["document"] == "residence"
    assert set(j["fields"]) >= KEYS
    assert "permission_outside_status" in j["fields"]
    assert set(j["images"]) == images and j["photo"]["mime"] == "image/jp2"
    assert [c["name"] for c in j["checks"]] == CHECKS
    if s.generation == 2:
        assert j["fields"]["card_number"] == s.number and j["birth_date"]["iso"] and j["sex"] == "male"
        assert set(j["fields"]["permission_outside_status"]) == {"comprehensive", "comprehensive_expiry", "individual"}
        assert j["fields"]["address_entries"] is None
    else:
        assert j["fields"]["card_number"] is None and j["birth_date"] is None and j["card_expiry"] is None
        assert set(j["fields"]["permission_outside_status"]) == {"comprehensive_text", "individual_text"}
        assert j["fields"]["address_entries"][-1]["address"] == j["address"]
