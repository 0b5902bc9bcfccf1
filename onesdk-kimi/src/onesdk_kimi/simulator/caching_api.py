"""Endpoints under `/v1/caching`: caches (create, list, get, update, delete) and tags.

Create/update bodies are validated as kimi-api.md section 5.2 describes; errors are 400s.
"""

from __future__ import annotations

import re
from typing import Any

from .app import Route
from .cache_store import CacheEntry, CacheStore, new_cache_id, page
from .chat_params import json_body
from .errors import invalid
from .http_types import Request, Response, json_response
from .message_rules import check_messages, check_tools, tool_names
from .models import CACHE_MODEL_FAMILY
from .state import SimState
from .tokens import count_prompt

MAX_TTL = 3600
MAX_CACHE_TOKENS = 131072
MAX_NAME, MAX_DESCRIPTION = 256, 512
MAX_METADATA_KEYS, MAX_METADATA_KEY, MAX_METADATA_VALUE = 16, 64, 512
TAG_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,127}$")
_METADATA_QUERY = re.compile(r"^metadata\[(.+)\]$")


def _text(body: dict[str, Any], key: str, limit: int) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(f"{key} must be a string")
    if len(value) > limit:
        raise invalid(f"{key} must be at most {limit} characters, got {len(value)}")
    return value


def check_metadata(value: Any) -> dict[str, str]:
    """A string -> string map of at most 16 keys (key <= 64, value <= 512 chars)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("metadata must be an object mapping strings to strings")
    if len(value) > MAX_METADATA_KEYS:
        raise invalid(f"metadata must have at most {MAX_METADATA_KEYS} keys")
    for key, item in value.items():
        if not isinstance(item, str):
            raise invalid(f"metadata value for {key!r} must be a string")
        if len(key) > MAX_METADATA_KEY or len(item) > MAX_METADATA_VALUE:
            raise invalid(
                f"metadata keys must be at most {MAX_METADATA_KEY} characters and values "
                f"at most {MAX_METADATA_VALUE}"
            )
    return dict(value)


def check_ttl(value: Any, name: str = "ttl") -> int:
    """A positive whole number of seconds, at most 3600."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_TTL:
        raise invalid(f"{name} must be an integer number of seconds in [1, {MAX_TTL}]")
    return value


def check_expiry(body: dict[str, Any], now: float) -> int | None:
    """expired_at from `ttl` or `expired_at` (exclusive); None when neither is given."""
    ttl, expired_at = body.get("ttl"), body.get("expired_at")
    if ttl is not None and expired_at not in (None, 0):
        raise invalid("ttl and expired_at are mutually exclusive, set only one of them")
    if ttl is not None:
        return int(now) + check_ttl(ttl)
    if expired_at in (None, 0):  # 0 means "the default", like absent
        return None
    if isinstance(expired_at, bool) or not isinstance(expired_at, int):
        raise invalid("expired_at must be an integer unix timestamp")
    if expired_at <= now or expired_at > now + MAX_TTL:
        raise invalid(f"expired_at must be in the future and at most {MAX_TTL} seconds from now")
    return expired_at


def check_tag(value: Any) -> str:
    """1-128 chars; a letter first, then letters, digits, `_`, `-` or `.`."""
    if not isinstance(value, str) or not TAG_RE.match(value):
        raise invalid(
            "tag must be 1-128 characters, start with a letter and contain only letters, "
            "digits, '_', '-' or '.'"
        )
    return value


def _new_cache(body: dict[str, Any], store: CacheStore) -> tuple[CacheEntry, list[str]]:
    model = body.get("model")
    if model != CACHE_MODEL_FAMILY:
        raise invalid(
            f"model {model!r} is invalid for context caching, use the model family name "
            f"'{CACHE_MODEL_FAMILY}'"
        )
    messages = check_messages(body.get("messages"), None, allow_cache=False, allow_partial=False)
    tools = check_tools(body.get("tools")) or []
    declared = tool_names(tools)
    for message in messages:
        for call in message.get("tool_calls") or []:
            if call["function"]["name"] not in declared:
                raise invalid(f"tool {call['function']['name']!r} is not defined in tools")
    tags = body.get("tags") or []
    if not isinstance(tags, list):
        raise invalid("tags must be a list of strings")
    now = store.now()
    tokens = count_prompt(messages, tools)
    if tokens > MAX_CACHE_TOKENS:
        raise invalid(f"a context cache can hold at most {MAX_CACHE_TOKENS} tokens, got {tokens}")
    entry = CacheEntry(
        id=new_cache_id(),
        created_at=int(now),
        expired_at=check_expiry(body, now) or int(now) + MAX_TTL,
        ready_at=now,
        tokens=tokens,
        messages=messages,
        tools=tools,
        name=_text(body, "name", MAX_NAME),
        description=_text(body, "description", MAX_DESCRIPTION),
        metadata=check_metadata(body.get("metadata")),
    )
    return entry, [check_tag(tag) for tag in tags]


