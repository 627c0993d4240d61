"""The documents taimen reads, behind one small interface shared by the CLI and the web UI."""

from __future__ import annotations

import importlib
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
    pattern: str  # regular expression the value must match (checked again by the reader)
    secret: bool = True  # never stored, never logged
    optional: bool = False
    hint_ja: str = ""
    hint_en: str = ""


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
    "taimen.passport.document",
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
