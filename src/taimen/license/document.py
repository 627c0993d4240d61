"""The IC driving licence as a taimen Document (used by the CLI and the web UI)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from taimen.core import apdu
from taimen.core.conversation import Conversation, Progress, Transport, drive
from taimen.core.files import ReadSession
from taimen.documents import TriesReport, UnlockField
from taimen.license import aids
from taimen.license.pin import PIN1, PIN2, pin_bytes
from taimen.license.reader import read_license, read_tries
from taimen.license.report import build_result
from taimen.license.signature import TRUST_CATEGORY
from taimen.result import ReadResult, ReadStats
from taimen.transport.counting import CountingTransport
from taimen.trust import CertificateAnchor, TrustStore


def signer_certificates(trust_dirs: tuple[str, ...]) -> list[CertificateAnchor]:
    """Pinned licence signer certificates (trust-store category ``license``); never anything from the card."""
    return TrustStore.load(trust_dirs).certificates(TRUST_CATEGORY)


def _detect() -> Conversation[bool]:
    """All three licence DFs answer SELECT with 9000 (hmpow ``isDrvLicCard``)."""
    for aid in (aids.DF1_AID, aids.DF2_AID, aids.DF3_AID):
        resp = yield apdu.select_aid(aid)
        if resp.sw != 0x9000:
            return False
    return True


class LicenseDocument:
    key = "license"
    title_ja = "運転免許証"
    title_en = "Driving licence"
    unlock_fields = (
        UnlockField(
            "pin1",
            "暗証番号1",
            "PIN 1",
            r"^[0-9]{4}$",
            optional=True,
            hint_ja="4桁。暗証番号を設定していない免許証では不要です（自動で判定します）。",
            hint_en="4 digits; not needed when the holder set no PIN (detected from the card)",
        ),
        UnlockField(
            "pin2",
            "暗証番号2",
            "PIN 2",
            r"^[0-9]{4}$",
            optional=True,
            hint_ja="4桁。本籍・写真の読み取りと署名の検証に必要です。",
            hint_en="4 digits; needed for 本籍, the photo and the signature check",
        ),
    )

    def detect(self, transport: Transport) -> bool:
        return drive(_detect(), transport)

    def tries(self, transport: Transport) -> list[TriesReport]:
        setting, t1, t2 = drive(read_tries(), transport)
        note = "" if setting.pin_set else "（暗証番号設定なし: DPIN）"
        return [
            TriesReport(f"{PIN1.name_ja}{note}", t1.tries_left),
            TriesReport(f"{PIN2.name_ja}{note}", t2.tries_left),
        ]

    def read(
        self,
        transport: Transport,
        unlock: Mapping[str, str],
        *,
        confirm_last_try: bool = False,
        trust_dirs: tuple[str, ...] = (),
        on_progress: Callable[[Progress], None] | None = None,
    ) -> ReadResult:
        pin1, pin2 = unlock.get("pin1") or None, unlock.get("pin2") or None
        # Format errors are the operator's, found before anything is sent.
        if pin1 is not None:
            pin_bytes(pin1, PIN1)
        if pin2 is not None:
            pin_bytes(pin2, PIN2)
        certificates = signer_certificates(trust_dirs)
        session = ReadSession()
        counting = CountingTransport(transport)
        start = time.perf_counter()
        conversation = read_license(pin1, pin2, confirm_last_try=confirm_last_try, session=session)
        read = drive(conversation, counting, on_progress)
        elapsed = time.perf_counter() - start  # wall clock of the card conversation (docs/json-output.md)
        stats = ReadStats(counting.apdus, counting.bytes_sent, counting.bytes_received, elapsed, session.extended)
        return build_result(read, certificates=certificates, stats=stats)


DOCUMENT = LicenseDocument()
