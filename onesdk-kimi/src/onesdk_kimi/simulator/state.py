"""Mutable simulator state: settings, a shiftable clock, the account balance, scripted faults.

State is only touched on the server's event loop, except the few setters the test thread uses.
"""

from __future__ import annotations

import base64
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from .errors import ApiError


@dataclass
class SimConfig:
    """Settings fixed when the simulator is built."""

    api_key: str | None = "sk-simulator"
    chunk_delay: float = 0.0
    cache_ready_delay: float = 0.05


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


@dataclass
class Balance:
    """The account balance reported by `/v1/users/me/balance`."""

    cash: float = 100.0
    voucher: float = 0.0

    @property
    def available(self) -> float:
        """cash + voucher; arrears (negative cash) never eat into the voucher."""
        return max(self.cash, 0.0) + self.voucher


@dataclass
class Fault:
    """A scripted error returned instead of the real answer."""

    status: int
    error_type: str
    message: str
    path: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Faults:
    """A thread-safe queue of scripted errors, consumed in order by matching requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()

    def add(self, fault: Fault, times: int = 1) -> None:
        """Queue `fault` for the next `times` matching requests."""
        with self._lock:
            self._queue.extend([fault] * times)

    def clear(self) -> None:
        """Drop all queued faults."""
        with self._lock:
            self._queue.clear()

    def take(self, path: str) -> ApiError | None:
        """The first queued fault matching `path` (removed), as an ApiError."""
        with self._lock:
            for fault in self._queue:
                if fault.path is None or fault.path == path:
                    self._queue.remove(fault)
                    return ApiError(fault.status, fault.error_type, fault.message, fault.headers)
        return None


def new_object_id(clock: Clock) -> str:
    """A 20-char xid-style id (base32hex of time + random), as Kimi's file and user ids."""
    raw = int(clock.now()).to_bytes(4, "big") + os.urandom(8)
    return base64.b32hexencode(raw).decode("ascii").rstrip("=").lower()[:20]


class SimState:
    """Everything handlers share."""

    def __init__(self, config: SimConfig, balance: Balance | None = None) -> None:
        self.config = config
        self.clock = Clock()
        self.balance = balance or Balance()
        self.faults = Faults()
        self.user_id = new_object_id(self.clock)
        self.org_id = "org-" + os.urandom(16).hex()
