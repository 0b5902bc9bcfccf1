"""Endpoints under `/v1/batches`: create, list, get, cancel; lines run through the chat handler.

Each input line is answered by `chat_api.chat_completions`, so results equal what chat returns.
The result-line shape is OpenAI's (Kimi does not document it): `{"id", "custom_id",
"response": {"status_code", "request_id", "body"}, "error"}`.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from .app import Route
from .batch_store import BatchEntry, BatchStore
from .cache_store import page
from .caching_api import check_metadata
from .chat_api import chat_completions
from .chat_params import json_body
from .clock import new_object_id
from .errors import ApiError, bad_request, invalid
from .file_store import FileEntry
from .http_types import Request, Response, dumps, json_response, new_request_id, parse_json
from .state import SimState

ENDPOINT = "/v1/chat/completions"
BATCH_MODELS = ("kimi-k2.5", "kimi-k2.6")
FIXED_SAMPLING = ("temperature", "top_p", "n", "presence_penalty", "frequency_penalty")
MIN_WINDOW, MAX_WINDOW = 12 * 3600, 7 * 24 * 3600
_WINDOW = re.compile(r"^([1-9][0-9]*)([hd])$")


def window_seconds(value: Any) -> int:
    """`"12h"`..`"7d"` in seconds, or 400."""
    match = _WINDOW.match(value) if isinstance(value, str) else None
    seconds = int(match.group(1)) * (86400 if match.group(2) == "d" else 3600) if match else 0
    if not MIN_WINDOW <= seconds <= MAX_WINDOW:
        raise invalid(
            f"completion_window must be like '24h' or '3d', between 12h and 7d, got {value!r}"
        )
    return seconds


def _line(number: int, raw: bytes, seen: set[str]) -> tuple[str, dict[str, Any]]:
    value, error = parse_json(raw)
    if error is not None or not isinstance(value, dict):
        raise invalid(f"line {number} of the input file is not a JSON object")
    custom_id = value.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        raise invalid(f"line {number}: custom_id is required and must be a non-empty string")
    if custom_id in seen:
        raise invalid(f"line {number}: duplicate custom_id {custom_id!r}")
    seen.add(custom_id)
    if value.get("method") != "POST":
        raise invalid(f"line {number}: method must be 'POST'")
    if value.get("url") != ENDPOINT:
        raise invalid(f"line {number}: url must be {ENDPOINT!r}")
    body = value.get("body")
    if not isinstance(body, dict):
        raise invalid(f"line {number}: body is required and must be an object")
    if body.get("model") not in BATCH_MODELS:
        raise invalid(
            f"line {number}: model {body.get('model')!r} is not supported by the Batch API, "
            f"use one of {', '.join(BATCH_MODELS)}"
        )
    fixed = [name for name in FIXED_SAMPLING if name in body]
    if fixed:
        raise invalid(f"line {number}: {', '.join(fixed)} must not be set for {body['model']}")
    if body.get("stream"):
        raise invalid(f"line {number}: stream is not supported in batches")
    return custom_id, body


def parse_input(data: bytes) -> list[tuple[str, dict[str, Any]]]:
    """The lines of a batch input file, or 400 naming the first bad one."""
    seen: set[str] = set()
    lines = [
        _line(number, raw, seen) for number, raw in enumerate(data.split(b"\n"), 1) if raw.strip()
    ]
    if not lines:
        raise invalid("the input file has no requests")
    models = {body["model"] for _, body in lines}
    if len(models) > 1:
        raise invalid(
            f"all requests in a batch must use the same model, found {', '.join(sorted(models))}"
        )
    return lines


class BatchesApi:
    """Batch handlers bound to one simulator state."""

    def __init__(self, state: SimState) -> None:
        self.state = state
        self.store: BatchStore = state.batches

    def run_line(self, custom_id: str, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """One line through the chat endpoint's own handler, as a result record."""
        headers = {"content-type": "application/json"}
        request = Request("POST", ENDPOINT, {}, headers, body=dumps(body), json=body)
        record: dict[str, Any] = {"id": "batch_req_" + secrets.token_hex(12)}
        record["custom_id"] = custom_id
        request_id = new_request_id()
        try:
            response = chat_completions(self.state, request)
        except ApiError as exc:
            record["response"] = {
                "status_code": exc.status,
                "request_id": request_id,
                "body": exc.body(),
            }
            record["error"] = {"code": exc.error_type, "message": exc.message}
            return record, False
        assert isinstance(response, Response)  # stream=true was refused at create
        record["response"] = {
            "status_code": response.status,
            "request_id": request_id,
            "body": json.loads(response.body),
        }
        record["error"] = None
        return record, True

    def write_file(self, batch_id: str, kind: str, data: bytes) -> str:
        """Store a result file (purpose `batch_output`) and return its id."""
        entry = FileEntry(
            id=new_object_id(self.state.clock),
            filename=f"{batch_id}_{kind}.jsonl",
            purpose="batch_output",
            data=data,
            created_at=int(self.state.clock.now()),
            content_type="application/jsonl",
        )
        self.state.files.add(entry)
        return entry.id

    def _current(self, entry: BatchEntry) -> dict[str, Any]:
        self.store.advance(entry, self.run_line, self.write_file)
        return entry.to_json(self.store.now())

    def create(self, request: Request, _: dict[str, str]) -> Response:
        """POST /v1/batches."""
        body = json_body(request)
        file_id = body.get("input_file_id")
        if not isinstance(file_id, str) or not file_id:
            raise invalid("input_file_id is required")
        endpoint = body.get("endpoint")
        if endpoint != ENDPOINT:
            raise invalid(f"endpoint must be {ENDPOINT!r}, got {endpoint!r}")
        seconds = window_seconds(body.get("completion_window"))
        metadata = check_metadata(body["metadata"]) if body.get("metadata") is not None else None
        upload = self.state.files.get(file_id)
        if upload.purpose != "batch":
            raise bad_request(
                f"Invalid request: file {file_id} has purpose {upload.purpose!r}; batch input "
                "files must be uploaded with purpose 'batch'"
            )
        if not upload.filename.endswith(".jsonl"):
            raise invalid(f"the input file must be a .jsonl file, got {upload.filename!r}")
        lines = parse_input(upload.data)
        entry = self.store.add(
            file_id, ENDPOINT, body["completion_window"], seconds, metadata, lines
        )
        return json_response(self._current(entry))

    def list(self, request: Request, _: dict[str, str]) -> Response:
        """GET /v1/batches?after=<id>&limit=<n>, newest first."""
        raw_limit = request.query.get("limit", "20")
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            raise invalid("limit must be an integer in [1, 100]")
        limit = int(raw_limit)
        chosen = page(
            self.store.batches(),
            lambda entry: entry.id,
            limit=limit + 1,
            order="desc",
            after=request.query.get("after"),
            before=None,
        )
        data = [self._current(entry) for entry in chosen[:limit]]
        return json_response({"object": "list", "data": data, "has_more": len(chosen) > limit})

    def get(self, _: Request, params: dict[str, str]) -> Response:
        """GET /v1/batches/{id}."""
        return json_response(self._current(self.store.get(params["batch_id"])))

    def cancel(self, _: Request, params: dict[str, str]) -> Response:
        """POST /v1/batches/{id}/cancel: cancelling now, cancelled shortly after."""
        entry = self.store.get(params["batch_id"])
        self.store.advance(entry, self.run_line, self.write_file)
        self.store.cancel(entry)
        return json_response(self._current(entry))


def batches_routes(state: SimState) -> list[Route]:
    """Routes served by this module."""
    api = BatchesApi(state)
    return [
        Route("POST", "/v1/batches", api.create),
        Route("GET", "/v1/batches", api.list),
        Route("GET", "/v1/batches/{batch_id}", api.get),
        Route("POST", "/v1/batches/{batch_id}/cancel", api.cancel),
    ]
