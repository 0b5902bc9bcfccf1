"""Kimi's error ``type`` strings mapped onto the InvokeError tree.

Sources: kimi-api.md §9 (every era's table, merged).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

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

__all__ = ["KIMI_ERROR_TYPES", "refine_kimi_error", "retry_after_from_message"]

KIMI_ERROR_TYPES: Mapping[str, type[InvokeError]] = {
    "content_filter": InvokeContentFilterError,
    "invalid_request_error": InvokeBadRequestError,
    "invalid_authentication_error": InvokeAuthorizationError,
    "incorrect_api_key_error": InvokeAuthorizationError,
    "permission_denied_error": InvokeAuthorizationError,
    "exceeded_current_quota_error": InvokeQuotaExceededError,
    "resource_not_found_error": InvokeNotFoundError,
    "rate_limit_reached_error": InvokeRateLimitError,
    "engine_overloaded_error": InvokeServerUnavailableError,
    "server_error": InvokeServerUnavailableError,
    "unexpected_output": InvokeServerUnavailableError,
    "server_unavailable": InvokeServerUnavailableError,
}

# Kimi gives these cases no type of their own; only the message tells them apart.
_CONTEXT_LENGTH = re.compile(r"exceeded model token limit|input token length too long", re.I)
_MODEL_NOT_FOUND = re.compile(r"not found the model", re.I)
_RETRY_AFTER = re.compile(r"try again after (\d+(?:\.\d+)?) ?s(?:econds?)?", re.I)


def refine_kimi_error(cls: type[InvokeError], message: str) -> type[InvokeError]:
    """A finer class where one Kimi type covers several cases."""
    if cls is InvokeBadRequestError and _CONTEXT_LENGTH.search(message):
        return InvokeContextLengthError
    if cls is InvokeNotFoundError and _MODEL_NOT_FOUND.search(message):
        return InvokeModelNotFoundError
    return cls


def retry_after_from_message(message: str) -> float | None:
    """The wait in "please try again after N seconds", which Kimi sends instead of a header."""
    match = _RETRY_AFTER.search(message)
    return float(match.group(1)) if match else None
