"""The whole Kimi feature set in one run: against Kimi when MOONSHOT_API_KEY is set,
otherwise against the local Kimi simulator (no key, no network)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import sys
from collections.abc import Iterator

from onesdk import Batch, InvokeError, OneSDK, image_part, run_tools

CHAT_MODEL = "kimi-k2-turbo-preview"
# A 1x1 PNG standing in for your picture.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def get_weather(city: str) -> str:
    """The current weather in a city.

    Args:
        city: The city name, e.g. Beijing.
    """
    return f"Sunny and 24 degrees in {city}"


def show_progress(batch: Batch) -> None:
    counts = batch.request_counts
    done = f"{counts.completed}/{counts.total}" if counts else "?"
    print(f"\r  {batch.status:<12} {done} done", end="", flush=True)


@contextlib.contextmanager
def kimi_client() -> Iterator[OneSDK]:
    if os.environ.get("MOONSHOT_API_KEY"):
        print("Using Kimi at", os.environ.get("MOONSHOT_BASE_URL", "https://api.moonshot.cn/v1"))
        with OneSDK("kimi") as sdk:
            yield sdk
        return
    from onesdk_kimi.simulator import KimiSimulator

    with KimiSimulator() as sim:
        print(f"MOONSHOT_API_KEY is not set: using the local Kimi simulator at {sim.base_url}")
        with OneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url}) as sdk:
            yield sdk


def main() -> int:
    model = os.environ.get("ONESDK_DEMO_MODEL", "moonshot-v1-8k")
    messages = [{"role": "user", "content": "Explain the concept of blockchain technology."}]
    with kimi_client() as sdk:
        print(f"\n== Models ({len(sdk.list_models())} available)")
        print(", ".join(m.id for m in sdk.list_models()[:6]), "...")

        print(f"\n== Generate ({model})")
        response = sdk.generate(model, messages, max_tokens=200)
        print(response["choices"][0]["message"]["content"])
        print(f"[usage: {response.usage}; request id {response.request_id}]")

        print("\n== Stream")
        with sdk.stream_generate(model, messages, max_tokens=200) as stream:
            for chunk in stream:
                print(chunk["choices"][0]["message"]["content"], end="", flush=True)
            final = stream.final_response()
        print(f"\n[finish_reason: {final.choices[0].finish_reason}; usage: {final.usage}]")

        print("\n== Count tokens")
        print(f"Token count: {sdk.count_tokens(model, messages)}")

        print("\n== Context caching (moonshot-v1 family)")
        cache_model = "moonshot-v1-32k"
        handbook = [
            {
                "role": "system",
                "content": "You are Kimi. The team handbook: "
                "deploys happen on Tuesdays; on-call rotates weekly; the build uses uv.",
            }
        ]
        cache = sdk.create_cache(
            cache_model, handbook, name="My Context", description="A sample context", ttl=600
        )
        print(f"created {cache['id']} ({cache.status}, {cache.tokens} tokens)")
        print(f"caches listed: {len(sdk.list_caches())}")
        question = [{"role": "user", "content": "When do deploys happen?"}]
        response = sdk.generate(cache_model, question, context_id=cache["id"])
        print(response.text)
        usage = response.usage
        print(
            f"[cached tokens: {usage.cached_tokens if usage else 0} of "
            f"{usage.prompt_tokens if usage else 0} prompt tokens]"
        )
        updated = sdk.update_cache(cache["id"], metadata={"key": "value"})
        print(f"updated metadata: {updated.metadata}")
        print(f"deleted: {sdk.delete_cache(cache['id']).deleted}")

        print("\n== Tools: plain Python functions, the whole call-tool-reply loop")
        answer = run_tools(sdk, CHAT_MODEL, [{"role": "user", "content": "Beijing"}], [get_weather])
        print(answer.text)

        print("\n== JSON mode")
        reply = sdk.generate(
            CHAT_MODEL,
            [{"role": "user", "content": "Reply in JSON"}],
            response_format={"type": "json_object"},
        )
        print(json.loads(reply.text))

        print("\n== Partial mode (assistant prefill)")
        prefilled = sdk.generate(
            CHAT_MODEL,
            [
                {"role": "user", "content": "Write one line about the sea."},
                {"role": "assistant", "content": "You said: Write", "partial": True},
            ],
            max_tokens=50,
        )
        print(f"prefill {prefilled.prefill!r} + continuation {prefilled.text!r}")

        print("\n== Reasoning model: reasoning_content streams as its own field")
        with sdk.stream_generate(
            "kimi-k2-thinking", [{"role": "user", "content": "Is 97 prime?"}], max_tokens=200
        ) as stream:
            thought = stream.final_response().message
        print(f"reasoning: {thought.reasoning_content!r}\nanswer:    {thought.content!r}")

        print("\n== Vision: an image from local bytes")
        seen = sdk.generate(
            "moonshot-v1-8k-vision-preview",
            [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Describe this image."},
                        image_part(PIXEL, mime="image/png"),
                    ],
                }
            ],
        )
        print(seen.text)

        print("\n== Files and balance")
        uploaded = sdk.upload_file(b"Deploys happen on Tuesdays.", filename="handbook.txt")
        print(f"uploaded {uploaded.id}; extracted: {sdk.get_file_content(uploaded.id)!r}")
        sdk.delete_file(uploaded.id)
        print(f"available balance: {sdk.get_balance().available_balance}")

        print("\n== Batch: many requests, one job")
        batch = sdk.create_batch(
            [[{"role": "user", "content": f"Classify item {i}"}] for i in range(3)],
            model="kimi-k2.5",
        )
        batch = sdk.wait_for_batch(batch, poll_interval=0.05, on_progress=show_progress)
        print()
        for result in sdk.batch_results(batch):
            print(
                f"{result.custom_id}: {result.response.text if result.response else result.error}"
            )

        print("\n== Errors are typed")
        try:
            sdk.generate("no-such-model", messages)
        except InvokeError as exc:
            print(f"{type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
