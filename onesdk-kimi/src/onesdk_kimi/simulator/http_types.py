"""Plain request and response values exchanged by the HTTP server and the app.

No I/O here: the server fills a `Request`, handlers return a `Response` or `StreamResponse`.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"
SSE_TYPE = "text/event-stream"


@dataclass(frozen=True)
class Request:
    """One received HTTP request; header names are lower-case."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    query_items: tuple[tuple[str, str], ...] = ()
    json: Any = None
    json_error: str | None = None
    http_version: str = "HTTP/1.1"


@dataclass
class Response:
    """A complete response with a known body."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class StreamResponse:
    """A response whose body is produced piece by piece (SSE)."""

    status: int
    chunks: AsyncIterator[bytes]
    headers: dict[str, str] = field(default_factory=dict)


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as Kimi sends it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with Kimi's content type."""
    all_headers = {"Content-Type": JSON_TYPE}
    all_headers.update(headers or {})
    return Response(status, dumps(value), all_headers)


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; Kimi's parser rejects them too.
    raise ValueError(f"invalid JSON constant {name}")


def parse_json(body: bytes) -> tuple[Any, str | None]:
    """Parse a body as strict JSON: (value, None) or (None, error text)."""
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant), None
    except (UnicodeDecodeError, ValueError) as exc:
        return None, str(exc)


def new_request_id() -> str:
    """A UUID1-shaped id like Kimi's `Msh-Request-Id` (random node, no MAC address)."""
    # An explicit clock_seq keeps uuid1 off the global `random`, which the server thread
    # would otherwise share with the application (and hypothesis, in tests) it runs inside.
    return str(
        uuid.uuid1(node=secrets.randbits(48) | 0x010000000000, clock_seq=secrets.randbits(14))
    )
