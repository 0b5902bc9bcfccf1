"""Kimi's chat parameters and their documented ranges, checked before any network call.

Sources: kimi-api.md §2.1. A value out of range is an ``InvokeBadRequestError`` naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from onesdk.errors import InvokeBadRequestError
from onesdk.openai_compat import OPENAI_CHAT_PARAMS

__all__ = ["KIMI_CHAT_PARAMS", "SDK_CHAT_PARAMS", "check_kimi_params"]

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


def _tools(name: str, value: Any) -> None:
    if not isinstance(value, list):
        raise _fail(name, type(value).__name__, "must be a list of tool definitions")
    if len(value) > 128:
        raise _fail(name, f"<{len(value)} tools>", "at most 128 tools")
    for i, tool in enumerate(value):
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if (
            not isinstance(tool, Mapping)
            or tool.get("type") not in ("function", "builtin_function")
            or not isinstance(function, Mapping)
            or not isinstance(function.get("name"), str)
        ):
            raise _fail(
                f"{name}[{i}]",
                tool,
                "each tool is {'type': 'function', 'function': {...}} "
                "or {'type': 'builtin_function', 'function': {'name': '$web_search'}}",
            )


def _response_format(name: str, value: Any) -> None:
    kinds = ("text", "json_object", "json_schema")
    if not isinstance(value, Mapping) or value.get("type") not in kinds:
        raise _fail(name, value, f"must be {{'type': one of {', '.join(kinds)}}}")


def _tool_choice(name: str, value: Any) -> None:
    if value is None or value in ("none", "auto", "required"):
        return
    if isinstance(value, Mapping) and value.get("type") == "function":
        return
    raise _fail(name, value, "must be 'auto', 'none', 'required' or a function choice")


def _mapping(name: str, value: Any) -> None:
    if not isinstance(value, Mapping):
        raise _fail(name, value, "must be a dict")


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
    "stream_options": _mapping,
    "thinking": _mapping,
    "prompt_cache_options": _mapping,
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
