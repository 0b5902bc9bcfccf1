"""Fault injection: scripted failures per request (a header) or per server (a queue).

Faults break an answer the way real networks and gateways do, so clients' error paths can be tested.

Per request: send ``X-Kimi-Sim-Fault: <name>[;param=value...]`` (with the SDK:
``extra_headers={"X-Kimi-Sim-Fault": "slow;delay=2"}``); every request carrying it fails.
Per server: ``sim.inject(name, times=N, path=None, **params)`` fails the next ``N``
authenticated requests (to ``path``, e.g. ``"/v1/chat/completions"``, if given); the name may
carry parameters too (``sim.inject("rate_limit;retry_after=0")``). A header wins over the queue.

Names and parameters (defaults in brackets):

``error``           ``status`` [500], ``type`` [server_error], ``message``: Kimi's error body
                    ``{"error": {"message", "type"}}`` with that status.
``rate_limit``      ``retry_after`` [1] (seconds or an HTTP date, sent verbatim): 429
                    ``rate_limit_reached_error`` with a ``Retry-After`` header.
``overloaded``      429 ``engine_overloaded_error`` (capacity, not your quota).
``quota``           429 ``exceeded_current_quota_error`` (out of credit; not retryable).
``html_502``        502 with an HTML page (``text/html``), as a proxy in front of the API sends.
``slow``            ``delay`` [1.0] seconds before the response headers (then the real answer).
``drop``            close the connection after reading the request, answering nothing.
``disconnect``      the real answer broken off: a JSON body after half its bytes (headers
                    promise all of them); a stream after ``after`` [1] chunks, without the
                    chunked-encoding terminator. Both then close the connection.
``truncate``        the real answer cut but cleanly framed: a JSON body's first half with a
                    matching ``Content-Length``; a stream's events without ``data: [DONE]``
                    (after ``after`` chunks when given), then a proper end of the body.
``malformed_json``  a 200 whose JSON body (or a stream's first event) is not JSON.
``oversized``       ``size`` [8 MiB + 1]: a JSON body padded with ``size`` spaces (still valid
                    JSON); a stream whose first event is one ``data:`` line of ``size`` bytes.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field

from .errors import ApiError
from .http_types import Request, Response, StreamResponse

__all__ = [
    "FAULT_HEADER",
    "FAULT_NAMES",
    "BrokenResponse",
    "Fault",
    "FaultQueue",
    "apply_after",
    "apply_before",
    "parse_fault",
]

FAULT_HEADER = "x-kimi-sim-fault"
DEFAULT_OVERSIZE = 8 * 1024 * 1024 + 1
_HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_PARAMS: Mapping[str, frozenset[str]] = {
    "error": frozenset({"status", "type", "message"}),
    "rate_limit": frozenset({"retry_after", "message"}),
    "overloaded": frozenset(),
    "quota": frozenset(),
    "html_502": frozenset(),
    "slow": frozenset({"delay"}),
    "drop": frozenset(),
    "disconnect": frozenset({"after"}),
    "truncate": frozenset({"after"}),
    "malformed_json": frozenset(),
    "oversized": frozenset({"size"}),
}
FAULT_NAMES = frozenset(_PARAMS)


@dataclass(frozen=True)
class Fault:
    """One named fault with its parameters (strings, as a header carries them)."""

    name: str
    params: Mapping[str, str] = field(default_factory=dict)
    path: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def number(self, key: str, default: float) -> float:
        """A numeric parameter; a bad value is the client's mistake (400)."""
        raw = self.params.get(key)
        if raw is None:
            return default
        try:
            return float(raw)
        except ValueError:
            raise _bad(f"parameter {key}={raw!r} of fault {self.name!r} is not a number") from None


def _bad(message: str) -> ApiError:
    return ApiError(400, "invalid_request_error", f"Invalid simulator fault: {message}")


def parse_fault(
    text: str,
    params: Mapping[str, object] | None = None,
    path: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Fault:
    """``"name;key=value;..."`` plus keyword ``params`` as a checked ``Fault``."""
    name, *pairs = (part.strip() for part in text.split(";"))
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise _bad(f"expected key=value, got {pair!r}")
        values[key.strip()] = value.strip()
    values.update({key: str(value) for key, value in (params or {}).items()})
    if name not in _PARAMS:
        raise _bad(f"unknown fault {name!r}; known: {', '.join(sorted(_PARAMS))}")
    unknown = sorted(set(values) - _PARAMS[name])
    if unknown:
        raise _bad(f"fault {name!r} takes no parameter(s) {', '.join(unknown)}")
    return Fault(name, values, path, dict(headers or {}))


class FaultQueue:
    """Thread-safe queue of server-side faults, consumed in order by matching requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()

    def add(self, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` matching requests."""
        with self._lock:
            self._queue.extend([fault] * times)

    def clear(self) -> None:
        """Drop all queued faults."""
        with self._lock:
            self._queue.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._queue)

    def take(self, request: Request) -> Fault | None:
        """The fault for ``request``: its header's, else the first queued one for its path."""
        header = request.headers.get(FAULT_HEADER)
        if header:
            return parse_fault(header)
        with self._lock:
            for fault in self._queue:
                if fault.path is None or fault.path == request.path:
                    self._queue.remove(fault)
                    return fault
        return None


@dataclass
class BrokenResponse:
    """Bytes written as they are after an optional head; the connection then closes.

    ``pieces`` are sent verbatim (already chunk-framed when the head says chunked).
    """

    status: int
    headers: dict[str, str]
    pieces: AsyncIterator[bytes] | None = None
    send_head: bool = True


