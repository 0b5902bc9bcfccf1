"""Kimi's built-in $web_search through OneSDK: declare, echo the arguments, get the answer."""

from __future__ import annotations

import json

from onesdk import OneSDK, run_tools
from onesdk.tools import tool_from_function
from onesdk_kimi import WEB_SEARCH, web_search_tool
from onesdk_kimi.simulator import KimiSimulator
from onesdk_kimi.simulator.tokens import count_prompt

MODEL = "moonshot-v1-auto"
ASK = [{"role": "user", "content": "What happened in AI this week?"}]


def test_web_search_tool_is_the_builtin_declaration() -> None:
    tool = web_search_tool()
    assert tool == {"type": "builtin_function", "function": {"name": "$web_search"}}
    assert tool.name == WEB_SEARCH == "$web_search"


def test_the_model_returns_a_web_search_call(kimi: OneSDK, sim: KimiSimulator) -> None:
    response = kimi.generate(MODEL, ASK, tools=[web_search_tool()])
    assert sim.requests[-1].json["tools"] == [
        {"type": "builtin_function", "function": {"name": "$web_search"}}
    ]
    assert response.choices[0].finish_reason == "tool_calls"
    (call,) = response.message.tool_calls or []
    assert call.type == "builtin_function"
    assert call.function.name == "$web_search"
    arguments = json.loads(call.function.arguments)
    assert arguments["search_result"]["search_id"]
    assert arguments["usage"]["total_tokens"] > 0


def test_run_tools_echoes_the_arguments_and_search_tokens_join_the_prompt(
    kimi: OneSDK, sim: KimiSimulator
) -> None:
    first = kimi.generate(MODEL, ASK, tools=[web_search_tool()])
    call = first.message.tool_calls[0]  # type: ignore[index]
    search_tokens = json.loads(call.function.arguments)["usage"]["total_tokens"]
    sim.clear_requests()

    answer = run_tools(kimi, MODEL, ASK, [web_search_tool()])

    assert answer.text == "Searched the web for: What happened in AI this week?"
    tool_message = sim.requests[-1].json["messages"][-1]
    assert tool_message["role"] == "tool"
    assert tool_message["name"] == "$web_search"
    assert tool_message["content"] == call.function.arguments  # unchanged
    sent = sim.requests[-1].json
    assert answer.usage is not None
    assert (
        answer.usage.prompt_tokens == count_prompt(sent["messages"], sent["tools"]) + search_tokens
    )


def test_web_search_mixes_with_ordinary_functions(kimi: OneSDK) -> None:
    def get_time(city: str) -> str:
        """The local time in a city."""
        return f"noon in {city}"

    tools = [web_search_tool(), tool_from_function(get_time)]
    ask = [{"role": "user", "content": "get_time for Tokyo"}]
    assert (
        run_tools(kimi, MODEL, ask, tools).text == "Tool get_time said: noon in get_time for Tokyo"
    )
    assert run_tools(kimi, MODEL, ASK, tools).text.startswith("Searched the web for:")
