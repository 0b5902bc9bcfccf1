"""Bad input is refused before any network call, with a message that says what is wrong.

The client points at 127.0.0.1:9, where nothing listens: if a check were missing, the call
would go out and fail with InvokeConnectionError instead of InvokeBadRequestError.
"""

from __future__ import annotations

import json
import pickle
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from onesdk import AsyncOneSDK, Message, OneSDK
from onesdk.errors import (
    InvokeBadRequestError,
    InvokeConnectionError,
    InvokeError,
    InvokeUnsupportedError,
)

MODEL = "kimi-k2-turbo-preview"
HI = [{"role": "user", "content": "Hi"}]

E1 = {
    "id": "chatcmpl-6970b5d02fa474c1767e8767",
    "object": "chat.completion",
    "created": 1768994256,
    "model": MODEL,
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hi Li Lei! 1+1 equals 2."},
            "finish_reason": "stop",
        }
    ],
    "usage": {
        "prompt_tokens": 19,
        "completion_tokens": 21,
        "total_tokens": 40,
        "cached_tokens": 10,
    },
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOONSHOT_API_KEY", raising=False)
    monkeypatch.delenv("MOONSHOT_BASE_URL", raising=False)


@pytest.fixture
def client() -> OneSDK:
    return OneSDK(
        "kimi", {"api_key": "sk-test", "base_url": "http://127.0.0.1:9", "max_retries": 0}
    )


