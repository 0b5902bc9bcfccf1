"""Models of provider-side resources beyond chat: context caches, cache tags, files, batches,
balance.

Like the chat models they keep unknown fields and answer ``obj["key"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, PrivateAttr

from .types import ChatResponse, HasHeaders, OneModel

if TYPE_CHECKING:
    from .errors import InvokeError

__all__ = [
    "Balance",
    "Batch",
    "BatchError",
    "BatchList",
    "BatchRequestCounts",
    "BatchResult",
    "Cache",
    "CacheError",
    "CacheTag",
    "Deleted",
    "FileObject",
]

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
#: Batch operations: ``get_batch_file`` downloads a batch's JSONL input, output or error file.
BATCH_OPERATIONS = frozenset(
    {
        "create_batch",
        "list_batches",
        "get_batch",
        "cancel_batch",
        "get_batch_file",
    }
)
#: Batch states that never change again.
BATCH_FINAL_STATUSES = frozenset({"completed", "failed", "expired", "cancelled"})


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


class BatchRequestCounts(OneModel):
    """How many of a batch's requests have finished, and how many of those failed."""

    completed: int = 0
    failed: int = 0
    total: int = 0


class Batch(HasHeaders):
    """A batch of chat requests run asynchronously from an uploaded JSONL file.

    ``status``: validating -> in_progress -> finalizing -> completed; or failed, expired,
    cancelling -> cancelled. Results are in ``output_file_id`` (and ``error_file_id``).
    """

    id: str
    object: str = "batch"
    endpoint: str = ""
    input_file_id: str = ""
    completion_window: str = ""
    status: str = "validating"
    created_at: int = 0
    request_counts: BatchRequestCounts = Field(default_factory=BatchRequestCounts)
    output_file_id: str | None = None
    error_file_id: str | None = None
    in_progress_at: int | None = None
    expires_at: int | None = None
    finalizing_at: int | None = None
    completed_at: int | None = None
    failed_at: int | None = None
    expired_at: int | None = None
    cancelling_at: int | None = None
    cancelled_at: int | None = None
    metadata: dict[str, str] | None = None
    errors: Any = None

    @property
    def done(self) -> bool:
        """Whether the batch reached a final state (completed, failed, expired, cancelled)."""
        return self.status in BATCH_FINAL_STATUSES


class BatchList(list[Batch]):
    """One page of batches; ``has_more`` says whether ``after=page.last_id`` finds more."""

    def __init__(self, items: list[Batch], has_more: bool = False) -> None:
        super().__init__(items)
        self.has_more = has_more

    @property
    def last_id(self) -> str | None:
        """The cursor for the next page."""
        return self[-1].id if self else None


class BatchError(OneModel):
    """Why one request of a batch failed: the provider's error code, message and status."""

    code: str | None = None
    message: str | None = None
    status_code: int | None = None


class BatchResult(OneModel):
    """One request's outcome, matched to its request by ``custom_id``.

    ``response`` is the chat completion (as ``generate`` returns it) or ``None``; ``error``
    says why not. ``raise_for_error()`` raises the ``InvokeError`` the same failure of
    ``generate`` would have raised.
    """

    custom_id: str
    id: str | None = None
    status_code: int | None = None
    response: ChatResponse | None = None
    error: BatchError | None = None
    _exception: InvokeError | None = PrivateAttr(default=None)

    @property
    def ok(self) -> bool:
        return self.response is not None and self.error is None

    @property
    def exception(self) -> InvokeError | None:
        """The error as an ``InvokeError`` subclass, ``None`` for a success."""
        return self._exception

    def raise_for_error(self) -> None:
        if self._exception is not None:
            raise self._exception
