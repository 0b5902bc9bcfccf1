"""Client methods for provider resources: context caches, cache tags, files and balance.

Mixed into ``OneSDK`` (sync) and ``AsyncOneSDK``; each checks the capability, then runs it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Any

from .errors import InvokeBadRequestError, InvokeTimeoutError
from .messages import prepare_messages
from .resources import (
    Balance,
    Batch,
    Cache,
    CacheTag,
    Deleted,
    FileObject,
)
from .waiting import Poll, async_sleep

__all__ = ["AsyncResourceMethods", "ResourceMethods"]

BATCH_INPUT_NAME = "batch-input.jsonl"
ProgressCallback = Callable[[Batch], None]


class _Shared:
    provider: Any

    if TYPE_CHECKING:  # defined by the clients

        @property
        def model(self) -> str | None: ...

        def _require(self, operation: str) -> Any: ...

    def _cache_messages(self, messages: Any) -> list[Any]:
        roles = self.provider.roles - {"cache"}
        return prepare_messages(messages, roles, self.provider.name)

    def _settled(self, cache: Cache) -> bool:
        if cache.status == "error":
            reason = cache.error.message if cache.error else "no reason given"
            raise InvokeBadRequestError(
                f"context cache {cache.id} failed: {reason}",
                provider=self.provider.name,
                error_type="cache_error",
            )
        return cache.status != "pending"

    def _too_slow(self, cache: Cache, timeout: float) -> InvokeTimeoutError:
        return InvokeTimeoutError(
            f"context cache {cache.id} is still pending after {timeout:g}s; "
            "pass a larger wait_timeout, or wait=False and poll get_cache()",
            provider=self.provider.name,
            retryable=False,
        )


class ResourceMethods(_Shared):
    """Cache, file and balance methods of the sync client."""

    if TYPE_CHECKING:  # defined by OneSDK

        def invoke(self, operation: str, *args: Any, **kwargs: Any) -> Any: ...

    def create_cache(
        self,
        model: str,
        messages: Any,
        *,
        name: str | None = None,
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
        tools: list[dict[str, Any]] | None = None,
        ttl: int | None = None,
        expired_at: int | None = None,
        tags: list[str] | None = None,
        wait: bool = True,
        wait_timeout: float = 120.0,
    ) -> Cache:
        """Store ``messages`` (and ``tools``) as a context cache; by default wait until ready."""
        cache: Cache = self.invoke(
            "create_cache",
            model,
            self._cache_messages(messages),
            name=name,
            description=description,
            metadata=metadata,
            tools=tools,
            ttl=ttl,
            expired_at=expired_at,
            tags=tags,
        )
        return self.wait_for_cache(cache, wait_timeout) if wait else cache

    def wait_for_cache(self, cache: Cache, timeout: float = 120.0) -> Cache:
        """Poll until ``cache`` leaves ``pending``; raise if it failed or took too long."""
        poll = Poll(timeout)
        while not self._settled(cache):
            if poll.expired():
                raise self._too_slow(cache, timeout)
            time.sleep(poll.next_delay())
            cache = self.get_cache(cache.id)
        return cache

    def list_caches(
        self,
        *,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> list[Cache]:
        """Caches, newest first by default; filter by ``metadata`` equality."""
        result: list[Cache] = self.invoke(
            "list_caches", limit=limit, order=order, after=after, before=before, metadata=metadata
        )
        return result

    def get_cache(self, cache_id: str) -> Cache:
        result: Cache = self.invoke("get_cache", cache_id)
        return result

    def update_cache(
        self,
        cache_id: str,
        *,
        metadata: Mapping[str, str] | None = None,
        ttl: int | None = None,
        expired_at: int | None = None,
    ) -> Cache:
        """Change a cache's metadata or expiry."""
        result: Cache = self.invoke(
            "update_cache", cache_id, metadata=metadata, ttl=ttl, expired_at=expired_at
        )
        return result

    def delete_cache(self, cache_id: str) -> Deleted:
        result: Deleted = self.invoke("delete_cache", cache_id)
        return result

    def create_cache_tag(self, tag: str, cache_id: str) -> CacheTag:
        result: CacheTag = self.invoke("create_cache_tag", tag, cache_id)
        return result

    def list_cache_tags(self, **paging: Any) -> list[CacheTag]:
        result: list[CacheTag] = self.invoke("list_cache_tags", **paging)
        return result

    def get_cache_tag(self, tag: str) -> CacheTag:
        result: CacheTag = self.invoke("get_cache_tag", tag)
        return result

    def get_cache_tag_content(self, tag: str) -> Cache:
        result: Cache = self.invoke("get_cache_tag_content", tag)
        return result

    def delete_cache_tag(self, tag: str) -> Deleted:
        result: Deleted = self.invoke("delete_cache_tag", tag)
        return result

    def upload_file(
        self, file: Any, *, purpose: str = "file-extract", filename: str | None = None
    ) -> FileObject:
        """Upload a path, bytes (with ``filename``) or binary file object."""
        result: FileObject = self.invoke("upload_file", file, purpose=purpose, filename=filename)
        return result

    def list_files(self) -> list[FileObject]:
        result: list[FileObject] = self.invoke("list_files")
        return result

    def get_file(self, file_id: str) -> FileObject:
        result: FileObject = self.invoke("get_file", file_id)
        return result

    def get_file_content(self, file_id: str) -> str:
        """The text the provider extracted from the file."""
        result: str = self.invoke("get_file_content", file_id)
        return result

    def delete_file(self, file_id: str) -> Deleted:
        result: Deleted = self.invoke("delete_file", file_id)
        return result

    def get_balance(self) -> Balance:
        result: Balance = self.invoke("get_balance")
        return result


