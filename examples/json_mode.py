"""JSON mode, stop strings and several choices, with Kimi's parameter ranges checked before
anything is sent. Uses Kimi when MOONSHOT_API_KEY is set, otherwise the local simulator."""

from __future__ import annotations

import json
import sys

from demo import kimi_client

from onesdk import InvokeBadRequestError

MODEL = "kimi-k2-turbo-preview"


def main() -> int:
    messages = [
        {"role": "system", "content": 'Reply with a JSON object: {"reply": "<answer>"}.'},
        {"role": "user", "content": "Name one primary color."},
    ]
    with kimi_client() as sdk:
        print("== JSON mode")
        response = sdk.generate(MODEL, messages, response_format={"type": "json_object"})
        print("parsed:", json.loads(response.text))

        print("\n== stop and n")
        response = sdk.generate(MODEL, messages, n=2, temperature=0.7, max_tokens=50)
        for choice in response.choices:
            print(f"choice {choice.index}: {choice.message.content!r} ({choice.finish_reason})")
        cut = sdk.generate(MODEL, messages, stop=["primary"])
        print(f"stopped before 'primary': {cut.text!r}")

        print("\n== Out-of-range values fail before any request")
        try:
            sdk.generate(MODEL, messages, temperature=1.5)
        except InvokeBadRequestError as exc:
            print(f"InvokeBadRequestError: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
