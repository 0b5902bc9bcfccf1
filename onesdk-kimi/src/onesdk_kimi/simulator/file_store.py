"""Uploaded files of the simulated account, with Kimi's size and count limits.

Bytes are kept in memory; ids are xid-style like Kimi's (e.g. `clg681objj8g9m7n4je0`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import not_found

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_FILES = 1000


@dataclass
class FileEntry:
    """One uploaded file."""

    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: int
    content_type: str

    def to_json(self) -> dict[str, Any]:
        """The FileObject body."""
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.data),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "ok",
            "status_details": "",
        }


class FileStore:
    """Files by id, in upload order."""

    def __init__(self) -> None:
        self.files: dict[str, FileEntry] = {}
        self.max_bytes = MAX_FILE_BYTES
        self.max_files = MAX_FILES

    def add(self, entry: FileEntry) -> None:
        """Store an uploaded file."""
        self.files[entry.id] = entry

    def get(self, file_id: str) -> FileEntry:
        """The file, or 404."""
        entry = self.files.get(file_id)
        if entry is None:
            raise not_found(f"Not found the file {file_id}")
        return entry

    def delete(self, file_id: str) -> None:
        """Remove a file (404 if unknown)."""
        self.get(file_id)
        del self.files[file_id]
