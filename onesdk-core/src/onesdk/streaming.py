"""Stream objects returned by ``stream_generate``: iterate, close, or ask for the whole reply.

``Stream`` is sync, ``AsyncStream`` async; both close their connection when left early.
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from types import TracebackType

from .accumulate import ChunkAccumulator
from .provider import Response
from .types import ChatChunk, ChatResponse, remember_response

__all__ = ["AsyncStream", "Stream"]

#: Told when a stream reaches its end, with a function that assembles the whole reply.
EndCallback = Callable[[Callable[[], ChatResponse]], None]


class _StreamState:
    """What sync and async streams share: headers, the accumulator, the end hook."""

    def __init__(self, on_end: EndCallback | None) -> None:
        self._head: Response | None = None
        self._acc = ChunkAccumulator()
        self._on_end = on_end
        self._finished = False

    def _opened(self, head: Response) -> None:
        self._head = head

    def _opened_callback(self) -> Callable[[Response], None]:
        """``_opened`` without a strong reference back to the stream.

        A stream -> generator -> callback -> stream cycle would leave a dropped stream to the
        cyclic GC, which may finalize it (closing its connection) while httpcore holds its pool
        lock in this thread: a deadlock. Without the cycle, dropping the stream frees it at once.
        """
        ref = weakref.ref(self)

        def opened(head: Response) -> None:
            stream = ref()
            if stream is not None:
                stream._opened(head)

        return opened

    def _ended(self) -> None:
        if not self._finished:
            self._finished = True
            if self._on_end is not None:
                self._on_end(self._final)  # built only if a plugin wants it

    def _label(self, chunk: ChatChunk) -> ChatChunk:
        if self._head is not None:
            remember_response(chunk, self._head.headers, self._head.request_id)
        self._acc.add(chunk)
        return chunk

    @property
    def headers(self) -> Mapping[str, str]:
        """Response headers (lower-case), once the stream has started."""
        return self._head.headers if self._head is not None else {}

    @property
    def request_id(self) -> str | None:
        return self._head.request_id if self._head is not None else None

    @property
    def finished(self) -> bool:
        """True once the stream reached its end marker."""
        return self._finished

    def _final(self) -> ChatResponse:
        response = self._acc.response()
        if self._head is not None:
            remember_response(response, dict(self._head.headers), self._head.request_id)
        return response


class Stream(_StreamState):
    """An iterator of ``ChatChunk``; also a context manager. Closing it frees the connection."""

    def __init__(
        self,
        opener: Callable[[Callable[[Response], None]], Iterator[ChatChunk]],
        on_end: EndCallback | None = None,
    ) -> None:
        super().__init__(on_end)
        self._chunks = opener(self._opened_callback())

    def __iter__(self) -> Iterator[ChatChunk]:
        return self

    def __next__(self) -> ChatChunk:
        try:
            chunk = next(self._chunks)
        except StopIteration:
            self._ended()
            raise
        return self._label(chunk)

    def close(self) -> None:
        """Stop reading and release the connection (safe to call twice)."""
        self._chunks.close()  # type: ignore[attr-defined]

    def __enter__(self) -> Stream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def final_response(self) -> ChatResponse:
        """Read what is left and return the whole reply, assembled from the chunks."""
        for _ in self:
            pass
        return self._final()

    def text(self) -> str:
        """Read what is left and return the first choice's whole text."""
        return self.final_response().text


class AsyncStream(_StreamState):
    """``async for chunk in stream``; also an async context manager."""

    def __init__(
        self,
        opener: Callable[[Callable[[Response], None]], AsyncIterator[ChatChunk]],
        on_end: EndCallback | None = None,
    ) -> None:
        super().__init__(on_end)
        self._chunks = opener(self._opened_callback())

    def __aiter__(self) -> AsyncIterator[ChatChunk]:
        return self

    async def __anext__(self) -> ChatChunk:
        try:
            chunk = await self._chunks.__anext__()
        except StopAsyncIteration:
            self._ended()
            raise
        return self._label(chunk)

    async def aclose(self) -> None:
        """Stop reading and release the connection."""
        await self._chunks.aclose()  # type: ignore[attr-defined]

    async def close(self) -> None:
        await self.aclose()

    async def __aenter__(self) -> AsyncStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def final_response(self) -> ChatResponse:
        """Read what is left and return the whole reply."""
        async for _ in self:
            pass
        return self._final()

    async def text(self) -> str:
        return (await self.final_response()).text
