"""Kimi (Moonshot AI) provider for OneSDK: ``OneSDK("kimi", {...})`` finds it by entry point.

Importing this package is cheap; the provider and simulator load when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .provider import CHINA_BASE_URL, INTERNATIONAL_BASE_URL, KimiProvider
    from .web_search import WEB_SEARCH, web_search_tool

__all__ = [
    "CHINA_BASE_URL",
    "INTERNATIONAL_BASE_URL",
    "WEB_SEARCH",
    "KimiProvider",
    "__version__",
    "web_search_tool",
]


def __getattr__(name: str) -> Any:
    if name in ("KimiProvider", "CHINA_BASE_URL", "INTERNATIONAL_BASE_URL"):
        from . import provider

        return getattr(provider, name)
    if name in ("WEB_SEARCH", "web_search_tool"):
        from . import web_search

        return getattr(web_search, name)
    raise AttributeError(f"module 'onesdk_kimi' has no attribute {name!r}")
