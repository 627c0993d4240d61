"""The trust store: built-in anchors match their recorded provenance; extra directories add and replace."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from taimen.errors import OperatorInputError
from taimen.trust import TrustStore

PROVENANCE = resources.files("taimen.trust") / "anchors" / "PROVENANCE.md"


def test_builtin_fingerprints_match_provenance() -> None:
    store = TrustStore.load(builtin=True, environment=False)
    recorded = {
        m.group(2).replace(":", "")
        for m in re.finditer(r"^- (\w+) `([0-9A-F:]+)`", PROVENANCE.read_text(encoding="utf-8"), re.M)
    }
    pinned = {a.fingerprint for a in store.certificates("jpki")}
    assert len(recorded) == 6
    assert pinned == recorded


#: The three generations J-LIS publishes of each JPKI root (serial, not before, not after).
JPKI_GENERATIONS = {
    ("user authentication", "01", "2015-10-20", "2025-10-19"),
    ("user authentication", "133C349", "2019-09-14", "2029-09-14"),
    ("user authentication", "6D18006", "2023-07-16", "2033-07-15"),
    ("digital signature", "01", "2015-10-20", "2025-10-19"),
    ("digital signature", "132C4AB", "2019-09-14", "2029-09-14"),
    ("digital signature", "67C6A21", "2023-07-16", "2033-07-15"),
}


def test_builtin_jpki_roots_cover_all_three_generations() -> None:
    """2019 generation too: certificates issued 2019-09 to 2023-07 chain to authca02/signca02."""
    store = TrustStore.load(builtin=True, environment=False)
    found = set()
    for anchor in store.certificates("jpki"):
        cert = anchor.certificate
        cert.verify_directly_issued_by(cert)  # self-signed
        ou = [a.value for a in cert.subject if a.oid.dotted_string == "2.5.4.11"]
        purpose = "user authentication" if "JPKI for user authentication" in ou else "digital signature"
        found.add(
            (
                purpose,
                format(cert.serial_number, "X").lstrip("0") or "0",
                cert.not_valid_before_utc.date().isoformat(),
                cert.not_valid_after_utc.date().isoformat(),
            )
        )
    assert {(p, s.lstrip("0") or "0", a, b) for p, s, a, b in JPKI_GENERATIONS} == found


def test_builtin_cvc_keys_by_full_key_id() -> None:
    store = TrustStore.load(builtin=True, environment=False)
    prod = store.cvc_key(bytes.fromhex("35303030303233080530303100000000"))
    test = store.cvc_key(bytes.fromhex("36303030303233080530303100000000"))
    assert prod is not None and prod.role == "kenmen_ap" and not prod.is_jlis_test and prod.unofficial
    assert test is not None and test.role == "kenmen_ap" and test.is_jlis_test
    assert store.cvc_key(bytes.fromhex("35303030303333080530303100000000")).role == "text_ap"  # type: ignore[union-attr]
    # The same number with a different padding byte is a different key ID.
    assert store.cvc_key(bytes.fromhex("35303030303233080530303100000001")) is None
    assert store.cvc_key(bytes.fromhex("353030303032300805303031000000A8")).role == "mf_chain"  # type: ignore[union-attr]


def _key_file(tmp: Path, key: rsa.RSAPublicKey, key_id: bytes, role: str | None) -> None:
    n = key.public_numbers()
    spec = {
        "key_id_hex": key_id.hex(),
        "name": "9000023/001",
        "hierarchy": "taimen-sample",
        "modulus_hex": f"{n.n:x}",
        "exponent_hex": f"{n.e:06x}",
    }
    if role:
        spec["role"] = role
    (tmp / "jlis-cvc").mkdir(parents=True, exist_ok=True)
    (tmp / "jlis-cvc" / "k.json").write_text(json.dumps({"keys": [spec]}))


def test_trust_dir_adds_and_replaces(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    prod_id = bytes.fromhex("35303030303233080530303100000000")
    _key_file(tmp_path, key, prod_id, "kenmen_ap")
    store = TrustStore.load([tmp_path], builtin=True, environment=False)
    replaced = store.cvc_key(prod_id)
    assert replaced is not None and replaced.public_key.public_numbers() == key.public_numbers()
    assert replaced.source.startswith(str(tmp_path))


def test_env_dirs_and_no_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    kid = b"9000033\x08\x05001\x00\x00\x00\x00"
    _key_file(tmp_path, key, kid, None)
    monkeypatch.setenv("TAIMEN_TRUST_DIRS", str(tmp_path))
    monkeypatch.setenv("TAIMEN_TRUST_NO_BUILTIN", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "none"))
    store = TrustStore.load()
    assert [a.key_id for a in store.cvc_keys()] == [kid]
    assert store.certificates("jpki") == []


def test_bad_trust_files_are_operator_errors(tmp_path: Path) -> None:
    (tmp_path / "jlis-cvc").mkdir()
    (tmp_path / "jlis-cvc" / "bad.json").write_text('{"keys": [{"key_id_hex": "00", "modulus_hex": "01"}]}')
    with pytest.raises(OperatorInputError):
        TrustStore.load([tmp_path], builtin=False, environment=False)
    with pytest.raises(OperatorInputError):
        TrustStore.load([tmp_path / "missing"], builtin=False, environment=False)
    (tmp_path / "jlis-cvc" / "bad.json").unlink()
    (tmp_path / "jpki").mkdir()
    (tmp_path / "jpki" / "x.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(OperatorInputError):
        TrustStore.load([tmp_path], builtin=False, environment=False)
