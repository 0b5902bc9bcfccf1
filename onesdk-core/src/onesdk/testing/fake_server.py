"""A tiny deterministic OpenAI-style chat server on 127.0.0.1, for testing providers.

Standard library only: it echoes the last user message, streams it as SSE ending in ``[DONE]``,
and answers injected errors on demand. ``python -m onesdk.testing.fake_server`` serves it.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from .target import ConformanceTarget

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_MODEL",
    "ERROR_TYPES",
    "FakeOpenAIServer",
    "RecordedRequest",
    "error_body",
    "main",
]

DEFAULT_API_KEY = "sk-fake"
DEFAULT_MODEL = "echo-1"

#: The error ``type`` this server sends for each status (``"api_error"`` for the others).
ERROR_TYPES: Mapping[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "server_error",
    503: "overloaded_error",
}

_WORDS = re.compile(r"\S+\s*|\s+")


def error_body(status: int, message: str | None = None) -> bytes:
    """The ``{"error": {"type", "message"}}`` body this server sends for ``status``."""
    kind = ERROR_TYPES.get(status, "api_error")
    text = message or f"fake {kind} (HTTP {status})"
    return json.dumps({"error": {"type": kind, "message": text}}).encode()


def _check_loopback(host: str) -> None:
    # The server accepts a well-known key; it must never be reachable from another machine.
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the fake server only listens on loopback, not {host!r}")


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: Mapping[str, str]
    json: Any


@dataclass
class _Fault:
    status: int
    body: bytes
    headers: Mapping[str, str]


@dataclass
class _State:
    api_key: str | None
    models: tuple[str, ...]
    send_done: bool
    hold_open: bool
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    faults: deque[_Fault] = field(default_factory=deque)
    requests: list[RecordedRequest] = field(default_factory=list)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _count_words(text: str) -> int:
    return len(text.split())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "onesdk-fake/1"
    state: _State  # set on the per-server subclass

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests read results, not access logs."""

    def do_GET(self) -> None:
        self._route(None)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self._error(400, "the request body is not JSON")
            return
        self._route(body)

    # --- dispatch -------------------------------------------------------------------------

    def _route(self, body: Any) -> None:
        state = self.state
        headers = {k.lower(): v for k, v in self.headers.items()}
        with state.lock:
            state.requests.append(RecordedRequest(self.command, self.path, headers, body))
            fault = state.faults.popleft() if state.faults else None
        if state.api_key is not None and headers.get("authorization") != f"Bearer {state.api_key}":
            self._error(401, "Incorrect API key provided")
        elif fault is not None:
            self._send(fault.status, fault.body, "application/json", fault.headers)
        elif self.command == "POST" and self.path == "/v1/chat/completions":
            self._chat(body)
        elif self.command == "GET" and self.path == "/v1/models":
            data = [{"id": m, "object": "model", "owned_by": "onesdk-fake"} for m in state.models]
            self._json(200, {"object": "list", "data": data})
        else:
            self._error(404, f"no route for {self.command} {self.path}")

    def _chat(self, body: Any) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("model"), str):
            self._error(400, "the body must be a JSON object with a string 'model'")
            return
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            self._error(400, "'messages' must be a non-empty list")
            return
        model = body["model"]
        if model not in self.state.models:
            self._error(404, f"model {model!r} not found")
            return
        user = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        words = _WORDS.findall(_text_of(user[-1].get("content")) if user else "")
        limit = body.get("max_tokens")
        finish = "stop"
        if isinstance(limit, int) and 0 < limit < len(words):
            words, finish = words[:limit], "length"
        prompt = sum(
            _count_words(_text_of(m.get("content"))) for m in messages if isinstance(m, dict)
        )
        reply = "".join(words)
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": _count_words(reply),
            "total_tokens": prompt + _count_words(reply),
        }
        head = {"id": "chatcmpl-fake", "created": int(time.time()), "model": model}
        if body.get("stream"):
            self._stream(head, words, finish, usage)
            return
        message = {"role": "assistant", "content": reply}
        choice = {"index": 0, "message": message, "finish_reason": finish}
        self._json(200, {**head, "object": "chat.completion", "choices": [choice], "usage": usage})

    # --- replies --------------------------------------------------------------------------

    def _stream(
        self, head: dict[str, Any], words: Sequence[str], finish: str, usage: dict[str, int]
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(delta: dict[str, str], **extra: Any) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "finish_reason": None, **extra}
            return {**head, "object": "chat.completion.chunk", "choices": [choice]}

        events: list[Any] = [chunk({"role": "assistant", "content": ""})]
        events += [chunk({"content": word}) for word in words]
        events.append({**chunk({}, finish_reason=finish), "usage": usage})
        for event in events:
            self._write_chunk(f"data: {json.dumps(event)}\n\n".encode())
        if self.state.send_done:
            self._write_chunk(b"data: [DONE]\n\n")
        if self.state.hold_open:
            # Like a server that keeps the connection: only the end event can end the stream.
            self.state.stopping.wait()
            self.close_connection = True
            return
        self._write_chunk(b"")

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _error(self, status: int, message: str) -> None:
        self._send(status, error_body(status, message), "application/json", {})

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", {})

    def _send(self, status: int, body: bytes, kind: str, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class FakeOpenAIServer:
    """An OpenAI-style chat API on 127.0.0.1, served from a background thread.

    ``with FakeOpenAIServer() as server:`` then point a client at ``server.base_url`` with
    ``server.api_key``. ``api_key=None`` accepts any key; ``send_done=False`` drops the
    final ``data: [DONE]`` of streams; ``hold_open=True`` keeps each stream's connection open
    after its last event until the server stops, so only the end event can end a stream.
    """

    def __init__(
        self,
        *,
        api_key: str | None = DEFAULT_API_KEY,
        models: Iterable[str] = (DEFAULT_MODEL,),
        host: str = "127.0.0.1",
        port: int = 0,
        send_done: bool = True,
        hold_open: bool = False,
    ) -> None:
        _check_loopback(host)
        self.host = host
        self.port = port
        self._state = _State(api_key, tuple(models), send_done, hold_open)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeOpenAIServer:
        """Bind and serve in a daemon thread; returns once the port is known."""
        if self._httpd is not None:
            return self
        self._state.stopping.clear()
        handler = type("FakeOpenAIHandler", (_Handler,), {"state": self._state})
        httpd = ThreadingHTTPServer((self.host, self.port), handler)
        httpd.daemon_threads = True
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket; safe to call twice."""
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        self._state.stopping.set()
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if thread is not None:
            thread.join(5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"

    @property
    def api_key(self) -> str:
        """The key to send (any key works when the server was made with ``api_key=None``)."""
        return self._state.api_key or DEFAULT_API_KEY

    @property
    def models(self) -> tuple[str, ...]:
        return self._state.models

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first."""
        with self._state.lock:
            return list(self._state.requests)

    def clear_requests(self) -> None:
        with self._state.lock:
            self._state.requests.clear()

    def fail_next(
        self,
        status: int,
        body: bytes | None = None,
        *,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` authenticated requests with ``status`` and ``body``.

        ``body`` defaults to :func:`error_body` of ``status``.
        """
        fault = _Fault(status, error_body(status) if body is None else body, dict(headers or {}))
        with self._state.lock:
            self._state.faults.extend([fault] * times)

    def target(self, model: str | None = None) -> ConformanceTarget:
        """Where the conformance kit should send its calls: this server and ``model``."""
        return ConformanceTarget(self.base_url, self.api_key, model or self.models[0])


def main(argv: list[str] | None = None) -> int:
    """Serve in the foreground until Ctrl-C (``onesdk simulate echo`` calls this)."""
    parser = argparse.ArgumentParser(
        prog="python -m onesdk.testing.fake_server",
        description="Serve a deterministic OpenAI-style echo API on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--model", action="append", dest="models", help="repeatable")
    args = parser.parse_args(argv)
    try:
        server = FakeOpenAIServer(
            api_key=args.api_key,
            models=args.models or (DEFAULT_MODEL,),
            host=args.host,
            port=args.port,
        ).start()
    except (OSError, ValueError) as exc:
        print(f"cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"fake OpenAI-style server on {server.base_url} (key {server.api_key})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
