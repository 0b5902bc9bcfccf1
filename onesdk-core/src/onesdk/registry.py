"""Finds providers and plugins: entry points by name, in-process registration, pluggy.

Only the asked-for provider is imported; a broken plugin is reported, never fatal to others.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

from .errors import InvokeConfigError
from .provider import PROTOCOL_VERSION, Provider

if TYPE_CHECKING:
    import pluggy

__all__ = [
    "AUTOLOAD_ENV",
    "BLOCK_ENV",
    "BUILTIN_PLUGINS",
    "PLUGINS_ENV",
    "PLUGIN_GROUP",
    "PROVIDER_GROUP",
    "PluginProblem",
    "ProviderEntry",
    "get_plugin",
    "get_provider_class",
    "hook_plugins",
    "list_providers",
    "plugin_manager",
    "plugin_problems",
    "provider_entries",
    "register_plugin",
    "register_provider",
    "unregister_plugin",
    "unregister_provider",
]

PROVIDER_GROUP = "onesdk.providers"
PLUGIN_GROUP = "onesdk.plugins"
#: Set to 1 to load no ``onesdk.plugins`` entry point automatically (as pytest's switch).
AUTOLOAD_ENV = "ONESDK_DISABLE_PLUGIN_AUTOLOAD"
#: Comma-separated names: only these plugins load (entry points or built-ins), autoload or not.
PLUGINS_ENV = "ONESDK_PLUGINS"
#: Comma-separated names of plugins never to load (as pytest's ``-p no:NAME``).
BLOCK_ENV = "ONESDK_BLOCK_PLUGINS"
#: Plugins shipped in onesdk-core, off unless named in ONESDK_PLUGINS or registered in code.
BUILTIN_PLUGINS = {
    "onesdk.usage": "onesdk.plugins.accounting:UsageAccounting",
    "onesdk.call_log": "onesdk.plugins.call_log:CallLog",
}

logger = logging.getLogger("onesdk.registry")
_lock = threading.RLock()
_in_process: dict[str, type[Provider]] = {}
_loaded: dict[str, type[Provider]] = {}
_problems: dict[str, PluginProblem] = {}
_plugin_dists: dict[str, str | None] = {}  # registered hook plugin name -> its distribution
_manager: pluggy.PluginManager | None = None
_hook_plugins = 0
_autoload_checked = False


@dataclass(frozen=True)
class ProviderEntry:
    """An installed provider, as its distribution declares it (nothing imported)."""

    name: str
    value: str
    distribution: str | None
    version: str | None


@dataclass(frozen=True)
class PluginProblem:
    """A plugin that could not be used, and why."""

    name: str
    distribution: str | None
    reason: str


def _dist(ep: metadata.EntryPoint) -> tuple[str | None, str | None]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None, None
    return dist.metadata["Name"], dist.version


def _entry_points(group: str, name: str | None = None) -> list[metadata.EntryPoint]:
    found = metadata.entry_points(group=group)
    points = [ep for ep in found if name is None or ep.name == name]
    # The same distribution seen twice on sys.path is one declaration, not a conflict.
    unique: dict[tuple[str, str | None], metadata.EntryPoint] = {}
    for ep in points:
        unique.setdefault((ep.value, _dist(ep)[0]), ep)
    return list(unique.values())


def provider_entries() -> list[ProviderEntry]:
    """Installed providers from entry points, without importing them."""
    entries = []
    for ep in _entry_points(PROVIDER_GROUP):
        dist, version = _dist(ep)
        entries.append(ProviderEntry(ep.name, ep.value, dist, version))
    return sorted(entries, key=lambda e: (e.name, e.distribution or ""))


def list_providers() -> list[str]:
    """Names of every available provider (installed or registered), none imported."""
    with _lock:
        names = set(_in_process)
    names.update(entry.name for entry in provider_entries())
    return sorted(names)


def register_provider(cls: type[Provider], *, replace: bool = False) -> None:
    """Make ``cls`` available as ``OneSDK(cls.name)`` in this process."""
    _check_provider_class(cls, getattr(cls, "name", None) or repr(cls), None)
    with _lock:
        if cls.name in _in_process and _in_process[cls.name] is not cls and not replace:
            raise InvokeConfigError(
                f"a provider named {cls.name!r} is already registered "
                f"({_in_process[cls.name].__qualname__}); pass replace=True to override it"
            )
        _in_process[cls.name] = cls


def unregister_provider(name: str) -> None:
    """Forget an in-process registration (and any cached class)."""
    with _lock:
        _in_process.pop(name, None)
        _loaded.pop(name, None)


def plugin_problems() -> list[PluginProblem]:
    """Plugins found broken so far (import errors, wrong types, conflicts)."""
    with _lock:
        return list(_problems.values())


def _check_provider_class(obj: Any, name: str, dist: str | None) -> type[Provider]:
    origin = f" (distribution {dist})" if dist else ""
    if not (isinstance(obj, type) and issubclass(obj, Provider)):
        raise InvokeConfigError(
            f"provider {name!r}{origin} is {obj!r}, not a subclass of onesdk.Provider; "
            "point its entry point at the provider class"
        )
    if obj.protocol_version != PROTOCOL_VERSION:
        raise InvokeConfigError(
            f"provider {name!r}{origin} is built for provider protocol "
            f"{obj.protocol_version}, this onesdk-core speaks {PROTOCOL_VERSION}; "
            "install versions of the two that match"
        )
    if not obj.name:
        raise InvokeConfigError(f"provider class {obj.__qualname__}{origin} sets no name")
    return obj


def _record(name: str, dist: str | None, reason: str) -> InvokeConfigError:
    problem = PluginProblem(name, dist, reason)
    with _lock:
        _problems[f"{name}:{dist}"] = problem
    logger.warning(
        "plugin %r from %s is unusable: %s", name, dist or "unknown distribution", reason
    )
    return InvokeConfigError(reason)


def _load_entry_point(name: str) -> type[Provider] | None:
    points = _entry_points(PROVIDER_GROUP, name)
    if not points:
        return None
    if len(points) > 1:
        dists = ", ".join(sorted(str(_dist(ep)[0]) for ep in points))
        raise _record(
            name,
            dists,
            f"provider {name!r} is claimed by several distributions "
            f"({dists}); uninstall all but one",
        )
    ep = points[0]
    dist = _dist(ep)[0]
    try:
        obj = ep.load()
    except Exception as exc:
        raise _record(
            name,
            dist,
            f"provider {name!r} from distribution {dist} failed to "
            f"import: {type(exc).__name__}: {exc}",
        ) from None
    try:
        return _check_provider_class(obj, name, dist)
    except InvokeConfigError as exc:
        raise _record(name, dist, exc.message) from None


def get_provider_class(name: str) -> type[Provider]:
    """The provider class for ``name``, importing only that provider."""
    if not isinstance(name, str) or not name:
        raise InvokeConfigError(f"provider must be a provider name such as 'kimi', got {name!r}")
    with _lock:
        cls = _in_process.get(name) or _loaded.get(name)
    if cls is not None:
        return cls
    cls = _load_entry_point(name)
    if cls is None:
        plugin_manager()  # plugins may register providers through a hook
        with _lock:
            cls = _in_process.get(name)
    if cls is None:
        available = ", ".join(list_providers()) or "none installed"
        raise InvokeConfigError(
            f"unknown provider {name!r} (available: {available}); "
            f"install its distribution, e.g. pip install onesdk-{name}"
        )
    with _lock:
        _loaded[name] = cls
    return cls


# --- hooks --------------------------------------------------------------------------------


def _env_names(variable: str) -> list[str] | None:
    """The names listed in ``variable`` (comma-separated), or None when it is unset or empty."""
    names = [name.strip() for name in os.environ.get(variable, "").split(",")]
    return [name for name in names if name] or None


def plugin_manager() -> pluggy.PluginManager:
    """The process-wide pluggy manager, created (and plugins autoloaded) on first use."""
    global _manager
    with _lock:
        if _manager is None:
            import pluggy

            from . import hookspecs

            manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
            manager.add_hookspecs(hookspecs)
            for name in _env_names(BLOCK_ENV) or ():
                manager.set_blocked(name)
            _manager = manager
            _autoload(manager)
        return _manager


def autoload_plugins() -> None:
    """Load ``onesdk.plugins`` entry points once; pluggy is imported only if there are any."""
    global _autoload_checked
    if _autoload_checked or _manager is not None:
        return
    _autoload_checked = True
    if _env_names(PLUGINS_ENV) or (
        not os.environ.get(AUTOLOAD_ENV) and _entry_points(PLUGIN_GROUP)
    ):
        plugin_manager()


def _autoload(manager: pluggy.PluginManager) -> None:
    """Load the plugins the environment selects: all entry points (unless autoload is off),
    or only those named in ONESDK_PLUGINS; never a blocked one, which is not even imported."""
    wanted = _env_names(PLUGINS_ENV)
    if wanted is None and os.environ.get(AUTOLOAD_ENV):
        return
    blocked = set(_env_names(BLOCK_ENV) or ())
    points = _entry_points(PLUGIN_GROUP)
    for ep in points:
        if ep.name in blocked or (wanted is not None and ep.name not in wanted):
            continue
        _load_plugin(ep.name, _dist(ep)[0], ep.load)
    installed = {ep.name for ep in points}
    for name in wanted or ():
        if name in blocked or name in installed:
            continue
        if name in BUILTIN_PLUGINS:
            _load_plugin(name, "onesdk-core", _builtin_loader(name))
        else:
            _record(name, None, f"plugin {name!r} named in {PLUGINS_ENV} is not installed")


def _builtin_loader(name: str) -> Callable[[], object]:
    """Makes the built-in plugin ``name`` with its default settings."""

    def load() -> object:
        from importlib import import_module

        module, _, attr = BUILTIN_PLUGINS[name].partition(":")
        return getattr(import_module(module), attr)()

    return load


def _load_plugin(name: str, dist: str | None, load: Callable[[], object]) -> None:
    """Import and register one plugin; a failure is recorded, never raised."""
    try:
        register_plugin(load(), name=name, distribution=dist)
    except InvokeConfigError as exc:  # its message names the plugin and the distribution
        _record(name, dist, exc.message)
    except Exception as exc:
        _record(
            name,
            dist,
            f"plugin {name!r} from distribution {dist} failed to load: {type(exc).__name__}: {exc}",
        )


def _distribution_of(plugin: object) -> str | None:
    """The installed distribution that provides ``plugin``'s module, when there is one."""
    module = getattr(plugin, "__module__", None) or getattr(plugin, "__name__", None)
    if not isinstance(module, str):
        module = type(plugin).__module__
    dists = metadata.packages_distributions().get(module.partition(".")[0])
    return dists[0] if dists else None


