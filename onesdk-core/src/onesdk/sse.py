"""Server-sent-events decoding: an incremental, sans-I/O decoder plus a driver over byte chunks.

Handles LF, CR and CRLF endings, multi-line ``data:``, comments, and events split across reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .errors import InvokeResponseError

__all__ = ["MAX_EVENT_BYTES", "SSEDecoder", "SSEEvent", "iter_events"]

#: A line or event larger than this is refused: a hostile or broken server cannot exhaust memory.
MAX_EVENT_BYTES = 8 * 1024 * 1024


class SSEEvent(NamedTuple):
    """One dispatched event (a named tuple: cheap to build, one per stream chunk)."""

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Feed it bytes as they arrive; it returns the events completed so far."""

    def __init__(self, max_event_bytes: int | None = None) -> None:
        # Read at construction (not bound as a default) so tests can lower the module cap.
        self._max = MAX_EVENT_BYTES if max_event_bytes is None else max_event_bytes
        self._tail = b""  # an incomplete line from the previous read
        self._at_start = True
        self._after_cr = False  # the previous read ended in CR: a leading LF is its partner
        self._data: list[str] = []
        self._size = 0
        self._event = ""
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Decode ``chunk``; return the events it completes."""
        if not chunk:
            return []
        if self._after_cr and chunk[:1] == b"\n":
            chunk = chunk[1:]
            if not chunk:
                self._after_cr = False
                return []
        self._after_cr = False
        if self._at_start:
            self._at_start = False
            if chunk.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM may open the stream
                chunk = chunk[3:]
                if not chunk:
                    return []
        buf = self._tail + chunk if self._tail else chunk
        lines = buf.splitlines(keepends=True)
        last = lines[-1]
        if last[-1:] in (b"\n", b"\r"):
            self._tail = b""
            self._after_cr = last[-1:] == b"\r"
        else:
            self._tail = lines.pop()
            if len(self._tail) > self._max:
                raise InvokeResponseError(
                    f"server-sent event line longer than {self._max} bytes; refusing it"
                )
        events: list[SSEEvent] = []
        for raw in lines:
            line = raw.rstrip(b"\r\n")
            if line:
                self._line(line)  # a field line never completes an event
            else:
                event = self._dispatch()
                if event is not None:
                    events.append(event)
        return events

    def close(self) -> list[SSEEvent]:
        """End of input: an event not closed by a blank line is dispatched if it has data."""
        events: list[SSEEvent] = []
        if self._tail:
            tail, self._tail = self._tail, b""
            self._line(tail.rstrip(b"\r\n"))
        event = self._line(b"")
        if event is not None:
            events.append(event)
        return events

    def _line(self, line: bytes) -> SSEEvent | None:
        if not line:
            return self._dispatch()
        if len(line) > self._max:
            raise InvokeResponseError(
                f"server-sent event line longer than {self._max} bytes; refusing it"
            )
        if line[:6] == b"data: ":  # the common case, without the general field parsing
            self._size += len(line)
            if self._size > self._max:
                raise InvokeResponseError(
                    f"server-sent event larger than {self._max} bytes; refusing it"
                )
            try:
                self._data.append(line[6:].decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise InvokeResponseError("server-sent event is not valid UTF-8") from exc
            return None
        if line[:1] == b":":
            return None  # a comment, used by servers as keep-alive
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvokeResponseError("server-sent event is not valid UTF-8") from exc
        name, sep, value = text.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._size += len(line)
            if self._size > self._max:
                raise InvokeResponseError(
                    f"server-sent event larger than {self._max} bytes; refusing it"
                )
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> SSEEvent | None:
        if not self._data:
            self._event = ""
            return None
        data = self._data
        event = SSEEvent(
            data=data[0] if len(data) == 1 else "\n".join(data),
            event=self._event or "message",
            id=self._id,
            retry=self._retry,
        )
        self._data = []
        self._size = 0
        self._event = ""
        return event


def iter_events(chunks: Iterable[bytes], decoder: SSEDecoder | None = None) -> Iterator[SSEEvent]:
    """Events from an iterable of byte chunks."""
    decoder = decoder or SSEDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.close()
