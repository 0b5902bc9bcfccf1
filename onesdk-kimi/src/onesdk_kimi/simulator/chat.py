"""Deterministic chat replies and their Kimi wire shapes (JSON body and SSE chunks).

Reply rule: `reply_text(messages)` is "You said: " + the text of the last user message
(string content, or its text parts joined by "\\n"; "" when there is no user message).
In partial mode (last message `{"role": "assistant", "partial": true}`) a prefix of that text
already given by the assistant is left out: the reply is only the continuation.
Choice i > 0 appends " (i)". With response_format json_object/json_schema the content is
`{"reply": <text>}` serialized. The content is then cut before the first stop string
(finish "stop"), split into tokens by `tokens.split_pieces`, and capped at max_tokens
(finish "length"). A dry run (context cache `dry_run=1`) yields empty content.
Streams send one chunk per token piece, so joined deltas equal the non-stream content.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .http_types import dumps
from .message_rules import message_text
from .tokens import split_pieces

REPLY_PREFIX = "You said: "
SYSTEM_FINGERPRINT = "fpv0_10a6da87"


def reply_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The simulator's answer to `messages` before stop/max_tokens cuts."""
    user = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    text = REPLY_PREFIX + (message_text(user) if user is not None else "")
    last = messages[-1] if messages else None
    if last is not None and last.get("role") == "assistant" and last.get("partial"):
        # Partial mode: the reply is only the continuation of the assistant's prefix.
        prefix = message_text(last)
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def choice_text(base: str, index: int, response_format: str = "text") -> str:
    """Full content of choice `index` (before cuts) for a given response_format."""
    text = base if index == 0 else f"{base} ({index})"
    if response_format in ("json_object", "json_schema"):
        return json.dumps({"reply": text}, ensure_ascii=False)
    return text


@dataclass(frozen=True)
class Generated:
    """One choice's output: token pieces and why generation ended."""

    pieces: tuple[str, ...]
    finish_reason: str

    @property
    def content(self) -> str:
        """The full message content."""
        return "".join(self.pieces)

    @property
    def tokens(self) -> int:
        """completion_tokens for this choice."""
        return len(self.pieces)


def generate(text: str, stop: Sequence[str] = (), max_tokens: int | None = None) -> Generated:
    """Apply stop strings then the max_tokens cap to `text`."""
    cut = min((text.find(s) for s in stop if s in text), default=-1)
    pieces = split_pieces(text[:cut] if cut >= 0 else text)
    if max_tokens is not None and len(pieces) > max_tokens:
        return Generated(tuple(pieces[:max_tokens]), "length")
    return Generated(tuple(pieces), "stop")


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
                    "message": {"role": "assistant", "content": choice.content},
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
    longest = max(choice.tokens for choice in completion.choices)
    # Choices advance together, one piece each per round, like a batched decoder.
    for step in range(longest + 1):
        for index, choice in enumerate(completion.choices):
            if step < choice.tokens:
                delta = {"content": choice.pieces[step]}
                yield chunk([{"index": index, "delta": delta, "finish_reason": None}])
            elif step == choice.tokens:
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
