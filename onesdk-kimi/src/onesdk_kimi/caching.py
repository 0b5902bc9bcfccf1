"""Kimi's explicit context caches and cache tags (``/v1/caching``) as sans-I/O calls.

Explicit caches belong to the moonshot-v1 family; K2 models cache prefixes automatically.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from onesdk.errors import InvokeBadRequestError, InvokeResponseError
from onesdk.provider import Call, Request, Response
from onesdk.resources import Cache, CacheTag, Deleted
from onesdk.types import Message

__all__ = ["CachingCalls", "cache_model_family"]

FAMILY = "moonshot-v1"
_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,127}$")


def _bad(message: str) -> InvokeBadRequestError:
    return InvokeBadRequestError(message, provider="kimi")


def cache_model_family(model: str) -> str:
    """What Kimi's cache API expects for ``model``: the family name ``moonshot-v1``."""
    if not isinstance(model, str):
        raise _bad(f"model must be a model id string, got {model!r}")
    if model.endswith("-vision-preview"):
        raise _bad(
            f"{model} cannot create a context cache (vision-preview models can only "
            "use one); create it with moonshot-v1-8k/32k/128k"
        )
    if model == FAMILY or model.startswith(FAMILY + "-"):
        return FAMILY
    raise _bad(
        f"explicit context caches belong to the moonshot-v1 family, not {model!r}; "
        "Kimi caches prompts of kimi-k2 and later models automatically "
        "(pass prompt_cache_key=... to generate to improve hits)"
    )


def _check_metadata(metadata: Any) -> dict[str, str]:
    if not isinstance(metadata, Mapping):
        raise _bad(f"metadata must be a dict of str to str, got {type(metadata).__name__}")
    if len(metadata) > 16:
        raise _bad(f"metadata holds at most 16 keys, got {len(metadata)}")
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise _bad(f"metadata must map str to str; {key!r}: {value!r} is not")
        if len(key) > 64 or len(value) > 512:
            raise _bad(f"metadata key {key!r}: keys are at most 64 chars, values at most 512")
    return dict(metadata)


