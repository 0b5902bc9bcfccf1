"""How the simulated model uses tools: when it calls one, with what, and how it reads results.

Trigger rule (deterministic; documented in docs/kimi.md "Tools in the simulator"):

* The model calls tools when `tools` is non-empty, `tool_choice` is not "none" and the last
  message is a user message. It calls the function named by an object `tool_choice`; else
  every declared function whose name appears in the user text (parallel calls, declaration
  order); else `$web_search` when declared; else the first declared function.
* Arguments: each required parameter (or the first property when none is required) gets a
  value from the user text: strings the whole text, integers/numbers the next number found
  in it (0 when none is left), booleans true, arrays `[text]`, enums their first value.
* Ids: `<name>:<n>` on moonshot-v1, `functions.<name>:<n>` otherwise, `n` counting the
  tool calls of the conversation; `$web_search` calls are `t-web_search-<n>`, type
  `builtin_function`, arguments `{"search_result": {"search_id": ...}, "usage":
  {"total_tokens": N}}`, N = 500 + 100 * tokens of the user text.
* After tool results (the last message is a tool message) the model answers in text:
  "Tool <name> said: <content>" per result, joined by "; "; a `$web_search` result (which
  must echo the call's arguments unchanged) reads "Searched the web for: <user text>" and
  adds N to prompt_tokens.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import invalid
from .message_rules import message_text
from .models import ModelInfo
from .tokens import count_text

WEB_SEARCH = "$web_search"
_NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class PlannedCall:
    """A tool call the model makes: what the response's `tool_calls` item will say."""

    id: str
    type: str
    name: str
    arguments: str


def last_user_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The text of the last user message ("" when there is none)."""
    user = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    return message_text(user) if user is not None else ""


def check_tool_choice(value: Any, tools: list[Any] | None, thinking: bool) -> Any:
    """Validate `tool_choice`; returns it unchanged."""
    if value is None or value in ("auto", "none"):
        return value
    if thinking:
        raise invalid("tool_choice must be 'auto' or 'none' when thinking is enabled")
    if value == "required":
        return value
    function = value.get("function") if isinstance(value, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(value, dict) or value.get("type") != "function" or not name:
        raise invalid(
            "tool_choice must be 'none', 'auto', 'required' or "
            "{'type': 'function', 'function': {'name': ...}}"
        )
    if tools is not None:  # tools held by a context cache are checked when the cache is read
        _named(tools, name)
    return value


def _named(tools: list[Any], name: str) -> Mapping[str, Any]:
    tool = _declared(tools).get(name)
    if tool is None:
        raise invalid(f"tool_choice names function {name!r}, which is not defined in tools")
    return tool


def _declared(tools: list[Any] | None) -> dict[str, Mapping[str, Any]]:
    return {tool["function"]["name"]: tool for tool in tools or []}


def _chosen(tools: list[Any], tool_choice: Any, text: str) -> list[Mapping[str, Any]]:
    declared = _declared(tools)
    if isinstance(tool_choice, dict):
        return [_named(tools, tool_choice["function"]["name"])]
    named = [tool for name, tool in declared.items() if name != WEB_SEARCH and name in text]
    if named:
        return named
    if WEB_SEARCH in declared:
        return [declared[WEB_SEARCH]]
    return [tools[0]]


def _value(schema: Any, text: str, numbers: list[str]) -> Any:
    schema = schema if isinstance(schema, Mapping) else {}
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind in ("integer", "number"):
        raw = numbers.pop(0) if numbers else "0"
        return int(float(raw)) if kind == "integer" else float(raw)
    if kind == "boolean":
        return True
    if kind == "array":
        return [text]
    if kind == "object":
        return {}
    return text


def function_arguments(tool: Mapping[str, Any], text: str) -> dict[str, Any]:
    """The arguments the model fills in for a declared function, from the user's text."""
    parameters = tool["function"].get("parameters") or {}
    properties = parameters.get("properties") if isinstance(parameters, Mapping) else None
    properties = properties if isinstance(properties, Mapping) else {}
    required = parameters.get("required") if isinstance(parameters, Mapping) else None
    names = [n for n in required if isinstance(n, str)] if isinstance(required, list) else []
    if not names and properties:
        names = [next(iter(properties))]
    numbers = _NUMBER_RE.findall(text)
    return {name: _value(properties.get(name), text, numbers) for name in names}


