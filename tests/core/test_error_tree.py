"""The InvokeError tree: hierarchy, retryable defaults, one-line str(), pickling, repr."""

from __future__ import annotations

import pickle

import pytest

from onesdk import errors
from onesdk.errors import (
    InvokeAuthorizationError,
    InvokeBadRequestError,
    InvokeConfigError,
    InvokeConnectionError,
    InvokeContentFilterError,
    InvokeContextLengthError,
    InvokeError,
    InvokeModelNotFoundError,
    InvokeNotFoundError,
    InvokeQuotaExceededError,
    InvokeRateLimitError,
    InvokeResponseError,
    InvokeServerUnavailableError,
    InvokeTimeoutError,
    InvokeUnsupportedError,
)

ALL_ERRORS = [getattr(errors, name) for name in errors.__all__]

# The hierarchy drawn in the module docstring of errors.py: class -> its direct parent.
PARENT = {
    InvokeConfigError: InvokeError,
    InvokeUnsupportedError: InvokeError,
    InvokeConnectionError: InvokeError,
    InvokeTimeoutError: InvokeConnectionError,
    InvokeServerUnavailableError: InvokeError,
    InvokeRateLimitError: InvokeError,
    InvokeQuotaExceededError: InvokeError,
    InvokeAuthorizationError: InvokeError,
    InvokeBadRequestError: InvokeError,
    InvokeContextLengthError: InvokeBadRequestError,
    InvokeContentFilterError: InvokeBadRequestError,
    InvokeNotFoundError: InvokeError,
    InvokeModelNotFoundError: InvokeNotFoundError,
    InvokeResponseError: InvokeError,
}

RETRYABLE_BY_DEFAULT = {
    InvokeConnectionError,
    InvokeTimeoutError,
    InvokeServerUnavailableError,
    InvokeRateLimitError,
}

FIELDS = {
    "provider": "kimi",
    "status_code": 429,
    "error_type": "rate_limit_reached_error",
    "request_id": "c07c118e-4dae-11ef-b423-62db244b9277",
    "retry_after": 1.5,
    "retryable": True,
    "body": {"error": {"type": "rate_limit_reached_error", "message": "slow down"}},
}


def _name(cls: type) -> str:
    return cls.__name__


def test_every_error_in_the_module_is_in_the_documented_tree() -> None:
    assert set(ALL_ERRORS) == {InvokeError, *PARENT}


@pytest.mark.parametrize(("cls", "parent"), PARENT.items(), ids=[c.__name__ for c in PARENT])
def test_error_has_its_documented_direct_parent(cls: type, parent: type) -> None:
    assert cls.__bases__ == (parent,)


@pytest.mark.parametrize("cls", ALL_ERRORS, ids=_name)
def test_every_error_is_an_invoke_error_and_an_exception(cls: type) -> None:
    assert issubclass(cls, InvokeError)
    assert issubclass(cls, Exception)


def test_timeout_is_a_connection_error_so_one_except_catches_both() -> None:
    with pytest.raises(InvokeConnectionError):
        raise InvokeTimeoutError("read timed out")


def test_context_length_and_content_filter_are_bad_requests() -> None:
    assert issubclass(InvokeContextLengthError, InvokeBadRequestError)
    assert issubclass(InvokeContentFilterError, InvokeBadRequestError)
    assert not issubclass(InvokeContextLengthError, InvokeContentFilterError)


def test_model_not_found_is_a_not_found_error() -> None:
    assert issubclass(InvokeModelNotFoundError, InvokeNotFoundError)


def test_quota_exceeded_is_not_a_rate_limit() -> None:
    # Out of credit must not be caught by a handler that waits and retries rate limits.
    assert not issubclass(InvokeQuotaExceededError, InvokeRateLimitError)


@pytest.mark.parametrize("cls", ALL_ERRORS, ids=_name)
def test_default_retryable_per_class(cls: type[InvokeError]) -> None:
    assert cls("x").retryable is (cls in RETRYABLE_BY_DEFAULT)


def test_explicit_retryable_overrides_the_class_default() -> None:
    assert InvokeRateLimitError("x", retryable=False).retryable is False
    assert InvokeBadRequestError("x", retryable=True).retryable is True


def test_fields_default_to_none() -> None:
    error = InvokeError("boom")
    assert error.message == "boom"
    assert error.provider is None
    assert error.status_code is None
    assert error.error_type is None
    assert error.request_id is None
    assert error.retry_after is None
    assert error.body is None


def test_str_is_a_single_line_even_when_the_message_has_newlines() -> None:
    error = InvokeBadRequestError("first line\nsecond line\r\n\tthird", provider="kimi")
    text = str(error)
    assert "\n" not in text
    assert "\r" not in text
    assert text.startswith("first line second line third")


def test_str_includes_provider_status_type_and_request_id() -> None:
    error = InvokeRateLimitError(
        "slow down",
        provider="kimi",
        status_code=429,
        error_type="rate_limit_reached_error",
        request_id="rid-123",
    )
    text = str(error)
    assert "slow down" in text
    assert "kimi" in text
    assert "429" in text
    assert "rate_limit_reached_error" in text
    assert "rid-123" in text


def test_str_includes_retry_after_when_set() -> None:
    assert "retry_after=2.5" in str(InvokeRateLimitError("wait", retry_after=2.5))


def test_str_of_a_bare_error_is_just_the_message() -> None:
    assert str(InvokeError("plain")) == "plain"


@pytest.mark.parametrize("cls", ALL_ERRORS, ids=_name)
def test_pickling_round_trips_every_field(cls: type[InvokeError]) -> None:
    error = cls("multi\nline message", **FIELDS)  # type: ignore[arg-type]
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is cls
    assert clone.message == error.message
    for name, value in FIELDS.items():
        assert getattr(clone, name) == value, name
    assert clone.args == error.args
    assert str(clone) == str(error)


@pytest.mark.parametrize("cls", ALL_ERRORS, ids=_name)
def test_pickling_keeps_a_non_default_retryable(cls: type[InvokeError]) -> None:
    flipped = not cls.default_retryable
    clone = pickle.loads(pickle.dumps(cls("x", retryable=flipped)))
    assert clone.retryable is flipped


def test_repr_names_the_class_message_and_status() -> None:
    error = InvokeNotFoundError("no such cache", status_code=404)
    assert repr(error) == "InvokeNotFoundError('no such cache', status_code=404)"


def test_repr_is_one_line_for_a_multi_line_message() -> None:
    assert "\n" not in repr(InvokeResponseError("a\nb"))
