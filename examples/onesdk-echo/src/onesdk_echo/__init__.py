"""onesdk-echo: a OneSDK provider for any OpenAI-compatible echo server.

The smallest real third-party provider: a name, a base URL, a key variable and an error table.
"""

from __future__ import annotations

from onesdk.errors import (
    InvokeAuthorizationError,
    InvokeBadRequestError,
    InvokeNotFoundError,
    InvokeRateLimitError,
    InvokeServerUnavailableError,
)
from onesdk.openai_compat import OpenAICompatibleProvider

__all__ = ["EchoProvider"]
__version__ = "0.1.0"


class EchoProvider(OpenAICompatibleProvider):
    """Talks to an echo server such as ``python -m onesdk.testing.fake_server``."""

    name = "echo"
    default_base_url = "http://127.0.0.1:8000/v1"
    api_key_env = "ECHO_API_KEY"
    base_url_env = "ECHO_BASE_URL"
    simulator = "onesdk.testing.fake_server:main"
    error_types = {
        "invalid_request_error": InvokeBadRequestError,
        "authentication_error": InvokeAuthorizationError,
        "permission_error": InvokeAuthorizationError,
        "not_found_error": InvokeNotFoundError,
        "rate_limit_error": InvokeRateLimitError,
        "server_error": InvokeServerUnavailableError,
        "overloaded_error": InvokeServerUnavailableError,
    }
