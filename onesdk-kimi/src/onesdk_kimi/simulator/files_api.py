"""Endpoints under `/v1/files`: multipart upload, list, get, extracted content, delete.

"Extraction" decodes the bytes as UTF-8 (errors replaced); that is exact for text files.
"""

from __future__ import annotations

import mimetypes

from .app import Route
from .clock import new_object_id
from .errors import bad_request, invalid
from .file_store import FileEntry
from .http_types import Request, Response, json_response
from .multipart import MultipartError, parse_multipart
from .state import SimState

PURPOSES = ("file-extract", "image", "video", "batch")


def _file_type(filename: str, declared: str | None) -> str:
    if declared and declared != "application/octet-stream":
        return declared.split(";")[0].strip()
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


class FilesApi:
    """File handlers bound to one simulator state."""

    def __init__(self, state: SimState) -> None:
        self.state = state
        self.store = state.files

    def upload(self, request: Request, _: dict[str, str]) -> Response:
        """POST /v1/files with multipart fields `file` and `purpose`."""
        try:
            parts = parse_multipart(request.body, request.headers.get("content-type", ""))
        except MultipartError as exc:
            raise invalid(f"the upload must be multipart/form-data: {exc}") from None
        fields = {part.name: part for part in parts}
        purpose_part = fields.get("purpose")
        purpose = purpose_part.data.decode("utf-8", "replace") if purpose_part else ""
        if purpose not in PURPOSES:
            accepted = ", ".join(f"'{p}'" for p in PURPOSES)
            raise bad_request(f"Invalid purpose: {purpose!r}, only {accepted} accepted")
        upload = fields.get("file")
        if upload is None or upload.filename is None:
            raise invalid("the multipart field 'file' with a filename is required")
        if not upload.data:
            raise bad_request("File size is zero, please upload a non-empty file")
        if len(upload.data) > self.store.max_bytes:
            megabytes = self.store.max_bytes // (1024 * 1024)
            raise bad_request(
                f"File size is too large, max file size is {megabytes}MB, "
                "please confirm and re-upload the file"
            )
        if len(self.store.files) >= self.store.max_files:
            raise bad_request(
                f"You have exceeded the max file count {self.store.max_files}, "
                "please delete some files and try again"
            )
        entry = FileEntry(
            id=new_object_id(self.state.clock),
            filename=upload.filename,
            purpose=purpose,
            data=upload.data,
            created_at=int(self.state.clock.now()),
            content_type=_file_type(upload.filename, upload.content_type),
        )
        self.store.add(entry)
        return json_response(entry.to_json())

    def list(self, _: Request, __: dict[str, str]) -> Response:
        """GET /v1/files, in upload order."""
        data = [entry.to_json() for entry in self.store.files.values()]
        return json_response({"object": "list", "data": data})

    def get(self, _: Request, params: dict[str, str]) -> Response:
        """GET /v1/files/{id}."""
        return json_response(self.store.get(params["file_id"]).to_json())

    def content(self, _: Request, params: dict[str, str]) -> Response:
        """GET /v1/files/{id}/content: extraction JSON (raw bytes for batch files)."""
        entry = self.store.get(params["file_id"])
        if entry.purpose in ("image", "video"):
            raise invalid(f"file content is not available for files with purpose {entry.purpose}")
        if entry.purpose in ("batch", "batch_output"):
            return Response(200, entry.data, {"Content-Type": "application/octet-stream"})
        return json_response(
            {
                "content": entry.data.decode("utf-8", "replace"),
                "file_type": entry.content_type,
                "filename": entry.filename,
                "title": "",
                "type": "file",
            }
        )

    def delete(self, _: Request, params: dict[str, str]) -> Response:
        """DELETE /v1/files/{id}."""
        self.store.delete(params["file_id"])
        return json_response({"id": params["file_id"], "object": "file", "deleted": True})


def files_routes(state: SimState) -> list[Route]:
    """Routes served by this module."""
    api = FilesApi(state)
    return [
        Route("POST", "/v1/files", api.upload),
        Route("GET", "/v1/files", api.list),
        Route("GET", "/v1/files/{file_id}", api.get),
        Route("GET", "/v1/files/{file_id}/content", api.content),
        Route("DELETE", "/v1/files/{file_id}", api.delete),
    ]
