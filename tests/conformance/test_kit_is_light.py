"""The kit costs nothing until used: ``import onesdk`` never loads it, and importing the
package or its fake server loads neither pytest nor the HTTP stack."""

from __future__ import annotations

import json
import subprocess
import sys


def modules_after(statement: str) -> dict[str, bool]:
    code = (
        f"import json, sys; {statement}; "
        "print(json.dumps({m: m in sys.modules for m in "
        "('onesdk.testing', 'onesdk.testing.conformance', 'pytest', 'httpx', 'pydantic')}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, bool] = json.loads(proc.stdout)
    return result


def test_import_onesdk_does_not_import_the_kit() -> None:
    loaded = modules_after("import onesdk; onesdk.OneSDK")
    assert not loaded["onesdk.testing"]
    assert not loaded["pytest"]


def test_import_onesdk_testing_imports_no_pytest_and_no_http() -> None:
    loaded = modules_after("import onesdk.testing")
    assert loaded["onesdk.testing"]
    assert not any(loaded[m] for m in ("onesdk.testing.conformance", "pytest", "httpx"))


def test_the_fake_server_needs_only_the_standard_library() -> None:
    loaded = modules_after("from onesdk.testing import FakeOpenAIServer as F; F().target()")
    assert not any(loaded[m] for m in ("pytest", "httpx", "pydantic"))


def test_the_conformance_class_loads_on_first_use() -> None:
    loaded = modules_after("from onesdk.testing import ProviderConformance")
    assert loaded["onesdk.testing.conformance"]
    assert loaded["pytest"]
