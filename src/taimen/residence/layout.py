"""Where everything is on the chip: AIDs, the short-EF P1 of every file, capacities and the tag tables.

residence-card.md §1. READ BINARY uses short-EF P1 coding (80 | SFI) after selecting the parent; the SFI is
not always the EF number (gen 2: DF1/EF02 → 83, EF03 → 84, EF04 → 86; SPRC gen 2 DF2/EF01 → 83). Capacities
bound every read: a forged chip may claim any length, and nothing beyond the specified size is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

DF1_AID = bytes.fromhex("D392F0004F0200000000000000000000")
DF2_AID = bytes.fromhex("D392F0004F0300000000000000000000")
DF3_AID = bytes.fromhex("D392F0004F0400000000000000000000")
AIDS = {"DF1": DF1_AID, "DF2": DF2_AID, "DF3": DF3_AID}

MF_COMMON_SFI = 0x0B  # P1 8B
MF_CARD_TYPE_SFI = 0x0A  # P1 8A


@dataclass(frozen=True, slots=True)
class EfSpec:
    key: str  # "df1_ef01"
    df: str  # "MF", "DF1", "DF2", "DF3"
    sfi: int  # READ BINARY P1 = 0x80 | sfi
    capacity: int  # largest EF content accepted (tag + length + value + padding)
    sm: bool  # read under secure messaging
    name_ja: str
    name_en: str

    @property
    def label(self) -> str:
        return f"{self.df}/{self.key[-4:].upper()}"


def _ef(key: str, df: str, sfi: int, capacity: int, sm: bool, ja: str, en: str) -> EfSpec:
    return EfSpec(key, df, sfi, capacity, sm, ja, en)


# --- 1st generation (在留カード等仕様書 Ver 1.5) -------------------------------------------------------------
# Capacities: the tag table's value maxima plus their headers (D0 7000, D1 3000, DA 256, DB 1200) and, where
# the sources give only a read length (DF2: 342/122/122/3, DF3 1464), that length.
GEN1_DF1 = (
    _ef("df1_ef01", "DF1", 0x05, 7004, True, "券面（表）イメージ", "front-face image"),
    _ef("df1_ef02", "DF1", 0x06, 3004, True, "顔画像", "face image"),
)
GEN1_DF2_RESIDENCE = (
    _ef("df2_ef01", "DF2", 0x01, 342, False, "住居地（裏面追記）", "address (back-side entries)"),
    _ef("df2_ef02", "DF2", 0x02, 122, False, "資格外活動包括許可欄", "comprehensive permission"),
    _ef("df2_ef03", "DF2", 0x03, 122, False, "資格外活動個別許可欄", "individual permission"),
    _ef("df2_ef04", "DF2", 0x04, 3, False, "在留期間等更新申請欄", "renewal application"),
)
GEN1_DF2_SPRC = GEN1_DF2_RESIDENCE[:1]
GEN1_DF3 = (_ef("df3_ef01", "DF3", 0x02, 1464, False, "チェックコード・公開鍵証明書", "check code and certificate"),)

# --- 2nd generation (第２世代在留カード等仕様書 Ver 1.1) -------------------------------------------------------
GEN2_DF1 = (
    _ef("df1_ef01", "DF1", 0x01, 14, True, "在留カード等番号", "card number"),
    _ef("df1_ef02", "DF1", 0x03, 73, True, "券面記載事項", "printed entries"),
    _ef("df1_ef03", "DF1", 0x04, 5508, True, "氏名画像・顔画像", "name image and face image"),
    _ef("df1_ef04", "DF1", 0x06, 2505, True, "住居地画像", "address image"),
)
GEN2_DF2_RESIDENCE = (
    _ef("df2_ef01", "DF2", 0x01, 22, False, "資格外活動許可", "permission outside status"),
    _ef("df2_ef02", "DF2", 0x02, 3, False, "在留期間等更新申請", "renewal application"),
    _ef("df2_ef03", "DF2", 0x03, 207, False, "その他", "other"),
)
GEN2_DF2_SPRC = (_ef("df2_ef03", "DF2", 0x03, 207, False, "その他", "other"),)
GEN2_DF3 = (_ef("df3_ef01", "DF3", 0x02, 704, False, "チェックコード・公開鍵証明書", "check code and certificate"),)


@dataclass(frozen=True, slots=True)
class TagSpec:
    tag: int
    max_len: int | None  # None: the sources give no maximum (the file's capacity bounds it)
    name_ja: str
    name_en: str
    kind: str  # "ascii", "utf8", "sjis", "binary"


def _t(tag: int, max_len: int | None, ja: str, en: str, kind: str) -> TagSpec:
    return TagSpec(tag, max_len, ja, en, kind)


#: Tags allowed in each file, per generation: anything else is shown raw as an unknown tag.
TAGS_GEN1: dict[str, dict[int, TagSpec]] = {
    "mf_ef01": {0xC0: _t(0xC0, 4, "仕様バージョン", "spec version", "ascii")},
    "mf_ef02": {0xC1: _t(0xC1, 1, "カード種別", "card type", "ascii")},
    "df1_ef01": {0xD0: _t(0xD0, 7000, "券面（表）イメージ", "front-face image", "binary")},
    "df1_ef02": {0xD1: _t(0xD1, 3000, "顔画像", "face image", "binary")},
    "df2_ef01": {
        0xD2: _t(0xD2, None, "記載年月日", "date of entry", "ascii"),
        0xD3: _t(0xD3, None, "市町村コード", "municipality code", "ascii"),
        0xD4: _t(0xD4, None, "住居地", "address", "sjis"),
    },
    "df2_ef02": {0xD5: _t(0xD5, None, "資格外活動包括許可欄", "comprehensive permission", "sjis")},
    "df2_ef03": {0xD6: _t(0xD6, None, "資格外活動個別許可欄", "individual permission", "sjis")},
    "df2_ef04": {0xD7: _t(0xD7, 1, "在留期間等更新申請欄", "renewal application", "ascii")},
    "df3_ef01": {
        0xDA: _t(0xDA, 256, "チェックコード", "check code", "binary"),
        0xDB: _t(0xDB, 1200, "公開鍵証明書", "public-key certificate", "binary"),
    },
}

TAGS_GEN2: dict[str, dict[int, TagSpec]] = {
    "mf_ef01": {0xC0: _t(0xC0, 4, "仕様バージョン", "spec version", "ascii")},
    "mf_ef02": {0xC1: _t(0xC1, 2, "カード種別", "card type", "ascii")},
    "df1_ef01": {0xC2: _t(0xC2, 12, "在留カード等番号", "card number", "ascii")},
    "df1_ef02": {
        0xC5: _t(0xC5, 8, "有効期間満了日", "card expiry", "ascii"),
        0xC6: _t(0xC6, 8, "生年月日", "birth date", "ascii"),
        0xC7: _t(0xC7, 1, "性別", "sex", "ascii"),
        0xC8: _t(0xC8, 3, "国籍・地域", "nationality/region", "ascii"),
        0xC9: _t(0xC9, 10, "在留資格", "status of residence", "ascii"),
        0xCE: _t(0xCE, 4, "在留期間", "period of stay", "ascii"),
        0xCA: _t(0xCA, 2, "許可の種類", "permission type", "ascii"),
        0xCB: _t(0xCB, 8, "許可年月日", "permission date", "ascii"),
        0xCC: _t(0xCC, 1, "就労制限の有無", "work restriction", "ascii"),
        0xCD: _t(0xCD, 8, "在留期間の満了日", "period-of-stay expiry", "ascii"),
    },
    "df1_ef03": {
        0xD0: _t(0xD0, 2500, "氏名画像", "name image", "binary"),
        0xD1: _t(0xD1, 3000, "顔画像", "face image", "binary"),
    },
    "df1_ef04": {0xDFD1: _t(0xDFD1, 2500, "住居地画像", "address image", "binary")},
    "df2_ef01": {
        0xD5: _t(0xD5, 7, "資格外活動包括許可", "comprehensive permission", "utf8"),
        0xD6: _t(0xD6, 8, "包括許可の期限", "comprehensive permission expiry", "ascii"),
        0xD7: _t(0xD7, 1, "資格外活動個別許可", "individual permission", "utf8"),
    },
    "df2_ef02": {0xD8: _t(0xD8, 1, "在留期間等更新申請", "renewal application", "utf8")},
    "df2_ef03": {
        0xD9: _t(0xD9, 1, "出入国在留管理庁長官の記載", "ISA Commissioner note flag", "utf8"),
        0xDE: _t(0xDE, 200, "予備", "reserved text", "utf8"),
    },
    "df3_ef01": {
        0xDC: _t(0xDC, 96, "チェックコード", "check code", "binary"),
        0xDD: _t(0xDD, 602, "公開鍵証明書", "public-key certificate", "binary"),
    },
}

#: The order of the printed-entry values in the gen-2 signature target (residence card: 53 bytes of values).
GEN2_PRINTED_ORDER = (0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCE, 0xCA, 0xCB, 0xCC, 0xCD)
GEN2_PRINTED_TARGET = 53
