"""SSEDecoder: line endings, split reads, multi-line data, fields, limits and bad bytes."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onesdk import sse
from onesdk.errors import InvokeResponseError
from onesdk.sse import SSEDecoder, SSEEvent, iter_events

# kimi-api.md E3, byte for byte: three chunks, then [DONE].
E3_CHUNKS = [
    '{"id":"chatcmpl-6970b5d0","object":"chat.completion.chunk","created":1768994256,'
    '"model":"kimi-k2-turbo-preview","choices":[{"index":0,"delta":{"role":"assistant",'
    '"content":""},"finish_reason":null}]}',
    '{"id":"chatcmpl-6970b5d0","object":"chat.completion.chunk","created":1768994256,'
    '"model":"kimi-k2-turbo-preview","choices":[{"index":0,"delta":{"content":"Hello"},'
    '"finish_reason":null}]}',
    '{"id":"chatcmpl-6970b5d0","object":"chat.completion.chunk","created":1768994256,'
    '"model":"kimi-k2-turbo-preview","choices":[{"index":0,"delta":{},"finish_reason":"stop",'
    '"usage":{"prompt_tokens":8,"completion_tokens":11,"total_tokens":19,"cached_tokens":8}}],'
    '"system_fingerprint":"fpv0_10a6da87"}',
    "[DONE]",
]
E3_STREAM = "".join(f"data: {data}\n\n" for data in E3_CHUNKS).encode()
E3_EVENTS = [SSEEvent(data=data) for data in E3_CHUNKS]


def decode(pieces: Iterable[bytes], decoder: SSEDecoder | None = None) -> list[SSEEvent]:
    """Feed every piece, then close: all events in order."""
    return list(iter_events(pieces, decoder))


def datas(events: list[SSEEvent]) -> list[str]:
    return [event.data for event in events]


# --- line endings --------------------------------------------------------------------------


def test_lf_line_endings() -> None:
    assert datas(decode([b"data: a\n\ndata: b\n\n"])) == ["a", "b"]


def test_crlf_line_endings() -> None:
    assert datas(decode([b"data: a\r\n\r\ndata: b\r\n\r\n"])) == ["a", "b"]


def test_cr_line_endings() -> None:
    assert datas(decode([b"data: a\r\rdata: b\r\r"])) == ["a", "b"]


def test_mixed_line_endings_in_one_stream() -> None:
    assert datas(decode([b"data: a\r\n\ndata: b\r\rdata: c\n\r\n"])) == ["a", "b", "c"]


def test_crlf_split_between_two_feeds_is_one_line_ending() -> None:
    # The CR ends one read and the LF starts the next: not two line endings.
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\ndata: b\r\n\r\n") == [SSEEvent(data="a\nb")]


def test_crlf_split_before_the_blank_line_dispatches_once() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r\n\r") == [SSEEvent(data="a")]
    assert decoder.feed(b"\ndata: b\r\n\r\n") == [SSEEvent(data="b")]


def test_an_empty_read_between_cr_and_lf_does_not_split_the_line_ending() -> None:
    # Transports may hand over an empty chunk; it must not turn CR LF into two endings.
    pieces = [b"data: a\r", b"", b"\ndata: b\r\n\r\n"]
    assert decode(pieces) == [SSEEvent(data="a\nb")]


def test_lf_after_a_cr_ending_at_a_feed_boundary_is_not_swallowed_later() -> None:
    # Only the LF right after the CR pairs with it; a later LF is a real blank line.
    decoder = SSEDecoder()
    decoder.feed(b"data: a\r")
    decoder.feed(b"data: b\n")
    assert decoder.feed(b"\n") == [SSEEvent(data="a\nb")]


# --- data lines ----------------------------------------------------------------------------


def test_multi_line_data_is_joined_with_newlines() -> None:
    assert decode([b"data: first\ndata: second\ndata: third\n\n"]) == [
        SSEEvent(data="first\nsecond\nthird")
    ]


def test_data_without_a_space_after_the_colon() -> None:
    assert datas(decode([b"data:x\n\n"])) == ["x"]


def test_only_one_leading_space_is_removed() -> None:
    assert datas(decode([b"data:  two spaces\n\n"])) == [" two spaces"]


def test_data_line_without_a_colon_adds_an_empty_line() -> None:
    assert datas(decode([b"data\ndata: x\n\n"])) == ["\nx"]


def test_empty_data_value_is_an_event_with_empty_data() -> None:
    assert decode([b"data:\n\n"]) == [SSEEvent(data="")]


def test_utf8_text_is_decoded() -> None:
    assert datas(decode(['data: {"content":"你好"}\n\n'.encode()])) == ['{"content":"你好"}']


def test_a_multi_byte_character_split_across_feeds_is_decoded() -> None:
    raw = "data: 你好\n\n".encode()
    cut = raw.index("好".encode()) + 1  # inside the three bytes of 好
    assert datas(decode([raw[:cut], raw[cut:]])) == ["你好"]


# --- no events -----------------------------------------------------------------------------


def test_comments_produce_no_events() -> None:
    assert decode([b": keep-alive\n\n: another\n\n"]) == []


def test_comment_lines_inside_an_event_are_ignored() -> None:
    assert decode([b"data: a\n: ping\ndata: b\n\n"]) == [SSEEvent(data="a\nb")]


def test_keep_alive_blank_lines_produce_no_events() -> None:
    assert decode([b"\n\n\r\n\r\r\n"]) == []


def test_blank_lines_between_events_produce_no_extra_events() -> None:
    assert datas(decode([b"\n\ndata: a\n\n\n\n\ndata: b\n\n\n"])) == ["a", "b"]


def test_unknown_fields_are_ignored() -> None:
    assert decode([b"foo: bar\ndata: a\n\n"]) == [SSEEvent(data="a")]


def test_an_event_without_data_is_not_dispatched() -> None:
    assert decode([b"event: ping\nid: 1\n\n"]) == []


# --- event, id, retry ----------------------------------------------------------------------


def test_event_id_and_retry_fields_are_read() -> None:
    events = decode([b"event: delta\nid: 42\nretry: 3000\ndata: x\n\n"])
    assert events == [SSEEvent(data="x", event="delta", id="42", retry=3000)]


def test_event_type_defaults_to_message() -> None:
    assert decode([b"data: x\n\n"])[0].event == "message"


def test_event_type_resets_after_each_event() -> None:
    events = decode([b"event: error\ndata: a\n\ndata: b\n\n"])
    assert [event.event for event in events] == ["error", "message"]


def test_event_type_of_an_event_without_data_does_not_leak_into_the_next() -> None:
    assert decode([b"event: ping\n\ndata: b\n\n"])[0].event == "message"


def test_last_event_id_carries_over_to_later_events() -> None:
    events = decode([b"id: 7\ndata: a\n\ndata: b\n\n"])
    assert [event.id for event in events] == ["7", "7"]


def test_id_with_a_nul_character_is_ignored() -> None:
    assert decode([b"id: a\x00b\ndata: x\n\n"])[0].id is None


def test_non_numeric_retry_is_ignored() -> None:
    assert decode([b"retry: soon\ndata: x\n\n"])[0].retry is None


def test_retry_with_non_ascii_digits_is_ignored_not_a_crash() -> None:
    # "²".isdigit() is True but int("²") fails: only ASCII digits make a retry value.
    assert decode(["retry: ²\ndata: x\n\n".encode()]) == [SSEEvent(data="x")]


# --- end of input --------------------------------------------------------------------------


def test_close_dispatches_a_final_event_without_a_blank_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: [DONE]\n") == []
    assert decoder.close() == [SSEEvent(data="[DONE]")]


def test_close_dispatches_a_final_unterminated_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: [DONE]") == []
    assert decoder.close() == [SSEEvent(data="[DONE]")]


def test_close_after_a_complete_stream_adds_nothing() -> None:
    decoder = SSEDecoder()
    decoder.feed(E3_STREAM)
    assert decoder.close() == []


# --- split reads ---------------------------------------------------------------------------


def test_kimi_stream_in_one_read() -> None:
    assert decode([E3_STREAM]) == E3_EVENTS


def test_kimi_stream_split_at_every_byte_boundary_gives_the_same_events() -> None:
    for cut in range(len(E3_STREAM) + 1):
        pieces = [E3_STREAM[:cut], E3_STREAM[cut:]]
        assert decode(pieces) == E3_EVENTS, f"split at byte {cut}"


def test_kimi_stream_with_crlf_split_at_every_byte_boundary_gives_the_same_events() -> None:
    stream = E3_STREAM.replace(b"\n", b"\r\n")
    for cut in range(len(stream) + 1):
        assert decode([stream[:cut], stream[cut:]]) == E3_EVENTS, f"split at byte {cut}"


def test_kimi_stream_one_byte_at_a_time_gives_the_same_events() -> None:
    pieces = [E3_STREAM[i : i + 1] for i in range(len(E3_STREAM))]
    assert decode(pieces) == E3_EVENTS


def test_feed_returns_each_event_as_soon_as_its_blank_line_arrives() -> None:
    decoder = SSEDecoder()
    first, rest = E3_STREAM.split(b"\n\n", 1)
    assert decoder.feed(first + b"\n") == []
    assert decoder.feed(b"\n") == [E3_EVENTS[0]]
    assert decoder.feed(rest) == E3_EVENTS[1:]


# --- limits and bad bytes ------------------------------------------------------------------


def test_an_oversized_data_line_raises_response_error() -> None:
    decoder = SSEDecoder(max_event_bytes=64)
    with pytest.raises(InvokeResponseError, match="64 bytes"):
        decoder.feed(b"data: " + b"x" * 100 + b"\n\n")


def test_an_oversized_unterminated_line_raises_before_it_completes() -> None:
    # A server that never sends a newline cannot make the decoder buffer without bound.
    decoder = SSEDecoder(max_event_bytes=64)
    decoder.feed(b"data: " + b"x" * 40)
    with pytest.raises(InvokeResponseError):
        decoder.feed(b"x" * 40)


def test_an_oversized_comment_line_still_raises_while_unterminated() -> None:
    decoder = SSEDecoder(max_event_bytes=64)
    with pytest.raises(InvokeResponseError):
        decoder.feed(b": " + b"x" * 100)


def test_an_event_of_many_small_data_lines_over_the_limit_raises() -> None:
    decoder = SSEDecoder(max_event_bytes=64)
    with pytest.raises(InvokeResponseError):
        decoder.feed(b"data: 0123456789\n" * 10)


def test_events_under_the_limit_pass_one_after_another() -> None:
    # The size budget is per event: it resets at each dispatch.
    decoder = SSEDecoder(max_event_bytes=64)
    events = decoder.feed(b"data: 0123456789012345678901234567890123456789\n\n" * 5)
    assert len(events) == 5


def test_invalid_utf8_raises_response_error() -> None:
    with pytest.raises(InvokeResponseError, match="UTF-8"):
        decode([b"data: \xff\xfe\n\n"])


def test_invalid_utf8_in_a_comment_is_ignored() -> None:
    assert decode([b": \xff\ndata: ok\n\n"]) == [SSEEvent(data="ok")]


# --- properties ----------------------------------------------------------------------------

_FRAGMENTS = st.sampled_from(
    [
        b"data: ",
        b"data:",
        b"data",
        b"event: delta",
        b"id: 1",
        b"retry: 100",
        b": comment",
        b"\n",
        b"\r",
        b"\r\n",
        b"\n\n",
        b'{"a": 1}',
        b"[DONE]",
        "你好".encode(),
        b"\xff",
        b"\x00",
    ]
)
_STREAMS = st.lists(st.one_of(_FRAGMENTS, st.binary(max_size=8)), max_size=40).map(b"".join)


def _outcome(pieces: list[bytes]) -> tuple[str, list[SSEEvent]]:
    """("ok", events) or ("error", []) when the decoder refused the input."""
    try:
        return "ok", decode(pieces)
    except InvokeResponseError:
        return "error", []


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(cut, len(data)) for cut in cuts} - {0, len(data)})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@settings(max_examples=300, deadline=None, database=None)
@given(data=_STREAMS, cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12))
def test_random_bytes_only_ever_raise_response_error(data: bytes, cuts: list[int]) -> None:
    _outcome(_split(data, cuts))  # any other exception fails the test


@settings(max_examples=300, deadline=None, database=None)
@given(
    data=_STREAMS,
    cuts_a=st.lists(st.integers(min_value=0, max_value=400), max_size=12),
    cuts_b=st.lists(st.integers(min_value=0, max_value=400), max_size=12),
)
def test_the_same_bytes_split_differently_give_the_same_events(
    data: bytes, cuts_a: list[int], cuts_b: list[int]
) -> None:
    assert _outcome(_split(data, cuts_a)) == _outcome(_split(data, cuts_b))


# --- the size cap ---------------------------------------------------------------------------


def test_the_cap_is_read_from_the_module_when_a_decoder_is_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sse, "MAX_EVENT_BYTES", 16)
    with pytest.raises(InvokeResponseError, match="16 bytes"):
        SSEDecoder().feed(b"data: " + b"x" * 32 + b"\n\n")


def test_an_explicit_cap_wins_over_the_module_setting() -> None:
    assert SSEDecoder(max_event_bytes=64).feed(b"data: " + b"x" * 32 + b"\n\n")
    with pytest.raises(InvokeResponseError):
        SSEDecoder(max_event_bytes=8).feed(b"data: " + b"x" * 32 + b"\n\n")


@settings(max_examples=200, deadline=None, database=None)
@given(
    data=_STREAMS,
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12),
    cap=st.integers(min_value=1, max_value=64),
)
def test_under_a_small_cap_no_event_exceeds_it_and_only_response_errors_escape(
    data: bytes, cuts: list[int], cap: int
) -> None:
    decoder = SSEDecoder(max_event_bytes=cap)
    try:
        events = [e for piece in _split(data, cuts) for e in decoder.feed(piece)]
        events += decoder.close()
    except InvokeResponseError:
        return
    for event in events:
        assert len(event.data.encode()) <= cap
