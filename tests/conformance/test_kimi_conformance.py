"""Kimi passes the provider conformance kit, run against the Kimi simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from onesdk.testing import ConformanceTarget, ProviderConformance
from onesdk_kimi.provider import KimiProvider
from onesdk_kimi.simulator import KimiSimulator

# One representative Kimi error type per status (kimi-api.md §9).
KIMI_ERROR_TYPES = {
    400: ("invalid_request_error", "Invalid request: temperature must be in [0, 1]"),
    401: ("invalid_authentication_error", "Invalid Authentication"),
    403: ("permission_denied_error", "The API you are accessing is not open"),
    404: ("resource_not_found_error", "Not found the model kimi-x or Permission denied"),
    429: (
        "rate_limit_reached_error",
        "Your account org-1<ak-1> request reached organization max RPM: 3, "
        "please try again after 1 seconds",
    ),
    500: ("server_error", "Failed to extract file: unexpected EOF"),
    503: ("server_unavailable", "The service is temporarily unavailable"),
}


@pytest.fixture(scope="module")
def conformance_target() -> Iterator[ConformanceTarget]:
    with KimiSimulator() as sim:
        assert sim.api_key is not None
        yield ConformanceTarget(sim.base_url, sim.api_key, "kimi-k2-turbo-preview")


class TestKimiConformance(ProviderConformance):
    provider_class = KimiProvider
    deterministic = True

    def error_body(self, status: int) -> bytes:
        kind, message = KIMI_ERROR_TYPES[status]
        return json.dumps({"error": {"type": kind, "message": message}}).encode()
