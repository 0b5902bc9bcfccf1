"""Calling plugins' hooks without letting a plugin's bug reach the user's call.

A hook implementation that raises is logged on ``onesdk.plugins``, naming it, and skipped.
"""

from __future__ import annotations

import logging
from typing import Any

from . import registry

__all__ = ["call_hook"]

logger = logging.getLogger("onesdk.plugins")


def call_hook(hooks: Any, name: str, **kwargs: Any) -> None:
    """Call hook ``name`` on every plugin; one that raises is logged, naming it, and skipped.

    pluggy stops a hook call at the first exception; the plugins it had not reached yet are
    called again without the culprit and those already called, so one bug costs one plugin.
    """
    caller = getattr(hooks, name)
    done: list[object] = []
    while True:
        try:
            caller(**kwargs)
        except Exception as exc:  # a plugin's bug must not break the user's call
            impls = [i for i in caller.get_hookimpls() if not (i.hookwrapper or i.wrapper)]
            culprit = _culprit(impls, exc)
            logger.warning(
                "plugin %s raised in %s, ignored: %s: %s",
                repr(culprit.plugin_name) if culprit else "(unknown)",
                name,
                type(exc).__name__,
                str(exc)[:200],
            )
            if culprit is None or culprit is impls[0]:
                return
            # Implementations run last-registered first: those after the culprit already ran.
            done.extend(impl.plugin for impl in impls[impls.index(culprit) :])
            caller = registry.plugin_manager().subset_hook_caller(name, remove_plugins=done)
        else:
            return


def _culprit(impls: list[Any], exc: BaseException) -> Any:
    """The hook implementation that raised ``exc``, found in its traceback (None if none)."""
    codes = {getattr(impl.function, "__code__", None): impl for impl in impls}
    tb = exc.__traceback__
    culprit = None
    while tb is not None:
        culprit = codes.get(tb.tb_frame.f_code, culprit)
        tb = tb.tb_next
    return culprit
