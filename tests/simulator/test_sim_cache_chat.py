"""Chat completions that use caches: cache messages, tags, headers, dry runs, prompt_cache_key.

Checks usage.cached_tokens, the Msh-Context-Cache-* headers and the error paths.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from onesdk_kimi.simulator import KimiSimulator
from onesdk_kimi.simulator.sse import joined_content, parse_sse

Chat = Callable[..., httpx.Response]
MODEL = "moonshot-v1-32k"
DOC = [{"role": "system", "content": "The handbook: deploys happen on Tuesdays."}]
QUESTION = [{"role": "user", "content": "When do deploys happen?"}]


@pytest.fixture
def cache(client: httpx.Client) -> dict[str, Any]:
    response = client.post("/caching", json={"model": "moonshot-v1", "messages": DOC})
    assert response.status_code == 200
    return dict(response.json())


def cache_message(content: str) -> dict[str, str]:
    return {"role": "cache", "content": content}


def estimate(client: httpx.Client, messages: list[Any], model: str = MODEL) -> int:
    response = client.post(
        "/tokenizers/estimate-token-count", json={"model": model, "messages": messages}
    )
    assert response.status_code == 200, response.text
    return int(response.json()["data"]["total_tokens"])


def test_cache_message_is_expanded(client: httpx.Client, chat: Chat, cache: dict[str, Any]) -> None:
    messages = [cache_message(f"cache_id={cache['id']}"), *QUESTION]
    response = chat(model=MODEL, messages=messages)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["choices"][0]["message"]["content"] == "You said: When do deploys happen?"
    usage = body["usage"]
    assert usage["cached_tokens"] == cache["tokens"]
    assert usage["prompt_tokens"] == estimate(client, DOC + QUESTION)
    assert usage["prompt_tokens"] == estimate(client, messages)
    assert response.headers["msh-context-cache-id"] == cache["id"]
    assert response.headers["msh-context-cache-token-saved"] == str(cache["tokens"])
    assert response.headers["msh-context-cache-token-exp"] == str(cache["expired_at"])


def test_stream_reports_cached_tokens(chat: Chat, cache: dict[str, Any]) -> None:
    messages = [cache_message(f"cache_id={cache['id']}"), *QUESTION]
    plain = chat(model=MODEL, messages=messages).json()
    response = chat(
        model=MODEL, messages=messages, stream=True, stream_options={"include_usage": True}
    )
    assert response.headers["msh-context-cache-id"] == cache["id"]
    events = parse_sse(response.text)
    assert events[-3]["choices"][0]["usage"]["cached_tokens"] == cache["tokens"]
    assert events[-2]["usage"] == plain["usage"]
    assert joined_content(events) == plain["choices"][0]["message"]["content"]


def test_tag_and_reset_ttl(client: httpx.Client, chat: Chat, cache: dict[str, Any]) -> None:
    client.post("/caching/refs/tags", json={"tag": "handbook", "cache_id": cache["id"]})
    response = chat(model=MODEL, messages=[cache_message("tag=handbook;reset_ttl=120"), *QUESTION])
    assert response.status_code == 200, response.text
    assert response.json()["usage"]["cached_tokens"] == cache["tokens"]
    expired_at = client.get(f"/caching/{cache['id']}").json()["expired_at"]
    assert expired_at - int(time.time()) in (119, 120, 121)
    missing = chat(model=MODEL, messages=[cache_message("tag=nope"), *QUESTION])
    assert missing.status_code == 404


def test_dry_run(chat: Chat, cache: dict[str, Any]) -> None:
    messages = [cache_message(f"cache_id={cache['id']};dry_run=1"), *QUESTION]
    body = chat(model=MODEL, messages=messages).json()
    assert body["choices"][0]["message"]["content"] == ""
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"]["completion_tokens"] == 0
    assert body["usage"]["cached_tokens"] == body["usage"]["prompt_tokens"] - 4 - 5


def test_expired_cache(
    client: httpx.Client, chat: Chat, sim: KimiSimulator, cache: dict[str, Any]
) -> None:
    sim.advance_time(3700)
    try:
        messages = [cache_message(f"cache_id={cache['id']}"), *QUESTION]
        refused = chat(model=MODEL, messages=messages)
        assert refused.status_code == 400
        assert "inactive" in refused.json()["error"]["message"]
        revived = chat(
            model=MODEL, messages=[cache_message(f"cache_id={cache['id']};reset_ttl=60"), *QUESTION]
        )
        assert revived.status_code == 200, revived.text
        status = client.get(f"/caching/{cache['id']}").json()["status"]
        assert status in ("pending", "ready")
    finally:
        sim.advance_time(-3700)


@pytest.mark.parametrize(
    ("content", "extra", "status", "fragment"),
    [
        ("cache_id={id}", {"tools": []}, 400, "tools must be null when using context cache"),
        ("cache_id=cache-aaaaaaaaaaaaaaaaaaaa", {}, 404, "Not found the context cache"),
        ("cache_id={id}", {"model": "kimi-k2-turbo-preview"}, 400, "model family is invalid"),
        ("cache_id={id};colour=red", {}, 400, "invalid cache message option"),
        ("cache_id={id};tag=t", {}, 400, "exactly one of cache_id or tag"),
        ("cache_id={id};reset_ttl=0", {}, 400, "reset_ttl"),
        ("cache_id={id};dry_run=maybe", {}, 400, "dry_run"),
    ],
)
def test_cache_message_errors(
    chat: Chat,
    cache: dict[str, Any],
    content: str,
    extra: dict[str, Any],
    status: int,
    fragment: str,
) -> None:
    messages = [cache_message(content.format(id=cache["id"])), *QUESTION]
    response = chat(**{"model": MODEL, "messages": messages, **extra})
    assert response.status_code == status, response.text
    assert fragment in response.json()["error"]["message"]


def test_cache_message_must_be_first(chat: Chat, cache: dict[str, Any]) -> None:
    response = chat(model=MODEL, messages=[*QUESTION, cache_message(f"cache_id={cache['id']}")])
    assert response.status_code == 400


def test_header_form(client: httpx.Client, cache: dict[str, Any]) -> None:
    body = {"model": MODEL, "messages": DOC + QUESTION}
    headers = {"X-Msh-Context-Cache": cache["id"], "X-Msh-Context-Cache-Reset-TTL": "300"}
    hit = client.post("/chat/completions", json=body, headers=headers)
    assert hit.status_code == 200
    assert hit.json()["usage"]["cached_tokens"] == cache["tokens"]
    assert hit.headers["msh-context-cache-id"] == cache["id"]
    miss = client.post(
        "/chat/completions",
        json={"model": MODEL, "messages": QUESTION},
        headers={"X-Msh-Context-Cache": cache["id"]},
    )
    assert miss.status_code == 200
    assert "cached_tokens" not in miss.json()["usage"]
    assert "msh-context-cache-id" not in miss.headers
    dry = client.post(
        "/chat/completions", json=body, headers={**headers, "X-Msh-Context-Cache-DryRun": "1"}
    )
    assert dry.json()["usage"]["completion_tokens"] == 0
    unknown = client.post(
        "/chat/completions", json=body, headers={"X-Msh-Context-Cache": "cache-nope"}
    )
    assert unknown.status_code == 404


def test_prompt_cache_key_prefix_caching(client: httpx.Client, chat: Chat) -> None:
    model = "kimi-k2-turbo-preview"
    first = [{"role": "system", "content": "Long shared instructions."}, *QUESTION]
    assert (
        "cached_tokens"
        not in chat(model=model, messages=first, prompt_cache_key="s1").json()["usage"]
    )
    second = [
        *first,
        {"role": "assistant", "content": "Tuesdays."},
        {"role": "user", "content": "And hotfixes?"},
    ]
    usage = chat(model=model, messages=second, prompt_cache_key="s1").json()["usage"]
    assert usage["cached_tokens"] == estimate(client, first, model)
    assert usage["prompt_tokens"] == estimate(client, second, model)
    other_key = chat(model=model, messages=second, prompt_cache_key="s2").json()["usage"]
    assert "cached_tokens" not in other_key
    no_key = chat(model=model, messages=second).json()["usage"]
    assert "cached_tokens" not in no_key
    stream = chat(model=model, messages=second, prompt_cache_key="s1", stream=True)
    final = parse_sse(stream.text)[-2]["choices"][0]
    assert final["usage"]["cached_tokens"] == estimate(client, second, model)
