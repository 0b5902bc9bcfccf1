"""Every script in examples/ runs against the local simulator and prints what it promises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

EXPECTED: dict[str, list[str]] = {
    "demo.py": [
        "using the local Kimi simulator",
        "== Generate",
        "Token count: ",
        "[cached tokens: 28 of 37 prompt tokens]",
        "Tool get_weather said: Sunny and 24 degrees in Beijing",
        "{'reply': 'You said: Reply in JSON'}",
        "continuation ' one line about the sea.'",
        "reasoning: 'Thinking about: Is 97 prime?'",
        "[image: image/png, 70 bytes]",
        "extracted: 'Deploys happen on Tuesdays.'",
        "request-3: You said: Classify item 2",
        "InvokeModelNotFoundError",
    ],
    "tools.py": [
        '"name": "get_weather"',
        "model calls get_weather",
        "streamed call: get_weather",
        "finish_reason: tool_calls",
        "answer: Tool get_weather said: Sunny and 24 degrees celsius in Beijing",
    ],
    "web_search.py": [
        "$web_search call t-web_search-0",
        "Searched the web for: What is new with Kimi this week?",
        "[prompt tokens incl. search results:",
    ],
    "json_mode.py": [
        "parsed: {'reply': 'You said: Name one primary color.'}",
        "choice 1:",
        "stopped before 'primary': 'You said: Name one '",
        "InvokeBadRequestError: temperature=1.5",
    ],
    "vision.py": ["image part: data:image/png;base64,", "[image: image/png, 70 bytes]"],
    "partial_mode.py": [
        "continuation: ' one line about the sea.'",
        "full text:    'You said: Write one line about the sea.'",
        "streamed full text: 'You said: Write one line about the sea.'",
    ],
    "reasoning.py": [
        "[reasoning] Thinking about: Is 97 a prime number?",
        "[answer] You said: Is 97 a prime number?",
        "reasoning: Thinking about: Is 97 a prime number?",
    ],
}


def test_every_example_script_is_covered() -> None:
    assert sorted(path.name for path in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_runs_against_the_simulator(script: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOONSHOT_")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for expected in EXPECTED[script]:
        assert expected in done.stdout, f"{expected!r} not in the output of {script}"
    assert "Traceback" not in done.stderr
