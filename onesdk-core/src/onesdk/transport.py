"""HTTP I/O for providers' calls: httpx, sync and async, with retries and error mapping.

The only module that imports httpx: moving to another HTTP library is a change here alone.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from .attempts import AttemptRules, CallTiming, EventPump, attach, guarded
from .errors import (
    InvokeConfigError,
    InvokeConnectionError,
    InvokeError,
    InvokeResponseError,
    InvokeTimeoutError,
)
from .provider import Call, Provider, Request, Response, StreamCall
from .retry import RetryPolicy
from .types import ChatChunk
from .waiting import async_sleep

__all__ = ["DEFAULT_TIMEOUT", "MAX_BODY_BYTES", "CallOptions", "Transport"]

T = TypeVar("T")
logger = logging.getLogger("onesdk.transport")

#: Non-stream replies arrive only once generation ends, so reads may take minutes.
DEFAULT_TIMEOUT = 600.0
DEFAULT_CONNECT_TIMEOUT = 5.0
#: A response body larger than this is refused rather than held in memory.
MAX_BODY_BYTES = 64 * 1024 * 1024
#: What httpx raises for I/O trouble; StreamError covers misuse of a closed response.
_HTTP_ERRORS = (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL)


@dataclass(frozen=True)
class CallOptions:
    """Per-call overrides of the client's settings."""

    timeout: float | None = None
    max_retries: int | None = None
    extra_headers: Mapping[str, str] | None = None
    extra_query: Mapping[str, Any] | None = None
    extra_body: Mapping[str, Any] | None = None


NO_OPTIONS = CallOptions()


def _timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if value is None:
        return httpx.Timeout(DEFAULT_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT)
    return httpx.Timeout(value, connect=min(value, DEFAULT_CONNECT_TIMEOUT))


