"""Client configuration: merge ``config`` and options with the environment, and check them.

Every mistake becomes an ``InvokeConfigError`` that names the key and how to fix it.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import InvokeConfigError
from .provider import Provider
from .retry import DEFAULT_MAX_RETRIES

__all__ = ["CONFIG_KEYS", "ClientConfig", "resolve_config"]

CONFIG_KEYS = frozenset(
    {
        "api_key",
        "base_url",
        "timeout",
        "max_retries",
        "proxy",
        "default_headers",
        "http_client",
        "model",
        "allow_insecure_http",
    }
)


class _Secret(str):
    """A string that never shows itself in repr."""

    def __repr__(self) -> str:
        return "'***'"


@dataclass(frozen=True)
class ClientConfig:
    """Resolved settings of one client. The key never appears in ``repr`` or a pickle."""

    provider: str
    api_key: str = field(repr=False)
    base_url: str
    timeout: float | None = None
    max_retries: int = DEFAULT_MAX_RETRIES
    proxy: str | None = None
    default_headers: Mapping[str, str] = field(default_factory=dict)
    http_client: Any = field(default=None, repr=False)
    model: str | None = None
    allow_insecure_http: bool = False

    def __getstate__(self) -> dict[str, Any]:
        # A pickled config travels to workers without the key; they read their own env.
        state = dict(self.__dict__)
        state["api_key"] = ""
        state["http_client"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def check_api_key(api_key: str, provider: str) -> None:
    """Refuse a key that cannot travel in a header, without ever quoting it.

    An HTTP library rejecting the header would put the key into its error and its debug log.
    """
    if not all(" " <= char <= "~" for char in api_key):
        raise InvokeConfigError(
            "the API key contains characters that cannot be sent in an HTTP header (control "
            "characters, line breaks or non-ASCII); check how it was copied",
            provider=provider,
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: Any, provider: str, allow_insecure_http: bool) -> str:
    """A usable base URL, or an ``InvokeConfigError`` saying what is wrong with it."""
    if not isinstance(url, str) or not url:
        raise InvokeConfigError(f"base_url must be a URL string, got {url!r}", provider=provider)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvokeConfigError(
            f"base_url {url!r} is not an http(s) URL such as 'https://api.example.com/v1'",
            provider=provider,
        )
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise InvokeConfigError(
            f"base_url {url!r} is plain http to a non-loopback host: the API key would travel "
            "unencrypted. Use https, or pass allow_insecure_http=True if you mean it",
            provider=provider,
        )
    return url.rstrip("/")


def resolve_config(
    cls: type[Provider], config: Mapping[str, Any] | None, options: Mapping[str, Any]
) -> ClientConfig:
    """Merge ``config``, keyword options and environment variables for provider ``cls``."""
    if config is not None and not isinstance(config, Mapping):
        raise InvokeConfigError(
            f"config must be a dict such as {{'api_key': '...'}}, got {type(config).__name__}",
            provider=cls.name,
        )
    merged = {**(config or {}), **options}
    unknown = sorted(set(merged) - CONFIG_KEYS)
    if unknown:
        raise InvokeConfigError(
            f"unknown config key(s) {', '.join(map(repr, unknown))}; "
            f"valid keys: {', '.join(sorted(CONFIG_KEYS))}",
            provider=cls.name,
        )
    api_key = merged.get("api_key") or (
        os.environ.get(cls.api_key_env) if cls.api_key_env else None
    )
    if isinstance(api_key, str):
        api_key = api_key.strip()  # a key pasted from a file often ends in a newline
    if not api_key or not isinstance(api_key, str):
        where = f" or set the {cls.api_key_env} environment variable" if cls.api_key_env else ""
        raise InvokeConfigError(
            f"no API key for provider {cls.name!r}: pass {{'api_key': '...'}}{where}",
            provider=cls.name,
        )
    check_api_key(api_key, cls.name)
    insecure = bool(merged.get("allow_insecure_http", False))
    base_url = (
        merged.get("base_url")
        or (os.environ.get(cls.base_url_env) if cls.base_url_env else None)
        or cls.default_base_url
    )
    timeout = merged.get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0
    ):
        raise InvokeConfigError(
            f"timeout must be a positive number of seconds, got {timeout!r}", provider=cls.name
        )
    retries = merged.get("max_retries", DEFAULT_MAX_RETRIES)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise InvokeConfigError(
            f"max_retries must be an int >= 0, got {retries!r}", provider=cls.name
        )
    headers = merged.get("default_headers") or {}
    if not isinstance(headers, Mapping):
        raise InvokeConfigError("default_headers must be a dict of str to str", provider=cls.name)
    model = merged.get("model")
    if model is not None and not isinstance(model, str):
        raise InvokeConfigError(
            f"model must be a model id string, got {model!r}", provider=cls.name
        )
    return ClientConfig(
        provider=cls.name,
        api_key=_Secret(api_key),
        base_url=check_base_url(base_url, cls.name, insecure),
        timeout=float(timeout) if timeout is not None else None,
        max_retries=retries,
        proxy=merged.get("proxy"),
        default_headers=dict(headers),
        http_client=merged.get("http_client"),
        model=model,
        allow_insecure_http=insecure,
    )
