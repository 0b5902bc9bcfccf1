"""Reasoning models: ``reasoning_content`` kept in responses and streamed as its own field."""

from __future__ import annotations

import pytest

from onesdk import OneSDK
from onesdk_kimi.simulator import KimiSimulator
from onesdk_kimi.simulator.tokens import count_text

ASK = [{"role": "user", "content": "Why is the sky blue?"}]


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("kimi-k2-thinking", {}),
        ("kimi-thinking-preview", {}),
        ("kimi-k2.5", {}),
        ("kimi-k2.6", {"thinking": {"type": "enabled"}}),
    ],
)
def test_reasoning_content_is_kept_beside_the_answer(
    kimi: OneSDK, model: str, params: dict[str, object]
) -> None:
    response = kimi.generate(model, ASK, **params)
    assert response.message.reasoning_content == "Thinking about: Why is the sky blue?"
    assert (
        response["choices"][0]["message"]["reasoning_content"] == response.message.reasoning_content
    )
    assert response.text == "You said: Why is the sky blue?"


def test_thinking_disabled_gives_no_reasoning(kimi: OneSDK, sim: KimiSimulator) -> None:
    response = kimi.generate("kimi-k2.6", ASK, thinking={"type": "disabled"})
    assert sim.requests[-1].json["thinking"] == {"type": "disabled"}
    assert response.message.reasoning_content is None


def test_reasoning_streams_as_its_own_field_before_the_content(kimi: OneSDK) -> None:
    chunks = list(kimi.stream_generate("kimi-k2-thinking", ASK))
    reasoning = [c.choices[0].delta.reasoning_content for c in chunks if c.choices]
    content = [c.text for c in chunks]
    assert "".join(r for r in reasoning if r) == "Thinking about: Why is the sky blue?"
    assert "".join(content) == "You said: Why is the sky blue?"
    last_reasoning = max(i for i, r in enumerate(reasoning) if r)
    first_content = min(i for i, text in enumerate(content) if text)
    assert last_reasoning < first_content
    for chunk in chunks:
        if chunk.choices and chunk.choices[0].delta.reasoning_content:
            assert chunk.text == ""  # a reasoning chunk adds no answer text
            assert chunk["choices"][0]["message"]["reasoning_content"]


def test_reasoning_counts_toward_completion_tokens_and_max_tokens(kimi: OneSDK) -> None:
    full = kimi.generate("kimi-k2-thinking", ASK)
    short = kimi.generate("kimi-k2-thinking", ASK, max_tokens=3)
    assert short.choices[0].finish_reason == "length"
    assert short.message.reasoning_content == "Thinking about: "
    assert short.text == ""
    assert full.usage is not None
    both = count_text(full.message.reasoning_content or "") + count_text(full.text)
    assert full.usage.completion_tokens == both


def test_stream_final_response_keeps_reasoning(kimi: OneSDK) -> None:
    expected = kimi.generate("kimi-k2-thinking", ASK)
    final = kimi.stream_generate("kimi-k2-thinking", ASK).final_response()
    assert final.message.reasoning_content == expected.message.reasoning_content
    assert final.text == expected.text
    assert final.usage == expected.usage
