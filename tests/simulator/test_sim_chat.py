"""Chat completions against the simulator: shapes, determinism, streaming, usage.

Every test uses real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from onesdk_kimi.simulator.chat import reply_text
from onesdk_kimi.simulator.sse import joined_content
from onesdk_kimi.simulator.tokens import count_prompt

Chat = Callable[..., httpx.Response]
Stream = Callable[..., list[Any]]

REQUEST_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MESSAGES = [
    {"role": "system", "content": "You are Kimi."},
    {"role": "user", "content": "What is 1+1? Answer briefly, 谢谢."},
]


def test_non_stream_shape(chat: Chat) -> None:
    response = chat(messages=MESSAGES)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert REQUEST_ID.match(response.headers["msh-request-id"])
    body = response.json()
    assert set(body) == {
        "id",
        "object",
        "created",
        "model",
        "system_fingerprint",
        "choices",
        "usage",
    }
    assert re.fullmatch(r"chatcmpl-[0-9a-f]{24}", body["id"])
    assert body["object"] == "chat.completion"
    assert abs(body["created"] - time.time()) < 60
    assert body["model"] == "kimi-k2-turbo-preview"
    assert body["system_fingerprint"].startswith("fpv0_")
    (choice,) = body["choices"]
    assert choice == {
        "index": 0,
        "message": {"role": "assistant", "content": "You said: " + MESSAGES[1]["content"]},
        "finish_reason": "stop",
    }
    usage = body["usage"]
    assert usage["prompt_tokens"] == count_prompt(MESSAGES)
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert "cached_tokens" not in usage


def test_reply_is_deterministic(chat: Chat) -> None:
    first, second = chat(messages=MESSAGES).json(), chat(messages=MESSAGES).json()
    assert first["choices"] == second["choices"]
    assert first["usage"] == second["usage"]
    assert first["id"] != second["id"]


def test_reply_text_rule() -> None:
    assert reply_text([{"role": "user", "content": "hi"}]) == "You said: hi"
    parts = [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "x"},
        {"role": "user", "content": parts},
    ]
    assert reply_text(messages) == "You said: a\nb"
    assert reply_text([{"role": "system", "content": "s"}]) == "You said: "


def test_stream_matches_non_stream(chat: Chat, stream: Stream) -> None:
    plain = chat(messages=MESSAGES).json()
    events = stream(messages=MESSAGES)
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert chunks[0]["choices"] == [
        {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
    ]
    for chunk in chunks:
        assert chunk["object"] == "chat.completion.chunk"
        assert chunk["id"] == chunks[0]["id"]
        assert chunk["model"] == "kimi-k2-turbo-preview"
        assert "usage" not in chunk
    for chunk in chunks[1:-1]:
        assert chunk["choices"][0]["finish_reason"] is None
        assert set(chunk["choices"][0]["delta"]) == {"content"}
    final = chunks[-1]["choices"][0]
    assert final["delta"] == {}
    assert final["finish_reason"] == plain["choices"][0]["finish_reason"]
    assert final["usage"] == plain["usage"]
    assert joined_content(events) == plain["choices"][0]["message"]["content"]
    # One chunk per completion token.
    assert len(chunks) == plain["usage"]["completion_tokens"] + 2


def test_stream_include_usage_adds_a_usage_chunk(stream: Stream) -> None:
    events = stream(stream_options={"include_usage": True})
    *chunks, usage_chunk, done = events
    assert done == "[DONE]"
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"] == chunks[-1]["choices"][0]["usage"]
    assert all(chunk["usage"] is None for chunk in chunks)


@pytest.mark.parametrize("key", ["max_tokens", "max_completion_tokens"])
def test_max_tokens_cuts_with_length(chat: Chat, stream: Stream, key: str) -> None:
    body = chat(**{key: 3}).json()
    assert body["choices"][0]["message"]["content"] == "You said: "
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 3
    events = stream(**{key: 3})
    assert joined_content(events) == "You said: "
    assert events[-2]["choices"][0]["finish_reason"] == "length"
    assert events[-2]["choices"][0]["usage"] == body["usage"]


def test_max_tokens_exactly_enough_is_stop(chat: Chat) -> None:
    body = chat(max_tokens=4).json()  # "You said: Hello" is 4 tokens
    assert body["choices"][0]["message"]["content"] == "You said: Hello"
    assert body["choices"][0]["finish_reason"] == "stop"


def test_stop_strings_cut_before_the_first_match(chat: Chat, stream: Stream) -> None:
    messages = [{"role": "user", "content": "alpha beta gamma delta"}]
    body = chat(messages=messages, stop=["delta", "beta"]).json()
    assert body["choices"][0]["message"]["content"] == "You said: alpha "
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"]["completion_tokens"] == 4
    events = stream(messages=messages, stop="gamma")
    assert joined_content(events) == "You said: alpha beta "


def test_n_choices(chat: Chat, stream: Stream) -> None:
    body = chat(n=3, temperature=0.5).json()
    contents = [choice["message"]["content"] for choice in body["choices"]]
    assert contents == ["You said: Hello", "You said: Hello (1)", "You said: Hello (2)"]
    assert [choice["index"] for choice in body["choices"]] == [0, 1, 2]
    assert body["usage"]["completion_tokens"] == 4 + 7 + 7
    events = stream(n=3, temperature=0.5)
    finals = [c for e in events[:-1] for c in e["choices"] if c["finish_reason"]]
    assert [final["index"] for final in finals] == [0, 1, 2]
    assert [final["usage"]["completion_tokens"] for final in finals] == [4, 7, 7]
    assert {final["usage"]["prompt_tokens"] for final in finals} == {body["usage"]["prompt_tokens"]}
    assert [joined_content(events, i) for i in range(3)] == contents


def test_kimi_k2_default_temperature_allows_n(chat: Chat) -> None:
    assert chat(n=2).status_code == 200


def test_json_mode_returns_an_object(chat: Chat) -> None:
    body = chat(response_format={"type": "json_object"}).json()
    assert json.loads(body["choices"][0]["message"]["content"]) == {"reply": "You said: Hello"}


def test_usage_matches_estimate_endpoint(client: httpx.Client, chat: Chat) -> None:
    messages = [
        *MESSAGES,
        {"role": "assistant", "content": "2"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "And this picture?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
            ],
        },
    ]
    model = "moonshot-v1-8k-vision-preview"
    estimate = client.post(
        "/tokenizers/estimate-token-count", json={"model": model, "messages": messages}
    )
    assert estimate.status_code == 200
    assert set(estimate.json()) == {"data"}
    total = estimate.json()["data"]["total_tokens"]
    assert total == chat(model=model, messages=messages).json()["usage"]["prompt_tokens"]
    assert total > 1024  # the image counts as a flat 1024 tokens


def test_models_list_and_get(client: httpx.Client) -> None:
    listing = client.get("/models").json()
    assert listing["object"] == "list"
    ids = {model["id"] for model in listing["data"]}
    for expected in (
        "moonshot-v1-8k",
        "moonshot-v1-32k",
        "moonshot-v1-128k",
        "moonshot-v1-auto",
        "moonshot-v1-8k-vision-preview",
        "moonshot-v1-32k-vision-preview",
        "moonshot-v1-128k-vision-preview",
        "kimi-latest",
        "kimi-k2-turbo-preview",
        "kimi-k2-0905-preview",
        "kimi-k2-thinking",
        "kimi-k2-thinking-turbo",
        "kimi-k2.5",
        "kimi-k2.6",
        "kimi-thinking-preview",
    ):
        assert expected in ids
    for model in listing["data"]:
        assert model["object"] == "model"
        assert model["owned_by"] == "moonshot"
        assert isinstance(model["created"], int)
        assert isinstance(model["context_length"], int)
        for flag in ("supports_reasoning", "supports_image_in", "supports_video_in"):
            assert isinstance(model[flag], bool)
    one = client.get("/models/kimi-k2.6").json()
    assert one["id"] == "kimi-k2.6"
    assert one["context_length"] == 262144
    assert one["supports_video_in"] is True
    missing = client.get("/models/gpt-4")
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "resource_not_found_error"


def test_partial_mode_returns_only_the_continuation(chat: Chat, stream: Stream) -> None:
    messages = [
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "You said", "partial": True},
    ]
    body = chat(messages=messages).json()
    assert body["choices"][0]["message"]["content"] == ": Hello"
    assert joined_content(stream(messages=messages)) == ": Hello"
    other = [messages[0], {"role": "assistant", "content": "Well", "partial": True}]
    assert chat(messages=other).json()["choices"][0]["message"]["content"] == "You said: Hello"
