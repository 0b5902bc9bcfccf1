"""Token counting: the estimate request Kimi expects and the parsing of its reply (E6)."""

from __future__ import annotations

import pytest

from onesdk.errors import InvokeResponseError
from onesdk.provider import ProviderSettings, Response
from onesdk.types import Message
from onesdk_kimi.provider import KimiProvider


@pytest.fixture
def kimi() -> KimiProvider:
    return KimiProvider(ProviderSettings("https://x/v1"))


def reply(body: bytes) -> Response:
    return Response(200, {"content-type": "application/json"}, body, "rid-7")


def test_count_tokens_posts_model_and_messages_to_the_estimate_endpoint(
    kimi: KimiProvider,
) -> None:
    call = kimi.count_tokens("moonshot-v1-8k", [Message(role="user", content="Hi")])
    assert call.request.method == "POST"
    assert call.request.path == "/tokenizers/estimate-token-count"
    assert call.request.json == {
        "model": "moonshot-v1-8k",
        "messages": [{"role": "user", "content": "Hi"}],
    }


def test_token_estimate_reply_gives_total_tokens(kimi: KimiProvider) -> None:
    assert kimi.parse_token_count(reply(b'{"data":{"total_tokens":80}}')) == 80


def test_token_estimate_reply_with_extra_fields_is_fine(kimi: KimiProvider) -> None:
    body = b'{"data":{"total_tokens":80,"prompt_tokens":80},"id":"x"}'
    assert kimi.parse_token_count(reply(body)) == 80


MALFORMED = {
    "not-json": b"<html>oops</html>",
    "empty": b"",
    "json-list": b"[]",
    "no-data": b"{}",
    "data-without-total": b'{"data": {}}',
    "total-as-string": b'{"data": {"total_tokens": "80"}}',
    "total-as-bool": b'{"data": {"total_tokens": true}}',
    "total-as-float": b'{"data": {"total_tokens": 80.5}}',
    "total-null": b'{"data": {"total_tokens": null}}',
    "data-null": b'{"data": null}',
    "data-string": b'{"data": "80"}',
    "data-list": b'{"data": [80]}',
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_token_estimate_raises_response_error(kimi: KimiProvider, body: bytes) -> None:
    with pytest.raises(InvokeResponseError):
        kimi.parse_token_count(reply(body))


def test_malformed_token_estimate_error_carries_the_request_id(kimi: KimiProvider) -> None:
    with pytest.raises(InvokeResponseError) as caught:
        kimi.parse_token_count(reply(b'{"data": {}}'))
    assert caught.value.request_id == "rid-7"
    assert caught.value.provider == "kimi"
