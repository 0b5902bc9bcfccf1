"""Tool calling for plain Python functions: JSON schemas from type hints, and the call loop.

``run_tools`` asks, runs the functions the model calls, replies, and returns the final answer.
"""

from __future__ import annotations

import enum
import inspect
import json
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Union

from .errors import InvokeBadRequestError
from .types import ChatResponse, Message, ToolCall

if TYPE_CHECKING:
    from .client import AsyncOneSDK, OneSDK

__all__ = ["Tool", "arun_tools", "run_tool_calls", "run_tools", "tool_from_function"]

#: Runs one call: the raw JSON ``arguments`` in, the tool message content (or awaitable) out.
ToolRunner = Callable[[str], Any]

_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_SECTION = re.compile(
    r"^(Args|Arguments|Parameters|Params|Returns?|Yields?|Raises|Examples?|Notes?)\s*:?\s*$"
)
_REST_PARAM = re.compile(r"^:param\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$")


class Tool(dict[str, Any]):
    """A tool definition in OpenAI function format that also knows how to run a call.

    It is the definition dict itself, so ``generate(..., tools=[tool])`` sends it as is;
    ``run`` turns a call's raw JSON arguments into the tool message content.
    """

    def __init__(self, definition: Mapping[str, Any], run: ToolRunner | None = None) -> None:
        super().__init__(definition)
        function = self.get("function")
        if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
            raise InvokeBadRequestError(
                "a tool needs {'type': ..., 'function': {'name': ...}}, got "
                f"{dict(definition)!r:.120}"
            )
        self.run = run

    @property
    def name(self) -> str:
        """The function name the model calls it by."""
        return str(self["function"]["name"])

    def __repr__(self) -> str:
        return f"Tool({dict(self)!r})"


# --- schemas from type hints ----------------------------------------------------------------


def _enum(values: list[Any]) -> dict[str, Any]:
    kinds = {_SCALARS.get(type(value), "string") for value in values}
    schema: dict[str, Any] = {"enum": values}
    if len(kinds) == 1:
        schema["type"] = kinds.pop()
    return schema


def _schema(hint: Any, where: str) -> dict[str, Any]:
    if hint is inspect.Parameter.empty or hint is Any:
        return {"type": "string"}  # Kimi rejects properties without a type
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum([member.value for member in hint])
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is Literal:
        return _enum(list(args))
    if origin in (Union, types.UnionType):
        rest = [arg for arg in args if arg is not type(None)]
        if len(rest) == 1:
            return _schema(rest[0], where)
        return {"anyOf": [_schema(arg, where) for arg in rest]}
    if hint in (list, tuple, set, frozenset) or origin in (list, tuple, set, frozenset, Sequence):
        items = args[0] if args and args[0] is not Ellipsis else Any
        return {"type": "array", "items": _schema(items, where)}
    if hint is dict or origin in (dict, Mapping):
        return {"type": "object"}
    raise InvokeBadRequestError(
        f"cannot describe {where} of type {hint!r} in JSON schema; use str, int, float, bool, "
        "list, dict, Literal, an Enum or Optional of these"
    )


_PARAM_SECTIONS = ("args", "arguments", "parameters", "params")


def _doc_sections(doc: str) -> tuple[str, dict[str, str]]:
    """The summary (text before the first section) and per-parameter descriptions.

    Reads Google (``Args:``), NumPy (``Parameters`` + dashes) and reST (``:param x:``) styles.
    """
    lines = doc.splitlines()
    summary: list[str] = []
    params: dict[str, str] = {}
    section: str | None = None
    numpy, base, current = False, -1, ""
    for index, raw in enumerate(lines):
        line, indent = raw.strip(), len(raw) - len(raw.lstrip())
        rest = _REST_PARAM.match(line)
        header = _SECTION.match(line) if indent == 0 else None
        if rest:
            section, current = "rest", rest.group(1)
            params[current] = rest.group(2)
        elif line.startswith(":"):
            section, current = "rest", ""  # :returns:, :raises: ... end a :param: text
        elif header:
            following = lines[index + 1].strip() if index + 1 < len(lines) else ""
            section, current, base = header.group(1).lower(), "", -1
            numpy = bool(following) and set(following) <= {"-"}
        elif section is None:
            summary.append(line)
        elif not line or set(line) <= {"-"}:
            continue
        elif section == "rest" or (section in _PARAM_SECTIONS and indent > base >= 0):
            if current:
                params[current] = f"{params[current]} {line}".strip()
        elif section in _PARAM_SECTIONS:
            base = indent
            name, _, description = line.partition(":")
            current = name.split("(")[0].strip().lstrip("*")
            params[current] = "" if numpy else description.strip()
    text = " ".join(" ".join(summary).split())
    return text, {name: desc for name, desc in params.items() if desc}


def tool_from_function(function: Callable[..., Any], *, name: str | None = None) -> Tool:
    """A ``Tool`` for ``function``: its name, docstring summary and a JSON schema of its
    parameters from the type hints (parameters without a default are required).

    Parameter descriptions come from a Google-style ``Args:`` section or ``:param x:`` lines.
    """
    if not callable(function):
        raise InvokeBadRequestError(f"a tool must be a callable, got {function!r:.80}")
    tool_name = name or getattr(function, "__name__", "")
    try:
        signature = inspect.signature(function)
        hints = typing.get_type_hints(function)
    except (TypeError, ValueError, NameError) as exc:
        raise InvokeBadRequestError(f"cannot read the signature of {tool_name!r}: {exc}") from None
    summary, described = _doc_sections(inspect.getdoc(function) or "")
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        schema = _schema(hints.get(param.name, param.annotation), f"parameter {param.name!r}")
        if param.name in described:
            schema["description"] = described[param.name]
        properties[param.name] = schema
        if param.default is param.empty:
            required.append(param.name)
    parameters: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        parameters["required"] = required
    definition: dict[str, Any] = {"name": tool_name}
    if summary:
        definition["description"] = summary
    definition["parameters"] = parameters
    return Tool({"type": "function", "function": definition}, _runner(function, signature))


