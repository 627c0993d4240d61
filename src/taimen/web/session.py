"""The in-memory state of the check in progress. 「終了」 wipes it.

Only what the screens need between requests lives here: the chosen document, the captured card face, the
values OCR proposed (until the read starts), the fields printed on the face, and the result with its images
converted for display. PINs and 照合番号 typed by the clerk are never stored: they live only in the request
that performs the read. Image bytes are kept in bytearrays and overwritten on wipe; Python strings cannot be
overwritten, so they are dropped and left to the garbage collector.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from taimen.result import ReadResult


def _zero(buf: bytearray) -> None:
    buf[:] = bytes(len(buf))


@dataclass
class Capture:
    data: bytearray
    mime: str
    source: str  # "camera" | "upload" | "sample"
    portrait: bytearray | None = None  # PNG of the printed photo, cut from the card face by OCR


@dataclass
class CheckSession:
    document: str | None = None  # a document key, or "auto": take what detection finds
    capture: Capture | None = None
    #: Values OCR read off the card face for the unlock fields (field key → value); dropped when a read starts.
    proposals: dict[str, bytearray] = field(default_factory=dict)
    #: The OCR reading of the captured face (holds the printed portrait), for the cross-check after the read.
    ocr: Any = None
    #: The document OCR recognised in the photo when it is not the chosen one.
    photo_document: str | None = None
    #: Proposals OCR was unsure of (field keys): the confirm screen asks for a second look.
    doubtful: set[str] = field(default_factory=set)
    #: Fields printed on the card face (OCR), for the chip-vs-face table: "name", "address", "birth_date"…
    printed: dict[str, str] = field(default_factory=dict)
    #: Checks comparing chip and face, computed after the read (added to the result's checks).
    result: ReadResult | None = None
    #: Display copies of the result's images, converted to PNG in memory: "photo", "image:<name>".
    pngs: dict[str, bytearray] = field(default_factory=dict)
    read_at: datetime | None = None
    #: The idempotency key of this read's 確認記録 (saving twice stores one record), and the saved record's id.
    record_key: str | None = None
    saved_record: str | None = None
    saved_pending: bool = False  # queued locally: the central store was unreachable
    #: What the operator entered in the saved record (shown again, read-only, until 「終了」).
    saved_form: dict[str, str] = field(default_factory=dict)
    #: Bumped on every wipe, so a page from before 「終了」 cannot fetch images of the next person.
    generation: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def proposal(self, key: str) -> str:
        with self.lock:
            buf = self.proposals.get(key)
            return buf.decode() if buf is not None else ""

    def set_proposals(self, values: dict[str, str]) -> None:
        with self.lock:
            self.drop_proposals()
            self.proposals = {k: bytearray(v.encode()) for k, v in values.items() if v}

    def drop_proposals(self) -> None:
        with self.lock:
            for buf in self.proposals.values():
                _zero(buf)
            self.proposals = {}
            self.doubtful = set()

    def set_ocr(self, ocr: Any) -> None:
        with self.lock:
            portrait = getattr(self.ocr, "portrait", None)
            if portrait is not None and hasattr(portrait, "fill"):
                portrait.fill(0)  # the printed photo, cut from the customer's card
            self.ocr = ocr

    def set_capture(self, capture: Capture | None) -> None:
        with self.lock:
            if self.capture is not None:
                _zero(self.capture.data)
                if self.capture.portrait is not None:
                    _zero(self.capture.portrait)
            self.capture = capture

    def set_result(self, result: ReadResult | None, pngs: dict[str, bytearray]) -> None:
        with self.lock:
            for buf in self.pngs.values():
                _zero(buf)
            self.result = result
            self.pngs = pngs

    def wipe(self) -> None:
        """「終了」: forget everything about this customer."""
        with self.lock:
            self.set_capture(None)
            self.set_ocr(None)
            self.drop_proposals()
            self.set_result(None, {})
            self.printed = {}
            self.photo_document = None
            self.document = None
            self.read_at = None
            self.record_key = None
            self.saved_record = None
            self.saved_pending = False
            self.saved_form = {}
            self.generation += 1

    @property
    def empty(self) -> bool:
        with self.lock:
            return self.capture is None and not self.proposals and not self.printed and self.result is None
