"""Concurrency safety: one client shared by many threads, streams left early, pickled errors.

Over real HTTP against the simulator; open file descriptors are counted in /proc/self/fd.
"""

from __future__ import annotations

import copy
import gc
import multiprocessing
import os
import pickle
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from onesdk import (
    AsyncOneSDK,
    InvokeError,
    InvokeRateLimitError,
    InvokeServerUnavailableError,
    OneSDK,
)
from onesdk.config import ClientConfig
from onesdk_kimi.simulator import KimiSimulator

MODEL = "kimi-k2-turbo-preview"
THREADS = 32
FD_DIR = "/proc/self/fd"
needs_proc = pytest.mark.skipif(not os.path.isdir(FD_DIR), reason="needs /proc/self/fd")


def open_fds() -> int:
    return len(os.listdir(FD_DIR))


def settle_fds(limit: int, wait: float = 3.0) -> int:
    """The fd count once the simulator has noticed the closed connections (or after ``wait``)."""
    deadline = time.monotonic() + wait
    count = open_fds()
    while count > limit and time.monotonic() < deadline:
        time.sleep(0.05)
        count = open_fds()
    return count


@pytest.fixture
def client(sim: KimiSimulator) -> Iterator[OneSDK]:
    sim.clear_faults()
    with OneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url, "timeout": 10}) as sdk:
        yield sdk


def ask(client: OneSDK, worker: int, turn: int) -> tuple[str, str, int]:
    text = f"thread {worker} turn {turn}"
    messages = [{"role": "user", "content": text}]
    if turn % 3 == 0:
        reply = client.generate(MODEL, messages).choices[0].message.content
    elif turn % 3 == 1:
        with client.stream_generate(MODEL, messages) as stream:
            reply = stream.text()
    else:
        reply = f"You said: {text}"
        assert client.count_tokens(MODEL, messages) > 0
    return text, reply or "", worker


def test_one_client_shared_by_32_threads(client: OneSDK) -> None:
    def work(worker: int) -> list[tuple[str, str, int]]:
        return [ask(client, worker, turn) for turn in range(6)]

    with ThreadPoolExecutor(THREADS) as pool:
        results = [item for batch in pool.map(work, range(THREADS)) for item in batch]
    assert len(results) == THREADS * 6
    for text, reply, _ in results:
        assert reply == f"You said: {text}"


def test_threads_see_their_own_errors_and_retries(client: OneSDK, sim: KimiSimulator) -> None:
    def work(worker: int) -> str:
        messages = [{"role": "user", "content": f"worker {worker}"}]
        if worker % 2:
            fault = {"X-Kimi-Sim-Fault": "error;status=400;type=invalid_request_error"}
            try:
                client.generate(MODEL, messages, extra_headers=fault)
            except InvokeError as error:
                return type(error).__name__
            return "no error"
        return client.generate(MODEL, messages).text

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))
    for worker, result in enumerate(results):
        expected = "InvokeBadRequestError" if worker % 2 else f"You said: worker {worker}"
        assert result == expected


@needs_proc
def test_breaking_out_of_streams_early_leaks_no_connections(client: OneSDK) -> None:
    messages = [{"role": "user", "content": "a fairly long question to get many chunks back"}]
    client.generate(MODEL, messages)  # the pool and the simulator are warm
    before = open_fds()
    for turn in range(1000):
        if turn % 2:
            with client.stream_generate(MODEL, messages) as stream:
                for _ in stream:
                    break
        else:  # no with-block: leaving the loop and dropping the stream must be enough
            for _ in client.stream_generate(MODEL, messages):
                break
    after = settle_fds(before + 5)
    assert after <= before + 5, (before, after)
    # And the client still works: the pool was not exhausted by leaked connections.
    assert client.generate(MODEL, messages).text


@needs_proc
async def test_async_streams_left_early_leak_no_connections(sim: KimiSimulator) -> None:
    messages = [{"role": "user", "content": "a fairly long question to get many chunks back"}]
    config = {"api_key": sim.api_key, "base_url": sim.base_url, "timeout": 10}
    async with AsyncOneSDK("kimi", config) as sdk:
        await sdk.generate(MODEL, messages)
        before = open_fds()
        for _ in range(300):
            async with sdk.stream_generate(MODEL, messages) as stream:
                async for _ in stream:
                    break
        after = settle_fds(before + 5)
        assert after <= before + 5, (before, after)
        assert (await sdk.generate(MODEL, messages)).text


def test_a_dropped_stream_is_freed_at_once_not_by_the_cyclic_gc(client: OneSDK) -> None:
    # Left to the cyclic GC, a stream could be finalized while httpcore holds its pool lock
    # in this very thread, and closing its connection there would deadlock.
    gc.disable()
    try:
        stream = client.stream_generate(MODEL, [{"role": "user", "content": "drop me"}])
        next(stream)
        ref = weakref.ref(stream)
        del stream
        assert ref() is None
    finally:
        gc.enable()
    assert client.generate(MODEL, [{"role": "user", "content": "still fine"}]).text


# --- pickling -------------------------------------------------------------------------------


ERRORS = [
    InvokeRateLimitError(
        "slow down",
        provider="kimi",
        status_code=429,
        error_type="rate_limit_reached_error",
        request_id="req-1",
        retry_after=3.0,
        body={"error": {"type": "rate_limit_reached_error", "message": "slow down"}},
    ),
    InvokeServerUnavailableError("down", provider="kimi", status_code=503, retryable=True),
]


def fields(error: InvokeError) -> tuple[object, ...]:
    return (
        type(error),
        error.message,
        error.provider,
        error.status_code,
        error.error_type,
        error.request_id,
        error.retry_after,
        error.retryable,
        error.body,
    )


def test_errors_from_a_real_call_survive_pickling(client: OneSDK) -> None:
    fault = {"X-Kimi-Sim-Fault": "rate_limit;retry_after=0"}
    with pytest.raises(InvokeRateLimitError) as caught:
        client.generate(MODEL, [{"role": "user", "content": "x"}], extra_headers=fault)
    restored = pickle.loads(pickle.dumps(caught.value))
    assert fields(restored) == fields(caught.value)
    assert str(restored) == str(caught.value)


def test_errors_and_configs_cross_a_process_boundary(sim: KimiSimulator) -> None:
    config = OneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url}).config
    # spawn, not fork: this process runs the simulator's thread.
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        errors = pool.map(copy.deepcopy, ERRORS)
        [returned] = pool.map(copy.deepcopy, [config])
    for sent, came_back in zip(ERRORS, errors, strict=True):
        assert fields(came_back) == fields(sent)
    assert isinstance(returned, ClientConfig)
    assert returned.base_url == config.base_url
    assert returned.max_retries == config.max_retries
    assert returned.api_key == ""  # by design: a worker reads its own key
    assert returned.http_client is None
