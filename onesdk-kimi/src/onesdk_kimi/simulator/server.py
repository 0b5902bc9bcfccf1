"""A minimal asyncio HTTP/1.1 server: keep-alive, sized or chunked bodies, streamed replies.

One task per connection (no threads), so hundreds of concurrent SSE streams stay cheap.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .faults import BrokenResponse
from .http_types import (
    JSON_TYPE,
    Request,
    Response,
    StreamResponse,
    dumps,
    new_request_id,
    parse_json,
)

logger = logging.getLogger("onesdk.kimi.simulator")

Handler = Callable[[Request], Awaitable[Response | StreamResponse | BrokenResponse]]

MAX_LINE = 64 * 1024
MAX_HEADERS = 100
DEFAULT_MAX_BODY = 128 * 1024 * 1024
DEFAULT_IDLE_TIMEOUT = 75.0


class _ProtocolError(Exception):
    """The client sent something that is not valid HTTP/1.1."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class HttpServer:
    """Serves `handler` on a TCP socket until `close()`."""

    def __init__(
        self,
        handler: Handler,
        *,
        max_body: int = DEFAULT_MAX_BODY,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        self._handler = handler
        self._max_body = max_body
        self._idle_timeout = idle_timeout
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    async def start(self, host: str, port: int) -> int:
        """Bind and listen; return the bound port."""
        # A large backlog so a burst of hundreds of connects is not dropped (SYN retry = 1 s).
        self._server = await asyncio.start_server(
            self._serve, host, port, backlog=2048, limit=MAX_LINE
        )
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop listening and drop every open connection."""
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._converse(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; nothing to answer
        except asyncio.CancelledError:
            # Only close() cancels these tasks; ending quietly keeps asyncio from logging
            # the cancellation as an error from the stream callback (Python < 3.12).
            pass
        finally:
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answer requests on one connection until it should close."""
        while True:
            try:
                request = await self._read_request(reader, writer)
            except _ProtocolError as exc:
                body = {"error": {"message": str(exc), "type": "invalid_request_error"}}
                headers = {"Msh-Request-Id": new_request_id()}
                await _write_full(writer, Response(exc.status, dumps(body), headers), False)
                return
            if request is None:
                return
            keep_alive = _wants_keep_alive(request)
            response = await self._handler(request)
            if isinstance(response, BrokenResponse):
                await _write_broken(writer, response)
                return
            if isinstance(response, StreamResponse):
                await _write_stream(writer, request, response)
                keep_alive = keep_alive and request.http_version == "HTTP/1.1"
            else:
                await _write_full(writer, response, keep_alive)
            if not keep_alive:
                return

    async def _read_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> Request | None:
        try:
            # An idle keep-alive connection is closed after a while, as nginx does.
            line = await asyncio.wait_for(_read_line(reader), self._idle_timeout)
            while line == b"\r\n":  # tolerate stray CRLF between requests (RFC 9112 2.2)
                line = await _read_line(reader)
        except asyncio.TimeoutError:
            return None
        if not line:
            return None
        parts = line.decode("latin-1").strip().split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _ProtocolError(400, "Malformed request line")
        method, target, version = parts
        headers = await _read_headers(reader)
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await writer.drain()
        body = await self._read_body(reader, headers)
        split = urlsplit(target)
        items = tuple(parse_qsl(split.query, keep_blank_values=True))
        value, error = (None, None)
        if body and not headers.get("content-type", "").startswith("multipart/"):
            value, error = parse_json(body)
        return Request(
            method=method.upper(),
            path=unquote(split.path) or "/",
            query=dict(items),
            headers=headers,
            body=body,
            query_items=items,
            json=value,
            json_error=error,
            http_version=version,
        )

    async def _read_body(self, reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return await self._read_chunked(reader)
        raw_length = headers.get("content-length", "0").strip() or "0"
        if not raw_length.isdigit():
            raise _ProtocolError(400, "Invalid Content-Length")
        length = int(raw_length)
        if length > self._max_body:
            raise _ProtocolError(413, "Request Entity Too Large")
        return await reader.readexactly(length) if length else b""

    async def _read_chunked(self, reader: asyncio.StreamReader) -> bytes:
        body = bytearray()
        while True:
            size_line = (await _read_line(reader)).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise _ProtocolError(400, "Invalid chunk size") from None
            if size == 0:
                await _read_headers(reader)  # trailers, ignored
                return bytes(body)
            if len(body) + size > self._max_body:
                raise _ProtocolError(413, "Request Entity Too Large")
            body += await reader.readexactly(size)
            await reader.readexactly(2)


async def _read_line(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.readline()
    except ValueError:  # line longer than the reader limit
        raise _ProtocolError(431, "Request Header Fields Too Large") from None


async def _read_headers(reader: asyncio.StreamReader) -> dict[str, str]:
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADERS + 1):
        line = await _read_line(reader)
        if not line:
            raise asyncio.IncompleteReadError(b"", None)
        if line in (b"\r\n", b"\n"):
            return headers
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep or not name.strip():
            raise _ProtocolError(400, "Malformed header line")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    raise _ProtocolError(431, "Too many headers")


def _wants_keep_alive(request: Request) -> bool:
    connection = request.headers.get("connection", "").lower()
    if request.http_version == "HTTP/1.0":
        return "keep-alive" in connection
    return "close" not in connection


def _head(status: int, headers: dict[str, str]) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _write_full(writer: asyncio.StreamWriter, response: Response, keep_alive: bool) -> None:
    headers = {"Content-Type": JSON_TYPE, **response.headers}
    headers["Content-Length"] = str(len(response.body))
    headers["Connection"] = "keep-alive" if keep_alive else "close"
    writer.write(_head(response.status, headers) + response.body)
    await writer.drain()


async def _write_stream(
    writer: asyncio.StreamWriter, request: Request, response: StreamResponse
) -> None:
    # HTTP/1.1 clients get chunked framing (keeps the connection reusable);
    # HTTP/1.0 clients get a close-delimited body.
    chunked = request.http_version == "HTTP/1.1"
    headers = dict(response.headers)
    headers["Cache-Control"] = "no-cache"
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
        headers["Connection"] = "keep-alive" if _wants_keep_alive(request) else "close"
    else:
        headers["Connection"] = "close"
    writer.write(_head(response.status, headers))
    try:
        async for piece in response.chunks:
            if not piece:
                continue
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
        await writer.drain()
    finally:
        aclose = getattr(response.chunks, "aclose", None)
        if aclose is not None:
            await aclose()


async def _write_broken(writer: asyncio.StreamWriter, response: BrokenResponse) -> None:
    """A scripted broken answer: its head (if any) and pieces as given; the caller closes."""
    if response.send_head:
        writer.write(_head(response.status, response.headers))
    if response.pieces is not None:
        async for piece in response.pieces:
            writer.write(piece)
            await writer.drain()
    await writer.drain()
