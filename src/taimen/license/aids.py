"""Applications, files and sizes of the IC driving licence (reference: drivers-license.md §1)."""

from __future__ import annotations

from dataclasses import dataclass

DF1_AID = bytes.fromhex("A0000002310100000000000000000000")  # 記載事項
DF2_AID = bytes.fromhex("A0000002310200000000000000000000")  # 写真
DF3_AID = bytes.fromhex("A0000002480300000000000000000000")  # RFU

#: MF files readable without a PIN.
MF_COMMON_DATA_FID = 0x2F01  # MF/EF01 共通データ要素 (the only EF not numbered 00xx)
MF_PIN_SETTING_FID = 0x000A  # MF/EF02 暗証番号(PIN)設定
MF_PIN_SETTING_SFI = 0x0A
#: PIN key EFs (IEF01/IEF02) in the MF, and their short EF identifiers for VERIFY P2 = 80|SFI.
PIN1_FID, PIN1_SFI = 0x0001, 1
PIN2_FID, PIN2_SFI = 0x0002, 2
PIN_MAX_TRIES = 3
#: "****", the default PIN (DPIN) recorded when the holder chose not to set PINs (MF/EF02 b1 = 0).
DPIN = b"****"


@dataclass(frozen=True, slots=True)
class LicenseFile:
    """An EF of the licence: where it lives, its size per the specification, and what opens it."""

    key: str
    df: str  # "MF", "DF1", "DF2"
    fid: int
    sfi: int | None
    size: int  # size in the reference (the reader reads up to the card's EOF, bounded by ``limit``)
    name_ja: str
    name_en: str
    pins: tuple[int, ...]  # PINs (1, 2) that must have been verified

    @property
    def limit(self) -> int:
        """Largest size accepted from a card: the specified size with headroom for other spec versions."""
        return max(4 * self.size, 1024)


MF_EF01 = LicenseFile("mf_ef01", "MF", MF_COMMON_DATA_FID, None, 17, "共通データ要素", "common data", ())
MF_EF02 = LicenseFile("mf_ef02", "MF", MF_PIN_SETTING_FID, MF_PIN_SETTING_SFI, 3, "暗証番号設定", "PIN setting", ())
DF1_EF01 = LicenseFile("df1_ef01", "DF1", 0x0001, 1, 880, "記載事項（本籍除く）", "particulars except 本籍", (1,))
DF1_EF02 = LicenseFile("df1_ef02", "DF1", 0x0002, 2, 82, "本籍", "registered domicile (本籍)", (1, 2))
DF1_EF03 = LicenseFile("df1_ef03", "DF1", 0x0003, 3, 264, "外字", "外字 bitmaps", (1,))
DF1_EF04 = LicenseFile("df1_ef04", "DF1", 0x0004, 4, 640, "記載事項変更等（本籍除く）", "changes (追記)", (1,))
DF1_EF05 = LicenseFile("df1_ef05", "DF1", 0x0005, 5, 663, "記載事項変更（外字）", "外字 of changes", (1,))
DF1_EF06 = LicenseFile("df1_ef06", "DF1", 0x0006, 6, 256, "記載事項変更（本籍）", "changes of 本籍", (1, 2))
DF1_EF07 = LicenseFile("df1_ef07", "DF1", 0x0007, 7, 578, "電子署名", "electronic signature", (1,))
DF2_EF01 = LicenseFile("df2_ef01", "DF2", 0x0001, 1, 2005, "写真", "photo", (1, 2))

DF1_FILES = (DF1_EF01, DF1_EF02, DF1_EF03, DF1_EF04, DF1_EF05, DF1_EF06, DF1_EF07)
ALL_FILES = (MF_EF01, MF_EF02, *DF1_FILES, DF2_EF01)