def _check_expiry(ttl: Any, expired_at: Any) -> dict[str, int]:
    if ttl is not None and expired_at is not None:
        raise _bad("give ttl (seconds from now) or expired_at (unix time), not both")
    for name, value in (("ttl", ttl), ("expired_at", expired_at)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            raise _bad(f"{name} must be a positive whole number of seconds, got {value!r}")
    if ttl is not None:
        return {"ttl": ttl}
    if expired_at is not None:
        return {"expired_at": expired_at}
    return {}


def _check_id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or "/" in value:
        raise _bad(f"{what} must be a non-empty id string, got {value!r}")
    return value


def _check_tag(tag: Any) -> str:
    if not isinstance(tag, str) or not _TAG.match(tag):
        raise _bad(
            f"tag {tag!r} is invalid: 1-128 chars, a letter first, then letters, "
            "digits, '_', '-' or '.'"
        )
    return tag


def _paging(limit: Any, order: Any, after: Any, before: Any) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise _bad(f"limit must be a positive int, got {limit!r}")
        params["limit"] = limit
    if order is not None:
        if order not in ("asc", "desc"):
            raise _bad(f"order must be 'asc' or 'desc', got {order!r}")
        params["order"] = order
    if after is not None:
        params["after"] = after
    if before is not None:
        params["before"] = before
    return params


class CachingCalls:
    """Mixed into ``KimiProvider``: the cache and tag operations."""

    name: ClassVar[str]

    if TYPE_CHECKING:  # provided by OpenAICompatibleProvider

        def message_to_wire(self, message: Message) -> dict[str, Any]: ...

        def parse_model(self, model_cls: Any, data: Any, what: str, response: Response) -> Any: ...

    def _parse_list(self, model_cls: Any, what: str) -> Any:
        def parse(response: Response) -> list[Any]:
            data = response.json()
            items = data.get("data") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise InvokeResponseError(
                    f"malformed {what} list from kimi: no 'data' list",
                    provider="kimi",
                    request_id=response.request_id,
                )
            return [self.parse_model(model_cls, item, what, response) for item in items]

        return parse

    def _parse_one(self, model_cls: Any, what: str) -> Any:
        return lambda response: self.parse_model(model_cls, response.json(), what, response)

    def create_cache(
        self,
        model: str,
        messages: Sequence[Message],
        *,
        name: str | None = None,
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
        tools: list[dict[str, Any]] | None = None,
        ttl: int | None = None,
        expired_at: int | None = None,
        tags: list[str] | None = None,
    ) -> Call[Cache]:
        body: dict[str, Any] = {
            "model": cache_model_family(model),
            "messages": [self.message_to_wire(m) for m in messages],
        }
        if any(m.partial for m in messages):
            raise _bad("a context cache cannot hold a partial (prefill) message")
        if name is not None:
            if not isinstance(name, str) or len(name) > 256:
                raise _bad("name must be a string of at most 256 characters")
            body["name"] = name
        if description is not None:
            if not isinstance(description, str) or len(description) > 512:
                raise _bad("description must be a string of at most 512 characters")
            body["description"] = description
        if metadata is not None:
            body["metadata"] = _check_metadata(metadata)
        if tools is not None:
            if not isinstance(tools, list):
                raise _bad("tools must be a list of tool definitions")
            body["tools"] = tools
        if tags is not None:
            body["tags"] = [_check_tag(tag) for tag in tags]
        body.update(_check_expiry(ttl, expired_at))
        return Call(
            "create_cache", Request("POST", "/caching", json=body), self._parse_one(Cache, "cache")
        )

    def list_caches(
        self,
        *,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Call[list[Cache]]:
        params = _paging(limit, order, after, before)
        if metadata is not None:
            params.update({f"metadata[{k}]": v for k, v in _check_metadata(metadata).items()})
        return Call(
            "list_caches",
            Request("GET", "/caching", params=params),
            self._parse_list(Cache, "cache"),
        )

    def get_cache(self, cache_id: str) -> Call[Cache]:
        path = f"/caching/{_check_id(cache_id, 'cache id')}"
        return Call("get_cache", Request("GET", path), self._parse_one(Cache, "cache"))

    def update_cache(
        self,
        cache_id: str,
        *,
        metadata: Mapping[str, str] | None = None,
        ttl: int | None = None,
        expired_at: int | None = None,
    ) -> Call[Cache]:
        body: dict[str, Any] = _check_expiry(ttl, expired_at)
        if metadata is not None:
            body["metadata"] = _check_metadata(metadata)
        if not body:
            raise _bad("update_cache needs metadata, ttl or expired_at")
        path = f"/caching/{_check_id(cache_id, 'cache id')}"
        return Call(
            "update_cache", Request("PUT", path, json=body), self._parse_one(Cache, "cache")
        )

    def delete_cache(self, cache_id: str) -> Call[Deleted]:
        path = f"/caching/{_check_id(cache_id, 'cache id')}"
        return Call("delete_cache", Request("DELETE", path), self._parse_one(Deleted, "delete"))

    def create_cache_tag(self, tag: str, cache_id: str) -> Call[CacheTag]:
        body = {"tag": _check_tag(tag), "cache_id": _check_id(cache_id, "cache id")}
        return Call(
            "create_cache_tag",
            Request("POST", "/caching/refs/tags", json=body),
            self._parse_one(CacheTag, "cache tag"),
        )

    def list_cache_tags(
        self,
        *,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> Call[list[CacheTag]]:
        params = _paging(limit, order, after, before)
        return Call(
            "list_cache_tags",
            Request("GET", "/caching/refs/tags", params=params),
            self._parse_list(CacheTag, "cache tag"),
        )

    def get_cache_tag(self, tag: str) -> Call[CacheTag]:
        return Call(
            "get_cache_tag",
            Request("GET", f"/caching/refs/tags/{_check_tag(tag)}"),
            self._parse_one(CacheTag, "cache tag"),
        )

    def get_cache_tag_content(self, tag: str) -> Call[Cache]:
        path = f"/caching/refs/tags/{_check_tag(tag)}/content"
        return Call("get_cache_tag_content", Request("GET", path), self._parse_one(Cache, "cache"))

    def delete_cache_tag(self, tag: str) -> Call[Deleted]:
        path = f"/caching/refs/tags/{_check_tag(tag)}"
        return Call("delete_cache_tag", Request("DELETE", path), self._parse_one(Deleted, "delete"))
