"""Property: a stream's ``final_response()`` equals the non-stream response for the same input.

Over prompts, models (reasoning ones included), max_tokens, n, stop, JSON mode, tools that
force calls, tool results and partial mode: content, reasoning, tool calls, finish reasons
and usage must all agree, because the simulator is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from onesdk import ChatResponse, OneSDK
from onesdk_kimi import web_search_tool
from onesdk_kimi.simulator import KimiSimulator

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city", "days"],
        },
    },
}
ADD = {
    "type": "function",
    "function": {
        "name": "add",
        "parameters": {
            "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
            "required": ["a", "b"],
        },
    },
}
TOOL_SETS: list[list[dict[str, Any]]] = [[WEATHER], [WEATHER, ADD], [dict(web_search_tool())]]
MODELS = [
    "moonshot-v1-8k",
    "kimi-k2-turbo-preview",
    "kimi-k2-thinking",
    "kimi-thinking-preview",
    "kimi-k2.6",
]
THINKING = {"kimi-k2-thinking", "kimi-thinking-preview", "kimi-k2.6"}
PRIOR_CALL = {
    "id": "functions.get_weather:0",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Oslo", "days": 2}'},
}

words = st.sampled_from(
    ["Oslo", "weather", "add", "get_weather", "2", "3.5", "天气", "why?", "sky", "blue", "!"]
)
prompts = st.lists(words, min_size=1, max_size=8).map(" ".join)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    model = draw(st.sampled_from(MODELS))
    text = draw(prompts)
    shape = draw(st.sampled_from(["user", "user", "tool_result", "partial"]))
    params: dict[str, Any] = {}
    if model != "kimi-k2.6":  # K2.6 sampling is fixed; others need temperature for n > 1
        params["temperature"] = 0.5
    n = draw(st.integers(1, 3))
    if n > 1:
        params["n"] = n
    max_tokens = draw(st.none() | st.integers(1, 60))
    if max_tokens is not None:
        params["max_tokens"] = max_tokens
    stop = draw(st.lists(words, max_size=2))
    if stop:
        params["stop"] = stop
    if draw(st.booleans()):
        params["stream_options"] = {"include_usage": True}
    tools_allowed = model != "kimi-thinking-preview"
    if tools_allowed and (shape != "user" or draw(st.integers(0, 3)) > 0):
        params["tools"] = draw(st.sampled_from(TOOL_SETS))
        choices = ["auto", "none", None] if model in THINKING else ["auto", "none", None, "pick"]
        choice = draw(st.sampled_from(choices))
        if choice == "pick":
            name = params["tools"][0]["function"]["name"]
            if not name.startswith("$"):
                params["tool_choice"] = {"type": "function", "function": {"name": name}}
        elif choice is not None:
            params["tool_choice"] = choice
    if shape != "partial" and draw(st.booleans()):
        params["response_format"] = {"type": "json_object"}
    messages: list[dict[str, Any]] = [{"role": "user", "content": text}]
    if shape == "tool_result" and tools_allowed:
        call = {"role": "assistant", "content": "", "tool_calls": [PRIOR_CALL]}
        if model in THINKING:
            call["reasoning_content"] = "about the weather"
        result = {"role": "tool", "tool_call_id": PRIOR_CALL["id"], "content": text}
        messages += [call, result]
        params.setdefault("tools", [WEATHER])
    elif shape == "partial":
        messages.append(
            {
                "role": "assistant",
                "content": draw(st.sampled_from(["You", "You said: ", "Hm"])),
                "partial": True,
            }
        )
    return model, messages, params


@pytest.fixture(scope="module")
def client(sim: KimiSimulator) -> Iterator[OneSDK]:
    with OneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url}) as sdk:
        yield sdk


def comparable(response: ChatResponse) -> dict[str, Any]:
    return {
        "model": response.model,
        "choices": [choice.to_dict() for choice in response.choices],
        "usage": response.usage.to_dict() if response.usage else None,
        "prefill": response.prefill,
        "full_text": response.full_text,
    }


@settings(max_examples=120, deadline=None, database=None)
@given(requests())
def test_accumulated_stream_equals_the_non_stream_response(
    client: OneSDK, case: tuple[str, list[dict[str, Any]], dict[str, Any]]
) -> None:
    model, messages, params = case
    plain = client.generate(model, messages, **params)
    with client.stream_generate(model, messages, **params) as stream:
        final = stream.final_response()
    assert stream.finished
    assert comparable(final) == comparable(plain)
    for choice in plain.choices:
        event(f"finish_reason={choice.finish_reason}")
        event(f"reasoning={choice.message.reasoning_content is not None}")


def test_the_property_covers_tool_calls_reasoning_and_cuts(client: OneSDK) -> None:
    """The generator reaches the interesting cases (a guard against a vacuous property)."""
    seen: set[str] = set()
    for model, messages, params in (
        ("kimi-k2-thinking", [{"role": "user", "content": "Oslo"}], {"tools": [WEATHER]}),
        (
            "kimi-k2-turbo-preview",
            [{"role": "user", "content": "add 2"}],
            {"tools": [WEATHER, ADD]},
        ),
        ("moonshot-v1-8k", [{"role": "user", "content": "Oslo sky"}], {"max_tokens": 2}),
    ):
        response = client.generate(model, messages, **params)
        for choice in response.choices:
            seen.add(choice.finish_reason or "")
            if choice.message.reasoning_content:
                seen.add("reasoning")
    assert seen == {"tool_calls", "length", "reasoning"}
