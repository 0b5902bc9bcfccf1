"""KimiProvider.parse_error: every row of kimi-api.md §9's table to its InvokeError class."""

from __future__ import annotations

import json
from typing import Any

import pytest

from onesdk.errors import (
    InvokeAuthorizationError,
    InvokeBadRequestError,
    InvokeContentFilterError,
    InvokeContextLengthError,
    InvokeError,
    InvokeModelNotFoundError,
    InvokeNotFoundError,
    InvokeQuotaExceededError,
    InvokeRateLimitError,
    InvokeServerUnavailableError,
)
from onesdk.provider import ProviderSettings, Response
from onesdk_kimi.provider import KimiProvider

REQUEST_ID = "c07c118e-4dae-11ef-b423-62db244b9277"

# (status, type, message, expected class, retryable)
TABLE: dict[str, tuple[int, str, str, type[InvokeError], bool]] = {
    "content_filter": (
        400,
        "content_filter",
        "The request was rejected because it was considered high risk",
        InvokeContentFilterError,
        False,
    ),
    "invalid_request": (
        400,
        "invalid_request_error",
        "Invalid request: tool_call_id not found",
        InvokeBadRequestError,
        False,
    ),
    "context_length": (
        400,
        "invalid_request_error",
        "Invalid request: Your request exceeded model token limit: 262144 (requested: 291351)",
        InvokeContextLengthError,
        False,
    ),
    "context_length_2024_wording": (
        400,
        "invalid_request_error",
        "Your request exceeded model token limit : 8192",
        InvokeContextLengthError,
        False,
    ),
    "input_too_long": (
        400,
        "invalid_request_error",
        "Input token length too long",
        InvokeContextLengthError,
        False,
    ),
    "invalid_authentication": (
        401,
        "invalid_authentication_error",
        "Invalid Authentication",
        InvokeAuthorizationError,
        False,
    ),
    "incorrect_api_key": (
        401,
        "incorrect_api_key_error",
        "Incorrect API key provided",
        InvokeAuthorizationError,
        False,
    ),
    "suspended_403": (
        403,
        "exceeded_current_quota_error",
        "Your account org-1<ak-1> is suspended, please check your plan and billing details",
        InvokeQuotaExceededError,
        False,
    ),
    "permission_denied": (
        403,
        "permission_denied_error",
        "The API you are accessing is not open",
        InvokeAuthorizationError,
        False,
    ),
    "model_not_found": (
        404,
        "resource_not_found_error",
        "Not found the model kimi-k9 or Permission denied",
        InvokeModelNotFoundError,
        False,
    ),
    "user_not_found": (
        404,
        "resource_not_found_error",
        "Users u-123 not found",
        InvokeNotFoundError,
        False,
    ),
    "engine_overloaded": (
        429,
        "engine_overloaded_error",
        "The engine is currently overloaded, please try again later",
        InvokeServerUnavailableError,
        True,
    ),
    "quota_429": (
        429,
        "exceeded_current_quota_error",
        "You exceeded your current token quota: <org-1> 0.0, please check your account balance",
        InvokeQuotaExceededError,
        False,
    ),
    "rate_limit_rpm": (
        429,
        "rate_limit_reached_error",
        "Your account org-78cd08fac9804d20bac9a1f02fc1e6a5<ak-f94zcrj6ax1111aqsyq1> request "
        "reached organization max RPM: 20, please try again after 1 seconds",
        InvokeRateLimitError,
        True,
    ),
    "rate_limit_tpm": (
        429,
        "rate_limit_reached_error",
        "Your account org-1 / proj-xxx <ak-xxx> request reached project TPM rate limit, "
        "current: 1410, limit: 100, see https://platform.moonshot.cn/docs/pricing/limits",
        InvokeRateLimitError,
        True,
    ),
    "server_error": (
        500,
        "server_error",
        "Failed to extract file: broken pdf",
        InvokeServerUnavailableError,
        True,
    ),
    "unexpected_output": (
        500,
        "unexpected_output",
        "invalid state transition",
        InvokeServerUnavailableError,
        True,
    ),
}


@pytest.fixture
def kimi() -> KimiProvider:
    return KimiProvider(ProviderSettings("https://x/v1"))


def response(status: int, body: Any, request_id: str | None = REQUEST_ID) -> Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": "application/json; charset=utf-8"}
    if request_id is not None:
        headers["msh-request-id"] = request_id
    return Response(status, headers, content, request_id)


def error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"error": {"type": error_type, "message": message}}


@pytest.mark.parametrize(
    ("status", "kind", "message", "cls", "retryable"), TABLE.values(), ids=TABLE
)
def test_error_row_maps_to_its_class(
    kimi: KimiProvider,
    status: int,
    kind: str,
    message: str,
    cls: type[InvokeError],
    retryable: bool,
) -> None:
    error = kimi.parse_error(response(status, error_body(kind, message)))
    assert type(error) is cls


