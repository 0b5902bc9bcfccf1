"""Hostile replies: Kimi's response parsers meet random bytes and random JSON shapes.

Whatever a server sends, a parser returns a value or an InvokeError comes out; nothing else.
The parsers are reached through the calls the transport runs (``Call.parse``,
``StreamCall.parse_event``, ``parse_error``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onesdk.errors import InvokeError
from onesdk.provider import ProviderSettings, Response
from onesdk.sse import SSEEvent
from onesdk.types import Message
from onesdk_kimi.provider import KimiProvider

PROVIDER = KimiProvider(ProviderSettings("https://api.moonshot.cn/v1"))
MESSAGES = [Message(role="user", content="hi")]

KEYS = [
    "id",
    "object",
    "created",
    "model",
    "choices",
    "index",
    "message",
    "delta",
    "role",
    "content",
    "reasoning_content",
    "tool_calls",
    "function",
    "arguments",
    "name",
    "type",
    "finish_reason",
    "usage",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cached_tokens",
    "error",
    "code",
    "param",
    "data",
    "status",
    "tokens",
    "expired_at",
    "metadata",
    "available_balance",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["assistant", "stop", "[DONE]", "rate_limit_reached_error", "chat.completion"]),
)
KEY_NAMES = st.one_of(st.sampled_from(KEYS), st.text(max_size=8))


def json_values(depth: int) -> st.SearchStrategy[Any]:
    """JSON values nested at most ``depth`` deep (explicit levels, not st.recursive)."""
    if depth == 0:
        return SCALARS
    inner = json_values(depth - 1)
    return st.one_of(
        SCALARS,
        st.lists(inner, max_size=3),
        st.dictionaries(KEY_NAMES, inner, max_size=4),
    )


JSON = json_values(3)
BODIES = st.one_of(
    st.binary(max_size=200),
    JSON.map(lambda value: json.dumps(value).encode()),
    JSON.map(lambda value: json.dumps({"choices": [value], "usage": value}).encode()),
    JSON.map(lambda value: json.dumps({"error": value}).encode()),
    JSON.map(lambda value: json.dumps({"data": value}).encode()),
)
HEADERS = st.dictionaries(
    st.sampled_from(["retry-after", "retry-after-ms", "content-type", "msh-request-id"]),
    st.text(max_size=30),
    max_size=3,
)
FUZZ = settings(max_examples=100, deadline=None, database=None)

PARSERS: dict[str, Callable[[Response], Any]] = {
    "generate": PROVIDER.generate("kimi-k2-turbo-preview", MESSAGES, {}).parse,
    "count_tokens": PROVIDER.count_tokens("kimi-k2-turbo-preview", MESSAGES).parse,
    "list_models": PROVIDER.list_models().parse,
    "get_cache": PROVIDER.get_cache("cache-1").parse,
    "list_caches": PROVIDER.list_caches().parse,
    "get_balance": PROVIDER.get_balance().parse,
}
PARSE_EVENT = PROVIDER.stream_generate("kimi-k2-turbo-preview", MESSAGES, {}).parse_event


def only_invoke_errors(parse: Callable[[Any], Any], value: Any) -> None:
    with contextlib.suppress(InvokeError):  # any other exception fails the test
        parse(value)


@pytest.mark.parametrize("operation", sorted(PARSERS))
@FUZZ
@given(body=BODIES, status=st.sampled_from([200, 201, 206]), headers=HEADERS)
def test_success_parsers_raise_only_invoke_errors(
    operation: str, body: bytes, status: int, headers: dict[str, str]
) -> None:
    only_invoke_errors(PARSERS[operation], Response(status, headers, body, "req-1"))


@FUZZ
@given(data=st.one_of(st.text(max_size=200), JSON.map(json.dumps)))
def test_parse_event_raises_only_invoke_errors(data: str) -> None:
    only_invoke_errors(PARSE_EVENT, SSEEvent(data=data))


@FUZZ
@given(data=JSON)
def test_parse_event_on_chunk_like_json_raises_only_invoke_errors(data: Any) -> None:
    chunk = {"id": "c", "object": "chat.completion.chunk", "choices": [data], "usage": data}
    only_invoke_errors(PARSE_EVENT, SSEEvent(data=json.dumps(chunk)))


@settings(max_examples=300, deadline=None, database=None)
@given(body=BODIES, status=st.integers(min_value=100, max_value=599), headers=HEADERS)
def test_parse_error_always_gives_an_invoke_error(
    body: bytes, status: int, headers: dict[str, str]
) -> None:
    try:
        error = PROVIDER.parse_error(Response(status, headers, body, None))
    except InvokeError as raised:
        error = raised
    assert isinstance(error, InvokeError)
    assert isinstance(str(error), str)
    assert isinstance(error.retryable, bool)


NESTED = [b"[" * 100_000, b'{"a":' * 50_000, b'{"choices": ' + b"[" * 100_000]


@pytest.mark.parametrize("body", NESTED, ids=["list", "dict", "choices"])
@pytest.mark.parametrize("operation", sorted(PARSERS))
def test_deeply_nested_json_is_an_invoke_error_not_a_recursion_error(
    operation: str, body: bytes
) -> None:
    with pytest.raises(InvokeError):
        PARSERS[operation](Response(200, {}, body, None))


@pytest.mark.parametrize("body", NESTED, ids=["list", "dict", "choices"])
def test_deeply_nested_error_bodies_and_events(body: bytes) -> None:
    assert isinstance(PROVIDER.parse_error(Response(500, {}, body, None)), InvokeError)
    with pytest.raises(InvokeError):
        PARSE_EVENT(SSEEvent(data=body.decode()))


@settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(junk=st.binary(min_size=1, max_size=64))
def test_non_utf8_bodies_are_invoke_errors(junk: bytes) -> None:
    body = b'{"choices": "' + junk + b'"}'
    for parse in PARSERS.values():
        only_invoke_errors(parse, Response(200, {}, body, None))
