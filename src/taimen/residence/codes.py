"""Code values the reference tables give meanings for (residence-card.md §1). Codes the public sources do
not explain (C8 nationality, C9 status of residence, CA permission type) are shown as their raw code only:
their official code lists are in the ISA specification, which was not available in full text."""

from __future__ import annotations

CARD_TYPES = {
    "1": (1, "residence_card"),
    "2": (1, "special_permanent_resident_certificate"),
    "05": (2, "residence_card"),
    "06": (2, "special_permanent_resident_certificate"),
}
SPECIFIED = {"07": "特定在留カード", "08": "特定特別永住者証明書"}

KIND_JA = {"residence_card": "在留カード", "special_permanent_resident_certificate": "特別永住者証明書"}
KIND_EN = {
    "residence_card": "residence card",
    "special_permanent_resident_certificate": "special permanent resident certificate",
}

WORK_RESTRICTION = {
    "1": ("就労制限なし", "no work restriction"),
    "2": ("在留資格に基づく就労活動のみ可", "work only under the status of residence"),
    "4": ("指定書により指定された就労活動のみ可", "work only as designated by the designation document"),
    "9": ("就労不可", "work not permitted"),
}

COMPREHENSIVE = {
    "0": ("なし", "none"),
    "1": ("許可：原則週28時間以内・風俗営業等の従事を除く", "permitted: up to 28 h/week, no adult entertainment"),
    "2": ("許可：原則週28時間以内・教育機関の長期休業期間等", "permitted: up to 28 h/week (education etc.)"),
}

SEX = {"1": "male", "2": "female", "3": "unspecified"}
