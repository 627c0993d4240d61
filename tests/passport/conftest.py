"""Sample passports and their trust directory, built once per test session (key generation is slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from taimen.samples import passport_cards as pc


@pytest.fixture(scope="session")
def passport_trust(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("passport")
    pc.write_trust(out)
    return out / "trust"
