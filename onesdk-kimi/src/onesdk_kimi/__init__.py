"""Kimi (Moonshot AI) provider for OneSDK: ``OneSDK("kimi", {...})`` finds it by entry point.

Importing this package is cheap; the provider and simulator load when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .provider import CHINA_BASE_URL, INTERNATIONAL_BASE_URL, KimiProvider

__all__ = ["CHINA_BASE_URL", "INTERNATIONAL_BASE_URL", "KimiProvider", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("KimiProvider", "CHINA_BASE_URL", "INTERNATIONAL_BASE_URL"):
        from . import provider

        return getattr(provider, name)
    raise AttributeError(f"module 'onesdk_kimi' has no attribute {name!r}")
