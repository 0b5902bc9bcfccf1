"""Load: the simulator holds 500 concurrent streaming connections.

All streams are opened together over real HTTP and must each end with `[DONE]`.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from onesdk_kimi.simulator import KimiSimulator

API_KEY = "sk-test"  # the key the conftest simulator accepts

STREAMS = 500
CLIENTS = 10  # httpcore's pool scans all its connections per request: keep pools small
CHUNK_DELAY = 0.1  # ~8 chunks: each stream lasts ~0.8 s, so serial handling would take minutes
BOUND_SECONDS = 20.0


async def _one_stream(client: httpx.AsyncClient, index: int) -> str:
    body = {
        "model": "kimi-k2-turbo-preview",
        "messages": [{"role": "user", "content": f"stream number {index}"}],
        "stream": True,
    }
    async with client.stream("POST", "/chat/completions", json=body) as response:
        assert response.status_code == 200
        return "".join([piece async for piece in response.aiter_text()])


async def test_500_concurrent_streams() -> None:
    limits = httpx.Limits(max_connections=STREAMS // CLIENTS + 10)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with KimiSimulator(api_key=API_KEY, chunk_delay=CHUNK_DELAY) as sim:
        started = time.monotonic()
        clients = [
            httpx.AsyncClient(
                base_url=sim.base_url, headers=headers, limits=limits, timeout=BOUND_SECONDS
            )
            for _ in range(CLIENTS)
        ]
        try:
            streams = (_one_stream(clients[i % CLIENTS], i) for i in range(STREAMS))
            texts = await asyncio.wait_for(asyncio.gather(*streams), BOUND_SECONDS)
        finally:
            for client in clients:
                await client.aclose()
        elapsed = time.monotonic() - started
    assert len(texts) == STREAMS
    for index, text in enumerate(texts):
        assert text.endswith("data: [DONE]\n\n")
        assert f'"content":"{index}"' in text
    assert elapsed < BOUND_SECONDS
    print(f"{STREAMS} concurrent streams completed in {elapsed:.2f}s")
