"""Kimi's files (``/v1/files``: upload, list, get, extracted content, delete) and balance.

Extracted text goes into chat as a system message: ``file_message`` builds it.
"""

from __future__ import annotations

import json
import mimetypes
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from onesdk.errors import InvokeBadRequestError, InvokeResponseError
from onesdk.provider import Call, Request, Response
from onesdk.resources import Balance, Deleted, FileObject

__all__ = ["PURPOSES", "FileCalls", "file_message"]

PURPOSES = ("file-extract", "image", "video", "batch")


def _bad(message: str) -> InvokeBadRequestError:
    return InvokeBadRequestError(message, provider="kimi")


def _read(
    file: str | os.PathLike[str] | bytes | IO[bytes], filename: str | None
) -> tuple[str, bytes]:
    if isinstance(file, bytes):
        if not filename:
            raise _bad("uploading bytes needs filename='name.ext'")
        return filename, file
    if isinstance(file, (str, os.PathLike)):
        path = Path(file)
        try:
            return filename or path.name, path.read_bytes()
        except OSError as exc:
            raise _bad(f"cannot read {str(path)!r}: {exc.strerror}") from None
    if hasattr(file, "read"):
        data = file.read()
        if not isinstance(data, bytes):
            raise _bad("open the file in binary mode ('rb') to upload it")
        name = filename or Path(str(getattr(file, "name", "upload"))).name
        return name, data
    raise _bad(f"file must be a path, bytes or a binary file object, got {type(file).__name__}")


def file_message(content: str, *, role: str = "system") -> dict[str, str]:
    """The message that gives a model a file's extracted text, as Kimi documents it."""
    return {"role": role, "content": content}


class FileCalls:
    """Mixed into ``KimiProvider``: file and balance operations."""

    if TYPE_CHECKING:  # provided by OpenAICompatibleProvider

        def parse_model(self, model_cls: Any, data: Any, what: str, response: Response) -> Any: ...

    def upload_file(
        self,
        file: str | os.PathLike[str] | bytes | IO[bytes],
        *,
        purpose: str = "file-extract",
        filename: str | None = None,
    ) -> Call[FileObject]:
        if purpose not in PURPOSES:
            raise _bad(f"purpose must be one of {', '.join(PURPOSES)}, got {purpose!r}")
        name, data = _read(file, filename)
        if not data:
            raise _bad(f"{name!r} is empty; Kimi refuses zero-byte files")
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        request = Request(
            "POST", "/files", files={"file": (name, data, kind)}, data={"purpose": purpose}
        )
        return Call(
            "upload_file", request, lambda r: self.parse_model(FileObject, r.json(), "file", r)
        )

    def list_files(self) -> Call[list[FileObject]]:
        def parse(response: Response) -> list[FileObject]:
            data = response.json()
            items = data.get("data") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise InvokeResponseError("malformed file list from kimi", provider="kimi")
            return [self.parse_model(FileObject, item, "file", response) for item in items]

        return Call("list_files", Request("GET", "/files"), parse)

    def get_file(self, file_id: str) -> Call[FileObject]:
        return Call(
            "get_file",
            Request("GET", f"/files/{_file_id(file_id)}"),
            lambda r: self.parse_model(FileObject, r.json(), "file", r),
        )

    def get_file_content(self, file_id: str) -> Call[str]:
        """The extracted text (Kimi wraps it in a JSON document; this unwraps it)."""

        def parse(response: Response) -> str:
            text = response.content.decode("utf-8", "replace")
            try:
                doc = json.loads(text)
            except ValueError:
                return text
            return str(doc.get("content", text)) if isinstance(doc, dict) else text

        return Call(
            "get_file_content", Request("GET", f"/files/{_file_id(file_id)}/content"), parse
        )

    def delete_file(self, file_id: str) -> Call[Deleted]:
        return Call(
            "delete_file",
            Request("DELETE", f"/files/{_file_id(file_id)}"),
            lambda r: self.parse_model(Deleted, r.json(), "delete", r),
        )

    def get_balance(self) -> Call[Balance]:
        def parse(response: Response) -> Balance:
            body = response.json()
            data = body.get("data") if isinstance(body, dict) else None
            result: Balance = self.parse_model(Balance, data, "balance", response)
            return result

        return Call("get_balance", Request("GET", "/users/me/balance"), parse)


def _file_id(value: Any) -> str:
    if not isinstance(value, str) or not value or "/" in value:
        raise _bad(f"file id must be a non-empty id string, got {value!r}")
    return value
