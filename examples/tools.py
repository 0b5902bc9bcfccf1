"""Tool calling with plain Python functions: the schema comes from type hints and docstrings,
and `run_tools` runs the call-tool-reply loop. Uses Kimi when MOONSHOT_API_KEY is set,
otherwise the local Kimi simulator."""

from __future__ import annotations

import json
import sys
from typing import Literal

from demo import kimi_client

from onesdk import run_tool_calls, run_tools, tool_from_function

MODEL = "kimi-k2-turbo-preview"


def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> str:
    """The current weather in a city.

    Args:
        city: The city name, e.g. Beijing.
        unit: The temperature unit.
    """
    return f"Sunny and 24 degrees {unit} in {city}"


def main() -> int:
    weather = tool_from_function(get_weather)
    print("== The tool definition sent to the model")
    print(json.dumps(weather, indent=2))

    question = [{"role": "user", "content": "Beijing"}]
    with kimi_client() as sdk:
        print("\n== One round by hand")
        response = sdk.generate(MODEL, question, tools=[weather])
        for call in response.message.tool_calls or []:
            print(f"model calls {call.function.name}({call.function.arguments}) [id {call.id}]")
        replies = run_tool_calls(response.message, [get_weather])
        answer = sdk.generate(MODEL, [*question, response.message, *replies], tools=[weather])
        print("answer:", answer.text)

        print("\n== Streaming: tool-call deltas are assembled into whole calls")
        with sdk.stream_generate(MODEL, question, tools=[weather]) as stream:
            final = stream.final_response()
        call = (final.message.tool_calls or [])[0]
        print(f"streamed call: {call.function.name} {call.function.arguments}")
        print(f"finish_reason: {final.choices[0].finish_reason}")

        print("\n== The whole loop: run_tools")
        response = run_tools(sdk, MODEL, question, [get_weather])
        print("answer:", response.text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
