"""The simulator's clock (wall time plus a test-controlled offset) and time-based ids.

Cache expiry, readiness and `created_at` values all read this clock.
"""

from __future__ import annotations

import base64
import os
import time


class Clock:
    """Wall-clock seconds plus an offset that tests can advance."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        """Current simulated unix time."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move simulated time forward (caches expire, pending ones become ready)."""
        self.offset += seconds


def new_object_id(clock: Clock) -> str:
    """A 20-char xid-style id (base32hex of time + random), like Kimi's file and user ids."""
    raw = int(clock.now()).to_bytes(4, "big") + os.urandom(8)
    return base64.b32hexencode(raw).decode("ascii").rstrip("=").lower()[:20]
