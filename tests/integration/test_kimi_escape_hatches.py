"""Per-call escape hatches reach the wire: ``extra_body``, ``extra_headers``, ``extra_query``.

They carry what OneSDK does not model yet, unchecked, for generate and stream alike.
"""

from __future__ import annotations

from onesdk import AsyncOneSDK, OneSDK
from onesdk_kimi.simulator import KimiSimulator

MODEL = "kimi-k2-turbo-preview"
ASK = [{"role": "user", "content": "Hi"}]


def test_extra_body_fields_join_the_json_body(kimi: OneSDK, sim: KimiSimulator) -> None:
    kimi.generate(MODEL, ASK, temperature=0.2, extra_body={"safety_identifier": "u-1", "x": [1]})
    sent = sim.requests[-1].json
    assert sent["safety_identifier"] == "u-1"
    assert sent["x"] == [1]
    assert sent["temperature"] == 0.2


def test_extra_body_overrides_a_checked_parameter_unchecked(
    kimi: OneSDK, sim: KimiSimulator
) -> None:
    # The way to send what Kimi accepts before OneSDK knows about it.
    kimi.generate(MODEL, ASK, max_tokens=10, extra_body={"max_tokens": 20})
    assert sim.requests[-1].json["max_tokens"] == 20


def test_extra_headers_are_sent(kimi: OneSDK, sim: KimiSimulator) -> None:
    kimi.generate(MODEL, ASK, extra_headers={"X-Trace": "abc", "X-Msh-Trace-Mode": "on"})
    headers = sim.requests[-1].headers
    assert headers["x-trace"] == "abc"
    assert headers["x-msh-trace-mode"] == "on"
    assert headers["authorization"] == f"Bearer {sim.api_key}"


def test_escape_hatches_work_for_streams(kimi: OneSDK, sim: KimiSimulator) -> None:
    with kimi.stream_generate(
        MODEL, ASK, extra_body={"prompt_cache_key": "session-1"}, extra_headers={"X-Trace": "s"}
    ) as stream:
        assert stream.text() == "You said: Hi"
    sent = sim.requests[-1]
    assert sent.json["prompt_cache_key"] == "session-1"
    assert sent.json["stream"] is True
    assert sent.headers["x-trace"] == "s"


def test_extra_body_only_applies_to_its_call(kimi: OneSDK, sim: KimiSimulator) -> None:
    kimi.generate(MODEL, ASK, extra_body={"x": 1}, extra_headers={"X-Trace": "once"})
    kimi.generate(MODEL, ASK)
    assert "x" not in sim.requests[-1].json
    assert "x-trace" not in sim.requests[-1].headers


async def test_escape_hatches_work_in_the_async_client(sim: KimiSimulator) -> None:
    sim.clear_requests()
    async with AsyncOneSDK("kimi", api_key=sim.api_key, base_url=sim.base_url) as client:
        await client.generate(MODEL, ASK, extra_body={"x": 2}, extra_headers={"X-Trace": "a"})
    assert sim.requests[-1].json["x"] == 2
    assert sim.requests[-1].headers["x-trace"] == "a"


def test_extra_query_joins_the_url(kimi: OneSDK, sim: KimiSimulator) -> None:
    kimi.generate(MODEL, ASK, extra_query={"trace": "1"})
    assert sim.requests[-1].query == {"trace": "1"}
    assert sim.requests[-1].path == "/v1/chat/completions"
