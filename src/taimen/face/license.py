"""Front of the IC driving licence (運転免許証): name, birth date, address, issue date, the coloured expiry band,
conditions, licence number, category dates and grid, issuing commission and the portrait."""

from __future__ import annotations

from datetime import date

from PIL import Image

from taimen.face import printing
from taimen.face.draw import Canvas, font, stock_seed, wrap
from taimen.ocr.layouts import LICENSE, Box, Label
from taimen.samples.face import portrait
from taimen.samples.persons import LicenseFacts, Person

BAND = {"優良": (214, 178, 70), "一般": (120, 160, 215), "新規": (110, 190, 120)}
GRID = (
    "大型",
    "中型",
    "準中型",
    "普通",
    "大特",
    "大自二",
    "普自二",
    "小特",
    "原付",
    "け引",
    "大二",
    "中二",
    "普二",
    "大特二",
    "け引二",
)
_SMALL = {"大自二", "普自二", "小特", "原付"}
_SECOND = {"大二", "中二", "普二", "大特二", "け引二"}
_ROWS = {"二・小・原", "他", "二種"}


def _earliest(lic: LicenseFacts, names: set[str] | None, exclude: set[str] = frozenset()) -> date | None:
    ds = [d for k, d in lic.categories.items() if (names is None or k in names) and k not in exclude | _ROWS]
    return min(ds) if ds else None


def render(person: Person, *, ppm: float = 16.0) -> Image.Image:
    lic = person.license
    if lic is None:
        raise ValueError(f"sample person {person.key!r} holds no driving licence")
    lay = LICENSE
    c = Canvas(lay, ppm, seed=stock_seed(person.key, 2))
    c.stock(((214, 228, 200), (226, 214, 196)))
    exp = lay.field("expiry")
    c.band(Box(2.5, exp.box.y - 0.4, 55.5, exp.box.h + 0.8), BAND.get(lic.color, BAND["一般"]))
    for lab in lay.labels:
        c.label(lab)
    # the front shows what was printed at issue; later changes are 追記 on the back
    c.field(lay.field("name"), lic.name_at_issue or person.name)
    c.field(lay.field("birth_date"), printing.license_birth(person.birth_date))
    addr = lay.field("address")
    c.field_lines(addr, wrap(lic.address_at_issue or person.address, addr.lines, 30))
    c.field(lay.field("issue_date"), printing.license_issue(lic.issue))
    c.text_in(lic.reference_number, Box(41.0, 15.0, 12.0, 4.0), kind="gothic")
    c.field(exp, printing.license_expiry(lic.expiry, lic.issue))
    for i, cond in enumerate(lic.conditions[:3]):
        c.text_in(cond, Box(11.0, 26.6 + i * 3.6, 45.0, 3.6))
    if lic.color == "優良":
        c.frame(Box(46.0, 34.4, 9.0, 4.6), (120, 90, 20))
        c.text_in("優良", Box(47.0, 34.6, 8.0, 4.2), colour=(120, 90, 20))
    c.field(lay.field("license_number"), lic.number)
    rows = (  # 二・小・原 / 他 / 二種: the licence's own dates when it records them, else derived
        lic.categories.get("二・小・原") or _earliest(lic, _SMALL),
        lic.categories.get("他") or _earliest(lic, None, exclude=_SMALL | _SECOND | _ROWS),
        lic.categories.get("二種") or _earliest(lic, _SECOND),
    )
    for i, d in enumerate(rows):
        c.text_in(printing.license_issue(d) if d else "", Box(12.0, 45.2 + i * 2.4, 20.0, 2.4), kind="gothic")
    cell_w, x0, y0 = 3.2, 33.0, 45.0  # category grid: 2 rows of up to 8 cells
    for i, name in enumerate(GRID):
        r, k = divmod(i, 8)
        cell = Box(x0 + k * cell_w * 0.92, y0 + r * 3.4, cell_w * 0.92, 3.2)
        c.frame(cell, (150, 150, 150), 0.1)
        if name in lic.categories:
            c.text_in(name, Box(cell.x + 0.2, cell.y + 0.4, cell.w - 0.4, 2.4), kind="gothic", fill=0.9)
    c.label(Label(lic.commission, 58.6, 50.0, 2.4, font="mincho", colour=(30, 30, 30)))
    seal = c.rect(Box(79.6, 48.6, 4.6, 4.6))
    c.draw.ellipse(seal, outline=(200, 40, 40, 255), width=max(1, c.px(0.3)))
    c.draw.text(
        (seal[0] + c.px(1.0), seal[1] + c.px(1.1)), "公印", font=font("mincho", c.px(1.4)), fill=(200, 40, 40, 255)
    )
    c.photo(portrait(person.face_seed), lay.photo)
    return c.finish()
