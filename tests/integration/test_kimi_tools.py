"""Tool calling through OneSDK against the simulator: typed calls, streams, the tool loop."""

from __future__ import annotations

import json
from typing import Literal

import pytest

from onesdk import (
    AsyncOneSDK,
    InvokeBadRequestError,
    Message,
    OneSDK,
    Tool,
    ToolCall,
    arun_tools,
    run_tool_calls,
    run_tools,
    tool_from_function,
)
from onesdk_kimi.simulator import KimiSimulator

MODEL = "kimi-k2-turbo-preview"
ASK = [{"role": "user", "content": "Beijing"}]


def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> str:
    """Current weather in a city.

    Args:
        city: The city name.
        unit: The temperature unit.
    """
    return f"{city}: sunny, 25 {unit}"


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


WEATHER = tool_from_function(get_weather)


def test_tool_from_function_builds_the_openai_function_definition() -> None:
    assert WEATHER == {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather in a city.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "The city name."},
                    "unit": {
                        "enum": ["celsius", "fahrenheit"],
                        "type": "string",
                        "description": "The temperature unit.",
                    },
                },
                "required": ["city"],
            },
        },
    }


def test_tools_and_tool_choice_reach_the_wire(kimi: OneSDK, sim: KimiSimulator) -> None:
    kimi.generate(MODEL, ASK, tools=[WEATHER], tool_choice="auto")
    sent = sim.requests[-1].json
    assert sent["tools"] == [dict(WEATHER)]
    assert sent["tool_choice"] == "auto"


