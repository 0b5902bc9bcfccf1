"""Client methods for batch jobs: submit many chat requests at once, wait, read results.

Mixed into ``OneSDK`` (sync) and ``AsyncOneSDK``; requests are checked like ``generate``'s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import InvokeBadRequestError, InvokeError, InvokeNotFoundError, InvokeTimeoutError
from .messages import prepare_messages
from .resources import Batch, BatchError, BatchList, BatchResult
from .waiting import Poll, async_sleep

__all__ = ["AsyncBatchMethods", "BatchMethods"]

BATCH_INPUT_NAME = "batch-input.jsonl"
ProgressCallback = Callable[[Batch], None]


class _BatchShared:
    provider: Any

    if TYPE_CHECKING:  # defined by the clients

        @property
        def model(self) -> str | None: ...

        def _require(self, operation: str) -> Any: ...

    def _batch_request(self, index: int, item: Any, model: str | None) -> tuple[str, Any]:
        """``(custom_id, the chat Request generate would send)`` for one batch request."""
        where = f"requests[{index}]"
        name = self.provider.name
        params: dict[str, Any] = {}
        custom_id: Any = None
        if isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str):
            custom_id, messages = item
        elif isinstance(item, (tuple, list)):  # just the conversation
            messages = item
        elif isinstance(item, Mapping):
            params = dict(item)
            custom_id = params.pop("custom_id", None)
            if "body" in params:  # a line in the provider's own JSONL shape
                params.pop("method", None)
                params.pop("url", None)
                body = params.pop("body")
                if not isinstance(body, Mapping):
                    raise InvokeBadRequestError(f"{where}.body must be a dict", provider=name)
                params.update(body)
            messages = params.pop("messages", None)
            model = params.pop("model", None) or model
        else:
            raise InvokeBadRequestError(
                f"{where} must be a dict with 'messages' (and optional 'custom_id' and chat "
                f"parameters), a (custom_id, messages) pair or a list of messages, got "
                f"{type(item).__name__}",
                provider=name,
            )
        if custom_id is None:
            custom_id = f"request-{index + 1}"
        if not isinstance(custom_id, str) or not custom_id:
            raise InvokeBadRequestError(
                f"{where}: custom_id must be a non-empty string, got {custom_id!r}", provider=name
            )
        if not model or not isinstance(model, str):
            raise InvokeBadRequestError(
                f"{where}: no model: pass create_batch(..., model='model-id') or give the "
                "request a 'model'",
                provider=name,
            )
        try:
            prepared = prepare_messages(messages, self.provider.roles, name)
            call = self.provider.generate(model, prepared, params)
        except InvokeBadRequestError as exc:
            raise InvokeBadRequestError(
                f"{where} ({custom_id}): {exc.message}", provider=name
            ) from None
        return custom_id, call.request

    def _batch_input(
        self,
        requests: Any,
        model: str | None,
        completion_window: str,
        metadata: Mapping[str, str] | None,
    ) -> bytes:
        self._require("create_batch")
        if isinstance(requests, (str, bytes, Mapping)) or not isinstance(requests, Sequence):
            raise InvokeBadRequestError(
                "requests must be a list of {'messages': [...], ...} dicts or "
                f"(custom_id, messages) pairs, got {type(requests).__name__}",
                provider=self.provider.name,
            )
        if not requests:
            raise InvokeBadRequestError(
                "a batch needs at least one request", provider=self.provider.name
            )
        model = model or self.model
        pairs = [self._batch_request(i, item, model) for i, item in enumerate(requests)]
        data: bytes = self.provider.batch_input(
            pairs, completion_window=completion_window, metadata=metadata
        )
        return data

    def _batch_id(self, batch: Batch | str) -> str:
        return batch.id if isinstance(batch, Batch) else batch

    def _batch_settled(self, batch: Batch) -> bool:
        if batch.status == "failed":
            raise InvokeBadRequestError(
                f"batch {batch.id} failed: {batch.errors or 'no reason given'}",
                provider=self.provider.name,
                error_type="batch_failed",
            )
        return batch.done

    def _batch_too_slow(self, batch: Batch, timeout: float) -> InvokeTimeoutError:
        counts = batch.request_counts
        return InvokeTimeoutError(
            f"batch {batch.id} is still {batch.status} after {timeout:g}s "
            f"({counts.completed + counts.failed}/{counts.total} done); wait longer or poll "
            "get_batch()",
            provider=self.provider.name,
            retryable=False,
        )

    def _results_ready(self, batch: Batch) -> None:
        if not batch.done:
            raise InvokeBadRequestError(
                f"batch {batch.id} is {batch.status}; its results exist once it is completed, "
                "expired or cancelled: call wait_for_batch() first",
                provider=self.provider.name,
            )

    def _map_results(
        self, batch: Batch, inputs: list[dict[str, Any]], records: list[dict[str, Any]]
    ) -> list[BatchResult]:
        """Results in input order; a request without a result line gets an error result."""
        requests = {str(line.get("custom_id")): line for line in inputs}
        found: dict[str, BatchResult] = {}
        for record in records:
            request = requests.get(str(record.get("custom_id")))
            result: BatchResult = self.provider.parse_batch_result(record, request)
            found.setdefault(result.custom_id, result)
        ordered: list[BatchResult] = []
        reason = {"cancelled": "batch_cancelled", "expired": "batch_expired"}
        for line in inputs:
            custom_id = str(line.get("custom_id"))
            match = found.pop(custom_id, None)
            if match is not None:
                result = match
            else:
                code = reason.get(batch.status, "missing_result")
                message = f"no result for {custom_id!r}: batch {batch.id} is {batch.status}"
                result = BatchResult(
                    custom_id=custom_id, error=BatchError(code=code, message=message)
                )
                result._exception = InvokeError(
                    message, provider=self.provider.name, error_type=code
                )
            ordered.append(result)
        return ordered + list(found.values())


class BatchMethods(_BatchShared):
    """Batch methods of the sync client."""

    if TYPE_CHECKING:  # defined by OneSDK and ResourceMethods

        def invoke(self, operation: str, *args: Any, **kwargs: Any) -> Any: ...

        def upload_file(
            self, file: Any, *, purpose: str = ..., filename: str | None = ...
        ) -> Any: ...

    def create_batch(
        self,
        requests: Sequence[Any],
        *,
        model: str | None = None,
        completion_window: str = "24h",
        metadata: Mapping[str, str] | None = None,
    ) -> Batch:
        """Run chat requests as a batch: check them all, upload them as JSONL, create it.

        ``requests``: dicts ``{"custom_id"?, "model"?, "messages": [...], **chat params}``,
        ``(custom_id, messages)`` pairs or bare message lists (lines in the provider's own
        JSONL shape work too); ids default to ``request-<n>`` (1-based). Each is checked as
        ``generate`` checks it, before anything is sent.
        """
        data = self._batch_input(requests, model, completion_window, metadata)
        uploaded = self.upload_file(data, purpose="batch", filename=BATCH_INPUT_NAME)
        result: Batch = self.invoke(
            "create_batch", uploaded.id, completion_window=completion_window, metadata=metadata
        )
        return result

    def get_batch(self, batch_id: str) -> Batch:
        result: Batch = self.invoke("get_batch", batch_id)
        return result

    def list_batches(self, *, after: str | None = None, limit: int | None = None) -> BatchList:
        """One page of batches, newest first; ``.has_more`` and ``.last_id`` for the next."""
        result: BatchList = self.invoke("list_batches", after=after, limit=limit)
        return result

    def cancel_batch(self, batch_id: str) -> Batch:
        """Stop a batch; it goes ``cancelling``, then ``cancelled`` (finished results stay)."""
        result: Batch = self.invoke("cancel_batch", batch_id)
        return result

    def wait_for_batch(
        self,
        batch: Batch | str,
        *,
        timeout: float | None = None,
        poll_interval: float = 5.0,
        on_progress: ProgressCallback | None = None,
    ) -> Batch:
        """Poll until the batch is completed, expired or cancelled (raise if it failed).

        ``on_progress(batch)`` sees every polled state; ``timeout=None`` waits as long as
        the batch's completion window allows.
        """
        poll = Poll(timeout, cap=poll_interval)
        current = batch if isinstance(batch, Batch) else self.get_batch(batch)
        while True:
            if on_progress is not None:
                on_progress(current)
            if self._batch_settled(current):
                return current
            if poll.expired():
                raise self._batch_too_slow(current, timeout or 0.0)
            time.sleep(poll.next_delay())
            current = self.get_batch(current.id)

    def batch_results(self, batch: Batch | str) -> list[BatchResult]:
        """Each request's outcome, in input order, from the output and error files."""
        current = batch if isinstance(batch, Batch) and batch.done else None
        current = current or self.get_batch(self._batch_id(batch))
        self._results_ready(current)
        try:
            inputs: list[dict[str, Any]] = self.invoke("get_batch_file", current.input_file_id)
        except InvokeNotFoundError:  # input file deleted: results in file order
            inputs = []
        records: list[dict[str, Any]] = []
        for file_id in (current.output_file_id, current.error_file_id):
            if file_id:
                records.extend(self.invoke("get_batch_file", file_id))
        return self._map_results(current, inputs, records)


