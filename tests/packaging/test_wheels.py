"""The built wheels, installed alone into a fresh virtualenv, run the Kimi page's snippets.

Entry-point discovery must work from real installed metadata, not the workspace.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def find_uv() -> str:
    for candidate in (
        os.environ.get("ONESDK_UV"),
        shutil.which("uv"),
        str(ROOT / ".bootstrap" / "bin" / "uv"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("uv not found: run the tests through `make test`, which installs it")


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    uv = find_uv()
    work = tmp_path_factory.mktemp("wheels")
    dist = work / "dist"
    subprocess.run(
        [uv, "build", "--all-packages", "--wheel", "-o", str(dist), "-q"],
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    wheels = sorted(str(p) for p in dist.glob("*.whl"))
    assert [Path(w).name.split("-")[0] for w in wheels] == ["onesdk_core", "onesdk_kimi"]
    env_dir = work / "venv"
    subprocess.run(
        [uv, "venv", "-q", "--python", sys.executable, str(env_dir)], check=True, timeout=120
    )
    python = env_dir / "bin" / "python"
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(python), *wheels], check=True, timeout=300
    )
    return env_dir


def run_in(venv: Path, code: str) -> str:
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(venv)}
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=str(venv),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_installed_wheels_find_kimi_by_entry_point(venv: Path) -> None:
    out = run_in(
        venv,
        f"""
        import onesdk, onesdk_kimi
        from importlib.metadata import entry_points, version
        print(onesdk.list_providers())
        print([ep.value for ep in entry_points(group="onesdk.providers", name="kimi")])
        print(version("onesdk-core"), version("onesdk-kimi"))
        print(onesdk.__file__.startswith({str(venv)!r}))
    """,
    )
    assert "['kimi']" in out
    assert "onesdk_kimi.provider:KimiProvider" in out
    assert "0.1.0 0.1.0" in out
    assert out.strip().endswith("True")


def test_installed_wheels_run_the_kimi_page(venv: Path) -> None:
    page = (ROOT / "docs" / "kimi.md").read_text(encoding="utf-8")
    out = run_in(
        venv,
        f"""
        import os, re
        from onesdk_kimi.simulator import KimiSimulator
        page = {page!r}
        with KimiSimulator() as sim:
            os.environ["MOONSHOT_API_KEY"] = sim.api_key
            os.environ["MOONSHOT_BASE_URL"] = sim.base_url
            namespace = {{"sim_url": sim.base_url}}
            for code in re.findall(r"```python\\n(.*?)```", page, re.S):
                code = code.replace('"sk-..."', "os.environ['MOONSHOT_API_KEY']")
                code = code.replace('"base_url": INTERNATIONAL_BASE_URL', '"base_url": sim_url')
                exec(code, namespace)
    """,
    )
    assert "Token count:" in out
    assert "An error occurred" not in out


def test_installed_cli_runs(venv: Path) -> None:
    proc = subprocess.run(
        [str(venv / "bin" / "onesdk"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "chat" in proc.stdout
