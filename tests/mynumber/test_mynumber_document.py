"""The Document interface (detect, tries, read) and the JSON contract of a My Number read."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from taimen import documents
from taimen.emulator.card import DedicatedFile, VirtualCard
from taimen.errors import OperatorInputError
from taimen.mynumber.document import DOCUMENT
from taimen.samples import mynumber_cards as mc
from taimen.transport.inprocess import InProcessTransport
from taimen.trust import TrustStore


def test_registered() -> None:
    assert documents.get("mynumber") is DOCUMENT
    keys = [f.key for f in DOCUMENT.unlock_fields]
    assert keys[0] == "birth" and {"expiry_year", "security_code"} <= set(keys)
    secret = {f.key for f in DOCUMENT.unlock_fields if f.secret}
    assert secret == {"birth", "expiry_year", "security_code"}


def test_detect_by_aid(make_card: Callable[..., VirtualCard]) -> None:
    assert DOCUMENT.detect(InProcessTransport(make_card()))
    other = VirtualCard(DedicatedFile("MF"), [DedicatedFile("x", bytes.fromhex("A0000002310100000000000000000000"))])
    assert not DOCUMENT.detect(InProcessTransport(other))


@pytest.mark.parametrize(
    "unlock",
    [
        {"birth": "550230", "expiry_year": "2035", "security_code": "2285"},
        {"birth": "550217", "expiry_year": "35", "security_code": "2285"},
        {"birth": "550217", "expiry_year": "2035", "security_code": ""},
        {"birth": "550217", "expiry_year": "2035", "security_code": "2285", "calendar": "julian"},
        {},
    ],
)
def test_invalid_input_sends_nothing(unlock: dict[str, str], make_card: Callable[..., VirtualCard]) -> None:
    card = make_card()
    with pytest.raises(OperatorInputError):
        DOCUMENT.read(InProcessTransport(card), unlock, store=TrustStore())
    assert card.log == []


def test_json_contract(make_card: Callable[..., VirtualCard], store: TrustStore) -> None:
    result = DOCUMENT.read(
        InProcessTransport(make_card("heisei1")), mc.genuine("heisei1").printed.unlock(), store=store
    )
    doc = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert doc["schema"] == "taimen.read/1"
    assert doc["document"] == "mynumber"
    assert doc["name"] == "鈴木\u3000一郎"
    assert doc["address"] == "北海道札幌市中央区北１条西２丁目"
    assert doc["birth_date"] == {"iso": "1989-01-08", "display_ja": "平成元年1月8日", "raw": "19890108", "flags": []}
    assert doc["sex"] == "male"
    assert doc["card_expiry"]["iso"] == "2032-01-08"
    assert doc["photo"]["mime"] == "image/jp2" and doc["photo"]["data_base64"]
    assert doc["fields"]["municipality_code"] == "01101"
    assert doc["fields"]["name_parts"] == {"family": "鈴木", "given": "一郎"}
    assert doc["verdict"]["status"] == "genuine" and doc["verdict"]["reasons"]
    names = [c["name"] for c in doc["checks"]]
    assert len(names) == len(set(names))
    for c in doc["checks"]:
        assert set(c) >= {"name", "status", "detail", "title", "covers", "not_covered", "required"}
        assert c["detail"]["ja"] and c["detail"]["en"]
    sig = next(c for c in doc["checks"] if c["name"] == "kenmen_ap.signature")
    assert any("DF29" in n for n in sig["not_covered"]) and any("DF2A" in n for n in sig["not_covered"])
    assert doc["stats"]["apdus"] > 0
