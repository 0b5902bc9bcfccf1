"""Fixtures for the Kimi simulator tests: a running simulator, a client, chat shortcuts.

All tests talk real HTTP to 127.0.0.1 (pytest runs with --import-mode=importlib, so shared
helpers are fixtures rather than an importable module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from onesdk_kimi.simulator import KimiSimulator
from onesdk_kimi.simulator.sse import parse_sse

API_KEY = "sk-test"

Chat = Callable[..., httpx.Response]
Stream = Callable[..., list[Any]]


@pytest.fixture(scope="module")
def sim() -> Iterator[KimiSimulator]:
    with KimiSimulator(api_key=API_KEY) as simulator:
        yield simulator


@pytest.fixture
def client(sim: KimiSimulator) -> Iterator[httpx.Client]:
    sim.clear_requests()
    sim.state.faults.clear()
    with httpx.Client(
        base_url=sim.base_url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10
    ) as http:
        yield http


@pytest.fixture
def chat(client: httpx.Client) -> Chat:
    """POST /chat/completions; model and messages default to a one-line K2 request."""

    def post(**body: Any) -> httpx.Response:
        body.setdefault("model", "kimi-k2-turbo-preview")
        body.setdefault("messages", [{"role": "user", "content": "Hello"}])
        return client.post("/chat/completions", json=body)

    return post


@pytest.fixture
def stream(chat: Chat) -> Stream:
    """Run a streaming chat and return its parsed events (ending with "[DONE]")."""

    def run(**body: Any) -> list[Any]:
        response = chat(stream=True, **body)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.text.endswith("\n\n")
        for block in response.text.split("\n\n")[:-1]:
            assert block.startswith("data: "), block
        return parse_sse(response.text)

    return run
