"""What the conformance kit expects of a provider, and the fix it suggests when one misses.

Plain data and string builders, no pytest: each hint names the attribute or method to change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import (
    InvokeAuthorizationError,
    InvokeBadRequestError,
    InvokeError,
    InvokeNotFoundError,
    InvokeRateLimitError,
    InvokeServerUnavailableError,
)
from ..openai_compat import OpenAICompatibleProvider
from ..provider import BASE_CAPABILITIES, Provider
from ..resources import BATCH_OPERATIONS, CACHE_OPERATIONS, FILE_OPERATIONS

__all__ = [
    "DEFAULT_EXPECTED_ERRORS",
    "ERROR_STATUSES",
    "KNOWN_OPERATIONS",
    "RETRYABLE_STATUSES",
    "STREAM_END_HINT",
    "STREAM_HANG_HINT",
    "error_class_hint",
    "error_type_in",
    "implements",
]

#: The statuses whose error class every provider must get right.
ERROR_STATUSES = (400, 401, 403, 404, 429, 500, 503)

#: The class each status means when the provider's body says nothing finer.
DEFAULT_EXPECTED_ERRORS: Mapping[int, type[InvokeError]] = {
    400: InvokeBadRequestError,
    401: InvokeAuthorizationError,
    403: InvokeAuthorizationError,
    404: InvokeNotFoundError,
    429: InvokeRateLimitError,
    500: InvokeServerUnavailableError,
    503: InvokeServerUnavailableError,
}

#: Statuses the transport should retry (``error.retryable`` true).
RETRYABLE_STATUSES = frozenset({429, 500, 503})

#: Every operation the facade knows by name; a provider declares the ones it offers.
KNOWN_OPERATIONS = (
    BASE_CAPABILITIES | {"get_balance"} | CACHE_OPERATIONS | FILE_OPERATIONS | BATCH_OPERATIONS
)

_KIND = {
    InvokeBadRequestError: "invalid-request",
    InvokeAuthorizationError: "authentication/permission",
    InvokeNotFoundError: "not-found",
    InvokeRateLimitError: "rate-limit",
    InvokeServerUnavailableError: "server-error/overloaded",
}


def implements(provider: Provider, operation: str) -> bool:
    """Whether ``operation`` is a method of ``provider`` beyond the base class's stub."""
    method = getattr(type(provider), operation, None)
    if not callable(method):
        return False
    return method is not getattr(Provider, operation, None)


def error_type_in(body: bytes) -> str | None:
    """The ``error.type`` (or ``error.code``) of an OpenAI-style error body, if any."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return None
    detail = data.get("error") if isinstance(data, dict) else None
    if not isinstance(detail, dict):
        return None
    kind = detail.get("type") or detail.get("code")
    return str(kind) if kind else None


def error_class_hint(
    provider: Provider, status: int, body: bytes, got: InvokeError, expected: type[InvokeError]
) -> str:
    """Why ``parse_error`` gave ``got`` instead of ``expected``, and what to change."""
    name = type(got).__name__
    want = expected.__name__
    kind = _KIND.get(expected, want)
    head = f"parse_error({status}) returned {name}, expected {want}"
    error_type = error_type_in(body)
    if not isinstance(provider, OpenAICompatibleProvider) or error_type is None:
        return (
            f"{head}: map HTTP {status} / your {kind} error type to {want} "
            f"in error_types or parse_error()"
        )
    table = provider.error_types
    mapped = table.get(error_type)
    if mapped is None:
        return (
            f"{head}: error_types has no entry for {error_type!r}, so the HTTP {status} "
            f"fallback chose {name}; add {error_type!r}: {want} to error_types"
        )
    if not issubclass(mapped, expected):
        return (
            f"{head}: error_types maps {error_type!r} to {mapped.__name__}; map HTTP {status} "
            f"/ your {kind} type {error_type!r} to {want} in error_types"
        )
    return (
        f"{head}: error_types maps {error_type!r} to {mapped.__name__} but refine_error() "
        f"changed it to {name}; keep refine_error() within {want}"
    )


STREAM_END_HINT = (
    "the stream closed before the provider saw its end: make StreamCall.parse_event return "
    "onesdk.provider.STREAM_END for your API's last event (OpenAI style: 'data: [DONE]'), "
    "or build the StreamCall with requires_end=False if your API sends no end marker"
)

STREAM_HANG_HINT = (
    "no answer for {timeout}s: check that the server answers and ends its reply; for a "
    "stream, make parse_event return STREAM_END for your API's last event (or raise "
    "timeout in your conformance class if your server is just slow)"
)
