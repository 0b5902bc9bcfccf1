"""Images for Kimi's vision models: `onesdk.image_part` turns a local file (or bytes) into a
base64 data-URL part. Uses Kimi when MOONSHOT_API_KEY is set, otherwise the local simulator."""

from __future__ import annotations

import base64
import sys
import tempfile
from pathlib import Path

from demo import kimi_client

from onesdk import image_part

MODEL = "moonshot-v1-8k-vision-preview"
# A 1x1 PNG, written to a temporary file to stand in for your picture.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        picture = Path(folder) / "pixel.png"
        picture.write_bytes(PIXEL)
        part = image_part(picture)
    print(f"image part: {part.image_url.url[:40]}...")  # type: ignore[union-attr]
    messages = [
        {
            "role": "user",
            "content": [{"type": "text", "text": "Describe this image in one sentence."}, part],
        }
    ]
    with kimi_client() as sdk:
        response = sdk.generate(MODEL, messages)
        print(response.text)
        print(f"[prompt tokens: {response.usage.prompt_tokens if response.usage else '?'}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
