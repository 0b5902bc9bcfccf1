"""Checks over real HTTP against the author's server: generate, stream, errors, async.

Each runs through ``OneSDK``/``AsyncOneSDK`` exactly as a user would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

import pytest

from ..errors import InvokeAuthorizationError, InvokeError, InvokeUnsupportedError
from ..types import ChatChunk, ChatResponse
from .base import ConformanceBase, ConformanceTarget, fail
from .expectations import KNOWN_OPERATIONS, STREAM_END_HINT

__all__ = ["LiveChecks"]

_WRONG_KEY = "sk-onesdk-conformance-wrong-key"
_UNDECLARED = "conformance_undeclared_operation"
_CHAT_SHAPED = frozenset({"generate", "stream_generate", "count_tokens"})


class LiveChecks(ConformanceBase):
    """The provider through the real clients, sync and async, against the target server."""

    def test_undeclared_operations_raise_unsupported(
        self, onesdk_target: ConformanceTarget
    ) -> None:
        undeclared = [*sorted(KNOWN_OPERATIONS - set(self._cls.capabilities)), _UNDECLARED]
        chat_args = (onesdk_target.model, self.messages())
        with self._client(onesdk_target) as sdk:
            for operation in undeclared:
                assert not sdk.supports(operation), (
                    f"supports({operation!r}) is true although capabilities omits it; check "
                    "that capabilities is a frozenset of operation names"
                )
                args = chat_args if operation in _CHAT_SHAPED else ()
                self._check_unsupported(operation, partial(sdk.invoke, operation, *args))

    def test_async_undeclared_operation_raises_unsupported(
        self, onesdk_target: ConformanceTarget
    ) -> None:
        async def invoke() -> object:
            async with self._async_client(onesdk_target) as sdk:
                return await sdk.invoke(_UNDECLARED)

        self._check_unsupported(_UNDECLARED, lambda: asyncio.run(invoke()))

    def _check_unsupported(self, operation: str, run: Callable[[], object]) -> None:
        error: InvokeError | None = None
        try:
            run()
        except InvokeError as exc:
            error = exc
        if error is None:
            fail(
                f"invoke({operation!r}) succeeded although capabilities omits it; "
                f"declare {operation!r} in capabilities"
            )
        if not isinstance(error, InvokeUnsupportedError):
            fail(
                f"invoke({operation!r}) of an undeclared operation raised "
                f"{type(error).__name__}: {error}; expected InvokeUnsupportedError before any I/O"
            )
        assert self._cls.name in str(error) and operation in str(error), (
            f"invoke({operation!r}) raised {str(error)!r}; raise self.unsupported(operation) "
            "so the message names the provider and the operation"
        )

    def test_declared_operations_are_supported(self, onesdk_target: ConformanceTarget) -> None:
        with self._client(onesdk_target) as sdk:
            for operation in sorted(self._cls.capabilities):
                assert sdk.supports(operation), (
                    f"supports({operation!r}) is false although capabilities declares it; "
                    "make capabilities a frozenset of operation names"
                )

    def test_wrong_api_key_raises_authorization_error(
        self, onesdk_target: ConformanceTarget
    ) -> None:
        if not self.server_checks_api_key:
            pytest.skip("server_checks_api_key is False")
        error: InvokeError | None = None
        with self._client(onesdk_target, api_key=_WRONG_KEY) as sdk:
            try:
                sdk.generate(onesdk_target.model, self.messages())
            except InvokeError as exc:
                error = exc
        if error is None:
            fail(
                "the server accepted a wrong API key; if it never checks keys, set "
                "server_checks_api_key = False in your conformance class"
            )
        if not isinstance(error, InvokeAuthorizationError):
            fail(
                f"a wrong API key raised {type(error).__name__}: {error}; map HTTP 401 / your "
                "authentication error type to InvokeAuthorizationError in error_types"
            )
        assert _WRONG_KEY not in f"{error} {error.body!r}", (
            "the authorization error shows the API key; never copy request headers or the "
            "key into an error message or body"
        )

    # --- generate ---------------------------------------------------------------------------

    def test_generate_returns_chat_response(self, onesdk_target: ConformanceTarget) -> None:
        response = self._generate(onesdk_target)
        assert isinstance(response, ChatResponse), (
            f"generate returned {type(response).__name__}; Call.parse must return "
            "onesdk.ChatResponse (OpenAICompatibleProvider.parse_chat does)"
        )
        assert response.choices, "generate returned no choices; parse them into .choices"
        content = response["choices"][0]["message"]["content"]
        assert isinstance(content, str) and content, (
            f"response['choices'][0]['message']['content'] is {content!r}; expected the "
            "reply text as a non-empty str"
        )
        assert response.text == content == response.choices[0].message.content, (
            "response.text, response.choices[0].message.content and the dict path disagree; "
            "build the ChatResponse with ChatResponse.model_validate(...), not by hand"
        )
        assert "choices" in response and response.get("choices") is response.choices, (
            "dict access to the response does not work; return an onesdk.ChatResponse"
        )

    def test_generate_reports_usage(self, onesdk_target: ConformanceTarget) -> None:
        usage = self._generate(onesdk_target).usage
        assert usage is not None and usage["total_tokens"] > 0, (
            f"generate returned usage={usage!r}; parse your API's token counts into "
            "ChatResponse.usage (prompt_tokens, completion_tokens, total_tokens)"
        )

    # --- streaming --------------------------------------------------------------------------

    def test_stream_ends_with_its_end_marker(self, onesdk_target: ConformanceTarget) -> None:
        chunks, _ = self._stream(onesdk_target)
        assert chunks, "the stream gave no chunks; parse_event must return ChatChunk objects"

    def test_stream_chunk_content_is_str_never_none(self, onesdk_target: ConformanceTarget) -> None:
        chunks, _ = self._stream(onesdk_target)
        for index, chunk in enumerate(chunks):
            assert isinstance(chunk, ChatChunk), (
                f"chunk {index} is {type(chunk).__name__}; parse_event must return ChatChunk"
            )
            if chunk.choices:
                content = chunk["choices"][0]["message"]["content"]
                assert isinstance(content, str), (
                    f"chunk {index}: ['choices'][0]['message']['content'] is {content!r}; "
                    "it must be a str ('' when the chunk adds no text)"
                )

    def test_stream_text_is_not_empty(self, onesdk_target: ConformanceTarget) -> None:
        chunks, final = self._stream(onesdk_target)
        text = "".join(chunk.text for chunk in chunks)
        assert text, "the stream carried no text; put each delta's text in delta.content"
        assert final.text == text, (
            "final_response().text differs from the chunk texts joined; give every chunk "
            "its choice index and put text only in delta.content"
        )

    def test_stream_reports_usage(self, onesdk_target: ConformanceTarget) -> None:
        if not self.stream_usage:
            pytest.skip("stream_usage is False: this provider reports no usage on streams")
        chunks, final = self._stream(onesdk_target)
        assert (chunks and chunks[-1].usage is not None) or final.usage is not None, (
            "no stream chunk carried usage: put it on the last chunk's .usage (move it there "
            "in normalize_chunk if your API sends it elsewhere), or set stream_usage = False "
            "in your conformance class if your API never reports usage in streams"
        )

    def test_stream_text_equals_generate_text(self, onesdk_target: ConformanceTarget) -> None:
        if not self.deterministic:
            pytest.skip("deterministic is False: the server may answer differently each time")
        generated = self._generate(onesdk_target).text
        streamed = "".join(chunk.text for chunk in self._stream(onesdk_target)[0])
        assert streamed == generated, (
            f"streamed text {streamed!r} differs from generated text {generated!r} for the "
            "same input; check parse_event/normalize_chunk drop or duplicate no delta"
        )

    # --- async ------------------------------------------------------------------------------

    def test_async_generate_returns_chat_response(self, onesdk_target: ConformanceTarget) -> None:
        response = self._live(
            "AsyncOneSDK.generate",
            onesdk_target,
            lambda: asyncio.run(self._agenerate(onesdk_target)),
        )
        assert isinstance(response, ChatResponse) and response.text, (
            f"AsyncOneSDK.generate returned {response!r}; expected a ChatResponse with text"
        )
        if self.deterministic:
            assert response.text == self._generate(onesdk_target).text, (
                "AsyncOneSDK.generate and OneSDK.generate answered the same input differently; "
                "keep the provider free of per-client state"
            )

    def test_async_stream_ends_and_carries_text(self, onesdk_target: ConformanceTarget) -> None:
        chunks, finished = self._live(
            "AsyncOneSDK.stream_generate",
            onesdk_target,
            lambda: asyncio.run(self._astream(onesdk_target)),
        )
        assert finished, f"the async stream stopped without finishing: {STREAM_END_HINT}"
        text = "".join(chunk.text for chunk in chunks)
        assert text, "the async stream carried no text; put each delta's text in delta.content"
        if self.deterministic:
            assert text == self._generate(onesdk_target).text, (
                "the async stream's text differs from generate's for the same input; check "
                "that parse_event keeps no state between calls"
            )
