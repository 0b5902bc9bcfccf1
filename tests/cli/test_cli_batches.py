"""``onesdk batch``: create from prompts or JSONL, wait with progress, results, list, cancel."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from onesdk_kimi.simulator import KimiSimulator

Run = Callable[..., "subprocess.CompletedProcess[str]"]
MODEL = "kimi-k2.5"


def ok_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def slow(sim: KimiSimulator) -> Iterator[KimiSimulator]:
    store = sim.state.batches
    saved = store.line_delay
    store.line_delay = 3600.0
    try:
        yield sim
    finally:
        store.line_delay = saved


def test_create_from_prompts_wait_and_results(cli: Run) -> None:
    batch = ok_json(
        cli(
            "--json", "batch", "create", "kimi", "-m", MODEL, "--prompt", "one", "--prompt", "two",
            "--metadata", "job=cli", "--completion-window", "12h", "--wait",
            "--poll-interval", "0.02",
        )
    )  # fmt: skip
    assert batch["status"] == "completed"
    assert batch["request_counts"] == {"completed": 2, "failed": 0, "total": 2}
    assert batch["metadata"] == {"job": "cli"}
    assert batch["completion_window"] == "12h"

    results = ok_json(cli("batch", "results", batch["id"], "--json"))
    assert [r["custom_id"] for r in results] == ["request-1", "request-2"]
    assert results[0]["response"]["choices"][0]["message"]["content"] == "You said: one"
    human = cli("batch", "results", "kimi", batch["id"])
    assert human.returncode == 0, human.stderr
    assert human.stdout.splitlines() == ["request-1: You said: one", "request-2: You said: two"]


def test_create_from_a_jsonl_file_with_a_failing_line(cli: Run, tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    lines = [
        {"custom_id": "a", "messages": [{"role": "user", "content": "from file"}]},
        {"custom_id": "b", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 300000},
    ]
    requests.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    created = cli("batch", "create", "-m", MODEL, "--file", str(requests), "--system", "Be brief.")
    assert created.returncode == 0, created.stderr
    fields = dict(line.split(": ", 1) for line in created.stdout.splitlines())
    batch_id = fields["id"]
    assert fields["status"] == "validating"

    waited = cli("batch", "wait", batch_id, "--poll-interval", "0.02")
    assert waited.returncode == 0, waited.stderr
    assert "status: completed" in waited.stdout
    progress = waited.stderr
    assert progress.startswith("\r") and progress.endswith("\n")
    assert progress.count("\n") == 1  # one line, rewritten in place
    assert f"{batch_id}: completed  completed 1  failed 1  total 2" in progress
    assert re.search(r"  \d+\.\ds *\n$", progress)  # elapsed time

    shown = cli("batch", "results", batch_id).stdout.splitlines()
    assert shown[0] == "a: You said: from file"
    assert shown[1].startswith("b: error: Invalid request: Your request exceeded model token")


def test_create_reads_stdin_and_waits_quietly_under_json(cli: Run) -> None:
    line = {"custom_id": "x", "messages": [{"role": "user", "content": "piped"}]}
    result = cli(
        "--json", "batch", "create", "-m", MODEL, "--file", "-", "--wait",
        "--poll-interval", "0.02", stdin=json.dumps(line) + "\n",
    )  # fmt: skip
    assert ok_json(result)["status"] == "completed"
    assert result.stderr == ""


def test_list_get_and_cancel(cli: Run, slow: KimiSimulator) -> None:
    batch = ok_json(cli("--json", "batch", "create", "-m", MODEL, "--prompt", "slow"))
    got = ok_json(cli("--json", "batch", "get", batch["id"]))
    assert got["id"] == batch["id"]
    page = ok_json(cli("--json", "batch", "list", "--limit", "1"))
    assert page["object"] == "list"
    assert [b["id"] for b in page["data"]] == [batch["id"]]
    table = cli("batch", "list", "--limit", "1")
    assert table.stdout.splitlines()[0].split() == [
        "ID", "STATUS", "COMPLETED", "FAILED", "TOTAL", "CREATED_AT",
    ]  # fmt: skip
    assert table.stdout.splitlines()[1].startswith(batch["id"])
    cancelled = ok_json(cli("--json", "batch", "cancel", batch["id"]))
    assert cancelled["status"] == "cancelling"
    again = cli("--json", "batch", "cancel", batch["id"])
    assert again.returncode == 1
    assert json.loads(again.stdout)["error"]["type"] == "InvokeBadRequestError"


def test_errors_and_usage(cli: Run, sim: KimiSimulator) -> None:
    missing = cli("batch", "get", "batch_000000000000000000000000")
    assert missing.returncode == 1
    assert "InvokeNotFoundError" in missing.stderr
    sim.clear_requests()
    refused = cli("batch", "create", "-m", "kimi-k2-turbo-preview", "--prompt", "x")
    assert refused.returncode == 1
    assert "kimi-k2.5 or kimi-k2.6" in refused.stderr
    assert sim.requests == []  # refused before sending
    assert cli("batch", "create", "-m", MODEL).returncode == 2
    assert cli("batch", "create", "-m", MODEL, "--prompt", "a", "--file", "x").returncode == 2
    unreadable = cli("batch", "create", "-m", MODEL, "--file", "/nonexistent/requests.jsonl")
    assert unreadable.returncode == 1
    assert "cannot read" in unreadable.stderr
    assert cli("batch").returncode == 2
