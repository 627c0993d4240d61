"""Every sample reaches its expected verdict; no forgery is ever ``genuine``; each is caught by the right check."""

from __future__ import annotations

import pytest

from taimen.mynumber.document import DOCUMENT
from taimen.result import CheckStatus, ReadResult, VerdictStatus
from taimen.samples import mynumber_cards as mc
from taimen.samples.persons import PERSONS
from taimen.transport.inprocess import InProcessTransport
from taimen.trust import TrustStore


def read(sample: mc.SampleCard, store: TrustStore) -> ReadResult:
    return DOCUMENT.read(InProcessTransport(sample.card()), sample.printed.unlock(), store=store)


def status(result: ReadResult, name: str) -> CheckStatus:
    return next(c.status for c in result.checks if c.name == name)


@pytest.mark.parametrize("key", [p.key for p in PERSONS])
def test_genuine_samples(key: str, store: TrustStore) -> None:
    sample = mc.genuine(key)
    result = read(sample, store)
    assert result.verdict is not None
    assert result.verdict.status == sample.expected
    assert result.name == sample.person.name
    assert result.address == sample.person.address
    assert result.birth_date is not None and result.birth_date.iso == sample.person.birth_date.isoformat()
    assert result.photo is not None and result.photo.mime == "image/jp2"
    if key == "expired":
        assert status(result, "kenmen_ap.expiry") is CheckStatus.WARNING
        assert result.card_expiry is not None and "expired" in result.card_expiry.flags
        assert all(c.status is not CheckStatus.FAILED for c in result.checks)


def test_birth_display_follows_the_printed_calendar(store: TrustStore) -> None:
    assert read(mc.genuine("showa64"), store).birth_date.display_ja == "昭和64年1月7日"  # type: ignore[union-attr]
    assert read(mc.genuine("heisei1"), store).birth_date.display_ja == "平成元年1月8日"  # type: ignore[union-attr]
    assert read(mc.genuine("reiwa"), store).birth_date.display_ja == "令和2年4月8日"  # type: ignore[union-attr]
    assert read(mc.genuine("foreign"), store).birth_date.display_ja == "1985年7月4日"  # type: ignore[union-attr]


EXPECTED_FAILURES = {
    "unknown-ca": ("text_ap.cvc", CheckStatus.NOT_VERIFIABLE),
    "photo-swapped": ("kenmen_ap.signature", CheckStatus.FAILED),
    "text-altered": ("text_ap.digest", CheckStatus.FAILED),
    "cvc-swapped": ("kenmen_ap.cvc", CheckStatus.FAILED),
    "bad-cvc-signature": ("kenmen_ap.cvc", CheckStatus.FAILED),
    "copy-mute": ("kenmen_ap.presence", CheckStatus.NOT_VERIFIABLE),
    "copy-other-key": ("kenmen_ap.presence", CheckStatus.FAILED),
    "any-b": ("kenmen_ap.expiry", CheckStatus.FAILED),
}


@pytest.mark.parametrize("variant", sorted(mc.FORGERIES))
def test_forgeries_are_never_genuine(variant: str, store: TrustStore) -> None:
    sample = mc.forged(variant)
    result = read(sample, store)
    assert result.verdict is not None
    assert result.verdict.status is not VerdictStatus.GENUINE
    assert result.verdict.status == sample.expected
    name, expected = EXPECTED_FAILURES[variant]
    assert status(result, name) is expected
    assert any(r.code == name for r in result.verdict.reasons)
    assert all(r.ja and r.en for r in result.verdict.reasons)


def test_unknown_ca_signatures_are_not_vouched_for(store: TrustStore) -> None:
    result = read(mc.forged("unknown-ca"), store)
    # The records are consistent with the card's own (rogue) certificate, which proves nothing.
    for name in ("kenmen_ap.cvc", "text_ap.signature", "kenmen_ap.signature", "kenmen_ap.presence"):
        assert status(result, name) is CheckStatus.NOT_VERIFIABLE


def test_cvc_from_the_other_ap_also_breaks_the_face_signature(store: TrustStore) -> None:
    result = read(mc.forged("cvc-swapped"), store)
    assert status(result, "kenmen_ap.signature") is CheckStatus.FAILED
    detail = next(c.detail_en for c in result.checks if c.name == "kenmen_ap.cvc")
    assert "text AP" in detail


def test_built_in_anchors_alone_make_samples_not_verifiable() -> None:
    """Samples are signed under test keys 9xxxxxx that the built-in store does not hold."""
    builtin = TrustStore.load(builtin=True, environment=False)
    result = read(mc.genuine("yamada"), builtin)
    assert result.verdict.status is VerdictStatus.ATTENTION  # type: ignore[union-attr]
    assert status(result, "kenmen_ap.cvc") is CheckStatus.NOT_VERIFIABLE
    assert status(result, "text_ap.cvc") is CheckStatus.NOT_VERIFIABLE
    assert status(result, "jpki.auth_cert") is CheckStatus.NOT_VERIFIABLE


def test_entered_birth_date_must_match_the_chip(store: TrustStore) -> None:
    """A forged chip that accepts any value cannot hide a birth date that differs from the printed one."""
    sample = mc.forged("any-b")
    unlock = {**sample.printed.unlock(), "birth": "550218", "expiry_year": "2035"}
    result = DOCUMENT.read(InProcessTransport(sample.card()), unlock, store=store)
    assert status(result, "consistency.birth_date") is CheckStatus.FAILED
    assert result.verdict.status is VerdictStatus.NOT_GENUINE  # type: ignore[union-attr]