def search_tokens(query: str) -> int:
    """The tokens a simulated web search adds to the next call's prompt."""
    return 500 + 100 * count_text(query)


def web_search_arguments(query: str) -> dict[str, Any]:
    """The `$web_search` call's arguments, which the client must send back unchanged."""
    search_id = hashlib.sha256(query.encode("utf-8")).hexdigest()[:24]
    return {
        "search_result": {"search_id": search_id},
        "usage": {"total_tokens": search_tokens(query)},
    }


def _calls_so_far(messages: Sequence[Mapping[str, Any]]) -> int:
    return sum(len(m.get("tool_calls") or []) for m in messages if m.get("role") == "assistant")


def plan_calls(
    messages: Sequence[Mapping[str, Any]],
    tools: list[Any] | None,
    tool_choice: Any,
    model: ModelInfo,
) -> tuple[PlannedCall, ...]:
    """The tool calls the model makes for this request (empty: it answers in text)."""
    if not tools or tool_choice == "none" or not messages:
        return ()
    if messages[-1].get("role") != "user":
        return ()
    text = last_user_text(messages)
    counter = _calls_so_far(messages)
    calls = []
    for offset, tool in enumerate(_chosen(tools, tool_choice, text)):
        name = tool["function"]["name"]
        n = counter + offset
        if tool.get("type") == "builtin_function":
            arguments: dict[str, Any] = web_search_arguments(text)
            calls.append(
                PlannedCall(f"t-web_search-{n}", "builtin_function", name, _dump(arguments))
            )
            continue
        call_id = f"{name}:{n}" if model.family == "moonshot-v1" else f"functions.{name}:{n}"
        calls.append(PlannedCall(call_id, "function", name, _dump(function_arguments(tool, text))))
    return tuple(calls)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _trailing_results(messages: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    results: list[Mapping[str, Any]] = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        results.append(message)
    return results[::-1]


def _calls_by_id(messages: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    calls: dict[str, Mapping[str, Any]] = {}
    for message in messages:
        if message.get("role") == "assistant":
            for call in message.get("tool_calls") or []:
                calls[call["id"]] = call
    return calls


def _echoed_search(result: Mapping[str, Any], call: Mapping[str, Any]) -> dict[str, Any]:
    """The echoed `$web_search` arguments, or a 400 when they were changed."""
    try:
        sent = json.loads(message_text(result))
        original = json.loads(call["function"].get("arguments") or "")
    except ValueError:
        sent, original = None, None
    if not isinstance(original, dict) or sent != original:
        raise invalid(
            "the tool message for a $web_search call must carry the call's arguments unchanged"
        )
    return original


@dataclass(frozen=True)
class ToolResults:
    """What the trailing tool messages make the model say, and what they cost."""

    text: str
    search_tokens: int = 0


def read_tool_results(messages: Sequence[Mapping[str, Any]]) -> ToolResults | None:
    """The answer to the trailing tool messages; None when the last message is not one."""
    results = _trailing_results(messages)
    if not results:
        return None
    calls = _calls_by_id(messages)
    parts: list[str] = []
    tokens = 0
    for result in results:
        call = calls.get(str(result.get("tool_call_id")), {})
        function = call.get("function") or {}
        name = result.get("name") or function.get("name") or "tool"
        if function.get("name") == WEB_SEARCH:
            usage = _echoed_search(result, call).get("usage")
            total = usage.get("total_tokens") if isinstance(usage, dict) else None
            tokens += total if isinstance(total, int) else 0
            parts.append(f"Searched the web for: {last_user_text(messages)}")
        else:
            parts.append(f"Tool {name} said: {message_text(result)}")
    return ToolResults("; ".join(parts), tokens)


def check_tool_support(model: ModelInfo, tools: list[Any] | None) -> None:
    """Models without tools (kimi-thinking-preview) or without web search refuse them."""
    if not tools:
        return
    if model.family == "kimi-thinking":
        raise invalid(f"tools are not supported by model {model.id}")
    if WEB_SEARCH in _declared(tools) and model.id.endswith("vision-preview"):
        raise invalid(f"$web_search is not supported by model {model.id}")
