"""The retry policy as users meet it: INFO logs, the on_retry hook, per-client and per-call knobs.

Over real HTTP against the simulator, with backoff sleeps shrunk to milliseconds.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from onesdk import (
    AsyncOneSDK,
    InvokeConnectionError,
    InvokeError,
    InvokeServerUnavailableError,
    InvokeTimeoutError,
    OneSDK,
    hookimpl,
    register_plugin,
    unregister_plugin,
)
from onesdk_kimi.simulator import KimiSimulator

MODEL = "kimi-k2-turbo-preview"
MESSAGES = [{"role": "user", "content": "Hi"}]
OVERLOADED = {"X-Kimi-Sim-Fault": "overloaded"}


def _fast(client: OneSDK | AsyncOneSDK) -> None:
    transport = client._transport
    transport.retry_policy = dataclasses.replace(
        transport.retry_policy, initial_delay=0.001, max_delay=0.005
    )


@pytest.fixture
def client(sim: KimiSimulator) -> Iterator[OneSDK]:
    sim.clear_faults()
    with OneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url, "timeout": 2}) as sdk:
        _fast(sdk)
        sim.clear_requests()
        yield sdk
    sim.clear_faults()


class RetryRecorder:
    def __init__(self) -> None:
        self.retries: list[dict[str, Any]] = []
        self.errors: list[InvokeError] = []

    @hookimpl
    def onesdk_on_retry(
        self, provider: str, operation: str, error: InvokeError, attempt: int, delay: float
    ) -> None:
        self.retries.append(
            {"provider": provider, "operation": operation, "attempt": attempt, "delay": delay}
        )

    @hookimpl
    def onesdk_on_error(self, provider: str, operation: str, error: InvokeError) -> None:
        self.errors.append(error)


@pytest.fixture
def recorder() -> Iterator[RetryRecorder]:
    plugin = RetryRecorder()
    register_plugin(plugin, name="retry-recorder")
    yield plugin
    unregister_plugin(plugin)


def test_defaults_are_two_retries(client: OneSDK, sim: KimiSimulator) -> None:
    with pytest.raises(InvokeServerUnavailableError):
        client.generate(MODEL, MESSAGES, extra_headers=OVERLOADED)
    assert len(sim.requests) == 3


def test_each_retry_is_logged_at_info(
    client: OneSDK, sim: KimiSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    sim.inject("overloaded", times=2)
    with caplog.at_level(logging.INFO, logger="onesdk.transport"):
        client.generate(MODEL, MESSAGES)
    retries = [r for r in caplog.records if r.name == "onesdk.transport" and "retrying" in r.msg]
    assert len(retries) == 2
    assert all(r.levelno == logging.INFO for r in retries)
    assert "InvokeServerUnavailableError" in retries[0].getMessage()
    assert "engine_overloaded_error" in retries[0].getMessage()


def test_each_retry_is_announced_to_plugins(
    client: OneSDK, sim: KimiSimulator, recorder: RetryRecorder
) -> None:
    sim.inject("rate_limit;retry_after=0", times=2)
    client.count_tokens(MODEL, MESSAGES)
    assert [r["attempt"] for r in recorder.retries] == [1, 2]
    assert {r["operation"] for r in recorder.retries} == {"count_tokens"}
    assert {r["provider"] for r in recorder.retries} == {"kimi"}
    assert [r["delay"] for r in recorder.retries] == [0.0, 0.0]  # the server's Retry-After
    assert recorder.errors == []


def test_the_final_failure_reaches_on_error_once(client: OneSDK, recorder: RetryRecorder) -> None:
    with pytest.raises(InvokeServerUnavailableError):
        client.generate(MODEL, MESSAGES, extra_headers=OVERLOADED)
    assert len(recorder.retries) == 2
    assert len(recorder.errors) == 1


def test_max_retries_per_client(sim: KimiSimulator) -> None:
    config = {"api_key": sim.api_key, "base_url": sim.base_url, "max_retries": 0}
    with OneSDK("kimi", config) as sdk:
        sim.clear_requests()
        with pytest.raises(InvokeServerUnavailableError):
            sdk.generate(MODEL, MESSAGES, extra_headers=OVERLOADED)
    assert len(sim.requests) == 1


def test_max_retries_per_call_overrides_the_client(client: OneSDK, sim: KimiSimulator) -> None:
    sim.inject("overloaded", times=4)
    client.generate(MODEL, MESSAGES, max_retries=4)
    assert len(sim.requests) == 5


def test_max_retries_zero_per_call(client: OneSDK, sim: KimiSimulator) -> None:
    with pytest.raises(InvokeServerUnavailableError):
        client.count_tokens(MODEL, MESSAGES, max_retries=0, extra_headers=OVERLOADED)
    assert len(sim.requests) == 1


def test_timeout_per_call_overrides_the_client(client: OneSDK, sim: KimiSimulator) -> None:
    slow = {"X-Kimi-Sim-Fault": "slow;delay=0.4"}
    assert client.generate(MODEL, MESSAGES, extra_headers=slow).text  # client timeout 2 s
    with pytest.raises(InvokeTimeoutError) as caught:
        client.generate(MODEL, MESSAGES, extra_headers=slow, timeout=0.1, max_retries=0)
    assert caught.value.retryable


def test_timeout_per_client(sim: KimiSimulator) -> None:
    config = {"api_key": sim.api_key, "base_url": sim.base_url, "timeout": 0.1, "max_retries": 0}
    with OneSDK("kimi", config) as sdk, pytest.raises(InvokeTimeoutError):
        sdk.list_models(extra_headers={"X-Kimi-Sim-Fault": "slow;delay=0.4"})


def test_a_stream_is_not_retried_after_its_first_chunk_reached_the_user(
    client: OneSDK, sim: KimiSimulator
) -> None:
    sim.inject("disconnect;after=3", times=1)
    seen: list[Any] = []

    def read() -> None:
        with client.stream_generate(MODEL, MESSAGES) as stream:
            seen.extend(stream)

    with pytest.raises(InvokeConnectionError):
        read()
    assert len(seen) == 3
    assert len(sim.requests) == 1


def test_a_stream_is_retried_when_it_fails_before_its_first_chunk(
    client: OneSDK, sim: KimiSimulator
) -> None:
    sim.inject("disconnect;after=0", times=2)
    with client.stream_generate(MODEL, MESSAGES) as stream:
        assert stream.text() == "You said: Hi"
    assert len(sim.requests) == 3


# --- async ----------------------------------------------------------------------------------


@pytest.fixture
async def aclient(sim: KimiSimulator) -> Any:
    sim.clear_faults()
    async with AsyncOneSDK(
        "kimi", {"api_key": sim.api_key, "base_url": sim.base_url, "timeout": 2}
    ) as sdk:
        _fast(sdk)
        sim.clear_requests()
        yield sdk
    sim.clear_faults()


async def test_async_generate_recovers_by_retry(aclient: AsyncOneSDK, sim: KimiSimulator) -> None:
    sim.inject("html_502", times=2)
    response = await aclient.generate(MODEL, MESSAGES)
    assert response.text == "You said: Hi"
    assert len(sim.requests) == 3


async def test_async_stream_recovers_before_its_first_chunk(
    aclient: AsyncOneSDK, sim: KimiSimulator
) -> None:
    sim.inject("drop", times=1)
    async with aclient.stream_generate(MODEL, MESSAGES) as stream:
        assert await stream.text() == "You said: Hi"
    assert len(sim.requests) == 2


async def test_async_stream_broken_mid_way_raises_connection_error(
    aclient: AsyncOneSDK, sim: KimiSimulator
) -> None:
    fault = {"X-Kimi-Sim-Fault": "disconnect;after=2"}

    async def read() -> None:
        async with aclient.stream_generate(MODEL, MESSAGES, extra_headers=fault) as stream:
            async for _ in stream:
                pass

    with pytest.raises(InvokeConnectionError) as caught:
        await read()
    assert caught.value.request_id is not None
    assert len(sim.requests) == 1


async def test_async_timeout_is_an_invoke_timeout_error(
    aclient: AsyncOneSDK, sim: KimiSimulator
) -> None:
    slow = {"X-Kimi-Sim-Fault": "slow;delay=0.5"}
    with pytest.raises(InvokeTimeoutError):
        await aclient.count_tokens(MODEL, MESSAGES, extra_headers=slow, timeout=0.1)
    assert len(sim.requests) == 3


def test_a_stream_tells_after_response_once_its_headers_arrive(
    client: OneSDK, sim: KimiSimulator
) -> None:
    seen: list[tuple[str, int]] = []

    class Spy:
        @hookimpl
        def onesdk_after_response(
            self, provider: str, operation: str, response: Any, elapsed: float
        ) -> None:
            seen.append((operation, response.status_code))

    spy = Spy()
    register_plugin(spy, name="after-response-spy")
    try:
        sim.inject("drop", times=1)
        with client.stream_generate(MODEL, MESSAGES) as stream:
            assert stream.text()
    finally:
        unregister_plugin(spy)
    assert seen == [("stream_generate", 200)]
