"""Every simulator fault against every kind of operation: recover by retry, or the right error.

Each cell runs over real HTTP: generate, stream_generate, count_tokens and get_cache meet one
fault (per request through ``X-Kimi-Sim-Fault``, or queued with ``sim.inject``). A cell either
succeeds after the retries the simulator's request log shows, or raises the InvokeError subclass
the policy promises, with its status, type, request id and retryable flag.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from onesdk import (
    AsyncOneSDK,
    Cache,
    InvokeAuthorizationError,
    InvokeBadRequestError,
    InvokeConnectionError,
    InvokeContentFilterError,
    InvokeError,
    InvokeQuotaExceededError,
    InvokeRateLimitError,
    InvokeResponseError,
    InvokeServerUnavailableError,
    InvokeTimeoutError,
    OneSDK,
)
from onesdk import sse as onesdk_sse
from onesdk import transport as onesdk_transport
from onesdk_kimi.simulator import KimiSimulator

MODEL = "moonshot-v1-8k"
MESSAGES = [{"role": "user", "content": "Hello there"}]
TIMEOUT = 2.0  # no cell may hang: every call has a small timeout
SLOW_TIMEOUT = 0.25  # the call timeout of the slow-first-byte rows
SMALL_CAP = 32 * 1024  # the lowered SDK caps the oversized rows exceed

OPERATIONS = ("generate", "stream_generate", "count_tokens", "get_cache")
STREAM_ONLY = ("stream_generate",)
NON_STREAM = ("generate", "count_tokens", "get_cache")


@dataclasses.dataclass(frozen=True)
class Fails:
    """The error a cell must raise, and after how many requests."""

    error: type[InvokeError]
    attempts: int
    status: int | None
    error_type: str | None
    retryable: bool
    has_request_id: bool = True


@dataclasses.dataclass(frozen=True)
class Recovers:
    """The cell succeeds after ``attempts`` requests."""

    attempts: int


Outcome = Fails | Recovers


@dataclasses.dataclass(frozen=True)
class Row:
    """One fault: how it is delivered and what each operation must do."""

    label: str
    fault: str
    outcomes: dict[str, Outcome]
    times: int | None = None  # queued with sim.inject for this many requests; else a header
    timeout: float = TIMEOUT


def every(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(OPERATIONS, outcome)


def split(non_stream: Outcome, stream: Outcome) -> dict[str, Outcome]:
    return {**dict.fromkeys(NON_STREAM, non_stream), "stream_generate": stream}


ROWS = [
    # --- transient: retried, then it works -------------------------------------------------
    *(
        Row(f"{status} then ok", f"error;status={status};type={kind}", every(Recovers(3)), 2)
        for status, kind in [
            (500, "server_error"),
            (502, "server_error"),
            (503, "server_unavailable"),
            (504, "server_error"),
            (408, "invalid_request_error"),
            (409, "invalid_request_error"),
        ]
    ),
    Row("429 rate limit + Retry-After then ok", "rate_limit;retry_after=0", every(Recovers(2)), 1),
    Row("429 overloaded then ok", "overloaded", every(Recovers(2)), 1),
    Row("HTML 502 page then ok", "html_502", every(Recovers(2)), 1),
    Row("dropped connection then ok", "drop", every(Recovers(2)), 1),
    Row("slow first byte then ok", "slow;delay=1", every(Recovers(2)), 1, SLOW_TIMEOUT),
    Row("disconnect before any event then ok", "disconnect;after=0", every(Recovers(2)), 1),
    # --- transient but persistent: retries run out -----------------------------------------
    Row(
        "500 every time",
        "error;status=500;type=server_error",
        every(Fails(InvokeServerUnavailableError, 3, 500, "server_error", True)),
    ),
    Row(
        "429 rate limit every time",
        "rate_limit;retry_after=0",
        every(Fails(InvokeRateLimitError, 3, 429, "rate_limit_reached_error", True)),
    ),
    Row(
        "HTML 502 every time",
        "html_502",
        every(Fails(InvokeServerUnavailableError, 3, 502, None, True)),
    ),
    Row(
        "slow first byte every time",
        "slow;delay=1",
        every(Fails(InvokeTimeoutError, 3, None, None, True, has_request_id=False)),
        timeout=SLOW_TIMEOUT,
    ),
    Row(
        "dropped connection every time",
        "drop",
        every(Fails(InvokeConnectionError, 3, None, None, True, has_request_id=False)),
    ),
    # --- never retried ---------------------------------------------------------------------
    Row(
        "401 bad key",
        "error;status=401;type=invalid_authentication_error",
        every(Fails(InvokeAuthorizationError, 1, 401, "invalid_authentication_error", False)),
        3,
    ),
    Row(
        "429 quota exhausted",
        "quota",
        every(Fails(InvokeQuotaExceededError, 1, 429, "exceeded_current_quota_error", False)),
        3,
    ),
    Row(
        "400 bad request",
        "error;status=400;type=invalid_request_error",
        every(Fails(InvokeBadRequestError, 1, 400, "invalid_request_error", False)),
        3,
    ),
    Row(
        "400 content filter",
        "error;status=400;type=content_filter",
        every(Fails(InvokeContentFilterError, 1, 400, "content_filter", False)),
        3,
    ),
    Row(
        "501 not implemented",
        "error;status=501;type=server_error",
        every(Fails(InvokeServerUnavailableError, 1, 501, "server_error", False)),
        3,
    ),
    # --- broken bodies ---------------------------------------------------------------------
    Row(
        "disconnect mid-body / mid-stream, once",
        "disconnect;after=2",
        split(Recovers(2), Fails(InvokeConnectionError, 1, None, None, True)),
        1,
    ),
    Row(
        "disconnect mid-body / mid-stream, every time",
        "disconnect;after=2",
        split(
            Fails(InvokeConnectionError, 3, None, None, True),
            Fails(InvokeConnectionError, 1, None, None, True),
        ),
    ),
    Row(
        "truncated body / SSE without [DONE]",
        "truncate",
        split(
            Fails(InvokeResponseError, 1, 200, None, False),
            Fails(InvokeResponseError, 1, 200, None, True),
        ),
    ),
    Row(
        "malformed JSON",
        "malformed_json",
        every(Fails(InvokeResponseError, 1, 200, None, False)),
    ),
    Row(
        "oversized body / SSE line",
        f"oversized;size={2 * SMALL_CAP}",
        every(Fails(InvokeResponseError, 1, 200, None, False)),
    ),
]

CELLS = [
    pytest.param(row, operation, id=f"{row.label}-{operation}")
    for row in ROWS
    for operation in OPERATIONS
]


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cache_id(sim: KimiSimulator) -> str:
    with OneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url}) as client:
        cache: Cache = client.create_cache(
            MODEL, [{"role": "system", "content": "fault matrix"}], ttl=3600
        )
        return cache.id


@pytest.fixture
def fast(sim: KimiSimulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[OneSDK]:
    """A client whose backoff sleeps are a few milliseconds and whose size caps are small."""
    monkeypatch.setattr(onesdk_sse, "MAX_EVENT_BYTES", SMALL_CAP)
    monkeypatch.setattr(onesdk_transport, "MAX_BODY_BYTES", SMALL_CAP)
    sim.clear_faults()
    with OneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url}) as client:
        policy = client._transport.retry_policy
        client._transport.retry_policy = dataclasses.replace(
            policy, initial_delay=0.001, max_delay=0.005
        )
        sim.clear_requests()
        yield client
    sim.clear_faults()


def run(client: OneSDK, operation: str, cache_id: str, **options: Any) -> Any:
    if operation == "generate":
        return client.generate(MODEL, MESSAGES, **options)
    if operation == "stream_generate":
        with client.stream_generate(MODEL, MESSAGES, **options) as stream:
            return list(stream)
    if operation == "count_tokens":
        return client.count_tokens(MODEL, MESSAGES, **options)
    return client.invoke("get_cache", cache_id, **options)


PATHS: dict[str, Callable[[str], str]] = {
    "generate": lambda _: "/v1/chat/completions",
    "stream_generate": lambda _: "/v1/chat/completions",
    "count_tokens": lambda _: "/v1/tokenizers/estimate-token-count",
    "get_cache": lambda cache_id: f"/v1/caching/{cache_id}",
}


# --- the matrix -----------------------------------------------------------------------------


@pytest.mark.timeout(15)
@pytest.mark.parametrize(("row", "operation"), CELLS)
def test_fault_cell(
    row: Row, operation: str, fast: OneSDK, sim: KimiSimulator, cache_id: str
) -> None:
    options: dict[str, Any] = {"timeout": row.timeout}
    if row.times is None:
        options["extra_headers"] = {"X-Kimi-Sim-Fault": row.fault}
    else:
        sim.inject(row.fault, times=row.times, path=PATHS[operation](cache_id))
    sim.clear_requests()
    expected = row.outcomes[operation]

    if isinstance(expected, Recovers):
        result = run(fast, operation, cache_id, **options)
        assert result is not None
        if operation == "stream_generate":
            assert "".join(c.choices[0].delta.content or "" for c in result if c.choices)
    else:
        with pytest.raises(InvokeError) as caught:
            run(fast, operation, cache_id, **options)
        error = caught.value
        assert type(error) is expected.error, repr(error)
        assert error.provider == "kimi"
        assert error.status_code == expected.status
        assert error.error_type == expected.error_type
        assert error.retryable is expected.retryable
        assert (error.request_id is not None) is expected.has_request_id, error.request_id
        assert str(error) and repr(error)

    assert len(sim.requests) == expected.attempts


ASYNC_CELLS = [
    pytest.param(row, operation, id=f"async {row.label}-{operation}")
    for row in ROWS
    for operation in ("generate", "stream_generate")
]


async def arun(client: AsyncOneSDK, operation: str, **options: Any) -> Any:
    if operation == "generate":
        return await client.generate(MODEL, MESSAGES, **options)
    async with client.stream_generate(MODEL, MESSAGES, **options) as stream:
        return [chunk async for chunk in stream]


@pytest.mark.timeout(15)
@pytest.mark.parametrize(("row", "operation"), ASYNC_CELLS)
async def test_async_fault_cell(
    row: Row, operation: str, sim: KimiSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The async client meets the same faults with the same outcomes."""
    monkeypatch.setattr(onesdk_sse, "MAX_EVENT_BYTES", SMALL_CAP)
    monkeypatch.setattr(onesdk_transport, "MAX_BODY_BYTES", SMALL_CAP)
    sim.clear_faults()
    options: dict[str, Any] = {"timeout": row.timeout}
    if row.times is None:
        options["extra_headers"] = {"X-Kimi-Sim-Fault": row.fault}
    else:
        sim.inject(row.fault, times=row.times, path="/v1/chat/completions")
    expected = row.outcomes[operation]
    async with AsyncOneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url}) as client:
        transport = client._transport
        transport.retry_policy = dataclasses.replace(
            transport.retry_policy, initial_delay=0.001, max_delay=0.005
        )
        sim.clear_requests()
        if isinstance(expected, Recovers):
            assert await arun(client, operation, **options)
        else:
            with pytest.raises(InvokeError) as caught:
                await arun(client, operation, **options)
            error = caught.value
            assert type(error) is expected.error, repr(error)
            assert (error.status_code, error.error_type, error.retryable) == (
                expected.status,
                expected.error_type,
                expected.retryable,
            )
            assert (error.request_id is not None) is expected.has_request_id
    assert len(sim.requests) == expected.attempts
    sim.clear_faults()


def test_rate_limit_error_carries_the_servers_retry_after(fast: OneSDK, sim: KimiSimulator) -> None:
    with pytest.raises(InvokeRateLimitError) as caught:
        fast.generate(
            MODEL,
            MESSAGES,
            max_retries=0,
            extra_headers={"X-Kimi-Sim-Fault": "rate_limit;retry_after=7"},
        )
    assert caught.value.retry_after == 7.0
    assert len(sim.requests) == 1


def test_a_retry_after_beyond_the_cap_is_raised_not_waited_for(
    fast: OneSDK, sim: KimiSimulator
) -> None:
    with pytest.raises(InvokeRateLimitError) as caught:
        fast.generate(
            MODEL, MESSAGES, extra_headers={"X-Kimi-Sim-Fault": "rate_limit;retry_after=3600"}
        )
    assert caught.value.retry_after == 3600.0
    assert len(sim.requests) == 1


def test_all_queued_faults_are_consumed_by_the_retries(fast: OneSDK, sim: KimiSimulator) -> None:
    sim.inject("overloaded", times=2)
    assert fast.count_tokens(MODEL, MESSAGES, timeout=TIMEOUT) > 0
    assert len(sim.requests) == 3
    assert len(sim.state.faults) == 0
