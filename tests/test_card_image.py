"""Card-image format v1 (docs/card-image.md): round trip, identical behaviour, strict rejection."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from taimen.emulator.behaviours import Mute, RsaChallenge
from taimen.emulator.card import DedicatedFile, ElementaryFile, KeyRef, VirtualCard
from taimen.emulator.image import FORMAT, MAX_IMAGE_BYTES, VERSION, card_from_json, card_to_json, load_card, save_card
from taimen.emulator.link import LinkModel
from taimen.errors import OperatorInputError
from taimen.transport.inprocess import InProcessTransport

AID = bytes.fromhex("D392F000260100000001")
AID2 = bytes.fromhex("A0000002310100000000000000000000")
SHA256_DI = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(b"m").digest()


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


def sample_card(key: rsa.RSAPrivateKey) -> VirtualCard:
    mf = DedicatedFile("MF")
    mf.add_key(KeyRef(0x0001, b"1234", 2, 3, sfi=1, name="暗証番号1"))
    mf.add_file(ElementaryFile(0x2F01, bytes.fromhex("C1020102"), name="共通"))
    app = DedicatedFile("券面AP", AID, behaviours=[RsaChallenge(key)])
    app.add_key(KeyRef(0x0015, b"ABCDEFGHIJKL", 10, 10, name="照合番号B"))
    app.add_file(ElementaryFile(0x0001, bytes(range(256)) * 3, sfi=1, read=(("0015",),), name="big"))
    app.add_file(ElementaryFile(0x0002, b"short", read=(("0015",), ("MF:0001",))))
    app.add_file(ElementaryFile(0x0003, b"free"))
    app.key_objects[0x0017] = "card key"
    app2 = DedicatedFile("DF1", AID2, behaviours=[Mute(0x00, 0x20, 0x6981)])
    app2.add_file(ElementaryFile(0x0001, b"needs both", read=(("MF:0001", "MF:0001"),)))
    return VirtualCard(
        mf,
        [app, app2],
        atr=bytes.fromhex("3B8A80019000"),
        extended_length=False,
        max_response=1000,
        card_type="test-card",
        behaviours=[Mute(0x80, 0xCA)],
        description="a card for tests",
        sample={"person": "yamada", "pins": {"pin1": "1234"}},
    )


# A fixed script of raw APDUs touching every feature; answers must be identical before and after a round trip.
SCRIPT = [
    "00A40000",
    "00A4020C022F01",
    "00B0000000",
    "00A4020C020001",
    "00200080",
    "0020008004" + b"9999".hex(),
    "00200080",
    "00A4040C0A" + AID.hex(),
    "00B0810010",
    "00A4020C020003",
    "00B0000000",
    "00B08100000000",
    "00A4020C020015",
    "002000800C" + b"ABCDEFGHIJKL".hex(),
    "00B0810000",
    "00B0000100",
    "00A4020C020002",
    "00B0000000",
    f"802A0000{len(SHA256_DI):02X}{SHA256_DI.hex()}00",
    "80CA000000",
    "00A4040C10" + AID2.hex(),
    "0020008104" + b"1234".hex(),
    "00A4020C020001",
    "00B0000000",
    "00A4040C05A000000099",
]


def run(card: VirtualCard) -> list[str]:
    card.power_on()
    return [card.execute(bytes.fromhex(a)).hex() for a in SCRIPT]


def test_round_trip_json_identical_and_identical_behaviour(tmp_path: Path, key: rsa.RSAPrivateKey) -> None:
    path = tmp_path / "card.json"
    original = sample_card(key)
    save_card(original, path)
    loaded = load_card(path)
    assert card_to_json(loaded) == card_to_json(sample_card(key))
    path2 = tmp_path / "again.json"
    save_card(loaded, path2)
    assert path2.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    assert run(load_card(path)) == run(sample_card(key))


def test_script_exercises_what_it_claims(key: rsa.RSAPrivateKey) -> None:
    answers = run(sample_card(key))
    sws = [a[-4:].upper() for a in answers]
    assert sws[4] == "63C2" and sws[6] == "63C1"  # MF key counter from the image (2 left), then 1
    assert sws[11] == "6700"  # extended_length false
    assert len(bytes.fromhex(answers[14])) - 2 == 256  # SFI read after VERIFY
    assert sws[18] == "9000" and len(bytes.fromhex(answers[18])) == 128 + 2  # RSA signature
    assert sws[19] == "6D00"  # card-wide Mute behaviour with its default status word
    assert sws[21] == "6981"  # per-DF Mute on VERIFY in DF1
    assert sws[23] == "6982"
    assert sws[24] == "6A82"


def test_saved_document_shape(key: rsa.RSAPrivateKey) -> None:
    doc = card_to_json(sample_card(key))
    assert doc["format"] == FORMAT == "taimen-card-image" and VERSION == 2
    assert doc["version"] == 1  # version 1 unless a version-2 feature is used
    assert doc["card_type"] == "test-card" and doc["atr"] == "3B8A80019000"
    assert doc["extended_length"] is False and doc["max_response"] == 1000
    assert doc["description"] == "a card for tests" and doc["sample"]["person"] == "yamada"
    app = doc["applications"][0]
    assert app["aid"] == AID.hex().upper() and app["name"] == "券面AP"
    big, short = app["files"][0], app["files"][1]
    assert "data_b64" in big and base64.b64decode(big["data_b64"]) == bytes(range(256)) * 3
    assert short["data_hex"] == b"short".hex().upper() and short["read"] == [["0015"], ["MF:0001"]]
    assert app["keys"] == [
        {
            "fid": "0015",
            "name": "照合番号B",
            "value_hex": b"ABCDEFGHIJKL".hex().upper(),
            "tries_left": 10,
            "max_tries": 10,
        }
    ]
    assert app["key_objects"] == {"0017": "card key"}
    assert app["behaviours"][0]["type"] == "rsa-challenge" and "PRIVATE KEY" in app["behaviours"][0]["private_key_pem"]
    assert doc["card_behaviours"] == [{"type": "mute", "cla": "80", "ins": "CA", "sw": "6D00"}]
    json.dumps(doc)  # plain JSON types only


def test_explicit_metadata_overrides_the_cards(key: rsa.RSAPrivateKey) -> None:
    doc = card_to_json(sample_card(key), description="other", person={"person": "reiwa"})
    assert doc["description"] == "other" and doc["sample"] == {"person": "reiwa"}


def minimal() -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": 1,
        "mf": {"name": "MF", "files": [{"fid": "0001", "data_ascii": "hello"}], "keys": []},
        "applications": [],
    }


def test_minimal_image_and_defaults() -> None:
    card = card_from_json(minimal())
    assert card.extended_length and card.max_response == 65536 and card.card_type == "generic"
    card.power_on()
    assert card.execute(bytes.fromhex("00A4020C020001")) == b"\x90\x00"
    assert card.execute(bytes.fromhex("00B0000000")) == b"hello\x90\x00"


def test_link_model_and_realtime_are_load_options() -> None:
    card = card_from_json(minimal(), link=LinkModel(bit_rate=848_000))
    assert card.meter.model.bit_rate == 848_000 and not card.realtime


@pytest.mark.parametrize(
    ("stem", "value"), [("data_hex", "68656C6C6F"), ("data_b64", "aGVsbG8="), ("data_ascii", "hello")]
)
def test_data_encodings(stem: str, value: str) -> None:
    doc = minimal()
    doc["mf"]["files"] = [{"fid": "0001", stem: value}]
    assert card_from_json(doc).mf.files[1].data == b"hello"


def _broken(change: Any) -> dict[str, Any]:
    doc = minimal()
    change(doc)
    return doc


def _set(path: str, value: Any) -> Any:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        if value is _DELETE:
            del node[last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return change


_DELETE = object()
_APP = {"name": "A", "aid": "A000000001", "files": [], "keys": []}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("format", "something-else"), "not a taimen card image"),
        (_set("format", _DELETE), "not a taimen card image"),
        (_set("version", 3), "unsupported card-image version 3"),
        (_set("version", "1"), "unsupported card-image version '1'"),
        (_set("version", _DELETE), "unsupported card-image version None"),
        (_set("mf", _DELETE), "missing 'mf'"),
        (_set("mf.behaviours", [{"type": "teleport"}]), "unknown behaviour type 'teleport'"),
        (_set("card_behaviours", [{"type": "nope"}]), "unknown behaviour type 'nope'"),
        (_set("mf.files.0.data_ascii", _DELETE), "data_hex, data_b64 or data_ascii expected"),
        (_set("mf.files.0", {"fid": "0001", "data_hex": "GG"}), "invalid"),
        (_set("mf.files.0", {"fid": "0001", "data_b64": "!!!"}), "invalid"),
        (_set("mf.files.0.fid", "12345"), "4 hex digits"),
        (_set("mf.files.0.fid", 1), "4 hex digits"),
        (_set("mf.files.0.sfi", 31), "SFI 31"),
        (_set("mf.files.0.sfi", "1"), "SFI '1'"),
        (_set("mf.files.0.read", "0011"), "list of non-empty lists"),
        (_set("mf.files.0.read", [[]]), "list of non-empty lists"),
        (_set("mf.files.0.read", [["00zz"]]), "key reference '00zz'"),
        (_set("mf.files.0.read", [["0011"]]), "does not define"),
        (_set("mf.keys", [{"fid": "0011", "value_hex": "31", "tries_left": 4, "max_tries": 3}]), "tries_left 4"),
        (_set("mf.keys", [{"fid": "0011", "value_hex": "31", "tries_left": -1}]), "tries_left -1"),
        (_set("mf.keys", [{"fid": "0011", "value_hex": "31"}]), "missing 'tries_left'"),
        (_set("mf.keys", [{"fid": "0001", "value_hex": "31", "tries_left": 3}]), "defined twice"),
        (_set("applications", [{"name": "A", "files": []}]), "needs an AID"),
        (_set("applications", [_APP, _APP]), "share an AID"),
        (
            _set("applications", [{**_APP, "files": [{"fid": "0001", "data_hex": "", "read": [["MF:0009"]]}]}]),
            "MF:0009",
        ),
        (_set("max_response", 0), "max_response 0"),
        (_set("max_response", "1000"), "max_response '1000'"),
        (_set("extended_length", "no"), "extended_length"),
        (_set("atr", "zz"), "invalid"),
    ],
)
def test_rejects_invalid_images(change: Any, message: str) -> None:
    with pytest.raises(OperatorInputError, match=message.replace("(", r"\(")):
        card_from_json(_broken(change))


@pytest.mark.parametrize("doc", [[], "text", 7, None])
def test_rejects_json_that_is_not_an_object(doc: Any, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(OperatorInputError, match="not a taimen card image"):
        load_card(path)


def test_rejects_invalid_json_and_encoding(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text("{not json")
    with pytest.raises(OperatorInputError, match="not valid JSON"):
        load_card(p)
    p.write_bytes(b"\xff\xfe{}")
    with pytest.raises(OperatorInputError, match="not valid JSON"):
        load_card(p)


def test_rejects_oversized_file(tmp_path: Path) -> None:
    p = tmp_path / "huge.json"
    with p.open("wb") as f:
        f.truncate(MAX_IMAGE_BYTES + 1)
    with pytest.raises(OperatorInputError, match="larger than"):
        load_card(p)


def test_mf_rules_may_name_mf_keys_either_way() -> None:
    doc = minimal()
    doc["mf"]["keys"] = [{"fid": "0011", "value_ascii": "1", "tries_left": 3}]
    doc["mf"]["files"][0]["read"] = [["0011"], ["MF:0011"]]
    card = card_from_json(doc)
    assert card.mf.files[1].read == (("0011",), ("MF:0011",))
    assert card.mf.keys[0x0011].max_tries == 3  # max_tries defaults to tries_left


def test_loading_never_shares_state_between_cards(key: rsa.RSAPrivateKey) -> None:
    doc = card_to_json(sample_card(key))
    a, b = card_from_json(copy.deepcopy(doc)), card_from_json(doc)
    a.power_on()
    a.execute(bytes.fromhex("00A4020C020001"))
    a.execute(bytes.fromhex("0020008004" + b"0000".hex()))
    assert a.mf.keys[1].tries_left == 1 and b.mf.keys[1].tries_left == 2


def test_the_example_in_the_documentation_loads_and_behaves() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "card-image.md").read_text(encoding="utf-8")
    example = text.split("## Example", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    card = card_from_json(json.loads(example))
    card.power_on()
    app = card.applications[0]
    assert card.execute(bytes.fromhex("00A4040C0A" + app.aid.hex())) == b"\x90\x00"  # type: ignore[union-attr]
    assert card.execute(bytes.fromhex("00B0840000")) == bytes.fromhex("3003020101") + b"\x90\x00"
    assert card.execute(bytes.fromhex("00A4020C020001")) == b"\x90\x00"
    assert card.execute(bytes.fromhex("00B0000000")) == b"\x69\x82"
    assert card.execute(bytes.fromhex("00A4020C020011")) == b"\x90\x00"
    assert card.execute(bytes.fromhex("0020008004") + b"1234") == b"\x90\x00"
    assert card.execute(bytes.fromhex("00A4020C020001")) == b"\x90\x00"
    assert card.execute(bytes.fromhex("00B0000000")) == bytes.fromhex("5F1F03010203") + b"\x90\x00"
    assert card.execute(bytes.fromhex("802A000000")) == b"\x6d\x00"


def test_query_after_verify_per_key_and_version_2(tmp_path: Path) -> None:
    """Issue 13 item 2: per key, what the tries query answers once the key is verified (JPKI cards: 63Cx)."""
    from taimen.core import apdu
    from taimen.samples import mynumber_cards as mc

    card = mc.genuine("yamada").card()
    path = tmp_path / "card.json"
    save_card(card, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["version"] == 2
    jpki = next(a for a in doc["applications"] if a["aid"] == "D392F000260100000001")
    assert {k["fid"]: k.get("query_after_verify") for k in jpki["keys"]} == {"0018": "63Cx", "001B": "63Cx"}
    other = [k for a in doc["applications"] if a is not jpki for k in a["keys"]]
    assert other and all("query_after_verify" not in k for k in other)  # default 9000, not written

    loaded = load_card(path)
    t = InProcessTransport(loaded)
    t.transmit(apdu.select_aid(bytes.fromhex("D392F000260100000001")))
    t.transmit(apdu.select_ef(0x0018))
    assert t.transmit(apdu.verify(b"1234")).sw == 0x9000
    assert t.transmit(apdu.verify_query()).sw == 0x63C3  # verified, and still answers 63Cx
    bad = json.loads(path.read_text(encoding="utf-8"))
    next(a for a in bad["applications"] if a["aid"] == "D392F000260100000001")["keys"][0]["query_after_verify"] = "x"
    with pytest.raises(OperatorInputError, match="query_after_verify"):
        card_from_json(bad)
