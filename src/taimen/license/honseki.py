"""DF1/EF02 本籍 (registered domicile): tag 41, JIS X 0208, opened by PIN1 and PIN2 together."""

from __future__ import annotations

from taimen.errors import ParseError
from taimen.license.elements import Element, element, parse_records, unknown_element

FILE = "DF1/EF02"


def parse_honseki(data: bytes) -> list[Element]:
    records = parse_records(data)
    if 0x41 not in records:
        raise ParseError(f"{FILE}: 本籍 (tag 41) is missing")
    out = []
    for tag, t in records.items():
        if tag == 0x41:
            out.append(element(tag, t.value, "x0208", "本籍", "registered domicile (本籍)", FILE))
        else:
            out.append(unknown_element(t, FILE))
    return out
