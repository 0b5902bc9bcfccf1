"""How a chat request uses a context cache: a `role: cache` message or `X-Msh-Context-Cache`.

`plan_prompt` returns the messages the model sees plus cached_tokens and response headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .cache_store import CacheEntry, CacheStore
from .caching_api import check_ttl
from .errors import invalid
from .models import ModelInfo
from .tokens import canonical_json

_OPTIONS = ("cache_id", "tag", "reset_ttl", "dry_run")


@dataclass
class PromptPlan:
    """The prompt after cache expansion."""

    messages: list[dict[str, Any]]
    tools: list[Any] | None
    cached_tokens: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False


def parse_cache_options(content: str) -> dict[str, str]:
    """`cache_id=<id>;reset_ttl=3600` -> {"cache_id": ..., "reset_ttl": "3600"}."""
    options: dict[str, str] = {}
    for item in content.split(";"):
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in _OPTIONS or not value:
            raise invalid(
                f"invalid cache message option {item!r}, expected key=value with keys "
                f"{', '.join(_OPTIONS)} joined by ';'"
            )
        options[key] = value
    if ("cache_id" in options) == ("tag" in options):
        raise invalid("the cache message must set exactly one of cache_id or tag")
    return options


def _reset_ttl(raw: str | None) -> int | None:
    if raw is None:
        return None
    return check_ttl(int(raw) if raw.lstrip("-").isdigit() else raw, "reset_ttl")


def _flag(raw: str | None) -> bool:
    if raw in (None, "0", "false"):
        return False
    if raw in ("1", "true"):
        return True
    raise invalid("dry_run must be 1 or 0")


def _activate(store: CacheStore, entry: CacheEntry, reset_ttl: int | None, apply: bool) -> None:
    inactive = entry.status(store.now()) == "inactive"
    if inactive and reset_ttl is None:
        raise invalid(
            f"the context cache {entry.id} is inactive: it expired at {entry.expired_at}; "
            "send reset_ttl to reactivate it"
        )
    if reset_ttl is not None and apply:
        store.reset_ttl(entry, reset_ttl)


def _hit_headers(entry: CacheEntry) -> dict[str, str]:
    return {
        "Msh-Context-Cache-Id": entry.id,
        "Msh-Context-Cache-Token-Saved": str(entry.tokens),
        "Msh-Context-Cache-Token-Exp": str(entry.expired_at),
    }


def _require_cache_model(model: ModelInfo) -> None:
    if not model.explicit_cache:
        raise invalid(
            f"model family is invalid: context caches work with moonshot-v1 models, not {model.id}"
        )


def plan_prompt(
    store: CacheStore,
    model: ModelInfo,
    messages: list[dict[str, Any]],
    tools: list[Any] | None,
    headers: Mapping[str, str],
    *,
    apply: bool = True,
) -> PromptPlan:
    """Expand a cache reference, if any; `apply=False` skips side effects (reset_ttl)."""
    if messages and messages[0].get("role") == "cache":
        options = parse_cache_options(str(messages[0]["content"]))
        if tools is not None:
            raise invalid("tools must be null when using context cache")
        _require_cache_model(model)
        tag = options.get("tag")
        cache_id = store.tag(tag).cache_id if tag else options["cache_id"]
        entry = store.get(cache_id)
        _activate(store, entry, _reset_ttl(options.get("reset_ttl")), apply)
        return PromptPlan(
            [*entry.messages, *messages[1:]],
            entry.tools or None,
            entry.tokens,
            _hit_headers(entry),
            _flag(options.get("dry_run")),
        )
    header_id = headers.get("x-msh-context-cache")
    if not header_id:
        return PromptPlan(messages, tools)
    _require_cache_model(model)
    entry = store.get(header_id.strip())
    _activate(store, entry, _reset_ttl(headers.get("x-msh-context-cache-reset-ttl")), apply)
    dry_run = _flag(headers.get("x-msh-context-cache-dryrun"))
    cached = entry.messages
    same_prefix = canonical_json(messages[: len(cached)]) == canonical_json(cached)
    if not same_prefix or canonical_json(tools or []) != canonical_json(entry.tools):
        # A mismatch is not an error: the request just runs uncached, at full price.
        return PromptPlan(messages, tools, dry_run=dry_run)
    return PromptPlan(messages, tools, entry.tokens, _hit_headers(entry), dry_run)
