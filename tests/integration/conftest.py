"""Fixtures for tests over real HTTP against the Kimi simulator on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from onesdk import OneSDK
from onesdk_kimi.simulator import KimiSimulator


@pytest.fixture(scope="session")
def sim() -> Iterator[KimiSimulator]:
    with KimiSimulator() as simulator:
        yield simulator


@pytest.fixture
def kimi(sim: KimiSimulator) -> Iterator[OneSDK]:
    sim.clear_requests()
    with OneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url}) as client:
        yield client
