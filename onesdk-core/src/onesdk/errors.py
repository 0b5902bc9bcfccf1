"""The InvokeError tree: every failure a OneSDK user can meet.

Errors are plain data (picklable, one-line ``str()``), never hold the API key.

Hierarchy::

    InvokeError
    ├── InvokeConfigError              bad client configuration (missing key, bad URL)
    ├── InvokeUnsupportedError         the provider lacks this operation
    ├── InvokeConnectionError          could not reach the provider (retryable)
    │   └── InvokeTimeoutError         connect/read/write/pool timeout (retryable)
    ├── InvokeServerUnavailableError   5xx, overloaded engine (retryable)
    ├── InvokeRateLimitError           429 rate limit (retryable, honours retry_after)
    ├── InvokeQuotaExceededError       out of credit or account suspended
    ├── InvokeAuthorizationError       401/403: bad key or no permission
    ├── InvokeBadRequestError          the request is wrong; fix the input
    │   ├── InvokeContextLengthError   prompt + max_tokens over the model window
    │   └── InvokeContentFilterError   rejected by the provider's safety filter
    ├── InvokeNotFoundError            404: unknown id
    │   └── InvokeModelNotFoundError   unknown model
    └── InvokeResponseError            malformed response or broken stream
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "InvokeAuthorizationError",
    "InvokeBadRequestError",
    "InvokeConfigError",
    "InvokeConnectionError",
    "InvokeContentFilterError",
    "InvokeContextLengthError",
    "InvokeError",
    "InvokeModelNotFoundError",
    "InvokeNotFoundError",
    "InvokeQuotaExceededError",
    "InvokeRateLimitError",
    "InvokeResponseError",
    "InvokeServerUnavailableError",
    "InvokeTimeoutError",
    "InvokeUnsupportedError",
]

_FIELDS = (
    "provider",
    "status_code",
    "error_type",
    "request_id",
    "retry_after",
    "retryable",
    "body",
)


class InvokeError(Exception):
    """Base of every OneSDK error. Catch this to handle them all."""

    default_retryable = False

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status_code: int | None = None,
        error_type: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        retryable: bool | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.status_code = status_code
        self.error_type = error_type
        self.request_id = request_id
        self.retry_after = retry_after
        self.retryable = self.default_retryable if retryable is None else retryable
        self.body = body

    def __str__(self) -> str:
        details = [
            f"{name}={value}"
            for name, value in (
                ("provider", self.provider),
                ("status", self.status_code),
                ("type", self.error_type),
                ("request_id", self.request_id),
                ("retry_after", self.retry_after),
            )
            if value is not None
        ]
        text = " ".join(self.message.split())  # one line, whatever the provider sent
        return f"{text} ({', '.join(details)})" if details else text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only fields do not survive the default Exception pickling.
        kwargs = {name: getattr(self, name) for name in _FIELDS}
        return (_rebuild, (type(self), self.message, kwargs))


def _rebuild(cls: type[InvokeError], message: str, kwargs: dict[str, Any]) -> InvokeError:
    return cls(message, **kwargs)


class InvokeConfigError(InvokeError):
    """The client is misconfigured: a missing key, a bad base URL, an unknown provider."""


class InvokeUnsupportedError(InvokeError):
    """The provider does not offer this operation."""


class InvokeConnectionError(InvokeError):
    """The provider could not be reached, or the connection dropped."""

    default_retryable = True


class InvokeTimeoutError(InvokeConnectionError):
    """A connect, read, write or pool timeout expired."""


class InvokeServerUnavailableError(InvokeError):
    """The provider failed or is overloaded (5xx, engine overloaded)."""

    default_retryable = True


class InvokeRateLimitError(InvokeError):
    """Too many requests; wait ``retry_after`` seconds when it is set."""

    default_retryable = True


class InvokeQuotaExceededError(InvokeError):
    """The account is out of credit or suspended; retrying will not help."""


class InvokeAuthorizationError(InvokeError):
    """The API key is missing, wrong, or lacks permission."""


class InvokeBadRequestError(InvokeError):
    """The request is invalid; the message says which input to fix."""


class InvokeContextLengthError(InvokeBadRequestError):
    """The prompt plus ``max_tokens`` exceeds the model's context window."""


class InvokeContentFilterError(InvokeBadRequestError):
    """The provider's safety filter rejected the input or the output."""


class InvokeNotFoundError(InvokeError):
    """The requested resource (cache, file, ...) does not exist."""


class InvokeModelNotFoundError(InvokeNotFoundError):
    """The model does not exist or the key may not use it."""


class InvokeResponseError(InvokeError):
    """The provider sent something unreadable, or a stream broke off."""
