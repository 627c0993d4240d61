"""Shared builders for the licence tests (a module, not a conftest, so e2e tests can import it too)."""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from taimen.emulator.card import VirtualCard
from taimen.emulator.license_card import SignerInfo, build_license_card, build_license_files
from taimen.samples.license_cards import sample_signer
from taimen.samples.persons import LicenseFacts, Person, person


@lru_cache(maxsize=1)
def signer_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def signer() -> SignerInfo:
    return sample_signer(signer_key())[0]


def write_trust_dir(root: Path) -> Path:
    """A trust directory holding the test signer's certificate under ``license/``."""
    _, cert = sample_signer(signer_key())
    (root / "license").mkdir(parents=True, exist_ok=True)
    (root / "license" / "signer.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return root


@lru_cache(maxsize=16)
def files_for(key: str) -> dict[str, bytes]:
    return build_license_files(person(key), signer())


def card_for(key: str, **kw: object) -> VirtualCard:
    return build_license_card(person(key), signer(), files=dict(files_for(key)), **kw)  # type: ignore[arg-type]


def with_facts(key: str, **changes: object) -> Person:
    p = person(key)
    assert p.license is not None
    return dataclasses.replace(p, license=dataclasses.replace(p.license, **changes))  # type: ignore[arg-type]


def facts(key: str) -> LicenseFacts:
    f = person(key).license
    assert f is not None
    return f


#: Hex/base64 encodings of card bytes and measured numbers, where any digit string can occur by chance.
BINARY_KEYS = {"raw", "data_base64", "sha256", "ski", "hex", "code", "stats", "bytes"}


def strip_binary(doc: object) -> object:
    """The JSON without hex/base64 encodings of card bytes (where any digit string can occur by chance)."""
    if isinstance(doc, dict):
        return {k: strip_binary(v) for k, v in doc.items() if k not in BINARY_KEYS}
    if isinstance(doc, list):
        return [strip_binary(v) for v in doc]
    return doc


def assert_no_pin(text: str, pins: tuple[str, ...], *, json_doc: object | None = None) -> None:
    """No PIN as text (outside binary encodings) nor as the hex of its JIS X 0201 bytes."""
    import json

    for pin in pins:
        assert pin.encode().hex() not in text.lower(), "hex of a PIN found in output"
        if json_doc is not None:
            assert pin not in json.dumps(strip_binary(json_doc), ensure_ascii=False)
        else:
            assert pin not in text
