"""``onesdk chat``: streamed to stdout chunk by chunk, prompt from stdin, JSON, options."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable

import pytest

from onesdk_kimi.simulator import KimiSimulator

Run = Callable[..., "subprocess.CompletedProcess[str]"]
MODEL = "kimi-k2-turbo-preview"


def last_chat_body(sim: KimiSimulator) -> dict[str, object]:
    requests = [r for r in sim.requests if r.path == "/v1/chat/completions"]
    body: dict[str, object] = requests[-1].json
    return body


def test_chat_streams_the_reply(cli: Run, sim: KimiSimulator) -> None:
    result = cli("chat", "kimi", "-m", MODEL, "hi")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "You said: hi\n"
    assert result.stderr == ""
    assert last_chat_body(sim)["stream"] is True


class Recorder(io.StringIO):
    """A stdout that logs each write and flush."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []

    def write(self, text: str) -> int:
        self.events.append(f"write:{text}")
        return super().write(text)

    def flush(self) -> None:
        self.events.append("flush")


def test_each_chunk_is_flushed_as_it_arrives(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    out = Recorder()
    monkeypatch.setattr(sys, "stdout", out)
    assert cli("chat", "kimi", "-m", MODEL, "hi").returncode == 0
    writes = [event for event in out.events if event.startswith("write:")]
    assert len(writes) > 2  # the simulator sends the reply in several chunks
    for index, event in enumerate(out.events[:-1]):
        if event.startswith("write:"):
            assert out.events[index + 1] == "flush", out.events
    assert out.getvalue() == "You said: hi\n"


@pytest.mark.parametrize("extra", [[], ["-"]])
def test_prompt_from_stdin(cli: Run, extra: list[str]) -> None:
    result = cli("chat", "kimi", "-m", MODEL, *extra, stdin="hi from stdin\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "You said: hi from stdin\n"


def test_options_may_follow_the_prompt(cli: Run, sim: KimiSimulator) -> None:
    result = cli("chat", "kimi", "hi", "-m", MODEL, "--temperature", "0.3", "--max-tokens", "50")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "You said: hi\n"
    body = last_chat_body(sim)
    assert body["temperature"] == 0.3
    assert body["max_tokens"] == 50


def test_system_message_goes_first(cli: Run, sim: KimiSimulator) -> None:
    assert cli("chat", "kimi", "-m", MODEL, "--system", "Be brief.", "hi").returncode == 0
    assert last_chat_body(sim)["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
    ]


def test_json_stream_prints_the_final_response(cli: Run) -> None:
    result = cli("--json", "chat", "kimi", "-m", MODEL, "hi")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["choices"][0]["message"]["content"] == "You said: hi"
    assert data["usage"]["total_tokens"] > 0
    assert data["model"] == MODEL


def test_no_stream_uses_generate(cli: Run, sim: KimiSimulator) -> None:
    result = cli("chat", "kimi", "-m", MODEL, "--no-stream", "hi")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "You said: hi\n"
    assert "stream" not in last_chat_body(sim) or last_chat_body(sim)["stream"] is False
    data = json.loads(cli("chat", "kimi", "-m", MODEL, "--no-stream", "--json", "hi").stdout)
    assert data["choices"][0]["message"]["content"] == "You said: hi"
    assert data["usage"]["completion_tokens"] > 0


@pytest.mark.parametrize("mode", [[], ["--no-stream"]])
def test_usage_goes_to_stderr(cli: Run, mode: list[str]) -> None:
    result = cli("chat", "kimi", "-m", MODEL, "--usage", *mode, "hi")
    assert result.stdout == "You said: hi\n"
    assert result.stderr.startswith("usage: prompt_tokens=")


def test_error_mid_command_keeps_stdout_clean(cli: Run, sim: KimiSimulator) -> None:
    sim.fail_next(429, "rate_limit_reached_error", "slow down", path="/v1/chat/completions")
    result = cli("--max-retries", "0", "chat", "kimi", "-m", MODEL, "hi")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: InvokeRateLimitError: slow down")
