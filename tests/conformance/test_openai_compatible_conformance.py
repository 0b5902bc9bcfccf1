"""A private OpenAI-compatible provider, defined right here, passes the kit against the
kit's own fake server: the kit and the fake server agree with each other and the core."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from onesdk.errors import (
    InvokeAuthorizationError,
    InvokeBadRequestError,
    InvokeNotFoundError,
    InvokeRateLimitError,
    InvokeServerUnavailableError,
)
from onesdk.openai_compat import OpenAICompatibleProvider
from onesdk.registry import register_provider, unregister_provider
from onesdk.testing import ConformanceTarget, FakeOpenAIServer, ProviderConformance


class PrivateEchoProvider(OpenAICompatibleProvider):
    name = "private-echo"
    default_base_url = "https://echo.example.com/v1"
    api_key_env = "PRIVATE_ECHO_API_KEY"
    error_types = {
        "invalid_request_error": InvokeBadRequestError,
        "authentication_error": InvokeAuthorizationError,
        "permission_error": InvokeAuthorizationError,
        "not_found_error": InvokeNotFoundError,
        "rate_limit_error": InvokeRateLimitError,
        "server_error": InvokeServerUnavailableError,
        "overloaded_error": InvokeServerUnavailableError,
    }


@pytest.fixture(scope="module", autouse=True)
def registered() -> Iterator[None]:
    """A private provider is registered in-process, as OneSDK documents for such providers."""
    register_provider(PrivateEchoProvider)
    yield
    unregister_provider(PrivateEchoProvider.name)


@pytest.fixture(scope="module")
def conformance_target() -> Iterator[ConformanceTarget]:
    with FakeOpenAIServer() as server:
        yield server.target()


class TestPrivateEchoConformance(ProviderConformance):
    provider_class = PrivateEchoProvider
    deterministic = True
