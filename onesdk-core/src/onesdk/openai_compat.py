"""A base provider for OpenAI-style chat APIs: subclass, name it, give its error table.

Builds ``/chat/completions`` and ``/models`` calls and parses their replies and SSE chunks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pydantic import ValidationError

from .errors import (
    InvokeAuthorizationError,
    InvokeBadRequestError,
    InvokeError,
    InvokeNotFoundError,
    InvokeRateLimitError,
    InvokeResponseError,
    InvokeServerUnavailableError,
)
from .provider import STREAM_END, Call, Provider, Request, Response, StreamCall, StreamEnd
from .sse import SSEEvent
from .types import ChatChunk, ChatResponse, Message, ModelInfo

__all__ = ["OPENAI_CHAT_PARAMS", "OpenAICompatibleProvider", "error_class_for_status"]

#: Chat parameters of the OpenAI wire format; subclasses add or remove their own.
OPENAI_CHAT_PARAMS = frozenset(
    {
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "n",
        "stop",
        "presence_penalty",
        "frequency_penalty",
        "response_format",
        "tools",
        "tool_choice",
        "stream_options",
        "seed",
        "user",
        "logprobs",
        "top_logprobs",
        "parallel_tool_calls",
    }
)


def error_class_for_status(status: int) -> type[InvokeError]:
    """The error class a bare HTTP status maps to when the body says nothing better."""
    if status in (401, 403):
        return InvokeAuthorizationError
    if status == 404:
        return InvokeNotFoundError
    if status == 429:
        return InvokeRateLimitError
    if status in (408, 409) or status >= 500:
        return InvokeServerUnavailableError
    return InvokeBadRequestError


def _retryable_status(status: int) -> bool | None:
    # 408 and 409 are the client's side by number but worth a retry by meaning;
    # 501 and 505 are the server's side by number but never heal.
    if status in (408, 409):
        return True
    return False if status in (501, 505) else None


class OpenAICompatibleProvider(Provider):
    """A provider for any OpenAI-compatible chat API."""

    chat_path: ClassVar[str] = "/chat/completions"
    models_path: ClassVar[str] = "/models"
    chat_params: ClassVar[frozenset[str]] = OPENAI_CHAT_PARAMS
    #: The provider's error ``type`` (or ``code``) to the error class it means.
    error_types: ClassVar[Mapping[str, type[InvokeError]]] = {}
    capabilities = frozenset({"generate", "stream_generate", "list_models"})

    # --- requests ---------------------------------------------------------------------------

    def message_to_wire(self, message: Message) -> dict[str, Any]:
        """One message as the API expects it."""
        return message.model_dump(mode="json", exclude_none=True)

    def check_params(self, params: Mapping[str, Any]) -> None:
        """Refuse unknown parameters by name, before any network call."""
        unknown = sorted(set(params) - self.chat_params - {"stream"})
        if unknown:
            raise InvokeBadRequestError(
                f"unknown parameter(s) for {self.name}: {', '.join(unknown)}. "
                f"Known: {', '.join(sorted(self.chat_params))}; send others with "
                "extra_body={...}",
                provider=self.name,
            )

    def chat_body(
        self, model: str, messages: Sequence[Message], params: Mapping[str, Any], stream: bool
    ) -> dict[str, Any]:
        """The JSON body of a chat request."""
        self.check_params(params)
        body: dict[str, Any] = {
            "model": model,
            "messages": [self.message_to_wire(m) for m in messages],
            **params,
        }
        if stream:
            body["stream"] = True
        else:
            body.pop("stream", None)
        return body

    def generate(
        self, model: str, messages: Sequence[Message], params: Mapping[str, Any]
    ) -> Call[ChatResponse]:
        body = self.chat_body(model, messages, params, stream=False)
        return Call("generate", Request("POST", self.chat_path, json=body), self.parse_chat)

    def stream_generate(
        self, model: str, messages: Sequence[Message], params: Mapping[str, Any]
    ) -> StreamCall:
        body = self.chat_body(model, messages, params, stream=True)
        return StreamCall(
            "stream_generate", Request("POST", self.chat_path, json=body), self.parse_event
        )

    def list_models(self) -> Call[list[ModelInfo]]:
        return Call("list_models", Request("GET", self.models_path), self.parse_models)

    # --- responses --------------------------------------------------------------------------

    def parse_model(self, model_cls: Any, data: Any, what: str, response: Response) -> Any:
        """Validate ``data`` as ``model_cls``; a mismatch is an ``InvokeResponseError``."""
        try:
            return model_cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InvokeResponseError(
                f"malformed {what} from {self.name}: {where}: {first['msg']}",
                provider=self.name,
                status_code=response.status_code,
                request_id=response.request_id,
            ) from None

    def parse_chat(self, response: Response) -> ChatResponse:
        result: ChatResponse = self.parse_model(
            ChatResponse, response.json(), "chat completion", response
        )
        return result

    def parse_models(self, response: Response) -> list[ModelInfo]:
        data = response.json()
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise InvokeResponseError(
                f"malformed model list from {self.name}: no 'data' list",
                provider=self.name,
                request_id=response.request_id,
            )
        return [self.parse_model(ModelInfo, item, "model", response) for item in items]

    def parse_event(self, event: SSEEvent) -> ChatChunk | StreamEnd | None:
        """One SSE event: a chunk, the end marker, or an error raised."""
        data = event.data
        if data == "[DONE]":
            return STREAM_END
        try:
            chunk = ChatChunk.model_validate_json(data)
        except ValidationError:
            return self._bad_event(data)
        extra = chunk.__pydantic_extra__
        if extra and "error" in extra:
            raise self.error_from_body(json.loads(data), None, None)
        return self.normalize_chunk(chunk)

    def _bad_event(self, data: str) -> ChatChunk:
        try:
            payload = json.loads(data)
        except (ValueError, RecursionError):
            raise InvokeResponseError(
                f"malformed stream event from {self.name}: {data[:200]!r}", provider=self.name
            ) from None
        if isinstance(payload, dict) and "error" in payload:
            raise self.error_from_body(payload, None, None)
        raise InvokeResponseError(
            f"unexpected stream event from {self.name}: {data[:200]!r}", provider=self.name
        )

    def normalize_chunk(self, chunk: ChatChunk) -> ChatChunk:
        """Provider-specific fix-ups of one chunk (the base does none)."""
        return chunk

    # --- errors -----------------------------------------------------------------------------

    def parse_error(self, response: Response) -> InvokeError:
        try:
            body = json.loads(response.content) if response.content else None
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict):
            text = response.content[:200].decode("utf-8", "replace").strip()
            cls = error_class_for_status(response.status_code)
            return cls(
                f"HTTP {response.status_code} from {self.name}: {text or 'no body'}",
                provider=self.name,
                status_code=response.status_code,
                request_id=response.request_id,
                retryable=_retryable_status(response.status_code),
            )
        return self.error_from_body(body, response.status_code, response.request_id)

    def error_from_body(
        self, body: Mapping[str, Any], status: int | None, request_id: str | None
    ) -> InvokeError:
        """The error an ``{"error": {"type", "message"}}`` body describes."""
        detail = body.get("error")
        if not isinstance(detail, Mapping):
            detail = {"message": str(detail) if detail else json.dumps(body)[:200]}
        error_type = detail.get("type") or detail.get("code")
        message = str(detail.get("message") or error_type or "unknown error")
        cls = self.error_types.get(str(error_type)) if error_type else None
        if cls is None:
            cls = error_class_for_status(status) if status else InvokeResponseError
        cls = self.refine_error(cls, str(error_type or ""), message)
        return cls(
            message,
            provider=self.name,
            status_code=status,
            error_type=str(error_type) if error_type else None,
            request_id=request_id,
            retry_after=self.retry_after_from_message(message),
            retryable=_retryable_status(status) if status else None,
            body=dict(body),
        )

    def refine_error(
        self, cls: type[InvokeError], error_type: str, message: str
    ) -> type[InvokeError]:
        """Hook for a subclass to pick a finer class when a type covers several cases."""
        return cls

    def retry_after_from_message(self, message: str) -> float | None:
        """Hook: a wait the provider states only in its message text."""
        return None
