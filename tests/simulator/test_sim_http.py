"""HTTP behaviour of the simulator: auth, routing, request log, framing, lifecycle, CLI.

Raw sockets check the wire framing that httpx would hide.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from onesdk_kimi.simulator import KimiSimulator
from onesdk_kimi.simulator.http_types import Request, Response
from onesdk_kimi.simulator.server import HttpServer
from onesdk_kimi.simulator.sse import parse_sse

Chat = Callable[..., httpx.Response]
API_KEY = "sk-test"  # the key the conftest simulator accepts

BODY = {"model": "kimi-k2-turbo-preview", "messages": [{"role": "user", "content": "Hi"}]}
SRC = str(Path(__file__).resolve().parents[2] / "onesdk-kimi" / "src")


def test_missing_key_is_invalid_authentication(sim: KimiSimulator) -> None:
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}):
        response = httpx.post(f"{sim.base_url}/chat/completions", json=BODY, headers=headers)
        assert response.status_code == 401
        assert response.json() == {
            "error": {"message": "Invalid Authentication", "type": "invalid_authentication_error"}
        }
        assert "msh-request-id" in response.headers


def test_wrong_key_is_incorrect_api_key(sim: KimiSimulator) -> None:
    response = httpx.get(f"{sim.base_url}/models", headers={"Authorization": "Bearer sk-other"})
    assert response.status_code == 401
    assert response.json() == {
        "error": {"message": "Incorrect API key provided", "type": "incorrect_api_key_error"}
    }


def test_any_key_when_api_key_is_none() -> None:
    with KimiSimulator(api_key=None) as open_sim:
        assert open_sim.api_key is None
        ok = httpx.get(f"{open_sim.base_url}/models", headers={"Authorization": "Bearer whatever"})
        assert ok.status_code == 200
        assert httpx.get(f"{open_sim.base_url}/models").status_code == 401


def test_default_key_and_urls() -> None:
    with KimiSimulator() as default_sim:
        assert default_sim.api_key == "sk-simulator"
        assert default_sim.host == "127.0.0.1"
        assert default_sim.port > 0
        assert default_sim.base_url == f"http://127.0.0.1:{default_sim.port}/v1"


def test_only_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        KimiSimulator(host="0.0.0.0")


def test_unknown_path_and_method(client: httpx.Client) -> None:
    response = client.get("/nothing/here")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "resource_not_found_error"
    response = client.get("/chat/completions")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_request_log(sim: KimiSimulator, client: httpx.Client, chat: Chat) -> None:
    chat(messages=[{"role": "user", "content": "logged"}])
    client.get("/models", params={"limit": "3"})
    first, second = sim.requests
    assert first.method == "POST"
    assert first.path == "/v1/chat/completions"
    assert first.headers["authorization"] == f"Bearer {API_KEY}"
    assert first.json["messages"] == [{"role": "user", "content": "logged"}]
    assert second.method == "GET"
    assert second.query == {"limit": "3"}
    assert second.json is None
    sim.clear_requests()
    assert sim.requests == []


def test_scripted_fault(sim: KimiSimulator, chat: Chat) -> None:
    sim.fail_next(429, "rate_limit_reached_error", "slow down", headers={"Retry-After": "1"})
    response = chat()
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"] == {"message": "slow down", "type": "rate_limit_reached_error"}
    assert chat().status_code == 200


def _raw(sim: KimiSimulator, payload: bytes) -> bytes:
    with socket.create_connection((sim.host, sim.port), timeout=5) as conn:
        conn.sendall(payload)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
        return data


def _post(body: bytes, version: str = "HTTP/1.1", extra: str = "") -> bytes:
    head = (
        f"POST /v1/chat/completions {version}\r\nHost: x\r\nAuthorization: Bearer {API_KEY}\r\n"
        f"Content-Type: application/json\r\nConnection: close\r\n{extra}"
    )
    if "chunked" not in extra:
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def test_http10_stream_is_close_delimited(sim: KimiSimulator) -> None:
    body = json.dumps({**BODY, "stream": True}).encode()
    raw = _raw(sim, _post(body, "HTTP/1.0"))
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert b"transfer-encoding" not in head.lower()
    assert b"text/event-stream" in head
    events = parse_sse(payload.decode())
    assert events[-1] == "[DONE]"


def test_chunked_request_body_and_chunked_stream(sim: KimiSimulator) -> None:
    body = json.dumps({**BODY, "stream": True}).encode()
    framed = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    raw = _raw(sim, _post(framed, extra="Transfer-Encoding: chunked\r\n"))
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"Transfer-Encoding: chunked" in head
    assert payload.endswith(b"0\r\n\r\n")


def test_keep_alive_reuses_the_connection(sim: KimiSimulator) -> None:
    request = _post(json.dumps(BODY).encode()).replace(b"Connection: close", b"Connection: x")
    with socket.create_connection((sim.host, sim.port), timeout=5) as conn:
        for _ in range(3):
            conn.sendall(request)
            head = b""
            while b"\r\n\r\n" not in head:
                head += conn.recv(1)
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            body = b""
            while len(body) < length:
                body += conn.recv(length - len(body))
            assert json.loads(body)["object"] == "chat.completion"


def test_stop_is_prompt_and_idempotent() -> None:
    local = KimiSimulator(chunk_delay=0.2).start()
    conn = socket.create_connection((local.host, local.port), timeout=5)
    body = json.dumps({**BODY, "stream": True}).encode()
    conn.sendall(_post(body).replace(API_KEY.encode(), b"sk-simulator"))
    assert conn.recv(100).startswith(b"HTTP/1.1 200")  # the stream is open and slow
    started = time.monotonic()
    local.stop()
    local.stop()
    assert time.monotonic() - started < 2
    conn.settimeout(2)
    while conn.recv(65536):
        pass  # the server closed the connection
    conn.close()


def test_cli_serves_and_exits_on_ctrl_c() -> None:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(
        [sys.executable, "-m", "onesdk_kimi.simulator", "--port", "0", "--api-key", "sk-cli"],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("Kimi simulator listening on http://127.0.0.1:")
        base_url = line.rsplit(" ", 1)[1]
        assert base_url.endswith("/v1")
        response = httpx.get(f"{base_url}/models", headers={"Authorization": "Bearer sk-cli"})
        assert response.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_client_disconnect_mid_stream_leaves_the_server_healthy() -> None:
    with KimiSimulator(api_key=API_KEY, chunk_delay=0.05) as slow:
        body = json.dumps({**BODY, "stream": True}).encode()
        for _ in range(5):
            conn = socket.create_connection((slow.host, slow.port), timeout=5)
            conn.sendall(_post(body))
            assert conn.recv(100).startswith(b"HTTP/1.1 200")
            conn.close()  # hang up while chunks are still coming
        time.sleep(0.2)
        response = httpx.post(
            f"{slow.base_url}/chat/completions",
            json=BODY,
            headers={"Authorization": f"Bearer {API_KEY}"},
        )
        assert response.status_code == 200


def test_malformed_request_line_gets_a_kimi_error(sim: KimiSimulator) -> None:
    raw = _raw(sim, b"NONSENSE\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"Msh-Request-Id" in head
    assert json.loads(body)["error"]["type"] == "invalid_request_error"


async def test_idle_keep_alive_connections_are_closed() -> None:
    async def handler(_: Request) -> Response:
        return Response(200, b"{}")

    server = HttpServer(handler, idle_timeout=0.1)
    port = await server.start("127.0.0.1", 0)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed without a request
        writer.close()
    finally:
        await server.close()
