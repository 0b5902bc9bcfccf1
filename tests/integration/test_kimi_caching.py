"""Kimi context caches, tags, files and balance over real HTTP against the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from onesdk import (
    Cache,
    InvokeBadRequestError,
    InvokeError,
    InvokeNotFoundError,
    OneSDK,
)
from onesdk_kimi.simulator import KimiSimulator

MODEL = "moonshot-v1-32k"
DOC = [{"role": "system", "content": "The handbook: deploys happen on Tuesdays."}]
QUESTION = [{"role": "user", "content": "When do deploys happen?"}]


@pytest.fixture
def cache(kimi: OneSDK) -> Cache:
    return kimi.create_cache(MODEL, DOC, name="handbook", metadata={"team": "infra"}, ttl=600)


def test_create_cache_sends_the_family_name_and_waits_until_ready(
    kimi: OneSDK, sim: KimiSimulator
) -> None:
    created = kimi.create_cache(MODEL, DOC, name="n", description="d", ttl=60)
    assert created.status == "ready"
    assert created["id"].startswith("cache-")
    assert created.tokens > 0
    create = next(r for r in sim.requests if r.method == "POST" and r.path == "/v1/caching")
    assert create.json["model"] == "moonshot-v1"
    assert create.json["messages"] == DOC
    assert create.json["ttl"] == 60


def test_cache_for_another_model_family_is_refused_before_sending(
    kimi: OneSDK, sim: KimiSimulator
) -> None:
    with pytest.raises(InvokeBadRequestError, match="moonshot-v1 family"):
        kimi.create_cache("kimi-k2-turbo-preview", DOC)
    assert not any(r.path == "/v1/caching" for r in sim.requests)


def test_generate_with_context_id_really_uses_the_cache(
    kimi: OneSDK, sim: KimiSimulator, cache: Cache
) -> None:
    response = kimi.generate(MODEL, QUESTION, context_id=cache["id"], reset_ttl=300)
    sent = sim.requests[-1].json
    assert sent["messages"][0] == {"role": "cache", "content": f"cache_id={cache.id};reset_ttl=300"}
    assert sent["messages"][1:] == QUESTION
    assert "tools" not in sent
    assert response.usage is not None
    assert response.usage.cached_tokens == cache.tokens > 0
    assert response.headers["msh-context-cache-id"] == cache.id


def test_stream_with_context_id_reports_cached_tokens_in_last_chunk(
    kimi: OneSDK, cache: Cache
) -> None:
    chunks = list(kimi.stream_generate(MODEL, QUESTION, context_id=cache.id))
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.cached_tokens == cache.tokens


def test_list_filters_by_metadata_and_pages(kimi: OneSDK, cache: Cache) -> None:
    other = kimi.create_cache(MODEL, DOC, metadata={"team": "web"})
    infra = kimi.list_caches(metadata={"team": "infra"})
    assert cache.id in {c.id for c in infra}
    assert other.id not in {c.id for c in infra}
    newest_first = kimi.list_caches(limit=1)
    assert len(newest_first) == 1
    assert newest_first[0].id == other.id


def test_update_changes_metadata_and_get_sees_it(kimi: OneSDK, cache: Cache) -> None:
    updated = kimi.update_cache(cache.id, metadata={"key": "value"})
    assert updated.metadata == {"key": "value"}
    assert kimi.get_cache(cache.id).metadata == {"key": "value"}


def test_delete_then_get_is_not_found(kimi: OneSDK, cache: Cache) -> None:
    assert kimi.delete_cache(cache.id).deleted is True
    with pytest.raises(InvokeNotFoundError) as caught:
        kimi.get_cache(cache.id)
    assert caught.value.status_code == 404


def test_unknown_cache_id_in_chat_is_not_found(kimi: OneSDK) -> None:
    with pytest.raises(InvokeNotFoundError):
        kimi.generate(MODEL, QUESTION, context_id="cache-doesnotexist0000")


def test_expired_cache_is_refused_in_chat(kimi: OneSDK, sim: KimiSimulator) -> None:
    short = kimi.create_cache(MODEL, DOC, ttl=1)
    sim.advance_time(5)
    assert kimi.get_cache(short.id).status == "inactive"
    with pytest.raises(InvokeBadRequestError):
        kimi.generate(MODEL, QUESTION, context_id=short.id)


@pytest.mark.parametrize("ttl", [0, -5, 1.5, "60"])
def test_bad_ttl_is_refused_before_sending(kimi: OneSDK, ttl: object) -> None:
    with pytest.raises(InvokeBadRequestError, match="ttl"):
        kimi.create_cache(MODEL, DOC, ttl=ttl)  # type: ignore[arg-type]


def test_bad_metadata_type_is_refused(kimi: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="metadata"):
        kimi.create_cache(MODEL, DOC, metadata={"n": 1})  # type: ignore[dict-item]


def test_context_id_with_tools_is_refused(kimi: OneSDK, cache: Cache) -> None:
    tools = [
        {
            "type": "function",
            "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}},
        }
    ]
    with pytest.raises(InvokeBadRequestError, match="tools"):
        kimi.generate(MODEL, QUESTION, context_id=cache.id, tools=tools)


def test_tags_name_a_cache(kimi: OneSDK, cache: Cache) -> None:
    tag = kimi.create_cache_tag("handbook-v1", cache.id)
    assert tag.cache_id == cache.id
    assert kimi.get_cache_tag("handbook-v1").cache_id == cache.id
    assert kimi.get_cache_tag_content("handbook-v1").id == cache.id
    assert "handbook-v1" in {t.tag for t in kimi.list_cache_tags()}
    response = kimi.generate(MODEL, QUESTION, cache_tag="handbook-v1")
    assert response.usage is not None and response.usage.cached_tokens == cache.tokens
    assert kimi.delete_cache_tag("handbook-v1").deleted


def test_files_upload_extract_and_delete(kimi: OneSDK, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("OneSDK talks to Kimi.")
    uploaded = kimi.upload_file(path)
    assert uploaded.filename == "notes.txt"
    assert uploaded.bytes == path.stat().st_size
    assert uploaded.id in {f.id for f in kimi.list_files()}
    assert kimi.get_file(uploaded.id).purpose == "file-extract"
    assert kimi.get_file_content(uploaded.id) == "OneSDK talks to Kimi."
    from_bytes = kimi.upload_file(b"second file", filename="b.txt")
    assert kimi.get_file_content(from_bytes.id) == "second file"
    assert kimi.delete_file(uploaded.id).deleted
    with pytest.raises(InvokeNotFoundError):
        kimi.get_file(uploaded.id)


def test_empty_file_is_refused(kimi: OneSDK) -> None:
    with pytest.raises(InvokeBadRequestError, match="empty"):
        kimi.upload_file(b"", filename="empty.txt")


def test_balance(kimi: OneSDK) -> None:
    balance = kimi.get_balance()
    assert balance.available_balance == balance.cash_balance + balance.voucher_balance


def test_no_balance_means_quota_error() -> None:
    from onesdk import InvokeQuotaExceededError

    with (
        KimiSimulator(balance=0) as broke,
        OneSDK("kimi", api_key=broke.api_key, base_url=broke.base_url) as client,
        pytest.raises(InvokeQuotaExceededError) as caught,
    ):
        client.generate(MODEL, QUESTION)
    assert caught.value.retryable is False
    assert isinstance(caught.value, InvokeError)
