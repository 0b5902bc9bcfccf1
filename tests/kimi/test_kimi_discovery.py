"""Kimi is found through its entry point, and nothing is imported before it is asked for."""

from __future__ import annotations

import subprocess
import sys

import pytest

from onesdk import OneSDK, list_providers
from onesdk.errors import InvokeConfigError
from onesdk.registry import provider_entries


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def test_list_providers_includes_kimi() -> None:
    assert "kimi" in list_providers()


def test_list_providers_does_not_import_the_kimi_provider() -> None:
    out = run_python(
        "import onesdk, sys; onesdk.list_providers(); print('onesdk_kimi.provider' in sys.modules)"
    )
    assert out == "False"


def test_import_onesdk_imports_neither_httpx_nor_onesdk_kimi() -> None:
    out = run_python(
        "import onesdk, sys; print('httpx' in sys.modules, 'onesdk_kimi' in sys.modules)"
    )
    assert out == "False False"


def test_kimi_entry_point_names_its_distribution_and_class() -> None:
    [entry] = [e for e in provider_entries() if e.name == "kimi"]
    assert entry.distribution == "onesdk-kimi"
    assert entry.value == "onesdk_kimi.provider:KimiProvider"


def test_onesdk_kimi_finds_the_kimi_provider() -> None:
    from onesdk_kimi.provider import KimiProvider

    assert type(OneSDK("kimi", {"api_key": "sk-test"}).provider) is KimiProvider


def test_unknown_provider_error_lists_kimi() -> None:
    with pytest.raises(InvokeConfigError, match=r"unknown provider 'kimmi' \(available: .*kimi"):
        OneSDK("kimmi", {"api_key": "sk-test"})
