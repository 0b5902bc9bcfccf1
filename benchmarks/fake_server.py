"""A minimal, fast fake of Kimi's chat endpoint on loopback, for the client benchmarks.

Fixed replies built once; keep-alive HTTP/1.1 on a bare asyncio protocol, so it costs little.

Routes (POST only; the JSON body is not parsed, only searched for ``"stream": true``):

- ``/v1/chat/completions``: a fixed Kimi completion, or a ``--chunks``-event SSE stream.
- ``/short/v1/chat/completions``: the same, with a ``--short-chunks``-event stream
  (the many-concurrent-streams figure uses it).

Streams use Kimi's framing: ``data: {chunk}\\n\\n`` per event, usage inside the last choice,
then ``data: [DONE]\\n\\n``; each event is one HTTP/1.1 chunk (``Transfer-Encoding: chunked``).
Run: ``python benchmarks/fake_server.py --port 0``; it prints ``PORT <n>`` once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import sys

HOST = "127.0.0.1"
MODEL = "kimi-k2-turbo-preview"
CREATED = 1_764_000_000
REQUEST_ID = "msh-bench-0001"

_STREAM_RE = re.compile(rb'"stream"\s*:\s*true')
_CONTENT_LENGTH_RE = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


def completion_body() -> bytes:
    """A fixed non-stream Kimi chat completion (usage with ``cached_tokens`` at the top)."""
    text = "Hello! I am Kimi. " * 8
    body = {
        "id": "chatcmpl-bench0000000000000000001",
        "object": "chat.completion",
        "created": CREATED,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text.strip()},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 19,
            "completion_tokens": 48,
            "total_tokens": 67,
            "cached_tokens": 0,
        },
    }
    return json.dumps(body, separators=(",", ":")).encode()


def stream_events(n_chunks: int) -> list[bytes]:
    """``n_chunks`` SSE events (role first, usage in the last choice) plus ``[DONE]``."""
    events: list[bytes] = []
    base = {
        "id": "chatcmpl-bench0000000000000000002",
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": MODEL,
    }
    for i in range(n_chunks):
        if i == 0:
            choice: dict[str, object] = {
                "index": 0,
                "delta": {"role": "assistant", "content": ""},
                "finish_reason": None,
            }
        elif i == n_chunks - 1:
            choice = {
                "index": 0,
                "delta": {},
                "finish_reason": "stop",
                "usage": {
                    "prompt_tokens": 19,
                    "completion_tokens": n_chunks - 2,
                    "total_tokens": n_chunks + 17,
                    "cached_tokens": 0,
                },
            }
        else:
            choice = {"index": 0, "delta": {"content": f" word{i}"}, "finish_reason": None}
        data = json.dumps({**base, "choices": [choice]}, separators=(",", ":"))
        events.append(f"data: {data}\n\n".encode())
    events.append(b"data: [DONE]\n\n")
    return events


def _chunked(events: list[bytes]) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(event), event) for event in events]
    parts.append(b"0\r\n\r\n")
    return b"".join(parts)


def build_responses(n_chunks: int, n_short: int) -> dict[tuple[bytes, bool], bytes]:
    """Whole HTTP responses, keyed by (path, stream)."""
    body = completion_body()
    plain = (
        b"HTTP/1.1 200 OK\r\n"
        b"Content-Type: application/json; charset=utf-8\r\n"
        b"Msh-Request-Id: " + REQUEST_ID.encode() + b"\r\n"
        b"Connection: keep-alive\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    ) + body
    head = (
        b"HTTP/1.1 200 OK\r\n"
        b"Content-Type: text/event-stream; charset=utf-8\r\n"
        b"Cache-Control: no-cache\r\n"
        b"Msh-Request-Id: " + REQUEST_ID.encode() + b"\r\n"
        b"Connection: keep-alive\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    long_stream = head + _chunked(stream_events(n_chunks))
    short_stream = head + _chunked(stream_events(n_short))
    responses: dict[tuple[bytes, bool], bytes] = {}
    for prefix, stream in ((b"", long_stream), (b"/short", short_stream)):
        responses[(prefix + b"/v1/chat/completions", False)] = plain
        responses[(prefix + b"/v1/chat/completions", True)] = stream
    return responses


_NOT_FOUND_BODY = b'{"error":{"type":"resource_not_found_error","message":"no such route"}}'
NOT_FOUND = (
    b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(_NOT_FOUND_BODY), _NOT_FOUND_BODY)
)


class _Conn(asyncio.Protocol):
    """One keep-alive connection: parse request heads, skip bodies, write fixed replies."""

    def __init__(self, responses: dict[tuple[bytes, bool], bytes]) -> None:
        self._responses = responses
        self._buf = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end])
            match = _CONTENT_LENGTH_RE.search(head)
            length = int(match.group(1)) if match else 0
            total = end + 4 + length
            if len(buf) < total:
                return
            body = bytes(buf[end + 4 : total])
            del buf[:total]
            path = head[head.find(b" ") + 1 : head.find(b" HTTP/")]
            path = path.split(b"?", 1)[0]
            reply = self._responses.get((path, bool(_STREAM_RE.search(body))), NOT_FOUND)
            assert self._transport is not None
            self._transport.write(reply)


async def serve(port: int, n_chunks: int, n_short: int) -> None:
    responses = build_responses(n_chunks, n_short)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: _Conn(responses), HOST, port, backlog=4096, reuse_address=True
    )
    bound = server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--chunks", type=int, default=2000, help="events in a long stream")
    parser.add_argument("--short-chunks", type=int, default=20, help="events in a short stream")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.port, args.chunks, args.short_chunks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
