"""The conformance kit for provider authors: ``ProviderConformance`` and a fake server.

Subclass ``ProviderConformance`` in a test file; names load on first use (pytest only then).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .conformance import ProviderConformance
    from .expectations import DEFAULT_EXPECTED_ERRORS
    from .fake_server import FakeOpenAIServer, RecordedRequest, error_body
    from .target import ConformanceTarget

_EXPORTS = {
    "ConformanceTarget": "target",
    "ProviderConformance": "conformance",
    "DEFAULT_EXPECTED_ERRORS": "expectations",
    "FakeOpenAIServer": "fake_server",
    "RecordedRequest": "fake_server",
    "error_body": "fake_server",
}

__all__ = [
    "DEFAULT_EXPECTED_ERRORS",
    "ConformanceTarget",
    "FakeOpenAIServer",
    "ProviderConformance",
    "RecordedRequest",
    "error_body",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'onesdk.testing' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
