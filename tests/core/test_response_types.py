"""Response and message models: mapping access, provider extras, chunk content, parts, usage."""

from __future__ import annotations

from typing import Any

import pytest

from onesdk.types import (
    ChatChunk,
    ChatResponse,
    ImagePart,
    Message,
    OtherPart,
    TextPart,
    Usage,
)

# kimi-api.md E1: a non-stream completion.
E1: dict[str, Any] = {
    "id": "chatcmpl-6970b5d02fa474c1767e8767",
    "object": "chat.completion",
    "created": 1768994256,
    "model": "kimi-k2-turbo-preview",
    "system_fingerprint": "fpv0_10a6da87",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hi Li Lei! 1+1 equals 2."},
            "finish_reason": "stop",
        }
    ],
    "usage": {
        "prompt_tokens": 19,
        "completion_tokens": 21,
        "total_tokens": 40,
        "cached_tokens": 10,
    },
}

_HEAD = {
    "id": "chatcmpl-6970b5d0",
    "object": "chat.completion.chunk",
    "created": 1768994256,
    "model": "kimi-k2-turbo-preview",
}
# kimi-api.md E3: the three chunks of a streamed reply.
E3_FIRST = {
    **_HEAD,
    "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
}
E3_TEXT = {**_HEAD, "choices": [{"index": 0, "delta": {"content": "Hello"}, "finish_reason": None}]}
E3_LAST = {
    **_HEAD,
    "choices": [
        {
            "index": 0,
            "delta": {},
            "finish_reason": "stop",
            "usage": {
                "prompt_tokens": 8,
                "completion_tokens": 11,
                "total_tokens": 19,
                "cached_tokens": 8,
            },
        }
    ],
    "system_fingerprint": "fpv0_10a6da87",
}
# kimi-api.md E4: a tool-call delta with no content at all.
E4_TOOL = {
    "id": "chatcmpl-x",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "kimi-k2-0905-preview",
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
}
# kimi-api.md E5: the include_usage chunk, with no choices.
E5 = {
    "id": "chatcmpl-x",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "kimi-k2.6",
    "choices": [],
    "usage": {"prompt_tokens": 19, "completion_tokens": 13, "total_tokens": 32},
}


@pytest.fixture
def response() -> ChatResponse:
    return ChatResponse.model_validate(E1)


# --- mapping access ------------------------------------------------------------------------


def test_response_answers_item_access_like_the_json(response: ChatResponse) -> None:
    assert response["id"] == "chatcmpl-6970b5d02fa474c1767e8767"
    assert response["choices"][0]["message"]["content"] == "Hi Li Lei! 1+1 equals 2."
    assert response["usage"]["cached_tokens"] == 10


def test_item_and_attribute_access_give_the_same_objects(response: ChatResponse) -> None:
    assert response["choices"][0] is response.choices[0]
    assert response["usage"] is response.usage


def test_in_is_true_for_present_keys(response: ChatResponse) -> None:
    assert "id" in response
    assert "usage" in response


def test_in_is_false_for_missing_keys(response: ChatResponse) -> None:
    assert "no_such_key" not in response


def test_in_is_false_for_a_field_that_is_none() -> None:
    assert "usage" not in ChatResponse.model_validate({"id": "x", "choices": []})


def test_in_is_false_for_a_non_string_key(response: ChatResponse) -> None:
    assert 0 not in response


def test_get_returns_the_value_when_present(response: ChatResponse) -> None:
    assert response.get("model") == "kimi-k2-turbo-preview"


def test_get_returns_the_default_when_missing(response: ChatResponse) -> None:
    assert response.get("no_such_key", "fallback") == "fallback"
    assert response.get("no_such_key") is None


def test_get_returns_the_default_when_the_value_is_none() -> None:
    bare = ChatResponse.model_validate({"id": "x"})
    assert bare.get("usage", "none-given") == "none-given"


def test_item_access_to_a_missing_key_raises_key_error(response: ChatResponse) -> None:
    with pytest.raises(KeyError, match="no_such_key"):
        response["no_such_key"]


def test_iterating_yields_keys_like_a_dict(response: ChatResponse) -> None:
    assert set(response) == {
        "id",
        "object",
        "created",
        "model",
        "system_fingerprint",
        "choices",
        "usage",
    }


# --- provider extras -----------------------------------------------------------------------


def test_unknown_top_level_field_is_kept_and_readable_both_ways() -> None:
    response = ChatResponse.model_validate({**E1, "msh_trace": {"mode": "on"}})
    assert response["msh_trace"] == {"mode": "on"}
    assert response.msh_trace == {"mode": "on"}
    assert "msh_trace" in response


def test_unknown_nested_field_is_kept_and_readable_both_ways() -> None:
    data = {
        **E1,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "x", "mood": "ok"}}],
    }
    message = ChatResponse.model_validate(data).choices[0].message
    assert message["mood"] == "ok"
    assert message.mood == "ok"


def test_unknown_fields_survive_to_dict() -> None:
    data = {**E1, "msh_trace": {"mode": "on"}}
    assert ChatResponse.model_validate(data).to_dict()["msh_trace"] == {"mode": "on"}


def test_to_dict_reproduces_the_provider_json(response: ChatResponse) -> None:
    assert response.to_dict() == E1


# --- ChatResponse.text ---------------------------------------------------------------------


def test_response_text_is_the_first_choice_content(response: ChatResponse) -> None:
    assert response.text == "Hi Li Lei! 1+1 equals 2."


def test_response_text_is_empty_without_choices() -> None:
    assert ChatResponse.model_validate({"id": "x", "choices": []}).text == ""


