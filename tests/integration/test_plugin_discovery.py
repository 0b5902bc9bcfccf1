"""Hook plugins found through installed metadata, in a fresh process each: the entry point,
the switches that turn plugins off (all, blocked by name, an allow-list), the built-ins by name,
and a plugin that does not match the hookspecs, reported by ``onesdk providers``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

RECORDER = """
import json, os

from onesdk import hookimpl

def _write(event):
    with open(os.environ["RECORDER_LOG"], "a") as log:
        log.write(json.dumps(event) + "\\n")

@hookimpl
def onesdk_before_request(provider, operation, request):
    _write({"hook": "before_request", "provider": provider, "operation": operation})

@hookimpl
def onesdk_after_response(provider, operation, response, elapsed):
    _write({"hook": "after_response", "operation": operation, "status": response.status_code})
"""

TYPO = """
from onesdk import hookimpl

@hookimpl
def onesdk_after_reponse(provider, operation, response, elapsed):
    pass
"""

GENERATE = """
import json, os
from onesdk import OneSDK, get_plugin
from onesdk_kimi.simulator import KimiSimulator

with KimiSimulator() as sim:
    with OneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url}) as sdk:
        text = sdk.generate("kimi-k2-turbo-preview", [{"role": "user", "content": "Hi"}]).text
