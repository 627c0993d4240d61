"""Where each item sits on the front of each card, in millimetres from the card's top-left corner.

This is data shared by the card-face renderer (``taimen.face``) and the OCR reader: the renderer prints each
value into its box, the reader crops the same box out of the photo after it has found and rectified the card
itself. Positions follow the general arrangement of the real cards (ID-1, 85.6 × 54.0 mm); they are not
measured off a real card, so a real-card photo may need the boxes adjusted here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

CARD_W_MM = 85.6
CARD_H_MM = 54.0
CORNER_RADIUS_MM = 3.18  # ISO/IEC 7810 ID-1


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def line(self, i: int, lines: int) -> Box:
        """The i-th of ``lines`` equal horizontal slots of this box."""
        lh = self.h / lines
        return Box(self.x, self.y + i * lh, self.w, lh)


@dataclass(frozen=True, slots=True)
class Field:
    """A printed value the reader extracts.

    ``charset`` names the characters recognition may produce for this field (see ``taimen.ocr.engine``);
    ``lines`` is the number of line slots (addresses wrap onto several).
    """

    key: str
    box: Box
    charset: str = "any"
    lines: int = 1
    font: str = "mincho"  # renderer: "mincho" | "gothic"
    colour: tuple[int, int, int] = (20, 20, 20)
    ocr: bool = True  # False: printed, but the reader does not need it


@dataclass(frozen=True, slots=True)
class Label:
    """Static print (field captions, titles, fine print): drawn by the renderer, ignored by the reader."""

    text: str
    x: float
    y: float
    size: float  # character height in mm
    font: str = "gothic"
    colour: tuple[int, int, int] = (60, 60, 60)


@dataclass(frozen=True, slots=True)
class Layout:
    key: str  # "mynumber" | "license" | "residence"
    title_ja: str
    title_en: str
    #: Box holding the document's title; the reader recognises it to tell documents apart.
    title_box: Box
    title_text: str
    fields: tuple[Field, ...]
    labels: tuple[Label, ...]
    photo: Box
    tint: tuple[int, int, int]  # base colour of the card stock

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


MYNUMBER = Layout(
    key="mynumber",
    title_ja="個人番号カード",
    title_en="My Number Card",
    title_box=Box(3.0, 1.8, 28.0, 4.6),
    title_text="個人番号カード",
    fields=(
        Field("name", Box(10.5, 7.2, 45.5, 5.6)),
        Field("address", Box(10.5, 14.0, 45.5, 12.6), lines=3),
        Field("birth_date", Box(10.5, 28.0, 31.0, 4.4), charset="date"),
        Field("sex", Box(48.5, 28.0, 6.5, 4.4), charset="sex"),
        Field("expiry", Box(4.0, 34.0, 43.0, 5.2), charset="date", font="gothic"),
        Field("security_code", Box(61.5, 46.6, 13.0, 4.4), charset="digits", font="gothic"),
    ),
    labels=(
        Label("個人番号カード", 3.2, 2.2, 3.8, colour=(40, 40, 90)),
        Label("氏名", 3.2, 8.6, 2.4),
        Label("住所", 3.2, 15.2, 2.4),
        Label("生年月日", 3.2, 28.9, 1.6),
        Label("性別", 43.2, 28.9, 2.2),
        Label("電子証明書の有効期限の記載欄（署名用）", 3.2, 41.2, 1.5),
        Label("臓器提供意思　１．２．３．", 3.2, 48.8, 1.6),
        Label("セキュリティコード", 58.8, 43.8, 1.7),
    ),
    photo=Box(60.0, 7.5, 22.0, 29.3),
    tint=(250, 240, 242),
)

LICENSE = Layout(
    key="license",
    title_ja="運転免許証",
    title_en="Driving licence",
    title_box=Box(57.0, 45.2, 26.0, 4.2),
    title_text="運転免許証",
    fields=(
        Field("name", Box(9.0, 2.0, 38.0, 5.0)),
        Field("birth_date", Box(48.0, 2.4, 35.0, 4.4), charset="date"),
        Field("address", Box(9.0, 7.6, 74.0, 7.0), lines=2),
        Field("issue_date", Box(9.0, 15.0, 30.0, 4.0), charset="date"),
        Field("expiry", Box(4.5, 20.4, 52.0, 4.8), charset="date", font="gothic"),
        Field("license_number", Box(7.5, 40.2, 30.0, 4.6), charset="digits", font="gothic"),
    ),
    labels=(
        Label("氏名", 2.5, 3.0, 2.4),
        Label("住所", 2.5, 8.6, 2.4),
        Label("交付", 2.5, 15.6, 2.4),
        Label("免許の", 2.5, 27.2, 1.8),
        Label("条件等", 2.5, 29.4, 1.8),
        Label("第", 3.0, 40.8, 3.2, font="mincho", colour=(20, 20, 20)),
        Label("号", 38.5, 40.8, 3.2, font="mincho", colour=(20, 20, 20)),
        Label("二・小・原", 2.5, 45.6, 1.7),
        Label("他", 2.5, 48.0, 1.7),
        Label("二種", 2.5, 50.4, 1.7),
        Label("運転免許証", 58.0, 45.6, 3.2, font="mincho", colour=(30, 30, 30)),
    ),
    photo=Box(58.5, 14.0, 24.0, 30.0),
    tint=(244, 246, 238),
)

RESIDENCE = Layout(
    key="residence",
    title_ja="在留カード",
    title_en="Residence card",
    title_box=Box(2.6, 1.6, 27.0, 5.0),
    title_text="在留カード",
    fields=(
        Field("card_number", Box(59.0, 2.2, 25.0, 4.4), charset="card_number", font="gothic", colour=(150, 20, 30)),
        Field("name", Box(10.0, 8.2, 48.0, 5.0), charset="latin", font="gothic"),
        Field("birth_date", Box(15.0, 14.6, 24.0, 3.8), charset="date", font="gothic"),
        Field("sex", Box(45.5, 14.6, 11.0, 3.8), charset="sex", font="gothic"),
        Field("nationality", Box(18.0, 19.2, 40.0, 3.8), font="gothic", ocr=False),
        Field("address", Box(12.0, 23.8, 46.0, 3.8), font="gothic"),
        Field("status", Box(3.0, 31.6, 55.0, 5.0), font="gothic", ocr=False),
        Field("period", Box(24.0, 41.6, 34.0, 3.8), charset="date", font="gothic"),
        Field("expiry", Box(19.0, 47.6, 25.0, 4.2), charset="date", font="gothic"),
    ),
    labels=(
        Label("在留カード", 3.0, 2.0, 4.2, colour=(30, 40, 90)),
        Label("番号", 52.5, 3.0, 2.4),
        Label("氏名", 3.0, 9.4, 2.4),
        Label("生年月日", 3.0, 15.2, 2.2),
        Label("性別", 40.5, 15.2, 2.2),
        Label("国籍・地域", 3.0, 19.8, 2.2),
        Label("住居地", 3.0, 24.4, 2.2),
        Label("在留資格", 3.0, 28.6, 2.2),
        Label("就労制限の有無　在留資格に基づく就労活動のみ可", 3.0, 37.6, 2.0),
        Label("在留期間（満了日）", 3.0, 42.2, 2.0),
        Label("このカードは", 3.0, 48.2, 2.2),
        Label("まで有効です。", 45.0, 48.2, 2.2),
        Label("法務大臣", 64.0, 46.0, 2.4, font="mincho"),
    ),
    photo=Box(60.5, 9.5, 23.0, 30.0),
    tint=(238, 244, 250),
)

LAYOUTS: dict[str, Layout] = {lay.key: lay for lay in (MYNUMBER, LICENSE, RESIDENCE)}
