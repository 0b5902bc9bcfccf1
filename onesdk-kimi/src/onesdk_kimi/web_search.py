"""Kimi's built-in ``$web_search`` tool: declare it, and echo its call's arguments back.

Kimi runs the search itself once the tool message returns the arguments unchanged (§10.5).
"""

from __future__ import annotations

from onesdk.tools import Tool

__all__ = ["WEB_SEARCH", "web_search_tool"]

#: The builtin function's name, as the model calls it.
WEB_SEARCH = "$web_search"


def echo_arguments(arguments: str) -> str:
    """What a ``$web_search`` tool message must carry: the call's arguments, unchanged."""
    return arguments


def web_search_tool() -> Tool:
    """``{"type": "builtin_function", "function": {"name": "$web_search"}}``, runnable.

    Pass it in ``tools=[...]``; ``onesdk.run_tools`` answers its calls by echoing the
    arguments, as Kimi requires, and Kimi adds the search's tokens to the next prompt.
    """
    return Tool({"type": "builtin_function", "function": {"name": WEB_SEARCH}}, run=echo_arguments)
