"""KimiProvider.parse_event on Kimi's stream chunks (kimi-api.md §3, E3-E5)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from onesdk.accumulate import ChunkAccumulator
from onesdk.errors import (
    InvokeContentFilterError,
    InvokeRateLimitError,
    InvokeResponseError,
    InvokeServerUnavailableError,
)
from onesdk.provider import ProviderSettings, StreamEnd
from onesdk.sse import SSEDecoder, SSEEvent
from onesdk.types import ChatChunk, Message, Usage
from onesdk_kimi.provider import KimiProvider

HEAD = {
    "id": "chatcmpl-6970b5d0",
    "object": "chat.completion.chunk",
    "created": 1768994256,
    "model": "kimi-k2-turbo-preview",
}
E3_FIRST = {
    **HEAD,
    "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
}
E3_TEXT = {**HEAD, "choices": [{"index": 0, "delta": {"content": "Hello"}, "finish_reason": None}]}
E3_USAGE = {"prompt_tokens": 8, "completion_tokens": 11, "total_tokens": 19, "cached_tokens": 8}
E3_LAST = {
    **HEAD,
    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop", "usage": E3_USAGE}],
    "system_fingerprint": "fpv0_10a6da87",
}
E4_HEAD = {
    "id": "chatcmpl-x",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "kimi-k2-0905-preview",
}
E4 = [
    {
        **E4_HEAD,
        "choices": [
            {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
        ],
    },
    {
        **E4_HEAD,
        "choices": [
            {
                "index": 0,
                "delta": {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "functions.get_weather:0",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": ""},
                        }
                    ]
                },
                "finish_reason": None,
            }
        ],
    },
    {
        **E4_HEAD,
        "choices": [
            {
                "index": 0,
                "delta": {
                    "tool_calls": [{"index": 0, "function": {"arguments": '{"city":"Beijing"}'}}]
                },
                "finish_reason": None,
            }
        ],
    },
    {
        **E4_HEAD,
        "choices": [
            {
                "index": 0,
                "delta": {},
                "finish_reason": "tool_calls",
                "usage": {"prompt_tokens": 120, "completion_tokens": 18, "total_tokens": 138},
            }
        ],
    },
]
E5 = {
    "id": "chatcmpl-x",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "kimi-k2.6",
    "choices": [],
    "usage": {"prompt_tokens": 19, "completion_tokens": 13, "total_tokens": 32},
}


@pytest.fixture
def kimi() -> KimiProvider:
    return KimiProvider(ProviderSettings("https://x/v1"))


def parse(kimi: KimiProvider, data: dict[str, Any] | str) -> Any:
    text = data if isinstance(data, str) else json.dumps(data)
    return kimi.parse_event(SSEEvent(data=text))


def sse(*chunks: dict[str, Any] | str) -> bytes:
    """Raw SSE bytes as Kimi sends them, ending with [DONE]."""
    items = [c if isinstance(c, str) else json.dumps(c) for c in (*chunks, "[DONE]")]
    return "".join(f"data: {item}\n\n" for item in items).encode()


def run_stream(kimi: KimiProvider, raw: bytes) -> tuple[list[ChatChunk], bool]:
    """Decode raw bytes and parse each event: the chunks, and whether [DONE] came."""
    decoder = SSEDecoder()
    chunks: list[ChatChunk] = []
    for event in [*decoder.feed(raw), *decoder.close()]:
        result = kimi.parse_event(event)
        if isinstance(result, StreamEnd):
            return chunks, True
        if result is not None:
            chunks.append(result)
    return chunks, False


# --- chunks --------------------------------------------------------------------------------


def test_first_chunk_has_role_and_empty_content(kimi: KimiProvider) -> None:
    chunk = parse(kimi, E3_FIRST)
    assert isinstance(chunk, ChatChunk)
    assert chunk["choices"][0]["message"]["role"] == "assistant"
    assert chunk["choices"][0]["message"]["content"] == ""


def test_text_chunk_content_is_readable_as_message_and_delta(kimi: KimiProvider) -> None:
    chunk = parse(kimi, E3_TEXT)
    assert chunk["choices"][0]["message"]["content"] == "Hello"
    assert chunk.choices[0].delta.content == "Hello"


def test_usage_inside_the_choice_surfaces_at_chunk_usage(kimi: KimiProvider) -> None:
    chunk = parse(kimi, E3_LAST)
    assert chunk.usage == Usage(**E3_USAGE)


def test_cached_tokens_from_the_choice_usage_are_kept(kimi: KimiProvider) -> None:
    assert parse(kimi, E3_LAST)["usage"]["cached_tokens"] == 8


def test_final_chunk_content_is_empty_string_and_finish_reason_set(kimi: KimiProvider) -> None:
    chunk = parse(kimi, E3_LAST)
    assert chunk["choices"][0]["message"]["content"] == ""
    assert chunk.choices[0].finish_reason == "stop"


def test_choice_usage_stays_on_the_choice_too(kimi: KimiProvider) -> None:
    assert parse(kimi, E3_LAST).choices[0].usage == Usage(**E3_USAGE)


def test_chunks_without_usage_have_none(kimi: KimiProvider) -> None:
    assert parse(kimi, E3_TEXT).usage is None


def test_include_usage_chunk_with_no_choices_parses(kimi: KimiProvider) -> None:
    chunk = parse(kimi, E5)
    assert chunk.choices == []
    assert chunk.usage == Usage(prompt_tokens=19, completion_tokens=13, total_tokens=32)
    assert chunk.text == ""


def test_null_top_level_usage_falls_back_to_the_choice_usage(kimi: KimiProvider) -> None:
    # 2026 docs: with include_usage, other chunks carry "usage": null at the top.
    chunk = parse(kimi, {**E3_LAST, "usage": None})
    assert chunk.usage == Usage(**E3_USAGE)


def test_top_level_usage_wins_over_the_choice_usage(kimi: KimiProvider) -> None:
    whole = {"prompt_tokens": 8, "completion_tokens": 30, "total_tokens": 38}
    assert parse(kimi, {**E3_LAST, "usage": whole}).usage == Usage(**whole)


def test_tool_call_delta_is_parsed(kimi: KimiProvider) -> None:
    call = parse(kimi, E4[1]).choices[0].delta.tool_calls[0]
    assert (call.index, call.id, call.function.name) == (
        0,
        "functions.get_weather:0",
        "get_weather",
    )


def test_tool_call_arguments_fragment_is_parsed(kimi: KimiProvider) -> None:
    call = parse(kimi, E4[2]).choices[0].delta.tool_calls[0]
    assert call.id is None
    assert call.function.arguments == '{"city":"Beijing"}'


def test_reasoning_content_delta_is_parsed(kimi: KimiProvider) -> None:
    data = {**HEAD, "choices": [{"index": 0, "delta": {"reasoning_content": "Hmm"}}]}
    chunk = parse(kimi, data)
    assert chunk.choices[0].delta.reasoning_content == "Hmm"
    assert chunk["choices"][0]["message"]["content"] == ""


def test_unknown_chunk_fields_are_kept(kimi: KimiProvider) -> None:
    assert parse(kimi, {**E3_TEXT, "x_new_field": 1})["x_new_field"] == 1


# --- the end and errors --------------------------------------------------------------------


def test_done_returns_the_stream_end_sentinel(kimi: KimiProvider) -> None:
    assert isinstance(parse(kimi, "[DONE]"), StreamEnd)


def test_error_event_raises_the_mapped_error(kimi: KimiProvider) -> None:
    data = {
        "error": {
            "type": "content_filter",
            "message": "The request was rejected because it was considered high risk",
        }
    }
    with pytest.raises(InvokeContentFilterError) as caught:
        parse(kimi, data)
    assert caught.value.provider == "kimi"
    assert caught.value.error_type == "content_filter"
    assert "high risk" in str(caught.value)


def test_rate_limit_error_event_carries_retry_after(kimi: KimiProvider) -> None:
    data = {
        "error": {
            "type": "rate_limit_reached_error",
            "message": "request reached organization max RPM: 20, please try again after 1 seconds",
        }
    }
    with pytest.raises(InvokeRateLimitError) as caught:
        parse(kimi, data)
    assert caught.value.retry_after == 1.0


def test_overloaded_error_event_is_retryable(kimi: KimiProvider) -> None:
    data = {"error": {"type": "engine_overloaded_error", "message": "overloaded"}}
    with pytest.raises(InvokeServerUnavailableError) as caught:
        parse(kimi, data)
    assert caught.value.retryable is True


def test_error_event_of_unknown_type_is_a_response_error(kimi: KimiProvider) -> None:
    with pytest.raises(InvokeResponseError, match="mystery"):
        parse(kimi, {"error": {"type": "mystery_error", "message": "mystery"}})


@pytest.mark.parametrize(
    "data",
    ["not json", "{", "[1, 2]", '"text"', "42", '{"choices": "oops"}', '{"created": "yesterday"}'],
)
def test_garbage_event_raises_response_error(kimi: KimiProvider, data: str) -> None:
    with pytest.raises(InvokeResponseError):
        parse(kimi, data)


# --- a whole stream through the sans-I/O pieces --------------------------------------------


def test_stream_request_sets_stream_true_and_requires_the_end_marker(kimi: KimiProvider) -> None:
    call = kimi.stream_generate("kimi-k2-turbo-preview", [Message(role="user", content="Hi")], {})
    assert call.request.json["stream"] is True
    assert call.requires_end


def test_e3_stream_accumulates_text_finish_reason_and_usage(kimi: KimiProvider) -> None:
    chunks, ended = run_stream(kimi, sse(E3_FIRST, E3_TEXT, E3_LAST))
    acc = ChunkAccumulator()
    for chunk in chunks:
        acc.add(chunk)
    response = acc.response()
    assert ended
    assert response.text == "Hello"
    assert response.choices[0].finish_reason == "stop"
    assert response.usage == Usage(**E3_USAGE)
    assert response.system_fingerprint == "fpv0_10a6da87"


def test_last_chunk_before_done_carries_the_usage(kimi: KimiProvider) -> None:
    chunks, _ = run_stream(kimi, sse(E3_FIRST, E3_TEXT, E3_LAST))
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.cached_tokens == 8


def test_e4_stream_accumulates_the_tool_call(kimi: KimiProvider) -> None:
    chunks, ended = run_stream(kimi, sse(*E4))
    acc = ChunkAccumulator()
    for chunk in chunks:
        acc.add(chunk)
    message = acc.response().choices[0].message
    assert ended
    assert message.tool_calls is not None
    assert message.tool_calls[0].function.arguments == '{"city":"Beijing"}'
    assert acc.response().usage == Usage(prompt_tokens=120, completion_tokens=18, total_tokens=138)


def test_stream_with_include_usage_keeps_the_whole_request_usage(kimi: KimiProvider) -> None:
    last = {**E3_LAST, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    chunks, _ = run_stream(kimi, sse(E3_FIRST, E3_TEXT, last, E5))
    acc = ChunkAccumulator()
    for chunk in chunks:
        acc.add(chunk)
    assert acc.response().usage == Usage(**E5["usage"])  # type: ignore[arg-type]


def test_usage_of_n_choices_adds_up_their_completion_tokens(kimi: KimiProvider) -> None:
    # kimi-api.md §3: with n>1 each choice's final chunk carries its own usage; prompt and
    # cached tokens are the same, completion tokens differ. The whole reply used them all.
    def final(index: int, completion: int) -> dict[str, Any]:
        usage = {
            "prompt_tokens": 8,
            "completion_tokens": completion,
            "total_tokens": 8 + completion,
            "cached_tokens": 8,
        }
        choice = {"index": index, "delta": {}, "finish_reason": "stop", "usage": usage}
        return {**HEAD, "choices": [choice]}

    def text(index: int, content: str) -> dict[str, Any]:
        return {**HEAD, "choices": [{"index": index, "delta": {"content": content}}]}

    chunks, _ = run_stream(kimi, sse(text(0, "A"), text(1, "B"), final(0, 11), final(1, 7)))
    acc = ChunkAccumulator()
    for chunk in chunks:
        acc.add(chunk)
    usage = acc.response().usage
    assert usage is not None
    assert usage.prompt_tokens == 8
    assert usage.completion_tokens == 18
