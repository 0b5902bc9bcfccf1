"""Context caches and their tags (pending -> ready -> inactive), plus automatic prefix caching.

Cache status is derived from the simulator clock on every read, so no timers are needed.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import string
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .clock import Clock
from .errors import invalid, not_found
from .tokens import canonical_json, count_message, count_tools

_ALNUM = string.ascii_lowercase + string.digits
_T = TypeVar("_T")


def new_cache_id() -> str:
    """`cache-` + 20 lowercase alphanumerics."""
    return "cache-" + "".join(secrets.choice(_ALNUM) for _ in range(20))


@dataclass
class CacheEntry:
    """One context cache."""

    id: str
    created_at: int
    expired_at: int
    ready_at: float
    tokens: int
    messages: list[Any]
    tools: list[Any]
    name: str = ""
    description: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    seq: int = 0

    def status(self, now: float) -> str:
        """`pending` until ready_at, then `ready`; `inactive` from expired_at on."""
        if now >= self.expired_at:
            return "inactive"
        return "pending" if now < self.ready_at else "ready"

    def to_json(self, now: float) -> dict[str, Any]:
        """The `context_cache_object` body."""
        return {
            "id": self.id,
            "status": self.status(now),
            "object": "context_cache_object",
            "created_at": self.created_at,
            "expired_at": self.expired_at,
            "tokens": self.tokens,
            "model": "moonshot-v1",
            "messages": self.messages,
            "tools": self.tools,
            "name": self.name,
            "description": self.description,
            "metadata": self.metadata,
        }


@dataclass
class TagEntry:
    """A tag naming a cache."""

    tag: str
    cache_id: str
    created_at: int
    seq: int = 0

    def to_json(self, owner: str) -> dict[str, Any]:
        """The `cache_object.tag` body."""
        return {
            "tag": self.tag,
            "cache_id": self.cache_id,
            "object": "cache_object.tag",
            "owned_by": owner,
            "created_at": self.created_at,
        }


def page(
    items: Sequence[_T],
    key: Callable[[_T], str],
    *,
    limit: int,
    order: str,
    after: str | None,
    before: str | None,
) -> list[_T]:
    """Items (given oldest first) in `order`, after/before a cursor (exclusive), up to `limit`."""
    ordered = list(items) if order == "asc" else list(reversed(items))
    keys = [key(item) for item in ordered]
    start, end = 0, len(ordered)
    for cursor, name in ((after, "after"), (before, "before")):
        if cursor is None:
            continue
        if cursor not in keys:
            raise invalid(f"{name} cursor {cursor!r} does not exist")
        if name == "after":
            start = keys.index(cursor) + 1
        else:
            end = keys.index(cursor)
    if before is not None and after is None:
        # Paging backwards returns the items just before the cursor.
        return ordered[max(start, end - limit) : end]
    return ordered[start:end][:limit]


class CacheStore:
    """All caches and tags of the simulated account."""

    def __init__(self, clock: Clock, ready_delay: Callable[[], float]) -> None:
        self._clock = clock
        self._ready_delay = ready_delay
        self._caches: dict[str, CacheEntry] = {}
        self._tags: dict[str, TagEntry] = {}
        self._seq = itertools.count()

    def now(self) -> float:
        """Simulated unix time."""
        return self._clock.now()

    def add(self, entry: CacheEntry) -> CacheEntry:
        """Store a new cache; it starts `pending`."""
        entry.seq = next(self._seq)
        entry.ready_at = self.now() + self._ready_delay()
        self._caches[entry.id] = entry
        return entry

    def get(self, cache_id: str) -> CacheEntry:
        """The cache, or 404."""
        entry = self._caches.get(cache_id)
        if entry is None:
            raise not_found(f"Not found the context cache {cache_id}")
        return entry

    def delete(self, cache_id: str) -> None:
        """Remove a cache (404 if unknown); its tags stay and dangle, as on Kimi."""
        self.get(cache_id)
        del self._caches[cache_id]

    def caches(self) -> list[CacheEntry]:
        """All caches, oldest first."""
        return sorted(self._caches.values(), key=lambda entry: (entry.created_at, entry.seq))

    def mark_updated(self, entry: CacheEntry) -> None:
        """An update sends a cache back to `pending`."""
        entry.ready_at = self.now() + self._ready_delay()

    def reset_ttl(self, entry: CacheEntry, ttl: int) -> None:
        """expired_at = now + ttl; an inactive cache is reactivated (pending again)."""
        now = self.now()
        if entry.status(now) == "inactive":
            entry.ready_at = now + self._ready_delay()
        entry.expired_at = int(now) + ttl

    def bind_tag(self, tag: str, cache_id: str) -> TagEntry:
        """Point `tag` at a cache (re-binding an existing tag moves it)."""
        self.get(cache_id)
        entry = TagEntry(tag, cache_id, int(self.now()), next(self._seq))
        self._tags[tag] = entry
        return entry

    def tag(self, tag: str) -> TagEntry:
        """The tag, or 404."""
        entry = self._tags.get(tag)
        if entry is None:
            raise not_found(f"Not found the tag {tag}")
        return entry

    def delete_tag(self, tag: str) -> None:
        """Remove a tag if present."""
        self._tags.pop(tag, None)

    def tags(self) -> list[TagEntry]:
        """All tags, oldest first."""
        return sorted(self._tags.values(), key=lambda entry: (entry.created_at, entry.seq))


class PrefixCache:
    """Automatic prefix caching: prompts seen under a `prompt_cache_key` are remembered
    as hashes of each message prefix; a later prompt reuses the longest seen prefix."""

    MAX_KEYS = 1024
    MAX_PREFIXES = 4096

    def __init__(self) -> None:
        self._seen: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()

    @staticmethod
    def _prefix_hashes(messages: list[dict[str, Any]], tools: list[Any] | None) -> list[str]:
        digest = hashlib.sha256(canonical_json(tools or []).encode())
        hashes = []
        for message in messages:
            digest.update(canonical_json(message).encode())
            hashes.append(digest.copy().hexdigest())
        return hashes

    def use(self, key: str, messages: list[dict[str, Any]], tools: list[Any] | None) -> int | None:
        """Cached tokens for the longest remembered prefix (None on a miss); remember this one."""
        hashes = self._prefix_hashes(messages, tools)
        seen = self._seen.setdefault(key, OrderedDict())
        self._seen.move_to_end(key)
        hit = max((i + 1 for i, h in enumerate(hashes) if h in seen), default=0)
        for prefix in hashes:
            seen[prefix] = None
            seen.move_to_end(prefix)
        while len(seen) > self.MAX_PREFIXES:
            seen.popitem(last=False)
        while len(self._seen) > self.MAX_KEYS:
            self._seen.popitem(last=False)
        if not hit:
            return None
        return count_tools(tools) + sum(count_message(m) for m in messages[:hit])
