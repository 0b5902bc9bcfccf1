"""Image content parts for Kimi's vision models: URLs, data URLs and ``onesdk.image_part``."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from onesdk import ImagePart, InvokeBadRequestError, OneSDK, image_part
from onesdk_kimi.simulator import KimiSimulator

VISION = "moonshot-v1-8k-vision-preview"
# The smallest valid PNG: 1x1 transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def ask(*parts: object) -> list[dict[str, object]]:
    return [{"role": "user", "content": [{"type": "text", "text": "What is this?"}, *parts]}]


def test_image_part_from_a_file_is_a_png_data_url(tmp_path: Path) -> None:
    path = tmp_path / "pixel.png"
    path.write_bytes(PNG)
    part = image_part(path)
    assert isinstance(part, ImagePart)
    assert part.to_dict() == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64," + base64.b64encode(PNG).decode()},
    }
    assert image_part(str(path)) == part


def test_image_part_from_bytes_sniffs_the_type() -> None:
    assert image_part(PNG).to_dict()["image_url"]["url"].startswith("data:image/png;base64,")
    jpeg = b"\xff\xd8\xff\xe0" + b"\0" * 16
    assert image_part(jpeg).to_dict()["image_url"]["url"].startswith("data:image/jpeg;base64,")
    assert image_part(b"raw", mime="image/webp").to_dict()["image_url"]["url"] == (
        "data:image/webp;base64,cmF3"
    )


def test_image_part_passes_urls_through() -> None:
    for url in ("https://example.com/cat.png", "data:image/gif;base64,R0lG", "ms://file-1"):
        assert image_part(url, detail="low").to_dict() == {
            "type": "image_url",
            "image_url": {"url": url, "detail": "low"},
        }


def test_image_part_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(InvokeBadRequestError, match="cannot read image"):
        image_part(tmp_path / "missing.png")
    with pytest.raises(InvokeBadRequestError, match="mime="):
        image_part(b"not an image")


def test_a_file_image_reaches_the_vision_model(
    kimi: OneSDK, sim: KimiSimulator, tmp_path: Path
) -> None:
    path = tmp_path / "pixel.png"
    path.write_bytes(PNG)
    response = kimi.generate(VISION, ask(image_part(path)))
    assert response.text == f"You said: What is this? [image: image/png, {len(PNG)} bytes]"
    sent = sim.requests[-1].json["messages"][0]["content"][1]
    assert sent == {"type": "image_url", "image_url": {"url": image_part(PNG).image_url.url}}  # type: ignore[union-attr]


def test_dict_parts_and_url_strings_work_too(kimi: OneSDK) -> None:
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    parts = ({"type": "image_url", "image_url": {"url": data_url}}, image_part("ms://file-7"))
    response = kimi.generate("kimi-k2.6", ask(*parts), thinking={"type": "disabled"})
    assert response.text.endswith(f"[image: image/png, {len(PNG)} bytes] [image: ms://file-7]")


def test_images_count_a_flat_1024_tokens(kimi: OneSDK) -> None:
    text_only = kimi.count_tokens(VISION, ask())
    with_image = kimi.count_tokens(VISION, ask(image_part(PNG)))
    assert with_image - text_only == 1024
    assert kimi.generate(VISION, ask(image_part(PNG))).usage.prompt_tokens == with_image  # type: ignore[union-attr]


def test_images_on_a_text_model_are_a_bad_request(kimi: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="image"):
        kimi.generate("moonshot-v1-8k", ask(image_part(PNG)))
