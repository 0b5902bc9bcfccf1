"""``onesdk cache``, ``onesdk cache tag`` and ``onesdk files`` round trips against the simulator."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from onesdk_kimi.simulator import KimiSimulator

Run = Callable[..., "subprocess.CompletedProcess[str]"]
CACHE_MODEL = "moonshot-v1-8k"


def ok_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def create_cache(cli: Run, *extra: str) -> dict[str, Any]:
    data: dict[str, Any] = ok_json(
        cli("--json", "cache", "create", "kimi", "-m", CACHE_MODEL, *extra)
    )
    return data


def test_cache_round_trip(cli: Run, sim: KimiSimulator) -> None:
    run_id = uuid.uuid4().hex
    cache = create_cache(
        cli,
        "--system",
        "You are a terse assistant.",
        "--user",
        "The document: ...",
        "--name",
        "docs",
        "--description",
        "the docs",
        "--metadata",
        f"run={run_id}",
        "--metadata",
        "team=cli",
        "--ttl",
        "600",
    )
    cache_id = cache["id"]
    assert cache["status"] == "ready"
    assert cache["metadata"] == {"run": run_id, "team": "cli"}
    assert [m["role"] for m in cache["messages"]] == ["system", "user"]
    assert cache["name"] == "docs"

    listed = ok_json(cli("cache", "list", "--json", "--metadata", f"run={run_id}"))
    assert [c["id"] for c in listed] == [cache_id]
    table = cli("cache", "list", "--limit", "50")
    assert table.returncode == 0
    assert any(line.startswith(cache_id) for line in table.stdout.splitlines())

    shown = cli("cache", "get", cache_id)
    assert shown.returncode == 0
    assert f"id: {cache_id}" in shown.stdout
    assert "messages: 2 (see --json)" in shown.stdout
    assert ok_json(cli("--json", "cache", "get", "kimi", cache_id))["id"] == cache_id

    updated = ok_json(
        cli("cache", "update", cache_id, "--metadata", "team=sdk", "--ttl", "1200", "--json")
    )
    assert updated["metadata"] == {"team": "sdk"}

    chat = cli("chat", "kimi", "-m", CACHE_MODEL, "--context-id", cache_id, "hi")
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.endswith("\n")
    body = [r for r in sim.requests if r.path == "/v1/chat/completions"][-1].json
    assert body["messages"][0]["role"] == "cache"
    assert cache_id in body["messages"][0]["content"]

    deleted = cli("cache", "delete", "--provider", "kimi", cache_id)
    assert deleted.returncode == 0
    assert deleted.stdout == f"deleted {cache_id}\n"
    gone = cli("cache", "get", cache_id)
    assert gone.returncode == 1
    assert gone.stderr.startswith("error: InvokeNotFoundError: ")


def test_cache_from_file_and_no_wait(cli: Run, tmp_path: Path) -> None:
    messages = [{"role": "system", "content": "You know the docs."}]
    path = tmp_path / "messages.json"
    path.write_text(json.dumps(messages))
    cache = create_cache(cli, "--file", str(path), "--no-wait")
    assert cache["status"] in ("pending", "ready")
    assert cache["messages"] == messages
    piped = ok_json(
        cli(
            "--json",
            "cache",
            "create",
            "-m",
            CACHE_MODEL,
            "--file",
            "-",
            stdin=json.dumps({"messages": messages}),
        )
    )
    assert piped["status"] == "ready"
    for cache_id in (cache["id"], piped["id"]):
        assert cli("cache", "delete", cache_id).returncode == 0


def test_cache_tags(cli: Run) -> None:
    cache = create_cache(cli, "--system", "Tagged context.")
    tag = f"cli-{uuid.uuid4().hex[:12]}"
    created = ok_json(cli("--json", "cache", "tag", "create", "kimi", tag, cache["id"]))
    assert created["tag"] == tag
    assert created["cache_id"] == cache["id"]

    tags = ok_json(cli("--json", "cache", "tag", "list", "--limit", "100"))
    assert tag in {t["tag"] for t in tags}
    assert ok_json(cli("--json", "cache", "tag", "get", tag))["cache_id"] == cache["id"]
    content = ok_json(cli("--json", "cache", "tag", "get", tag, "--content"))
    assert content["id"] == cache["id"]

    deleted = cli("cache", "tag", "delete", tag)
    assert deleted.returncode == 0
    assert deleted.stdout == f"deleted {tag}\n"
    assert cli("cache", "tag", "get", tag).returncode == 1
    assert cli("cache", "delete", cache["id"]).returncode == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["cache", "create", "-m", CACHE_MODEL], "--system/--user"),
        (["cache", "create", "-m", CACHE_MODEL, "--user", "x", "--file", "m.json"], "not both"),
        (["cache", "create", "-m", CACHE_MODEL, "--user", "x", "--metadata", "nokey"], "KEY=VALUE"),
        (["cache", "update", "cache-x"], "--metadata, --ttl or --expired-at"),
        (["cache", "list", "--order", "sideways"], "invalid choice"),
        (["cache", "get", "kimi", "cache-x", "--provider", "other"], "disagree"),
    ],
)
def test_cache_usage_errors(cli: Run, argv: list[str], message: str) -> None:
    result = cli(*argv)
    assert result.returncode == 2
    assert message in result.stderr


def test_cache_input_errors(cli: Run, tmp_path: Path) -> None:
    missing = cli("cache", "create", "-m", CACHE_MODEL, "--file", str(tmp_path / "none.json"))
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: InvokeBadRequestError: cannot read")
    bad = tmp_path / "bad.json"
    bad.write_text('{"role": "user"}')
    result = cli("cache", "create", "-m", CACHE_MODEL, "--file", str(bad))
    assert result.returncode == 1
    assert "JSON list of messages" in result.stderr
    wrong_model = cli("cache", "create", "-m", "kimi-k2-turbo-preview", "--user", "x")
    assert wrong_model.returncode == 1
    assert wrong_model.stderr.startswith("error: InvokeBadRequestError: ")


def test_files_round_trip(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("OneSDK notes: one API, many providers.\n")
    uploaded = ok_json(cli("--json", "files", "upload", str(path)))
    file_id = uploaded["id"]
    assert uploaded["filename"] == "notes.txt"
    assert uploaded["purpose"] == "file-extract"

    listed = ok_json(cli("files", "list", "kimi", "--json"))
    assert file_id in {f["id"] for f in listed}
    table = cli("files", "list")
    assert any(line.startswith(file_id) for line in table.stdout.splitlines())
    assert ok_json(cli("files", "get", file_id, "--json"))["bytes"] == path.stat().st_size

    content = cli("files", "content", file_id)
    assert content.returncode == 0
    assert "OneSDK notes: one API, many providers." in content.stdout
    assert content.stdout.endswith("\n")
    as_json = ok_json(cli("--json", "files", "content", file_id))
    assert as_json["id"] == file_id
    assert "one API" in as_json["content"]

    deleted = cli("files", "delete", "kimi", file_id)
    assert deleted.returncode == 0
    assert deleted.stdout == f"deleted {file_id}\n"
    gone = cli("files", "get", file_id)
    assert gone.returncode == 1
    assert gone.stderr.startswith("error: InvokeNotFoundError: ")


def test_files_upload_errors(cli: Run, tmp_path: Path) -> None:
    result = cli("files", "upload", str(tmp_path / "missing.txt"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: InvokeBadRequestError: cannot read")
    path = tmp_path / "a.txt"
    path.write_text("x")
    bad = cli("files", "upload", str(path), "--purpose", "nonsense")
    assert bad.returncode == 1
    assert "purpose" in bad.stderr
