"""Waiting: the backoff bookkeeping of polls (caches, batches) and a lazy asyncio sleep.

Sans-I/O like ``retry.py``: callers do the sleeping, sync or async.
"""

from __future__ import annotations

import time

__all__ = ["Poll", "async_sleep"]


class Poll:
    """Doubling waits from ``start`` up to ``cap``, and a deadline ``timeout`` s away."""

    def __init__(self, timeout: float | None, start: float = 0.05, cap: float = 2.0) -> None:
        self._deadline = None if timeout is None else time.monotonic() + timeout
        self._delay = min(start, cap)
        self._cap = cap

    def expired(self) -> bool:
        return self._deadline is not None and time.monotonic() >= self._deadline

    def next_delay(self) -> float:
        """Seconds to wait before the next look; each wait doubles up to the cap."""
        delay = self._delay
        self._delay = min(delay * 2, self._cap)
        return delay


async def async_sleep(delay: float) -> None:
    """``asyncio.sleep``, importing asyncio only when an async caller needs it (~20 ms)."""
    import asyncio

    await asyncio.sleep(delay)
