"""Partial mode (assistant prefill): Kimi returns only the continuation; OneSDK keeps both.

``response.text`` is the continuation as Kimi sent it, ``response.prefill`` the prefix and
``response.full_text`` the two joined; streams answer the same through ``final_response()``.
"""

from __future__ import annotations

import pytest

from onesdk import AsyncOneSDK, InvokeBadRequestError, Message, OneSDK
from onesdk_kimi.simulator import KimiSimulator

MODEL = "kimi-k2-turbo-preview"
PREFILLED = [
    {"role": "user", "content": "Tell me a story"},
    {"role": "assistant", "content": "You said: Tell", "partial": True},
]


def test_the_partial_flag_reaches_the_wire(kimi: OneSDK, sim: KimiSimulator) -> None:
    kimi.generate(MODEL, PREFILLED)
    assert sim.requests[-1].json["messages"][-1] == PREFILLED[-1]


def test_text_is_the_continuation_and_full_text_adds_the_prefix(kimi: OneSDK) -> None:
    response = kimi.generate(MODEL, PREFILLED)
    assert response.text == " me a story"
    assert response.prefill == "You said: Tell"
    assert response.full_text == "You said: Tell me a story"


def test_streams_keep_the_prefix_too(kimi: OneSDK) -> None:
    with kimi.stream_generate(MODEL, PREFILLED) as stream:
        chunks = list(stream)
        final = stream.final_response()
    assert all(chunk.prefill == "You said: Tell" for chunk in chunks)
    assert "".join(chunk.text for chunk in chunks) == " me a story"
    assert final.full_text == "You said: Tell me a story"
    assert final.prefill == "You said: Tell"


def test_a_typed_prefill_message_works(kimi: OneSDK) -> None:
    messages = [PREFILLED[0], Message(role="assistant", content="You said:", partial=True)]
    assert kimi.generate(MODEL, messages).full_text == "You said: Tell me a story"


def test_without_partial_there_is_no_prefill(kimi: OneSDK) -> None:
    response = kimi.generate(MODEL, PREFILLED[:1])
    assert response.prefill is None
    assert response.full_text == response.text == "You said: Tell me a story"


def test_partial_with_json_mode_fails_before_any_request(kimi: OneSDK, sim: KimiSimulator) -> None:
    sim.clear_requests()
    with pytest.raises(InvokeBadRequestError, match="response_format"):
        kimi.generate(MODEL, PREFILLED, response_format={"type": "json_object"})
    assert sim.requests == []


def test_partial_anywhere_but_last_is_refused_by_kimi(kimi: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="partial"):
        kimi.generate(MODEL, [*PREFILLED, {"role": "user", "content": "more"}])


async def test_async_streams_keep_the_prefix(sim: KimiSimulator) -> None:
    async with AsyncOneSDK("kimi", api_key=sim.api_key, base_url=sim.base_url) as client:
        plain = await client.generate(MODEL, PREFILLED)
        async with client.stream_generate(MODEL, PREFILLED) as stream:
            final = await stream.final_response()
    assert plain.full_text == final.full_text == "You said: Tell me a story"