@pytest.mark.parametrize(
    ("status", "kind", "message", "cls", "retryable"), TABLE.values(), ids=TABLE
)
def test_error_row_has_its_retryable_flag(
    kimi: KimiProvider,
    status: int,
    kind: str,
    message: str,
    cls: type[InvokeError],
    retryable: bool,
) -> None:
    assert kimi.parse_error(response(status, error_body(kind, message))).retryable is retryable


@pytest.mark.parametrize(
    ("status", "kind", "message", "cls", "retryable"), TABLE.values(), ids=TABLE
)
def test_error_row_carries_status_type_request_id_and_message(
    kimi: KimiProvider,
    status: int,
    kind: str,
    message: str,
    cls: type[InvokeError],
    retryable: bool,
) -> None:
    error = kimi.parse_error(response(status, error_body(kind, message)))
    assert error.provider == "kimi"
    assert error.status_code == status
    assert error.error_type == kind
    assert error.request_id == REQUEST_ID
    assert error.message == message


def test_quota_exceeded_is_not_retryable_even_on_429(kimi: KimiProvider) -> None:
    body = error_body("exceeded_current_quota_error", "You exceeded your current token quota")
    error = kimi.parse_error(response(429, body))
    assert isinstance(error, InvokeQuotaExceededError)
    assert not isinstance(error, InvokeRateLimitError)
    assert error.retryable is False


def test_rate_limit_retry_after_is_parsed_from_the_message(kimi: KimiProvider) -> None:
    message = TABLE["rate_limit_rpm"][2]
    error = kimi.parse_error(response(429, error_body("rate_limit_reached_error", message)))
    assert error.retry_after == 1.0


def test_rate_limit_retry_after_may_be_fractional(kimi: KimiProvider) -> None:
    message = "request reached organization max concurrency: 1, please try again after 2.5 seconds"
    error = kimi.parse_error(response(429, error_body("rate_limit_reached_error", message)))
    assert error.retry_after == 2.5


def test_rate_limit_without_a_stated_wait_has_no_retry_after(kimi: KimiProvider) -> None:
    message = TABLE["rate_limit_tpm"][2]
    error = kimi.parse_error(response(429, error_body("rate_limit_reached_error", message)))
    assert error.retry_after is None


def test_error_keeps_the_body(kimi: KimiProvider) -> None:
    body = error_body("content_filter", "high risk")
    assert kimi.parse_error(response(400, body)).body == body


def test_error_with_a_code_instead_of_a_type_uses_the_code(kimi: KimiProvider) -> None:
    body = {"error": {"code": "content_filter", "message": "high risk"}}
    error = kimi.parse_error(response(400, body))
    assert isinstance(error, InvokeContentFilterError)
    assert error.error_type == "content_filter"


def test_html_502_body_is_server_unavailable_and_retryable(kimi: KimiProvider) -> None:
    html = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    error = kimi.parse_error(response(502, html))
    assert isinstance(error, InvokeServerUnavailableError)
    assert error.retryable is True
    assert error.status_code == 502
    assert error.request_id == REQUEST_ID
    assert "502" in str(error)
    assert "Bad Gateway" in str(error)


def test_empty_504_body_is_server_unavailable(kimi: KimiProvider) -> None:
    error = kimi.parse_error(response(504, b""))
    assert isinstance(error, InvokeServerUnavailableError)
    assert error.retryable is True
    assert "no body" in str(error)


def test_non_utf8_error_body_does_not_crash(kimi: KimiProvider) -> None:
    error = kimi.parse_error(response(500, b"\xff\xfe\x00garbage"))
    assert isinstance(error, InvokeServerUnavailableError)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvokeBadRequestError),
        (401, InvokeAuthorizationError),
        (403, InvokeAuthorizationError),
        (404, InvokeNotFoundError),
        (429, InvokeRateLimitError),
        (500, InvokeServerUnavailableError),
        (503, InvokeServerUnavailableError),
    ],
)
def test_unknown_type_falls_back_to_the_status(
    kimi: KimiProvider, status: int, cls: type[InvokeError]
) -> None:
    error = kimi.parse_error(response(status, error_body("brand_new_error", "new")))
    assert type(error) is cls
    assert error.error_type == "brand_new_error"


def test_plain_404_for_a_missing_cache_is_not_found(kimi: KimiProvider) -> None:
    error = kimi.parse_error(response(404, b"404 page not found"))
    assert type(error) is InvokeNotFoundError


def test_404_message_naming_a_model_without_a_type_is_model_not_found(
    kimi: KimiProvider,
) -> None:
    body = {"error": {"message": "Not found the model kimi-k9 or Permission denied"}}
    assert isinstance(kimi.parse_error(response(404, body)), InvokeModelNotFoundError)


def test_json_body_without_an_error_object_still_maps_by_status(kimi: KimiProvider) -> None:
    error = kimi.parse_error(response(503, {"detail": "maintenance"}))
    assert isinstance(error, InvokeServerUnavailableError)
    assert "maintenance" in str(error)


def test_error_message_with_newlines_prints_on_one_line(kimi: KimiProvider) -> None:
    body = error_body("invalid_request_error", "Invalid request:\n  messages[0] is bad")
    assert "\n" not in str(kimi.parse_error(response(400, body)))