def _limit_order(request: Request) -> tuple[int, str]:
    raw_limit = request.query.get("limit", "20")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 1000:
        raise invalid("limit must be an integer in [1, 1000]")
    order = request.query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise invalid("order must be 'asc' or 'desc'")
    return int(raw_limit), order


class CachingApi:
    """Handlers bound to one simulator state."""

    def __init__(self, state: SimState) -> None:
        self.state = state
        self.store = state.caches

    def _cache(self, entry: CacheEntry) -> Response:
        return json_response(entry.to_json(self.store.now()))

    def create(self, request: Request, _: dict[str, str]) -> Response:
        """POST /v1/caching."""
        entry, tags = _new_cache(json_body(request), self.store)
        self.store.add(entry)
        for tag in tags:
            self.store.bind_tag(tag, entry.id)
        return self._cache(entry)

    def list(self, request: Request, _: dict[str, str]) -> Response:
        """GET /v1/caching with limit/order/after/before and metadata[key]=value filters."""
        limit, order = _limit_order(request)
        wanted = {}
        for key, value in request.query_items:
            match = _METADATA_QUERY.match(key)
            if match:
                wanted[match.group(1)] = value
        caches = [
            entry
            for entry in self.store.caches()
            if all(entry.metadata.get(k) == v for k, v in wanted.items())
        ]
        chosen = page(
            caches,
            lambda entry: entry.id,
            limit=limit,
            order=order,
            after=request.query.get("after"),
            before=request.query.get("before"),
        )
        now = self.store.now()
        return json_response({"object": "list", "data": [e.to_json(now) for e in chosen]})

    def get(self, _: Request, params: dict[str, str]) -> Response:
        """GET /v1/caching/{id}."""
        return self._cache(self.store.get(params["cache_id"]))

    def update(self, request: Request, params: dict[str, str]) -> Response:
        """PUT /v1/caching/{id}: metadata and/or ttl / expired_at; back to pending."""
        entry = self.store.get(params["cache_id"])
        body = json_body(request)
        expired_at = check_expiry(body, self.store.now())
        if "metadata" in body:
            entry.metadata = check_metadata(body["metadata"])
        if expired_at is not None:
            entry.expired_at = expired_at
        self.store.mark_updated(entry)
        return self._cache(entry)

    def delete(self, _: Request, params: dict[str, str]) -> Response:
        """DELETE /v1/caching/{id}."""
        self.store.delete(params["cache_id"])
        body = {"deleted": True, "id": params["cache_id"], "object": "context_cache_object.deleted"}
        return json_response(body)

    def create_tag(self, request: Request, _: dict[str, str]) -> Response:
        """POST /v1/caching/refs/tags."""
        body = json_body(request)
        tag = check_tag(body.get("tag"))
        cache_id = body.get("cache_id")
        if not isinstance(cache_id, str) or not cache_id:
            raise invalid("cache_id is required")
        return json_response(self.store.bind_tag(tag, cache_id).to_json(self.state.user_id))

    def list_tags(self, request: Request, _: dict[str, str]) -> Response:
        """GET /v1/caching/refs/tags."""
        limit, order = _limit_order(request)
        chosen = page(
            self.store.tags(),
            lambda entry: entry.tag,
            limit=limit,
            order=order,
            after=request.query.get("after"),
            before=request.query.get("before"),
        )
        data = [entry.to_json(self.state.user_id) for entry in chosen]
        return json_response({"object": "list", "data": data})

    def get_tag(self, _: Request, params: dict[str, str]) -> Response:
        """GET /v1/caching/refs/tags/{tag}."""
        return json_response(self.store.tag(params["tag"]).to_json(self.state.user_id))

    def delete_tag(self, _: Request, params: dict[str, str]) -> Response:
        """DELETE /v1/caching/refs/tags/{tag}: always succeeds."""
        self.store.delete_tag(params["tag"])
        body = {"deleted": True, "object": "cache_object.tag.deleted", "tag": params["tag"]}
        return json_response(body)

    def tag_content(self, _: Request, params: dict[str, str]) -> Response:
        """GET /v1/caching/refs/tags/{tag}/content: the tagged cache."""
        return self._cache(self.store.get(self.store.tag(params["tag"]).cache_id))


def caching_routes(state: SimState) -> list[Route]:
    """Routes served by this module."""
    api = CachingApi(state)
    return [
        Route("POST", "/v1/caching", api.create),
        Route("GET", "/v1/caching", api.list),
        Route("POST", "/v1/caching/refs/tags", api.create_tag),
        Route("GET", "/v1/caching/refs/tags", api.list_tags),
        Route("GET", "/v1/caching/refs/tags/{tag}", api.get_tag),
        Route("DELETE", "/v1/caching/refs/tags/{tag}", api.delete_tag),
        Route("GET", "/v1/caching/refs/tags/{tag}/content", api.tag_content),
        Route("GET", "/v1/caching/{cache_id}", api.get),
        Route("PUT", "/v1/caching/{cache_id}", api.update),
        Route("DELETE", "/v1/caching/{cache_id}", api.delete),
    ]
