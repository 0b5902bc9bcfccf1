"""Validation of chat `messages` and `tools`, with Kimi's 400 error texts.

Shared by chat completions, the token estimate endpoint and context-cache creation.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Mapping
from typing import Any

from .errors import invalid
from .models import ModelInfo

ROLES = ("system", "user", "assistant", "tool", "cache")
MAX_TOOLS = 128
TOOL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9\-_]{2,63}$")
_PART_TYPES = ("text", "image_url", "video_url")
_DATA_URL_RE = re.compile(r"^data:([\w.+-]+/[\w.+-]+);base64,(.*)$", re.S)


def check_messages(
    value: Any,
    model: ModelInfo | None,
    *,
    allow_cache: bool = True,
    allow_partial: bool = True,
    thinking: bool = False,
) -> list[dict[str, Any]]:
    """Validate a `messages` value and return it as a list of dicts.

    `model` (when given) gates image/video parts; `thinking` requires reasoning_content
    on assistant tool-call messages, as Kimi's thinking models do.
    """
    if value is None or value == []:
        raise invalid("messages must not be empty")
    if not isinstance(value, list):
        raise invalid("messages must be a list of message objects")
    roles = ROLES if allow_cache else ROLES[:-1]
    seen_call_ids: set[str] = set()
    for index, message in enumerate(value):
        if not isinstance(message, dict):
            raise invalid(f"the message at position {index} must be an object")
        role = message.get("role")
        if role is None:
            raise invalid(f"the message at position {index} has no role")
        if not isinstance(role, str) or role not in roles:
            raise invalid(
                f"the message at position {index} has an invalid role {role!r}, "
                f"must be one of {', '.join(roles)}"
            )
        _check_message(message, index, role, model, seen_call_ids, thinking)
        if message.get("partial") and not (
            allow_partial and role == "assistant" and index == len(value) - 1
        ):
            raise invalid("partial is only allowed on the last message, with role assistant")
    return value


def _check_message(
    message: Mapping[str, Any],
    index: int,
    role: str,
    model: ModelInfo | None,
    seen_call_ids: set[str],
    thinking: bool,
) -> None:
    content = message.get("content")
    empty = f"the message at position {index} with role '{role}' must not be empty"
    name = message.get("name")
    if name is not None and not isinstance(name, str):
        raise invalid(f"the message at position {index} has a non-string name")
    if role == "cache":
        if index != 0:
            raise invalid("the cache message must be the first message")
        if not isinstance(content, str) or not content:
            raise invalid(empty)
        return
    if content is not None and not isinstance(content, (str, list)):
        raise invalid(
            f"the message at position {index} has an invalid content type, "
            "expected a string or a list of content parts"
        )
    if isinstance(content, list):
        _check_parts(content, index, model)
    has_content = _has_content(content)
    if role == "assistant":
        tool_calls = message.get("tool_calls")
        if tool_calls is not None:
            _check_tool_calls(tool_calls, index, seen_call_ids)
            if tool_calls and thinking and not isinstance(message.get("reasoning_content"), str):
                raise invalid(
                    "thinking is enabled but reasoning_content is missing in assistant "
                    f"tool call message at index {index}"
                )
        if not has_content and not tool_calls:
            raise invalid(empty)
    elif role == "tool":
        call_id = message.get("tool_call_id")
        if not isinstance(call_id, str) or not call_id:
            raise invalid(f"the message at position {index} with role 'tool' has no tool_call_id")
        if call_id not in seen_call_ids:
            raise invalid(f"tool_call_id {call_id} is not found")
        if content is None:
            raise invalid(empty)
    elif not has_content:
        raise invalid(empty)


def _has_content(content: Any) -> bool:
    if isinstance(content, str):
        return content != ""
    if isinstance(content, list):
        return any(part.get("type") != "text" or part.get("text") for part in content)
    return False


def _check_parts(parts: list[Any], index: int, model: ModelInfo | None) -> None:
    for part in parts:
        if not isinstance(part, dict) or part.get("type") not in _PART_TYPES:
            raise invalid(
                f"the message at position {index} has an invalid content part, "
                f"type must be one of {', '.join(_PART_TYPES)}"
            )
        kind = part["type"]
        if kind == "text":
            if not isinstance(part.get("text"), str):
                raise invalid(f"the message at position {index} has a text part without text")
            continue
        media = part.get(kind)
        url = media.get("url") if isinstance(media, dict) else media
        if not isinstance(url, str) or not url:
            raise invalid(f"the message at position {index} has a {kind} part without url")
        medium = "image" if kind == "image_url" else "video"
        supported = model is None or (
            model.supports_image_in if medium == "image" else model.supports_video_in
        )
        if not supported:
            raise invalid(f"model {model.id if model else ''} does not support {medium} input")
        if url.startswith("data:") and data_url_bytes(url) is None:
            raise invalid(
                f"the message at position {index} has a {kind} part with a malformed data "
                "URL, expected data:<mime>;base64,<base64 data>"
            )


def _check_tool_calls(tool_calls: Any, index: int, seen_call_ids: set[str]) -> None:
    if not isinstance(tool_calls, list):
        raise invalid(f"the message at position {index} has tool_calls that is not a list")
    for call in tool_calls:
        function = call.get("function") if isinstance(call, dict) else None
        call_id = call.get("id") if isinstance(call, dict) else None
        if not isinstance(call_id, str) or not isinstance(function, dict):
            raise invalid(f"the message at position {index} has a malformed tool call")
        if not isinstance(function.get("name"), str):
            raise invalid(f"the message at position {index} has a tool call without a name")
        seen_call_ids.add(call_id)


def check_tools(value: Any) -> list[Any] | None:
    """Validate `tools`; None means absent or null (an empty list counts as set)."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid("tools must be a list")
    if len(value) > MAX_TOOLS:
        raise invalid(f"the number of tools must not exceed {MAX_TOOLS}, got {len(value)}")
    for position, tool in enumerate(value):
        kind = tool.get("type") if isinstance(tool, dict) else None
        function = tool.get("function") if isinstance(tool, dict) else None
        if kind not in ("function", "builtin_function") or not isinstance(function, dict):
            raise invalid(
                f"tools[{position}] must be an object with type 'function' or "
                "'builtin_function' and a function object"
            )
        name = function.get("name")
        if kind == "builtin_function":
            if not isinstance(name, str) or not name.startswith("$"):
                raise invalid(f"tools[{position}] has an unknown builtin function {name!r}")
            continue
        if not isinstance(name, str) or not TOOL_NAME_RE.match(name):
            raise invalid(
                f"tools[{position}].function.name {name!r} is invalid, it must match "
                f"{TOOL_NAME_RE.pattern}"
            )
        parameters = function.get("parameters")
        if parameters is not None and (
            not isinstance(parameters, dict) or parameters.get("type", "object") != "object"
        ):
            raise invalid(f"tools[{position}].function.parameters must be an object schema")
    return value


