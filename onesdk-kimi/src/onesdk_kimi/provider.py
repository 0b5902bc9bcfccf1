"""KimiProvider: Kimi's chat, token counting and models as sans-I/O request builders/parsers.

Kimi is OpenAI-compatible for chat; what is its own (usage inside stream choices, the
estimate endpoint, error types, cache messages) is overridden here. Wire facts: kimi-api.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from onesdk.errors import InvokeBadRequestError, InvokeError, InvokeResponseError
from onesdk.openai_compat import OpenAICompatibleProvider
from onesdk.provider import Call, Request, Response, StreamCall, StreamEnd
from onesdk.resources import BATCH_OPERATIONS, CACHE_OPERATIONS, FILE_OPERATIONS
from onesdk.sse import SSEEvent
from onesdk.types import ChatChunk, ChatResponse, Message, remember_prefill

from .batches import BatchCalls
from .caching import CachingCalls
from .errors import KIMI_ERROR_TYPES, refine_kimi_error, retry_after_from_message
from .files import FileCalls
from .params import KIMI_CHAT_PARAMS, SDK_CHAT_PARAMS, check_kimi_params, check_kimi_request

__all__ = ["CHINA_BASE_URL", "INTERNATIONAL_BASE_URL", "KimiProvider", "partial_prefix"]

CHINA_BASE_URL = "https://api.moonshot.cn/v1"
#: For keys from platform.moonshot.ai / platform.kimi.ai: ``{"base_url": INTERNATIONAL_BASE_URL}``.
INTERNATIONAL_BASE_URL = "https://api.moonshot.ai/v1"


def partial_prefix(messages: Sequence[Message]) -> str | None:
    """Partial mode: the text of a last assistant message sent with ``partial=True``.

    Kimi replies with only the continuation; responses keep this as ``prefill``, and
    ``full_text`` is prefix + continuation (kimi-api.md §10.3).
    """
    last = messages[-1] if messages else None
    if last is None or last.role != "assistant" or not last.partial:
        return None
    return last.text


class KimiProvider(BatchCalls, CachingCalls, FileCalls, OpenAICompatibleProvider):
    """Kimi by Moonshot AI."""

    name = "kimi"
    default_base_url = CHINA_BASE_URL
    api_key_env = "MOONSHOT_API_KEY"
    base_url_env = "MOONSHOT_BASE_URL"
    request_id_header = "msh-request-id"
    roles = frozenset({"system", "user", "assistant", "tool", "cache"})
    capabilities = (
        frozenset({"generate", "stream_generate", "count_tokens", "list_models", "get_balance"})
        | CACHE_OPERATIONS
        | FILE_OPERATIONS
        | BATCH_OPERATIONS
    )
    chat_params = KIMI_CHAT_PARAMS
    error_types = KIMI_ERROR_TYPES
    simulator = "onesdk_kimi.simulator.__main__:main"
    estimate_path: ClassVar[str] = "/tokenizers/estimate-token-count"

    # --- chat -------------------------------------------------------------------------------

    def chat_body(
        self, model: str, messages: Sequence[Message], params: Mapping[str, Any], stream: bool
    ) -> dict[str, Any]:
        self.check_params(params)
        check_kimi_params(params)
        check_kimi_request(model, messages, params)
        sdk = {k: params[k] for k in SDK_CHAT_PARAMS if k in params}
        wire = {k: v for k, v in params.items() if k not in SDK_CHAT_PARAMS}
        body = super().chat_body(model, messages, wire, stream)
        cache_message = self.cache_message(**sdk)
        if cache_message is not None:
            if body.get("tools") is not None:
                raise InvokeBadRequestError(
                    "tools cannot be sent with context_id: a context cache carries its own "
                    "tools; create the cache with tools=... instead",
                    provider=self.name,
                )
            body.pop("tools", None)
            body["messages"].insert(0, cache_message)
        return body

    def generate(
        self, model: str, messages: Sequence[Message], params: Mapping[str, Any]
    ) -> Call[ChatResponse]:
        call = super().generate(model, messages, params)
        prefill = partial_prefix(messages)
        if prefill is None:
            return call

        def parse(response: Response) -> ChatResponse:
            result = call.parse(response)
            remember_prefill(result, prefill)
            return result

        return Call(call.operation, call.request, parse)

    def stream_generate(
        self, model: str, messages: Sequence[Message], params: Mapping[str, Any]
    ) -> StreamCall:
        call = super().stream_generate(model, messages, params)
        prefill = partial_prefix(messages)
        if prefill is None:
            return call

        def parse_event(event: SSEEvent) -> ChatChunk | StreamEnd | None:
            chunk = call.parse_event(event)
            if isinstance(chunk, ChatChunk):
                remember_prefill(chunk, prefill)
            return chunk

        return StreamCall(call.operation, call.request, parse_event, call.requires_end)

    def cache_message(
        self,
        context_id: str | None = None,
        cache_tag: str | None = None,
        reset_ttl: int | None = None,
        dry_run: bool | None = None,
    ) -> dict[str, str] | None:
        """The leading ``role: cache`` message that makes Kimi use a context cache."""
        if context_id is None and cache_tag is None:
            if reset_ttl is not None or dry_run is not None:
                raise InvokeBadRequestError(
                    "reset_ttl and dry_run need context_id or cache_tag", provider=self.name
                )
            return None
        if context_id is not None and cache_tag is not None:
            raise InvokeBadRequestError(
                "give context_id or cache_tag, not both", provider=self.name
            )
        ref = context_id if context_id is not None else cache_tag
        if not isinstance(ref, str) or not ref or ";" in ref or "=" in ref:
            raise InvokeBadRequestError(
                f"{'context_id' if context_id is not None else 'cache_tag'} must be a cache id "
                f"or tag string, got {ref!r}",
                provider=self.name,
            )
        parts = [f"cache_id={ref}" if context_id is not None else f"tag={ref}"]
        if reset_ttl is not None:
            if isinstance(reset_ttl, bool) or not isinstance(reset_ttl, int) or reset_ttl < 0:
                raise InvokeBadRequestError(
                    f"reset_ttl must be a whole number of seconds >= 0, got {reset_ttl!r}",
                    provider=self.name,
                )
            parts.append(f"reset_ttl={reset_ttl}")
        if dry_run:
            parts.append("dry_run=1")
        return {"role": "cache", "content": ";".join(parts)}

    def normalize_chunk(self, chunk: ChatChunk) -> ChatChunk:
        # Kimi puts usage inside the choice's final chunk; surface it where users look.
        if chunk.usage is None:
            for choice in chunk.choices:
                if choice.usage is not None:
                    chunk.usage = choice.usage
                    break
        return chunk

    # --- tokens -----------------------------------------------------------------------------

    def count_tokens(self, model: str, messages: Sequence[Message]) -> Call[int]:
        body = {"model": model, "messages": [self.message_to_wire(m) for m in messages]}
        return Call(
            "count_tokens", Request("POST", self.estimate_path, json=body), self.parse_token_count
        )

    def parse_token_count(self, response: Response) -> int:
        data = response.json()
        inner = data.get("data") if isinstance(data, dict) else None
        total = inner.get("total_tokens") if isinstance(inner, dict) else None
        if isinstance(total, bool) or not isinstance(total, int):
            raise InvokeResponseError(
                "malformed token estimate from kimi: expected {'data': {'total_tokens': int}}",
                provider=self.name,
                request_id=response.request_id,
            )
        return total

    # --- errors -----------------------------------------------------------------------------

    def refine_error(
        self, cls: type[InvokeError], error_type: str, message: str
    ) -> type[InvokeError]:
        return refine_kimi_error(cls, message)

    def retry_after_from_message(self, message: str) -> float | None:
        return retry_after_from_message(message)
