"""Reasoning models: `reasoning_content` arrives before the answer, in its own field, both
in responses and in streams. Uses Kimi when MOONSHOT_API_KEY is set, otherwise the local
simulator."""

from __future__ import annotations

import sys

from demo import kimi_client

MODEL = "kimi-k2-thinking"


def main() -> int:
    messages = [{"role": "user", "content": "Is 97 a prime number?"}]
    with kimi_client() as sdk:
        print("== Stream: reasoning first, then the answer")
        with sdk.stream_generate(MODEL, messages, max_tokens=16000) as stream:
            section = None
            for chunk in stream:
                delta = chunk.choices[0].delta if chunk.choices else None
                if delta is None:
                    continue
                if delta.reasoning_content:
                    if section != "reasoning":
                        section = "reasoning"
                        print("[reasoning] ", end="")
                    print(delta.reasoning_content, end="", flush=True)
                if delta.content:
                    if section != "answer":
                        section = "answer"
                        print("\n[answer] ", end="")
                    print(delta.content, end="", flush=True)
            final = stream.final_response()
        print()
        print(f"[usage: {final.usage}]")

        print("\n== Non-stream: the same fields on the message")
        response = sdk.generate(MODEL, messages, max_tokens=16000)
        print("reasoning:", response.message.reasoning_content)
        print("answer:   ", response.text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
