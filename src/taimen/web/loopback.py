"""Whether a host is a loopback address: the counter app serves this machine only (no web stack imported)."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
