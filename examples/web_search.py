"""Kimi's built-in $web_search: declare it, and `run_tools` echoes the call's arguments back
so Kimi runs the search and answers. Uses Kimi when MOONSHOT_API_KEY is set, otherwise the
local Kimi simulator."""

from __future__ import annotations

import json
import sys

from demo import kimi_client

from onesdk import run_tools
from onesdk_kimi import web_search_tool

MODEL = "moonshot-v1-auto"  # Kimi suggests -auto: token counts jump with search results


def main() -> int:
    question = [{"role": "user", "content": "What is new with Kimi this week?"}]
    with kimi_client() as sdk:
        print("== The model asks for a search")
        first = sdk.generate(MODEL, question, tools=[web_search_tool()])
        for call in first.message.tool_calls or []:
            arguments = json.loads(call.function.arguments)
            tokens = arguments.get("usage", {}).get("total_tokens")
            print(f"{call.function.name} call {call.id}: search costs {tokens} prompt tokens")

        print("\n== run_tools sends the arguments back unchanged; Kimi answers")
        answer = run_tools(sdk, MODEL, question, [web_search_tool()])
        print(answer.text)
        if answer.usage is not None:
            print(f"[prompt tokens incl. search results: {answer.usage.prompt_tokens}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