def tool_names(tools: list[Any] | None) -> set[str]:
    """Function names declared in a validated `tools` list."""
    return {tool["function"]["name"] for tool in tools or []}


def message_text(message: Mapping[str, Any]) -> str:
    """The text of a message: its string content or its text parts joined by newlines."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"]
            for part in content
            if isinstance(part, dict)
            and part.get("type") == "text"
            and isinstance(part.get("text"), str)
        )
    return ""


def data_url_bytes(url: str) -> tuple[str, int] | None:
    """(mime type, decoded size) of a base64 `data:` URL; None when it is malformed."""
    match = _DATA_URL_RE.match(url)
    if match is None:
        return None
    try:
        size = len(binascii.a2b_base64(match.group(2)))
    except binascii.Error:
        return None
    return match.group(1), size


def describe_media(message: Mapping[str, Any]) -> str:
    """Notes on a message's media: ' [image: <mime>, <n> bytes]' or ' [image: <url>]' each."""
    content = message.get("content")
    if not isinstance(content, list):
        return ""
    notes = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind not in ("image_url", "video_url"):
            continue
        media = part.get(kind)
        url = media.get("url") if isinstance(media, dict) else media
        if not isinstance(url, str):
            continue
        decoded = data_url_bytes(url) if url.startswith("data:") else None
        what = f"{decoded[0]}, {decoded[1]} bytes" if decoded is not None else url
        notes.append(f" [{kind.split('_')[0]}: {what}]")
    return "".join(notes)
