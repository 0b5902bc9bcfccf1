"""Chat and estimate request validation: each rule answers Kimi's status, type and message.

Bodies start from a valid request and change one thing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

Chat = Callable[..., httpx.Response]


USER = {"role": "user", "content": "Hi"}
INVALID = "invalid_request_error"
TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
CALL = {"id": "lookup:0", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}

CASES: list[tuple[str, dict[str, Any], int, str, str]] = [
    (
        "unknown model",
        {"model": "gpt-4o"},
        404,
        "resource_not_found_error",
        "Not found the model gpt-4o or Permission denied",
    ),
    ("missing model", {"model": None}, 400, INVALID, "model is required"),
    ("missing messages", {"messages": None}, 400, INVALID, "messages must not be empty"),
    ("empty messages", {"messages": []}, 400, INVALID, "messages must not be empty"),
    ("messages not a list", {"messages": {"role": "user"}}, 400, INVALID, "list"),
    ("message not an object", {"messages": ["hi"]}, 400, INVALID, "position 0 must be an object"),
    ("message without role", {"messages": [{"content": "x"}]}, 400, INVALID, "has no role"),
    (
        "unknown role",
        {"messages": [{"role": "bot", "content": "x"}]},
        400,
        INVALID,
        "invalid role 'bot'",
    ),
    (
        "empty user content",
        {"messages": [{"role": "user", "content": ""}]},
        400,
        INVALID,
        "Invalid request: the message at position 0 with role 'user' must not be empty",
    ),
    (
        "missing system content",
        {"messages": [{"role": "system"}, USER]},
        400,
        INVALID,
        "position 0 with role 'system' must not be empty",
    ),
    (
        "empty assistant content",
        {"messages": [USER, {"role": "assistant", "content": ""}, USER]},
        400,
        INVALID,
        "position 1 with role 'assistant' must not be empty",
    ),
    (
        "content of wrong type",
        {"messages": [{"role": "user", "content": {"text": "x"}}]},
        400,
        INVALID,
        "invalid content type",
    ),
    (
        "bad content part",
        {"messages": [{"role": "user", "content": [{"type": "audio"}]}]},
        400,
        INVALID,
        "invalid content part",
    ),
    (
        "image on a text model",
        {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}
                    ],
                }
            ]
        },
        400,
        INVALID,
        "does not support image input",
    ),
    (
        "unknown tool_call_id",
        {"messages": [USER, {"role": "tool", "tool_call_id": "x:0", "content": "r"}]},
        400,
        INVALID,
        "tool_call_id x:0 is not found",
    ),
    (
        "partial not last",
        {"messages": [{"role": "assistant", "content": "a", "partial": True}, USER]},
        400,
        INVALID,
        "partial",
    ),
    ("temperature above 1", {"temperature": 1.5}, 400, INVALID, "temperature must be in [0, 1]"),
    ("temperature below 0", {"temperature": -0.1}, 400, INVALID, "temperature"),
    ("temperature not a number", {"temperature": "hot"}, 400, INVALID, "must be a number"),
    ("top_p above 1", {"top_p": 1.01}, 400, INVALID, "top_p must be in [0, 1]"),
    ("n is 0", {"n": 0}, 400, INVALID, "n must be in [1, 5]"),
    ("n is 6", {"n": 6}, 400, INVALID, "n must be in [1, 5]"),
    ("n > 1 at temperature 0", {"n": 2, "temperature": 0}, 400, INVALID, "n must be 1"),
    (
        "n > 1 with moonshot default temperature",
        {"model": "moonshot-v1-8k", "n": 2},
        400,
        INVALID,
        "n must be 1",
    ),
    ("six stop strings", {"stop": ["a", "b", "c", "d", "e", "f"]}, 400, INVALID, "at most 5"),
    ("long stop string", {"stop": ["x" * 33]}, 400, INVALID, "at most 32 bytes"),
    ("stop of wrong type", {"stop": 5}, 400, INVALID, "stop must be"),
    ("129 tools", {"tools": [TOOL] * 129}, 400, INVALID, "must not exceed 128"),
    (
        "bad tool name",
        {"tools": [{"type": "function", "function": {"name": "x"}}]},
        400,
        INVALID,
        "name 'x' is invalid",
    ),
    ("presence_penalty", {"presence_penalty": 2.5}, 400, INVALID, "presence_penalty"),
    ("frequency_penalty", {"frequency_penalty": -3}, 400, INVALID, "frequency_penalty"),
    ("max_tokens 0", {"max_tokens": 0}, 400, INVALID, "max_tokens"),
    ("max_tokens not int", {"max_tokens": "10"}, 400, INVALID, "max_tokens must be an integer"),
    (
        "context window",
        {"model": "moonshot-v1-8k", "max_tokens": 8190},
        400,
        INVALID,
        "Invalid request: Your request exceeded model token limit: 8192 (requested: 8195)",
    ),
    ("stream not bool", {"stream": "yes"}, 400, INVALID, "stream must be a boolean"),
    ("bad response_format", {"response_format": {"type": "xml"}}, 400, INVALID, "response_format"),
    (
        "k2.5 fixed temperature",
        {"model": "kimi-k2.5", "temperature": 0.3},
        400,
        INVALID,
        "invalid temperature: only 1 is allowed for this model",
    ),
    (
        "k2.6 no thinking fixed temperature",
        {"model": "kimi-k2.6", "thinking": {"type": "disabled"}, "temperature": 1},
        400,
        INVALID,
        "invalid temperature: only 0.6 is allowed for this model",
    ),
    (
        "bad thinking type",
        {"model": "kimi-k2.6", "thinking": {"type": "on"}},
        400,
        INVALID,
        "thinking.type",
    ),
    (
        "thinking tool call without reasoning_content",
        {
            "model": "kimi-k2-thinking",
            "tools": [TOOL],
            "messages": [
                USER,
                {"role": "assistant", "content": "", "tool_calls": [CALL]},
                {"role": "tool", "tool_call_id": "lookup:0", "content": "42"},
            ],
        },
        400,
        INVALID,
        "thinking is enabled but reasoning_content is missing",
    ),
]


@pytest.mark.parametrize(
    ("body", "status", "error_type", "fragment"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_chat_validation(
    client: httpx.Client, body: dict[str, Any], status: int, error_type: str, fragment: str
) -> None:
    request = {"model": "kimi-k2-turbo-preview", "messages": [USER], **body}
    request = {key: value for key, value in request.items() if value is not None}
    response = client.post("/chat/completions", json=request)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert "msh-request-id" in response.headers
    assert response.json() == {
        "error": {"message": response.json()["error"]["message"], "type": error_type}
    }
    assert fragment in response.json()["error"]["message"]


def test_valid_tool_loop_is_accepted(chat: Chat) -> None:
    messages = [
        USER,
        {"role": "assistant", "content": "", "tool_calls": [CALL], "reasoning_content": "r"},
        {"role": "tool", "tool_call_id": "lookup:0", "name": "lookup", "content": "42"},
    ]
    for model in ("kimi-k2-turbo-preview", "kimi-k2-thinking"):
        response = chat(model=model, tools=[TOOL], messages=messages)
        assert response.status_code == 200, response.text


def test_stop_string_of_32_bytes_is_accepted(chat: Chat) -> None:
    assert chat(stop=["x" * 32, "a", "b", "c", "d"]).status_code == 200


def test_context_window_counts_prompt_plus_max_tokens(chat: Chat) -> None:
    # "Hi" as one user message is 5 tokens; 5 + 8187 fits moonshot-v1-8k exactly.
    assert chat(model="moonshot-v1-8k", messages=[USER], max_tokens=8187).status_code == 200


def test_malformed_json_body(client: httpx.Client) -> None:
    response = client.post(
        "/chat/completions", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["type"] == INVALID
    response = client.post("/chat/completions", json=[1, 2])
    assert response.status_code == 400
    assert response.json()["error"]["type"] == INVALID


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"model": "nope", "messages": [USER]}, 404, "Not found the model nope"),
        ({"model": "kimi-k2-turbo-preview", "messages": []}, 400, "messages must not be empty"),
        (
            {"model": "kimi-k2-turbo-preview", "messages": [{"role": "x", "content": "a"}]},
            400,
            "invalid role",
        ),
    ],
)
def test_estimate_validation(
    client: httpx.Client, body: dict[str, Any], status: int, fragment: str
) -> None:
    response = client.post("/tokenizers/estimate-token-count", json=body)
    assert response.status_code == status
    assert fragment in response.json()["error"]["message"]