usage = get_plugin("onesdk.usage")
print(json.dumps({
    "text": text,
    "usage": None if usage is None else usage.totals()["kimi-k2-turbo-preview"].calls,
    "call_log": get_plugin("onesdk.call_log") is not None,
}))
"""


def install_fake_dist(
    site: Path, dist: str, plugins: dict[str, str], modules: dict[str, str]
) -> None:
    """Lay out a distribution as pip would, with ``[onesdk.plugins]`` entry points."""
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = "".join(f"{name} = {value}\n" for name, value in plugins.items())
    (info / "entry_points.txt").write_text(f"[onesdk.plugins]\n{lines}")
    for name, source in modules.items():
        (site / f"{name}.py").write_text(textwrap.dedent(source))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    install_fake_dist(
        site, "onesdk-recorder", {"recorder": "recorder_plugin"}, {"recorder_plugin": RECORDER}
    )
    return site


def run(site: Path, code: str, log: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        "PYTHONPATH": str(site),
        "PATH": "/usr/bin:/bin",
        "RECORDER_LOG": str(log),
        "MOONSHOT_API_KEY": "sk-test",
        **env,
    }
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def generate(
    site: Path, log: Path, **env: str
) -> tuple[dict[str, object], list[dict[str, object]]]:
    """Run one generate() in a fresh process: what it printed, and what the recorder saw."""
    proc = run(site, GENERATE, log, **env)
    seen = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return json.loads(proc.stdout.strip().splitlines()[-1]), seen


def test_an_installed_hook_plugin_sees_every_call(site: Path, tmp_path: Path) -> None:
    result, seen = generate(site, tmp_path / "calls.jsonl")
    assert result["text"]
    assert seen == [
        {"hook": "before_request", "provider": "kimi", "operation": "generate"},
        {"hook": "after_response", "operation": "generate", "status": 200},
    ]


def test_without_hook_plugins_no_hook_machinery_is_even_imported(tmp_path: Path) -> None:
    code = GENERATE.replace("from onesdk import OneSDK, get_plugin", "from onesdk import OneSDK")
    code = code.split("usage = get_plugin")[0]
    code += "import sys\nprint(json.dumps({'pluggy': 'pluggy' in sys.modules}))\n"
    proc = run(tmp_path, code, tmp_path / "calls.jsonl")  # a site with no plugin installed
    assert json.loads(proc.stdout.splitlines()[-1]) == {"pluggy": False}


def test_disabling_autoload_loads_no_plugin(site: Path, tmp_path: Path) -> None:
    result, seen = generate(site, tmp_path / "calls.jsonl", ONESDK_DISABLE_PLUGIN_AUTOLOAD="1")
    assert result["text"]
    assert seen == []


def test_a_blocked_plugin_is_not_loaded(site: Path, tmp_path: Path) -> None:
    code = GENERATE + "import sys; assert 'recorder_plugin' not in sys.modules\n"
    proc = run(site, code, tmp_path / "calls.jsonl", ONESDK_BLOCK_PLUGINS="other,recorder")
    assert json.loads(proc.stdout.splitlines()[-1])["text"]
    assert not (tmp_path / "calls.jsonl").exists()


def test_a_blocked_name_is_ignored_by_register_plugin_too(site: Path, tmp_path: Path) -> None:
    code = """
    import json
    from onesdk import get_plugin, register_plugin, registry
    from onesdk.plugins import UsageAccounting
    register_plugin(UsageAccounting(), name="mine")
    print(json.dumps([get_plugin("mine") is None, registry.active_hooks() is None]))
    """
    proc = run(site, code, tmp_path / "calls.jsonl", ONESDK_BLOCK_PLUGINS="mine,recorder")
    assert json.loads(proc.stdout.splitlines()[-1]) == [True, True]


def test_an_allow_list_loads_only_the_plugins_it_names(site: Path, tmp_path: Path) -> None:
    _, seen = generate(site, tmp_path / "none.jsonl", ONESDK_PLUGINS="onesdk.usage")
    assert seen == []
    _, seen = generate(site, tmp_path / "some.jsonl", ONESDK_PLUGINS="recorder")
    assert len(seen) == 2


def test_an_allow_list_wins_over_disabled_autoload(site: Path, tmp_path: Path) -> None:
    _, seen = generate(
        site,
        tmp_path / "calls.jsonl",
        ONESDK_PLUGINS="recorder",
        ONESDK_DISABLE_PLUGIN_AUTOLOAD="1",
    )
    assert len(seen) == 2


def test_the_built_in_plugins_are_off_until_named(site: Path, tmp_path: Path) -> None:
    result, _ = generate(site, tmp_path / "off.jsonl")
    assert (result["usage"], result["call_log"]) == (None, False)
    result, _ = generate(site, tmp_path / "on.jsonl", ONESDK_PLUGINS="onesdk.usage,onesdk.call_log")
    assert (result["usage"], result["call_log"]) == (1, True)


def test_a_built_in_plugin_can_be_blocked(site: Path, tmp_path: Path) -> None:
    result, _ = generate(
        site,
        tmp_path / "calls.jsonl",
        ONESDK_PLUGINS="onesdk.usage,onesdk.call_log",
        ONESDK_BLOCK_PLUGINS="onesdk.call_log",
    )
    assert (result["usage"], result["call_log"]) == (1, False)


def providers(site: Path, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from onesdk.cli import main; sys.exit(main(['--json', 'providers']))"
    return run(site, code, tmp_path / "calls.jsonl", **env)


def test_onesdk_providers_lists_the_hook_plugins_in_use(site: Path, tmp_path: Path) -> None:
    report = json.loads(providers(site, tmp_path, ONESDK_PLUGINS="recorder,onesdk.usage").stdout)
    assert report["plugins"] == [
        {"name": "recorder", "distribution": "onesdk-recorder"},
        {"name": "onesdk.usage", "distribution": "onesdk-core"},
    ]
    code = "import sys; from onesdk.cli import main; sys.exit(main(['providers']))"
    proc = run(site, code, tmp_path / "calls.jsonl")
    assert "hook plugins: recorder (onesdk-recorder)" in proc.stdout


def test_a_misspelt_hook_plugin_is_reported_by_onesdk_providers(site: Path, tmp_path: Path) -> None:
    install_fake_dist(site, "onesdk-typo", {"typo": "typo_plugin"}, {"typo_plugin": TYPO})
    proc = providers(site, tmp_path)
    report = json.loads(proc.stdout)
    assert {row["name"]: row["status"] for row in report["providers"]}["kimi"] == "ok"
    (problem,) = report["problems"]
    assert (problem["name"], problem["distribution"]) == ("typo", "onesdk-typo")
    assert "'onesdk_after_reponse' is no hook" in problem["reason"]
    assert "did you mean 'onesdk_after_response'" in problem["reason"]


def test_onesdk_providers_shows_the_problem_to_people_too(site: Path, tmp_path: Path) -> None:
    install_fake_dist(site, "onesdk-typo", {"typo": "typo_plugin"}, {"typo_plugin": TYPO})
    code = "import sys; from onesdk.cli import main; sys.exit(main(['providers']))"
    proc = run(site, code, tmp_path / "calls.jsonl")
    assert "plugin typo (onesdk-typo)" in proc.stderr
    assert "onesdk_after_reponse" in proc.stderr


def test_a_misspelt_hook_plugin_breaks_no_call(site: Path, tmp_path: Path) -> None:
    install_fake_dist(site, "onesdk-typo", {"typo": "typo_plugin"}, {"typo_plugin": TYPO})
    result, seen = generate(site, tmp_path / "calls.jsonl")
    assert result["text"]
    assert len(seen) == 2  # the good plugin still works


def test_a_plugin_named_in_the_allow_list_but_not_installed_is_reported(
    site: Path, tmp_path: Path
) -> None:
    report = json.loads(providers(site, tmp_path, ONESDK_PLUGINS="recorder,missing").stdout)
    (problem,) = report["problems"]
    assert problem["name"] == "missing"
    assert "ONESDK_PLUGINS" in problem["reason"]


@pytest.mark.skipif(not os.path.exists(Path(sys.executable).parent / "onesdk"), reason="no script")
def test_the_onesdk_script_reports_the_distribution(site: Path, tmp_path: Path) -> None:
    install_fake_dist(site, "onesdk-typo", {"typo": "typo_plugin"}, {"typo_plugin": TYPO})
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "onesdk"), "providers"],
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "onesdk-typo" in proc.stderr
