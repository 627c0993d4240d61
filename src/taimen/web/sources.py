"""Reader sources for ``taimen serve``: PC/SC readers with hot-plug, when pyscard and pcscd are available."""

from __future__ import annotations

from taimen.web.readers import ReaderSource


def pcsc_source() -> ReaderSource | None:
    return None
