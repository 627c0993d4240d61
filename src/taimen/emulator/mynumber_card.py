"""The My Number Card as an emulated card type: 券面事項入力補助AP, 券面AP and JPKI AP with their access rules.

Access rules follow the reference (mynumber-card.md §1): in the 入力補助AP the PIN or 照合番号A opens EF 0001,
the PIN or 照合番号B opens EF 0002, and the PIN or either 照合番号 opens EF 0003/0006/0007; in the 券面AP
照合番号A or B opens EF 0002/0006 while only A opens EF 0005 and only the birth-date key opens EF 0001.
EF 0004 (CVC), the basic-info files and the JPKI token/authentication certificates are free.

JPKI AP: EF 0006 token, 000A/000B (利用者証明用 certificate and its CA, free), 0001 (署名用 certificate, behind
the 署名用 password 001B) and 0002 (its CA), key objects 0017/001A and the signature command as OpenSC's
card-jpki.c sends it (``SelectedKeySign``); its PIN keys answer the tries query 63Cx even once verified, as
real JPKI cards do. tests/e2e/test_opensc_jpki.py runs OpenSC against it.

Retry counts: 入力補助 PIN 3, JPKI authentication PIN 3, JPKI signing password 5 (reference §4). The counts
for 照合番号A/B and the birth-date key are not known from any source; ``SHOGO_TRIES`` is this emulator's own
**unverified** choice and taimen never relies on it (the reader always queries the counter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from taimen.emulator.behaviours import AcceptAnyVerify, Mute, RsaChallenge
from taimen.emulator.card import DedicatedFile, ElementaryFile, KeyRef, VirtualCard
from taimen.emulator.keysign import SelectedKeySign
from taimen.emulator.link import LinkModel
from taimen.mynumber.aids import JPKI_AP, KENMEN_AP, TEXT_AP, JpkiAp, KenmenAp, TextAp

CARD_TYPE = "mynumber"
#: Unverified choice (no source gives the 照合番号A/B or birth-key counts).
SHOGO_TRIES = 10
PIN_TRIES = 3
JPKI_AUTH_TRIES = 3
JPKI_SIGN_TRIES = 5
#: A contactless ATR as a PC/SC reader synthesises it for a Type B card; detection never relies on it.
ATR = bytes.fromhex("3B8880010000000000718100F9")


@dataclass
class MynumberChip:
    """Everything on one chip: file contents, reference data and the APs' private keys."""

    text_files: dict[int, bytes]  # 入力補助AP EF → bytes
    kenmen_files: dict[int, bytes]  # 券面AP
    jpki_files: dict[int, bytes]
    pin: str
    shogo_a: str  # = the 個人番号
    shogo_b: str
    birth_key: str
    jpki_auth_pin: str
    jpki_sign_password: str
    text_key: rsa.RSAPrivateKey  # 入力補助AP key 0013: signs challenges
    card_key: rsa.RSAPrivateKey  # 券面AP default key (DF24): signs challenges
    #: JPKI private keys (0017 利用者証明用, 001A 署名用); None: the AP cannot sign.
    jpki_auth_key: rsa.RSAPrivateKey | None = None
    jpki_sign_key: rsa.RSAPrivateKey | None = None
    #: Replacements that turn this into a forged chip (tests and forged samples only).
    text_behaviours: list[Any] | None = None
    kenmen_behaviours: list[Any] | None = None
    tries: dict[str, int] = field(default_factory=dict)


def _key(fid: int, value: str, tries: int, name: str, max_tries: int | None = None) -> KeyRef:
    return KeyRef(fid, value.encode("ascii"), tries, max_tries if max_tries is not None else tries, name=name)


