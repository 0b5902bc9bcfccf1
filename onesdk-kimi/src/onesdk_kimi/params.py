"""Kimi's chat parameters and their documented ranges, checked before any network call.

Sources: kimi-api.md §2.1. A value out of range is an ``InvokeBadRequestError`` naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from onesdk.errors import InvokeBadRequestError
from onesdk.openai_compat import OPENAI_CHAT_PARAMS
from onesdk.types import Message

__all__ = ["KIMI_CHAT_PARAMS", "SDK_CHAT_PARAMS", "check_kimi_params", "check_kimi_request"]

#: Parameters the SDK consumes itself (context caching) and never sends as such.
SDK_CHAT_PARAMS = frozenset({"context_id", "cache_tag", "reset_ttl", "dry_run"})

KIMI_CHAT_PARAMS = (
    (OPENAI_CHAT_PARAMS - {"logprobs", "top_logprobs", "parallel_tool_calls", "seed"})
    | {
        "thinking",
        "reasoning_effort",
        "prompt_cache_key",
        "prompt_cache_options",
        "safety_identifier",
    }
    | SDK_CHAT_PARAMS
)


def _fail(name: str, value: Any, rule: str) -> InvokeBadRequestError:
    return InvokeBadRequestError(f"{name}={value!r} is invalid for Kimi: {rule}", provider="kimi")


def _number(lo: float, hi: float) -> Callable[[str, Any], None]:
    def check(name: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            raise _fail(name, value, f"must be a number from {lo:g} to {hi:g}")

    return check


def _integer(lo: int, hi: int | None = None) -> Callable[[str, Any], None]:
    def check(name: str, value: Any) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < lo
            or (hi is not None and value > hi)
        ):
            bound = f"from {lo} to {hi}" if hi is not None else f">= {lo}"
            raise _fail(name, value, f"must be an integer {bound}")

    return check


def _stop(name: str, value: Any) -> None:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
        raise _fail(name, value, "must be a string or a list of strings")
    if len(items) > 5:
        raise _fail(name, value, "at most 5 stop strings")
    for item in items:
        if len(item.encode()) > 32:
            raise _fail(name, value, f"each stop string at most 32 bytes ({item!r} is longer)")


_TOOL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9\-_]{2,63}$")
_TOOL_SHAPE = (
    "each tool is {'type': 'function', 'function': {'name': ..., 'parameters': {...}}} "
    "or {'type': 'builtin_function', 'function': {'name': '$web_search'}}"
)


def _tool(name: str, tool: Any) -> None:
    function = tool.get("function") if isinstance(tool, Mapping) else None
    kind = tool.get("type") if isinstance(tool, Mapping) else None
    if kind not in ("function", "builtin_function") or not isinstance(function, Mapping):
        raise _fail(name, tool, _TOOL_SHAPE)
    tool_name = function.get("name")
    if kind == "builtin_function":
        if not isinstance(tool_name, str) or not tool_name.startswith("$"):
            raise _fail(f"{name}.function.name", tool_name, "a builtin function starts with '$'")
        return
    if not isinstance(tool_name, str) or not _TOOL_NAME.match(tool_name):
        raise _fail(f"{name}.function.name", tool_name, f"must match {_TOOL_NAME.pattern}")
    parameters = function.get("parameters")
    if parameters is not None and (
        not isinstance(parameters, Mapping) or parameters.get("type", "object") != "object"
    ):
        raise _fail(f"{name}.function.parameters", parameters, "the root must be an object schema")


def _tools(name: str, value: Any) -> None:
    if not isinstance(value, list):
        raise _fail(name, type(value).__name__, "must be a list of tool definitions")
    if len(value) > 128:
        raise _fail(name, f"<{len(value)} tools>", "at most 128 tools")
    for i, tool in enumerate(value):
        _tool(f"{name}[{i}]", tool)


def _response_format(name: str, value: Any) -> None:
    kinds = ("text", "json_object", "json_schema")
    if not isinstance(value, Mapping) or value.get("type") not in kinds:
        raise _fail(name, value, f"must be {{'type': one of {', '.join(kinds)}}}")
    if value["type"] == "json_schema" and not isinstance(value.get("json_schema"), Mapping):
        raise _fail(name, value, "json_schema needs {'json_schema': {'name', 'schema'}}")


def _tool_choice(name: str, value: Any) -> None:
    if value is None or value in ("none", "auto", "required"):
        return
    function = value.get("function") if isinstance(value, Mapping) else None
    if (
        isinstance(value, Mapping)
        and value.get("type") == "function"
        and isinstance(function, Mapping)
        and isinstance(function.get("name"), str)
    ):
        return
    raise _fail(
        name,
        value,
        "must be 'auto', 'none', 'required' or {'type': 'function', 'function': {'name': ...}}",
    )


def _thinking(name: str, value: Any) -> None:
    if not isinstance(value, Mapping) or value.get("type") not in ("enabled", "disabled"):
        raise _fail(name, value, "must be {'type': 'enabled'} or {'type': 'disabled'}")


def _stream_options(name: str, value: Any) -> None:
    if not isinstance(value, Mapping):
        raise _fail(name, value, "must be a dict such as {'include_usage': True}")
    include = value.get("include_usage")
    if include is not None and not isinstance(include, bool):
        raise _fail(f"{name}.include_usage", include, "must be true or false")


def _mapping(name: str, value: Any) -> None:
    if not isinstance(value, Mapping):
        raise _fail(name, value, "must be a dict")


def _string(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise _fail(name, value, "must be a string")


_CHECKS: dict[str, Callable[[str, Any], None]] = {
    "temperature": _number(0, 1),
    "top_p": _number(0, 1),
    "presence_penalty": _number(-2, 2),
    "frequency_penalty": _number(-2, 2),
    "n": _integer(1, 5),
    "max_tokens": _integer(1),
    "max_completion_tokens": _integer(1),
    "stop": _stop,
    "tools": _tools,
    "response_format": _response_format,
    "tool_choice": _tool_choice,
    "stream_options": _stream_options,
    "thinking": _thinking,
    "prompt_cache_options": _mapping,
    "prompt_cache_key": _string,
    "safety_identifier": _string,
    "reasoning_effort": _string,
    "user": _string,
}


def check_kimi_params(params: Mapping[str, Any]) -> None:
    """Raise ``InvokeBadRequestError`` for the first parameter outside Kimi's rules."""
    for name, value in params.items():
        check = _CHECKS.get(name)
        if check is not None and value is not None:
            check(name, value)
    n = params.get("n") or 1
    temperature = params.get("temperature")
    if n > 1 and temperature is not None and temperature < 0.01:
        raise _fail(
            "temperature",
            temperature,
            "n > 1 needs a temperature of at least 0.01, or every choice is the same",
        )
    choice = params.get("tool_choice")
    if isinstance(choice, Mapping) and params.get("tools"):
        declared = {t["function"]["name"] for t in params.get("tools") or []}
        if choice["function"]["name"] not in declared:
            raise _fail("tool_choice", choice, "names a function that is not declared in tools")