class AsyncBatchMethods(_BatchShared):
    """Batch methods of the async client, awaited."""

    if TYPE_CHECKING:  # defined by AsyncOneSDK and AsyncResourceMethods

        async def invoke(self, operation: str, *args: Any, **kwargs: Any) -> Any: ...

        async def upload_file(
            self, file: Any, *, purpose: str = ..., filename: str | None = ...
        ) -> Any: ...

    async def create_batch(
        self,
        requests: Sequence[Any],
        *,
        model: str | None = None,
        completion_window: str = "24h",
        metadata: Mapping[str, str] | None = None,
    ) -> Batch:
        data = self._batch_input(requests, model, completion_window, metadata)
        uploaded = await self.upload_file(data, purpose="batch", filename=BATCH_INPUT_NAME)
        result: Batch = await self.invoke(
            "create_batch", uploaded.id, completion_window=completion_window, metadata=metadata
        )
        return result

    async def get_batch(self, batch_id: str) -> Batch:
        result: Batch = await self.invoke("get_batch", batch_id)
        return result

    async def list_batches(
        self, *, after: str | None = None, limit: int | None = None
    ) -> BatchList:
        result: BatchList = await self.invoke("list_batches", after=after, limit=limit)
        return result

    async def cancel_batch(self, batch_id: str) -> Batch:
        result: Batch = await self.invoke("cancel_batch", batch_id)
        return result

    async def wait_for_batch(
        self,
        batch: Batch | str,
        *,
        timeout: float | None = None,
        poll_interval: float = 5.0,
        on_progress: ProgressCallback | None = None,
    ) -> Batch:
        poll = Poll(timeout, cap=poll_interval)
        current = batch if isinstance(batch, Batch) else await self.get_batch(batch)
        while True:
            if on_progress is not None:
                on_progress(current)
            if self._batch_settled(current):
                return current
            if poll.expired():
                raise self._batch_too_slow(current, timeout or 0.0)
            await async_sleep(poll.next_delay())
            current = await self.get_batch(current.id)

    async def batch_results(self, batch: Batch | str) -> list[BatchResult]:
        current = batch if isinstance(batch, Batch) and batch.done else None
        current = current or await self.get_batch(self._batch_id(batch))
        self._results_ready(current)
        try:
            inputs: list[dict[str, Any]] = await self.invoke(
                "get_batch_file", current.input_file_id
            )
        except InvokeNotFoundError:  # input file deleted: results in file order
            inputs = []
        records: list[dict[str, Any]] = []
        for file_id in (current.output_file_id, current.error_file_id):
            if file_id:
                records.extend(await self.invoke("get_batch_file", file_id))
        return self._map_results(current, inputs, records)
