"""The one conversation that reads a residence card or SPRC, either generation (sans-I/O).

Order (residence-card.md §2):
1. SELECT MF; MF/EF02 card type (free) decides the generation: '1'/'2' gen 1, "05"/"06" gen 2; "07"/"08"
   (特定在留カード, a different protocol) are refused before anything secret is sent. MF/EF01 spec version.
2. GET CHALLENGE → MUTUAL AUTHENTICATE → VERIFY(card number) under SM: one attempt. 6300 stops the read.
3. SELECT DF1 and read its EFs under SM (core's ``secured``; extended Le first, short chunks of
   ``SM_SHORT_LE`` otherwise), then DF2 and DF3 in plain.

A file the chip says it does not have (6A82) is recorded as absent and the read goes on: the report decides
what a missing file means (a missing signature file is a failed check, not a crash).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from taimen.core import apdu
from taimen.core.apdu import Command
from taimen.core.conversation import Conversation, transmit_ok
from taimen.core.files import ReadSession, read_file
from taimen.core.secure_messaging import SM_SHORT_LE, secured
from taimen.errors import CardError, ParseError, StatusError
from taimen.residence import codes, layout
from taimen.residence.access import open_access
from taimen.residence.entries import incomplete, parse_file, text
from taimen.residence.layout import EfSpec


class UnsupportedCard(CardError):
    """A card type taimen does not read (特定在留カード 07/08, or a value no spec defines)."""

    message_ja = "このカードの種類には対応していません。"


@dataclass
class CardType:
    raw: str
    generation: int
    kind: str  # "residence_card" | "special_permanent_resident_certificate"
    spec_version: str | None = None


@dataclass
class ResidenceRead:
    card_type: CardType
    files: dict[str, bytes] = field(default_factory=dict)  # raw EFs, in memory only
    absent: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)  # files larger than their specified capacity
    extended_length: bool = True
    sm_extended: bool = True


def select_mf() -> Command:
    return Command(0x00, 0xA4, 0x00, 0x00, b"\x3f\x00", label="SELECT MF")


def parse_card_type(data: bytes) -> CardType:
    p = parse_file(data, "mf_ef02", 2, "MF/EF02")  # the gen-2 table allows 2 bytes, which covers '1'/'2'
    value = p.get(0xC1)
    if value is None:
        raise CardError("MF/EF02 holds no card type (tag C1): not a residence card or SPRC")
    raw = text(value, layout.TAGS_GEN2["mf_ef02"][0xC1], "MF/EF02")
    if raw in codes.SPECIFIED:
        raise UnsupportedCard(
            f"not supported: 特定在留カード (card type {raw}, {codes.SPECIFIED[raw]}) uses a different protocol",
            message_ja=f"対応していません：{codes.SPECIFIED[raw]}（カード種別 {raw}）は読み取り方式が異なります。",
        )
    if raw not in codes.CARD_TYPES:
        raise UnsupportedCard(f"unknown residence card type {raw!r}")
    gen, kind = codes.CARD_TYPES[raw]
    return CardType(raw, gen, kind)


def read_card_type(session: ReadSession) -> Conversation[CardType]:
    yield from transmit_ok(select_mf())
    raw = yield from read_file(session, sfi=layout.MF_CARD_TYPE_SFI, max_size=4, tlv=True, label="MF/EF02 カード種別")
    card_type = parse_card_type(raw)
    common = yield from read_file(session, sfi=layout.MF_COMMON_SFI, max_size=6, tlv=True, label="MF/EF01 共通データ")
    p = parse_file(common, "mf_ef01", card_type.generation, "MF/EF01")
    version = p.get(0xC0)
    if version is not None:
        card_type.spec_version = text(version, layout.TAGS_GEN2["mf_ef01"][0xC0], "MF/EF01")
    return card_type


def files_for(card_type: CardType) -> tuple[tuple[EfSpec, ...], tuple[EfSpec, ...], tuple[EfSpec, ...]]:
    sprc = card_type.kind == "special_permanent_resident_certificate"
    if card_type.generation == 1:
        return layout.GEN1_DF1, (layout.GEN1_DF2_SPRC if sprc else layout.GEN1_DF2_RESIDENCE), layout.GEN1_DF3
    return layout.GEN2_DF1, (layout.GEN2_DF2_SPRC if sprc else layout.GEN2_DF2_RESIDENCE), layout.GEN2_DF3


def _read(session: ReadSession, ef: EfSpec, malformed: list[str]) -> Conversation[bytes | None]:
    label = f"{ef.label} {ef.name_ja}"
    try:
        data = yield from read_file(session, sfi=ef.sfi, max_size=ef.capacity, tlv=False, label=label)
        return (yield from _complete(session, ef, data, label))
    except StatusError as exc:
        if exc.sw == 0x6A82:
            return None
        raise
    except ParseError as exc:
        if "larger than" not in str(exc):
            raise
        malformed.append(f"{ef.label}: {exc}")  # stopped reading at the capacity; the report fails the card
        return None


def _complete(session: ReadSession, ef: EfSpec, data: bytes, label: str) -> Conversation[bytes]:
    """Read on while the file ends inside a TLV object: a card or reader that caps answers (e.g. an extended
    READ BINARY answered with fewer bytes and 9000) must not leave a file cut short. Bounded by the capacity."""
    out = bytearray(data)
    while incomplete(bytes(out)) and len(out) < ef.capacity:
        want = min(session.short_le, ef.capacity - len(out))
        resp = yield apdu.read_binary(len(out), want, label=f"{label}（続き）")
        if resp.sw not in (0x9000, 0x6282) or not resp.data:
            break  # the parser reports the cut object
        if len(resp.data) > want:
            raise ParseError(f"{label}: card returned {len(resp.data)} bytes for Le {want}")
        out += resp.data
    return bytes(out)


def read_residence(
    number: str,
    *,
    session: ReadSession | None = None,
    random: Callable[[int], bytes] = os.urandom,
) -> Conversation[ResidenceRead]:
    """``number`` must already be normalised (card_number.normalise)."""
    session = session or ReadSession()
    card_type = yield from read_card_type(session)
    access = yield from open_access(number, card_type.generation, random=random)
    result = ResidenceRead(card_type)
    df1, df2, df3 = files_for(card_type)
    sm_session = ReadSession(extended=session.extended, short_le=SM_SHORT_LE)
    for df, efs in (("DF1", df1), ("DF2", df2), ("DF3", df3)):
        yield from transmit_ok(apdu.select_aid(layout.AIDS[df], f"SELECT {df}"))
        for ef in efs:
            if ef.sm:
                data = yield from secured(_read(sm_session, ef, result.malformed), access.channel)
            else:
                data = yield from _read(session, ef, result.malformed)
            if data is None:
                if not any(m.startswith(ef.label) for m in result.malformed):
                    result.absent.append(ef.label)
            else:
                result.files[ef.key] = data
    result.extended_length = session.extended
    result.sm_extended = sm_session.extended
    return result
