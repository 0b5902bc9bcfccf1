"""One log record per call on the ``onesdk.calls`` logger: who, what, how long, how it ended.

Records carry no headers, bodies or keys; the fields are also on ``record.onesdk_call``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl
from .accounting import model_of

if TYPE_CHECKING:
    from ..errors import InvokeError
    from ..provider import Request, Response

__all__ = ["CallLog"]


def _usage(usage: Any) -> dict[str, int] | None:
    if usage is None:
        return None
    names = ("prompt_tokens", "completion_tokens", "cached_tokens", "total_tokens")
    return {name: int(getattr(usage, name, 0) or 0) for name in names}


class CallLog:
    """Logs each finished call: at ``level`` when it succeeds, at ``error_level`` when it fails.

    Fields: provider, operation, model, status ("ok" or "error"), status_code (HTTP; None for
    streams and for failures without a reply), elapsed (seconds, every attempt included),
    request_id, retries, usage, error (the error class and the provider's error code).
    A stream is logged when it reaches its end marker or fails; one closed early is not.
    """

    def __init__(
        self,
        logger: str | logging.Logger = "onesdk.calls",
        *,
        level: int = logging.INFO,
        error_level: int = logging.WARNING,
    ) -> None:
        self.logger = logging.getLogger(logger) if isinstance(logger, str) else logger
        self.level = level
        self.error_level = error_level

    def __repr__(self) -> str:
        return f"<CallLog logger={self.logger.name!r}>"

    @hookimpl
    def onesdk_on_response(
        self,
        provider: str,
        operation: str,
        request: Request,
        response: Response,
        result: Any,
        elapsed: float,
        retries: int,
    ) -> None:
        self.log(
            self.level,
            provider=provider,
            operation=operation,
            model=model_of(result, request),
            status="ok",
            status_code=response.status_code,
            elapsed=round(elapsed, 6),
            request_id=response.request_id,
            retries=retries,
            usage=_usage(getattr(result, "usage", None)),
            error=None,
        )

    @hookimpl
    def onesdk_on_stream_end(
        self,
        provider: str,
        operation: str,
        request: Request,
        response: Any,
        usage: Any,
        elapsed: float,
        retries: int,
    ) -> None:
        self.log(
            self.level,
            provider=provider,
            operation=operation,
            model=model_of(response, request),
            status="ok",
            status_code=None,
            elapsed=round(elapsed, 6),
            request_id=getattr(response, "request_id", None),
            retries=retries,
            usage=_usage(usage),
            error=None,
        )

    @hookimpl
    def onesdk_on_error(
        self,
        provider: str,
        operation: str,
        error: InvokeError,
        request: Request,
        elapsed: float,
        retries: int,
    ) -> None:
        self.log(
            self.error_level,
            provider=provider,
            operation=operation,
            model=model_of(None, request),
            status="error",
            status_code=error.status_code,
            elapsed=round(elapsed, 6),
            request_id=error.request_id,
            retries=retries,
            usage=None,
            # The class and the provider's code, not the message: it may quote what was sent.
            error=type(error).__name__ + (f" ({error.error_type})" if error.error_type else ""),
        )

    def log(self, level: int, **fields: Any) -> None:
        """Emit one record: a readable line, with every field on ``record.onesdk_call``."""
        if not self.logger.isEnabledFor(level):
            return
        usage = fields["usage"]
        tokens = (
            f" tokens={usage['prompt_tokens']}+{usage['completion_tokens']}"
            f" cached={usage['cached_tokens']}"
            if usage
            else ""
        )
        failure = f" {fields['error']}" if fields["error"] else ""
        code = fields["status_code"]
        self.logger.log(
            level,
            "%s %s model=%s %s%s%s elapsed=%.3fs retries=%d request_id=%s%s",
            fields["provider"],
            fields["operation"],
            fields["model"],
            fields["status"],
            failure,
            "" if code is None else f" status_code={code}",
            fields["elapsed"],
            fields["retries"],
            fields["request_id"],
            tokens,
            extra={"onesdk_call": fields},
        )
