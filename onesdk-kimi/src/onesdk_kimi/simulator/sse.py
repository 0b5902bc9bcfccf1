"""Small readers for the simulator's SSE output, for tests that look at raw stream text.

`parse_sse` decodes `data:` events; `joined_content` rebuilds one choice's streamed text.
"""

from __future__ import annotations

import json
from typing import Any


def parse_sse(text: str) -> list[Any]:
    """Decode `data: <json>` events separated by blank lines; `[DONE]` stays a string."""
    events: list[Any] = []
    for block in text.split("\n\n"):
        lines = [line for line in block.split("\n") if line.startswith("data:")]
        if not lines:
            continue
        payload = "\n".join(line[len("data:") :].lstrip() for line in lines)
        events.append(payload if payload == "[DONE]" else json.loads(payload))
    return events


def joined_content(events: list[Any], index: int = 0) -> str:
    """Concatenate the `delta.content` pieces of choice `index`."""
    return "".join(
        choice["delta"].get("content") or ""
        for event in events
        if isinstance(event, dict)
        for choice in event.get("choices", [])
        if choice.get("index") == index
    )
