"""The installed ``onesdk`` command as a real process: help, import cost, broken plugins,
and ``onesdk simulate kimi --port N`` serving ``onesdk chat``."""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
from pathlib import Path

import pytest

MODEL = "kimi-k2-turbo-preview"


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOONSHOT_", "ONESDK_"))}
    env.update(extra)
    return env


def run(
    command: list[str], *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env=env if env is not None else clean_env(),
        stdin=subprocess.DEVNULL,
    )


def test_console_script_help(onesdk_command: list[str]) -> None:
    result = run(onesdk_command, "--help")
    assert result.returncode == 0, result.stderr
    for command in ("providers", "models", "chat", "tokens", "cache", "files", "balance"):
        assert command in result.stdout
    assert "simulate" in result.stdout


def test_importing_the_cli_loads_no_http_or_pydantic() -> None:
    code = "import sys, onesdk.cli; print([m for m in ('httpx', 'pydantic', 'pluggy', "
    code += "'onesdk.client', 'onesdk_kimi') if m in sys.modules])"
    result = run([sys.executable, "-c", code])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def install_fake_dist(site: Path, dist: str, entry_points: dict[str, str]) -> None:
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[onesdk.providers]\n{lines}")


def test_providers_reports_broken_plugins(onesdk_command: list[str], tmp_path: Path) -> None:
    install_fake_dist(tmp_path, "onesdk-broken", {"broken": "broken_provider:Provider"})
    (tmp_path / "broken_provider.py").write_text("raise ImportError('broken on purpose')\n")
    install_fake_dist(tmp_path, "onesdk-wrongtype", {"wrongtype": "json:dumps"})
    env = clean_env(PYTHONPATH=str(tmp_path))

    result = run(onesdk_command, "providers", env=env)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    assert rows["kimi"][-1] == "ok"
    assert rows["broken"][:2] == ["broken", "onesdk-broken"]
    assert rows["broken"][-1] == "broken"
    assert "broken on purpose" in result.stderr
    assert "not a subclass of onesdk.Provider" in result.stderr

    data = json.loads(run(onesdk_command, "--json", "providers", env=env).stdout)
    status = {p["name"]: (p["distribution"], p["status"]) for p in data["providers"]}
    assert status["kimi"] == ("onesdk-kimi", "ok")
    assert status["broken"] == ("onesdk-broken", "broken")
    assert status["wrongtype"] == ("onesdk-wrongtype", "broken")
    problems = {p["name"]: p for p in data["problems"]}
    assert problems["broken"]["distribution"] == "onesdk-broken"
    assert "ImportError: broken on purpose" in problems["broken"]["reason"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            pytest.fail(f"no output from {proc.args!r} within {timeout}s")
    return proc.stdout.readline()


@pytest.mark.skipif(sys.platform == "win32", reason="selects on a pipe")
def test_simulate_serves_chat(onesdk_command: list[str]) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [*onesdk_command, "simulate", "kimi", "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=clean_env(),
    )
    try:
        line = read_line(proc, timeout=15)
        base_url = f"http://127.0.0.1:{port}/v1"
        assert line.strip() == f"Kimi simulator listening on {base_url}"

        args = ["--base-url", base_url, "chat", "kimi", "-m", MODEL, "hi"]
        chat = run(onesdk_command, *args, env=clean_env(MOONSHOT_API_KEY="sk-simulator"))
        assert chat.returncode == 0, chat.stderr
        assert chat.stdout == "You said: hi\n"

        wrong = run(onesdk_command, "--api-key", "sk-wrong", *args)
        assert wrong.returncode == 1
        assert wrong.stderr.startswith("error: InvokeAuthorizationError: ")
        assert wrong.stderr.count("\n") == 1  # one line, no traceback
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert proc.returncode == 0, err  # SIGTERM is a clean stop


def test_simulate_passes_its_arguments_through(onesdk_command: list[str]) -> None:
    result = run(onesdk_command, "simulate", "kimi", "--host", "192.0.2.1")
    assert result.returncode == 2
    assert "loopback" in result.stderr


def test_main_module_runs() -> None:
    result = run([sys.executable, "-m", "onesdk.cli", "--version"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("onesdk ")


def test_closed_stdout_is_quiet(onesdk_command: list[str]) -> None:
    proc = subprocess.Popen(
        [*onesdk_command, "providers"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=clean_env(),
    )
    assert proc.stdout is not None
    proc.stdout.close()  # like `onesdk providers | head -0`
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert err == b""
