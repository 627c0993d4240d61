"""Issue 13 item 12: "no certificate" (the EF is not there) versus garbage where a certificate should be."""

from __future__ import annotations

from dataclasses import replace

import pytest

from taimen.mynumber.aids import JpkiAp
from taimen.mynumber.document import DOCUMENT
from taimen.result import CheckStatus, VerdictStatus
from taimen.samples import mynumber_cards as mc
from taimen.transport.inprocess import InProcessTransport
from taimen.trust import TrustStore


def _read(auth_cert: bytes | None, store: TrustStore):  # type: ignore[no-untyped-def]
    sample = mc.genuine("yamada")
    files = dict(sample.chip.jpki_files)
    if auth_cert is None:
        del files[JpkiAp.AUTH_CERT]
    else:
        files[JpkiAp.AUTH_CERT] = auth_cert
    card = mc.build_card(replace(sample.chip, jpki_files=files))
    return DOCUMENT.read(InProcessTransport(card), sample.printed.unlock(), store=store)


@pytest.mark.parametrize("content", [b"\xff" * 1200, b"", b"\x00" * 64, b"\x30\x82\x04\x00" + b"\xff" * 100])
def test_garbage_where_the_certificate_should_be_fails(content: bytes, store: TrustStore) -> None:
    result = _read(content, store)
    check = {c.name: c for c in result.checks}["jpki.auth_cert"]
    assert check.status is CheckStatus.FAILED
    assert "garbage" in check.detail_en
    assert result.verdict is not None and result.verdict.status is VerdictStatus.NOT_GENUINE


def test_no_certificate_file_is_not_issued(store: TrustStore) -> None:
    result = _read(None, store)
    check = {c.name: c for c in result.checks}["jpki.auth_cert"]
    assert check.status is CheckStatus.SKIPPED and not check.required
    assert "not issued" in check.detail_en
    assert result.verdict is not None and result.verdict.status is VerdictStatus.GENUINE
