"""Kimi-style API errors raised by simulator handlers.

Each error renders as `{"error": {"message", "type"}}` with its HTTP status, as Kimi does.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error that becomes a Kimi error response."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body Kimi sends for this error."""
        return {"error": {"message": self.message, "type": self.error_type}}


def bad_request(message: str) -> ApiError:
    """400 invalid_request_error; `message` is used verbatim."""
    return ApiError(400, "invalid_request_error", message)


def invalid(detail: str) -> ApiError:
    """400 invalid_request_error with Kimi's "Invalid request: " prefix."""
    return bad_request(f"Invalid request: {detail}")


def not_found(message: str) -> ApiError:
    """404 resource_not_found_error."""
    return ApiError(404, "resource_not_found_error", message)
