"""Fault injection on the wire: what each named fault sends, per request and per server."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from onesdk_kimi.simulator import KimiSimulator
from onesdk_kimi.simulator.faults import FAULT_NAMES

Chat = Callable[..., httpx.Response]

BODY = {"model": "kimi-k2-turbo-preview", "messages": [{"role": "user", "content": "Hello"}]}


def _fault(client: httpx.Client, fault: str, **body: object) -> httpx.Response:
    return client.post(
        "/chat/completions", json={**BODY, **body}, headers={"X-Kimi-Sim-Fault": fault}
    )


def test_every_fault_is_documented_in_the_module_docstring() -> None:
    import onesdk_kimi.simulator as package
    from onesdk_kimi.simulator import faults

    for name in FAULT_NAMES:
        assert f"``{name}``" in (faults.__doc__ or ""), name
        assert f"`{name}`" in (package.__doc__ or ""), name


def test_unknown_fault_header_is_a_400_naming_the_known_ones(client: httpx.Client) -> None:
    response = _fault(client, "gremlins")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert "gremlins" in error["message"]
    assert "disconnect" in error["message"]


def test_unknown_fault_parameter_is_a_400(client: httpx.Client) -> None:
    assert _fault(client, "slow;speed=3").status_code == 400
    assert _fault(client, "slow;delay=soon").status_code == 400


def test_inject_refuses_bad_names_at_once(sim: KimiSimulator) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        sim.inject("gremlins")
    with pytest.raises(ValueError, match="takes no parameter"):
        sim.inject("drop", delay=1)


def test_error_fault_sends_kimis_body_and_status(client: httpx.Client) -> None:
    response = _fault(client, "error;status=503;type=server_unavailable;message=down")
    assert response.status_code == 503
    assert response.json() == {"error": {"message": "down", "type": "server_unavailable"}}
    assert response.headers["msh-request-id"]


def test_rate_limit_sends_retry_after_verbatim(client: httpx.Client) -> None:
    response = _fault(client, "rate_limit;retry_after=Wed, 21 Oct 2015 07:28:00 GMT")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert response.json()["error"]["type"] == "rate_limit_reached_error"


def test_html_502_is_an_html_page(client: httpx.Client) -> None:
    response = _fault(client, "html_502")
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert response.text.startswith("<html>")


def test_truncated_stream_ends_cleanly_without_done(client: httpx.Client) -> None:
    response = _fault(client, "truncate", stream=True)
    assert response.status_code == 200
    assert "data: {" in response.text
    assert "[DONE]" not in response.text


def test_truncated_body_is_half_of_valid_json(client: httpx.Client) -> None:
    response = _fault(client, "truncate")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_malformed_json_body(client: httpx.Client) -> None:
    response = _fault(client, "malformed_json")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_oversized_stream_starts_with_one_long_line(client: httpx.Client) -> None:
    response = _fault(client, "oversized;size=100000", stream=True)
    first = response.text.split("\n", 1)[0]
    assert len(first) == len("data: ") + 100_000
    assert response.text.endswith("data: [DONE]\n\n")


def test_oversized_body_is_padded_valid_json(client: httpx.Client) -> None:
    response = _fault(client, "oversized;size=5000")
    assert len(response.content) > 5000
    assert response.json()["object"] == "chat.completion"


def test_disconnect_mid_body_raises_in_a_raw_client(client: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        _fault(client, "disconnect")


def test_drop_answers_nothing(client: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        _fault(client, "drop")


def test_slow_delays_the_headers(client: httpx.Client) -> None:
    with pytest.raises(httpx.ReadTimeout):
        client.post(
            "/chat/completions",
            json=BODY,
            headers={"X-Kimi-Sim-Fault": "slow;delay=0.5"},
            timeout=0.1,
        )


def test_queued_fault_hits_only_its_path_and_only_n_times(
    sim: KimiSimulator, client: httpx.Client, chat: Chat
) -> None:
    sim.inject("overloaded", times=2, path="/v1/chat/completions")
    assert client.get("/models").status_code == 200
    assert chat().status_code == 429
    assert chat().status_code == 429
    assert chat().status_code == 200


def test_a_header_fault_leaves_the_queue_alone(
    sim: KimiSimulator, client: httpx.Client, chat: Chat
) -> None:
    sim.inject("overloaded")
    assert _fault(client, "html_502").status_code == 502
    assert chat().status_code == 429
    assert chat().status_code == 200


def test_inject_parameters_in_the_name_or_as_keywords(sim: KimiSimulator, chat: Chat) -> None:
    sim.inject("error;status=504", type="server_error")
    assert chat().status_code == 504
    sim.inject("error", status=409)
    assert chat().status_code == 409
    sim.clear_faults()
