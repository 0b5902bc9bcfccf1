"""The facade users call: ``OneSDK`` (sync) and ``AsyncOneSDK`` over any registered provider.

Both check input before any I/O, then hand the provider's sans-I/O calls to one transport.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, TypeVar

from . import registry
from .attempts import CallTiming
from .batches_api import AsyncBatchMethods, BatchMethods
from .config import ClientConfig, resolve_config
from .errors import InvokeBadRequestError, InvokeConfigError
from .hooks import call_hook
from .messages import prepare_messages
from .provider import Call, Provider, ProviderSettings, Request, StreamCall
from .resources_api import AsyncResourceMethods, ResourceMethods
from .streaming import AsyncStream, Stream
from .transport import CallOptions, Transport
from .types import ChatResponse, Message, ModelInfo

__all__ = ["AsyncOneSDK", "OneSDK"]

T = TypeVar("T")
#: Operations with their own checked client method; invoke() goes through it.
_CHECKED_OPERATIONS = frozenset({"generate", "stream_generate", "count_tokens", "list_models"})
_OPTION_KEYS = ("timeout", "max_retries", "extra_headers", "extra_query", "extra_body")


def _split_options(params: dict[str, Any]) -> tuple[dict[str, Any], CallOptions]:
    """Per-call transport options out of ``params``; the rest goes to the provider."""
    if not any(key in params for key in _OPTION_KEYS):
        return params, CallOptions()
    found = {key: params.pop(key) for key in _OPTION_KEYS if key in params}
    timeout = found.get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0
    ):
        raise InvokeBadRequestError(f"timeout must be a positive number, got {timeout!r}")
    retries = found.get("max_retries")
    if retries is not None and (
        isinstance(retries, bool) or not isinstance(retries, int) or retries < 0
    ):
        raise InvokeBadRequestError(f"max_retries must be an int >= 0, got {retries!r}")
    for key in ("extra_headers", "extra_query", "extra_body"):
        if found.get(key) is not None and not isinstance(found[key], Mapping):
            raise InvokeBadRequestError(f"{key} must be a dict, got {type(found[key]).__name__}")
    return params, CallOptions(**found)


def _only_options(options: dict[str, Any]) -> CallOptions:
    """Per-call options of an operation that takes no provider parameters."""
    rest, call_options = _split_options(options)
    if rest:
        raise InvokeBadRequestError(
            f"unknown option(s) {', '.join(sorted(rest))}; per-call options: "
            f"{', '.join(_OPTION_KEYS)}"
        )
    return call_options


class _ClientBase:
    """Configuration, input checks and capability dispatch shared by both clients."""

    def __init__(
        self,
        provider: str | type[Provider],
        config: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> None:
        cls = provider if isinstance(provider, type) else registry.get_provider_class(provider)
        if not issubclass(cls, Provider):
            raise InvokeConfigError(f"{cls!r} is not a onesdk.Provider subclass")
        self.config: ClientConfig = resolve_config(cls, config, options)
        self._provider = cls(ProviderSettings(self.config.base_url, self.config.model))
        registry.autoload_plugins()  # hook plugins, once per process
        self._transport = Transport(
            self._provider,
            api_key=self.config.api_key,
            base_url=self.config.base_url,
            timeout=self.config.timeout,
            max_retries=self.config.max_retries,
            proxy=self.config.proxy,
            default_headers=self.config.default_headers,
            http_client=self.config.http_client,
            hooks=registry.active_hooks,
        )
        # The default is client-wide (all threads); model_context overrides per thread/task.
        self._default_model = self.config.model
        self._model_override: contextvars.ContextVar[str | None] = contextvars.ContextVar(
            "onesdk_model", default=None
        )

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} provider={self._provider.name!r} "
            f"base_url={self.config.base_url!r}>"
        )

    def __getstate__(self) -> None:
        raise TypeError(
            f"{type(self).__name__} holds connections and a key and cannot be pickled; "
            "pickle its .config and build a new client from it in the worker"
        )

    @property
    def provider(self) -> Provider:
        """The provider instance, for provider-specific extras."""
        return self._provider

    @property
    def provider_name(self) -> str:
        return self._provider.name

    # --- default model ----------------------------------------------------------------------

    @property
    def model(self) -> str | None:
        """The default model used when a call names none."""
        return self._model_override.get() or self._default_model

    def set_model(self, model: str) -> None:
        """Set the default model for calls that name none."""
        if not isinstance(model, str) or not model:
            raise InvokeBadRequestError(f"model must be a model id string, got {model!r}")
        self._default_model = model

    @contextlib.contextmanager
    def model_context(self, model: str) -> Iterator[None]:
        """Use ``model`` as the default inside a ``with`` block (per thread and task)."""
        if not isinstance(model, str) or not model:
            raise InvokeBadRequestError(f"model must be a model id string, got {model!r}")
        token = self._model_override.set(model)
        try:
            yield
        finally:
            self._model_override.reset(token)

    @staticmethod
    def list_providers() -> list[str]:
        """Names of every installed or registered provider."""
        return registry.list_providers()

    def supports(self, operation: str) -> bool:
        """Whether the provider offers ``operation`` (e.g. ``"create_cache"``)."""
        return operation in self._provider.capabilities

    # --- input checks -----------------------------------------------------------------------

    def _resolve(self, model: Any, messages: Any) -> tuple[str, list[Message]]:
        if messages is None and isinstance(model, (list, tuple)):
            model, messages = None, model  # generate(messages) with a default model
        model = model or self.model
        if not model:
            raise InvokeBadRequestError(
                "no model given: pass one, e.g. generate('model-id', messages), or set a "
                "default with OneSDK(..., model='model-id') or set_model()",
                provider=self._provider.name,
            )
        if not isinstance(model, str):
            raise InvokeBadRequestError(
                f"model must be a model id string, got {model!r}", provider=self._provider.name
            )
        return model, prepare_messages(messages, self._provider.roles, self._provider.name)

    def _require(self, operation: str) -> Provider:
        if operation not in self._provider.capabilities:
            raise self._provider.unsupported(operation)
        return self._provider

    def _chat_call(
        self, model: Any, messages: Any, params: dict[str, Any]
    ) -> tuple[Call[ChatResponse], CallOptions]:
        params, options = _split_options(params)
        provider = self._require("generate")  # unsupported beats bad input
        model, prepared = self._resolve(model, messages)
        return provider.generate(model, prepared, params), options

    def _stream_call(
        self, model: Any, messages: Any, params: dict[str, Any]
    ) -> tuple[StreamCall, CallOptions]:
        params, options = _split_options(params)
        provider = self._require("stream_generate")  # unsupported beats bad input
        model, prepared = self._resolve(model, messages)
        return provider.stream_generate(model, prepared, params), options

    def _tokens_call(
        self, model: Any, messages: Any, options: dict[str, Any]
    ) -> tuple[Call[int], CallOptions]:
        call_options = _only_options(options)
        provider = self._require("count_tokens")  # unsupported beats bad input
        model, prepared = self._resolve(model, messages)
        return provider.count_tokens(model, prepared), call_options

    def _stream_end(
        self, request: Request, timing: CallTiming, final: Callable[[], ChatResponse]
    ) -> None:
        hooks = registry.active_hooks()
        if hooks is not None:
            response = final()
            call_hook(
                hooks,
                "onesdk_on_stream_end",
                provider=self._provider.name,
                operation="stream_generate",
                response=response,
                usage=response.usage,
                request=request,
                elapsed=timing.elapsed(),
                retries=timing.retries,
            )

    def _op_call(
        self, operation: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Call[Any], CallOptions]:
        kwargs, options = _split_options(kwargs)
        provider = self._require(operation)
        return getattr(provider, operation)(*args, **kwargs), options


class OneSDK(_ClientBase, ResourceMethods, BatchMethods):
    """The synchronous client: ``OneSDK("kimi", {"api_key": ...})``."""

    def generate(
        self, model: str | None = None, messages: Any = None, **params: Any
    ) -> ChatResponse:
        """One chat completion. ``params`` are the provider's chat parameters."""
        call, options = self._chat_call(model, messages, params)
        return self._transport.send(call, options)

    def stream_generate(
        self, model: str | None = None, messages: Any = None, **params: Any
    ) -> Stream:
        """A streamed chat completion: iterate it for ``ChatChunk``s."""
        call, options = self._stream_call(model, messages, params)
        timing = CallTiming()
        return Stream(
            lambda opened: self._transport.stream(call, options, opened, timing),
            functools.partial(self._stream_end, call.request, timing),
        )

    def count_tokens(self, model: str | None = None, messages: Any = None, **options: Any) -> int:
        """How many tokens ``messages`` take for ``model``; ``options`` as for ``generate``."""
        return self._transport.send(*self._tokens_call(model, messages, options))

    def list_models(self, **options: Any) -> list[ModelInfo]:
        """The models this key may use."""
        call = self._require("list_models").list_models()
        return self._transport.send(call, _only_options(options))

    def invoke(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        """Run a provider capability by name (``create_cache``, ``upload_file``...)."""
        if operation in _CHECKED_OPERATIONS:
            return getattr(self, operation)(*args, **kwargs)
        call, options = self._op_call(operation, args, kwargs)
        return self._transport.send(call, options)

    def close(self) -> None:
        """Close the connections this client opened."""
        self._transport.close()

    def __del__(self) -> None:
        # A client dropped without close() would leave sockets for the GC to warn about.
        transport = getattr(self, "_transport", None)
        if transport is not None:
            with contextlib.suppress(Exception):
                transport.close()

    def __enter__(self) -> OneSDK:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncOneSDK(_ClientBase, AsyncResourceMethods, AsyncBatchMethods):
    """The asyncio client: the same methods as ``OneSDK``, awaited."""

    async def generate(
        self, model: str | None = None, messages: Any = None, **params: Any
    ) -> ChatResponse:
        call, options = self._chat_call(model, messages, params)
        return await self._transport.asend(call, options)

    def stream_generate(
        self, model: str | None = None, messages: Any = None, **params: Any
    ) -> AsyncStream:
        """``async for chunk in sdk.stream_generate(...)``."""
        call, options = self._stream_call(model, messages, params)
        timing = CallTiming()
        return AsyncStream(
            lambda opened: self._transport.astream(call, options, opened, timing),
            functools.partial(self._stream_end, call.request, timing),
        )

    async def count_tokens(
        self, model: str | None = None, messages: Any = None, **options: Any
    ) -> int:
        return await self._transport.asend(*self._tokens_call(model, messages, options))

    async def list_models(self, **options: Any) -> list[ModelInfo]:
        call = self._require("list_models").list_models()
        return await self._transport.asend(call, _only_options(options))

    async def invoke(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        if operation == "stream_generate":
            return self.stream_generate(*args, **kwargs)
        if operation in _CHECKED_OPERATIONS:
            return await getattr(self, operation)(*args, **kwargs)
        call, options = self._op_call(operation, args, kwargs)
        return await self._transport.asend(call, options)

    async def close(self) -> None:
        await self._transport.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncOneSDK:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._transport.aclose()
