"""``ConformanceTarget``: where the conformance kit sends its calls, as plain data.

Kept apart from the checks so that ``FakeOpenAIServer.target()`` needs no pytest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ConformanceTarget"]


@dataclass(frozen=True)
class ConformanceTarget:
    """A server speaking the provider's API: where it is, the key it accepts, a model id."""

    base_url: str
    api_key: str
    model: str
    #: Extra client config for every client the kit builds (e.g. ``default_headers``).
    config: Mapping[str, Any] = field(default_factory=dict)
