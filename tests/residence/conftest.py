from __future__ import annotations

import pytest

from taimen.samples import residence_cards as rc
from taimen.trust import TrustStore
from taimen.trust.store import CertificateAnchor


@pytest.fixture(scope="session")
def pki() -> rc.SamplePki:
    return rc.make_pki()


@pytest.fixture(scope="session")
def store(pki: rc.SamplePki) -> TrustStore:
    return TrustStore(
        [],
        [CertificateAnchor("residence", pki.ca1, "sample-ca1"), CertificateAnchor("residence", pki.ca2, "sample-ca2")],
    )
