"""Tool calls, $web_search, reasoning and images on the wire, exactly as Kimi shapes them.

The deterministic rules are in `onesdk_kimi.simulator.tool_use` and `.chat` docstrings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from onesdk_kimi.simulator.sse import joined_content
from onesdk_kimi.simulator.tokens import count_prompt
from onesdk_kimi.simulator.tool_use import function_arguments

Chat = Callable[..., httpx.Response]
Stream = Callable[..., list[Any]]

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}
ADD = {
    "type": "function",
    "function": {
        "name": "add",
        "parameters": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "number"}},
            "required": ["a", "b"],
        },
    },
}
WEB_SEARCH = {"type": "builtin_function", "function": {"name": "$web_search"}}
ASK = [{"role": "user", "content": "Beijing"}]


def message(body: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return dict(body["choices"][index]["message"])


def test_k2_calls_the_first_function_with_the_user_text(chat: Chat) -> None:
    body = chat(messages=ASK, tools=[WEATHER]).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"] == {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "index": 0,
                "id": "functions.get_weather:0",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Beijing"}'},
            }
        ],
    }


def test_moonshot_v1_ids_have_no_functions_prefix(chat: Chat) -> None:
    body = chat(model="moonshot-v1-8k", messages=ASK, tools=[WEATHER]).json()
    assert message(body)["tool_calls"][0]["id"] == "get_weather:0"


def test_call_ids_keep_counting_across_the_conversation(chat: Chat) -> None:
    first = message(chat(messages=ASK, tools=[WEATHER]).json())
    history = [
        *ASK,
        first,
        {"role": "tool", "tool_call_id": "functions.get_weather:0", "content": "sunny"},
        {"role": "user", "content": "And Shanghai?"},
    ]
    again = message(chat(messages=history, tools=[WEATHER]).json())
    assert again["tool_calls"][0]["id"] == "functions.get_weather:1"


def test_functions_named_in_the_text_are_called_in_parallel(chat: Chat) -> None:
    ask = [{"role": "user", "content": "use add and get_weather: 2 and 3.5"}]
    calls = message(chat(messages=ask, tools=[WEATHER, ADD]).json())["tool_calls"]
    assert [(c["index"], c["id"]) for c in calls] == [
        (0, "functions.get_weather:0"),
        (1, "functions.add:1"),
    ]
    assert json.loads(calls[1]["function"]["arguments"]) == {"a": 2, "b": 3.5}


def test_tool_choice_names_the_function_and_none_answers_in_text(chat: Chat) -> None:
    choice = {"type": "function", "function": {"name": "add"}}
    calls = message(chat(messages=ASK, tools=[WEATHER, ADD], tool_choice=choice).json())
    assert calls["tool_calls"][0]["function"] == {"name": "add", "arguments": '{"a": 0, "b": 0.0}'}
    text = chat(messages=ASK, tools=[WEATHER], tool_choice="none").json()
    assert message(text) == {"role": "assistant", "content": "You said: Beijing"}


def test_tool_choice_naming_an_undeclared_function_is_400(chat: Chat) -> None:
    choice = {"type": "function", "function": {"name": "nope"}}
    response = chat(messages=ASK, tools=[WEATHER], tool_choice=choice)
    assert response.status_code == 400
    assert "not defined in tools" in response.json()["error"]["message"]


def test_tool_result_is_answered_in_text(chat: Chat) -> None:
    call = message(chat(messages=ASK, tools=[WEATHER]).json())
    result = {"role": "tool", "tool_call_id": "functions.get_weather:0", "content": "Sunny, 25C"}
    body = chat(messages=[*ASK, call, result], tools=[WEATHER]).json()
    assert body["choices"][0]["finish_reason"] == "stop"
    assert message(body)["content"] == "Tool get_weather said: Sunny, 25C"


def test_streamed_tool_call_deltas_have_kimi_shape(chat: Chat, stream: Stream) -> None:
    plain = chat(messages=ASK, tools=[WEATHER]).json()
    events = stream(messages=ASK, tools=[WEATHER])
    deltas = [e["choices"][0]["delta"] for e in events[:-1]]
    assert deltas[0] == {"role": "assistant", "content": ""}
    assert deltas[1] == {
        "tool_calls": [
            {
                "index": 0,
                "id": "functions.get_weather:0",
                "type": "function",
                "function": {"name": "get_weather", "arguments": ""},
            }
        ]
    }
    fragments = deltas[2:-1]
    assert len(fragments) > 1
    for delta in fragments:
        assert set(delta["tool_calls"][0]) == {"index", "function"}
        assert set(delta["tool_calls"][0]["function"]) == {"arguments"}
    joined = "".join(d["tool_calls"][0]["function"]["arguments"] for d in fragments)
    assert joined == plain["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    final = events[-2]["choices"][0]
    assert final["delta"] == {}
    assert final["finish_reason"] == "tool_calls"
    assert final["usage"] == plain["usage"]


def test_max_tokens_cuts_tool_arguments_with_length(chat: Chat) -> None:
    body = chat(messages=ASK, tools=[WEATHER], max_tokens=3).json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 3
    assert message(body)["tool_calls"][0]["function"]["arguments"] == '{"'


def test_web_search_round_trip(chat: Chat) -> None:
    ask = [{"role": "user", "content": "latest Kimi news"}]
    first = chat(messages=ask, tools=[WEB_SEARCH, WEATHER]).json()
    (call,) = message(first)["tool_calls"]
    assert call["type"] == "builtin_function"
    assert call["id"] == "t-web_search-0"
    assert call["function"]["name"] == "$web_search"
    arguments = json.loads(call["function"]["arguments"])
    assert set(arguments) == {"search_result", "usage"}
    assert arguments["search_result"]["search_id"]
    search_tokens = arguments["usage"]["total_tokens"]
    echo = {
        "role": "tool",
        "tool_call_id": call["id"],
        "name": "$web_search",
        "content": call["function"]["arguments"],
    }
    history = [*ask, message(first), echo]
    answer = chat(messages=history, tools=[WEB_SEARCH, WEATHER]).json()
    assert message(answer)["content"] == "Searched the web for: latest Kimi news"
    tools = [WEB_SEARCH, WEATHER]
    assert answer["usage"]["prompt_tokens"] == count_prompt(history, tools) + search_tokens


def test_web_search_result_must_echo_the_arguments(chat: Chat) -> None:
    first = message(chat(messages=ASK, tools=[WEB_SEARCH]).json())
    call_id = first["tool_calls"][0]["id"]
    changed = {"role": "tool", "tool_call_id": call_id, "content": '{"search_result": {}}'}
    response = chat(messages=[*ASK, first, changed], tools=[WEB_SEARCH])
    assert response.status_code == 400
    assert "unchanged" in response.json()["error"]["message"]


def test_web_search_is_refused_on_vision_preview_and_tools_on_thinking_preview(
    chat: Chat,
) -> None:
    vision = chat(model="moonshot-v1-8k-vision-preview", messages=ASK, tools=[WEB_SEARCH])
    assert vision.status_code == 400
    thinking = chat(model="kimi-thinking-preview", messages=ASK, tools=[WEATHER])
    assert thinking.status_code == 400


def test_reasoning_model_reasons_before_it_answers(chat: Chat, stream: Stream) -> None:
    body = chat(model="kimi-k2-thinking", messages=ASK).json()
    assert message(body) == {
        "role": "assistant",
        "content": "You said: Beijing",
        "reasoning_content": "Thinking about: Beijing",
    }
    events = stream(model="kimi-k2-thinking", messages=ASK)
    kinds = [next(iter(e["choices"][0]["delta"]), None) for e in events[1:-2]]
    assert kinds == sorted(kinds, key=lambda k: k != "reasoning_content")  # reasoning first
    assert set(kinds) == {"reasoning_content", "content"}
    reasoning = "".join(e["choices"][0]["delta"].get("reasoning_content", "") for e in events[:-1])
    assert reasoning == "Thinking about: Beijing"
    assert joined_content(events) == "You said: Beijing"
    assert events[-2]["choices"][0]["usage"] == body["usage"]


@pytest.mark.parametrize(
    ("model", "extra", "reasons"),
    [
        ("kimi-k2.6", {}, True),
        ("kimi-k2.5", {"thinking": {"type": "disabled"}}, False),
        ("kimi-thinking-preview", {}, True),
        ("kimi-k2-turbo-preview", {}, False),
    ],
)
def test_which_models_reason(chat: Chat, model: str, extra: dict[str, Any], reasons: bool) -> None:
    body = chat(model=model, messages=ASK, **extra).json()
    assert ("reasoning_content" in message(body)) is reasons


def test_image_parts_are_described_in_the_reply(chat: Chat) -> None:
    parts = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
        {"type": "image_url", "image_url": "ms://file-abc"},
    ]
    body = chat(
        model="moonshot-v1-8k-vision-preview", messages=[{"role": "user", "content": parts}]
    )
    assert message(body.json())["content"] == (
        "You said: What is this? [image: image/png, 8 bytes] [image: ms://file-abc]"
    )


def test_malformed_data_url_is_400(chat: Chat) -> None:
    parts = [{"type": "image_url", "image_url": {"url": "data:image/png,notbase64"}}]
    response = chat(model="kimi-k2.6", messages=[{"role": "user", "content": parts}])
    assert response.status_code == 400
    assert "malformed data URL" in response.json()["error"]["message"]


def test_arguments_follow_the_parameter_types() -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "book",
            "parameters": {
                "type": "object",
                "properties": {
                    "where": {"type": "string"},
                    "seats": {"type": "integer"},
                    "price": {"type": "number"},
                    "window": {"type": "boolean"},
                    "names": {"type": "array", "items": {"type": "string"}},
                    "cls": {"type": "string", "enum": ["economy", "business"]},
                    "extra": {"type": "object"},
                },
                "required": ["where", "seats", "price", "window", "names", "cls", "extra"],
            },
        },
    }
    assert function_arguments(tool, "Oslo for 3 at 99.5") == {
        "where": "Oslo for 3 at 99.5",
        "seats": 3,
        "price": 99.5,
        "window": True,
        "names": ["Oslo for 3 at 99.5"],
        "cls": "economy",
        "extra": {},
    }
    no_required = {"type": "function", "function": {"name": "f", "parameters": {}}}
    assert function_arguments(no_required, "x") == {}
