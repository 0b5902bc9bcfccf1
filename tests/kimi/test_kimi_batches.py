"""Kimi's batch calls on plain data: request shapes, input checks, result-line parsing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from onesdk import InvokeRateLimitError
from onesdk.errors import InvokeBadRequestError, InvokeContextLengthError, InvokeResponseError
from onesdk.provider import ProviderSettings, Request, Response
from onesdk_kimi.batches import check_completion_window
from onesdk_kimi.provider import KimiProvider

MODEL = "kimi-k2.5"
COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": MODEL,
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


@pytest.fixture
def kimi() -> KimiProvider:
    return KimiProvider(ProviderSettings("https://api.moonshot.cn/v1"))


def chat(model: str = MODEL, **params: Any) -> Request:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], **params}
    return Request("POST", "/chat/completions", json=body)


def reply(data: Any, status: int = 200) -> Response:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return Response(status, {}, raw, "req-1")


def test_batch_input_writes_one_line_per_request(kimi: KimiProvider) -> None:
    data = kimi.batch_input([("a", chat()), ("b", chat(max_tokens=5))])
    lines = [json.loads(line) for line in data.decode().splitlines()]
    assert lines == [
        {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": chat().json},
        {
            "custom_id": "b",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": chat(max_tokens=5).json,
        },
    ]
    assert data.endswith(b"\n")


@pytest.mark.parametrize(
    ("pairs", "match"),
    [
        ([], "at least one request"),
        ([("a", chat()), ("a", chat())], "duplicate custom_id 'a'"),
        ([("a", chat()), ("b", chat("kimi-k2.6"))], "'a' uses kimi-k2.5, 'b' uses kimi-k2.6"),
        ([("a", chat("moonshot-v1-8k"))], "kimi-k2.5 or kimi-k2.6"),
        ([("a", chat(n=1, top_p=0.5))], "top_p, n must not be set"),
        ([("a", chat(stream=True))], "cannot stream"),
        ([("a", Request("POST", "/embeddings", json={}))], "only run chat completions"),
        ([("", chat())], "custom_id must be a non-empty string"),
    ],
)
def test_batch_input_checks(kimi: KimiProvider, pairs: Any, match: str) -> None:
    with pytest.raises(InvokeBadRequestError, match=match):
        kimi.batch_input(pairs)


@pytest.mark.parametrize("window", ["12h", "24h", "1d", "3d", "7d", "168h"])
def test_completion_windows_from_12h_to_7d(window: str) -> None:
    assert check_completion_window(window) == window


@pytest.mark.parametrize("window", ["11h", "8d", "169h", "0d", "24", "24 h", 24, None, "1w"])
def test_bad_completion_windows(window: Any) -> None:
    with pytest.raises(InvokeBadRequestError, match="completion_window"):
        check_completion_window(window)


def test_calls_have_kimi_paths_and_bodies(kimi: KimiProvider) -> None:
    create = kimi.create_batch("file-1", completion_window="3d", metadata={"k": "v"})
    assert create.request == Request(
        "POST",
        "/batches",
        json={
            "input_file_id": "file-1",
            "endpoint": "/v1/chat/completions",
            "completion_window": "3d",
            "metadata": {"k": "v"},
        },
    )
    assert kimi.get_batch("b1").request == Request("GET", "/batches/b1")
    assert kimi.cancel_batch("b1").request == Request("POST", "/batches/b1/cancel")
    assert kimi.list_batches().request == Request("GET", "/batches", params={})
    listed = kimi.list_batches(after="b1", limit=5).request
    assert listed.params == {"after": "b1", "limit": 5}
    assert kimi.get_batch_file("f1").request == Request("GET", "/files/f1/content")
    for bad in (lambda: kimi.get_batch("a/b"), lambda: kimi.list_batches(limit=0)):
        with pytest.raises(InvokeBadRequestError):
            bad()
    with pytest.raises(InvokeBadRequestError, match="endpoint"):
        kimi.create_batch("file-1", endpoint="/v1/embeddings")


def test_list_parses_pages(kimi: KimiProvider) -> None:
    page = kimi.list_batches().parse(
        reply({"object": "list", "data": [{"id": "b2"}, {"id": "b1"}], "has_more": True})
    )
    assert [b.id for b in page] == ["b2", "b1"]
    assert page.has_more and page.last_id == "b1"
    with pytest.raises(InvokeResponseError):
        kimi.list_batches().parse(reply({"object": "list"}))


def test_batch_file_lines(kimi: KimiProvider) -> None:
    call = kimi.get_batch_file("f1")
    assert call.parse(reply(b'{"a": 1}\n\n{"b": 2}\n')) == [{"a": 1}, {"b": 2}]
    with pytest.raises(InvokeResponseError, match="line 2 of batch file f1"):
        call.parse(reply(b'{"a": 1}\n[1]\n'))


def test_result_lines(kimi: KimiProvider) -> None:
    ok = kimi.parse_batch_result(
        {
            "id": "batch_req_1",
            "custom_id": "a",
            "response": {"status_code": 200, "request_id": "r1", "body": COMPLETION},
            "error": None,
        }
    )
    assert ok.ok and ok.response is not None and ok.response.text == "hi"
    assert ok.response.request_id == "r1" and ok.id == "batch_req_1"
    ok.raise_for_error()

    body = {
        "error": {
            "type": "invalid_request_error",
            "message": "Invalid request: Your request exceeded model token limit: 1 (requested: 2)",
        }
    }
    failed = kimi.parse_batch_result(
        {"custom_id": "b", "response": {"status_code": 400, "body": body}, "error": {}}
    )
    assert not failed.ok and failed.status_code == 400
    assert isinstance(failed.exception, InvokeContextLengthError)
    assert failed.error is not None and failed.error.code == "invalid_request_error"

    # Only the line's own error (no response body): still a typed error.
    bare = kimi.parse_batch_result(
        {
            "custom_id": "c",
            "response": {"status_code": 429},
            "error": {"code": "rate_limit_reached_error", "message": "busy"},
        }
    )
    assert isinstance(bare.exception, InvokeRateLimitError)
    assert bare.error is not None and bare.error.message == "busy"
    with pytest.raises(InvokeRateLimitError):
        bare.raise_for_error()


def test_malformed_success_body_is_a_response_error(kimi: KimiProvider) -> None:
    with pytest.raises(InvokeResponseError):
        kimi.parse_batch_result(
            {"custom_id": "a", "response": {"status_code": 200, "body": {"choices": 3}}}
        )
