"""Content-part builders for multimodal messages: ``image_part`` from a URL, file or bytes.

Local images become base64 ``data:`` URLs, the form vision models accept everywhere.
"""

from __future__ import annotations

import base64
import mimetypes
import os
from pathlib import Path

from .errors import InvokeBadRequestError
from .types import ImagePart, ImageURL

__all__ = ["image_part"]

#: URL schemes passed through as they are (``ms://`` is Kimi's uploaded-file reference).
_URL_PREFIXES = ("http://", "https://", "data:", "ms://")

# Leading bytes of the image formats vision APIs take.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


def _sniff(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, mime in _MAGIC if data.startswith(magic)), None)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvokeBadRequestError(
            f"cannot read image {str(path)!r}: {exc.strerror or exc}"
        ) from None


def image_part(
    image: str | os.PathLike[str] | bytes, mime: str | None = None, *, detail: str | None = None
) -> ImagePart:
    """An ``image_url`` content part for a vision model.

    ``image`` is a URL (``https://``, ``data:``, ``ms://``), a local file path, or the image
    bytes; files and bytes are sent inline as ``data:<mime>;base64,...``. ``mime`` defaults
    to what the file name or the bytes say (PNG, JPEG, GIF, WebP, BMP).
    """
    if isinstance(image, str) and image.startswith(_URL_PREFIXES):
        return ImagePart(image_url=ImageURL(url=image, detail=detail))
    if isinstance(image, (bytes, bytearray, memoryview)):
        data, name = bytes(image), None
    elif isinstance(image, (str, os.PathLike)):
        path = Path(image)
        data, name = _read(path), path.name
    else:
        raise InvokeBadRequestError(
            f"image must be a URL, a file path or bytes, got {type(image).__name__}"
        )
    if mime is None:
        guessed = mimetypes.guess_type(name)[0] if name else None
        mime = guessed if guessed and guessed.startswith("image/") else _sniff(data)
    if mime is None:
        raise InvokeBadRequestError(
            "cannot tell the image type; pass mime='image/png' (or the right type)"
        )
    url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return ImagePart(image_url=ImageURL(url=url, detail=detail))
