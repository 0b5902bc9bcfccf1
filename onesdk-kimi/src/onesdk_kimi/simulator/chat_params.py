"""Validation of a chat-completions request body into typed `ChatParams`.

Checks run in a fixed order before anything is generated, each raising Kimi's error body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ApiError, bad_request, invalid, not_found
from .http_types import Request
from .message_rules import check_messages, check_tools
from .models import ModelInfo, find_model
from .tool_use import check_tool_choice, check_tool_support

MAX_N = 5
MAX_STOP = 5
MAX_STOP_BYTES = 32
MIN_MULTI_CHOICE_TEMPERATURE = 0.01
RESPONSE_FORMATS = ("text", "json_object", "json_schema")


@dataclass
class ChatParams:
    """A validated chat request."""

    model: ModelInfo
    messages: list[dict[str, Any]]
    tools: list[Any] | None
    n: int = 1
    temperature: float = 0.0
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    stream: bool = False
    include_usage: bool = False
    response_format: str = "text"
    prompt_cache_key: str | None = None
    thinking: bool = False
    tool_choice: Any = None


def json_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400."""
    if request.json_error is not None or not request.body:
        detail = request.json_error or "empty body"
        raise invalid(f"the request body is not valid JSON: {detail}")
    if not isinstance(request.json, dict):
        raise invalid("the request body must be a JSON object")
    return request.json


def check_model(body: dict[str, Any]) -> ModelInfo:
    """The requested chat model, or 400 (missing) / 404 (unknown)."""
    model_id = body.get("model")
    if model_id is None or model_id == "":
        raise invalid("model is required")
    if not isinstance(model_id, str):
        raise invalid("model must be a string")
    model = find_model(model_id)
    if model is None:
        raise not_found(f"Not found the model {model_id} or Permission denied")
    return model


def _number(body: dict[str, Any], key: str, low: float, high: float) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(f"{key} must be a number")
    if not low <= value <= high:
        raise invalid(f"{key} must be in [{low:g}, {high:g}], got {value}")
    return float(value)


def _integer(body: dict[str, Any], key: str, low: int, high: int | None = None) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"{key} must be an integer")
    if value < low or (high is not None and value > high):
        bounds = f"[{low}, {high}]" if high is not None else f">= {low}"
        raise invalid(f"{key} must be {'in ' if high is not None else ''}{bounds}, got {value}")
    return value


def _thinking(body: dict[str, Any], model: ModelInfo) -> bool:
    value = body.get("thinking")
    if value is not None:
        kind = value.get("type") if isinstance(value, dict) else None
        if kind not in ("enabled", "disabled"):
            raise invalid("thinking.type must be 'enabled' or 'disabled'")
        if model.thinking_toggle:
            return bool(kind == "enabled")
    return model.supports_reasoning


def _temperature(body: dict[str, Any], model: ModelInfo, thinking: bool) -> float:
    value = _number(body, "temperature", 0.0, 1.0)
    if not model.thinking_toggle:
        return model.default_temperature if value is None else value
    # K2.5 / K2.6 sampling is fixed: 1.0 with thinking, 0.6 without; any other value is a 400.
    fixed = 1.0 if thinking else 0.6
    if value is not None and value != fixed:
        raise bad_request(f"invalid temperature: only {fixed:g} is allowed for this model")
    return fixed


def _stop(body: dict[str, Any]) -> tuple[str, ...]:
    value = body.get("stop")
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise invalid("stop must be a string or a list of strings")
    if len(items) > MAX_STOP:
        raise invalid(f"stop must contain at most {MAX_STOP} strings, got {len(items)}")
    for item in items:
        if len(item.encode("utf-8")) > MAX_STOP_BYTES:
            raise invalid(f"each stop string must be at most {MAX_STOP_BYTES} bytes: {item!r}")
    return tuple(item for item in items if item)


def _stream_flags(body: dict[str, Any]) -> tuple[bool, bool]:
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise invalid("stream must be a boolean")
    options = body.get("stream_options")
    if options is None:
        return bool(stream), False
    if not isinstance(options, dict):
        raise invalid("stream_options must be an object")
    include = options.get("include_usage")
    if include is not None and not isinstance(include, bool):
        raise invalid("stream_options.include_usage must be a boolean")
    return bool(stream), bool(include)


def _response_format(body: dict[str, Any]) -> str:
    value = body.get("response_format")
    if value is None:
        return "text"
    kind = value.get("type") if isinstance(value, dict) else None
    if kind not in RESPONSE_FORMATS:
        raise invalid(f"response_format.type must be one of {', '.join(RESPONSE_FORMATS)}")
    if kind == "json_schema" and not isinstance(value.get("json_schema"), dict):
        raise invalid("response_format.json_schema must be an object")
    return str(kind)


def check_chat(body: dict[str, Any]) -> ChatParams:
    """Validate a chat body; raises ApiError on the first problem found."""
    model = check_model(body)
    thinking = _thinking(body, model)
    messages = check_messages(body.get("messages"), model, thinking=thinking)
    temperature = _temperature(body, model, thinking)
    _number(body, "top_p", 0.0, 1.0)
    n = _integer(body, "n", 1, MAX_N) or 1
    if n > 1 and temperature < MIN_MULTI_CHOICE_TEMPERATURE:
        raise invalid(
            f"n must be 1 when temperature is below {MIN_MULTI_CHOICE_TEMPERATURE} "
            f"(got n={n}, temperature={temperature:g})"
        )
    _number(body, "presence_penalty", -2.0, 2.0)
    _number(body, "frequency_penalty", -2.0, 2.0)
    max_tokens = _integer(body, "max_completion_tokens", 1)
    legacy_max = _integer(body, "max_tokens", 1)
    stop = _stop(body)
    tools = check_tools(body.get("tools"))
    check_tool_support(model, tools)
    tool_choice = check_tool_choice(body.get("tool_choice"), tools, thinking)
    stream, include_usage = _stream_flags(body)
    cache_key = body.get("prompt_cache_key")
    if cache_key is not None and not isinstance(cache_key, str):
        raise invalid("prompt_cache_key must be a string")
    return ChatParams(
        model=model,
        messages=messages,
        tools=tools,
        n=n,
        temperature=temperature,
        # The 2026 name wins when a client sends both.
        max_tokens=max_tokens if max_tokens is not None else legacy_max,
        stop=stop,
        stream=stream,
        include_usage=include_usage,
        response_format=_response_format(body),
        prompt_cache_key=cache_key or None,
        thinking=thinking,
        tool_choice=tool_choice,
    )


def context_limit_error(model: ModelInfo, requested: int) -> ApiError:
    """The 400 Kimi returns when prompt + max_tokens exceeds the window."""
    return invalid(
        f"Your request exceeded model token limit: {model.context_length} (requested: {requested})"
    )
