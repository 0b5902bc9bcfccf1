"""Context-cache and tag endpoints of the simulator: shapes, lifecycle, paging, validation.

Uses `sim.advance_time` to expire caches instead of sleeping.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from onesdk_kimi.simulator import KimiSimulator

API_KEY = "sk-test"  # the key the conftest simulator accepts
DOC = [{"role": "system", "content": "The handbook: deploys happen on Tuesdays."}]
TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
INVALID = "invalid_request_error"


@pytest.fixture
def fresh() -> Iterator[httpx.Client]:
    """A client on a simulator of its own, so listings only show this test's caches."""
    with (
        KimiSimulator(api_key=API_KEY, cache_ready_delay=0.05) as own,
        httpx.Client(base_url=own.base_url, headers={"Authorization": f"Bearer {API_KEY}"}) as c,
    ):
        yield c


def create(client: httpx.Client, **body: Any) -> dict[str, Any]:
    body.setdefault("model", "moonshot-v1")
    body.setdefault("messages", DOC)
    response = client.post("/caching", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_create_shape_and_lifecycle(client: httpx.Client, sim: KimiSimulator) -> None:
    before = int(time.time())
    cache = create(
        client, tools=[TOOL], name="handbook", description="d", metadata={"team": "infra"}
    )
    assert re.fullmatch(r"cache-[a-z0-9]{20}", cache["id"])
    assert cache["object"] == "context_cache_object"
    assert cache["status"] == "pending"
    assert cache["model"] == "moonshot-v1"
    assert cache["messages"] == DOC
    assert cache["tools"] == [TOOL]
    assert (cache["name"], cache["description"], cache["metadata"]) == (
        "handbook",
        "d",
        {"team": "infra"},
    )
    assert before <= cache["created_at"] <= int(time.time())
    assert cache["expired_at"] == cache["created_at"] + 3600
    estimate = client.post(
        "/tokenizers/estimate-token-count",
        json={"model": "moonshot-v1-8k", "messages": DOC, "tools": [TOOL]},
    )
    assert cache["tokens"] == estimate.json()["data"]["total_tokens"]
    time.sleep(0.1)
    assert client.get(f"/caching/{cache['id']}").json()["status"] == "ready"
    sim.advance_time(3601)
    try:
        assert client.get(f"/caching/{cache['id']}").json()["status"] == "inactive"
    finally:
        sim.advance_time(-3601)


def test_ttl_and_expired_at(client: httpx.Client) -> None:
    with_ttl = create(client, ttl=60)
    assert with_ttl["expired_at"] - with_ttl["created_at"] in (60, 61)
    target = int(time.time()) + 120
    assert create(client, expired_at=target)["expired_at"] == target


CREATE_ERRORS: list[tuple[str, dict[str, Any], str]] = [
    ("sized model", {"model": "moonshot-v1-8k"}, "moonshot-v1"),
    ("k2 model", {"model": "kimi-k2-turbo-preview"}, "moonshot-v1"),
    ("no messages", {"messages": None}, "messages must not be empty"),
    ("cache role", {"messages": [{"role": "cache", "content": "cache_id=x"}]}, "invalid role"),
    ("partial", {"messages": [{"role": "assistant", "content": "a", "partial": True}]}, "partial"),
    (
        "undeclared tool",
        {
            "messages": [
                {"role": "user", "content": "q"},
                {
                    "role": "assistant",
                    "content": "",
                    "tool_calls": [
                        {
                            "id": "f:0",
                            "type": "function",
                            "function": {"name": "search", "arguments": "{}"},
                        }
                    ],
                },
            ]
        },
        "not defined in tools",
    ),
    ("long name", {"name": "n" * 257}, "name must be at most 256"),
    ("long description", {"description": "d" * 513}, "description must be at most 512"),
    ("metadata not a map", {"metadata": ["a"]}, "metadata"),
    ("metadata value not a string", {"metadata": {"n": 1}}, "metadata"),
    ("too many metadata keys", {"metadata": {str(i): "v" for i in range(17)}}, "16 keys"),
    ("long metadata key", {"metadata": {"k" * 65: "v"}}, "metadata keys"),
    ("ttl and expired_at", {"ttl": 60, "expired_at": int(time.time()) + 60}, "mutually exclusive"),
    ("ttl zero", {"ttl": 0}, "ttl"),
    ("ttl negative", {"ttl": -5}, "ttl"),
    ("ttl float", {"ttl": 1.5}, "ttl"),
    ("ttl string", {"ttl": "60"}, "ttl"),
    ("ttl too long", {"ttl": 3601}, "ttl"),
    ("expired_at past", {"expired_at": 1000}, "expired_at"),
    ("expired_at too far", {"expired_at": int(time.time()) + 7200}, "expired_at"),
    ("bad tag", {"tags": ["1abc"]}, "tag must be"),
]


@pytest.mark.parametrize(
    ("body", "fragment"), [c[1:] for c in CREATE_ERRORS], ids=[c[0] for c in CREATE_ERRORS]
)
def test_create_validation(client: httpx.Client, body: dict[str, Any], fragment: str) -> None:
    payload = {"model": "moonshot-v1", "messages": DOC, **body}
    payload = {k: v for k, v in payload.items() if v is not None}
    response = client.post("/caching", json=payload)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["type"] == INVALID
    assert fragment in response.json()["error"]["message"]


def test_get_update_delete(client: httpx.Client) -> None:
    cache = create(client, metadata={"a": "1"})
    got = client.get(f"/caching/{cache['id']}").json()
    assert got["id"] == cache["id"]
    time.sleep(0.1)
    updated = client.put(f"/caching/{cache['id']}", json={"metadata": {"b": "2"}, "ttl": 30})
    assert updated.status_code == 200
    assert updated.json()["metadata"] == {"b": "2"}
    assert updated.json()["status"] == "pending"
    assert updated.json()["expired_at"] - int(time.time()) in (29, 30, 31)
    assert client.get(f"/caching/{cache['id']}").json()["metadata"] == {"b": "2"}
    bad = client.put(f"/caching/{cache['id']}", json={"ttl": 0})
    assert bad.status_code == 400
    deleted = client.delete(f"/caching/{cache['id']}")
    assert deleted.json() == {
        "deleted": True,
        "id": cache["id"],
        "object": "context_cache_object.deleted",
    }
    for response in (
        client.get(f"/caching/{cache['id']}"),
        client.put(f"/caching/{cache['id']}", json={}),
        client.delete(f"/caching/{cache['id']}"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["type"] == "resource_not_found_error"


def test_update_reactivates_an_expired_cache(client: httpx.Client, sim: KimiSimulator) -> None:
    cache = create(client, ttl=1)
    sim.advance_time(5)
    try:
        assert client.get(f"/caching/{cache['id']}").json()["status"] == "inactive"
        updated = client.put(f"/caching/{cache['id']}", json={"ttl": 600}).json()
        assert updated["status"] == "pending"
    finally:
        sim.advance_time(-5)


def test_list_order_paging_and_metadata(fresh: httpx.Client) -> None:
    ids = [create(fresh, metadata={"team": "web" if i % 2 else "infra"})["id"] for i in range(5)]
    listing = fresh.get("/caching").json()
    assert listing["object"] == "list"
    assert [c["id"] for c in listing["data"]] == ids[::-1]
    assert [c["id"] for c in fresh.get("/caching", params={"limit": 2}).json()["data"]] == [
        ids[4],
        ids[3],
    ]
    ascending = fresh.get("/caching", params={"order": "asc", "after": ids[1], "limit": 2})
    assert [c["id"] for c in ascending.json()["data"]] == ids[2:4]
    before = fresh.get("/caching", params={"order": "asc", "before": ids[3], "limit": 2})
    assert [c["id"] for c in before.json()["data"]] == ids[1:3]
    infra = fresh.get("/caching", params={"metadata[team]": "infra"}).json()["data"]
    assert [c["id"] for c in infra] == [ids[4], ids[2], ids[0]]
    for params in ({"limit": "0"}, {"limit": "x"}, {"order": "up"}, {"after": "cache-nope"}):
        response = fresh.get("/caching", params=params)
        assert response.status_code == 400, params


def test_tags(fresh: httpx.Client) -> None:
    cache = create(fresh, tags=["from-create"])
    other = create(fresh)
    tag = fresh.post("/caching/refs/tags", json={"tag": "handbook.v1", "cache_id": cache["id"]})
    assert tag.status_code == 200
    body = tag.json()
    assert set(body) == {"tag", "cache_id", "object", "owned_by", "created_at"}
    assert body["object"] == "cache_object.tag"
    assert (body["tag"], body["cache_id"]) == ("handbook.v1", cache["id"])
    assert fresh.get("/caching/refs/tags/handbook.v1").json() == body
    assert fresh.get("/caching/refs/tags/handbook.v1/content").json()["id"] == cache["id"]
    assert fresh.get("/caching/refs/tags/from-create").json()["cache_id"] == cache["id"]
    names = [
        t["tag"] for t in fresh.get("/caching/refs/tags", params={"order": "asc"}).json()["data"]
    ]
    assert names == ["from-create", "handbook.v1"]
    moved = fresh.post("/caching/refs/tags", json={"tag": "handbook.v1", "cache_id": other["id"]})
    assert moved.json()["cache_id"] == other["id"]
    deleted = fresh.delete("/caching/refs/tags/handbook.v1")
    assert deleted.json() == {
        "deleted": True,
        "object": "cache_object.tag.deleted",
        "tag": "handbook.v1",
    }
    assert fresh.delete("/caching/refs/tags/never-existed").status_code == 200
    for path in ("/caching/refs/tags/handbook.v1", "/caching/refs/tags/handbook.v1/content"):
        assert fresh.get(path).status_code == 404
    unknown = fresh.post("/caching/refs/tags", json={"tag": "t", "cache_id": "cache-nope"})
    assert unknown.status_code == 404
    bad = fresh.post("/caching/refs/tags", json={"tag": "-bad", "cache_id": cache["id"]})
    assert bad.status_code == 400