async def apply_before(fault: Fault) -> Response | BrokenResponse | None:
    """An answer that replaces the handler's, or None to go on (after any delay)."""
    name = fault.name
    if name == "error":
        status = int(fault.number("status", 500))
        kind = fault.params.get("type", "server_error")
        message = fault.params.get("message", "Internal server error (simulated)")
        raise ApiError(status, kind, message, dict(fault.headers))
    if name == "rate_limit":
        wait = fault.params.get("retry_after", "1")
        message = fault.params.get(
            "message",
            "Your account org-simulator<ak-simulator> request reached organization max RPM: 3, "
            f"please try again after {wait} seconds",
        )
        headers = {"Retry-After": wait, **fault.headers}
        raise ApiError(429, "rate_limit_reached_error", message, headers)
    if name == "overloaded":
        message = "The engine is currently overloaded, please try again later"
        raise ApiError(429, "engine_overloaded_error", message, dict(fault.headers))
    if name == "quota":
        message = "You exceeded your current token quota: <org-simulator> 0.00000, please check"
        raise ApiError(429, "exceeded_current_quota_error", message + " your account balance")
    if name == "html_502":
        return Response(502, _HTML_502, {"Content-Type": "text/html", **fault.headers})
    if name == "slow":
        await asyncio.sleep(max(fault.number("delay", 1.0), 0.0))
    if name == "drop":
        return BrokenResponse(0, {}, send_head=False)
    return None


def apply_after(
    fault: Fault, response: Response | StreamResponse
) -> Response | StreamResponse | BrokenResponse:
    """The handler's ``response`` broken as ``fault`` says (unchanged for other faults)."""
    transform = _AFTER.get(fault.name)
    if transform is None:
        return response
    if isinstance(response, StreamResponse):
        return transform[1](fault, response)
    return transform[0](fault, response)


# --- JSON bodies ----------------------------------------------------------------------------


def _disconnect_body(fault: Fault, response: Response) -> BrokenResponse:
    headers = {**response.headers, "Content-Length": str(len(response.body))}
    headers["Connection"] = "close"
    return BrokenResponse(
        response.status, headers, _pieces([response.body[: len(response.body) // 2]])
    )


def _truncate_body(fault: Fault, response: Response) -> Response:
    return Response(response.status, response.body[: len(response.body) // 2], response.headers)


def _malformed_body(fault: Fault, response: Response) -> Response:
    return Response(response.status, b'{"id": "chatcmpl-broken", "choices": [', response.headers)


def _oversized_body(fault: Fault, response: Response) -> Response:
    size = int(fault.number("size", DEFAULT_OVERSIZE))
    return Response(response.status, response.body + b" " * size, response.headers)


# --- streams --------------------------------------------------------------------------------


async def _pieces(items: list[bytes]) -> AsyncIterator[bytes]:
    for item in items:
        yield item


async def _close(chunks: AsyncIterator[bytes]) -> None:
    aclose = getattr(chunks, "aclose", None)
    if aclose is not None:
        await aclose()


def _frame(piece: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(piece), piece)


def _disconnect_stream(fault: Fault, response: StreamResponse) -> BrokenResponse:
    after = int(fault.number("after", 1))

    async def pieces() -> AsyncIterator[bytes]:
        sent = 0
        try:
            async for piece in response.chunks:
                if sent >= after:
                    break
                if piece:
                    sent += 1
                    yield _frame(piece)
        finally:
            await _close(response.chunks)

    headers = {**response.headers, "Transfer-Encoding": "chunked", "Connection": "close"}
    headers["Cache-Control"] = "no-cache"
    return BrokenResponse(response.status, headers, pieces())


def _truncate_stream(fault: Fault, response: StreamResponse) -> StreamResponse:
    after = int(fault.number("after", -1))

    async def chunks() -> AsyncIterator[bytes]:
        sent = 0
        try:
            async for piece in response.chunks:
                if piece.startswith(b"data: [DONE]") or sent == after:
                    break
                sent += 1
                yield piece
        finally:
            await _close(response.chunks)

    return StreamResponse(response.status, chunks(), response.headers)


def _replace_first_event(response: StreamResponse, first: bytes) -> StreamResponse:
    async def chunks() -> AsyncIterator[bytes]:
        try:
            yield first
            async for piece in response.chunks:
                yield piece
        finally:
            await _close(response.chunks)

    return StreamResponse(response.status, chunks(), response.headers)


def _malformed_stream(fault: Fault, response: StreamResponse) -> StreamResponse:
    return _replace_first_event(response, b'data: {"id": "chatcmpl-broken", "choices": [\n\n')


def _oversized_stream(fault: Fault, response: StreamResponse) -> StreamResponse:
    size = int(fault.number("size", DEFAULT_OVERSIZE))
    return _replace_first_event(response, b"data: " + b"x" * size + b"\n\n")


_BodyFault = Callable[[Fault, Response], "Response | BrokenResponse"]
_StreamFault = Callable[[Fault, StreamResponse], "StreamResponse | BrokenResponse"]
_AFTER: Mapping[str, tuple[_BodyFault, _StreamFault]] = {
    "disconnect": (_disconnect_body, _disconnect_stream),
    "truncate": (_truncate_body, _truncate_stream),
    "malformed_json": (_malformed_body, _malformed_stream),
    "oversized": (_oversized_body, _oversized_stream),
}
