"""Kimi chat over real HTTP against the simulator: what a user sees from generate/stream."""

from __future__ import annotations

import pytest

from onesdk import (
    ChatChunk,
    ChatResponse,
    InvokeAuthorizationError,
    InvokeBadRequestError,
    InvokeConnectionError,
    InvokeContextLengthError,
    InvokeModelNotFoundError,
    OneSDK,
)
from onesdk_kimi.simulator import KimiSimulator

MODEL = "kimi-k2-turbo-preview"
HELLO = [{"role": "user", "content": "Explain the concept of blockchain technology."}]


def test_generate_answers_in_dict_and_attribute_style(kimi: OneSDK) -> None:
    response = kimi.generate(MODEL, HELLO)
    assert isinstance(response, ChatResponse)
    text = response["choices"][0]["message"]["content"]
    assert text == response.choices[0].message.content == response.text
    assert "blockchain" in text
    assert response.choices[0].finish_reason == "stop"
    assert response.model == MODEL


def test_generate_reports_usage_that_adds_up(kimi: OneSDK) -> None:
    usage = kimi.generate(MODEL, HELLO).usage
    assert usage is not None
    assert usage.prompt_tokens == kimi.count_tokens(MODEL, HELLO)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens > 0


def test_generate_exposes_kimi_request_id(kimi: OneSDK) -> None:
    response = kimi.generate(MODEL, HELLO)
    assert response.request_id
    assert response.headers["msh-request-id"] == response.request_id


def test_generate_sends_bearer_key_and_kimi_body(kimi: OneSDK, sim: KimiSimulator) -> None:
    kimi.generate(MODEL, HELLO, temperature=0.3, max_tokens=50)
    sent = sim.requests[-1]
    assert sent.method == "POST"
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {sim.api_key}"
    assert sent.json == {"model": MODEL, "messages": HELLO, "temperature": 0.3, "max_tokens": 50}


def test_max_tokens_cuts_the_reply_with_finish_reason_length(kimi: OneSDK) -> None:
    response = kimi.generate(MODEL, HELLO, max_tokens=2)
    assert response.choices[0].finish_reason == "length"
    assert response.usage is not None
    assert response.usage.completion_tokens == 2


def test_stream_chunks_join_to_the_generated_text(kimi: OneSDK) -> None:
    expected = kimi.generate(MODEL, HELLO).text
    pieces = [
        chunk["choices"][0]["message"]["content"] for chunk in kimi.stream_generate(MODEL, HELLO)
    ]
    assert all(isinstance(piece, str) for piece in pieces)  # never None
    assert "".join(pieces) == expected


def test_stream_chunk_message_mirrors_delta(kimi: OneSDK) -> None:
    for chunk in kimi.stream_generate(MODEL, HELLO):
        assert isinstance(chunk, ChatChunk)
        assert chunk["choices"][0]["message"]["content"] == chunk.choices[0].delta.content


def test_stream_last_chunk_carries_usage(kimi: OneSDK) -> None:
    chunks = list(kimi.stream_generate(MODEL, HELLO))
    assert chunks[-1].usage is not None
    assert chunks[-1].usage == kimi.generate(MODEL, HELLO).usage
    assert all(chunk.usage is None for chunk in chunks[:-1])


def test_stream_with_include_usage_chunk_has_usage_at_top(kimi: OneSDK) -> None:
    chunks = list(kimi.stream_generate(MODEL, HELLO, stream_options={"include_usage": True}))
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens > 0


def test_stream_final_response_equals_generate(kimi: OneSDK) -> None:
    expected = kimi.generate(MODEL, HELLO, max_tokens=5)
    with kimi.stream_generate(MODEL, HELLO, max_tokens=5) as stream:
        final = stream.final_response()
    assert final.text == expected.text
    assert final.choices[0].finish_reason == expected.choices[0].finish_reason == "length"
    assert final.usage == expected.usage
    assert stream.finished
    assert stream.request_id


def test_stream_closed_early_stops_cleanly_and_client_still_works(kimi: OneSDK) -> None:
    stream = kimi.stream_generate(MODEL, HELLO)
    next(stream)
    stream.close()
    stream.close()
    with pytest.raises(StopIteration):
        next(stream)
    assert kimi.generate(MODEL, HELLO).text


def test_generate_uses_default_model_when_none_given(sim: KimiSimulator) -> None:
    with OneSDK("kimi", api_key=sim.api_key, base_url=sim.base_url, model=MODEL) as client:
        assert client.generate(messages=HELLO).model == MODEL
        with client.model_context("moonshot-v1-8k"):
            assert client.generate(messages=HELLO).model == "moonshot-v1-8k"
        client.set_model("moonshot-v1-32k")
        assert client.generate(HELLO).model == "moonshot-v1-32k"


def test_list_models_returns_kimi_models_with_context_length(kimi: OneSDK) -> None:
    models = {m.id: m for m in kimi.list_models()}
    assert MODEL in models
    assert models["moonshot-v1-8k"].context_length == 8192
    assert models["moonshot-v1-8k"]["owned_by"] == "moonshot"


def test_wrong_key_is_authorization_error_without_the_key(sim: KimiSimulator) -> None:
    with (
        OneSDK("kimi", api_key="sk-wrong-key-123", base_url=sim.base_url) as client,
        pytest.raises(InvokeAuthorizationError) as caught,
    ):
        client.generate(MODEL, HELLO)
    error = caught.value
    assert error.status_code == 401
    assert error.error_type == "incorrect_api_key_error"
    assert error.request_id
    assert error.provider == "kimi"
    assert error.retryable is False
    assert "sk-wrong-key-123" not in str(error) + repr(error) + repr(error.body)


def test_unknown_model_is_model_not_found(kimi: OneSDK) -> None:
    with pytest.raises(InvokeModelNotFoundError) as caught:
        kimi.generate("kimi-k9", HELLO)
    assert caught.value.status_code == 404
    assert "kimi-k9" in str(caught.value)


def test_prompt_over_the_window_is_context_length_error(kimi: OneSDK) -> None:
    with pytest.raises(InvokeContextLengthError) as caught:
        kimi.generate("moonshot-v1-8k", HELLO, max_tokens=9000)
    assert caught.value.status_code == 400
    assert caught.value.error_type == "invalid_request_error"


def test_server_side_validation_is_bad_request(kimi: OneSDK) -> None:
    # extra_body bypasses the client's own checks, so the simulator's answer is what we see.
    with pytest.raises(InvokeBadRequestError) as caught:
        kimi.generate(MODEL, HELLO, extra_body={"temperature": 1.5})
    assert caught.value.status_code == 400


def test_stream_errors_before_first_chunk_are_typed(kimi: OneSDK) -> None:
    with pytest.raises(InvokeModelNotFoundError):
        list(kimi.stream_generate("kimi-k9", HELLO))


def test_unreachable_server_is_connection_error() -> None:
    with (
        OneSDK(
            "kimi", api_key="sk-test", base_url="http://127.0.0.1:9/v1", max_retries=0
        ) as client,
        pytest.raises(InvokeConnectionError),
    ):
        client.generate(MODEL, HELLO)


def test_bad_input_fails_before_any_request(kimi: OneSDK, sim: KimiSimulator) -> None:
    sim.clear_requests()
    for messages in ([], "hi", [{"content": "no role"}], [{"role": "user", "content": 3}]):
        with pytest.raises(InvokeBadRequestError):
            kimi.generate(MODEL, messages)
    assert sim.requests == []
