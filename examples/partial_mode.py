"""Partial mode: end the conversation with an assistant prefix (`partial: True`) and Kimi
continues it. `response.text` is the continuation Kimi sends; `response.full_text` adds the
prefix. Uses Kimi when MOONSHOT_API_KEY is set, otherwise the local simulator."""

from __future__ import annotations

import sys

from demo import kimi_client

MODEL = "kimi-k2-turbo-preview"


def main() -> int:
    messages = [
        {"role": "user", "content": "Write one line about the sea."},
        {"role": "assistant", "content": "You said: Write", "partial": True},
    ]
    with kimi_client() as sdk:
        response = sdk.generate(MODEL, messages, max_tokens=100)
        print(f"prefill:      {response.prefill!r}")
        print(f"continuation: {response.text!r}")
        print(f"full text:    {response.full_text!r}")

        with sdk.stream_generate(MODEL, messages, max_tokens=100) as stream:
            for chunk in stream:
                print(chunk.text, end="", flush=True)
            print()
            print(f"streamed full text: {stream.final_response().full_text!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
