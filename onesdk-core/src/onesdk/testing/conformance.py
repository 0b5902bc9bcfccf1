"""``ProviderConformance``: the tests every provider must pass, inherited by subclassing.

Point it at a provider class and a server speaking its API; each failure says what to fix.
"""

from __future__ import annotations

from .base import ConformanceTarget
from .live_checks import LiveChecks
from .sans_io_checks import SansIOChecks

__all__ = ["ConformanceTarget", "ProviderConformance"]


class ProviderConformance(SansIOChecks, LiveChecks):
    """Subclass as ``class TestMyProvider(ProviderConformance)`` and set ``provider_class``;
    give a ``conformance_target`` fixture (module, conftest or class level) that yields a
    ``ConformanceTarget(base_url, api_key, model)`` of a server speaking your API.

    Tune the class attributes (``deterministic``, ``stream_usage``, ``expected_errors``...)
    where your API differs, and override ``error_body(status)`` to return its error bodies.
    """