def test_response_carries_typed_tool_calls(kimi: OneSDK) -> None:
    response = kimi.generate(MODEL, ASK, tools=[WEATHER])
    assert response.choices[0].finish_reason == "tool_calls"
    (call,) = response.message.tool_calls or []
    assert isinstance(call, ToolCall)
    assert call.id == "functions.get_weather:0"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Beijing"}
    assert response["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_moonshot_v1_tool_call_ids(kimi: OneSDK) -> None:
    response = kimi.generate("moonshot-v1-8k", ASK, tools=[WEATHER])
    assert response.message.tool_calls[0].id == "get_weather:0"  # type: ignore[index]


def test_tool_result_message_gets_a_text_answer(kimi: OneSDK) -> None:
    first = kimi.generate(MODEL, ASK, tools=[WEATHER])
    call = first.message.tool_calls[0]  # type: ignore[index]
    messages = [
        *ASK,
        first.message,  # the assistant message as returned, a typed Message
        {"role": "tool", "tool_call_id": call.id, "name": "get_weather", "content": "Sunny"},
    ]
    answer = kimi.generate(MODEL, messages, tools=[WEATHER])
    assert answer.text == "Tool get_weather said: Sunny"
    assert answer.choices[0].finish_reason == "stop"


def test_tool_choice_none_answers_without_calling(kimi: OneSDK) -> None:
    response = kimi.generate(MODEL, ASK, tools=[WEATHER], tool_choice="none")
    assert response.message.tool_calls is None
    assert response.text == "You said: Beijing"


def test_stream_assembles_tool_call_deltas_into_whole_calls(kimi: OneSDK) -> None:
    expected = kimi.generate(MODEL, ASK, tools=[WEATHER])
    with kimi.stream_generate(MODEL, ASK, tools=[WEATHER]) as stream:
        chunks = list(stream)
        final = stream.final_response()
    first_delta = chunks[1].choices[0].delta.tool_calls[0]  # type: ignore[index]
    assert (first_delta.id, first_delta.function.name) == ("functions.get_weather:0", "get_weather")  # type: ignore[union-attr]
    assert all(chunk.text == "" for chunk in chunks)
    assert final.message.tool_calls == expected.message.tool_calls
    assert final.choices[0].finish_reason == "tool_calls"
    assert final.usage == expected.usage


def test_parallel_calls_are_kept_apart_in_streams(kimi: OneSDK) -> None:
    tools = [WEATHER, tool_from_function(add)]
    ask = [{"role": "user", "content": "get_weather in Paris, then add 2 and 3"}]
    final = kimi.stream_generate(MODEL, ask, tools=tools).final_response()
    calls = final.message.tool_calls or []
    assert [c.function.name for c in calls] == ["get_weather", "add"]
    assert json.loads(calls[1].function.arguments) == {"a": 2, "b": 3}


def test_run_tools_runs_the_functions_and_returns_the_final_answer(
    kimi: OneSDK, sim: KimiSimulator
) -> None:
    ask = [{"role": "user", "content": "add 2 and 40"}]
    response = run_tools(kimi, MODEL, ask, [add, get_weather])
    assert response.text == "Tool add said: 42"
    assert response.choices[0].finish_reason == "stop"
    assert len(sim.requests) == 2
    second = sim.requests[-1].json["messages"]
    assert second[-1] == {
        "role": "tool",
        "tool_call_id": "functions.add:0",
        "name": "add",
        "content": "42",
    }
    assert ask == [{"role": "user", "content": "add 2 and 40"}]  # not changed


def test_run_tools_on_a_thinking_model_sends_reasoning_back(
    kimi: OneSDK, sim: KimiSimulator
) -> None:
    response = run_tools(kimi, "kimi-k2-thinking", ASK, [get_weather])
    assert response.text == "Tool get_weather said: Beijing: sunny, 25 celsius"
    assistant = sim.requests[-1].json["messages"][1]
    assert assistant["reasoning_content"] == "Thinking about: Beijing"


def test_run_tools_stops_calling_after_max_rounds(kimi: OneSDK, sim: KimiSimulator) -> None:
    calls: list[str] = []

    def lookup(query: str) -> str:
        """Look something up."""
        calls.append(query)
        return "found"

    response = run_tools(kimi, MODEL, ASK, [lookup], max_rounds=1)
    assert calls == ["Beijing"]
    assert sim.requests[-1].json["tool_choice"] == "none"
    assert response.text == "Tool lookup said: found"


def test_run_tool_calls_reports_bad_arguments_to_the_model() -> None:
    message = Message(
        role="assistant",
        tool_calls=[
            {"id": "a:0", "function": {"name": "add", "arguments": '{"a": 1}'}},
            {"id": "b:1", "function": {"name": "nope", "arguments": "{}"}},
        ],
    )
    replies = run_tool_calls(message, [add])
    assert replies[0]["content"].startswith("error: missing a required argument")
    assert replies[1]["content"] == "error: there is no tool named 'nope'"


def test_run_tools_refuses_a_tool_it_cannot_run(kimi: OneSDK, sim: KimiSimulator) -> None:
    sim.clear_requests()
    with pytest.raises(InvokeBadRequestError, match="nothing to run"):
        run_tools(kimi, MODEL, ASK, [dict(WEATHER)])
    with pytest.raises(InvokeBadRequestError, match="max_rounds"):
        run_tools(kimi, MODEL, ASK, [add], max_rounds=0)
    with pytest.raises(InvokeBadRequestError, match="stream"):
        run_tools(kimi, MODEL, ASK, [add], stream=True)
    assert sim.requests == []


def test_a_tool_with_a_custom_runner(kimi: OneSDK) -> None:
    echo = Tool(
        {"type": "function", "function": {"name": "echo", "parameters": {"type": "object"}}},
        run=lambda arguments: f"raw {arguments}",
    )
    assert run_tools(kimi, MODEL, ASK, [echo]).text == "Tool echo said: raw {}"


async def test_arun_tools_awaits_async_functions(sim: KimiSimulator) -> None:
    async def shout(text: str) -> str:
        """Shout the text."""
        return text.upper()

    async with AsyncOneSDK("kimi", api_key=sim.api_key, base_url=sim.base_url) as client:
        response = await arun_tools(client, MODEL, ASK, [shout])
    assert response.text == "Tool shout said: BEIJING"


def test_sync_run_tools_refuses_async_functions(kimi: OneSDK) -> None:
    async def shout(text: str) -> str:
        return text

    with pytest.raises(InvokeBadRequestError, match="arun_tools"):
        run_tools(kimi, MODEL, ASK, [shout])


@pytest.mark.parametrize(
    ("tools", "fragment"),
    [
        ([{"type": "function", "function": {"name": "x"}}], "tools[0].function.name"),
        (
            [{"type": "function", "function": {"name": "abc", "parameters": {"type": "array"}}}],
            "tools[0].function.parameters",
        ),
        ([{"type": "builtin_function", "function": {"name": "web"}}], "tools[0].function.name"),
    ],
)
def test_bad_tool_definitions_fail_before_any_request(
    kimi: OneSDK, sim: KimiSimulator, tools: list[object], fragment: str
) -> None:
    sim.clear_requests()
    with pytest.raises(InvokeBadRequestError) as caught:
        kimi.generate(MODEL, ASK, tools=tools)
    assert fragment in str(caught.value)
    assert sim.requests == []


def test_tool_choice_for_an_undeclared_function_fails_before_any_request(
    kimi: OneSDK, sim: KimiSimulator
) -> None:
    sim.clear_requests()
    choice = {"type": "function", "function": {"name": "add"}}
    with pytest.raises(InvokeBadRequestError, match="tool_choice"):
        kimi.generate(MODEL, ASK, tools=[WEATHER], tool_choice=choice)
    assert sim.requests == []


def test_tools_held_by_a_context_cache_are_called(kimi: OneSDK) -> None:
    cache = kimi.create_cache(
        "moonshot-v1-8k",
        [{"role": "system", "content": "You look up the weather."}],
        tools=[WEATHER],
    )
    try:
        response = kimi.generate("moonshot-v1-8k", ASK, context_id=cache.id)
        assert response.message.tool_calls[0].id == "get_weather:0"  # type: ignore[index]
    finally:
        kimi.delete_cache(cache.id)


def test_tool_choice_may_name_a_function_a_context_cache_holds(kimi: OneSDK) -> None:
    add_tool = tool_from_function(add)
    cache = kimi.create_cache(
        "moonshot-v1-8k", [{"role": "system", "content": "Tools."}], tools=[WEATHER, add_tool]
    )
    pick = {"type": "function", "function": {"name": "add"}}
    nope = {"type": "function", "function": {"name": "nope"}}
    try:
        response = kimi.generate("moonshot-v1-8k", ASK, context_id=cache.id, tool_choice=pick)
        assert response.message.tool_calls[0].function.name == "add"  # type: ignore[index]
        with pytest.raises(InvokeBadRequestError, match="nope"):
            kimi.generate("moonshot-v1-8k", ASK, context_id=cache.id, tool_choice=nope)
    finally:
        kimi.delete_cache(cache.id)
