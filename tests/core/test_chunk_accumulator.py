"""ChunkAccumulator: stream chunks add up to the ChatResponse a non-stream call returns."""

from __future__ import annotations

from typing import Any

from onesdk.accumulate import ChunkAccumulator
from onesdk.types import ChatChunk, ChatResponse, Usage


def chunk(choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-6970b5d0",
        "object": "chat.completion.chunk",
        "created": 1768994256,
        "model": "kimi-k2-turbo-preview",
        "choices": choices,
        **extra,
    }


def delta(index: int = 0, finish_reason: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"index": index, "delta": fields, "finish_reason": finish_reason}


def accumulate(chunks: list[dict[str, Any]]) -> ChatResponse:
    acc = ChunkAccumulator()
    for data in chunks:
        acc.add(ChatChunk.model_validate(data))
    return acc.response()


# kimi-api.md E3 (text), with usage where the provider surfaces it: at chunk level.
E3_USAGE = {"prompt_tokens": 8, "completion_tokens": 11, "total_tokens": 19, "cached_tokens": 8}
E3 = [
    chunk([delta(role="assistant", content="")]),
    chunk([delta(content="Hel")]),
    chunk([delta(content="lo")]),
    chunk(
        [{**delta(finish_reason="stop"), "usage": E3_USAGE}],
        usage=E3_USAGE,
        system_fingerprint="fpv0_10a6da87",
    ),
]


def tool_delta(index: int, **call: Any) -> dict[str, Any]:
    return {"index": index, **call}


# kimi-api.md E4 (tool call), the arguments in several fragments.
E4 = [
    chunk([delta(role="assistant", content="")]),
    chunk(
        [
            delta(
                tool_calls=[
                    tool_delta(
                        0,
                        id="functions.get_weather:0",
                        type="function",
                        function={"name": "get_weather", "arguments": ""},
                    )
                ]
            )
        ]
    ),
    chunk([delta(tool_calls=[tool_delta(0, function={"arguments": '{"city":'})])]),
    chunk([delta(tool_calls=[tool_delta(0, function={"arguments": '"Beijing"}'})])]),
    chunk([delta(finish_reason="tool_calls")], usage={"prompt_tokens": 120, "total_tokens": 138}),
]


def test_text_deltas_are_joined() -> None:
    assert accumulate(E3).text == "Hello"


def test_response_is_a_chat_completion_with_the_stream_id_and_model() -> None:
    response = accumulate(E3)
    assert response.id == "chatcmpl-6970b5d0"
    assert response.object == "chat.completion"
    assert response.created == 1768994256
    assert response.model == "kimi-k2-turbo-preview"


def test_role_comes_from_the_first_delta() -> None:
    assert accumulate(E3).choices[0].message.role == "assistant"


def test_finish_reason_is_the_final_one() -> None:
    assert accumulate(E3).choices[0].finish_reason == "stop"


def test_system_fingerprint_from_the_last_chunk_is_kept() -> None:
    assert accumulate(E3).system_fingerprint == "fpv0_10a6da87"


def test_usage_with_cached_tokens_is_kept() -> None:
    assert accumulate(E3).usage == Usage(**E3_USAGE)


def test_usage_only_chunk_without_choices_sets_usage() -> None:
    # kimi-api.md E5: include_usage adds a final chunk with "choices": [].
    usage = {"prompt_tokens": 19, "completion_tokens": 13, "total_tokens": 32}
    response = accumulate([*E3[:3], chunk([delta(finish_reason="stop")]), chunk([], usage=usage)])
    assert response.usage == Usage(**usage)
    assert len(response.choices) == 1


def test_no_usage_in_the_stream_means_none() -> None:
    assert accumulate(E3[:3]).usage is None


def test_tool_call_fragments_are_joined_by_index() -> None:
    call = accumulate(E4).choices[0].message.tool_calls[0]  # type: ignore[index]
    assert call.id == "functions.get_weather:0"
    assert call.type == "function"
    assert call.function.name == "get_weather"
    assert call.function.arguments == '{"city":"Beijing"}'
    assert call.index == 0


def test_tool_call_reply_has_empty_text_and_tool_calls_finish_reason() -> None:
    response = accumulate(E4)
    assert response.choices[0].message.content == ""
    assert response.choices[0].finish_reason == "tool_calls"


def test_parallel_tool_calls_are_kept_apart_by_index_and_sorted() -> None:
    chunks = [
        chunk(
            [
                delta(
                    tool_calls=[
                        tool_delta(1, id="functions.b:1", function={"name": "b", "arguments": ""}),
                        tool_delta(0, id="functions.a:0", function={"name": "a", "arguments": "{"}),
                    ]
                )
            ]
        ),
        chunk([delta(tool_calls=[tool_delta(1, function={"arguments": '{"y":2}'})])]),
        chunk([delta(tool_calls=[tool_delta(0, function={"arguments": '"x":1}'})])]),
    ]
    calls = accumulate(chunks).choices[0].message.tool_calls
    assert calls is not None
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("functions.a:0", "a", '{"x":1}'),
        ("functions.b:1", "b", '{"y":2}'),
    ]


def test_tool_call_keyed_on_index_even_if_its_id_changes_mid_stream() -> None:
    # kimi-api.md §3: some K2 streams change the id of a call; the index is the key.
    chunks = [
        chunk(
            [delta(tool_calls=[tool_delta(0, id="functions.read:0", function={"name": "read"})])]
        ),
        chunk(
            [delta(tool_calls=[tool_delta(0, id="chatcmpl-tool-a", function={"arguments": "{}"})])]
        ),
    ]
    calls = accumulate(chunks).choices[0].message.tool_calls
    assert calls is not None
    assert len(calls) == 1
    assert calls[0].function.arguments == "{}"


def test_reasoning_content_is_joined_before_the_text() -> None:
    chunks = [
        chunk([delta(role="assistant", reasoning_content="Think")]),
        chunk([delta(reasoning_content="ing...")]),
        chunk([delta(content="Answer")]),
        chunk([delta(finish_reason="stop")]),
    ]
    message = accumulate(chunks).choices[0].message
    assert message.reasoning_content == "Thinking..."
    assert message.content == "Answer"


def test_reasoning_content_is_absent_when_the_stream_has_none() -> None:
    assert accumulate(E3).choices[0].message.reasoning_content is None


def test_empty_reasoning_content_is_kept_as_empty_string() -> None:
    # kimi-api.md §10.4: "" means "reasoned, but empty", which differs from no reasoning.
    chunks = [chunk([delta(reasoning_content="")]), chunk([delta(content="x")])]
    assert accumulate(chunks).choices[0].message.reasoning_content == ""


def test_choices_are_accumulated_separately_by_index() -> None:
    chunks = [
        chunk([delta(0, role="assistant", content="A"), delta(1, role="assistant", content="B")]),
        chunk([delta(1, content="b")]),
        chunk([delta(0, content="a", finish_reason="stop")]),
        chunk([delta(1, finish_reason="length")]),
    ]
    response = accumulate(chunks)
    assert [(c.index, c.message.content, c.finish_reason) for c in response.choices] == [
        (0, "Aa", "stop"),
        (1, "Bb", "length"),
    ]


def test_no_chunks_gives_an_empty_response() -> None:
    response = ChunkAccumulator().response()
    assert response.choices == []
    assert response.text == ""
