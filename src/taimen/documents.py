"""The documents taimen reads, behind one small interface shared by the CLI and the web UI."""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

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

    def accepts(self, value: str) -> bool:
        """Whether ``value`` (as typed, surrounding spaces already removed) has this field's form.

        Length first, then no control character (a PIN "1234\\n" must never reach the card as 5 bytes), then
        ``fullmatch``: ``re.match`` with ``$`` lets a trailing newline through.
        """
        if len(value) > self.max_length or has_control(value):
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


#: Modules that define ``DOCUMENT``; imported on first use.
_MODULES = (
    "taimen.mynumber.document",
    "taimen.license.document",
    "taimen.license.myna_document",
)

_loaded: dict[str, Document] | None = None


def registry() -> dict[str, Document]:
    global _loaded
    if _loaded is None:
        found: dict[str, Document] = {}
        for name in _MODULES:
            try:
                mod = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                # that document (or its whole package) is not part of this build yet
                if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
                    continue
                raise
            doc = mod.DOCUMENT
            found[doc.key] = doc
        _loaded = found
    return _loaded


def get(key: str) -> Document:
    docs = registry()
    if key not in docs:
        raise KeyError(f"unknown document {key!r}; known: {', '.join(sorted(docs))}")
    return docs[key]
