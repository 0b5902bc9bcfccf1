"""AsyncOneSDK over the optional aiohttp backend (``onesdk-core[aiohttp]``): same results."""

from __future__ import annotations

import asyncio

import pytest
from httpx_aiohttp import HttpxAiohttpClient

from onesdk import AsyncOneSDK, InvokeModelNotFoundError
from onesdk_kimi.simulator import KimiSimulator

MODEL = "kimi-k2-turbo-preview"


async def test_generate_stream_and_errors_over_aiohttp(sim: KimiSimulator) -> None:
    http = HttpxAiohttpClient()
    try:
        async with AsyncOneSDK(
            "kimi", api_key=sim.api_key, base_url=sim.base_url, http_client=http
        ) as sdk:
            messages = [{"role": "user", "content": "hi"}]
            assert (await sdk.generate(MODEL, messages)).text == "You said: hi"
            async with sdk.stream_generate(MODEL, messages) as stream:
                final = await stream.final_response()
            assert final.text == "You said: hi"
            assert final.usage is not None
            with pytest.raises(InvokeModelNotFoundError) as caught:
                await sdk.generate("kimi-k9", messages)
            assert caught.value.status_code == 404
            assert caught.value.request_id
    finally:
        await http.aclose()


async def test_many_concurrent_calls_over_aiohttp(sim: KimiSimulator) -> None:
    http = HttpxAiohttpClient()
    try:
        async with AsyncOneSDK(
            "kimi", api_key=sim.api_key, base_url=sim.base_url, http_client=http
        ) as sdk:
            replies = await asyncio.gather(
                *(sdk.generate(MODEL, [{"role": "user", "content": f"#{i}"}]) for i in range(300))
            )
        assert [r.text for r in replies] == [f"You said: #{i}" for i in range(300)]
    finally:
        await http.aclose()
