"""Fixtures for the My Number Card tests: the sample hierarchy's trust store and fresh emulated cards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from taimen.emulator.card import VirtualCard
from taimen.samples import jlis_test_pki
from taimen.samples import mynumber_cards as mc
from taimen.trust import TrustStore


@pytest.fixture(scope="session")
def trust_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("trust")
    jlis_test_pki.default().write_trust_dir(d)
    return d


@pytest.fixture(scope="session")
def store(trust_dir: Path) -> TrustStore:
    return TrustStore.load([trust_dir], builtin=True, environment=False)


@pytest.fixture
def make_card() -> Callable[..., VirtualCard]:
    """A fresh card (fresh counters) for a sample key, with its exchange log recording."""

    def make(key: str = "yamada", **tries: int) -> VirtualCard:
        sample = mc.genuine(key) if not key.startswith("forged-") else mc.forged(key[len("forged-") :])
        chip = sample.chip
        if tries:
            from dataclasses import replace

            chip = replace(chip, tries={**chip.tries, **tries})
        card = mc.build_card(chip)
        card.log = []
        return card

    return make
