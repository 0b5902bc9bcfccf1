"""JSON mode, stop, n and sampling parameters through OneSDK against the simulator."""

from __future__ import annotations

import json

import pytest

from onesdk import InvokeBadRequestError, OneSDK
from onesdk_kimi.simulator import KimiSimulator

MODEL = "kimi-k2-turbo-preview"
ASK = [
    {"role": "system", "content": 'Answer as JSON: {"reply": string}.'},
    {"role": "user", "content": "alpha beta gamma"},
]


def test_json_mode_returns_a_json_object(kimi: OneSDK, sim: KimiSimulator) -> None:
    response = kimi.generate(MODEL, ASK, response_format={"type": "json_object"})
    assert sim.requests[-1].json["response_format"] == {"type": "json_object"}
    assert json.loads(response.text) == {"reply": "You said: alpha beta gamma"}


def test_json_mode_streams_the_same_object(kimi: OneSDK) -> None:
    stream = kimi.stream_generate(MODEL, ASK, response_format={"type": "json_object"})
    assert json.loads(stream.text()) == {"reply": "You said: alpha beta gamma"}


def test_stop_cuts_before_the_stop_string(kimi: OneSDK, sim: KimiSimulator) -> None:
    response = kimi.generate(MODEL, ASK, stop=["gamma", "zeta"])
    assert sim.requests[-1].json["stop"] == ["gamma", "zeta"]
    assert response.text == "You said: alpha beta "
    assert response.choices[0].finish_reason == "stop"


def test_n_returns_n_choices_with_summed_usage(kimi: OneSDK) -> None:
    response = kimi.generate(MODEL, ASK, n=3, temperature=0.7)
    texts = [choice.message.content for choice in response.choices]
    assert texts == [
        "You said: alpha beta gamma",
        "You said: alpha beta gamma (1)",
        "You said: alpha beta gamma (2)",
    ]
    final = kimi.stream_generate(MODEL, ASK, n=3, temperature=0.7).final_response()
    assert [c.message.content for c in final.choices] == texts
    assert final.usage == response.usage


def test_sampling_parameters_reach_the_wire(kimi: OneSDK, sim: KimiSimulator) -> None:
    params = {
        "temperature": 0.3,
        "top_p": 0.9,
        "presence_penalty": -0.5,
        "frequency_penalty": 1.5,
        "max_tokens": 64,
    }
    kimi.generate(MODEL, ASK, **params)
    sent = sim.requests[-1].json
    assert {key: sent[key] for key in params} == params


FUNCTION = {"type": "function", "function": {"name": "lookup", "parameters": {}}}
PICK = {"type": "function", "function": {"name": "lookup"}}

BAD = {
    "temperature": {"temperature": 1.2},
    "top_p": {"top_p": 1.5},
    "presence_penalty": {"presence_penalty": -2.5},
    "frequency_penalty": {"frequency_penalty": 2.01},
    "n": {"n": 6},
    "stop": {"stop": ["a", "b", "c", "d", "e", "f"]},
    "max_tokens": {"max_tokens": 0},
    "response_format": {"response_format": {"type": "xml"}},
    "tool_choice": {"tool_choice": "sometimes"},
    "thinking": {"thinking": {"type": "maybe"}},
    "stream_options": {"stream_options": {"include_usage": "yes"}},
    "prompt_cache_key": {"prompt_cache_key": 42},
    "unknown_knob": {"unknown_knob": 1},
    "logprobs": {"logprobs": True},
}


@pytest.mark.parametrize("params", BAD.values(), ids=BAD.keys())
def test_bad_parameters_are_named_before_any_request(
    kimi: OneSDK, sim: KimiSimulator, params: dict[str, object]
) -> None:
    sim.clear_requests()
    (name,) = params
    with pytest.raises(InvokeBadRequestError, match=name):
        kimi.generate(MODEL, ASK, **params)
    with pytest.raises(InvokeBadRequestError, match=name):
        kimi.stream_generate(MODEL, ASK, **params)
    assert sim.requests == []


@pytest.mark.parametrize(
    ("model", "params", "name"),
    [
        ("moonshot-v1-8k", {"n": 2}, "n"),
        ("kimi-k2.6", {"temperature": 0.3}, "temperature"),
        ("kimi-k2.5", {"temperature": 1.0, "thinking": {"type": "disabled"}}, "temperature"),
        ("kimi-thinking-preview", {"tools": [FUNCTION]}, "tools"),
        ("kimi-k2-thinking", {"tools": [FUNCTION], "tool_choice": "required"}, "tool_choice"),
        ("kimi-k2.6", {"tools": [FUNCTION], "tool_choice": PICK}, "tool_choice"),
    ],
)
def test_model_specific_rules_are_checked_before_any_request(
    kimi: OneSDK, sim: KimiSimulator, model: str, params: dict[str, object], name: str
) -> None:
    sim.clear_requests()
    with pytest.raises(InvokeBadRequestError, match=name):
        kimi.generate(model, ASK, **params)
    assert sim.requests == []


def test_model_specific_values_that_kimi_accepts_are_sent(kimi: OneSDK) -> None:
    assert kimi.generate("moonshot-v1-8k", ASK, n=2, temperature=0.3).choices[1].index == 1
    no_thinking = {"thinking": {"type": "disabled"}}
    assert kimi.generate("kimi-k2.5", ASK, temperature=0.6, **no_thinking).text
    assert kimi.generate("kimi-k2.6", ASK, temperature=1.0).text
    no_thinking_pick = {"tools": [FUNCTION], "tool_choice": PICK, **no_thinking}
    assert kimi.generate("kimi-k2.6", ASK, **no_thinking_pick).message.tool_calls
