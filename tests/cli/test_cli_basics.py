"""``onesdk`` help, version, providers, models, tokens, balance, and how errors are reported."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest

from onesdk import Provider, register_provider, unregister_provider
from onesdk_kimi.simulator import KimiSimulator

Run = Callable[..., "subprocess.CompletedProcess[str]"]
COMMANDS = ("providers", "models", "chat", "tokens", "cache", "files", "balance", "simulate")
MODEL = "kimi-k2-turbo-preview"


def test_help_lists_every_command(cli: Run) -> None:
    result = cli("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert f"\n    {command} " in result.stdout, command
    for option in ("--json", "--api-key", "--base-url", "--timeout", "--max-retries"):
        assert option in result.stdout


SUBCOMMANDS = [
    *([name] for name in COMMANDS),
    *(["cache", action] for action in ("create", "list", "get", "update", "delete", "tag")),
    *(["cache", "tag", action] for action in ("create", "list", "get", "delete")),
    *(["files", action] for action in ("upload", "list", "get", "content", "delete")),
]


@pytest.mark.parametrize("command", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_has_help(cli: Run, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: onesdk {' '.join(command)}"), result.stdout


def test_version(cli: Run) -> None:
    import onesdk

    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"onesdk {onesdk.__version__}"


def test_no_command_is_a_usage_error(cli: Run) -> None:
    result = cli()
    assert result.returncode == 2
    assert "COMMAND" in result.stderr
    assert cli("cache").returncode == 2


def test_providers_lists_kimi_with_its_distribution(cli: Run) -> None:
    result = cli("providers")
    assert result.returncode == 0
    line = next(line for line in result.stdout.splitlines() if line.startswith("kimi "))
    assert line.split() == ["kimi", "onesdk-kimi", "0.1.0", "ok"]

    data = json.loads(cli("--json", "providers").stdout)
    (kimi,) = [p for p in data["providers"] if p["name"] == "kimi"]
    assert kimi["distribution"] == "onesdk-kimi"
    assert kimi["status"] == "ok"
    assert isinstance(data["problems"], list)


def test_models(cli: Run) -> None:
    result = cli("models", "kimi")
    assert result.returncode == 0
    ids = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert MODEL in ids
    assert "moonshot-v1-8k" in ids
    models = json.loads(cli("models", "kimi", "--json").stdout)
    assert MODEL in {model["id"] for model in models}


def test_tokens_from_argument_and_stdin(cli: Run) -> None:
    result = cli("tokens", "kimi", "-m", MODEL, "hello world")
    assert result.returncode == 0, result.stderr
    count = int(result.stdout)
    assert count > 0
    piped = cli("tokens", "kimi", "-m", MODEL, stdin="hello world\n")
    assert int(piped.stdout) == count
    data = json.loads(cli("--json", "tokens", "kimi", "-m", MODEL, "-", stdin="hello world").stdout)
    assert data == {"model": MODEL, "tokens": count}


def test_balance(cli: Run, sim: KimiSimulator) -> None:
    result = cli("balance", "kimi")
    assert result.returncode == 0
    assert f"available_balance: {sim.balance}" in result.stdout
    data = json.loads(cli("balance", "kimi", "--json").stdout)
    assert data["available_balance"] == sim.balance


def test_wrong_key_is_one_line_and_exit_1(cli: Run) -> None:
    result = cli("chat", "kimi", "-m", MODEL, "hi", "--api-key", "sk-wrong")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: InvokeAuthorizationError: ")
    assert result.stderr.count("\n") == 1
    assert "sk-wrong" not in result.stderr


def test_error_as_json(cli: Run) -> None:
    result = cli("--json", "--api-key", "sk-wrong", "models", "kimi")
    assert result.returncode == 1
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "InvokeAuthorizationError"
    assert error["status_code"] == 401
    assert error["error_type"] == "incorrect_api_key_error"
    assert error["request_id"]
    assert error["message"]
    assert "sk-wrong" not in result.stdout + result.stderr


def test_unknown_provider(cli: Run) -> None:
    result = cli("chat", "nope", "-m", MODEL, "hi")
    assert result.returncode == 1
    assert result.stderr.startswith("error: InvokeConfigError: unknown provider 'nope'")
    assert result.stderr.count("\n") == 1


def test_unknown_model_and_unreachable_server(cli: Run) -> None:
    result = cli("chat", "kimi", "-m", "no-such-model", "hi")
    assert result.returncode == 1
    assert result.stderr.startswith("error: InvokeModelNotFoundError: ")
    result = cli("--base-url", "http://127.0.0.1:9/v1", "--max-retries", "0", "models", "kimi")
    assert result.returncode == 1
    assert result.stderr.startswith("error: InvokeConnectionError: ")


def test_missing_key_names_the_option_and_env_var(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOONSHOT_API_KEY")
    result = cli("models", "kimi")
    assert result.returncode == 1
    assert "--api-key" in result.stderr
    assert "MOONSHOT_API_KEY" in result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["chat", "kimi", "hi"],  # no -m
        ["chat", "kimi", "-m", MODEL, "--temperature", "warm", "hi"],
        ["--timeout", "0", "models", "kimi"],
        ["--max-retries", "-1", "models", "kimi"],
        ["chat", "kimi", "-m", MODEL],  # empty stdin
        ["nonsense"],
    ],
)
def test_usage_errors_exit_2(cli: Run, argv: list[str]) -> None:
    result = cli(*argv)
    assert result.returncode == 2
    assert "usage: onesdk" in result.stderr


def test_simulate_without_simulator_is_an_error(cli: Run) -> None:
    class Plain(Provider):
        name = "plain-cli-test"

    register_provider(Plain)
    try:
        result = cli("simulate", "plain-cli-test", "--port", "0")
    finally:
        unregister_provider("plain-cli-test")
    assert result.returncode == 1
    assert result.stderr == (
        "error: InvokeUnsupportedError: provider 'plain-cli-test' has no simulator "
        "(provider=plain-cli-test)\n"
    )


def test_keyboard_interrupt_exits_130(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from onesdk import OneSDK

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(OneSDK, "list_models", interrupted)
    assert cli("models", "kimi").returncode == 130