def test_response_text_is_empty_for_a_tool_call_reply_with_null_content() -> None:
    data = {"choices": [{"index": 0, "message": {"role": "assistant", "content": None}}]}
    assert ChatResponse.model_validate(data).text == ""


# --- ChatChunk ------------------------------------------------------------------------------


def test_chunk_message_content_is_the_delta_content() -> None:
    chunk = ChatChunk.model_validate(E3_TEXT)
    assert chunk["choices"][0]["message"]["content"] == "Hello"
    assert chunk.choices[0].delta.content == "Hello"


def test_chunk_message_is_the_delta_object() -> None:
    chunk = ChatChunk.model_validate(E3_TEXT)
    assert chunk["choices"][0]["message"] is chunk.choices[0].delta


def test_chunk_choice_reports_message_as_present() -> None:
    assert "message" in ChatChunk.model_validate(E3_TEXT)["choices"][0]


def test_role_only_first_chunk_content_is_empty_string() -> None:
    chunk = ChatChunk.model_validate(E3_FIRST)
    assert chunk["choices"][0]["message"]["content"] == ""
    assert chunk["choices"][0]["message"]["role"] == "assistant"


def test_empty_delta_content_is_empty_string_not_none() -> None:
    chunk = ChatChunk.model_validate(E3_LAST)
    assert chunk["choices"][0]["message"]["content"] == ""
    assert chunk.choices[0].delta.content == ""


def test_tool_call_chunk_content_is_empty_string_not_none() -> None:
    chunk = ChatChunk.model_validate(E4_TOOL)
    assert chunk["choices"][0]["message"]["content"] == ""
    assert chunk["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_explicit_null_content_becomes_empty_string() -> None:
    data = {**E3_TEXT, "choices": [{"index": 0, "delta": {"content": None}}]}
    assert ChatChunk.model_validate(data).choices[0].delta.content == ""


def test_chunk_text_is_the_text_added_to_the_first_choice() -> None:
    assert ChatChunk.model_validate(E3_TEXT).text == "Hello"
    assert ChatChunk.model_validate(E3_LAST).text == ""


def test_usage_chunk_without_choices_has_empty_text_and_top_level_usage() -> None:
    chunk = ChatChunk.model_validate(E5)
    assert chunk.choices == []
    assert chunk.text == ""
    assert chunk["usage"]["total_tokens"] == 32


def test_usage_inside_a_chunk_choice_is_parsed() -> None:
    choice = ChatChunk.model_validate(E3_LAST).choices[0]
    assert choice.usage == Usage(
        prompt_tokens=8, completion_tokens=11, total_tokens=19, cached_tokens=8
    )


def test_chunk_keeps_system_fingerprint() -> None:
    assert ChatChunk.model_validate(E3_LAST)["system_fingerprint"] == "fpv0_10a6da87"


# --- Message and content parts --------------------------------------------------------------

PARTS = [
    {"type": "text", "text": "What is in "},
    {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
    {"type": "text", "text": "this picture?"},
    {"type": "video_url", "video_url": {"url": "ms://cvk2bq7ne0ge5c2p0q3g"}},
]


def test_message_parses_text_and_image_parts_into_their_models() -> None:
    content = Message.model_validate({"role": "user", "content": PARTS}).content
    assert isinstance(content, list)
    assert isinstance(content[0], TextPart)
    assert isinstance(content[1], ImagePart)
    assert content[1].image_url.url == "data:image/png;base64,iVBORw0KGgo="


def test_message_keeps_an_unknown_part_type_as_is() -> None:
    content = Message.model_validate({"role": "user", "content": PARTS}).content
    assert isinstance(content, list)
    assert isinstance(content[3], OtherPart)
    assert content[3]["video_url"] == {"url": "ms://cvk2bq7ne0ge5c2p0q3g"}


def test_message_with_parts_round_trips_to_the_same_json() -> None:
    data = {"role": "user", "content": PARTS}
    assert Message.model_validate(data).to_dict() == data


def test_message_text_joins_the_text_parts() -> None:
    message = Message.model_validate({"role": "user", "content": PARTS})
    assert message.text == "What is in this picture?"


def test_message_text_of_a_string_content_is_the_string() -> None:
    assert Message(role="user", content="Hi").text == "Hi"


def test_message_text_is_empty_without_content() -> None:
    assert Message(role="assistant").text == ""


def test_message_keeps_unknown_fields() -> None:
    message = Message.model_validate({"role": "user", "content": "hi", "x_custom": 1})
    assert message["x_custom"] == 1
    assert message.to_dict() == {"role": "user", "content": "hi", "x_custom": 1}


# --- Usage ----------------------------------------------------------------------------------


def test_usage_none_values_become_zero() -> None:
    usage = Usage.model_validate(
        {"prompt_tokens": None, "completion_tokens": None, "total_tokens": None}
    )
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (0, 0, 0)


def test_usage_missing_cached_tokens_is_zero() -> None:
    usage = Usage.model_validate({"prompt_tokens": 19, "completion_tokens": 13, "total_tokens": 32})
    assert usage.cached_tokens == 0
    assert usage["cached_tokens"] == 0


def test_usage_null_cached_tokens_is_zero() -> None:
    assert Usage.model_validate({"cached_tokens": None}).cached_tokens == 0


def test_usage_keeps_unknown_token_details() -> None:
    usage = Usage.model_validate({"prompt_tokens_details": {"cached_tokens": 5}})
    assert usage["prompt_tokens_details"] == {"cached_tokens": 5}