class Transport:
    """Runs a provider's calls over HTTP; one instance per client."""

    def __init__(
        self,
        provider: Provider,
        *,
        api_key: str,
        base_url: str,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        proxy: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: Any = None,
        hooks: Callable[[], Any] | None = None,
        max_event_bytes: int | None = None,
        max_body_bytes: int | None = None,
    ) -> None:
        self.provider = provider
        #: Size caps against hostile servers; None means the module defaults
        #: (``onesdk.sse.MAX_EVENT_BYTES`` per SSE line or event, ``MAX_BODY_BYTES`` per body).
        self.max_event_bytes = max_event_bytes
        self.max_body_bytes = max_body_bytes
        self._base_url = base_url.rstrip("/")
        self._timeout = _timeout(timeout)
        self.retry_policy = RetryPolicy(max_retries=max_retries)
        self._proxy = proxy
        self._headers = {
            "User-Agent": "onesdk-python",
            **(default_headers or {}),
            **provider.auth_headers(api_key),
        }
        self._rules = AttemptRules(provider, api_key, hooks or (lambda: None))
        self._user_client = http_client
        self._lock = threading.Lock()
        self._sync: httpx.Client | None = None
        self._async: httpx.AsyncClient | None = None
        if http_client is not None and not isinstance(
            http_client, (httpx.Client, httpx.AsyncClient)
        ):
            raise InvokeConfigError(
                "http_client must be an httpx.Client or httpx.AsyncClient, "
                f"got {type(http_client).__name__}",
                provider=provider.name,
            )

    def __repr__(self) -> str:
        return f"<Transport {self.provider.name} {self._base_url}>"

    def __getstate__(self) -> None:
        raise TypeError(
            "a OneSDK transport holds live connections and a secret; it cannot be pickled"
        )

    # --- clients --------------------------------------------------------------------------

    def _client(self) -> httpx.Client:
        if isinstance(self._user_client, httpx.Client):
            return self._user_client
        client = self._sync
        if client is None:
            # Threads sharing a client race here; a second httpx.Client would leak its sockets.
            with self._lock:
                if self._sync is None:
                    self._sync = httpx.Client(
                        timeout=self._timeout, proxy=self._proxy, trust_env=True
                    )
                client = self._sync
        return client

    def _aclient(self) -> httpx.AsyncClient:
        if isinstance(self._user_client, httpx.AsyncClient):
            return self._user_client
        client = self._async
        if client is None:
            with self._lock:  # one client even when event loops in several threads share us
                if self._async is None:
                    # Many concurrent streams are the async client's job: keep their connections.
                    limits = httpx.Limits(max_connections=None, max_keepalive_connections=1000)
                    self._async = httpx.AsyncClient(
                        timeout=self._timeout, proxy=self._proxy, trust_env=True, limits=limits
                    )
                client = self._async
        return client

    def close(self) -> None:
        with self._lock:
            client, self._sync = self._sync, None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        with self._lock:
            client, self._async = self._async, None
        if client is not None:
            await client.aclose()
        self.close()

    # --- shared pieces --------------------------------------------------------------------

    def _build(
        self, client: httpx.Client | httpx.AsyncClient, request: Request, options: CallOptions
    ) -> httpx.Request:
        body = request.json
        if options.extra_body:
            body = {**(body or {}), **options.extra_body}
        params: dict[str, Any] | None = None
        if request.params or options.extra_query:
            params = {**(request.params or {}), **(options.extra_query or {})}
        headers = {**self._headers, **(request.headers or {}), **(options.extra_headers or {})}
        timeout = self._timeout if options.timeout is None else _timeout(options.timeout)
        try:
            return client.build_request(
                request.method,
                self._base_url + request.path,
                json=body,
                params=params,
                headers=headers,
                files=request.files,
                data=request.data,
                timeout=timeout,
            )
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, TypeError, ValueError) as exc:
            raise self._rules.redact(
                InvokeConfigError(
                    f"cannot build the request to {self._base_url + request.path!r}: {exc}",
                    provider=self.provider.name,
                )
            ) from None

    def _policy(self, options: CallOptions) -> RetryPolicy:
        if options.max_retries is None:
            return self.retry_policy
        return dataclasses.replace(self.retry_policy, max_retries=options.max_retries)

    def _map_exception(self, exc: Exception) -> InvokeError:
        name = type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            err: InvokeError = InvokeTimeoutError(f"request timed out ({name})")
        elif isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
            err = InvokeConfigError(f"bad base URL {self._base_url!r}: {exc}")
        elif isinstance(exc, httpx.RemoteProtocolError):
            err = InvokeConnectionError(f"the connection broke: {exc}")
        elif isinstance(exc, httpx.HTTPError):
            err = InvokeConnectionError(f"cannot reach {self._base_url}: {name}: {exc}")
        else:
            err = InvokeResponseError(f"unexpected failure reading the response: {name}: {exc}")
        return self._rules.redact(err)

    def _response(self, raw: httpx.Response, content: bytes) -> Response:
        headers = {k.lower(): v for k, v in raw.headers.items()}
        rid_header = self.provider.request_id_header
        request_id = headers.get(rid_header.lower()) if rid_header else None
        return Response(raw.status_code, headers, content, request_id)

    def _check_size(self, size: int) -> None:
        limit = MAX_BODY_BYTES if self.max_body_bytes is None else self.max_body_bytes
        if size > limit:
            raise InvokeResponseError(f"response body larger than {limit} bytes; refusing it")

    def _check_length(self, raw: httpx.Response) -> None:
        """Refuse a body whose declared length is over the cap before reading any of it."""
        declared = raw.headers.get("content-length", "")
        if declared.isdigit():
            self._check_size(int(declared))

    def _annotate(self, error: InvokeError, raw: httpx.Response) -> InvokeError:
        """Errors met after the headers arrived keep the response's request id (and, for an
        unreadable response, its status)."""
        if error.request_id is None and self.provider.request_id_header:
            error.request_id = raw.headers.get(self.provider.request_id_header)
        if error.status_code is None and isinstance(error, InvokeResponseError):
            error.status_code = raw.status_code
        return error

    def _stream_failed(
        self,
        call: StreamCall,
        error: InvokeError,
        raw: httpx.Response | None,
        delivered: bool,
        timing: CallTiming,
        policy: RetryPolicy,
    ) -> float | None:
        """The delay before retrying a failed stream, or None to raise ``error``.

        Once a chunk has reached the user a retry would repeat it: the stream fails for good.
        """
        self._rules.redact(error)
        if raw is not None:
            self._annotate(error, raw)
        if delivered:
            self._rules.failed(call.operation, error, call.request, timing)
            return None
        return self._rules.retry_delay(call.operation, error, policy, call.request, timing)

    def _stream_head(self, raw: httpx.Response, call: StreamCall, started: float) -> Response:
        """The stream's status and headers, checked, with the after-response hook told."""
        head = self._response(raw, b"")
        self._check_event_stream(head)
        self._rules.notify(
            "onesdk_after_response",
            operation=call.operation,
            response=head,
            elapsed=time.perf_counter() - started,
        )
        return head

    # --- sync -----------------------------------------------------------------------------

    def _read(self, raw: httpx.Response) -> bytes:
        parts: list[bytes] = []
        size = 0
        try:
            self._check_length(raw)
            for part in raw.iter_bytes():
                size += len(part)
                self._check_size(size)
                parts.append(part)
        except _HTTP_ERRORS as exc:
            raise self._annotate(self._map_exception(exc), raw) from None
        except InvokeError as error:
            raise self._annotate(error, raw) from None
        return b"".join(parts)

    def _open(self, request: Request, operation: str, options: CallOptions) -> httpx.Response:
        """Send once; return the streaming response, or raise its mapped error."""
        client = self._client()
        built = self._build(client, request, options)
        self._rules.notify("onesdk_before_request", operation=operation, request=request)
        logger.debug("%s %s", built.method, built.url)
        try:
            raw = client.send(built, stream=True)
        except _HTTP_ERRORS as exc:
            raise self._map_exception(exc) from None
        if raw.status_code >= 400:
            try:
                content = self._read(raw)
            finally:
                raw.close()
            raise self._rules.from_response(self._response(raw, content))
        return raw

    def send(self, call: Call[T], options: CallOptions = NO_OPTIONS) -> T:
        """Run ``call``, retrying what the policy allows; return its parsed result."""
        policy = self._policy(options)
        timing = CallTiming()
        while True:
            started = time.perf_counter()
            try:
                raw = self._open(call.request, call.operation, options)
                try:
                    content = self._read(raw)
                finally:
                    raw.close()
                response = self._response(raw, content)
                self._rules.notify(
                    "onesdk_after_response",
                    operation=call.operation,
                    response=response,
                    elapsed=time.perf_counter() - started,
                )
                result = attach(guarded(call.parse, response), response)
            except InvokeError as error:
                self._rules.redact(error)
                delay = self._rules.retry_delay(call.operation, error, policy, call.request, timing)
                if delay is None:
                    raise
            else:
                return self._rules.succeeded(call.operation, call.request, response, result, timing)
            time.sleep(delay)

    def stream(
        self,
        call: StreamCall,
        options: CallOptions = NO_OPTIONS,
        on_open: Callable[[Response], None] | None = None,
        timing: CallTiming | None = None,
    ) -> Iterator[ChatChunk]:
        """Chunks of a streamed call; retried only until the first chunk is delivered.

        ``timing`` (started when the first attempt begins) counts the retries for end hooks.
        """
        policy = self._policy(options)
        timing = timing or CallTiming()
        timing.started = time.perf_counter()
        while True:
            delivered = False
            raw_head: httpx.Response | None = None
            started = time.perf_counter()
            try:
                raw = raw_head = self._open(call.request, call.operation, options)
                try:
                    head = self._stream_head(raw, call, started)
                    if on_open is not None:
                        on_open(head)
                    pump = EventPump(call, self.max_event_bytes)
                    try:  # one guard around the loop, not a generator per read: the hot path
                        for part in raw.iter_bytes():
                            for chunk in pump.feed(part):
                                delivered = True
                                yield chunk
                            if pump.ended:
                                break
                    except _HTTP_ERRORS as exc:
                        raise self._map_exception(exc) from None
                    yield from pump.finish()
                    return
                finally:
                    raw.close()
            except InvokeError as error:
                delay = self._stream_failed(call, error, raw_head, delivered, timing, policy)
                if delay is None:
                    raise
            time.sleep(delay)

    def _check_event_stream(self, head: Response) -> None:
        kind = head.headers.get("content-type", "")
        if "text/event-stream" not in kind:
            raise self._rules.redact(
                InvokeResponseError(
                    f"expected an event stream, got content type {kind!r}",
                    status_code=head.status_code,
                    request_id=head.request_id,
                )
            )

    # --- async ----------------------------------------------------------------------------

    async def _aread(self, raw: httpx.Response) -> bytes:
        parts: list[bytes] = []
        size = 0
        try:
            self._check_length(raw)
            async for part in raw.aiter_bytes():
                size += len(part)
                self._check_size(size)
                parts.append(part)
        except _HTTP_ERRORS as exc:
            raise self._annotate(self._map_exception(exc), raw) from None
        except InvokeError as error:
            raise self._annotate(error, raw) from None
        return b"".join(parts)

    async def _aopen(
        self, request: Request, operation: str, options: CallOptions
    ) -> httpx.Response:
        client = self._aclient()
        built = self._build(client, request, options)
        self._rules.notify("onesdk_before_request", operation=operation, request=request)
        logger.debug("%s %s", built.method, built.url)
        try:
            raw = await client.send(built, stream=True)
        except _HTTP_ERRORS as exc:
            raise self._map_exception(exc) from None
        if raw.status_code >= 400:
            try:
                content = await self._aread(raw)
            finally:
                await raw.aclose()
            raise self._rules.from_response(self._response(raw, content))
        return raw

    async def asend(self, call: Call[T], options: CallOptions = NO_OPTIONS) -> T:
        """Async ``send``."""
        policy = self._policy(options)
        timing = CallTiming()
        while True:
            started = time.perf_counter()
            try:
                raw = await self._aopen(call.request, call.operation, options)
                try:
                    content = await self._aread(raw)
                finally:
                    await raw.aclose()
                response = self._response(raw, content)
                self._rules.notify(
                    "onesdk_after_response",
                    operation=call.operation,
                    response=response,
                    elapsed=time.perf_counter() - started,
                )
                result = attach(guarded(call.parse, response), response)
            except InvokeError as error:
                self._rules.redact(error)
                delay = self._rules.retry_delay(call.operation, error, policy, call.request, timing)
                if delay is None:
                    raise
            else:
                return self._rules.succeeded(call.operation, call.request, response, result, timing)
            await async_sleep(delay)

    async def astream(
        self,
        call: StreamCall,
        options: CallOptions = NO_OPTIONS,
        on_open: Callable[[Response], None] | None = None,
        timing: CallTiming | None = None,
    ) -> AsyncIterator[ChatChunk]:
        """Async ``stream``."""
        policy = self._policy(options)
        timing = timing or CallTiming()
        timing.started = time.perf_counter()
        while True:
            delivered = False
            raw_head: httpx.Response | None = None
            started = time.perf_counter()
            try:
                raw = raw_head = await self._aopen(call.request, call.operation, options)
                try:
                    head = self._stream_head(raw, call, started)
                    if on_open is not None:
                        on_open(head)
                    pump = EventPump(call, self.max_event_bytes)
                    try:  # as in stream(): one guard around the read loop
                        async for part in raw.aiter_bytes():
                            for chunk in pump.feed(part):
                                delivered = True
                                yield chunk
                            if pump.ended:
                                break
                    except _HTTP_ERRORS as exc:
                        raise self._map_exception(exc) from None
                    for chunk in pump.finish():
                        yield chunk
                    return
                finally:
                    await raw.aclose()
            except InvokeError as error:
                delay = self._stream_failed(call, error, raw_head, delivered, timing, policy)
                if delay is None:
                    raise
            await async_sleep(delay)
