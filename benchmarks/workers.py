"""One measurement in a fresh process, for ``run.py``: ``python workers.py NAME --base-url ...``.

Each worker imports only its own client, warms up, measures, and prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from typing import Any

MODEL = "kimi-k2-turbo-preview"
MESSAGES = [
    {"role": "system", "content": "You are Kimi."},
    {"role": "user", "content": "Say hello."},
]
KEY = "sk-bench"
HEADERS = {"Authorization": f"Bearer {KEY}"}


# --- 2. CPU per non-stream call -----------------------------------------------------------


def call_httpx(base: str) -> Callable[[], Any]:
    import httpx

    client = httpx.Client(headers=HEADERS)
    url = base + "/chat/completions"
    body = {"model": MODEL, "messages": MESSAGES}

    def one() -> Any:
        response = client.post(url, json=body)
        response.raise_for_status()
        return response.json()["choices"][0]["message"]["content"]

    return one


def call_openai(base: str) -> Callable[[], Any]:
    import openai

    client = openai.OpenAI(base_url=base, api_key=KEY)

    def one() -> Any:
        reply = client.chat.completions.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]
        return reply.choices[0].message.content

    return one


def call_onesdk(base: str) -> Callable[[], Any]:
    from onesdk import OneSDK

    sdk = OneSDK("kimi", {"api_key": KEY, "base_url": base})

    def one() -> Any:
        return sdk.generate(MODEL, MESSAGES).choices[0].message.content

    return one


# --- 3. CPU per stream chunk --------------------------------------------------------------


def stream_httpx(base: str) -> Callable[[], int]:
    import httpx

    client = httpx.Client(headers=HEADERS)
    url = base + "/chat/completions"
    body = {"model": MODEL, "messages": MESSAGES, "stream": True}

    def one() -> int:
        n = 0
        with client.stream("POST", url, json=body) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if not line.startswith("data: "):
                    continue
                data = line[6:]
                if data == "[DONE]":
                    break
                chunk = json.loads(data)
                chunk["choices"][0]["delta"].get("content")
                n += 1
        return n

    return one


def stream_openai(base: str) -> Callable[[], int]:
    import openai

    client = openai.OpenAI(base_url=base, api_key=KEY)

    def one() -> int:
        n = 0
        stream = client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)  # type: ignore[arg-type]
        for chunk in stream:
            chunk.choices[0].delta.content  # noqa: B018
            n += 1
        return n

    return one


def stream_onesdk(base: str) -> Callable[[], int]:
    from onesdk import OneSDK

    sdk = OneSDK("kimi", {"api_key": KEY, "base_url": base})

    def one() -> int:
        n = 0
        for chunk in sdk.stream_generate(MODEL, MESSAGES):
            chunk.choices[0].delta.content  # noqa: B018
            n += 1
        return n

    return one


SYNC_WORKERS: dict[str, Callable[[str], Callable[[], Any]]] = {
    "call-httpx": call_httpx,
    "call-openai": call_openai,
    "call-onesdk": call_onesdk,
    "stream-httpx": stream_httpx,
    "stream-openai": stream_openai,
    "stream-onesdk": stream_onesdk,
}


def run_sync(name: str, base: str, n: int, warmup: int, profile: str | None) -> dict[str, Any]:
    one = SYNC_WORKERS[name](base)
    for _ in range(warmup):
        one()
    items = 0
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        result = one()
        items += result if isinstance(result, int) else 1
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    return {"cpu": cpu, "wall": wall, "items": items}


# --- 4. async concurrency -----------------------------------------------------------------


async def _rounds(
    fire: Callable[[], Any], concurrency: int, rounds: int
) -> tuple[list[float], float, int]:
    """Walls of ``rounds`` bursts of ``concurrency`` calls; the first opens the connections.

    Returns the walls, the CPU of the bursts after the first, and errors over every burst.
    """
    errors = 0

    async def guarded() -> bool:
        try:
            return bool(await fire())
        except Exception as exc:
            print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
            return False

    walls = []
    cpu0 = 0.0
    for burst in range(rounds):
        if burst == 1:
            cpu0 = time.process_time()
        started = time.perf_counter()
        results = await asyncio.gather(*(guarded() for _ in range(concurrency)))
        walls.append(time.perf_counter() - started)
        errors += results.count(False)
    cpu = time.process_time() - cpu0 if rounds > 1 else 0.0
    return walls, cpu, errors


def _backend(name: str) -> dict[str, Any]:
    """The optional aiohttp backend (``onesdk-core[aiohttp]``) for the ``-aiohttp`` variants."""
    if not name.endswith("-aiohttp"):
        return {}
    from httpx_aiohttp import HttpxAiohttpClient

    return {"http_client": HttpxAiohttpClient()}


async def async_call(name: str, base: str, concurrency: int, rounds: int) -> dict[str, Any]:
    url = base + "/chat/completions"
    body = {"model": MODEL, "messages": MESSAGES}
    closer: Callable[[], Any]
    if name == "acall-aiohttp":
        import aiohttp

        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), headers=HEADERS)

        async def fire() -> Any:
            async with session.post(url, json=body) as response:
                response.raise_for_status()
                data = await response.json()
                return data["choices"][0]["message"]["content"]

        closer = session.close
    elif name == "acall-httpx":
        import httpx

        client = httpx.AsyncClient(
            headers=HEADERS,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=None),
        )

        async def fire() -> Any:
            response = await client.post(url, json=body)
            response.raise_for_status()
            return response.json()["choices"][0]["message"]["content"]

        closer = client.aclose
    elif name == "acall-httpx2":
        import httpx2  # openai's maintained fork of httpx, installed with openai

        client2 = httpx2.AsyncClient(
            headers=HEADERS,
            limits=httpx2.Limits(max_connections=None, max_keepalive_connections=None),
        )

        async def fire() -> Any:
            response = await client2.post(url, json=body)
            response.raise_for_status()
            return response.json()["choices"][0]["message"]["content"]

        closer = client2.aclose
    elif name == "acall-openai":
        import openai

        aclient = openai.AsyncOpenAI(base_url=base, api_key=KEY)

        async def fire() -> Any:
            reply = await aclient.chat.completions.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]
            return reply.choices[0].message.content

        closer = aclient.close
    elif name in ("acall-onesdk", "acall-onesdk-aiohttp"):
        from onesdk import AsyncOneSDK

        sdk = AsyncOneSDK("kimi", {"api_key": KEY, "base_url": base, **_backend(name)})

        async def fire() -> Any:
            reply = await sdk.generate(MODEL, MESSAGES)
            return reply.choices[0].message.content

        closer = sdk.aclose
    elif name in ("astream-onesdk", "astream-onesdk-aiohttp"):
        from onesdk import AsyncOneSDK

        sdk = AsyncOneSDK("kimi", {"api_key": KEY, "base_url": base, **_backend(name)})

        async def fire() -> Any:
            n = 0
            usage = None
            async for chunk in sdk.stream_generate(MODEL, MESSAGES):
                chunk.choices[0].delta.content  # noqa: B018
                usage = chunk.usage or usage
                n += 1
            if usage is None:
                raise RuntimeError(f"stream of {n} chunks ended without usage")
            return n

        closer = sdk.aclose
    elif name == "astream-aiohttp":
        import aiohttp

        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), headers=HEADERS)
        sbody = {**body, "stream": True}

        async def fire() -> Any:
            n = 0
            async with session.post(url, json=sbody) as response:
                response.raise_for_status()
                async for raw in response.content:
                    line = raw.strip()
                    if not line.startswith(b"data: "):
                        continue
                    if line == b"data: [DONE]":
                        return n
                    json.loads(line[6:])["choices"][0]["delta"].get("content")
                    n += 1
            raise RuntimeError("stream ended without [DONE]")

        closer = session.close
    else:
        raise SystemExit(f"unknown worker {name!r}")
    try:
        walls, cpu, errors = await _rounds(fire, concurrency, rounds)
    finally:
        await closer()
    return {"walls": walls, "cpu": cpu, "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--n", type=int, default=1000, help="calls or streams (sync)")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help="write cProfile stats of the measured loop here")
    args = parser.parse_args()
    if args.name in SYNC_WORKERS:
        result = run_sync(args.name, args.base_url, args.n, args.warmup, args.profile)
    else:
        result = asyncio.run(async_call(args.name, args.base_url, args.concurrency, args.rounds))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
