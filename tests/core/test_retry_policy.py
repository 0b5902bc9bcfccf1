"""parse_retry_after and RetryPolicy: what to retry, and how long to wait."""

from __future__ import annotations

import email.utils

import pytest

from onesdk import retry
from onesdk.errors import (
    InvokeBadRequestError,
    InvokeConnectionError,
    InvokeRateLimitError,
    InvokeServerUnavailableError,
)
from onesdk.retry import RetryPolicy, parse_retry_after

NOW = 1_768_994_256.0

# --- parse_retry_after ---------------------------------------------------------------------


def test_retry_after_in_seconds() -> None:
    assert parse_retry_after({"retry-after": "3"}) == 3.0


def test_retry_after_with_fractional_seconds_and_spaces() -> None:
    assert parse_retry_after({"retry-after": " 1.5 "}) == 1.5


def test_retry_after_as_an_http_date() -> None:
    date = email.utils.formatdate(NOW + 60, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=NOW) == pytest.approx(60.0)


def test_retry_after_date_in_the_past_means_no_wait() -> None:
    date = email.utils.formatdate(NOW - 60, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=NOW) == 0.0


def test_retry_after_ms_in_milliseconds() -> None:
    assert parse_retry_after({"retry-after-ms": "1500"}) == 1.5


def test_retry_after_ms_wins_over_retry_after() -> None:
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25


def test_garbage_retry_after_ms_falls_back_to_retry_after() -> None:
    assert parse_retry_after({"retry-after-ms": "soon", "retry-after": "2"}) == 2.0


def test_no_retry_after_header_gives_none() -> None:
    assert parse_retry_after({}) is None
    assert parse_retry_after({"content-type": "application/json"}) is None


@pytest.mark.parametrize("value", ["soon", "", "Wed, 99 Foo 2015", "1 minute"])
def test_garbage_retry_after_gives_none(value: str) -> None:
    assert parse_retry_after({"retry-after": value}) is None


@pytest.mark.parametrize("value", ["nan", "NaN", "-nan"])
def test_nan_retry_after_gives_none(value: str) -> None:
    # float() accepts "nan"; a NaN wait compares false with every limit, so it is garbage.
    assert parse_retry_after({"retry-after": value}) is None


def test_negative_retry_after_means_no_wait() -> None:
    assert parse_retry_after({"retry-after": "-5"}) == 0.0


# --- RetryPolicy.should_retry --------------------------------------------------------------


def test_retryable_error_is_retried_while_attempts_remain() -> None:
    policy = RetryPolicy(max_retries=2)
    assert policy.should_retry(InvokeServerUnavailableError("503"), 0)
    assert policy.should_retry(InvokeServerUnavailableError("503"), 1)


def test_non_retryable_error_is_never_retried() -> None:
    assert not RetryPolicy(max_retries=5).should_retry(InvokeBadRequestError("bad"), 0)


def test_error_marked_not_retryable_is_not_retried_whatever_its_class() -> None:
    error = InvokeRateLimitError("quota-like", retryable=False)
    assert not RetryPolicy(max_retries=5).should_retry(error, 0)


def test_no_retry_once_attempts_are_exhausted() -> None:
    policy = RetryPolicy(max_retries=2)
    assert not policy.should_retry(InvokeConnectionError("reset"), 2)
    assert not policy.should_retry(InvokeConnectionError("reset"), 3)


def test_max_retries_zero_never_retries() -> None:
    assert not RetryPolicy(max_retries=0).should_retry(InvokeConnectionError("reset"), 0)


def test_retry_after_longer_than_the_limit_is_not_waited_for() -> None:
    policy = RetryPolicy(max_retries=3, max_retry_after=60.0)
    assert not policy.should_retry(InvokeRateLimitError("wait", retry_after=61.0), 0)


def test_retry_after_within_the_limit_is_retried() -> None:
    policy = RetryPolicy(max_retries=3, max_retry_after=60.0)
    assert policy.should_retry(InvokeRateLimitError("wait", retry_after=60.0), 0)


# --- RetryPolicy.delay ---------------------------------------------------------------------


def test_delay_is_full_jitter_between_zero_and_the_exponential_ceiling() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0)
    error = InvokeConnectionError("reset")
    for attempt in range(4):
        ceiling = 0.5 * 2**attempt
        delays = [policy.delay(error, attempt) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays), attempt
        assert max(delays) > ceiling / 2  # spread over the range, not pinned low


def test_delay_ceiling_doubles_each_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry.random, "uniform", lambda low, high: high)
    policy = RetryPolicy(initial_delay=0.5, max_delay=100.0)
    error = InvokeConnectionError("reset")
    assert [policy.delay(error, n) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]


def test_delay_never_exceeds_max_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry.random, "uniform", lambda low, high: high)
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0)
    assert policy.delay(InvokeConnectionError("reset"), 30) == 8.0


def test_delay_lower_bound_is_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry.random, "uniform", lambda low, high: low)
    assert RetryPolicy().delay(InvokeConnectionError("reset"), 3) == 0.0


def test_retry_after_wins_over_backoff() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0)
    assert policy.delay(InvokeRateLimitError("wait", retry_after=1.0), 5) == 1.0


def test_retry_after_wins_even_above_max_delay() -> None:
    policy = RetryPolicy(max_delay=8.0, max_retry_after=60.0)
    assert policy.delay(InvokeRateLimitError("wait", retry_after=20.0), 0) == 20.0
