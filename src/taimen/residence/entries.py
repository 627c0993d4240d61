"""Strict, bounded parsers of every residence-card file (both generations). Pure functions over bytes.

Each file is a run of BER-TLV objects, then optional 00 padding (residence-card.md §1). A file larger than
its capacity, an object longer than its tag's maximum, a repeated tag where one is expected, or a value that
is not in the specified encoding is a ``ParseError``. Tags the tables do not name are kept raw
(``UnknownTag``) and shown, never decoded or trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from taimen.core import tlv
from taimen.errors import ParseError
from taimen.residence.layout import TAGS_GEN1, TAGS_GEN2, TagSpec
from taimen.result import DateValue

MAX_FILE = 8192  # larger than every capacity in the tables
MAX_OBJECTS = 64


@dataclass(frozen=True, slots=True)
class UnknownTag:
    file: str
    tag: int
    raw: bytes

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "tag": f"{self.tag:X}", "raw_hex": self.raw.hex().upper()}


@dataclass
class Parsed:
    """The known objects of one file (in file order) and the unknown ones."""

    file: str
    objects: list[tlv.Tlv] = field(default_factory=list)
    unknown: list[UnknownTag] = field(default_factory=list)

    def get(self, tag: int) -> bytes | None:
        return next((o.value for o in self.objects if o.tag == tag), None)


def split(data: bytes, label: str) -> list[tlv.Tlv]:
    """The card's own TLV rule (001460711.pdf §3.2.3.1): tags of 1 or 2 bytes — a first byte with 1F in its low
    bits takes exactly one more byte, whatever that byte's top bit (``DF D1`` is not a valid BER tag: D1 would
    announce a third byte) — and lengths 00–7F, 81 xx or 82 xx xx. Stops at 00 where a tag is expected."""
    out: list[tlv.Tlv] = []
    pos = 0
    while pos < len(data) and data[pos] != 0x00:
        start = pos
        if data[pos] & 0x1F == 0x1F:
            if pos + 2 > len(data):
                raise ParseError(f"{label}: truncated two-byte tag")
            tag, pos = int.from_bytes(data[pos : pos + 2], "big"), pos + 2
        else:
            tag, pos = data[pos], pos + 1
        if pos >= len(data):
            raise ParseError(f"{label}: truncated TLV: length expected")
        first = data[pos]
        if first < 0x80:
            length, pos = first, pos + 1
        elif first in (0x81, 0x82):
            n = first - 0x80
            if pos + 1 + n > len(data):
                raise ParseError(f"{label}: truncated TLV length")
            length, pos = int.from_bytes(data[pos + 1 : pos + 1 + n], "big"), pos + 1 + n
        else:
            raise ParseError(f"{label}: length byte {first:02X} is not 00-7F, 81 or 82")
        end = pos + length
        if end > len(data):
            raise ParseError(f"{label}: TLV {tag:X} claims {length} bytes, only {len(data) - pos} present")
        out.append(tlv.Tlv(tag, data[pos:end], data[start:end], start))
        pos = end
        if len(out) > MAX_OBJECTS:
            raise ParseError(f"{label}: more than {MAX_OBJECTS} data objects")
    return out


def incomplete(data: bytes) -> bool:
    """True when ``data`` ends inside a TLV object (a card or reader capped the answer): read on."""
    try:
        split(bytes(data), "")
    except ParseError as exc:
        return "truncated" in str(exc) or "claims" in str(exc)
    return False


def parse_file(data: bytes, key: str, generation: int, label: str, *, repeats: bool = False) -> Parsed:
    """Split ``data`` into objects; check each known tag's length; padding 00 after the last object is ignored."""
    if len(data) > MAX_FILE:
        raise ParseError(f"{label}: {len(data)} bytes is larger than any residence-card file")
    table = (TAGS_GEN1 if generation == 1 else TAGS_GEN2).get(key, {})
    data = bytes(data)
    objects = split(data, label)
    end = objects[-1].offset + len(objects[-1].raw) if objects else 0
    if any(b != 0 for b in data[end:]):
        raise ParseError(f"{label}: bytes other than 00 padding after the last data object")
    out = Parsed(label)
    seen: set[int] = set()
    for o in objects:
        spec = table.get(o.tag)
        if spec is None:
            out.unknown.append(UnknownTag(label, o.tag, o.raw))
            continue
        if spec.max_len is not None and len(o.value) > spec.max_len:
            raise ParseError(f"{label}: tag {o.tag:X} holds {len(o.value)} bytes, at most {spec.max_len} allowed")
        if o.tag in seen and not repeats:
            raise ParseError(f"{label}: tag {o.tag:X} appears twice")
        seen.add(o.tag)
        out.objects.append(o)
    return out


def text(value: bytes, spec: TagSpec, label: str) -> str:
    """Decode a text value by its tag's encoding; trailing 00 (fixed-width fields) removed."""
    raw = value.rstrip(b"\x00")
    try:
        if spec.kind == "ascii":
            s = raw.decode("ascii")
            if any(not ch.isprintable() for ch in s):
                raise UnicodeDecodeError("ascii", raw, 0, len(raw), "control character")
            return s.strip()
        if spec.kind == "utf8":
            return raw.decode("utf-8").strip()  # gen 2: UTF-8 without BOM (001460711.pdf §3.3.4)
        if spec.kind == "sjis":
            try:  # gen 1: JIS X 0213 in Shift_JIS form, cp932 as the fallback (residence-card.md §1)
                return raw.decode("shift_jisx0213").strip()
            except UnicodeDecodeError:
                return raw.decode("cp932").strip()
    except UnicodeDecodeError as exc:
        raise ParseError(f"{label}: tag {spec.tag:X} is not valid {spec.kind} text") from exc
    raise ValueError(f"tag {spec.tag:X} is binary")


_YMD = re.compile(r"[0-9]{8}")


def ymd(raw: str | None) -> DateValue | None:
    """YYYYMMDD → DateValue (iso None and flag ``invalid`` for anything that is not a calendar date)."""
    if raw is None:
        return None
    if raw == "" or set(raw) <= {"0", " "}:
        return DateValue(None, "", raw, ("empty",))
    if not _YMD.fullmatch(raw):
        return DateValue(None, raw, raw, ("invalid",))
    try:
        d = date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return DateValue(None, raw, raw, ("invalid",))
    return DateValue(d.isoformat(), f"{d.year}年{d.month}月{d.day}日", raw)


def period_of_stay(raw: str) -> dict[str, Any]:
    """CE: ``YYMM`` (years, months) or ``DDD`` (days); ``0000`` = indefinite (永住者・特別永住者)."""
    out: dict[str, Any] = {"raw": raw, "indefinite": False}
    if raw == "0000":
        out["indefinite"] = True
    elif re.fullmatch(r"[0-9]{4}", raw):
        out["years"], out["months"] = int(raw[:2]), int(raw[2:])
    elif re.fullmatch(r"[0-9]{3}", raw):
        out["days"] = int(raw)
    else:
        out["invalid"] = True
    return out


def period_display_ja(p: dict[str, Any]) -> str:
    if p.get("indefinite"):
        return "無期限"
    if "days" in p:
        return f"{p['days']}日"
    if "years" in p:
        y, m = p["years"], p["months"]
        return (f"{y}年" if y else "") + (f"{m}月" if m else "") or "—"
    return p.get("raw", "")
