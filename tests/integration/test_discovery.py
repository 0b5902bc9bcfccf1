"""Provider discovery from real installed metadata: only the asked-for provider is imported,
and a broken plugin of another distribution never breaks Kimi."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def install_fake_dist(
    site: Path, dist: str, entry_points: dict[str, str], modules: dict[str, str]
) -> None:
    """Lay out a distribution as pip would: a .dist-info with metadata and entry points."""
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[onesdk.providers]\n{lines}")
    for name, source in modules.items():
        (site / f"{name}.py").write_text(textwrap.dedent(source))


def run(site: Path, code: str) -> dict[str, object]:
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "MOONSHOT_API_KEY": "sk-test"}
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def config_error(site: Path, provider: str) -> str:
    """The one-line error ``OneSDK(provider)`` raises in a process that sees ``site``."""
    result = run(
        site,
        f"""
        import json
        from onesdk import OneSDK, InvokeConfigError
        try:
            OneSDK({provider!r}, api_key="x")
        except InvokeConfigError as exc:
            print(json.dumps({{"error": str(exc)}}))
    """,
    )
    return str(result["error"])


@pytest.fixture
def site(tmp_path: Path) -> Path:
    install_fake_dist(
        tmp_path,
        "onesdk-other",
        {"other": "other_provider:OtherProvider"},
        {
            "other_provider": """
            from onesdk import Provider
            class OtherProvider(Provider):
                name = "other"
        """,
        },
    )
    install_fake_dist(
        tmp_path,
        "onesdk-broken",
        {"broken": "broken_provider:Provider"},
        {
            "broken_provider": "raise ImportError('this plugin is broken on purpose')\n",
        },
    )
    install_fake_dist(tmp_path, "onesdk-wrongtype", {"wrongtype": "json:dumps"}, {})
    return tmp_path


def test_import_onesdk_imports_no_provider_and_no_http(site: Path) -> None:
    result = run(
        site,
        """
        import json, sys, onesdk
        print(json.dumps({m: m in sys.modules for m in
              ("onesdk_kimi", "other_provider", "broken_provider", "httpx")}))
    """,
    )
    assert result == {
        "onesdk_kimi": False,
        "other_provider": False,
        "broken_provider": False,
        "httpx": False,
    }


def test_list_providers_names_all_without_importing_them(site: Path) -> None:
    result = run(
        site,
        """
        import json, sys, onesdk
        names = onesdk.list_providers()
        print(json.dumps({"names": names, "imported": "onesdk_kimi.provider" in sys.modules
                          or "other_provider" in sys.modules}))
    """,
    )
    assert {"kimi", "other", "broken", "wrongtype"} <= set(result["names"])  # type: ignore[arg-type]
    assert result["imported"] is False


def test_kimi_imports_no_other_provider_and_survives_broken_ones(site: Path) -> None:
    result = run(
        site,
        """
        import json, sys
        from onesdk import OneSDK
        sdk = OneSDK("kimi")
        print(json.dumps({"provider": sdk.provider.name,
                          "others": [m for m in ("other_provider", "broken_provider")
                                     if m in sys.modules]}))
    """,
    )
    assert result == {"provider": "kimi", "others": []}


def test_broken_provider_is_reported_with_its_distribution(site: Path) -> None:
    error = config_error(site, "broken")
    assert "onesdk-broken" in error
    assert "broken on purpose" in error


def test_entry_point_of_wrong_type_is_reported(site: Path) -> None:
    error = config_error(site, "wrongtype")
    assert "onesdk-wrongtype" in error
    assert "not a subclass of onesdk.Provider" in error


def test_two_distributions_claiming_one_name_are_named(site: Path) -> None:
    install_fake_dist(site, "onesdk-other-fork", {"other": "other_provider:OtherProvider"}, {})
    error = config_error(site, "other")
    assert "onesdk-other" in error
    assert "onesdk-other-fork" in error


def test_provider_for_another_protocol_version_is_named_with_its_distribution(
    site: Path,
) -> None:
    install_fake_dist(
        site,
        "onesdk-future",
        {"future": "future_provider:FutureProvider"},
        {
            "future_provider": """
            from onesdk import Provider
            class FutureProvider(Provider):
                name = "future"
                protocol_version = 99
        """,
        },
    )
    error = config_error(site, "future")
    assert "onesdk-future" in error
    assert "protocol 99" in error
    kimi = run(site, 'import json, onesdk; print(json.dumps(onesdk.OneSDK("kimi").provider.name))')
    assert kimi == "kimi"


def test_onesdk_providers_lists_broken_plugins_with_their_distributions(site: Path) -> None:
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "MOONSHOT_API_KEY": "sk-test"}
    proc = subprocess.run(
        [sys.executable, "-m", "onesdk.cli", "--json", "providers"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    listing = json.loads(proc.stdout)
    text = json.dumps(listing)
    for dist in ("onesdk-broken", "onesdk-wrongtype", "onesdk-kimi"):
        assert dist in text