class Recorder:
    """An in-memory Kimi: records each request body and answers with E1."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.http = httpx.Client(transport=httpx.MockTransport(self.handle))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        return httpx.Response(200, json=E1, headers={"msh-request-id": "rid-1"})

    def client(self, **config: Any) -> OneSDK:
        return OneSDK("kimi", {"api_key": "sk-test", "http_client": self.http, **config})


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    yield recorder
    recorder.http.close()


def wire(client: OneSDK, messages: list[Any], **params: Any) -> dict[str, Any]:
    """The JSON body the provider builds for a generate call (no I/O)."""
    prepared = [m if isinstance(m, Message) else Message.model_validate(m) for m in messages]
    body: dict[str, Any] = client.provider.generate(MODEL, prepared, params).request.json
    return body


def test_the_unreachable_client_really_fails_with_a_connection_error(client: OneSDK) -> None:
    # The premise of this module: a call that passes every check reaches the network.
    with pytest.raises(InvokeConnectionError):
        client.generate(MODEL, HI)


# --- messages ------------------------------------------------------------------------------


def test_empty_messages_are_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="messages is empty"):
        client.generate(MODEL, [])


def test_missing_messages_are_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="messages are required"):
        client.generate(MODEL)


def test_messages_as_a_string_are_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match=r"must be a list.*got str"):
        client.generate(MODEL, "Hi")


def test_messages_as_a_single_dict_are_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match=r"must be a list.*got dict"):
        client.generate(MODEL, {"role": "user", "content": "Hi"})


def test_a_message_without_role_is_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match=r"messages\[0\] has no 'role'"):
        client.generate(MODEL, [{"content": "Hi"}])


def test_a_message_with_an_unknown_role_is_refused_and_the_roles_listed(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match=r"messages\[1\] has role 'robot'") as caught:
        client.generate(MODEL, [*HI, {"role": "robot", "content": "beep"}])
    assert "assistant" in str(caught.value)
    assert "user" in str(caught.value)


def test_a_message_with_content_of_the_wrong_type_is_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match=r"messages\[0\]\.content"):
        client.generate(MODEL, [{"role": "user", "content": 42}])


def test_a_message_with_a_role_of_the_wrong_type_is_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match=r"messages\[0\]\.role"):
        client.generate(MODEL, [{"role": 1, "content": "Hi"}])


@pytest.mark.parametrize("content", ["", [], None], ids=repr)
def test_a_user_message_with_empty_content_is_refused(client: OneSDK, content: Any) -> None:
    with pytest.raises(InvokeBadRequestError, match="empty content"):
        client.generate(MODEL, [{"role": "user", "content": content}])


def test_a_system_message_with_empty_content_is_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match=r"messages\[0\] \(system\) has empty"):
        client.generate(MODEL, [{"role": "system", "content": ""}, *HI])


@pytest.mark.parametrize("item", ["Hi", 42, None, ("user", "Hi")], ids=repr)
def test_a_message_that_is_not_a_dict_is_refused(client: OneSDK, item: Any) -> None:
    with pytest.raises(InvokeBadRequestError, match=r"messages\[0\] must be a dict"):
        client.generate(MODEL, [item])


def test_the_error_names_the_index_of_the_bad_message(client: OneSDK) -> None:
    messages = [*HI, {"role": "assistant", "content": "Hello"}, {"content": "again"}]
    with pytest.raises(InvokeBadRequestError, match=r"messages\[2\]"):
        client.generate(MODEL, messages)


def test_stream_generate_checks_messages_too(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="messages is empty"):
        client.stream_generate(MODEL, [])


def test_count_tokens_checks_messages_too(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="must be a list"):
        client.count_tokens(MODEL, "Hi")


def test_message_objects_are_accepted(recorder: Recorder) -> None:
    recorder.client().generate(MODEL, [Message(role="user", content="Hi")])
    assert recorder.bodies[0]["messages"] == HI


def test_assistant_message_with_tool_calls_and_empty_content_is_accepted(
    recorder: Recorder,
) -> None:
    call = {"id": "search:0", "type": "function", "function": {"name": "search", "arguments": "{}"}}
    messages = [
        *HI,
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "search:0", "name": "search", "content": "found"},
    ]
    recorder.client().generate(MODEL, messages)
    assert recorder.bodies[0]["messages"][1]["tool_calls"][0]["id"] == "search:0"


def test_image_url_part_as_a_bare_string_is_accepted(recorder: Recorder) -> None:
    # kimi-api.md §2.2: in 2026 image_url may be a bare string, not only {"url": ...}.
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": "data:image/png;base64,iVBORw0KGgo="},
                {"type": "text", "text": "What is this?"},
            ],
        }
    ]
    recorder.client().generate(MODEL, messages)
    assert recorder.bodies[0]["messages"] == messages


def test_video_url_part_is_sent_unchanged(recorder: Recorder) -> None:
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "video_url", "video_url": {"url": "ms://cvk2bq7ne0ge5c2p0q3g"}},
                {"type": "text", "text": "Summarise"},
            ],
        }
    ]
    recorder.client().generate(MODEL, messages)
    assert recorder.bodies[0]["messages"] == messages


# --- parameters ----------------------------------------------------------------------------


def test_an_unknown_parameter_is_refused_by_name(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match=r"unknown parameter.*temprature") as caught:
        client.generate(MODEL, HI, temprature=0.3)
    assert "extra_body" in str(caught.value)


def test_openai_parameters_kimi_lacks_are_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="logprobs"):
        client.generate(MODEL, HI, logprobs=True)


# kimi-api.md §2.1: each documented range, one value just outside it.
OUT_OF_RANGE = {
    "temperature-above-1": {"temperature": 1.01},
    "temperature-negative": {"temperature": -0.1},
    "temperature-string": {"temperature": "0.3"},
    "temperature-bool": {"temperature": True},
    "top_p-above-1": {"top_p": 1.5},
    "top_p-negative": {"top_p": -0.01},
    "n-zero": {"n": 0},
    "n-above-5": {"n": 6},
    "n-float": {"n": 2.0},
    "presence_penalty-above-2": {"presence_penalty": 2.5},
    "presence_penalty-below-minus-2": {"presence_penalty": -2.01},
    "frequency_penalty-above-2": {"frequency_penalty": 3},
    "frequency_penalty-below-minus-2": {"frequency_penalty": -3},
    "stop-six-strings": {"stop": ["a", "b", "c", "d", "e", "f"]},
    "stop-33-bytes": {"stop": "x" * 33},
    "stop-33-bytes-in-11-chars": {"stop": ["停止词" * 3 + "停止"]},
    "stop-not-strings": {"stop": [1]},
    "stop-not-a-list": {"stop": {"a": 1}},
    "max_tokens-zero": {"max_tokens": 0},
    "max_tokens-negative": {"max_tokens": -1},
    "max_tokens-string": {"max_tokens": "100"},
    "max_completion_tokens-zero": {"max_completion_tokens": 0},
    "tools-129": {
        "tools": [
            {"type": "function", "function": {"name": f"tool_{i}", "parameters": {}}}
            for i in range(129)
        ]
    },
    "tools-not-a-list": {"tools": {"type": "function", "function": {"name": "x"}}},
    "tools-item-without-type": {"tools": [{"function": {"name": "get_weather"}}]},
    "tools-item-not-a-dict": {"tools": ["get_weather"]},
    "response_format-unknown-type": {"response_format": {"type": "yaml"}},
    "tool_choice-unknown": {"tool_choice": "always"},
    "n-2-with-temperature-0": {"n": 2, "temperature": 0},
}


@pytest.mark.parametrize("params", OUT_OF_RANGE.values(), ids=OUT_OF_RANGE.keys())
def test_a_value_outside_kimi_ranges_is_refused_naming_the_parameter(
    client: OneSDK, params: dict[str, Any]
) -> None:
    name = "temperature" if "temperature" in params else next(iter(params))
    with pytest.raises(InvokeBadRequestError, match=name):
        client.generate(MODEL, HI, **params)


def test_a_function_tool_without_its_function_object_is_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="tools"):
        client.generate(MODEL, HI, tools=[{"type": "function"}])


def test_n_above_one_with_near_zero_temperature_explains_why(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="n > 1"):
        client.generate(MODEL, HI, n=3, temperature=0.001)


AT_THE_EDGE = {
    "temperature-0": {"temperature": 0},
    "temperature-1": {"temperature": 1},
    "top_p-1": {"top_p": 1.0},
    "n-5": {"n": 5, "temperature": 0.3},
    "penalties-at-bounds": {"presence_penalty": -2, "frequency_penalty": 2},
    "five-stops-of-32-bytes": {"stop": ["a" * 32, "b" * 32, "c" * 32, "d" * 32, "e" * 32]},
    "stop-string": {"stop": "END"},
    "max_tokens-1": {"max_tokens": 1},
    "128-tools": {
        "tools": [
            {"type": "function", "function": {"name": f"tool_{i}", "parameters": {}}}
            for i in range(127)
        ]
        + [{"type": "builtin_function", "function": {"name": "$web_search"}}]
    },
    "json_object": {"response_format": {"type": "json_object"}},
    "tool_choice-auto": {"tool_choice": "auto"},
    "thinking": {"thinking": {"type": "disabled"}},
    "n-1-temperature-0": {"n": 1, "temperature": 0},
}


@pytest.mark.parametrize("params", AT_THE_EDGE.values(), ids=AT_THE_EDGE.keys())
def test_a_value_at_the_edge_of_kimi_ranges_is_sent(
    recorder: Recorder, params: dict[str, Any]
) -> None:
    recorder.client().generate(MODEL, HI, **params)
    body = recorder.bodies[0]
    for name, value in params.items():
        assert body[name] == value


def test_parameters_go_into_the_request_body() -> None:
    body = wire(OneSDK("kimi", {"api_key": "sk-test"}), HI, temperature=0.3, max_tokens=100)
    assert body == {"model": MODEL, "messages": HI, "temperature": 0.3, "max_tokens": 100}


def test_a_non_stream_request_has_no_stream_field() -> None:
    assert "stream" not in wire(OneSDK("kimi", {"api_key": "sk-test"}), HI)


# --- the model -----------------------------------------------------------------------------


def test_no_model_and_no_default_model_is_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="no model given"):
        client.generate(messages=HI)


def test_a_model_that_is_not_a_string_is_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="model must be a model id string"):
        client.generate(42, HI)  # type: ignore[arg-type]


def test_generate_with_messages_only_uses_the_default_model(recorder: Recorder) -> None:
    recorder.client(model="moonshot-v1-8k").generate(messages=HI)
    assert recorder.bodies[0]["model"] == "moonshot-v1-8k"


def test_generate_with_messages_as_the_only_positional_uses_the_default_model(
    recorder: Recorder,
) -> None:
    recorder.client(model="moonshot-v1-8k").generate(HI)  # type: ignore[arg-type]
    assert recorder.bodies[0]["model"] == "moonshot-v1-8k"


def test_an_explicit_model_wins_over_the_default(recorder: Recorder) -> None:
    recorder.client(model="moonshot-v1-8k").generate(MODEL, HI)
    assert recorder.bodies[0]["model"] == MODEL


def test_provider_generate_builds_the_chat_request() -> None:
    client = OneSDK("kimi", {"api_key": "sk-test"})
    call = client.provider.generate(MODEL, [Message(role="user", content="Hi")], {})
    assert call.request.method == "POST"
    assert call.request.path == "/chat/completions"
    assert call.request.json == {"model": MODEL, "messages": HI}


def test_set_model_changes_the_default_model(recorder: Recorder) -> None:
    client = recorder.client(model="moonshot-v1-8k")
    client.set_model("kimi-k2.6")
    client.generate(messages=HI)
    assert client.model == "kimi-k2.6"
    assert recorder.bodies[0]["model"] == "kimi-k2.6"


def test_set_model_refuses_an_empty_model(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="model"):
        client.set_model("")


def test_set_model_applies_to_calls_made_from_other_threads(client: OneSDK) -> None:
    # A client-wide default: a worker thread sharing the client sees it too.
    client.set_model("kimi-k2.6")
    seen: list[str | None] = []
    worker = threading.Thread(target=lambda: seen.append(client.model))
    worker.start()
    worker.join()
    assert seen == ["kimi-k2.6"]


def test_model_context_sets_the_model_inside_the_block(client: OneSDK) -> None:
    with client.model_context("kimi-k2.6"):
        assert client.model == "kimi-k2.6"


def test_model_context_restores_the_previous_model(recorder: Recorder) -> None:
    client = recorder.client(model="moonshot-v1-8k")
    with client.model_context("kimi-k2.6"):
        client.generate(messages=HI)
    client.generate(messages=HI)
    assert [body["model"] for body in recorder.bodies] == ["kimi-k2.6", "moonshot-v1-8k"]


def test_nested_model_contexts_restore_in_order(client: OneSDK) -> None:
    client.set_model("outer-default")
    with client.model_context("a"):
        with client.model_context("b"):
            assert client.model == "b"
        assert client.model == "a"
    assert client.model == "outer-default"


def test_model_context_restores_the_model_when_the_block_raises(client: OneSDK) -> None:
    with pytest.raises(RuntimeError), client.model_context("kimi-k2.6"):
        raise RuntimeError("boom")
    assert client.model is None


def test_model_context_without_a_previous_default_restores_none(client: OneSDK) -> None:
    with client.model_context("kimi-k2.6"):
        pass
    with pytest.raises(InvokeBadRequestError, match="no model given"):
        client.generate(messages=HI)


# --- context caches ------------------------------------------------------------------------


def test_context_id_puts_a_cache_message_first(recorder: Recorder) -> None:
    recorder.client().generate(
        "moonshot-v1-8k", HI, context_id="cache-essqmysd6h1111dauub1", reset_ttl=3600
    )
    messages = recorder.bodies[0]["messages"]
    assert messages[0] == {
        "role": "cache",
        "content": "cache_id=cache-essqmysd6h1111dauub1;reset_ttl=3600",
    }
    assert messages[1:] == HI


def test_context_id_without_reset_ttl_sends_only_the_cache_id() -> None:
    body = wire(OneSDK("kimi", {"api_key": "sk-test"}), HI, context_id="cache-abc")
    assert body["messages"][0] == {"role": "cache", "content": "cache_id=cache-abc"}


def test_cache_options_are_not_sent_as_body_fields(recorder: Recorder) -> None:
    recorder.client().generate(
        "moonshot-v1-8k", HI, context_id="cache-abc", reset_ttl=60, dry_run=True
    )
    body = recorder.bodies[0]
    assert not {"context_id", "reset_ttl", "dry_run", "cache_tag"} & set(body)
    assert body["messages"][0]["content"] == "cache_id=cache-abc;reset_ttl=60;dry_run=1"


def test_cache_tag_refers_to_a_cache_by_tag() -> None:
    body = wire(OneSDK("kimi", {"api_key": "sk-test"}), HI, cache_tag="my-tag", reset_ttl=3600)
    assert body["messages"][0] == {"role": "cache", "content": "tag=my-tag;reset_ttl=3600"}


def test_context_id_with_tools_is_refused(client: OneSDK) -> None:
    tools = [{"type": "function", "function": {"name": "search", "parameters": {}}}]
    with pytest.raises(InvokeBadRequestError, match="tools"):
        client.generate("moonshot-v1-8k", HI, context_id="cache-abc", tools=tools)


def test_context_id_with_an_empty_tools_list_is_refused(client: OneSDK) -> None:
    # kimi-api.md §5.4: tools must be absent or null; an empty array counts as set.
    with pytest.raises(InvokeBadRequestError, match="tools"):
        client.generate("moonshot-v1-8k", HI, context_id="cache-abc", tools=[])


def test_context_id_and_cache_tag_together_are_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="not both"):
        client.generate("moonshot-v1-8k", HI, context_id="cache-abc", cache_tag="t")


@pytest.mark.parametrize("ref", ["", "a;tag=b", "a=b", 42], ids=repr)
def test_a_malformed_context_id_is_refused(client: OneSDK, ref: Any) -> None:
    with pytest.raises(InvokeBadRequestError, match="context_id"):
        client.generate("moonshot-v1-8k", HI, context_id=ref)


@pytest.mark.parametrize("ttl", [-1, 1.5, "3600", True], ids=repr)
def test_a_bad_reset_ttl_is_refused(client: OneSDK, ttl: Any) -> None:
    with pytest.raises(InvokeBadRequestError, match="reset_ttl"):
        client.generate("moonshot-v1-8k", HI, context_id="cache-abc", reset_ttl=ttl)


def test_reset_ttl_without_a_cache_is_refused(client: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="reset_ttl"):
        client.generate("moonshot-v1-8k", HI, reset_ttl=3600)


# --- per-call options ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "option",
    [{"timeout": "5"}, {"timeout": 0}, {"max_retries": -1}, {"extra_body": ["x"]}],
    ids=repr,
)
def test_a_bad_per_call_option_is_refused(client: OneSDK, option: dict[str, Any]) -> None:
    with pytest.raises(InvokeBadRequestError, match=next(iter(option))):
        client.generate(MODEL, HI, **option)


def test_extra_body_fields_are_merged_into_the_request(recorder: Recorder) -> None:
    recorder.client().generate(MODEL, HI, extra_body={"x_future_field": 1})
    assert recorder.bodies[0]["x_future_field"] == 1


# --- capabilities --------------------------------------------------------------------------


def test_an_operation_the_provider_lacks_is_unsupported(client: OneSDK) -> None:
    with pytest.raises(InvokeUnsupportedError) as caught:
        client.invoke("no_such_operation", MODEL)
    assert caught.value.provider == "kimi"
    assert "no_such_operation" in str(caught.value)
    assert "'kimi'" in str(caught.value)


def test_supports_reports_capabilities(client: OneSDK) -> None:
    assert client.supports("generate")
    assert client.supports("count_tokens")
    assert not client.supports("no_such_operation")


def test_invoke_of_a_chat_operation_checks_messages_like_the_method(client: OneSDK) -> None:
    # invoke() is public; it must not hand unchecked dicts to the provider.
    with pytest.raises(InvokeBadRequestError, match="empty content"):
        client.invoke("count_tokens", MODEL, [{"role": "user", "content": ""}])


def test_invoke_of_a_chat_operation_fails_only_with_invoke_errors(client: OneSDK) -> None:
    # Every failure a user can meet is an InvokeError: here the unreachable port.
    with pytest.raises(InvokeError):
        client.invoke("generate", MODEL, HI)


# --- the async client checks the same way --------------------------------------------------


@pytest.fixture
def aclient() -> AsyncOneSDK:
    return AsyncOneSDK(
        "kimi", {"api_key": "sk-test", "base_url": "http://127.0.0.1:9", "max_retries": 0}
    )


async def test_async_generate_refuses_empty_messages(aclient: AsyncOneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="messages is empty"):
        await aclient.generate(MODEL, [])


async def test_async_generate_refuses_an_out_of_range_parameter(aclient: AsyncOneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="temperature"):
        await aclient.generate(MODEL, HI, temperature=2)


def test_async_stream_generate_refuses_bad_input_when_called(aclient: AsyncOneSDK) -> None:
    # The check runs at the call, not at the first `async for` step.
    with pytest.raises(InvokeBadRequestError, match="no model given"):
        aclient.stream_generate(messages=HI)


async def test_async_invoke_of_a_missing_operation_is_unsupported(aclient: AsyncOneSDK) -> None:
    with pytest.raises(InvokeUnsupportedError, match="no_such_operation"):
        await aclient.invoke("no_such_operation")


def test_pickling_the_async_client_raises_type_error(aclient: AsyncOneSDK) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(aclient)
