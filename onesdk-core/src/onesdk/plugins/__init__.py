"""Hook plugins shipped with onesdk-core, all off until registered or named in ONESDK_PLUGINS.

``UsageAccounting`` (``onesdk.usage``) counts tokens and cost; ``CallLog`` (``onesdk.call_log``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .accounting import ModelUsage, UsageAccounting
    from .call_log import CallLog

__all__ = ["CallLog", "ModelUsage", "UsageAccounting"]

_WHERE = {"CallLog": ".call_log", "ModelUsage": ".accounting", "UsageAccounting": ".accounting"}


def __getattr__(name: str) -> Any:
    # Loaded on first use: importing onesdk.plugins costs nothing until a plugin is wanted.
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_WHERE[name], __name__), name)
