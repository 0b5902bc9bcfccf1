"""A deterministic token estimator shared by chat usage and the estimate endpoint.

A token is a run of word characters, one CJK character, or one other non-space symbol;
each message adds MESSAGE_OVERHEAD tokens, each image IMAGE_TOKENS and each video VIDEO_TOKENS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MESSAGE_OVERHEAD = 4
IMAGE_TOKENS = 1024  # Kimi billed a vision image at a flat 1024 tokens (kimi-api.md section 4)
VIDEO_TOKENS = 2048

_CJK = (
    "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
_PIECE = rf"[{_CJK}]|[^\W{_CJK}]+|[^\w\s]"
_PIECE_RE = re.compile(_PIECE)
_SEGMENT_RE = re.compile(rf"(?:{_PIECE})\s*")


def count_text(text: str) -> int:
    """Number of tokens in `text`."""
    return len(_PIECE_RE.findall(text))


def split_pieces(text: str) -> list[str]:
    """Split `text` into tokens, each carrying its trailing whitespace.

    Joining the result gives `text` back (leading whitespace goes with the first piece);
    text with no token at all gives [].
    """
    matches = list(_SEGMENT_RE.finditer(text))
    if not matches:
        return []
    pieces = [match.group(0) for match in matches]
    pieces[0] = text[: matches[0].start()] + pieces[0]
    return pieces


def _count_part(part: Any) -> int:
    if not isinstance(part, Mapping):
        return 0
    kind = part.get("type")
    if kind == "text":
        text = part.get("text")
        return count_text(text) if isinstance(text, str) else 0
    if kind == "image_url":
        return IMAGE_TOKENS
    if kind == "video_url":
        return VIDEO_TOKENS
    return 0


def count_content(content: Any) -> int:
    """Tokens of a message `content`: a string or a list of parts."""
    if isinstance(content, str):
        return count_text(content)
    if isinstance(content, list):
        return sum(_count_part(part) for part in content)
    return 0


def count_message(message: Mapping[str, Any]) -> int:
    """Tokens of one chat message, overhead included."""
    total = MESSAGE_OVERHEAD + count_content(message.get("content"))
    for key in ("name", "reasoning_content"):
        value = message.get(key)
        if isinstance(value, str):
            total += count_text(value)
    tool_calls = message.get("tool_calls")
    if isinstance(tool_calls, list):
        total += count_text(canonical_json(tool_calls))
    return total


def count_tools(tools: Sequence[Any] | None) -> int:
    """Tokens of a `tools` list (its canonical JSON)."""
    return count_text(canonical_json(list(tools))) if tools else 0


def count_prompt(messages: Iterable[Mapping[str, Any]], tools: Sequence[Any] | None = None) -> int:
    """prompt_tokens for these messages and tools."""
    return sum(count_message(message) for message in messages) + count_tools(tools)


def canonical_json(value: Any) -> str:
    """Key-sorted compact JSON, for counting and hashing independent of key order."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