def _mismatch(
    manager: pluggy.PluginManager,
    plugin: object,
    name: str | None,
    dist: str | None,
    exc: Exception,
) -> InvokeConfigError:
    """The error for a plugin whose hooks do not match the contract, with likely fixes."""
    import difflib

    from .hookspecs import hook_names

    known = hook_names()
    hints = []
    for attr in dir(plugin):
        opts = manager.parse_hookimpl_opts(plugin, attr)
        if opts is None:
            continue
        hook = opts.get("specname") or attr
        if hook not in known:
            close = difflib.get_close_matches(hook, known, n=1)
            hints.append(
                f"{hook!r} is no hook" + (f" (did you mean {close[0]!r}?)" if close else "")
            )
    dist = dist or _distribution_of(plugin)
    origin = f" from distribution {dist}" if dist else ""
    detail = "; ".join(hints) or str(exc)
    return InvokeConfigError(
        f"plugin {name or plugin!r}{origin} does not match the onesdk hookspecs: {detail}"
    )


def register_plugin(
    plugin: object, name: str | None = None, *, distribution: str | None = None
) -> None:
    """Register a hook plugin (module or object with ``@onesdk.hookimpl`` functions).

    A hook that is not in the contract, or takes an argument its hook does not offer, is an
    ``InvokeConfigError`` naming the plugin; a name in ONESDK_BLOCK_PLUGINS is ignored.
    """
    global _hook_plugins
    import pluggy

    manager = plugin_manager()
    try:
        registered = manager.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        raise _mismatch(manager, plugin, name, distribution, exc) from None
    except ValueError as exc:  # the plugin, or another one of that name, is registered
        raise InvokeConfigError(f"cannot register plugin {name or plugin!r}: {exc}") from None
    if registered is None:
        logger.info("plugin %r is blocked by %s; not registered", name, BLOCK_ENV)
        return
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        manager.unregister(plugin)
        raise _mismatch(manager, plugin, name, distribution, exc) from None
    with _lock:
        _hook_plugins += 1
        _plugin_dists[registered] = distribution
    manager.hook.onesdk_register_providers(register=lambda cls: register_provider(cls))


def unregister_plugin(plugin: object) -> None:
    """Remove a hook plugin registered with ``register_plugin``."""
    global _hook_plugins
    manager = plugin_manager()
    if manager.is_registered(plugin):
        manager.unregister(plugin)
        with _lock:
            _hook_plugins -= 1


def hook_plugins() -> list[tuple[str, str | None]]:
    """Registered hook plugins, as (name, distribution); loads none."""
    if _manager is None:
        return []
    names = [name for name, plugin in _manager.list_name_plugin() if plugin is not None]
    with _lock:
        return [(name, _plugin_dists.get(name)) for name in names]


def get_plugin(name: str) -> Any:
    """The plugin registered as ``name`` (e.g. ``"onesdk.usage"``), or None."""
    return plugin_manager().get_plugin(name)


def active_hooks() -> Any:
    """The hook relay when any hook plugin is registered, else None (the fast path)."""
    return _manager.hook if _hook_plugins and _manager is not None else None
