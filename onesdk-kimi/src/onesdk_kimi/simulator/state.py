"""Mutable simulator state: settings, clock, balance, scripted faults, caches, files, batches.

State is only touched on the server's event loop, except the few setters the test thread uses.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .batch_store import BatchStore
from .cache_store import CacheStore, PrefixCache
from .clock import Clock, new_object_id
from .faults import FaultQueue
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


class SimState:
    """Everything handlers share."""

    def __init__(self, config: SimConfig, balance: Balance | None = None) -> None:
        self.config = config
        self.clock = Clock()
        self.balance = balance or Balance()
        self.faults = FaultQueue()
        self.user_id = new_object_id(self.clock)
        self.caches = CacheStore(self.clock, lambda: self.config.cache_ready_delay)
        self.prefix_cache = PrefixCache()
        self.files = FileStore()
        self.batches = BatchStore(self.clock)
        self.org_id = "org-" + os.urandom(16).hex()
