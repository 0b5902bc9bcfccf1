"""docs/writing-a-provider.md shows the example plugin as it is, and the example stays a
small, separate distribution (not a workspace member)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "writing-a-provider.md").read_text()
EXAMPLE = ROOT / "examples" / "onesdk-echo"


@pytest.mark.parametrize(
    "path", ["src/onesdk_echo/__init__.py", "tests/test_conformance.py"], ids=str
)
def test_guide_quotes_the_example_file_verbatim(path: str) -> None:
    assert (EXAMPLE / path).read_text() in GUIDE, f"update {path} in docs/writing-a-provider.md"


def test_guide_quotes_the_example_pyproject_up_to_the_build_backend() -> None:
    pyproject = (EXAMPLE / "pyproject.toml").read_text()
    head = pyproject.split("\n[tool.hatch", 1)[0]
    assert head in GUIDE


def test_example_provider_stays_under_forty_lines() -> None:
    assert len((EXAMPLE / "src/onesdk_echo/__init__.py").read_text().splitlines()) <= 40


def test_example_declares_the_echo_entry_point_with_hatchling() -> None:
    pyproject = (EXAMPLE / "pyproject.toml").read_text()
    assert '[project.entry-points."onesdk.providers"]\necho = "onesdk_echo:EchoProvider"' in (
        pyproject
    )
    assert 'build-backend = "hatchling.build"' in pyproject
    assert re.search(r'dependencies = \["onesdk-core[^"]*"\]', pyproject)


def test_example_is_not_a_workspace_member() -> None:
    workspace = (ROOT / "pyproject.toml").read_text()
    members = re.search(r"members = \[(.*?)\]", workspace, re.S)
    assert members is not None
    assert "examples" not in members.group(1) and "echo" not in members.group(1)