def _runner(function: Callable[..., Any], signature: inspect.Signature) -> ToolRunner:
    def run(arguments: str) -> Any:
        try:
            kwargs = json.loads(arguments) if arguments.strip() else {}
        except ValueError as exc:
            return f"error: the arguments are not valid JSON ({exc})"
        if not isinstance(kwargs, dict):
            return "error: the arguments must be a JSON object"
        try:
            signature.bind(**kwargs)
        except TypeError as exc:
            return f"error: {exc}"
        return function(**kwargs)

    return run


def as_content(result: Any) -> str:
    """A tool's return value as tool message content: strings as they are, the rest as JSON."""
    if isinstance(result, str):
        return result
    return json.dumps(result, ensure_ascii=False, default=str)


# --- the call loop --------------------------------------------------------------------------


def _as_tools(tools: Iterable[Callable[..., Any] | Mapping[str, Any]]) -> dict[str, Tool]:
    table: dict[str, Tool] = {}
    for item in tools:
        if isinstance(item, Tool):
            tool = item
        elif isinstance(item, Mapping):
            tool = Tool(item)
        else:
            tool = tool_from_function(item)
        if tool.run is None:
            raise InvokeBadRequestError(
                f"tool {tool.name!r} has nothing to run; pass a function, or "
                "onesdk.Tool(definition, run) (e.g. onesdk_kimi.web_search_tool())"
            )
        table[tool.name] = tool
    if not table:
        raise InvokeBadRequestError("run_tools needs at least one tool")
    return table


def _check_loop(max_rounds: Any, params: Mapping[str, Any]) -> None:
    if isinstance(max_rounds, bool) or not isinstance(max_rounds, int) or max_rounds < 1:
        raise InvokeBadRequestError(f"max_rounds must be an int >= 1, got {max_rounds!r}")
    if "stream" in params:
        raise InvokeBadRequestError("run_tools does not stream; leave stream= out")


def _result_message(call: ToolCall, content: str) -> dict[str, Any]:
    return {
        "role": "tool",
        "tool_call_id": call.id,
        "name": call.function.name,
        "content": content,
    }


def _start(call: ToolCall, table: Mapping[str, Tool]) -> Any:
    """What running ``call`` returns: a value, or an awaitable for async tools."""
    tool = table.get(call.function.name)
    if tool is None or tool.run is None:
        return f"error: there is no tool named {call.function.name!r}"
    return tool.run(call.function.arguments)


def run_tool_calls(
    message: Message, tools: Iterable[Callable[..., Any] | Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Run the calls ``message`` asks for; the ``role: tool`` messages to send back.

    For your own loop: append ``message`` and then these to the conversation.
    """
    return _run_calls(message, _as_tools(tools))


def _run_calls(message: Message, table: Mapping[str, Tool]) -> list[dict[str, Any]]:
    replies = []
    for call in message.tool_calls or []:
        result = _start(call, table)
        if inspect.isawaitable(result):
            close = getattr(result, "close", None)
            if close is not None:
                close()  # never started: no "never awaited" warning
            raise InvokeBadRequestError(
                f"tool {call.function.name!r} is async; use onesdk.tools.arun_tools"
            )
        replies.append(_result_message(call, as_content(result)))
    return replies


def run_tools(
    sdk: OneSDK,
    model: str | None,
    messages: Sequence[Any],
    tools: Iterable[Callable[..., Any] | Mapping[str, Any]],
    *,
    max_rounds: int = 8,
    **params: Any,
) -> ChatResponse:
    """Chat until the model answers without calling a tool; the final response.

    Each round sends the conversation with ``tools``, appends the assistant message as
    returned (tool calls and ``reasoning_content`` included) and one tool message per call.
    After ``max_rounds`` rounds of calls the model is asked once more with
    ``tool_choice="none"``, so it must answer. ``messages`` itself is not changed.
    """
    _check_loop(max_rounds, params)
    table = _as_tools(tools)
    conversation = list(messages)
    definitions = list(table.values())
    for _ in range(max_rounds):
        response = sdk.generate(model, conversation, tools=definitions, **params)
        if not response.message.tool_calls:
            return response
        conversation.append(response.message)
        conversation.extend(_run_calls(response.message, table))
    final = {**params, "tool_choice": "none"}
    return sdk.generate(model, conversation, tools=definitions, **final)


async def arun_tools(
    sdk: AsyncOneSDK,
    model: str | None,
    messages: Sequence[Any],
    tools: Iterable[Callable[..., Any] | Mapping[str, Any]],
    *,
    max_rounds: int = 8,
    **params: Any,
) -> ChatResponse:
    """``run_tools`` for ``AsyncOneSDK``; tools may be ``async def`` functions."""
    _check_loop(max_rounds, params)
    table = _as_tools(tools)
    conversation = list(messages)
    definitions = list(table.values())
    for _ in range(max_rounds):
        response = await sdk.generate(model, conversation, tools=definitions, **params)
        if not response.message.tool_calls:
            return response
        conversation.append(response.message)
        for call in response.message.tool_calls:
            result = _start(call, table)
            if inspect.isawaitable(result):
                result = await result
            conversation.append(_result_message(call, as_content(result)))
    final = {**params, "tool_choice": "none"}
    return await sdk.generate(model, conversation, tools=definitions, **final)
