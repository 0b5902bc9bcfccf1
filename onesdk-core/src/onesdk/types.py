"""Message schema and response models shared by every provider (pydantic v2).

Every model keeps unknown provider fields and answers ``obj["key"]`` as well as ``obj.key``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

__all__ = [
    "AssistantMessage",
    "ChatChunk",
    "ChatResponse",
    "Choice",
    "ChunkChoice",
    "ContentPart",
    "Delta",
    "FunctionCall",
    "FunctionCallDelta",
    "HasHeaders",
    "ImagePart",
    "ImageURL",
    "Message",
    "ModelInfo",
    "OneModel",
    "OtherPart",
    "TextPart",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
    "remember_prefill",
    "remember_response",
]


class OneModel(BaseModel):
    """A pydantic model that also reads like the provider's JSON: ``obj["key"]``, ``obj.get``."""

    # defer_build: a model builds its validator on first use, not at import; a client pays
    # only for the models it touches (about 100 ms of import time otherwise).
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    # Properties that mapping access should also answer (e.g. a chunk choice's "message").
    _item_aliases: ClassVar[frozenset[str]] = frozenset()

    def _has_key(self, key: str) -> bool:
        return key in type(self).model_fields or key in self._item_aliases

    def __getitem__(self, key: str) -> Any:
        if self._has_key(key):
            return getattr(self, key)
        extra = self.__pydantic_extra__
        if extra is not None and key in extra:
            return extra[key]
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        if self._has_key(key):
            return getattr(self, key) is not None
        extra = self.__pydantic_extra__
        return extra is not None and key in extra

    def get(self, key: str, default: Any = None) -> Any:
        """Like ``dict.get``: the value, or ``default`` when absent or ``None``."""
        try:
            value = self[key]
        except KeyError:
            return default
        return default if value is None else value

    def keys(self) -> list[str]:
        """The keys present (not ``None``), provider extras included."""
        return list(self.to_dict())

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]
        # Iterating yields keys, as a dict would (pydantic's default yields pairs).
        return iter(self.keys())

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready dict, without ``None`` values."""
        return self.model_dump(mode="json", exclude_none=True)


# --- request side -------------------------------------------------------------------------


class ImageURL(OneModel):
    url: str
    detail: str | None = None


class TextPart(OneModel):
    type: Literal["text"] = "text"
    text: str


class ImagePart(OneModel):
    type: Literal["image_url"] = "image_url"
    #: ``{"url": ...}``; Kimi (2026) also accepts the URL as a bare string.
    image_url: ImageURL | str


class OtherPart(OneModel):
    """A content part of a type the core does not model (video_url, ...): kept as sent."""

    type: str


def _part_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if kind in ("text", "image_url") else "other"


ContentPart = Annotated[
    Annotated[TextPart, Tag("text")]
    | Annotated[ImagePart, Tag("image_url")]
    | Annotated[OtherPart, Tag("other")],
    Discriminator(_part_tag),
]


class FunctionCall(OneModel):
    name: str
    arguments: str = ""


class ToolCall(OneModel):
    id: str
    type: str = "function"
    function: FunctionCall
    index: int | None = None


class Message(OneModel):
    """One chat message. ``role`` is system, user, assistant or tool; providers may add roles."""

    role: str
    content: str | list[ContentPart] | None = None
    name: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None
    reasoning_content: str | None = None
    partial: bool | None = None

    @property
    def text(self) -> str:
        """The text content, parts joined; ``""`` when there is none."""
        if isinstance(self.content, str):
            return self.content
        if not self.content:
            return ""
        return "".join(part.text for part in self.content if isinstance(part, TextPart))


class AssistantMessage(Message):
    role: str = "assistant"


# --- response side ------------------------------------------------------------------------


class Usage(OneModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0

    @field_validator(
        "prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", mode="before"
    )
    @classmethod
    def _none_is_zero(cls, value: Any) -> Any:
        return 0 if value is None else value


class Choice(OneModel):
    index: int = 0
    message: AssistantMessage = Field(default_factory=AssistantMessage)
    finish_reason: str | None = None


_NO_HEADERS: Mapping[str, str] = MappingProxyType({})


class HasHeaders(OneModel):
    """A model that remembers the HTTP response it came from.

    The response facts live in plain slots, not pydantic private attributes: those cost
    about 4 µs for every model built, and a stream builds one per chunk.
    """

    __slots__ = ("_headers", "_prefill", "_request_id")

    @property
    def headers(self) -> Mapping[str, str]:
        """The HTTP response headers (lower-case names) this object came with."""
        return _slot(_HEADERS_SLOT, self, _NO_HEADERS)  # type: ignore[no-any-return]

    @property
    def request_id(self) -> str | None:
        """The provider's request id, for support tickets."""
        return _slot(_REQUEST_ID_SLOT, self, None)  # type: ignore[no-any-return]

    @property
    def prefill(self) -> str | None:
        """The assistant prefix the request ended with (partial mode), else ``None``."""
        return _slot(_PREFILL_SLOT, self, None)  # type: ignore[no-any-return]

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        state["onesdk_response"] = (self.headers, self.request_id, self.prefill)
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        headers, request_id, prefill = state.pop("onesdk_response", (_NO_HEADERS, None, None))
        super().__setstate__(state)
        remember_response(self, dict(headers), request_id)
        if prefill is not None:
            remember_prefill(self, prefill)


