"""``tool_from_function``: JSON schemas from type hints, descriptions from docstrings."""

from __future__ import annotations

import enum
from typing import Any, Literal, Optional

import pytest

from onesdk import InvokeBadRequestError, Message, Tool, run_tool_calls, tool_from_function
from onesdk.accumulate import ChunkAccumulator
from onesdk.types import ChatChunk


def parameters(function: Any) -> dict[str, Any]:
    return dict(tool_from_function(function)["function"]["parameters"])


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


def test_scalar_hints_map_to_json_types() -> None:
    def f(a: str, b: int, c: float, d: bool) -> None: ...

    assert parameters(f)["properties"] == {
        "a": {"type": "string"},
        "b": {"type": "integer"},
        "c": {"type": "number"},
        "d": {"type": "boolean"},
    }


def test_parameters_with_defaults_are_optional() -> None:
    def f(a: str, b: int = 1, c: Optional[str] = None, d: int | None = None) -> None: ...  # noqa: UP045

    schema = parameters(f)
    assert schema["required"] == ["a"]
    assert schema["properties"]["c"] == {"type": "string"}
    assert schema["properties"]["d"] == {"type": "integer"}


def test_no_required_parameters_leaves_required_out() -> None:
    def f(a: str = "x") -> None: ...

    assert "required" not in parameters(f)


def test_containers_literals_and_enums() -> None:
    def f(
        tags: list[str],
        table: dict[str, int],
        mode: Literal["fast", "slow"],
        color: Color,
        mixed: int | str,
        level: Level,
    ) -> None: ...

    props = parameters(f)["properties"]
    assert props["tags"] == {"type": "array", "items": {"type": "string"}}
    assert props["table"] == {"type": "object"}
    assert props["mode"] == {"enum": ["fast", "slow"], "type": "string"}
    assert props["color"] == {"enum": ["red", "blue"], "type": "string"}
    assert props["mixed"] == {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    assert props["level"] == {"enum": [1, 2], "type": "integer"}


def test_unannotated_parameters_are_strings_and_varargs_are_skipped() -> None:
    def f(a, *args, **kwargs):  # type: ignore[no-untyped-def]
        return a

    assert parameters(f) == {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
    }


def test_an_unsupported_hint_is_a_bad_request() -> None:
    def f(a: complex) -> None: ...

    with pytest.raises(InvokeBadRequestError, match="parameter 'a'"):
        tool_from_function(f)


def test_google_docstring() -> None:
    def f(city: str, days: int) -> str:
        """Forecast for a city.

        More detail here.

        Args:
            city: The city,
                e.g. Paris.
            days (int): How many days.

        Returns:
            The forecast.
        """
        return city

    tool = tool_from_function(f)
    assert tool["function"]["description"] == "Forecast for a city. More detail here."
    props = tool["function"]["parameters"]["properties"]
    assert props["city"]["description"] == "The city, e.g. Paris."
    assert props["days"]["description"] == "How many days."


def test_numpy_and_rest_docstrings() -> None:
    def numpy_style(a: int) -> None:
        """Numpy.

        Parameters
        ----------
        a : int
            The a.
        """

    def rest_style(a: int) -> None:
        """Rest.

        :param a: The a.
        :returns: nothing.
        """

    for function in (numpy_style, rest_style):
        assert parameters(function)["properties"]["a"]["description"] == "The a."


def test_a_tool_is_the_definition_dict_with_a_name_and_a_runner() -> None:
    def add(a: int, b: int) -> int:
        return a + b

    tool = tool_from_function(add, name="plus")
    assert isinstance(tool, dict)
    assert tool.name == "plus"
    assert tool.run is not None
    assert tool.run('{"a": 1, "b": 2}') == 3
    assert "not valid JSON" in tool.run("{")
    assert tool.run("[1]") == "error: the arguments must be a JSON object"


def test_a_tool_needs_a_function_name() -> None:
    with pytest.raises(InvokeBadRequestError, match="name"):
        Tool({"type": "function"})


def test_run_tool_calls_turns_results_into_tool_messages() -> None:
    def info(key: str) -> dict[str, str]:
        return {"key": key, "value": "数据"}

    message = Message(
        role="assistant",
        tool_calls=[{"id": "info:0", "function": {"name": "info", "arguments": '{"key": "k"}'}}],
    )
    assert run_tool_calls(message, [info]) == [
        {
            "role": "tool",
            "tool_call_id": "info:0",
            "name": "info",
            "content": '{"key": "k", "value": "数据"}',
        }
    ]


def test_accumulated_response_keeps_the_prefill_of_its_chunks() -> None:
    chunk = ChatChunk.model_validate(
        {"id": "c", "choices": [{"index": 0, "delta": {"content": " more"}}]}
    )
    chunk._prefill = "Once"
    accumulator = ChunkAccumulator()
    accumulator.add(chunk)
    response = accumulator.response()
    assert (response.prefill, response.text, response.full_text) == ("Once", " more", "Once more")
