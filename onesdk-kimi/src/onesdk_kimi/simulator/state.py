"""Mutable simulator state: settings, clock, balance, scripted faults, caches and files.

State is only touched on the server's event loop, except the few setters the test thread uses.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from dataclasses import dataclass, field

from .cache_store import CacheStore, PrefixCache
from .clock import Clock, new_object_id
from .errors import ApiError
from .file_store import FileStore


@dataclass
class SimConfig:
    """Settings fixed when the simulator is built."""

    api_key: str | None = "sk-simulator"
    chunk_delay: float = 0.0
    cache_ready_delay: float = 0.05


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


class SimState:
    """Everything handlers share."""

    def __init__(self, config: SimConfig, balance: Balance | None = None) -> None:
        self.config = config
        self.clock = Clock()
        self.balance = balance or Balance()
        self.faults = Faults()
        self.user_id = new_object_id(self.clock)
        self.caches = CacheStore(self.clock, lambda: self.config.cache_ready_delay)
        self.prefix_cache = PrefixCache()
        self.files = FileStore()
        self.org_id = "org-" + os.urandom(16).hex()
