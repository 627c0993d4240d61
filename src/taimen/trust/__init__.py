"""Trust anchors: the public keys and certificates taimen pins (never anything read from the card)."""

from taimen.trust.store import CertificateAnchor, CvcAnchor, TrustStore

__all__ = ["CertificateAnchor", "CvcAnchor", "TrustStore"]
