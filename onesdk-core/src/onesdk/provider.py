"""The sans-I/O provider protocol: providers build request descriptions and parse replies.

A provider never touches the network; ``transport.py`` runs its ``Call``s, sync or async.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from .errors import InvokeError, InvokeResponseError, InvokeUnsupportedError
from .sse import SSEEvent
from .types import ChatChunk, ChatResponse, Message, ModelInfo

__all__ = [
    "BASE_CAPABILITIES",
    "PROTOCOL_VERSION",
    "STREAM_END",
    "Call",
    "Provider",
    "ProviderSettings",
    "Request",
    "Response",
    "StreamCall",
    "StreamEnd",
]

T = TypeVar("T")

#: Bumped when the provider protocol changes incompatibly; the registry refuses mismatches.
PROTOCOL_VERSION = 1

#: Operations every provider offers.
BASE_CAPABILITIES = frozenset({"generate", "stream_generate", "count_tokens", "list_models"})


@dataclass(frozen=True)
class Request:
    """What to send: the transport adds base URL, auth and default headers."""

    method: str
    path: str
    json: Any = None
    params: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None
    files: Mapping[str, tuple[str, bytes, str]] | None = None
    data: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Response:
    """What came back: status, lower-cased headers and the raw body."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes
    request_id: str | None = None

    def json(self) -> Any:
        """The decoded JSON body; an ``InvokeResponseError`` when it is not JSON."""
        try:
            return json.loads(self.content)
        except (ValueError, RecursionError) as exc:
            snippet = self.content[:200].decode("utf-8", "replace")
            raise InvokeResponseError(
                f"expected a JSON body, got {snippet!r}",
                status_code=self.status_code,
                request_id=self.request_id,
            ) from exc


class StreamEnd:
    """Returned by ``StreamCall.parse_event`` for the event that ends a stream."""


STREAM_END = StreamEnd()


@dataclass(frozen=True)
class Call(Generic[T]):
    """One operation: the request to send and how to read its successful response."""

    operation: str
    request: Request
    parse: Callable[[Response], T]


@dataclass(frozen=True)
class StreamCall:
    """A streamed operation: each SSE event becomes a chunk, ``None`` (skip) or the end."""

    operation: str
    request: Request
    parse_event: Callable[[SSEEvent], ChatChunk | StreamEnd | None]
    #: When true, a stream that closes without the end event is an error, not a success.
    requires_end: bool = True


@dataclass(frozen=True)
class ProviderSettings:
    """The non-secret settings a provider may read (the API key stays in the transport)."""

    base_url: str
    model: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


class Provider:
    """Base class for providers. Subclass it, set the class attributes, implement the calls.

    ``capabilities`` names the operations offered; the client raises
    ``InvokeUnsupportedError`` for the others before calling the provider.
    """

    name: ClassVar[str] = ""
    protocol_version: ClassVar[int] = PROTOCOL_VERSION
    default_base_url: ClassVar[str] = ""
    api_key_env: ClassVar[str | None] = None
    base_url_env: ClassVar[str | None] = None
    #: Response header carrying the provider's request id.
    request_id_header: ClassVar[str | None] = None
    #: Message roles this provider accepts.
    roles: ClassVar[frozenset[str]] = frozenset({"system", "user", "assistant", "tool"})
    capabilities: ClassVar[frozenset[str]] = BASE_CAPABILITIES
    #: "module:function" serving a local fake of this provider (``onesdk simulate NAME``);
    #: the function takes ``argv: list[str]`` and returns an exit code.
    simulator: ClassVar[str | None] = None

    def __init__(self, settings: ProviderSettings) -> None:
        self.settings = settings

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} base_url={self.settings.base_url!r}>"

    # --- authentication and errors ----------------------------------------------------------

    def auth_headers(self, api_key: str) -> dict[str, str]:
        """Headers that authenticate a request. Called once per client."""
        return {"Authorization": f"Bearer {api_key}"}

    def parse_error(self, response: Response) -> InvokeError:
        """Turn an error response into the right ``InvokeError`` subclass."""
        raise NotImplementedError

    # --- base protocol ----------------------------------------------------------------------

    def generate(
        self, model: str, messages: Sequence[Message], params: Mapping[str, Any]
    ) -> Call[ChatResponse]:
        raise NotImplementedError

    def stream_generate(
        self, model: str, messages: Sequence[Message], params: Mapping[str, Any]
    ) -> StreamCall:
        raise NotImplementedError

    def count_tokens(self, model: str, messages: Sequence[Message]) -> Call[int]:
        raise NotImplementedError

    def list_models(self) -> Call[list[ModelInfo]]:
        raise NotImplementedError

    # --- helpers ----------------------------------------------------------------------------

    def unsupported(self, operation: str) -> InvokeUnsupportedError:
        """The error for an operation this provider does not offer."""
        return InvokeUnsupportedError(
            f"provider {self.name!r} does not support {operation}()", provider=self.name
        )
