"""Applications and files of the My Number Card that taimen touches (reference §1)."""

from __future__ import annotations

#: 券面事項入力補助AP ("text" AP): the 4 attributes as text.
TEXT_AP = bytes.fromhex("D3921000310001010408")
#: 券面事項確認AP (券面AP): the card face (images, photo) and its signature.
KENMEN_AP = bytes.fromhex("D3921000310001010402")
#: 公的個人認証AP (JPKI).
JPKI_AP = bytes.fromhex("D392F000260100000001")


class TextAp:
    """券面事項入力補助AP files. EF 0001 (個人番号) exists but taimen never selects it."""

    INDIVIDUAL_NUMBER = 0x0001  # never read: listed so tests can prove it is never selected
    ATTRIBUTES = 0x0002  # 基本4情報: name, address, birth date, sex (PIN or 照合番号B)
    INTEGRITY = 0x0003  # DF31/DF32 digests and DF33 signature (PIN or either 照合番号)
    CVC = 0x0004  # the AP's card-verifiable certificate (free)
    BASIC_INFO = 0x0005  # AP basic info (free)
    SIGNED_KEY = 0x0007  # the AP's challenge key DF51, signed (PIN or either 照合番号)
    PIN = 0x0011  # 4-digit PIN, 3 tries (never used by taimen)
    SHOGO_A = 0x0014  # 照合番号A (= the 個人番号; never used by taimen)
    SHOGO_B = 0x0015  # 照合番号B


class KenmenAp:
    """券面AP files. EF 0005 (rendered 個人番号) exists but taimen never selects it."""

    AGE = 0x0001  # birth-date key only
    CARD_FACE = 0x0002  # 照合番号A or B
    BASIC_INFO = 0x0003  # municipality code (free)
    CVC = 0x0004  # free
    INDIVIDUAL_NUMBER_IMAGE = 0x0005  # 照合番号A only: never read
    BIRTH_KEY = 0x0011
    SHOGO_B = 0x0012
    SHOGO_A = 0x0013


class JpkiAp:
    SIGN_CERT = 0x0001  # needs the signing password: never read
    SIGN_CA_CERT = 0x0002  # the 署名用 CA certificate (free; taimen does not read it)
    TOKEN_INFO = 0x0006  # free
    AUTH_CERT = 0x000A  # 利用者証明用 certificate, free
    AUTH_CA_CERT = 0x000B  # its CA certificate, free (never trusted)
    AUTH_KEY = 0x0017  # 利用者証明用 private key (selected before 80 2A; taimen never signs)
    AUTH_PIN = 0x0018
    SIGN_KEY = 0x001A  # 署名用 private key
    SIGN_PASSWORD = 0x001B


#: Files taimen must never select: the 個人番号 in either form.
FORBIDDEN = {(TEXT_AP, TextAp.INDIVIDUAL_NUMBER), (KENMEN_AP, KenmenAp.INDIVIDUAL_NUMBER_IMAGE)}

#: Display names (Japanese, English) used in checks and messages.
TEXT_AP_NAME = ("券面事項入力補助AP", "text AP (券面事項入力補助AP)")
KENMEN_AP_NAME = ("券面AP", "card face AP (券面AP)")
