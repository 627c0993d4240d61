"""The documents taimen reads, behind one small interface shared by the CLI and the web UI.

Cheap to import on purpose: the CLI lists documents from ``LISTINGS`` without importing them, and ``get(key)``
imports only the one document a command reads (see docs/architecture.md, "Start-up").
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # annotations only: importing them here would load the protocol core for every command
    from taimen.core.conversation import Progress, Transport
    from taimen.result import ReadResult


@dataclass(frozen=True, slots=True)
class UnlockField:
    """A value the operator enters (or confirms from OCR) before the chip is read."""

    key: str  # e.g. "birth", "expiry_year", "security_code", "pin1"
    label_ja: str
    label_en: str
    #: Regular expression the whole value must match (checked again by the reader). Anchored ``^…$`` for the
    #: browser's check too; it must be linear (no nested or overlapping repeats): see ``accepts``.
    pattern: str
    secret: bool = True  # never stored, never logged
    optional: bool = False
    hint_ja: str = ""
    hint_en: str = ""
    #: Longest value accepted, checked before the pattern runs (a 20 KB form field must cost nothing).
    max_length: int = 16
    #: Line breaks allowed (the passport's two MRZ lines); every other control character is still refused.
    multiline: bool = False

    def accepts(self, value: str) -> bool:
        """Whether ``value`` (as typed, surrounding spaces already removed) has this field's form.

        Length first, then no control character (a PIN "1234\\n" must never reach the card as 5 bytes), then
        ``fullmatch``: ``re.match`` with ``$`` lets a trailing newline through.
        """
        checked = value.replace("\r", "").replace("\n", "") if self.multiline else value
        if len(value) > self.max_length or has_control(checked):
            return False
        return re.fullmatch(self.pattern, value) is not None


def has_control(value: str) -> bool:
    """True if ``value`` holds a control character, NEL or a line/paragraph separator."""
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value)


def strip_spaces(value: str) -> str:
    """Surrounding spaces removed (ASCII and full-width); newlines and other controls are kept, to be refused."""
    return value.strip(" \u3000")


@dataclass(frozen=True, slots=True)
class TriesReport:
    """Remaining tries of each secret, read without spending one."""

    secret: str  # e.g. "照合番号B (券面AP)"
    tries_left: int | None


class Document(Protocol):
    key: str
    title_ja: str
    title_en: str
    unlock_fields: tuple[UnlockField, ...]

    def detect(self, transport: Transport) -> bool:
        """True if the card on ``transport`` is this document (by SELECTing its AIDs)."""
        ...

    def tries(self, transport: Transport) -> list[TriesReport]:
        """Remaining tries of every secret the read would present, without spending any."""
        ...

    def read(
        self,
        transport: Transport,
        unlock: Mapping[str, str],
        *,
        confirm_last_try: bool = False,
        trust_dirs: tuple[str, ...] = (),
        on_progress: Callable[[Progress], None] | None = None,
    ) -> ReadResult: ...


@dataclass(frozen=True, slots=True)
class Listing:
    """A document known without importing it: enough for menus and ``taimen read --help``."""

    key: str
    module: str  # defines ``DOCUMENT`` with this key
    title_ja: str
    title_en: str


#: Every document taimen reads. A new document adds one line here; its module is imported only when used.
LISTINGS = (
    Listing("mynumber", "taimen.mynumber.document", "マイナンバーカード", "My Number Card"),
    Listing("license", "taimen.license.document", "運転免許証", "Driving licence"),
    Listing(
        "mynumber_license",
        "taimen.license.myna_document",
        "マイナ免許証",
        "マイナ免許証 (licence data on a My Number Card)",
    ),
    Listing("residence", "taimen.residence.document", "在留カード・特別永住者証明書", "Residence card / SPRC"),
    Listing("passport", "taimen.passport.document", "旅券（パスポート）", "Passport"),
)

_loaded: dict[str, Document | None] = {}


def _load(listing: Listing) -> Document | None:
    """The listed document, or None when its module is not part of this build yet."""
    if listing.key not in _loaded:
        try:
            mod = importlib.import_module(listing.module)
        except ModuleNotFoundError as exc:
            name = listing.module
            if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
                _loaded[listing.key] = None
                return None
            raise
        doc: Document = mod.DOCUMENT
        if doc.key != listing.key:
            raise RuntimeError(f"{listing.module} defines document {doc.key!r}, listed as {listing.key!r}")
        _loaded[listing.key] = doc
    return _loaded[listing.key]


def registry() -> dict[str, Document]:
    """Every document of this build (imports them all: the web app and tests)."""
    found = {listing.key: _load(listing) for listing in LISTINGS}
    return {k: d for k, d in found.items() if d is not None}


def get(key: str) -> Document:
    """One document, importing only its own module."""
    listing = next((entry for entry in LISTINGS if entry.key == key), None)
    doc = _load(listing) if listing is not None else None
    if doc is None:
        known = ", ".join(e.key for e in LISTINGS)
        raise KeyError(f"unknown document {key!r}; known: {known}")
    return doc
