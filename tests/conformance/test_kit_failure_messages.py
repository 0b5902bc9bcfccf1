"""When an author's test class is incomplete or the provider is wrong, the kit's failure
says what to change. Each case runs pytest on a generated test file in a subprocess."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

HEADER = """
import json
import pytest
from onesdk.errors import InvokeBadRequestError
from onesdk.openai_compat import OpenAICompatibleProvider
from onesdk.testing import ConformanceTarget, FakeOpenAIServer, ProviderConformance

class Provider(OpenAICompatibleProvider):
    name = "kit-check"
    default_base_url = "https://kit-check.example.com/v1"
"""


def run_kit(tmp_path: Path, body: str, *selection: str) -> str:
    test_file = tmp_path / "test_generated_conformance.py"
    test_file.write_text(textwrap.dedent(HEADER) + textwrap.dedent(body))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(test_file),
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:asyncio",
            *selection,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return proc.stdout


def test_a_missing_target_fixture_is_explained(tmp_path: Path) -> None:
    output = run_kit(
        tmp_path,
        """
        class TestNoTarget(ProviderConformance):
            provider_class = Provider
        """,
        "-k",
        "test_generate_returns_chat_response",
    )
    assert "TestNoTarget has no conformance_target fixture: define" in output
    assert "ConformanceTarget(base_url, api_key, model)" in output


def test_a_missing_provider_class_is_explained(tmp_path: Path) -> None:
    output = run_kit(
        tmp_path,
        """
        class TestNoProvider(ProviderConformance):
            pass
        """,
        "-k",
        "test_protocol_version_matches_core",
    )
    assert "TestNoProvider.provider_class is None; set it to your onesdk.Provider" in output


def test_a_wrong_error_table_entry_is_named(tmp_path: Path) -> None:
    output = run_kit(
        tmp_path,
        """
        class WrongTable(Provider):
            error_types = {"limited": InvokeBadRequestError}

        class TestWrongTable(ProviderConformance):
            provider_class = WrongTable

            def error_body(self, status):
                kind = "limited" if status == 429 else "other"
                return json.dumps({"error": {"type": kind, "message": "x"}}).encode()
        """,
        "-k",
        "test_parse_error_maps_status_to_error_class",
    )
    assert "1 failed, 6 passed" in output
    assert (
        "parse_error(429) returned InvokeBadRequestError, expected InvokeRateLimitError: "
        "error_types maps 'limited' to InvokeBadRequestError; map HTTP 429 / your rate-limit "
        "type 'limited' to InvokeRateLimitError in error_types"
    ) in output


def test_a_declared_but_unimplemented_capability_is_named(tmp_path: Path) -> None:
    output = run_kit(
        tmp_path,
        """
        class Overclaiming(Provider):
            capabilities = Provider.capabilities | {"count_tokens"}

        class TestOverclaiming(ProviderConformance):
            provider_class = Overclaiming
        """,
        "-k",
        "test_declared_capabilities_are_implemented",
    )
    assert "capabilities declares 'count_tokens' but count_tokens() is the base class" in output


def test_a_stream_that_never_ends_is_named(tmp_path: Path) -> None:
    output = run_kit(
        tmp_path,
        """
        class NeverEnds(Provider):
            def parse_event(self, event):
                return None if event.data == "[DONE]" else super().parse_event(event)

        @pytest.fixture(scope="module")
        def conformance_target():
            with FakeOpenAIServer(hold_open=True) as server:
                yield server.target()

        class TestNeverEnds(ProviderConformance):
            provider_class = NeverEnds
            timeout = 0.5
        """,
        "-k",
        "test_stream_ends_with_its_end_marker",
    )
    assert "no answer for 0.5s" in output
    assert "make parse_event return STREAM_END for your API's last event" in output


def test_a_provider_doing_io_is_named(tmp_path: Path) -> None:
    output = run_kit(
        tmp_path,
        """
        import socket

        class Chatty(Provider):
            def generate(self, model, messages, params):
                socket.create_connection(("127.0.0.1", 9), timeout=1).close()
                return super().generate(model, messages, params)

        @pytest.fixture(scope="module")
        def conformance_target():
            with FakeOpenAIServer() as server:
                yield server.target()

        class TestChatty(ProviderConformance):
            provider_class = Chatty
        """,
        "-k",
        "test_generate_builds",
    )
    assert "generate() opened a network connection; a provider does no I/O" in output
