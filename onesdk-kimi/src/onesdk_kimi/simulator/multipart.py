"""A small `multipart/form-data` body parser for file uploads.

Part headers are read with the stdlib email parser, which handles quoting and RFC 2231 names.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message


class MultipartError(ValueError):
    """The body is not valid multipart/form-data."""


@dataclass(frozen=True)
class Part:
    """One form field; `filename` is set for file fields."""

    name: str
    data: bytes
    filename: str | None = None
    content_type: str | None = None


def boundary_of(content_type: str) -> str:
    """The boundary parameter of a multipart/form-data Content-Type."""
    message = Message()
    message["content-type"] = content_type
    boundary = message.get_param("boundary")
    if message.get_content_type() != "multipart/form-data" or not isinstance(boundary, str):
        raise MultipartError("expected multipart/form-data with a boundary")
    return boundary


def _header_param(message: Message, header: str, name: str) -> str | None:
    value = message.get_param(name, header=header)
    if value is None:
        return None
    # get_param returns a (charset, language, value) triple for RFC 2231 parameters.
    return str(value[2]) if isinstance(value, tuple) else str(value)


def parse_multipart(body: bytes, content_type: str) -> list[Part]:
    """Split a multipart/form-data body into its parts."""
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    sections = body.split(delimiter)
    if len(sections) < 3 or not sections[-1].startswith(b"--"):
        raise MultipartError("missing closing boundary")
    parts = []
    for section in sections[1:-1]:
        if not section.startswith(b"\r\n") or not section.endswith(b"\r\n"):
            raise MultipartError("malformed part framing")
        raw_headers, sep, data = section[2:-2].partition(b"\r\n\r\n")
        if not sep:
            raise MultipartError("part without a header block")
        message = Message()
        for line in raw_headers.decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon:
                message[key.strip()] = value.strip()
        name = _header_param(message, "content-disposition", "name")
        if name is None:
            raise MultipartError("part without a name")
        filename = _header_param(message, "content-disposition", "filename")
        content = message.get("content-type")
        parts.append(Part(name, data, filename, str(content) if content else None))
    return parts
