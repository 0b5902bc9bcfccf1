"""The retry policy: which failures to retry and how long to wait (sans-I/O, no sleeping).

Exponential backoff with full jitter, capped; a server's ``Retry-After`` wins when it is sane.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import InvokeError

__all__ = ["DEFAULT_MAX_RETRIES", "RetryPolicy", "parse_retry_after"]

DEFAULT_MAX_RETRIES = 2


def _seconds(text: str, scale: float = 1.0) -> float | None:
    try:
        value = float(text) / scale
    except ValueError:
        return None
    return max(value, 0.0) if math.isfinite(value) else None


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date) or ``retry-after-ms``."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        seconds = _seconds(millis, 1000.0)
        if seconds is not None:
            return seconds
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before trying a failed request again."""

    max_retries: int = DEFAULT_MAX_RETRIES
    initial_delay: float = 0.5
    max_delay: float = 8.0
    #: A ``Retry-After`` longer than this is not waited for: the error is raised instead.
    max_retry_after: float = 60.0

    def should_retry(self, error: InvokeError, attempt: int) -> bool:
        """``attempt`` counts retries already made (0 after the first failure)."""
        if attempt >= self.max_retries or not error.retryable:
            return False
        return error.retry_after is None or error.retry_after <= self.max_retry_after

    def delay(self, error: InvokeError, attempt: int) -> float:
        """Seconds to sleep before retry number ``attempt + 1``."""
        if error.retry_after is not None:
            return error.retry_after
        ceiling = min(self.initial_delay * (2**attempt), self.max_delay)
        return random.uniform(0, ceiling)  # full jitter: spreads a thundering herd
