"""The simulator's model catalogue: ids, context windows and capability flags.

Values follow kimi-api.md section 7; `created` dates are approximate release times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ModelInfo:
    """One chat model the simulator serves."""

    id: str
    context_length: int
    family: str
    created: int
    supports_reasoning: bool = False
    supports_image_in: bool = False
    supports_video_in: bool = False
    # Temperature used when the request omits it (matters for the n > 1 rule).
    default_temperature: float = 0.6
    # K2.5 / K2.6 accept only their fixed temperature and have a `thinking` switch.
    thinking_toggle: bool = False
    # Automatic prefix caching (`prompt_cache_key`) is a kimi-latest / K2+ feature.
    auto_cache: bool = True

    @property
    def explicit_cache(self) -> bool:
        """Whether `/v1/caching` caches can be used with this model."""
        return self.family == "moonshot-v1"

    def to_json(self) -> dict[str, Any]:
        """The `/v1/models` entry."""
        return {
            "id": self.id,
            "object": "model",
            "created": self.created,
            "owned_by": "moonshot",
            "root": self.id,
            "parent": None,
            "permission": [],
            "context_length": self.context_length,
            "supports_reasoning": self.supports_reasoning,
            "supports_image_in": self.supports_image_in,
            "supports_video_in": self.supports_video_in,
        }


def _v1(model_id: str, window: int, vision: bool = False) -> ModelInfo:
    return ModelInfo(
        model_id,
        window,
        "moonshot-v1",
        1711065600 if vision else 1698796800,
        supports_image_in=vision,
        default_temperature=0.0,
        auto_cache=False,
    )


def _k2(model_id: str, window: int, created: int, *, thinking: bool = False) -> ModelInfo:
    return ModelInfo(
        model_id,
        window,
        "kimi-k2-thinking" if thinking else "kimi-k2",
        created,
        supports_reasoning=thinking,
        default_temperature=1.0 if thinking else 0.6,
    )


def _multimodal(model_id: str, created: int) -> ModelInfo:
    return ModelInfo(
        model_id,
        262144,
        model_id,
        created,
        supports_reasoning=True,
        supports_image_in=True,
        supports_video_in=True,
        default_temperature=1.0,
        thinking_toggle=True,
    )


CATALOGUE: tuple[ModelInfo, ...] = (
    _v1("moonshot-v1-8k", 8192),
    _v1("moonshot-v1-32k", 32768),
    _v1("moonshot-v1-128k", 131072),
    _v1("moonshot-v1-auto", 131072),
    _v1("moonshot-v1-8k-vision-preview", 8192, vision=True),
    _v1("moonshot-v1-32k-vision-preview", 32768, vision=True),
    _v1("moonshot-v1-128k-vision-preview", 131072, vision=True),
    ModelInfo(
        "kimi-latest",
        131072,
        "kimi-latest",
        1739318400,
        supports_image_in=True,
        default_temperature=0.3,
    ),
    ModelInfo(
        "kimi-thinking-preview",
        131072,
        "kimi-thinking",
        1741737600,
        supports_reasoning=True,
        default_temperature=1.0,
        auto_cache=False,
    ),
    _k2("kimi-k2-0711-preview", 131072, 1752192000),
    _k2("kimi-k2-0905-preview", 262144, 1757030400),
    _k2("kimi-k2-turbo-preview", 262144, 1754006400),
    _k2("kimi-k2-thinking", 262144, 1762387200, thinking=True),
    _k2("kimi-k2-thinking-turbo", 262144, 1762387200, thinking=True),
    _multimodal("kimi-k2.5", 1769472000),
    _multimodal("kimi-k2.6", 1775001600),
)

MODELS: dict[str, ModelInfo] = {model.id: model for model in CATALOGUE}

# The family name used by `/v1/caching` (caches are created for a family, not a size).
CACHE_MODEL_FAMILY = "moonshot-v1"


def find_model(model_id: str) -> ModelInfo | None:
    """The catalogue entry for `model_id`, or None."""
    return MODELS.get(model_id)
