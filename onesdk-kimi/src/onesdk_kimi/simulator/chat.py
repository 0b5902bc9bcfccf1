"""Deterministic chat replies and their Kimi wire shapes (JSON body and SSE chunks).

Reply rule: `reply_text(messages)` is "You said: " + the text of the last user message
(string content, or its text parts joined by "\\n"; "" when there is no user message), then
" [image: <mime>, <n> bytes]" (data URLs) or " [image: <url>]" per image part of that message.
After tool results the reply is what `tool_use.read_tool_results` says instead; when the
model calls tools (`tool_use.plan_calls`) the content is "".
In partial mode (last message `{"role": "assistant", "partial": true}`) a prefix of that text
already given by the assistant is left out: the reply is only the continuation.
Choice i > 0 appends " (i)". With response_format json_object/json_schema the content is
`{"reply": <text>}` serialized. The content is then cut before the first stop string
(finish "stop"). Reasoning models (thinking on) first reason "Thinking about: <user text>".
Reasoning, content and tool calls are split into tokens by `tokens.split_pieces` (a tool
call is one token for its name plus its argument pieces) and capped at max_tokens in that
order (finish "length"); otherwise finish is "tool_calls" when there are calls, else "stop".
A dry run (context cache `dry_run=1`) yields empty content.
Streams send one chunk per token (reasoning deltas, then content, then tool-call deltas: the
first per call carries id/type/name and arguments "", later ones argument fragments), so
the joined deltas equal the non-stream message.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .http_types import dumps
from .message_rules import describe_media, message_text
from .tokens import split_pieces
from .tool_use import PlannedCall, last_user_text

REPLY_PREFIX = "You said: "
REASONING_PREFIX = "Thinking about: "
SYSTEM_FINGERPRINT = "fpv0_10a6da87"


def said_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The text reply: REPLY_PREFIX, the last user message's text, a note per image part."""
    user = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    if user is None:
        return REPLY_PREFIX
    return REPLY_PREFIX + message_text(user) + describe_media(user)


def continuation(messages: Sequence[Mapping[str, Any]], text: str) -> str:
    """Partial mode: only what follows the assistant's prefix, when `text` starts with it."""
    last = messages[-1] if messages else None
    if last is not None and last.get("role") == "assistant" and last.get("partial"):
        prefix = message_text(last)
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def reply_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The simulator's text answer to `messages` (no tool results) before stop/max cuts."""
    return continuation(messages, said_text(messages))


def reasoning_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """What a reasoning model thinks before answering."""
    return REASONING_PREFIX + last_user_text(messages)


def choice_text(base: str, index: int, response_format: str = "text") -> str:
    """Full content of choice `index` (before cuts) for a given response_format."""
    text = base if index == 0 else f"{base} ({index})"
    if response_format in ("json_object", "json_schema"):
        return json.dumps({"reply": text}, ensure_ascii=False)
    return text


