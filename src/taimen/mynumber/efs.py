"""Reading one EF of an application, keeping a card refusal as data rather than aborting the whole read.

A refusal (status word) or malformed file becomes part of the evidence (a failed check); a transport failure
(card pulled, reader gone) still aborts. The files that hold the 個人番号 can never be selected from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from taimen.core import apdu
from taimen.core.conversation import Conversation
from taimen.core.files import ReadSession, read_file
from taimen.errors import CardError, ParseError, StatusError
from taimen.mynumber.aids import FORBIDDEN
from taimen.result import Check, CheckStatus

T = TypeVar("T")


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


def parse_file(
    result: FileResult, parser: Callable[[bytes], T], name: str, ja: str, en: str
) -> tuple[T | None, Check | None]:
    """Parse one file; a refusal or malformed file becomes a failed check instead."""
    title_ja, title_en = f"{ja}の読み取り", f"reading {en}"
    if result.error is not None or result.data is None:
        err = result.error
        return None, Check(
            name,
            CheckStatus.FAILED,
            title_ja,
            title_en,
            f"カードが返しませんでした：{err.message_ja if err else ''}",
            f"the card did not return it: {err}",
        )
    try:
        return parser(result.data), None
    except ParseError as exc:
        return None, Check(name, CheckStatus.FAILED, title_ja, title_en, f"形式が不正です：{exc}", f"malformed: {exc}")


def signature_status(valid: bool, key_trusted: bool) -> CheckStatus:
    """A signature that fails is evidence; one that holds proves something only under an anchored key."""
    if not valid:
        return CheckStatus.FAILED
    return CheckStatus.PASSED if key_trusted else CheckStatus.NOT_VERIFIABLE
