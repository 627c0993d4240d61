"""Optional pieces the app uses when they are installed: OCR of the card face and chip-vs-face comparison."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def ocr_hook() -> Callable[[Any, Any], tuple[dict[str, str], dict[str, str]]] | None:
    """(printed fields, unlock proposals) from a captured card-face image, or None without OCR."""
    return None


def compare_hook() -> Callable[[Any, dict[str, str]], list[Any]] | None:
    """Checks comparing the chip with the printed fields, or None when taimen.compare is not installed."""
    return None
