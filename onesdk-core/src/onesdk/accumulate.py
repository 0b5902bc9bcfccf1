"""Assembles stream chunks into the whole ``ChatResponse`` they add up to.

Text, reasoning, tool calls (joined by index), finish reasons and usage, per choice.
"""

from __future__ import annotations

from typing import Any

from .types import ChatChunk, ChatResponse, ToolCallDelta, Usage, remember_prefill

__all__ = ["ChunkAccumulator"]


class _ChoiceState:
    __slots__ = ("finish_reason", "reasoning", "role", "text", "tool_calls")

    def __init__(self) -> None:
        self.role = "assistant"
        self.text: list[str] = []
        self.reasoning: list[str] | None = None
        self.tool_calls: dict[int, dict[str, Any]] = {}
        self.finish_reason: str | None = None

    def add_tool_call(self, delta: ToolCallDelta) -> None:
        call = self.tool_calls.setdefault(
            delta.index, {"id": "", "type": "function", "function": {"name": "", "arguments": ""}}
        )
        if delta.id:
            call["id"] = delta.id
        if delta.type:
            call["type"] = delta.type
        if delta.function is not None:
            if delta.function.name:
                call["function"]["name"] += delta.function.name
            call["function"]["arguments"] += delta.function.arguments

    def message(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": self.role, "content": "".join(self.text)}
        if self.reasoning is not None:
            message["reasoning_content"] = "".join(self.reasoning)
        if self.tool_calls:
            message["tool_calls"] = [
                {"index": index, **call} for index, call in sorted(self.tool_calls.items())
            ]
        return message


class ChunkAccumulator:
    """Feed it every chunk; ``response()`` is what a non-stream call would have returned."""

    def __init__(self) -> None:
        self._choices: dict[int, _ChoiceState] = {}
        self._head: dict[str, Any] = {}
        self._request_usage: Usage | None = None  # usage for the whole request
        self._choice_usage: dict[int, Usage] = {}  # Kimi: usage inside each final choice
        self._prefill: str | None = None  # partial mode: the prefix the stream continues

    def add(self, chunk: ChatChunk) -> None:
        if not self._head and chunk.id:
            self._head = {"id": chunk.id, "created": chunk.created, "model": chunk.model}
            self._prefill = chunk.prefill  # the same on every chunk of a stream
        if chunk.system_fingerprint:
            self._head["system_fingerprint"] = chunk.system_fingerprint
        if chunk.usage is not None and not any(c.usage is not None for c in chunk.choices):
            self._request_usage = chunk.usage
        for choice in chunk.choices:
            if choice.usage is not None:
                self._choice_usage[choice.index] = choice.usage
            state = self._choices.get(choice.index)
            if state is None:
                state = self._choices[choice.index] = _ChoiceState()
            delta = choice.delta
            if delta.role:
                state.role = delta.role
            if delta.content:
                state.text.append(delta.content)
            if delta.reasoning_content is not None:
                if state.reasoning is None:
                    state.reasoning = []
                state.reasoning.append(delta.reasoning_content)
            if delta.tool_calls:
                for call in delta.tool_calls:
                    state.add_tool_call(call)
            if choice.finish_reason:
                state.finish_reason = choice.finish_reason

    @property
    def usage(self) -> Usage | None:
        """Usage of the whole request: per-choice usages add their completion tokens."""
        if self._request_usage is not None:
            return self._request_usage
        if not self._choice_usage:
            return None
        usages = list(self._choice_usage.values())
        if len(usages) == 1:
            return usages[0]
        # Prompt and cached tokens are the same in every choice; completions add up.
        completion = sum(u.completion_tokens for u in usages)
        first = usages[0]
        return Usage(
            prompt_tokens=first.prompt_tokens,
            completion_tokens=completion,
            total_tokens=first.prompt_tokens + completion,
            cached_tokens=first.cached_tokens,
        )

    def response(self) -> ChatResponse:
        choices = [
            {"index": index, "message": state.message(), "finish_reason": state.finish_reason}
            for index, state in sorted(self._choices.items())
        ]
        data: dict[str, Any] = {**self._head, "object": "chat.completion", "choices": choices}
        usage = self.usage
        if usage is not None:
            data["usage"] = usage
        response = ChatResponse.model_validate(data)
        if self._prefill is not None:
            remember_prefill(response, self._prefill)
        return response
