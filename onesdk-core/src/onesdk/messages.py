"""Checks a conversation before any network call and turns it into ``Message`` objects.

Messages may be dicts or ``Message``; every mistake is an ``InvokeBadRequestError`` saying where.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from .errors import InvokeBadRequestError
from .types import Message

__all__ = ["prepare_messages"]

_EXAMPLE = "[{'role': 'user', 'content': 'Hello'}]"


def _where(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ()) if not str(part).startswith("function-")]
    # Drop the union branch names pydantic adds ("str", "list[...]", tag names).
    keep = [
        p
        for p in loc
        if not (
            p in ("str", "text", "image_url", "other") or p.startswith(("list[", "tagged-union"))
        )
    ]
    return ".".join(keep)


def _one(index: int, item: Any, roles: frozenset[str], provider: str | None) -> Message:
    if isinstance(item, Message):
        message = item
    elif isinstance(item, dict):
        if "role" not in item:
            raise InvokeBadRequestError(
                f"messages[{index}] has no 'role'; give one of {', '.join(sorted(roles))}",
                provider=provider,
            )
        try:
            message = Message.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = _where(dict(first))
            raise InvokeBadRequestError(
                f"messages[{index}].{field}: {first['msg']} (got {first.get('input')!r:.80})",
                provider=provider,
            ) from None
    else:
        raise InvokeBadRequestError(
            f"messages[{index}] must be a dict or onesdk.Message, got {type(item).__name__}; "
            f"for example {_EXAMPLE}",
            provider=provider,
        )
    if message.role not in roles:
        raise InvokeBadRequestError(
            f"messages[{index}] has role {message.role!r}; "
            f"{provider or 'this provider'} accepts {', '.join(sorted(roles))}",
            provider=provider,
        )
    if message.role in ("user", "system") and not message.content:
        raise InvokeBadRequestError(
            f"messages[{index}] ({message.role}) has empty content; give it some text",
            provider=provider,
        )
    return message


def prepare_messages(
    messages: Any, roles: frozenset[str], provider: str | None = None
) -> list[Message]:
    """Validated messages, or an ``InvokeBadRequestError`` naming the first problem."""
    if messages is None:
        raise InvokeBadRequestError(
            f"messages are required, for example {_EXAMPLE}", provider=provider
        )
    if isinstance(messages, (str, bytes, dict, Message)) or not isinstance(messages, Iterable):
        raise InvokeBadRequestError(
            f"messages must be a list of messages such as {_EXAMPLE}, "
            f"got {type(messages).__name__}",
            provider=provider,
        )
    items: Sequence[Any] = messages if isinstance(messages, Sequence) else list(messages)
    if not items:
        raise InvokeBadRequestError(
            f"messages is empty; give at least one, for example {_EXAMPLE}", provider=provider
        )
    return [_one(i, item, roles, provider) for i, item in enumerate(items)]
