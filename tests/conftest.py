"""Shared test fixtures and the hypothesis profiles.

Profiles (select with ``HYPOTHESIS_PROFILE=NAME``):

- ``default``: CI. Property tests run hypothesis's usual 100 examples; the fuzz targets of card-byte parsers
  run 25 × that (tests/test_tlv_fuzz.py: 6 TLV targets × 2 500 = 15 000 cases, well within a minute).
- ``long``: 40 × longer (100 000 cases per TLV target), for a run by hand before a release.
- ``quick``: a smoke run while editing.

Fuzz modules scale their counts as ``FUZZ × settings().max_examples`` with their own factor, so one profile
switch changes them all while property tests elsewhere keep their explicit counts.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}

settings.register_profile("default", max_examples=100, **_COMMON)
settings.register_profile("long", max_examples=4_000, **_COMMON)
settings.register_profile("quick", max_examples=10, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
