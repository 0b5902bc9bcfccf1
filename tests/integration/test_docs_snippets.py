"""Every ```python snippet in docs/ runs, page by page in order, against the simulator.

Illustrative code that is not meant to run is fenced as ```py instead.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from onesdk_kimi.simulator import KimiSimulator

DOCS = Path(__file__).resolve().parents[2] / "docs"
SNIPPET = re.compile(r"```python\n(.*?)```", re.S)


def snippets(page: str) -> list[str]:
    return SNIPPET.findall((DOCS / page).read_text(encoding="utf-8"))


def test_kimi_page_has_the_seed_snippets() -> None:
    text = "\n".join(snippets("kimi.md"))
    for call in (
        "kimi_sdk.generate(model, messages)",
        "kimi_sdk.stream_generate(model, messages)",
        "kimi_sdk.count_tokens(model, messages)",
        "except InvokeError as e:",
    ):
        assert call in text


def test_kimi_page_snippets_run_against_the_simulator(
    sim: KimiSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOONSHOT_API_KEY", sim.api_key)
    monkeypatch.setenv("MOONSHOT_BASE_URL", sim.base_url)
    namespace: dict[str, object] = {"__name__": "docs_kimi"}
    out = io.StringIO()
    for index, code in enumerate(snippets("kimi.md")):
        # The international-host example would leave this machine: point it at the simulator.
        code = code.replace('"sk-..."', "os.environ['MOONSHOT_API_KEY']")
        code = code.replace('"base_url": INTERNATIONAL_BASE_URL', '"base_url": sim_url')
        namespace["sim_url"] = sim.base_url
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"docs/kimi.md#snippet{index}", "exec"), namespace)
    printed = out.getvalue()
    assert "An error occurred" not in printed
    assert "Token count: " in printed
    assert "None" not in printed.split("Token count")[0]  # the stream never prints None


RUNNABLE_PAGES = sorted(
    p.name for p in DOCS.glob("*.md") if p.name != "kimi.md" and snippets(p.name)
)


@pytest.mark.parametrize("page", RUNNABLE_PAGES)
def test_docs_page_snippets_run(page: str, capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {"__name__": f"docs_{page}"}
    for index, code in enumerate(snippets(page)):
        exec(compile(code, f"docs/{page}#snippet{index}", "exec"), namespace)
    assert capsys.readouterr().out  # every runnable page shows its user something


def test_every_docs_page_is_in_the_site_nav() -> None:
    nav = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    for page in DOCS.glob("*.md"):
        assert page.name in nav, f"{page.name} is not in mkdocs.yml nav"