@dataclass(frozen=True)
class GeneratedCall:
    """One tool call as generated: its name token, then its argument pieces."""

    id: str
    type: str
    name: str
    pieces: tuple[str, ...]

    @property
    def arguments(self) -> str:
        return "".join(self.pieces)

    def to_json(self, index: int) -> dict[str, Any]:
        """The `tool_calls` item of a non-stream message."""
        return {
            "index": index,
            "id": self.id,
            "type": self.type,
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass(frozen=True)
class Generated:
    """One choice's output: token pieces and why generation ended."""

    pieces: tuple[str, ...]
    finish_reason: str
    #: Reasoning pieces; None when the model does not reason.
    reasoning: tuple[str, ...] | None = None
    tool_calls: tuple[GeneratedCall, ...] = ()

    @property
    def content(self) -> str:
        """The full message content."""
        return "".join(self.pieces)

    @property
    def tokens(self) -> int:
        """completion_tokens for this choice (reasoning and tool calls included)."""
        calls = sum(1 + len(call.pieces) for call in self.tool_calls)
        return len(self.reasoning or ()) + len(self.pieces) + calls

    def message(self) -> dict[str, Any]:
        """The non-stream `message` object."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.reasoning is not None:
            message["reasoning_content"] = "".join(self.reasoning)
        if self.tool_calls:
            message["tool_calls"] = [call.to_json(i) for i, call in enumerate(self.tool_calls)]
        return message

    def deltas(self) -> Iterator[dict[str, Any]]:
        """The stream deltas after the role chunk: one per token."""
        if self.reasoning is not None and not self.reasoning:
            yield {"reasoning_content": ""}  # reasoned, but empty: still say so
        for piece in self.reasoning or ():
            yield {"reasoning_content": piece}
        for piece in self.pieces:
            yield {"content": piece}
        for index, call in enumerate(self.tool_calls):
            head = {"name": call.name, "arguments": ""}
            yield {
                "tool_calls": [{"index": index, "id": call.id, "type": call.type, "function": head}]
            }
            for piece in call.pieces:
                yield {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}


def generate(
    text: str,
    stop: Sequence[str] = (),
    max_tokens: int | None = None,
    *,
    reasoning: str | None = None,
    calls: Sequence[PlannedCall] = (),
) -> Generated:
    """Apply stop strings to `text`, then the max_tokens cap to reasoning, text and calls."""
    cut = min((text.find(s) for s in stop if s in text), default=-1)
    budget = max_tokens if max_tokens is not None else float("inf")
    cut_short = False

    def take(pieces: list[str]) -> tuple[str, ...]:
        nonlocal budget, cut_short
        kept = pieces[: int(min(budget, len(pieces)))]
        budget -= len(kept)
        cut_short = cut_short or len(kept) < len(pieces)
        return tuple(kept)

    thought = take(split_pieces(reasoning)) if reasoning is not None else None
    pieces = take(split_pieces(text[:cut] if cut >= 0 else text))
    generated: list[GeneratedCall] = []
    for call in calls:
        if budget < 1:
            cut_short = True
            break
        budget -= 1
        generated.append(
            GeneratedCall(call.id, call.type, call.name, take(split_pieces(call.arguments)))
        )
    finish = "length" if cut_short else ("tool_calls" if calls else "stop")
    return Generated(pieces, finish, thought, tuple(generated))


def new_completion_id(created: int) -> str:
    """`chatcmpl-` + 24 hex; like Kimi's, the first 8 hex digits are the creation time."""
    return f"chatcmpl-{created & 0xFFFFFFFF:08x}{secrets.token_hex(8)}"


def usage(prompt: int, completion: int, cached: int | None = None) -> dict[str, int]:
    """A Kimi usage object; `cached_tokens` only when a cache was hit."""
    result = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    if cached:
        result["cached_tokens"] = cached
    return result


@dataclass
class Completion:
    """Everything needed to render one chat completion, streamed or not."""

    model_id: str
    choices: list[Generated]
    prompt_tokens: int
    cached_tokens: int | None = None
    created: int = field(default_factory=lambda: int(time.time()))
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = new_completion_id(self.created)

    def total_usage(self) -> dict[str, int]:
        """Usage for the whole request (completion tokens summed over choices)."""
        completion = sum(choice.tokens for choice in self.choices)
        return usage(self.prompt_tokens, completion, self.cached_tokens)

    def choice_usage(self, choice: Generated) -> dict[str, int]:
        """Usage carried by one choice's final stream chunk."""
        return usage(self.prompt_tokens, choice.tokens, self.cached_tokens)

    def body(self) -> dict[str, Any]:
        """The non-stream `chat.completion` object."""
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model_id,
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "choices": [
                {
                    "index": index,
                    "message": choice.message(),
                    "finish_reason": choice.finish_reason,
                }
                for index, choice in enumerate(self.choices)
            ],
            "usage": self.total_usage(),
        }


def _event(payload: Any) -> bytes:
    return b"data: " + dumps(payload) + b"\n\n"


DONE_EVENT = b"data: [DONE]\n\n"


async def sse_events(
    completion: Completion, *, include_usage: bool = False, delay: float = 0.0
) -> AsyncIterator[bytes]:
    """The SSE byte events for `completion`, ending with `data: [DONE]`."""

    def chunk(choices: list[dict[str, Any]]) -> bytes:
        payload: dict[str, Any] = {
            "id": completion.id,
            "object": "chat.completion.chunk",
            "created": completion.created,
            "model": completion.model_id,
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "choices": choices,
        }
        if include_usage:
            # 2026 docs: with include_usage every other chunk carries "usage": null.
            payload["usage"] = None
        return _event(payload)

    for index in range(len(completion.choices)):
        delta = {"role": "assistant", "content": ""}
        yield chunk([{"index": index, "delta": delta, "finish_reason": None}])
        await asyncio.sleep(delay)
    deltas = [list(choice.deltas()) for choice in completion.choices]
    longest = max(len(steps) for steps in deltas)
    # Choices advance together, one token each per round, like a batched decoder.
    for step in range(longest + 1):
        for index, choice in enumerate(completion.choices):
            if step < len(deltas[index]):
                delta = deltas[index][step]
                yield chunk([{"index": index, "delta": delta, "finish_reason": None}])
            elif step == len(deltas[index]):
                final = {
                    "index": index,
                    "delta": {},
                    "finish_reason": choice.finish_reason,
                    "usage": completion.choice_usage(choice),
                }
                yield chunk([final])
            else:
                continue
            await asyncio.sleep(delay)
    if include_usage:
        yield _event(
            {
                "id": completion.id,
                "object": "chat.completion.chunk",
                "created": completion.created,
                "model": completion.model_id,
                "system_fingerprint": SYSTEM_FINGERPRINT,
                "choices": [],
                "usage": completion.total_usage(),
            }
        )
    yield DONE_EVENT
