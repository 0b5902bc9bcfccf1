"""Fixtures for the ``onesdk`` command tests: a Kimi simulator and an in-process runner.

``cli(*argv, stdin=...)`` runs ``onesdk.cli.main`` with the simulator's key and URL in the
environment and returns a ``CompletedProcess`` (returncode, stdout, stderr).
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from onesdk.cli import main
from onesdk_kimi.simulator import KimiSimulator

Run = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture(scope="session")
def sim() -> Iterator[KimiSimulator]:
    with KimiSimulator() as simulator:
        yield simulator


@pytest.fixture
def cli(
    sim: KimiSimulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Run:
    assert sim.api_key is not None
    monkeypatch.setenv("MOONSHOT_API_KEY", sim.api_key)
    monkeypatch.setenv("MOONSHOT_BASE_URL", sim.base_url)

    def run(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(argv), code, out, err)

    return run


@pytest.fixture(scope="session")
def onesdk_command() -> list[str]:
    """The installed console script, or ``python -m onesdk.cli`` when it is missing."""
    script = Path(sys.executable).with_name("onesdk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "onesdk.cli"]
