"""The example plugin installs into a fresh virtualenv, ``OneSDK("echo")`` finds it there, it
passes the conformance kit, and a deliberately broken copy fails the kit naming the fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "onesdk-core"
EXAMPLE = ROOT / "examples" / "onesdk-echo"
TIMEOUT = 120


@dataclass(frozen=True)
class Venv:
    python: Path
    example: Path  # the copy that was installed (its tests run from here)

    def run(self, args: Sequence[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.python), *args],
            cwd=cwd,
            env={**clean_env(), "PATH": f"{self.python.parent}:/usr/bin:/bin", **env},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )


def find_uv() -> str | None:
    """uv from PATH, the workspace's bootstrap, or the provisioning location."""
    for candidate in (os.environ.get("ONESDK_UV"), shutil.which("uv"), ROOT / ".bootstrap/bin/uv"):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def clean_env() -> dict[str, str]:
    """This environment (proxy, CA certificates, uv cache) minus any trace of the workspace
    venv: the plugin must work from what it declares."""
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT", "UV_PROJECT_ENVIRONMENT"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(PYTHONDONTWRITEBYTECODE="1", UV_PYTHON_DOWNLOADS="never")
    return env


def copy_example(dest: Path) -> Path:
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def uv(uv_bin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [uv_bin, *args],
        env={**clean_env(), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    uv_bin = find_uv()
    if uv_bin is None:
        pytest.fail(
            "uv not found (ONESDK_UV, PATH, .bootstrap/bin/uv): run the tests via make test"
        )
    root = tmp_path_factory.mktemp("echo-plugin")
    example = copy_example(root / "onesdk-echo")
    created = uv(uv_bin, "venv", "--quiet", "--python", sys.executable, str(root / "venv"))
    assert created.returncode == 0, created.stderr
    python = root / "venv" / "bin" / "python"
    install = ["pip", "install", "--quiet", "--python", str(python), str(CORE), str(example)]
    install.append("pytest>=8")
    # The uv cache usually holds every wheel; go to the index only when it does not.
    done = uv(uv_bin, *install, "--offline")
    if done.returncode != 0:
        done = uv(uv_bin, *install)
    assert done.returncode == 0, f"uv pip install failed:\n{done.stderr}"
    return Venv(python, example)


USE_ECHO = textwrap.dedent(
    """
    import json, sys
    import onesdk
    from onesdk.testing import FakeOpenAIServer

    imported_early = "onesdk_echo" in sys.modules
    with FakeOpenAIServer() as server, onesdk.OneSDK(
        "echo", {"api_key": server.api_key, "base_url": server.base_url}
    ) as sdk:
        reply = sdk.generate("echo-1", [{"role": "user", "content": "hello from a fresh venv"}])
        with sdk.stream_generate("echo-1", [{"role": "user", "content": "a streamed hello"}]) as s:
            streamed = "".join(c["choices"][0]["message"]["content"] for c in s if c.choices)
        print(json.dumps({
            "imported_early": imported_early,
            "providers": onesdk.list_providers(),
            "provider_file": sys.modules[type(sdk.provider).__module__].__file__,
            "text": reply["choices"][0]["message"]["content"],
            "streamed": streamed,
            "usage": reply.usage.total_tokens,
        }))
    """
)


def test_onesdk_finds_the_installed_echo_plugin_by_entry_point(venv: Venv, tmp_path: Path) -> None:
    proc = venv.run(["-c", USE_ECHO], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["providers"] == ["echo"]  # no workspace provider leaks into the fresh venv
    assert not result["imported_early"]
    assert "site-packages" in result["provider_file"]  # the installed wheel, not a source tree
    assert result["text"] == "hello from a fresh venv"
    assert result["streamed"] == "a streamed hello"
    assert result["usage"] > 0


def test_installed_echo_plugin_passes_the_conformance_kit(venv: Venv) -> None:
    proc = venv.run(["-m", "pytest", "tests", "-q", "-rs"], cwd=venv.example)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout
    # Installed, the entry-point check runs instead of skipping.
    assert "skipped" not in proc.stdout, proc.stdout


def break_copy(tmp_path: Path, old: str, new: str, extra: str = "") -> Path:
    """A copy of the example whose provider has ``old`` replaced by ``new``."""
    broken = copy_example(tmp_path / "onesdk-echo-broken")
    source = broken / "src" / "onesdk_echo" / "__init__.py"
    text = source.read_text()
    assert old in text, f"the example no longer contains {old!r}; update this test"
    source.write_text(text.replace(old, new) + extra)
    return broken


def run_kit_on(venv: Venv, broken: Path) -> str:
    # The broken source shadows the installed plugin (PYTHONPATH precedes site-packages).
    proc = venv.run(["-m", "pytest", "tests", "-q"], cwd=broken, PYTHONPATH=str(broken / "src"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return proc.stdout


def test_kit_names_the_error_table_entry_to_fix(venv: Venv, tmp_path: Path) -> None:
    broken = break_copy(
        tmp_path,
        '"rate_limit_error": InvokeRateLimitError',
        '"rate_limit_error": InvokeBadRequestError',
    )
    output = run_kit_on(venv, broken)
    assert (
        "parse_error(429) returned InvokeBadRequestError, expected InvokeRateLimitError: "
        "error_types maps 'rate_limit_error' to InvokeBadRequestError; map HTTP 429 / your "
        "rate-limit type 'rate_limit_error' to InvokeRateLimitError in error_types"
    ) in output, output
    assert "test_parse_error_maps_status_to_error_class[429]" in output
    assert "test_parse_error_maps_status_to_error_class[400]" not in output


NEVER_ENDS = """

def _never_end(self, event):
    return None if event.data == "[DONE]" else OpenAICompatibleProvider.parse_event(self, event)


EchoProvider.parse_event = _never_end
"""


def test_kit_names_the_missing_stream_end(venv: Venv, tmp_path: Path) -> None:
    broken = break_copy(tmp_path, "__version__", "__version__", NEVER_ENDS)
    output = run_kit_on(venv, broken)
    assert "FAILED tests/test_conformance.py::TestEchoConformance::test_stream_ends_with" in output
    assert (
        "make StreamCall.parse_event return onesdk.provider.STREAM_END for your API's last "
        "event (OpenAI style: 'data: [DONE]')"
    ) in output, output
