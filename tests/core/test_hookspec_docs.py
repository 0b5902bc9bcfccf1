"""docs/plugins.md against the contract: every hook documented with its exact signature, and
no hook documented that the contract lacks."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from onesdk import hookspecs

PAGE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def documented() -> str:
    return PAGE.read_text(encoding="utf-8")


def signature_line(name: str) -> str:
    """``name(arg: type, ...) -> None`` as inspect.signature sees the hookspec."""
    signature = inspect.signature(getattr(hookspecs, name))
    params = ", ".join(f"{p.name}: {p.annotation}" for p in signature.parameters.values())
    return f"{name}({params}) -> {signature.return_annotation}"


def section(name: str) -> str:
    """The text under the page's ``### name`` heading, up to the next heading."""
    match = re.search(rf"^### {name}\n(.*?)(?=^#|\Z)", documented(), re.S | re.M)
    assert match, f"docs/plugins.md has no '### {name}' section"
    return match.group(1)


def test_the_contract_has_hooks() -> None:
    assert "onesdk_before_request" in hookspecs.hook_names()
    assert len(hookspecs.hook_names()) >= 7


@pytest.mark.parametrize("name", hookspecs.hook_names())
def test_each_hook_is_documented_with_its_exact_signature(name: str) -> None:
    text = section(name)
    assert f"```py\n{signature_line(name)}\n```" in text, (
        f"docs/plugins.md shows another signature for {name}; the hookspec is\n"
        f"{signature_line(name)}"
    )
    prose = text.split("```")[-1].strip()
    assert len(prose) > 40, f"{name} has a signature but no explanation"


def test_every_hook_the_page_names_exists() -> None:
    named = set(re.findall(r"(?<![.\w])onesdk_[a-z_]+", documented()))
    not_hooks = {"onesdk_timings", "onesdk_kimi", "onesdk_after_reponse"}  # modules, a typo
    assert named - not_hooks <= set(hookspecs.hook_names())


def test_the_hook_sections_follow_the_contract_one_to_one() -> None:
    headings = re.findall(r"^### (onesdk_\w+)$", documented(), re.M)
    assert sorted(headings) == hookspecs.hook_names()
