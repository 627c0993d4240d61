"""The residence card and the SPRC (both generations) as a taimen ``Document``."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime

from taimen.core import apdu
from taimen.core.conversation import Conversation, Progress, Transport, drive
from taimen.core.files import ReadSession, read_file
from taimen.documents import TriesReport, UnlockField
from taimen.errors import CardError
from taimen.mynumber.document import CountingTransport
from taimen.residence import card_number, layout
from taimen.residence.access import AuthenticationFailed
from taimen.residence.reader import read_residence, select_mf
from taimen.residence.report import build_result
from taimen.result import Check, CheckStatus, ReadResult, ReadStats
from taimen.trust import TrustStore


def _detect() -> Conversation[bool]:
    resp = yield select_mf()
    if resp.sw != 0x9000:
        return False
    try:
        raw = yield from read_file(ReadSession(), sfi=layout.MF_CARD_TYPE_SFI, max_size=4, tlv=True, label="MF/EF02")
    except CardError:
        return False
    if raw[:1] != b"\xc1":
        return False
    resp = yield apdu.select_aid(layout.DF1_AID, "SELECT DF1 (detect)")
    return resp.sw == 0x9000


def forged_access_result(exc: AuthenticationFailed, stats: ReadStats) -> ReadResult:
    """The chip said 9000 to MUTUAL AUTHENTICATE with a cryptogram that the typed number's key refutes.

    A genuine chip answers 6300 when the terminal's cryptogram was made with another number; answering 9000
    without knowing the key is what a chip that "accepts any number" does.
    """
    result = ReadResult(document="residence", stats=stats)
    result.checks = [
        Check(
            "residence.card_number",
            CheckStatus.FAILED,
            "在留カード等番号",
            "card number",
            "チップは番号の照合に成功したと応答しましたが、その暗号文は入力した番号の鍵と一致しません"
            "（本物のチップは 6300 で拒否します）。",
            f"the chip answered 9000 but {exc}; a genuine chip answers 6300",
            ("MUTUAL AUTHENTICATE",),
        ),
        Check(
            "residence.chip_presence",
            CheckStatus.FAILED,
            "ICチップの真正性（複製防止）",
            "chip presence (anti-cloning)",
            "チップが相互認証の手順に従っていません。",
            "the chip does not follow the mutual authentication protocol",
            ("MUTUAL AUTHENTICATE",),
            required=False,
        ),
    ]
    result.fields = {"access_refuted": True}
    return result.finish()


class ResidenceDocument:
    key = "residence"
    title_ja = "在留カード・特別永住者証明書"
    title_en = "Residence card / special permanent resident certificate"
    unlock_fields = (
        UnlockField(
            "card_number",
            "在留カード等番号（12桁）",
            "card number (12 characters)",
            card_number.PATTERN,
            hint_ja="券面右上の英字2桁・数字8桁・英字2桁（例：AB12345678CD）。誤りの許容回数は公開されていません。",
            hint_en="2 letters, 8 digits, 2 letters, top right of the face (e.g. AB12345678CD); "
            "the number of wrong tries allowed is not published",
        ),
    )

    def detect(self, transport: Transport) -> bool:
        return bool(drive(_detect(), transport))

    def tries(self, transport: Transport) -> list[TriesReport]:
        # No command is known that reports remaining tries (residence-card.md open question 3).
        return [TriesReport("在留カード等番号", None)]

    def read(
        self,
        transport: Transport,
        unlock: Mapping[str, str],
        *,
        confirm_last_try: bool = False,
        trust_dirs: tuple[str, ...] = (),
        on_progress: Callable[[Progress], None] | None = None,
        today: date | None = None,
        store: TrustStore | None = None,
    ) -> ReadResult:
        number = card_number.normalise(unlock.get("card_number", ""))
        store = store if store is not None else TrustStore.load(trust_dirs)
        counting = CountingTransport(transport)
        session = ReadSession()
        start = time.perf_counter()

        def stats() -> ReadStats:
            return ReadStats(
                counting.apdus,
                counting.bytes_sent,
                counting.bytes_received,
                time.perf_counter() - start,
                session.extended,
            )

        try:
            read = drive(read_residence(number, session=session), counting, on_progress)
        except AuthenticationFailed as exc:
            return forged_access_result(exc, stats())
        st = stats()
        result = build_result(read, number, store, today=today or date.today(), now=datetime.now(UTC), stats=st)
        del number
        return result


DOCUMENT = ResidenceDocument()
