"""Reading one EF of an application, keeping a card refusal as data rather than aborting the whole read.

A refusal (status word) or malformed file becomes part of the evidence (a failed check); a transport failure
(card pulled, reader gone) still aborts. The files that hold the 個人番号 can never be selected from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from taimen.core import apdu
from taimen.core.conversation import Conversation
from taimen.core.files import ReadSession, read_file
from taimen.errors import CardError, StatusError
from taimen.mynumber.aids import FORBIDDEN


@dataclass(frozen=True, slots=True)
class FileResult:
    """The bytes of one EF, or why the card did not give them."""

    data: bytes | None = None
    error: CardError | None = None


def select_application(aid: bytes, label: str) -> Conversation[int]:
    """SELECT by AID; returns the status word (9000 when present)."""
    response = yield apdu.select_aid(aid, label=f"SELECT {label}")
    return response.sw


def read_ef(
    session: ReadSession, aid: bytes, fid: int, *, max_size: int, tlv: bool, label: str
) -> Conversation[FileResult]:
    if (aid, fid) in FORBIDDEN:
        raise ValueError(f"EF {fid:04X} of {aid.hex()} holds the 個人番号 and is never read")
    response = yield apdu.select_ef(fid, label=f"SELECT {label}")
    if response.sw != 0x9000:
        return FileResult(error=StatusError(response.sw, f"SELECT {label}"))
    try:
        data = yield from read_file(session, max_size=max_size, tlv=tlv, label=f"READ {label}")
    except CardError as exc:
        return FileResult(error=exc)
    return FileResult(data=data)
