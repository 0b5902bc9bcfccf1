"""AsyncOneSDK over real HTTP: the same behaviour as OneSDK, awaited, with cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from onesdk import (
    AsyncOneSDK,
    InvokeAuthorizationError,
    InvokeBadRequestError,
    InvokeModelNotFoundError,
    OneSDK,
)
from onesdk_kimi.simulator import KimiSimulator

MODEL = "kimi-k2-turbo-preview"
HELLO = [{"role": "user", "content": "Explain the concept of blockchain technology."}]


@pytest.fixture
async def akimi(sim: KimiSimulator) -> AsyncIterator[AsyncOneSDK]:
    async with AsyncOneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url}) as client:
        yield client


async def test_async_generate_matches_sync(akimi: AsyncOneSDK, kimi: OneSDK) -> None:
    response = await akimi.generate(MODEL, HELLO)
    expected = kimi.generate(MODEL, HELLO)
    assert response["choices"][0]["message"]["content"] == expected.text
    assert response.usage == expected.usage
    assert response.request_id


async def test_async_stream_joins_to_generated_text(akimi: AsyncOneSDK) -> None:
    expected = (await akimi.generate(MODEL, HELLO)).text
    pieces = [
        chunk["choices"][0]["message"]["content"]
        async for chunk in akimi.stream_generate(MODEL, HELLO)
    ]
    assert "".join(pieces) == expected


async def test_async_stream_final_response_has_usage(akimi: AsyncOneSDK) -> None:
    async with akimi.stream_generate(MODEL, HELLO, max_tokens=3) as stream:
        final = await stream.final_response()
    assert final.choices[0].finish_reason == "length"
    assert final.usage is not None and final.usage.completion_tokens == 3


async def test_async_count_tokens_and_models(akimi: AsyncOneSDK) -> None:
    assert await akimi.count_tokens(MODEL, HELLO) > 0
    assert MODEL in {m.id for m in await akimi.list_models()}


async def test_async_errors_are_typed(sim: KimiSimulator, akimi: AsyncOneSDK) -> None:
    with pytest.raises(InvokeModelNotFoundError):
        await akimi.generate("kimi-k9", HELLO)
    with pytest.raises(InvokeBadRequestError):
        await akimi.generate(MODEL, [])
    async with AsyncOneSDK("kimi", api_key="sk-nope", base_url=sim.base_url) as bad:
        with pytest.raises(InvokeAuthorizationError):
            async for _ in bad.stream_generate(MODEL, HELLO):
                pass


async def test_cancelled_stream_closes_and_client_keeps_working(akimi: AsyncOneSDK) -> None:
    async def consume() -> None:
        async for _ in akimi.stream_generate(MODEL, HELLO):
            await asyncio.sleep(10)  # cancelled here, mid-stream

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await akimi.generate(MODEL, HELLO)).text


async def test_many_concurrent_async_streams_all_complete(akimi: AsyncOneSDK) -> None:
    async def one(i: int) -> str:
        messages = [{"role": "user", "content": f"request {i}"}]
        return "".join([c.text async for c in akimi.stream_generate(MODEL, messages)])

    replies = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(200))), 60)
    assert replies == [f"You said: request {i}" for i in range(200)]