# Slots are read and written through their descriptors: pydantic's __getattr__ and
# __setattr__ would add about 1 µs to each access, on the per-chunk path.
_HEADERS_SLOT: Any = HasHeaders.__dict__["_headers"]
_REQUEST_ID_SLOT: Any = HasHeaders.__dict__["_request_id"]
_PREFILL_SLOT: Any = HasHeaders.__dict__["_prefill"]


def _slot(slot: Any, model: HasHeaders, default: Any) -> Any:
    try:
        return slot.__get__(model, None)
    except AttributeError:  # never set on this object
        return default


def remember_response(
    model: HasHeaders, headers: Mapping[str, str], request_id: str | None
) -> None:
    """Record the HTTP response ``model`` came from (its headers are shared, not copied)."""
    _HEADERS_SLOT.__set__(model, headers)
    _REQUEST_ID_SLOT.__set__(model, request_id)


def remember_prefill(model: HasHeaders, prefill: str | None) -> None:
    """Record the partial-mode prefix the reply continues."""
    _PREFILL_SLOT.__set__(model, prefill)


class ChatResponse(HasHeaders):
    id: str = ""
    object: str = "chat.completion"
    created: int = 0
    model: str = ""
    choices: list[Choice] = Field(default_factory=list)
    usage: Usage | None = None
    system_fingerprint: str | None = None

    @property
    def text(self) -> str:
        """The first choice's text, ``""`` when there is none."""
        return self.choices[0].message.text if self.choices else ""

    @property
    def message(self) -> AssistantMessage:
        """The first choice's message, ready to append to the conversation."""
        return self.choices[0].message if self.choices else AssistantMessage()

    @property
    def full_text(self) -> str:
        """``prefill + text``: the whole assistant turn in partial mode (the provider
        returns only the continuation), else ``text``."""
        return (self.prefill or "") + self.text


class FunctionCallDelta(OneModel):
    name: str | None = None
    arguments: str = ""

    @field_validator("arguments", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value


class ToolCallDelta(OneModel):
    index: int = 0
    id: str | None = None
    type: str | None = None
    function: FunctionCallDelta | None = None


class Delta(OneModel):
    """What one stream chunk adds. ``content`` is ``""`` when the chunk adds no text."""

    role: str | None = None
    content: str = ""
    reasoning_content: str | None = None
    tool_calls: list[ToolCallDelta] | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value


class ChunkChoice(OneModel):
    _item_aliases: ClassVar[frozenset[str]] = frozenset({"message"})

    index: int = 0
    delta: Delta = Field(default_factory=Delta)
    finish_reason: str | None = None
    usage: Usage | None = None

    @property
    def message(self) -> Delta:
        """The same object as ``delta``: ``chunk["choices"][0]["message"]["content"]`` works."""
        return self.delta


class ChatChunk(HasHeaders):
    id: str = ""
    object: str = "chat.completion.chunk"
    created: int = 0
    model: str = ""
    choices: list[ChunkChoice] = Field(default_factory=list)
    usage: Usage | None = None
    system_fingerprint: str | None = None

    @property
    def text(self) -> str:
        """The text this chunk adds to the first choice, ``""`` when none."""
        return self.choices[0].delta.content if self.choices else ""


class ModelInfo(OneModel):
    id: str
    object: str = "model"
    created: int | None = None
    owned_by: str | None = None
    context_length: int | None = None
    supports_reasoning: bool | None = None
    supports_image_in: bool | None = None
    supports_video_in: bool | None = None
