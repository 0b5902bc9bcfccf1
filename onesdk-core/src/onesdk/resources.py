"""Models of provider-side resources beyond chat: context caches, cache tags, files, balance.

Like the chat models they keep unknown fields and answer ``obj["key"]``.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .types import HasHeaders, OneModel

__all__ = ["Balance", "Cache", "CacheError", "CacheTag", "Deleted", "FileObject"]

#: Cache operations a provider may offer (see ``Provider.capabilities``).
CACHE_OPERATIONS = frozenset(
    {
        "create_cache",
        "list_caches",
        "get_cache",
        "update_cache",
        "delete_cache",
        "create_cache_tag",
        "list_cache_tags",
        "get_cache_tag",
        "get_cache_tag_content",
        "delete_cache_tag",
    }
)
FILE_OPERATIONS = frozenset(
    {
        "upload_file",
        "list_files",
        "get_file",
        "get_file_content",
        "delete_file",
    }
)


class CacheError(OneModel):
    type: str | None = None
    message: str | None = None


class Cache(HasHeaders):
    """A context cache: stored messages (and tools) a chat call can reuse by id."""

    id: str
    status: str = "pending"
    object: str = "context_cache_object"
    created_at: int = 0
    expired_at: int | None = None
    tokens: int = 0
    model: str = ""
    messages: list[dict[str, Any]] = Field(default_factory=list)
    tools: list[dict[str, Any]] | None = None
    name: str | None = None
    description: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    error: CacheError | None = None

    @property
    def ready(self) -> bool:
        return self.status == "ready"


class CacheTag(HasHeaders):
    """A name bound to a cache, usable instead of its id."""

    tag: str
    cache_id: str
    object: str = "cache_object.tag"
    owned_by: str | None = None
    created_at: int = 0


class Deleted(HasHeaders):
    """The answer to a delete: which object, and that it is gone."""

    id: str | None = None
    object: str = ""
    deleted: bool = True


class FileObject(HasHeaders):
    """An uploaded file."""

    id: str
    object: str = "file"
    bytes: int = 0
    created_at: int = 0
    filename: str = ""
    purpose: str = ""
    status: str | None = None
    status_details: str | None = None


class Balance(HasHeaders):
    """Account balance (CNY on Kimi's .cn host, USD on .ai)."""

    available_balance: float
    voucher_balance: float = 0.0
    cash_balance: float = 0.0
