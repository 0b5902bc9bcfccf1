"""The plugin contract: pluggy hook specifications, the only place it is defined.

An implementation takes any subset of its hook's arguments; misspelt hooks are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from typing import Any

    from .errors import InvokeError
    from .provider import Provider, Request, Response
    from .types import ChatResponse, Usage

PROJECT_NAME = "onesdk"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def onesdk_register_providers(register: Callable[[type[Provider]], None]) -> None:
    """Register provider classes in-process: call ``register(ProviderClass)`` for each."""


@hookspec
def onesdk_before_request(provider: str, operation: str, request: Request) -> None:
    """Called before each attempt is sent. ``request`` carries no credentials."""


@hookspec
def onesdk_after_response(
    provider: str, operation: str, response: Response, elapsed: float
) -> None:
    """Called after a successful response (for streams: when headers arrive)."""


@hookspec
def onesdk_on_response(
    provider: str,
    operation: str,
    request: Request,
    response: Response,
    result: Any,
    elapsed: float,
    retries: int,
) -> None:
    """Called once per successful call that is not a stream, with its parsed ``result``.

    ``elapsed`` covers the whole call (every attempt and wait); ``retries`` counts the retries.
    """


@hookspec
def onesdk_on_error(
    provider: str,
    operation: str,
    error: InvokeError,
    request: Request,
    elapsed: float,
    retries: int,
) -> None:
    """Called when an operation fails for good (after ``retries`` retries, ``elapsed`` in all)."""


@hookspec
def onesdk_on_retry(
    provider: str, operation: str, error: InvokeError, attempt: int, delay: float
) -> None:
    """Called before sleeping ``delay`` seconds ahead of retry number ``attempt``."""


@hookspec
def onesdk_on_stream_end(
    provider: str,
    operation: str,
    response: ChatResponse,
    usage: Usage | None,
    request: Request,
    elapsed: float,
    retries: int,
) -> None:
    """Called when a stream ends at its end marker, with the accumulated response.

    ``elapsed`` runs from the first attempt to the end marker; a stream closed early is not told.
    """


def hook_names() -> list[str]:
    """Names of every hook in the contract."""
    return sorted(
        name for name, value in globals().items() if name.startswith("onesdk_") and callable(value)
    )
