"""What surrounds each HTTP attempt, without I/O: guarded parsing, SSE pumping, errors, retries.

``transport.py`` does the httpx calls; this module decides what a reply or a failure means.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import InvokeError, InvokeResponseError
from .hooks import call_hook
from .provider import Provider, Request, Response, StreamCall, StreamEnd
from .retry import RetryPolicy, parse_retry_after
from .sse import SSEDecoder
from .types import ChatChunk, HasHeaders, remember_response

__all__ = ["AttemptRules", "CallTiming", "EventPump", "attach", "guarded"]

T = TypeVar("T")
logger = logging.getLogger("onesdk.transport")


def attach(result: T, response: Response) -> T:
    """Give models that carry headers the response's headers and request id."""
    if isinstance(result, HasHeaders):
        remember_response(result, response.headers, response.request_id)
    return result


def guarded(parse: Callable[[Any], T], value: Any) -> T:
    """Run a provider's parser; anything but an ``InvokeError`` becomes one."""
    try:
        return parse(value)
    except InvokeError:
        raise
    except Exception as exc:  # a parser bug or hostile input must not escape raw
        raise InvokeResponseError(
            f"cannot read the response: {type(exc).__name__}: {exc}"[:500]
        ) from exc


class CallTiming:
    """When a call's first attempt began and how many retries followed, for the end hooks."""

    __slots__ = ("retries", "started")

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.retries = 0

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


class EventPump:
    """Turns a stream's bytes into chunks through the provider's ``parse_event``."""

    def __init__(self, call: StreamCall, max_event_bytes: int | None = None) -> None:
        self._call = call
        self._decoder = SSEDecoder(max_event_bytes)
        self.ended = False

    def feed(self, raw: bytes) -> list[ChatChunk]:
        """The chunks completed by ``raw``; ``ended`` turns true at the end event."""
        chunks: list[ChatChunk] = []
        parse = self._call.parse_event
        # One guard around the loop, not one call per event: this is the per-chunk hot path.
        try:
            for event in self._decoder.feed(raw):
                item = parse(event)
                if item is None:
                    continue
                if isinstance(item, StreamEnd):
                    self.ended = True
                    break
                chunks.append(item)
        except InvokeError:
            raise
        except Exception as exc:  # a parser bug or hostile input must not escape raw
            raise InvokeResponseError(
                f"cannot read the response: {type(exc).__name__}: {exc}"[:500]
            ) from exc
        return chunks

    def finish(self) -> list[ChatChunk]:
        """End of the body: the last chunks, or an error when the end event never came."""
        if self.ended:
            return []
        chunks: list[ChatChunk] = []
        for event in self._decoder.close():
            item = guarded(self._call.parse_event, event)
            if isinstance(item, StreamEnd):
                self.ended = True
            elif item is not None:
                chunks.append(item)
        if not self.ended and self._call.requires_end:
            raise InvokeResponseError(
                "the stream ended before its end marker: the reply is incomplete",
                retryable=True,
            )
        return chunks


class AttemptRules:
    """One client's errors and retries: fill in and redact errors, decide, log, tell hooks."""

    def __init__(self, provider: Provider, secret: str, hooks: Callable[[], Any]) -> None:
        self.provider = provider
        self._hooks = hooks
        # The key as written, and as a repr or a bytes literal would escape it.
        self._secret_forms = (
            {secret, repr(secret)[1:-1], repr(secret.encode())[2:-1]} if secret else set()
        )

    def redact(self, error: InvokeError) -> InvokeError:
        """Fill in who failed and make sure the key is not in what the user sees."""
        if error.provider is None:
            error.provider = self.provider.name
        message = error.message
        for form in self._secret_forms:
            message = message.replace(form, "***")
        if message != error.message:
            error.message = message
            error.args = (message,)
        if error.body is not None and any(form in repr(error.body) for form in self._secret_forms):
            error.body = None
        return error

    def from_response(self, response: Response) -> InvokeError:
        """The error an HTTP error response means, complete with status, id and wait."""
        try:
            error = self.provider.parse_error(response)
        except InvokeError as exc:
            error = exc
        except Exception as exc:  # a provider bug must not hide the server's answer
            status = response.status_code
            error = InvokeResponseError(
                f"HTTP {status}; the provider could not read the error body: "
                f"{type(exc).__name__}: {exc}"[:500],
                retryable=status == 429 or status >= 500,
            )
        error.status_code = error.status_code or response.status_code
        error.request_id = error.request_id or response.request_id
        # The header is the server's word; a wait read from the message text is a fallback.
        header_wait = parse_retry_after(response.headers)
        if header_wait is not None:
            error.retry_after = header_wait
        return self.redact(error)

    def notify(self, name: str, **kwargs: Any) -> None:
        """Call hook ``name`` on the plugins, if any are registered; a plugin's failure is
        logged, never the user's."""
        hooks = self._hooks()
        if hooks is not None:
            call_hook(hooks, name, provider=self.provider.name, **kwargs)

    def failed(
        self, operation: str, error: InvokeError, request: Request, timing: CallTiming
    ) -> None:
        """Tell plugins that the call failed for good."""
        if self._hooks() is None:
            return
        self.notify(
            "onesdk_on_error",
            operation=operation,
            error=error,
            request=request,
            elapsed=timing.elapsed(),
            retries=timing.retries,
        )

    def succeeded(
        self, operation: str, request: Request, response: Response, result: T, timing: CallTiming
    ) -> T:
        """Tell plugins that a call that is not a stream returned ``result``; return it."""
        if self._hooks() is None:  # the fast path: no plugin, no clock reading
            return result
        self.notify(
            "onesdk_on_response",
            operation=operation,
            request=request,
            response=response,
            result=result,
            elapsed=timing.elapsed(),
            retries=timing.retries,
        )
        return result

    def retry_delay(
        self,
        operation: str,
        error: InvokeError,
        policy: RetryPolicy,
        request: Request,
        timing: CallTiming,
    ) -> float | None:
        """The delay before retrying, or None when ``error`` is final (hooks told either way).

        On a retry, ``timing.retries`` counts it.
        """
        attempt = timing.retries
        if not policy.should_retry(error, attempt):
            self.failed(operation, error, request, timing)
            return None
        delay = policy.delay(error, attempt)
        logger.info(
            "retrying %s after %s (status=%s, type=%s, request_id=%s): retry %d of %d in %.2fs",
            operation,
            type(error).__name__,
            error.status_code,
            error.error_type,
            error.request_id,
            attempt + 1,
            policy.max_retries,
            delay,
        )
        self.notify(
            "onesdk_on_retry", operation=operation, error=error, attempt=attempt + 1, delay=delay
        )
        timing.retries = attempt + 1
        return delay
