"""onesdk-echo passes the OneSDK provider conformance kit against the kit's fake server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from onesdk.testing import ConformanceTarget, FakeOpenAIServer, ProviderConformance
from onesdk_echo import EchoProvider


@pytest.fixture(scope="module")
def conformance_target() -> Iterator[ConformanceTarget]:
    with FakeOpenAIServer() as server:
        yield server.target()


class TestEchoConformance(ProviderConformance):
    provider_class = EchoProvider
    deterministic = True  # the fake server echoes: stream text must equal generate text
