"""A model of the contactless link, so read times are reproducible and comparable.

Each exchange costs a fixed turnaround (frame delay, card processing, reader overhead) plus the bits
on the air at the chosen ISO 14443 bit rate. Framing overhead: 10 bits per byte (start, 8 data, stop; Type B
character format) plus a 4-byte block frame (PCB, CID-less, CRC_B 2 bytes, SOF/EOF approximated as 1 byte)
per I-block of at most ``frame_size`` bytes, in each direction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

BIT_RATES = (106_000, 212_000, 424_000, 848_000)


@dataclass(frozen=True, slots=True)
class LinkModel:
    bit_rate: int = 212_000
    #: Per-exchange fixed cost in seconds (frame waiting, card processing, reader/driver overhead).
    turnaround: float = 0.004
    #: Maximum frame size (FSC/FSD): 256 bytes is common for Type B at high bit rates.
    frame_size: int = 256
    frame_overhead: int = 4

    def __post_init__(self) -> None:
        if self.bit_rate not in BIT_RATES:
            raise ValueError(f"ISO 14443 bit rate must be one of {BIT_RATES}")
        if self.frame_overhead < 0 or self.frame_size <= self.frame_overhead:
            raise ValueError("a frame must be larger than its overhead (and the overhead not negative)")
        if self.turnaround < 0:
            raise ValueError("turnaround must not be negative")

    def _wire_bytes(self, n: int) -> int:
        payload = self.frame_size - self.frame_overhead
        frames = max(1, math.ceil(n / payload))
        return n + frames * self.frame_overhead

    def exchange_time(self, sent: int, received: int) -> float:
        """Seconds for one command of ``sent`` bytes and its response of ``received`` bytes."""
        chained = max(1, math.ceil(sent / (self.frame_size - self.frame_overhead)))
        chained += max(1, math.ceil(received / (self.frame_size - self.frame_overhead)))
        bits = (self._wire_bytes(sent) + self._wire_bytes(received)) * 10
        # Every extra chained block (ACK R-blocks in between) costs a short turnaround of its own.
        return self.turnaround + bits / self.bit_rate + (chained - 2) * 0.0005

    def floor(self, total_bytes: int, min_exchanges: int) -> float:
        """Lower bound: the payload bytes at the bit rate plus the minimal number of turnarounds."""
        return min_exchanges * self.turnaround + total_bytes * 10 / self.bit_rate


@dataclass
class LinkMeter:
    """Accumulates modelled time, exchanges and bytes for one session."""

    model: LinkModel
    exchanges: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    seconds: float = 0.0

    def record(self, sent: int, received: int) -> float:
        t = self.model.exchange_time(sent, received)
        self.exchanges += 1
        self.bytes_sent += sent
        self.bytes_received += received
        self.seconds += t
        return t
