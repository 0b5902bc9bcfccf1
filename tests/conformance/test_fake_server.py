"""The kit's fake OpenAI-style server: deterministic echo, SSE ending in [DONE], injected
errors, key checks, loopback only. Tested over raw HTTP, as a provider would see it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from onesdk import OneSDK
from onesdk.openai_compat import OpenAICompatibleProvider
from onesdk.testing import FakeOpenAIServer, error_body


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=("echo-1", "echo-2")) as fake:
        yield fake


@pytest.fixture
def http(server: FakeOpenAIServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {server.api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=5) as client:
        yield client


def chat(text: str, **extra: Any) -> dict[str, Any]:
    return {"model": "echo-1", "messages": [{"role": "user", "content": text}], **extra}


def events(response: httpx.Response) -> list[str]:
    return [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]


def test_chat_echoes_the_last_user_message_with_usage(http: httpx.Client) -> None:
    body = chat("the last one")
    body["messages"].insert(0, {"role": "user", "content": "first"})
    reply = http.post("/chat/completions", json=body).json()
    assert reply["choices"][0]["message"] == {"role": "assistant", "content": "the last one"}
    assert reply["usage"] == {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7}


def test_stream_sends_the_same_text_and_ends_with_done(http: httpx.Client) -> None:
    response = http.post("/chat/completions", json=chat("one two three", stream=True))
    assert response.headers["content-type"] == "text/event-stream"
    data = events(response)
    assert data[-1] == "[DONE]"
    chunks = [json.loads(item) for item in data[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == "one two three"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"]["total_tokens"] == 6


def test_stream_without_done_when_asked() -> None:
    with FakeOpenAIServer(send_done=False) as fake, httpx.Client(timeout=5) as client:
        response = client.post(
            f"{fake.base_url}/chat/completions",
            json=chat("hi", stream=True),
            headers={"Authorization": f"Bearer {fake.api_key}"},
        )
    assert "[DONE]" not in events(response)


def test_max_tokens_cuts_the_reply_with_finish_reason_length(http: httpx.Client) -> None:
    reply = http.post("/chat/completions", json=chat("a b c d", max_tokens=2)).json()
    assert reply["choices"][0]["message"]["content"] == "a b "
    assert reply["choices"][0]["finish_reason"] == "length"


def test_wrong_key_is_a_401_authentication_error(server: FakeOpenAIServer) -> None:
    with httpx.Client(timeout=5) as client:
        response = client.post(
            f"{server.base_url}/chat/completions",
            json=chat("hi"),
            headers={"Authorization": "Bearer sk-wrong"},
        )
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"


def test_fail_next_answers_the_given_status_and_body_then_recovers(
    server: FakeOpenAIServer, http: httpx.Client
) -> None:
    server.fail_next(429, headers={"Retry-After": "2"})
    server.fail_next(503, b"<html>down</html>")
    first = http.post("/chat/completions", json=chat("hi"))
    second = http.post("/chat/completions", json=chat("hi"))
    third = http.post("/chat/completions", json=chat("hi"))
    assert (first.status_code, first.content) == (429, error_body(429))
    assert first.headers["retry-after"] == "2"
    assert (second.status_code, second.content) == (503, b"<html>down</html>")
    assert third.status_code == 200


def test_unknown_model_is_a_404(http: httpx.Client) -> None:
    response = http.post("/chat/completions", json={**chat("hi"), "model": "nope"})
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"


def test_a_body_without_messages_is_a_400(http: httpx.Client) -> None:
    response = http.post("/chat/completions", json={"model": "echo-1"})
    assert response.status_code == 400
    assert "messages" in response.json()["error"]["message"]


def test_models_lists_the_configured_models(http: httpx.Client) -> None:
    ids = [m["id"] for m in http.get("/models").json()["data"]]
    assert ids == ["echo-1", "echo-2"]


def test_requests_are_recorded_with_their_json(
    server: FakeOpenAIServer, http: httpx.Client
) -> None:
    server.clear_requests()
    http.post("/chat/completions", json=chat("recorded"))
    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.json == chat("recorded")
    assert request.headers["authorization"] == f"Bearer {server.api_key}"


def test_refuses_to_listen_beyond_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        FakeOpenAIServer(host="0.0.0.0")


def test_error_body_has_the_openai_shape() -> None:
    assert json.loads(error_body(429, "slow down")) == {
        "error": {"type": "rate_limit_error", "message": "slow down"}
    }


class EchoLike(OpenAICompatibleProvider):
    name = "echo-like"
    default_base_url = "https://echo-like.example.com/v1"


def test_hold_open_streams_end_by_their_end_event_alone() -> None:
    with (
        FakeOpenAIServer(hold_open=True) as fake,
        OneSDK(EchoLike, {"api_key": fake.api_key, "base_url": fake.base_url, "timeout": 5}) as sdk,
        sdk.stream_generate("echo-1", [{"role": "user", "content": "kept open"}]) as stream,
    ):
        assert stream.text() == "kept open"
        assert stream.finished