def build_card(chip: MynumberChip, *, link: LinkModel | None = None) -> VirtualCard:
    t = chip.tries
    pin, a, b = ("0011",), ("0014",), ("0015",)
    text = DedicatedFile("券面事項入力補助AP", TEXT_AP)
    rules = {
        TextAp.INDIVIDUAL_NUMBER: (pin, a),
        TextAp.ATTRIBUTES: (pin, b),
        TextAp.INTEGRITY: (pin, a, b),
        0x0006: (pin, a, b),
        TextAp.SIGNED_KEY: (pin, a, b),
    }
    for fid, data in chip.text_files.items():
        text.add_file(ElementaryFile(fid, data, read=rules.get(fid, ())))
    text.add_key(_key(TextAp.PIN, chip.pin, t.get("text_pin", PIN_TRIES), "PIN", PIN_TRIES))
    text.add_key(KeyRef(0x0012, b"\x00" * 8, 0, 3, name="blocked (purpose unknown)"))
    text.add_key(_key(TextAp.SHOGO_A, chip.shogo_a, t.get("text_a", SHOGO_TRIES), "照合番号A", SHOGO_TRIES))
    text.add_key(_key(TextAp.SHOGO_B, chip.shogo_b, t.get("text_b", SHOGO_TRIES), "照合番号B", SHOGO_TRIES))
    text.behaviours = chip.text_behaviours if chip.text_behaviours is not None else [RsaChallenge(chip.text_key)]

    kenmen = DedicatedFile("券面AP", KENMEN_AP)
    birth, ka, kb = ("0011",), ("0013",), ("0012",)
    krules = {
        KenmenAp.AGE: (birth,),
        KenmenAp.CARD_FACE: (ka, kb),
        KenmenAp.INDIVIDUAL_NUMBER_IMAGE: (ka,),
        0x0006: (ka, kb),
    }
    for fid, data in chip.kenmen_files.items():
        kenmen.add_file(ElementaryFile(fid, data, read=krules.get(fid, ())))
    kenmen.add_key(
        _key(KenmenAp.BIRTH_KEY, chip.birth_key, t.get("kenmen_birth", SHOGO_TRIES), "生年月日", SHOGO_TRIES)
    )
    kenmen.add_key(_key(KenmenAp.SHOGO_B, chip.shogo_b, t.get("kenmen_b", SHOGO_TRIES), "照合番号B", SHOGO_TRIES))
    kenmen.add_key(_key(KenmenAp.SHOGO_A, chip.shogo_a, t.get("kenmen_a", SHOGO_TRIES), "照合番号A", SHOGO_TRIES))
    kenmen.behaviours = chip.kenmen_behaviours if chip.kenmen_behaviours is not None else [RsaChallenge(chip.card_key)]

    jpki = DedicatedFile("公的個人認証AP", JPKI_AP)
    jrules = {JpkiAp.SIGN_CERT: (("001B",),)}
    for fid, data in chip.jpki_files.items():
        jpki.add_file(ElementaryFile(fid, data, read=jrules.get(fid, ())))
    # A real JPKI card answers the tries query with 63Cx even after a successful VERIFY (OpenSC PR #959, from
    # a real card; OpenSC's card-jpki.c requires SW1 = 63 there).
    auth_pin = _key(JpkiAp.AUTH_PIN, chip.jpki_auth_pin, JPKI_AUTH_TRIES, "利用者証明用PIN")
    sign_pin = _key(JpkiAp.SIGN_PASSWORD, chip.jpki_sign_password, JPKI_SIGN_TRIES, "署名用パスワード")
    auth_pin.query_after_verify = sign_pin.query_after_verify = "63Cx"
    jpki.add_key(auth_pin)
    jpki.add_key(sign_pin)
    signers: dict[int, tuple[rsa.RSAPrivateKey, int]] = {}
    if chip.jpki_auth_key is not None:
        jpki.key_objects[JpkiAp.AUTH_KEY] = "利用者証明用秘密鍵"
        signers[JpkiAp.AUTH_KEY] = (chip.jpki_auth_key, JpkiAp.AUTH_PIN)
    if chip.jpki_sign_key is not None:
        jpki.key_objects[JpkiAp.SIGN_KEY] = "署名用秘密鍵"
        signers[JpkiAp.SIGN_KEY] = (chip.jpki_sign_key, JpkiAp.SIGN_PASSWORD)
    if signers:
        jpki.behaviours.append(SelectedKeySign(signers))

    return VirtualCard(DedicatedFile("MF"), [jpki, text, kenmen], atr=ATR, card_type=CARD_TYPE, link=link)


def accept_any_b() -> tuple[list[Any], list[Any]]:
    """Behaviours of a forged chip that accepts any 照合番号B at both APs and cannot sign challenges."""
    return (
        [AcceptAnyVerify((TextAp.SHOGO_B,)), Mute(0x80, 0x2A)],
        [AcceptAnyVerify((KenmenAp.SHOGO_B,)), Mute(0x80, 0x2A)],
    )
