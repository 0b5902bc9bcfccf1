"""OneSDK: one typed API over many LLM providers, each a plugin found at runtime.

The public names, nothing else. They load on first use, so ``import onesdk`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import errors as _errors

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .client import AsyncOneSDK, OneSDK
    from .content import image_part
    from .errors import (
        InvokeAuthorizationError,
        InvokeBadRequestError,
        InvokeConfigError,
        InvokeConnectionError,
        InvokeContentFilterError,
        InvokeContextLengthError,
        InvokeError,
        InvokeModelNotFoundError,
        InvokeNotFoundError,
        InvokeQuotaExceededError,
        InvokeRateLimitError,
        InvokeResponseError,
        InvokeServerUnavailableError,
        InvokeTimeoutError,
        InvokeUnsupportedError,
    )
    from .hookspecs import hookimpl
    from .provider import Call, Provider, ProviderSettings, Request, Response, StreamCall
    from .registry import (
        get_plugin,
        list_providers,
        register_plugin,
        register_provider,
        unregister_plugin,
        unregister_provider,
    )
    from .resources import (
        Balance,
        Batch,
        BatchError,
        BatchList,
        BatchRequestCounts,
        BatchResult,
        Cache,
        CacheTag,
        Deleted,
        FileObject,
    )
    from .streaming import AsyncStream, Stream
    from .tools import Tool, arun_tools, run_tool_calls, run_tools, tool_from_function
    from .types import (
        ChatChunk,
        ChatResponse,
        Choice,
        ChunkChoice,
        Delta,
        FunctionCall,
        ImagePart,
        Message,
        ModelInfo,
        TextPart,
        ToolCall,
        Usage,
    )

_EXPORTS: dict[str, str] = {
    "OneSDK": "client",
    "AsyncOneSDK": "client",
    "Stream": "streaming",
    "AsyncStream": "streaming",
    "hookimpl": "hookspecs",
    "image_part": "content",
    "Tool": "tools",
    "arun_tools": "tools",
    "run_tool_calls": "tools",
    "run_tools": "tools",
    "tool_from_function": "tools",
    "Call": "provider",
    "Provider": "provider",
    "ProviderSettings": "provider",
    "Request": "provider",
    "Response": "provider",
    "StreamCall": "provider",
    "Balance": "resources",
    "Batch": "resources",
    "BatchError": "resources",
    "BatchList": "resources",
    "BatchRequestCounts": "resources",
    "BatchResult": "resources",
    "Cache": "resources",
    "CacheTag": "resources",
    "Deleted": "resources",
    "FileObject": "resources",
    "get_plugin": "registry",
    "list_providers": "registry",
    "register_provider": "registry",
    "unregister_provider": "registry",
    "register_plugin": "registry",
    "unregister_plugin": "registry",
    # errors.py is import-light (no third-party imports): its own __all__ is the list.
    **dict.fromkeys(_errors.__all__, "errors"),
    **dict.fromkeys(
        (
            "ChatChunk",
            "ChatResponse",
            "Choice",
            "ChunkChoice",
            "Delta",
            "FunctionCall",
            "ImagePart",
            "Message",
            "ModelInfo",
            "TextPart",
            "ToolCall",
            "Usage",
        ),
        "types",
    ),
}

__all__ = [
    "AsyncOneSDK",
    "AsyncStream",
    "Balance",
    "Batch",
    "BatchError",
    "BatchList",
    "BatchRequestCounts",
    "BatchResult",
    "Cache",
    "CacheTag",
    "Call",
    "ChatChunk",
    "ChatResponse",
    "Choice",
    "ChunkChoice",
    "Deleted",
    "Delta",
    "FileObject",
    "FunctionCall",
    "ImagePart",
    "InvokeAuthorizationError",
    "InvokeBadRequestError",
    "InvokeConfigError",
    "InvokeConnectionError",
    "InvokeContentFilterError",
    "InvokeContextLengthError",
    "InvokeError",
    "InvokeModelNotFoundError",
    "InvokeNotFoundError",
    "InvokeQuotaExceededError",
    "InvokeRateLimitError",
    "InvokeResponseError",
    "InvokeServerUnavailableError",
    "InvokeTimeoutError",
    "InvokeUnsupportedError",
    "Message",
    "ModelInfo",
    "OneSDK",
    "Provider",
    "ProviderSettings",
    "Request",
    "Response",
    "Stream",
    "StreamCall",
    "TextPart",
    "Tool",
    "ToolCall",
    "Usage",
    "__version__",
    "arun_tools",
    "get_plugin",
    "hookimpl",
    "image_part",
    "list_providers",
    "register_plugin",
    "register_provider",
    "run_tool_calls",
    "run_tools",
    "tool_from_function",
    "unregister_plugin",
    "unregister_provider",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'onesdk' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return __all__
