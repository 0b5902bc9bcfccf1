"""The whole Kimi feature set in one run: against Kimi when MOONSHOT_API_KEY is set,
otherwise against the local Kimi simulator (no key, no network)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from onesdk import InvokeError, OneSDK


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

        print("\n== Errors are typed")
        try:
            sdk.generate("no-such-model", messages)
        except InvokeError as exc:
            print(f"{type(exc).__name__}: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
