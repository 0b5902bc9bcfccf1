"""Batch endpoints of the simulator: shapes, clock-driven lifecycle, results, cancel, paging,
validation. Uses `sim.advance_time` (and slow line delays) instead of sleeping.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from onesdk_kimi.simulator import KimiSimulator

API_KEY = "sk-test"  # the key the conftest simulator accepts
MODEL = "kimi-k2.5"
INVALID = "invalid_request_error"


def line(custom_id: str, text: str, **body: Any) -> dict[str, Any]:
    body.setdefault("model", MODEL)
    body.setdefault("messages", [{"role": "user", "content": text}])
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body}


def jsonl(*lines: Any) -> bytes:
    return b"".join((x if isinstance(x, bytes) else json.dumps(x).encode()) + b"\n" for x in lines)


def upload(
    client: httpx.Client, data: bytes, *, name: str = "in.jsonl", purpose: str = "batch"
) -> str:
    response = client.post(
        "/files", files={"file": (name, data, "application/jsonl")}, data={"purpose": purpose}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def create(client: httpx.Client, *lines: Any, **body: Any) -> httpx.Response:
    if "input_file_id" not in body:
        body["input_file_id"] = upload(client, jsonl(*lines))
    body.setdefault("endpoint", "/v1/chat/completions")
    body.setdefault("completion_window", "24h")
    return client.post("/batches", json=body)


def created(client: httpx.Client, *lines: Any, **body: Any) -> dict[str, Any]:
    response = create(client, *lines, **body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def get(client: httpx.Client, batch_id: str) -> dict[str, Any]:
    response = client.get(f"/batches/{batch_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def content(client: httpx.Client, file_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/files/{file_id}/content")
    assert response.status_code == 200, response.text
    return [json.loads(x) for x in response.text.splitlines()]


@pytest.fixture
def slow(sim: KimiSimulator) -> Iterator[KimiSimulator]:
    """Each line takes an hour of simulated time, finalizing a minute."""
    store = sim.state.batches
    saved = store.line_delay, store.finalize_delay
    store.line_delay, store.finalize_delay = 3600.0, 60.0
    try:
        yield sim
    finally:
        store.line_delay, store.finalize_delay = saved


def test_shape_and_lifecycle_follow_the_clock(client: httpx.Client, slow: KimiSimulator) -> None:
    batch = created(client, line("a", "one"), line("b", "two"), metadata={"job": "x"})
    assert re.fullmatch(r"batch_[0-9a-f]{24}", batch["id"])
    assert batch["object"] == "batch"
    assert batch["status"] == "validating"
    assert batch["endpoint"] == "/v1/chat/completions"
    assert batch["completion_window"] == "24h"
    assert batch["expires_at"] == batch["created_at"] + 86400
    assert batch["request_counts"] == {"completed": 0, "failed": 0, "total": 2}
    assert batch["metadata"] == {"job": "x"}
    for key in ("output_file_id", "error_file_id", "in_progress_at", "completed_at"):
        assert batch[key] is None
    slow.advance_time(1)
    now = get(client, batch["id"])
    assert now["status"] == "in_progress" and now["in_progress_at"]
    assert now["request_counts"]["completed"] == 0
    slow.advance_time(3600)
    assert get(client, batch["id"])["request_counts"]["completed"] == 1
    slow.advance_time(3600)
    now = get(client, batch["id"])
    assert now["status"] == "finalizing" and now["finalizing_at"]
    assert now["request_counts"]["completed"] == 2
    slow.advance_time(60)
    done = get(client, batch["id"])
    assert done["status"] == "completed" and done["completed_at"]
    assert done["error_file_id"] is None
    output = client.get(f"/files/{done['output_file_id']}").json()
    assert output["purpose"] == "batch_output"
    assert output["filename"] == f"{batch['id']}_output.jsonl"


def test_results_equal_what_chat_returns(client: httpx.Client, sim: KimiSimulator) -> None:
    body = {"max_tokens": 5, "stop": ["two"]}
    batch = created(client, line("first", "one two three", **body), line("second", "hello"))
    sim.advance_time(1)
    done = get(client, batch["id"])
    assert done["status"] == "completed"
    results = content(client, done["output_file_id"])
    assert [r["custom_id"] for r in results] == ["first", "second"]
    for result, (text, params) in zip(
        results, [("one two three", body), ("hello", {})], strict=True
    ):
        assert re.fullmatch(r"batch_req_[0-9a-f]{24}", result["id"])
        assert result["error"] is None
        assert result["response"]["status_code"] == 200
        assert result["response"]["request_id"]
        chat = client.post(
            "/chat/completions",
            json={"model": MODEL, "messages": [{"role": "user", "content": text}], **params},
        ).json()
        got = result["response"]["body"]
        assert got["id"].startswith("chatcmpl-")
        for key in ("id", "created"):
            got.pop(key), chat.pop(key)
        assert got == chat


def test_failed_lines_go_to_the_error_file(client: httpx.Client, sim: KimiSimulator) -> None:
    batch = created(
        client,
        line("ok", "fine"),
        line("long", "hi", max_tokens=300_000),
        line("empty", "hi", messages=[{"role": "user", "content": ""}]),
    )
    sim.advance_time(1)
    done = get(client, batch["id"])
    assert done["request_counts"] == {"completed": 1, "failed": 2, "total": 3}
    errors = content(client, done["error_file_id"])
    assert [e["custom_id"] for e in errors] == ["long", "empty"]
    first = errors[0]
    assert first["response"]["status_code"] == 400
    assert first["response"]["body"]["error"]["type"] == INVALID
    assert first["error"]["code"] == INVALID
    assert "exceeded model token limit" in first["error"]["message"]
    assert [r["custom_id"] for r in content(client, done["output_file_id"])] == ["ok"]


def test_cancel_lifecycle(client: httpx.Client, slow: KimiSimulator) -> None:
    batch = created(client, line("a", "one"), line("b", "two"), line("c", "three"))
    slow.advance_time(3601)
    response = client.post(f"/batches/{batch['id']}/cancel")
    assert response.status_code == 200, response.text
    cancelling = response.json()
    assert cancelling["status"] == "cancelling" and cancelling["cancelling_at"]
    assert cancelling["request_counts"]["completed"] == 1
    slow.advance_time(7200)  # no more lines run once cancelling
    done = get(client, batch["id"])
    assert done["status"] == "cancelled" and done["cancelled_at"]
    assert done["request_counts"] == {"completed": 1, "failed": 0, "total": 3}
    assert [r["custom_id"] for r in content(client, done["output_file_id"])] == ["a"]
    again = client.post(f"/batches/{batch['id']}/cancel")
    assert again.status_code == 400
    assert "cannot be cancelled" in again.json()["error"]["message"]


def test_expiry_stops_unfinished_batches(client: httpx.Client, slow: KimiSimulator) -> None:
    batch = created(client, *[line(f"r{i}", "x") for i in range(14)], completion_window="12h")
    slow.advance_time(13 * 3600)
    done = get(client, batch["id"])
    assert done["status"] == "expired" and done["expired_at"] == batch["expires_at"]
    assert done["request_counts"] == {"completed": 11, "failed": 0, "total": 14}


def test_list_pages_newest_first(sim: KimiSimulator) -> None:
    with (
        KimiSimulator(api_key=API_KEY) as own,
        httpx.Client(base_url=own.base_url, headers={"Authorization": f"Bearer {API_KEY}"}) as c,
    ):
        ids = [created(c, line("a", str(i)))["id"] for i in range(3)]
        page = c.get("/batches", params={"limit": 2}).json()
        assert page["object"] == "list"
        assert [b["id"] for b in page["data"]] == [ids[2], ids[1]]
        assert page["has_more"] is True
        rest = c.get("/batches", params={"limit": 2, "after": ids[1]}).json()
        assert [b["id"] for b in rest["data"]] == [ids[0]]
        assert rest["has_more"] is False
        assert len(c.get("/batches").json()["data"]) == 3
        assert c.get("/batches", params={"limit": 0}).status_code == 400
        assert c.get("/batches", params={"after": "batch_nope"}).status_code == 400


def test_unknown_batch_is_404(client: httpx.Client) -> None:
    for response in (
        client.get("/batches/batch_nope"),
        client.post("/batches/batch_nope/cancel"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["type"] == "resource_not_found_error"


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (jsonl(line("a", "x"), b"{not json"), "line 2 of the input file is not a JSON object"),
        (jsonl(line("a", "x"), [1, 2]), "line 2 of the input file is not a JSON object"),
        (jsonl({"method": "POST", "url": "/v1/chat/completions", "body": {}}), "custom_id"),
        (jsonl({**line("a", "x"), "method": "GET"}), "method must be 'POST'"),
        (jsonl({**line("a", "x"), "url": "/v1/embeddings"}), "url must be"),
        (jsonl({k: v for k, v in line("a", "x").items() if k != "body"}), "body is required"),
        (jsonl(line("a", "x"), line("a", "y")), "line 2: duplicate custom_id 'a'"),
        (jsonl(line("a", "x"), line("b", "y", model="kimi-k2.6")), "same model"),
        (jsonl(line("a", "x", model="moonshot-v1-8k")), "not supported by the Batch API"),
        (jsonl(line("a", "x", temperature=1.0)), "temperature must not be set"),
        (jsonl(line("a", "x", stream=True)), "stream is not supported"),
        (b"\n\n", "no requests"),
    ],
)
def test_bad_input_files_are_400(client: httpx.Client, data: bytes, match: str) -> None:
    response = create(client, input_file_id=upload(client, data))
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == INVALID
    assert match in error["message"]


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"completion_window": "11h"}, "between 12h and 7d"),
        ({"completion_window": "8d"}, "between 12h and 7d"),
        ({"completion_window": 24}, "completion_window"),
        ({"endpoint": "/v1/embeddings"}, "endpoint must be"),
        ({"input_file_id": ""}, "input_file_id is required"),
        ({"metadata": {"k": 1}}, "metadata"),
    ],
)
def test_bad_create_bodies_are_400(client: httpx.Client, body: dict[str, Any], match: str) -> None:
    response = create(client, line("a", "x"), **body)
    assert response.status_code == 400, response.text
    assert match in response.json()["error"]["message"]


def test_input_file_must_be_a_batch_jsonl_upload(client: httpx.Client) -> None:
    data = jsonl(line("a", "x"))
    wrong_purpose = create(client, input_file_id=upload(client, data, purpose="file-extract"))
    assert wrong_purpose.status_code == 400
    assert "purpose 'batch'" in wrong_purpose.json()["error"]["message"]
    wrong_name = create(client, input_file_id=upload(client, data, name="in.txt"))
    assert wrong_name.status_code == 400
    assert ".jsonl" in wrong_name.json()["error"]["message"]
    missing = create(client, input_file_id="nosuchfile")
    assert missing.status_code == 404
