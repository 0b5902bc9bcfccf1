"""Kimi's Batch API (``/v1/batches``) as sans-I/O calls, plus the JSONL it reads and writes.

Input lines and the create body follow Kimi's docs; the result-line shape is inferred (below).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from onesdk.errors import InvokeBadRequestError, InvokeError, InvokeResponseError
from onesdk.provider import Call, Request, Response
from onesdk.resources import Batch, BatchError, BatchList, BatchResult
from onesdk.types import ChatResponse, Message, remember_prefill, remember_response

from .caching import _check_id, _check_metadata

__all__ = [
    "BATCH_ENDPOINT",
    "BATCH_MODELS",
    "BatchCalls",
    "check_completion_window",
]

#: The only endpoint Kimi batches run.
BATCH_ENDPOINT = "/v1/chat/completions"
#: Models Kimi's Batch API accepts (all lines of one file use the same one).
BATCH_MODELS = ("kimi-k2.5", "kimi-k2.6")
#: Sampling parameters Kimi fixes for the batch models: bodies must not set them.
FIXED_SAMPLING = ("temperature", "top_p", "n", "presence_penalty", "frequency_penalty")
MAX_FILE_BYTES = 100 * 1024 * 1024
_WINDOW = re.compile(r"^([1-9][0-9]*)([hd])$")
_MIN_WINDOW_H, _MAX_WINDOW_H = 12, 7 * 24


def _bad(message: str) -> InvokeBadRequestError:
    return InvokeBadRequestError(message, provider="kimi")


def check_completion_window(value: Any) -> str:
    """``"<n>h"`` or ``"<n>d"``, from 12 hours to 7 days (``"24h"``, ``"1d"``, ``"3d"``)."""
    match = _WINDOW.match(value) if isinstance(value, str) else None
    hours = int(match.group(1)) * (24 if match.group(2) == "d" else 1) if match else 0
    if not _MIN_WINDOW_H <= hours <= _MAX_WINDOW_H:
        raise _bad(
            f"completion_window must be hours or days such as '24h' or '3d', from 12h to 7d; "
            f"got {value!r}"
        )
    return str(value)


def _prefill(request: Mapping[str, Any] | None) -> str | None:
    """Partial mode: the assistant prefix an input line ends with (see ``partial_prefix``)."""
    body = request.get("body") if isinstance(request, Mapping) else None
    messages = body.get("messages") if isinstance(body, Mapping) else None
    last = messages[-1] if isinstance(messages, list) and messages else None
    if not isinstance(last, Mapping) or last.get("role") != "assistant" or not last.get("partial"):
        return None
    try:
        return Message.model_validate(last).text
    except ValueError:  # pydantic's ValidationError; the input line is not ours to judge
        return None


def _check_line_body(custom_id: str, body: Mapping[str, Any]) -> str:
    model = body.get("model")
    if model not in BATCH_MODELS:
        raise _bad(
            f"request {custom_id!r}: Kimi batches run {' or '.join(BATCH_MODELS)}, not {model!r}"
        )
    fixed = [name for name in FIXED_SAMPLING if body.get(name) is not None]
    if fixed:
        raise _bad(
            f"request {custom_id!r}: {', '.join(fixed)} must not be set in batch requests "
            f"for {model} (its sampling is fixed)"
        )
    if body.get("stream"):
        raise _bad(f"request {custom_id!r}: batch requests cannot stream")
    return str(model)


class BatchCalls:
    """Mixed into ``KimiProvider``: batch operations and the batch JSONL formats."""

    name: ClassVar[str]
    chat_path: ClassVar[str]

    if TYPE_CHECKING:  # provided by OpenAICompatibleProvider

        def parse_model(self, model_cls: Any, data: Any, what: str, response: Response) -> Any: ...

        def parse_chat(self, response: Response) -> ChatResponse: ...

        def error_from_body(
            self, body: Mapping[str, Any], status: int | None, request_id: str | None
        ) -> InvokeError: ...

    # --- input --------------------------------------------------------------------------------

    def batch_input(
        self,
        requests: Sequence[tuple[str, Request]],
        *,
        completion_window: str = "24h",
        metadata: Mapping[str, str] | None = None,
    ) -> bytes:
        """The JSONL input file for ``(custom_id, chat request)`` pairs, checked before upload.

        Each request is what ``generate`` would send; every line must name the same batch
        model and leave its fixed sampling parameters unset.
        """
        check_completion_window(completion_window)
        if metadata is not None:
            _check_metadata(metadata)
        if not requests:
            raise _bad("a batch needs at least one request")
        seen: set[str] = set()
        models: dict[str, str] = {}
        lines = []
        for custom_id, request in requests:
            if not isinstance(custom_id, str) or not custom_id:
                raise _bad(f"custom_id must be a non-empty string, got {custom_id!r}")
            if custom_id in seen:
                raise _bad(f"duplicate custom_id {custom_id!r}: each request needs its own")
            seen.add(custom_id)
            if request.method != "POST" or request.path != self.chat_path:
                raise _bad(f"request {custom_id!r}: batches only run chat completions")
            model = _check_line_body(custom_id, request.json)
            models.setdefault(model, custom_id)
            if len(models) > 1:
                first, other = list(models.items())
                raise _bad(
                    f"all requests of a batch must use one model: {first[1]!r} uses "
                    f"{first[0]}, {other[1]!r} uses {other[0]}"
                )
            line = {"custom_id": custom_id, "method": "POST", "url": BATCH_ENDPOINT}
            line["body"] = request.json
            lines.append(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
        data = ("\n".join(lines) + "\n").encode("utf-8")
        if len(data) > MAX_FILE_BYTES:
            raise _bad(f"the batch file would be {len(data)} bytes; Kimi's limit is 100 MB")
        return data

    # --- calls --------------------------------------------------------------------------------

    def _batch_parser(self) -> Any:
        return lambda response: self.parse_model(Batch, response.json(), "batch", response)

    def create_batch(
        self,
        input_file_id: str,
        *,
        completion_window: str = "24h",
        metadata: Mapping[str, str] | None = None,
        endpoint: str = BATCH_ENDPOINT,
    ) -> Call[Batch]:
        """``POST /v1/batches`` for an uploaded JSONL file (purpose ``batch``)."""
        if endpoint != BATCH_ENDPOINT:
            raise _bad(f"endpoint must be {BATCH_ENDPOINT!r}, got {endpoint!r}")
        body: dict[str, Any] = {
            "input_file_id": _check_id(input_file_id, "input_file_id"),
            "endpoint": endpoint,
            "completion_window": check_completion_window(completion_window),
        }
        if metadata is not None:
            body["metadata"] = _check_metadata(metadata)
        return Call("create_batch", Request("POST", "/batches", json=body), self._batch_parser())

    def get_batch(self, batch_id: str) -> Call[Batch]:
        path = f"/batches/{_check_id(batch_id, 'batch id')}"
        return Call("get_batch", Request("GET", path), self._batch_parser())

    def cancel_batch(self, batch_id: str) -> Call[Batch]:
        """Ask Kimi to stop a validating, in-progress or finalizing batch."""
        path = f"/batches/{_check_id(batch_id, 'batch id')}/cancel"
        return Call("cancel_batch", Request("POST", path), self._batch_parser())

    def list_batches(
        self, *, after: str | None = None, limit: int | None = None
    ) -> Call[BatchList]:
        """One page, newest first; ``after`` is the last id of the previous page."""
        params: dict[str, Any] = {}
        if after is not None:
            params["after"] = _check_id(after, "after")
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
                raise _bad(f"limit must be an int from 1 to 100, got {limit!r}")
            params["limit"] = limit

        def parse(response: Response) -> BatchList:
            data = response.json()
            items = data.get("data") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise InvokeResponseError(
                    "malformed batch list from kimi: no 'data' list",
                    provider="kimi",
                    request_id=response.request_id,
                )
            batches = [self.parse_model(Batch, item, "batch", response) for item in items]
            return BatchList(batches, bool(data.get("has_more")))

        return Call("list_batches", Request("GET", "/batches", params=params), parse)

    def get_batch_file(self, file_id: str) -> Call[list[dict[str, Any]]]:
        """The JSON lines of a batch's input, output or error file."""
        path = f"/files/{_check_id(file_id, 'file id')}/content"

        def parse(response: Response) -> list[dict[str, Any]]:
            records = []
            text = response.content.decode("utf-8", "replace")
            for number, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if not isinstance(record, dict):
                    raise InvokeResponseError(
                        f"line {number} of batch file {file_id} is not a JSON object: "
                        f"{line[:100]!r}",
                        provider="kimi",
                        request_id=response.request_id,
                    )
                records.append(record)
            return records

        return Call("get_batch_file", Request("GET", path), parse)

    # --- results ------------------------------------------------------------------------------

    def parse_batch_result(
        self, record: Mapping[str, Any], request: Mapping[str, Any] | None = None
    ) -> BatchResult:
        """One line of an output or error file as a ``BatchResult``; ``request`` is its input
        line (its partial-mode prefix becomes ``response.prefill``, as with ``generate``).

        Kimi's docs do not show result lines; this reads the OpenAI-compatible shape
        ``{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}``
        (inferred), where ``body`` is a chat completion, or Kimi's error body on failure.
        """
        custom_id = record.get("custom_id")
        response = record.get("response")
        response = response if isinstance(response, Mapping) else {}
        status = response.get("status_code")
        status = status if isinstance(status, int) and not isinstance(status, bool) else None
        request_id = response.get("request_id")
        request_id = request_id if isinstance(request_id, str) else None
        body = response.get("body")
        error = record.get("error")
        result = BatchResult(
            custom_id=str(custom_id) if custom_id is not None else "",
            id=record.get("id") if isinstance(record.get("id"), str) else None,
            status_code=status,
        )
        if error is None and status is not None and 200 <= status < 300:
            raw = Response(status, {}, json.dumps(body).encode("utf-8"), request_id)
            result.response = self.parse_chat(raw)
            remember_response(result.response, result.response.headers, request_id)
            remember_prefill(result.response, _prefill(request))
            return result
        if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
            exc = self.error_from_body(body, status, request_id)
        else:
            detail = error if isinstance(error, Mapping) else {"message": str(error)}
            wrapped = {"error": {"type": detail.get("code"), "message": detail.get("message")}}
            exc = self.error_from_body(wrapped, status, request_id)
        result.error = BatchError(code=exc.error_type, message=exc.message, status_code=status)
        result._exception = exc
        return result
