"""What the conformance checks share: the author's settings, the target fixture, helpers.

Helpers turn any failure into a message that names what the provider author should change.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, NoReturn, TypeVar
from unittest import mock

import pytest

from ..client import AsyncOneSDK, OneSDK
from ..errors import InvokeError, InvokeResponseError, InvokeTimeoutError
from ..messages import prepare_messages
from ..provider import Provider, ProviderSettings, Response
from ..streaming import AsyncStream, Stream
from ..types import ChatChunk, ChatResponse, Message
from . import fake_server
from .expectations import DEFAULT_EXPECTED_ERRORS, STREAM_END_HINT, STREAM_HANG_HINT
from .target import ConformanceTarget

__all__ = ["ConformanceBase", "ConformanceTarget", "fail", "no_network"]

T = TypeVar("T")


def fail(message: str) -> NoReturn:
    """Fail the current test with ``message`` alone (no kit traceback to wade through)."""
    pytest.fail(message, pytrace=False)


@contextlib.contextmanager
def no_network(what: str) -> Iterator[None]:
    """Fail if the code in the block opens a connection: providers only describe requests."""

    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        fail(
            f"{what} opened a network connection; a provider does no I/O: return a Call or "
            "StreamCall describing the request and let the transport send it"
        )

    with mock.patch.object(socket.socket, "connect", refuse):
        yield


class ConformanceBase:
    """The settings an author tunes and the helpers every check uses."""

    provider_class: ClassVar[type[Provider]]
    #: The user message the kit sends.
    prompt: ClassVar[str] = "Say hello to the conformance kit"
    #: The server answers the same input with the same text: stream text must equal generate's.
    deterministic: ClassVar[bool] = False
    #: The provider reports usage on streams (on the last chunk).
    stream_usage: ClassVar[bool] = True
    #: The server rejects a wrong API key (so the 401 path can be tested live).
    server_checks_api_key: ClassVar[bool] = True
    #: Status -> the error class ``parse_error`` must return (a subclass is fine).
    expected_errors: ClassVar[Mapping[int, type[InvokeError]]] = DEFAULT_EXPECTED_ERRORS
    #: Keys of the chat request body holding the model and the messages (None: not in body).
    body_model_key: ClassVar[str | None] = "model"
    body_messages_key: ClassVar[str | None] = "messages"
    #: Seconds any call may take before the kit calls it hung.
    timeout: ClassVar[float] = 10.0
    #: More chunks than this from one short prompt means the stream never ends.
    max_stream_chunks: ClassVar[int] = 10_000

    # --- what the author provides -----------------------------------------------------------

    @pytest.fixture
    def onesdk_target(self, request: pytest.FixtureRequest) -> ConformanceTarget:
        """The author's ``conformance_target`` fixture (module, conftest or class level)."""
        try:
            target = request.getfixturevalue("conformance_target")
        except pytest.FixtureLookupError:
            fail(
                f"{type(self).__name__} has no conformance_target fixture: define "
                "@pytest.fixture(scope='module') def conformance_target() that yields "
                "ConformanceTarget(base_url, api_key, model) of a server speaking your API "
                "(your fake, a recorded-responses server, or onesdk.testing.FakeOpenAIServer)"
            )
        if not isinstance(target, ConformanceTarget):
            fail(
                f"conformance_target gave {target!r}; yield "
                "onesdk.testing.ConformanceTarget(base_url, api_key, model)"
            )
        return target

    def error_body(self, status: int) -> bytes:
        """Your API's error body for ``status`` (default: ``FakeOpenAIServer``'s)."""
        return fake_server.error_body(status)

    def messages(self) -> list[dict[str, Any]]:
        return [{"role": "user", "content": self.prompt}]

    # --- helpers ------------------------------------------------------------------------------

    @property
    def _cls(self) -> type[Provider]:
        cls = getattr(type(self), "provider_class", None)
        if not (isinstance(cls, type) and issubclass(cls, Provider)):
            fail(
                f"{type(self).__name__}.provider_class is {cls!r}; set it to your "
                "onesdk.Provider subclass"
            )
        return cls

    def _provider(self, target: ConformanceTarget | None = None) -> Provider:
        cls = self._cls
        base_url = target.base_url if target else (cls.default_base_url or "https://x.invalid")
        return cls(ProviderSettings(base_url, target.model if target else None))

    def _prepared(self, provider: Provider) -> list[Message]:
        return prepare_messages(self.messages(), provider.roles, provider.name)

    def _config(self, target: ConformanceTarget, **overrides: Any) -> dict[str, Any]:
        return {
            "api_key": target.api_key,
            "base_url": target.base_url,
            "max_retries": 0,
            "timeout": self.timeout,
            **target.config,
            **overrides,
        }

    def _live(self, what: str, target: ConformanceTarget, run: Callable[[], T]) -> T:
        """Run a call against the server; any error becomes a failure naming the fix."""
        try:
            return run()
        except InvokeTimeoutError:
            fail(f"{what}: {STREAM_HANG_HINT.format(timeout=self.timeout)}")
        except InvokeResponseError as exc:
            if "end marker" in exc.message:
                fail(f"{what}: {STREAM_END_HINT}")
            fail(
                f"{what} raised InvokeResponseError: {exc}. The provider could not read the "
                "reply: fix its parse function or parse_event for what the server sends"
            )
        except InvokeError as exc:
            fail(
                f"{what} against {target.base_url} raised {type(exc).__name__}: {exc}. Check "
                "the request the provider builds (see the request-shape tests) and that "
                "conformance_target gives a working key and model"
            )

    def _client(self, target: ConformanceTarget, **overrides: Any) -> OneSDK:
        try:
            return OneSDK(self._cls, self._config(target, **overrides))
        except InvokeError as exc:
            fail(f"OneSDK({self._cls.__name__}, ...) raised {type(exc).__name__}: {exc}")

    def _read_stream(self, stream: Stream) -> tuple[list[ChatChunk], ChatResponse]:
        chunks: list[ChatChunk] = []
        with stream:
            for chunk in stream:
                chunks.append(chunk)
                if len(chunks) > self.max_stream_chunks:
                    fail(
                        f"the stream gave over {self.max_stream_chunks} chunks for one short "
                        f"prompt and had not ended: {STREAM_END_HINT}"
                    )
            if not stream.finished:
                fail(f"the stream stopped without finishing: {STREAM_END_HINT}")
            return chunks, stream.final_response()

    def _stream(self, target: ConformanceTarget) -> tuple[list[ChatChunk], ChatResponse]:
        with self._client(target) as sdk:
            return self._live(
                "stream_generate",
                target,
                lambda: self._read_stream(sdk.stream_generate(target.model, self.messages())),
            )

    def _generate(self, target: ConformanceTarget) -> ChatResponse:
        with self._client(target) as sdk:
            return self._live(
                "generate", target, lambda: sdk.generate(target.model, self.messages())
            )

    def _parse_error(self, status: int, body: bytes) -> InvokeError:
        provider = self._provider()
        response = Response(status, {"content-type": "application/json"}, body, "req-conformance")
        try:
            with no_network(f"parse_error({status})"):
                error = provider.parse_error(response)
        except InvokeError as exc:
            error = exc  # the transport accepts a raised InvokeError too
        except NotImplementedError:
            fail(
                "parse_error() is not implemented: override it, or subclass "
                "OpenAICompatibleProvider and fill error_types"
            )
        except Exception as exc:
            fail(
                f"parse_error({status}) raised {type(exc).__name__}: {exc}; it must return an "
                "InvokeError for any body, even one that is not your error shape"
            )
        if not isinstance(error, InvokeError):
            fail(f"parse_error({status}) returned {error!r}; return an InvokeError subclass")
        return error

    def _async_client(self, target: ConformanceTarget) -> AsyncOneSDK:
        try:
            return AsyncOneSDK(self._cls, self._config(target))
        except InvokeError as exc:
            fail(f"AsyncOneSDK({self._cls.__name__}, ...) raised {type(exc).__name__}: {exc}")

    async def _agenerate(self, target: ConformanceTarget) -> ChatResponse:
        async with self._async_client(target) as sdk:
            return await sdk.generate(target.model, self.messages())

    async def _astream(self, target: ConformanceTarget) -> tuple[list[ChatChunk], bool]:
        async with self._async_client(target) as sdk:
            stream: AsyncStream = sdk.stream_generate(target.model, self.messages())
            async with stream:
                chunks = [chunk async for chunk in stream]
                return chunks, stream.finished