class AsyncResourceMethods(_Shared):
    """The same methods for the async client, awaited."""

    if TYPE_CHECKING:  # defined by AsyncOneSDK

        async def invoke(self, operation: str, *args: Any, **kwargs: Any) -> Any: ...

    async def create_cache(
        self,
        model: str,
        messages: Any,
        *,
        name: str | None = None,
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
        tools: list[dict[str, Any]] | None = None,
        ttl: int | None = None,
        expired_at: int | None = None,
        tags: list[str] | None = None,
        wait: bool = True,
        wait_timeout: float = 120.0,
    ) -> Cache:
        cache: Cache = await self.invoke(
            "create_cache",
            model,
            self._cache_messages(messages),
            name=name,
            description=description,
            metadata=metadata,
            tools=tools,
            ttl=ttl,
            expired_at=expired_at,
            tags=tags,
        )
        return await self.wait_for_cache(cache, wait_timeout) if wait else cache

    async def wait_for_cache(self, cache: Cache, timeout: float = 120.0) -> Cache:
        poll = Poll(timeout)
        while not self._settled(cache):
            if poll.expired():
                raise self._too_slow(cache, timeout)
            await async_sleep(poll.next_delay())
            cache = await self.get_cache(cache.id)
        return cache

    async def list_caches(
        self,
        *,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> list[Cache]:
        result: list[Cache] = await self.invoke(
            "list_caches", limit=limit, order=order, after=after, before=before, metadata=metadata
        )
        return result

    async def get_cache(self, cache_id: str) -> Cache:
        result: Cache = await self.invoke("get_cache", cache_id)
        return result

    async def update_cache(
        self,
        cache_id: str,
        *,
        metadata: Mapping[str, str] | None = None,
        ttl: int | None = None,
        expired_at: int | None = None,
    ) -> Cache:
        result: Cache = await self.invoke(
            "update_cache", cache_id, metadata=metadata, ttl=ttl, expired_at=expired_at
        )
        return result

    async def delete_cache(self, cache_id: str) -> Deleted:
        result: Deleted = await self.invoke("delete_cache", cache_id)
        return result

    async def create_cache_tag(self, tag: str, cache_id: str) -> CacheTag:
        result: CacheTag = await self.invoke("create_cache_tag", tag, cache_id)
        return result

    async def list_cache_tags(self, **paging: Any) -> list[CacheTag]:
        result: list[CacheTag] = await self.invoke("list_cache_tags", **paging)
        return result

    async def get_cache_tag(self, tag: str) -> CacheTag:
        result: CacheTag = await self.invoke("get_cache_tag", tag)
        return result

    async def get_cache_tag_content(self, tag: str) -> Cache:
        result: Cache = await self.invoke("get_cache_tag_content", tag)
        return result

    async def delete_cache_tag(self, tag: str) -> Deleted:
        result: Deleted = await self.invoke("delete_cache_tag", tag)
        return result

    async def upload_file(
        self,
        file: str | bytes | IO[bytes],
        *,
        purpose: str = "file-extract",
        filename: str | None = None,
    ) -> FileObject:
        result: FileObject = await self.invoke(
            "upload_file", file, purpose=purpose, filename=filename
        )
        return result

    async def list_files(self) -> list[FileObject]:
        result: list[FileObject] = await self.invoke("list_files")
        return result

    async def get_file(self, file_id: str) -> FileObject:
        result: FileObject = await self.invoke("get_file", file_id)
        return result

    async def get_file_content(self, file_id: str) -> str:
        result: str = await self.invoke("get_file_content", file_id)
        return result

    async def delete_file(self, file_id: str) -> Deleted:
        result: Deleted = await self.invoke("delete_file", file_id)
        return result

    async def get_balance(self) -> Balance:
        result: Balance = await self.invoke("get_balance")
        return result