def check_kimi_request(model: str, messages: Sequence[Message], params: Mapping[str, Any]) -> None:
    """Rules that depend on the model or the messages as well as the parameters."""
    n = params.get("n") or 1
    if n > 1 and params.get("temperature") is None and model.startswith("moonshot-v1"):
        raise _fail("n", n, "moonshot-v1 models default to temperature 0; set temperature too")
    thinking = _thinks(model, params)
    fixed = _FIXED_TEMPERATURE.get(model)
    temperature = params.get("temperature")
    if fixed is not None and temperature is not None:
        allowed = fixed[0] if thinking else fixed[1]
        if temperature != allowed:
            raise _fail("temperature", temperature, f"{model} allows only {allowed:g} in this mode")
    if params.get("tools") and model == "kimi-thinking-preview":
        raise _fail("tools", "<tools>", f"{model} does not support tools")
    if thinking and params.get("tool_choice") not in (None, "auto", "none"):
        raise _fail(
            "tool_choice", params["tool_choice"], "with thinking on only 'auto' or 'none' work"
        )
    partial = bool(messages) and bool(messages[-1].partial)
    response_format = params.get("response_format") or {}
    if partial and response_format.get("type") in ("json_object", "json_schema"):
        raise _fail(
            "response_format",
            response_format,
            "partial mode (a last assistant message with partial=True) cannot be combined "
            "with JSON mode",
        )


#: Models with fixed sampling: (temperature with thinking, temperature without).
_FIXED_TEMPERATURE = {"kimi-k2.5": (1.0, 0.6), "kimi-k2.6": (1.0, 0.6)}
#: Models that always think (kimi-api.md section 7).
_ALWAYS_THINKING = ("kimi-k2-thinking", "kimi-thinking-preview", "kimi-k2.7-code")


def _thinks(model: str, params: Mapping[str, Any]) -> bool:
    """Whether ``model`` reasons for this request (K2.5 / K2.6 think unless disabled)."""
    if model.startswith(_ALWAYS_THINKING):
        return True
    if model in _FIXED_TEMPERATURE:
        return (params.get("thinking") or {}).get("type") != "disabled"
    return False
