"""File endpoints and the account balance of the simulator, over real HTTP.

Uploads are real multipart bodies built by httpx.
"""

from __future__ import annotations

import re

import httpx
import pytest

from onesdk_kimi.simulator import KimiSimulator

API_KEY = "sk-test"  # the key the conftest simulator accepts


def upload(
    client: httpx.Client, data: bytes, name: str = "notes.txt", purpose: str = "file-extract"
) -> httpx.Response:
    return client.post("/files", files={"file": (name, data)}, data={"purpose": purpose})


def test_upload_list_get_content_delete(client: httpx.Client) -> None:
    response = upload(client, "OneSDK talks to Kimi. 你好".encode())
    assert response.status_code == 200, response.text
    file = response.json()
    assert re.fullmatch(r"[0-9a-v]{20}", file["id"])
    assert file == {
        "id": file["id"],
        "object": "file",
        "bytes": len("OneSDK talks to Kimi. 你好".encode()),
        "created_at": file["created_at"],
        "filename": "notes.txt",
        "purpose": "file-extract",
        "status": "ok",
        "status_details": "",
    }
    assert file["id"] in {f["id"] for f in client.get("/files").json()["data"]}
    assert client.get("/files").json()["object"] == "list"
    assert client.get(f"/files/{file['id']}").json() == file
    content = client.get(f"/files/{file['id']}/content")
    assert content.headers["content-type"] == "application/json; charset=utf-8"
    assert content.json() == {
        "content": "OneSDK talks to Kimi. 你好",
        "file_type": "text/plain",
        "filename": "notes.txt",
        "title": "",
        "type": "file",
    }
    assert client.delete(f"/files/{file['id']}").json() == {
        "id": file["id"],
        "object": "file",
        "deleted": True,
    }
    for response in (
        client.get(f"/files/{file['id']}"),
        client.get(f"/files/{file['id']}/content"),
        client.delete(f"/files/{file['id']}"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["type"] == "resource_not_found_error"


def test_binary_content_is_decoded_with_replacement(client: httpx.Client) -> None:
    file = upload(client, b"ok \xff\xfe end", name="blob.bin").json()
    assert client.get(f"/files/{file['id']}/content").json()["content"] == "ok \ufffd\ufffd end"


def test_purposes(client: httpx.Client) -> None:
    for purpose in ("image", "video", "batch"):
        assert upload(client, b"x", purpose=purpose).json()["purpose"] == purpose
    image = upload(client, b"png", name="a.png", purpose="image").json()
    assert client.get(f"/files/{image['id']}/content").status_code == 400
    batch = upload(client, b'{"custom_id":"1"}\n', name="b.jsonl", purpose="batch").json()
    assert client.get(f"/files/{batch['id']}/content").content == b'{"custom_id":"1"}\n'
    refused = upload(client, b"x", purpose="assistants")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith("Invalid purpose")


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"files": {"file": ("e.txt", b"")}, "data": {"purpose": "file-extract"}}, "zero"),
        ({"files": {"other": ("a.txt", b"x")}, "data": {"purpose": "file-extract"}}, "'file'"),
        ({"data": {"purpose": "file-extract"}}, "multipart"),
        ({"json": {"purpose": "file-extract"}}, "multipart"),
    ],
)
def test_upload_errors(client: httpx.Client, kwargs: dict[str, object], fragment: str) -> None:
    response = client.post("/files", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 400, response.text
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert fragment in response.json()["error"]["message"]


def test_size_and_count_limits(sim: KimiSimulator, client: httpx.Client) -> None:
    store = sim.state.files
    store.max_bytes, store.max_files = 4, len(store.files) + 1
    try:
        too_big = upload(client, b"12345")
        assert too_big.status_code == 400
        assert "File size is too large" in too_big.json()["error"]["message"]
        assert upload(client, b"1234").status_code == 200
        too_many = upload(client, b"1")
        assert too_many.status_code == 400
        assert "max file count" in too_many.json()["error"]["message"]
    finally:
        store.max_bytes, store.max_files = 100 * 1024 * 1024, 1000


def test_balance_shape(client: httpx.Client) -> None:
    assert client.get("/users/me/balance").json() == {
        "code": 0,
        "data": {"available_balance": 100.0, "voucher_balance": 0.0, "cash_balance": 100.0},
        "scode": "0x0",
        "status": True,
    }


def test_no_balance_refuses_chat() -> None:
    with (
        KimiSimulator(api_key=API_KEY, balance=0) as broke,
        httpx.Client(base_url=broke.base_url, headers={"Authorization": f"Bearer {API_KEY}"}) as c,
    ):
        body = {"model": "kimi-k2-turbo-preview", "messages": [{"role": "user", "content": "x"}]}
        refused = c.post("/chat/completions", json=body)
        assert refused.status_code == 429
        assert refused.json()["error"]["type"] == "exceeded_current_quota_error"
        assert "please check your account balance" in refused.json()["error"]["message"]
        assert c.post("/tokenizers/estimate-token-count", json=body).status_code == 200
        broke.balance = 5.5
        assert c.get("/users/me/balance").json()["data"]["available_balance"] == 5.5
        assert c.post("/chat/completions", json=body).status_code == 200
        broke.balance = -3
        data = c.get("/users/me/balance").json()["data"]
        assert (data["available_balance"], data["cash_balance"]) == (0.0, -3.0)
        assert c.post("/chat/completions", json=body).status_code == 429
