"""Shared test fixtures and the hypothesis profiles.

Profiles (select with ``HYPOTHESIS_PROFILE=NAME``):

- ``default``: CI. Every fuzz target runs its full example count (the TLV targets together ≥ 10 000 cases).
- ``long``: a much longer hunt, for a run by hand before a release (tens of minutes).
- ``quick``: a smoke run while editing.

Fuzz modules scale their per-target counts from ``settings().max_examples`` (see ``fuzz_examples``), so one
profile switch changes them all.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}

settings.register_profile("default", max_examples=2_500, **_COMMON)
settings.register_profile("long", max_examples=100_000, **_COMMON)
settings.register_profile("quick", max_examples=100, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
