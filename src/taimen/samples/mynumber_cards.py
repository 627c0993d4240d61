"""Sample My Number Cards built from the synthetic persons, and forged variants. Never real people or keys.

``build(out_dir)`` writes one card image per person (docs: emulator/image.py) plus the forged variants and a
``trust/`` directory holding the test anchors they verify against (pass it with ``--trust-dir``). Each card
image records, under ``sample``, what is printed on its face: the values to type.

Assumptions where no source gives the facts (the reader never relies on them): file sizes and filler,
image dimensions (name/address rendered at 24 px, photo 120×160 greyscale JPEG 2000), the 照合番号A/B and
birth-key retry counts (emulator/mynumber_card.py), and for the Gregorian-dated foreign resident the
birth-date digits of 照合番号B (last two digits of the Gregorian year, **unverified**).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from PIL import Image

from taimen import wareki
from taimen.core import tlv
from taimen.emulator.behaviours import Mute, RsaChallenge, raw_pkcs1_sign
from taimen.emulator.card import VirtualCard
from taimen.emulator.image import card_to_json, save_card
from taimen.emulator.link import LinkModel
from taimen.emulator.mynumber_card import MynumberChip, accept_any_b, build_card
from taimen.mynumber import kenmen_ap, shogo_b
from taimen.mynumber.aids import JpkiAp, KenmenAp, TextAp
from taimen.mynumber.cvc import make_key_id
from taimen.mynumber.offset_table import encode_indexed_record
from taimen.mynumber.signatures import encode_rsa_public_key, sign_sha256
from taimen.samples import jlis_test_pki
from taimen.samples.face import portrait
from taimen.samples.jlis_test_pki import SamplePki, new_key
from taimen.samples.persons import PERSONS, Person, person
from taimen.samples.text_images import render_fixed, render_lines

PHOTO_SIZE = (120, 160)
TEXT_EF0002_SIZE = 512  # assumed fixed allocation; the object is followed by FF filler
FACE_FILLER = 16


@dataclass(frozen=True)
class Printed:
    """What the card face shows and the clerk types."""

    birth: str  # as printed: 昭和55年2月17日 or 1985年7月4日
    birth_digits: str
    calendar: str
    expiry_year: str
    security_code: str

    def unlock(self) -> dict[str, str]:
        return {
            "birth": self.birth_digits,
            "calendar": self.calendar,
            "expiry_year": self.expiry_year,
            "security_code": self.security_code,
        }

    def shogo_b(self) -> str:
        return self.birth_digits + self.expiry_year + self.security_code


def printed_for(p: Person) -> Printed:
    cal = shogo_b.SEIREKI if p.birth_calendar == "seireki" else shogo_b.WAREKI
    text = wareki.format_seireki(p.birth_date) if cal == shogo_b.SEIREKI else wareki.format_ja(p.birth_date)
    return Printed(text, shogo_b.birth_digits(p.birth_date, cal), cal, f"{p.mynumber_expiry.year:04d}", p.security_code)


# --- records -------------------------------------------------------------------------------------------


def photo_jp2(seed: int, size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    img = portrait(seed).convert("L").resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, "JPEG2000", irreversible=True, quality_mode="rates", quality_layers=[5], no_jp2=False)
    return out.getvalue()


def _d8(d: dt.date) -> bytes:
    return d.strftime("%Y%m%d").encode()


def text_attributes(name: str, address: str, birth: dt.date, sex: str) -> bytes:
    return encode_indexed_record(
        outer_tag=0xFF20,
        table_tag=0xDF21,
        fields=[(0xDF22, name.encode()), (0xDF23, address.encode()), (0xDF24, _d8(birth)), (0xDF25, sex.encode())],
    )


def text_integrity(number_file: bytes, attributes: bytes, issuer: rsa.RSAPrivateKey) -> bytes:
    outer = tlv.parse_single(attributes, 0xFF20)
    table = tlv.parse_one(outer.value)[0]
    after_table = outer.value[len(table.raw) :]
    d31 = tlv.encode(0xDF31, hashlib.sha256(number_file).digest())
    d32 = tlv.encode(0xDF32, hashlib.sha256(after_table).digest())
    return tlv.encode(0xFF30, d31 + d32 + tlv.encode(0xDF33, sign_sha256(issuer, d31 + d32)))


def signed_key(key: rsa.RSAPublicKey, issuer: rsa.RSAPrivateKey) -> bytes:
    d51 = tlv.encode(0xDF51, encode_rsa_public_key(key))
    return tlv.encode(0xFF50, d51 + tlv.encode(0xDF52, sign_sha256(issuer, d51)))


def card_face(p: Person, card_key: rsa.RSAPublicKey, issuer: rsa.RSAPrivateKey, *, photo: bytes | None = None) -> bytes:
    """券面AP EF 0002 with a DF28 signature over the three digests; ``photo`` swaps DF27 *after* signing."""
    signed = [
        (0xDF22, _d8(p.birth_date)),
        (0xDF23, p.sex.encode()),
        (0xDF24, encode_rsa_public_key(card_key)),
        (0xDF25, render_lines(p.name)),
        (0xDF26, render_lines(p.address)),
        (0xDF27, photo_jp2(p.face_seed)),
    ]
    objects = {tag: tlv.parse_one(tlv.encode(tag, value))[0] for tag, value in signed}
    signature = raw_pkcs1_sign(issuer, kenmen_ap.face_digest_info(objects))
    if photo is not None:
        signed[5] = (0xDF27, photo)
    fields = [
        *signed,
        (0xDF28, signature),
        (0xDF29, _d8(p.mynumber_expiry)),
        (0xDF2A, render_fixed(p.security_code, 24, 12)),
    ]
    return encode_indexed_record(outer_tag=0xFF20, table_tag=0xDF21, fields=fields) + b"\xff" * FACE_FILLER


def _signed_record(outer: int, objects: list[tuple[int, bytes]], sig_tag: int, issuer: rsa.RSAPrivateKey) -> bytes:
    body = b"".join(tlv.encode(t, v) for t, v in objects)
    return tlv.encode(outer, body + tlv.encode(sig_tag, sign_sha256(issuer, body)))


def _auth_cert_validity(p: Person) -> tuple[dt.date, dt.date]:
    """利用者証明用 certificates run to the 5th birthday after issue (capped here by the card expiry)."""
    issue = p.mynumber_issue
    first = issue.year if (p.birth_date.month, p.birth_date.day) > (issue.month, issue.day) else issue.year + 1
    year = first + 4
    try:
        fifth = p.birth_date.replace(year=year)
    except ValueError:  # born on 29 February
        fifth = dt.date(year, 2, 28)
    return issue, min(fifth, p.mynumber_expiry)


def chip_for(p: Person, pki: SamplePki) -> MynumberChip:
    printed = printed_for(p)
    text_key, card_key, auth_key, sign_key = new_key(), new_key(), new_key(), new_key()
    number = p.individual_number
    number_file = tlv.encode(0xFF10, number.encode()) + b"\xff\xff"
    attributes = text_attributes(p.name, p.address, p.birth_date, p.sex)
    text_issuer, kenmen_issuer = pki.text_issuer.key, pki.kenmen_issuer.key
    text_files = {
        TextAp.INDIVIDUAL_NUMBER: number_file,
        TextAp.ATTRIBUTES: attributes + b"\xff" * max(0, TEXT_EF0002_SIZE - len(attributes)),
        TextAp.INTEGRITY: text_integrity(number_file, attributes, text_issuer),
        TextAp.CVC: pki.text_cvc(),
        TextAp.BASIC_INFO: tlv.encode(
            0xFF40,
            tlv.encode(0xDF41, bytes.fromhex("01030E01"))
            + tlv.encode(0xDF42, make_key_id("9000034"))
            + tlv.encode(0xDF43, os.urandom(32) + b"\xff" * 96),
        ),
        0x0006: tlv.encode(0xA1, encode_rsa_public_key(pki.jpki_root_key.public_key())),
        TextAp.SIGNED_KEY: signed_key(text_key.public_key(), text_issuer),
        0x0008: b"\xff" * 16,
    }
    card_pub = encode_rsa_public_key(card_key.public_key())
    kenmen_files = {
        KenmenAp.AGE: _signed_record(0xFF10, [(0xDF11, _d8(p.birth_date)), (0xDF12, card_pub)], 0xDF13, kenmen_issuer),
        KenmenAp.CARD_FACE: card_face(p, card_key.public_key(), kenmen_issuer),
        KenmenAp.BASIC_INFO: tlv.encode(
            0xFF30,
            tlv.encode(0xDF31, bytes.fromhex("06030E01"))
            + tlv.encode(0xDF32, make_key_id("9000024"))
            + tlv.encode(0xDF33, b"\x01")
            + tlv.encode(0xDF34, p.municipality_code.encode())
            + tlv.encode(0xDF35, make_key_id("9000024") + os.urandom(256)),
        ),
        KenmenAp.CVC: pki.kenmen_cvc(),
        KenmenAp.INDIVIDUAL_NUMBER_IMAGE: _signed_record(
            0xFF40, [(0xDF41, render_fixed(number, 72, 12)), (0xDF42, card_pub)], 0xDF43, kenmen_issuer
        ),
        0x0006: tlv.encode(0xFF60, b"\x00" * 8),
    }
    not_before, not_after = _auth_cert_validity(p)
    auth = jlis_test_pki.jpki_auth_certificate(pki, auth_key.public_key(), not_before, not_after, number[-6:])
    jpki_files = {
        JpkiAp.TOKEN_INFO: b"JPKIAPICCTOKEN2".ljust(32, b" "),
        0x0008: b"\x01\x00\x01",
        JpkiAp.AUTH_CERT: auth.public_bytes(Encoding.DER),
        JpkiAp.AUTH_CA_CERT: pki.jpki_root.public_bytes(Encoding.DER),
    }
    if pki.jpki_sign_root is not None:
        sign = jlis_test_pki.jpki_sign_certificate(pki, sign_key.public_key(), not_before, not_after, p.name)
        jpki_files[JpkiAp.SIGN_CERT] = sign.public_bytes(Encoding.DER)
        jpki_files[JpkiAp.SIGN_CA_CERT] = pki.jpki_sign_root.public_bytes(Encoding.DER)
    return MynumberChip(
        text_files=text_files,
        kenmen_files=kenmen_files,
        jpki_files=jpki_files,
        pin="1234",
        shogo_a=number,
        shogo_b=printed.shogo_b(),
        birth_key=printed.birth_digits,
        jpki_auth_pin="1234",
        jpki_sign_password="ABCDEF123456",
        text_key=text_key,
        card_key=card_key,
        jpki_auth_key=auth_key,
        jpki_sign_key=sign_key,
    )


# --- samples -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleCard:
    key: str  # file stem
    person: Person
    printed: Printed
    chip: MynumberChip
    expected: str  # the verdict taimen must reach
    description: str

    def card(self, link: LinkModel | None = None) -> VirtualCard:
        return build_card(self.chip, link=link)

    def sample_info(self) -> dict[str, Any]:
        return {
            "document": "mynumber",
            "person": self.person.key,
            "name": self.person.name,
            "printed": {
                "birth": self.printed.birth,
                "birth_digits": self.printed.birth_digits,
                "calendar": self.printed.calendar,
                "expiry_year": self.printed.expiry_year,
                "security_code": self.printed.security_code,
            },
            "expected_verdict": self.expected,
        }


@cache
def genuine(key: str) -> SampleCard:
    p = person(key)
    expected = "attention" if p.mynumber_expiry < dt.date.today() else "genuine"
    what = "expired card" if expected == "attention" else "genuine card"
    return SampleCard(
        f"mynumber-{key}", p, printed_for(p), chip_for(p, jlis_test_pki.default()), expected, f"{what}: {p.name}"
    )


FORGERIES: dict[str, tuple[str, str]] = {
    "unknown-ca": ("attention", "data and certificates re-signed by a CA key no trust store holds"),
    "photo-swapped": ("not_genuine", "photo (DF27) replaced after the card face was signed"),
    "text-altered": ("not_genuine", "name in the text AP EF 0002 altered; EF 0003 left as issued"),
    "cvc-swapped": ("not_genuine", "the 券面AP EF 0004 holds the text AP's certificate"),
    "bad-cvc-signature": ("not_genuine", "the 券面AP CVC names the known CA key 9000023 but its signature is bad"),
    "copy-mute": ("attention", "genuine files copied onto a chip that cannot answer the challenge"),
    "copy-other-key": ("not_genuine", "genuine files copied onto a chip that answers with its own key"),
    "any-b": ("not_genuine", "a chip that accepts any 照合番号B; the printed face claims expiry 2036"),
}


@cache
def forged(variant: str) -> SampleCard:
    expected, description = FORGERIES[variant]
    base = genuine("yamada")
    p, chip, printed = base.person, base.chip, base.printed
    pki = jlis_test_pki.default()
    if variant == "unknown-ca":
        chip = chip_for(p, jlis_test_pki.rogue())
    elif variant == "photo-swapped":
        # The forger cannot re-sign: DF28 stays the issuer's signature over the original photo.
        face = card_face(p, chip.card_key.public_key(), pki.kenmen_issuer.key, photo=photo_jp2(99))
        chip = replace(chip, kenmen_files={**chip.kenmen_files, KenmenAp.CARD_FACE: face})
    elif variant == "text-altered":
        altered = text_attributes("山田\u3000花代", p.address, p.birth_date, p.sex)
        chip = replace(chip, text_files={**chip.text_files, TextAp.ATTRIBUTES: altered})
    elif variant == "cvc-swapped":
        chip = replace(chip, kenmen_files={**chip.kenmen_files, KenmenAp.CVC: chip.text_files[TextAp.CVC]})
    elif variant == "bad-cvc-signature":
        cvc = bytearray(chip.kenmen_files[KenmenAp.CVC])
        cvc[-1] ^= 0x01
        chip = replace(chip, kenmen_files={**chip.kenmen_files, KenmenAp.CVC: bytes(cvc)})
    elif variant == "copy-mute":
        chip = replace(chip, text_behaviours=[Mute(0x80, 0x2A)], kenmen_behaviours=[Mute(0x80, 0x2A)])
    elif variant == "copy-other-key":
        other = new_key()
        chip = replace(chip, text_behaviours=[RsaChallenge(other)], kenmen_behaviours=[RsaChallenge(other)])
    elif variant == "any-b":
        text_b, kenmen_b = accept_any_b()
        printed = replace(printed, expiry_year="2036", security_code="1234")
        chip = replace(chip, shogo_b="00000000000000", text_behaviours=text_b, kenmen_behaviours=kenmen_b)
    return SampleCard(f"mynumber-forged-{variant}", p, printed, chip, expected, f"FORGED: {description}")


def all_samples() -> list[SampleCard]:
    return [genuine(p.key) for p in PERSONS] + [forged(v) for v in FORGERIES]


def build(out_dir: Path) -> list[Path]:
    """Write every sample card image and the trust directory of the test anchors into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = jlis_test_pki.default().write_trust_dir(out_dir / "trust")
    for sample in all_samples():
        path = out_dir / f"{sample.key}.json"
        save_card(sample.card(), path, description=sample.description, person=sample.sample_info())
        written.append(path)
    return written


__all__ = ["FORGERIES", "Printed", "SampleCard", "all_samples", "build", "card_to_json", "forged", "genuine"]
