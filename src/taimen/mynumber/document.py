"""The My Number Card as a ``Document`` (taimen.documents): what the CLI and the web UI call."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime

from taimen.core import apdu
from taimen.core.conversation import Conversation, Progress, Transport, drive
from taimen.core.files import ReadSession
from taimen.documents import TriesReport, UnlockField
from taimen.mynumber import aids, kenmen_ap, reader, shogo_b, text_ap
from taimen.mynumber.evaluate import Entered, evaluate
from taimen.result import ReadResult, ReadStats
from taimen.transport.counting import CountingTransport
from taimen.trust import TrustStore

__all__ = ["DOCUMENT", "CountingTransport", "MynumberDocument"]


class MynumberDocument:
    key = "mynumber"
    title_ja = "マイナンバーカード"
    title_en = "My Number Card"
    unlock_fields = (
        UnlockField(
            "birth",
            "生年月日（券面の表記どおり）",
            "birth date (as printed)",
            r"^\D{0,16}\d.{0,23}$",  # 6 digits or a date in words; taimen.mynumber.shogo_b checks it
            hint_ja="例：550217 / 昭和55年2月17日 / 1985-07-04（西暦表記のカード）",
            hint_en="e.g. 550217, 昭和55年2月17日, or 1985-07-04 for a card that prints a Gregorian date",
            max_length=24,
        ),
        UnlockField(
            "calendar",
            "券面の生年月日の暦",
            "calendar the card prints the birth date in",
            r"^(wareki|seireki)?$",
            secret=False,
            optional=True,
            hint_ja="wareki＝和暦（日本国籍の方）、seireki＝西暦（西暦表記のカード）",
            hint_en="wareki (Japanese era, Japanese nationals) or seireki (Gregorian)",
        ),
        UnlockField("expiry_year", "有効期限の年（西暦4桁）", "card expiry year (4 digits)", r"^[0-9]{4}$"),
        UnlockField("security_code", "セキュリティコード（4桁）", "security code (4 digits)", r"^[0-9]{4}$"),
    )

    def detect(self, transport: Transport) -> bool:
        def conversation() -> Conversation[bool]:
            for aid in (aids.KENMEN_AP, aids.TEXT_AP):
                response = yield apdu.select_aid(aid, label="SELECT (detect)")
                if response.sw != 0x9000:
                    return False
            return True

        return bool(drive(conversation(), transport))

    def tries(self, transport: Transport) -> list[TriesReport]:
        t = drive(reader.query_tries(), transport)
        return [
            TriesReport(f"照合番号B（{text_ap.AP_JA}）", t.text_ap),
            TriesReport(f"照合番号B（{kenmen_ap.AP_JA}）", t.kenmen_ap),
        ]

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
        b = shogo_b.build(
            unlock.get("birth", ""),
            unlock.get("expiry_year", ""),
            unlock.get("security_code", ""),
            calendar=unlock.get("calendar") or None,
        )
        store = store if store is not None else TrustStore.load(trust_dirs)
        counting = CountingTransport(transport)
        session = ReadSession()
        start = time.perf_counter()
        read = drive(reader.read_card(b, session, confirm_last_try=confirm_last_try), counting, on_progress)
        elapsed = time.perf_counter() - start
        entered = Entered.of(b)
        del b  # the secret is not needed past the VERIFY commands
        now = datetime.now(UTC)
        result = evaluate(read, entered, store, today=today or date.today(), now=now)
        result.stats = ReadStats(
            counting.apdus, counting.bytes_sent, counting.bytes_received, elapsed, session.extended
        )
        return result


DOCUMENT = MynumberDocument()
