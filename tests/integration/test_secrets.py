"""The API key never shows: not in a repr, str, log record, exception, pickle or traceback.

Sweeps every error path the simulator can produce (each fault, for each kind of operation),
connection and configuration failures and a server that echoes the key back, with DEBUG
logging on for onesdk, httpx and httpcore. Plain http:// to a remote host is refused.
"""

from __future__ import annotations

import dataclasses
import logging
import pickle
import socket
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

from onesdk import (
    InvokeConfigError,
    InvokeError,
    OneSDK,
    hookimpl,
    register_plugin,
    unregister_plugin,
)
from onesdk.provider import Request
from onesdk_kimi.simulator import KimiSimulator

SECRET = "sk-SECRET-8f1e2d3c4b5a69788796a5b4c3d2e1f0"
WRONG = "sk-WRONG-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
MODEL = "moonshot-v1-8k"
MESSAGES = [{"role": "user", "content": "Hello"}]
FAULTS = [
    "error;status=500",
    "error;status=401;type=invalid_authentication_error",
    f"error;status=401;type=incorrect_api_key_error;message=Incorrect API key provided: {SECRET}",
    f"error;status=400;type=invalid_request_error;message=bad header Bearer {SECRET}",
    "rate_limit;retry_after=0",
    "overloaded",
    "quota",
    "html_502",
    "slow;delay=0.3",
    "drop",
    "disconnect;after=1",
    "truncate",
    "malformed_json",
    "oversized;size=70000",
]


def leaks(text: str) -> bool:
    return SECRET in text or WRONG in text or SECRET[8:] in text or WRONG[8:] in text


@pytest.fixture(scope="module")
def secret_sim() -> Iterator[KimiSimulator]:
    with KimiSimulator(api_key=SECRET) as simulator:
        yield simulator


@pytest.fixture
def client(secret_sim: KimiSimulator) -> Iterator[OneSDK]:
    config = {"api_key": SECRET, "base_url": secret_sim.base_url, "timeout": 2}
    with OneSDK("kimi", config) as sdk:
        transport = sdk._transport
        transport.retry_policy = dataclasses.replace(
            transport.retry_policy, initial_delay=0.001, max_delay=0.002
        )
        transport.max_event_bytes = transport.max_body_bytes = 64 * 1024
        yield sdk


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    for name in ("onesdk", "httpx", "httpcore", "hpack", ""):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog
    records = caplog.get_records("setup") + caplog.get_records("call")
    for record in records:
        assert not leaks(record.getMessage()), record.getMessage()
        assert not leaks(repr(record.args)), record.args
        if record.exc_info:
            assert not leaks("".join(traceback.format_exception(*record.exc_info)))
    assert records, "DEBUG logging captured nothing: the sweep would prove nothing"


def check_error(error: BaseException) -> None:
    """No trace of the key anywhere the user (or a log, or a worker) can see the error."""
    assert isinstance(error, InvokeError), repr(error)
    shown = [
        str(error),
        repr(error),
        repr(error.args),
        repr(vars(error)),
        "".join(traceback.format_exception(type(error), error, error.__traceback__)),
    ]
    for text in shown:
        assert not leaks(text), text
    assert SECRET.encode() not in pickle.dumps(error)
    assert WRONG.encode() not in pickle.dumps(error)
    restored = pickle.loads(pickle.dumps(error))
    assert not leaks(repr(vars(restored)))
    link: BaseException | None = error  # the chain a debugger or `raise ... from` shows
    while link is not None:
        assert not leaks(str(link)), repr(link)
        assert not leaks(repr(link)), repr(link)
        link = link.__cause__ or link.__context__


def run(client: OneSDK, operation: str, **options: Any) -> None:
    if operation == "generate":
        client.generate(MODEL, MESSAGES, **options)
    elif operation == "stream_generate":
        with client.stream_generate(MODEL, MESSAGES, **options) as stream:
            for _ in stream:
                pass
    elif operation == "count_tokens":
        client.count_tokens(MODEL, MESSAGES, **options)
    else:
        client.invoke("list_caches", **options)


@pytest.mark.parametrize("operation", ["generate", "stream_generate", "count_tokens", "caches"])
@pytest.mark.parametrize("fault", FAULTS)
def test_no_error_path_shows_the_key(
    client: OneSDK, fault: str, operation: str, debug_logs: pytest.LogCaptureFixture
) -> None:
    options = {"extra_headers": {"X-Kimi-Sim-Fault": fault}, "timeout": 0.2, "max_retries": 1}
    with pytest.raises(InvokeError) as caught:
        run(client, operation, **options)
    check_error(caught.value)


def test_a_wrong_key_is_not_shown_either(
    secret_sim: KimiSimulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    with OneSDK("kimi", {"api_key": WRONG, "base_url": secret_sim.base_url}) as sdk:
        for operation in ("generate", "stream_generate", "count_tokens", "caches"):
            with pytest.raises(InvokeError) as caught:
                run(sdk, operation)
            assert caught.value.status_code == 401
            check_error(caught.value)


def test_connection_refused_does_not_show_the_key(debug_logs: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = {"api_key": SECRET, "base_url": f"http://127.0.0.1:{port}/v1", "max_retries": 0}
    with OneSDK("kimi", config) as sdk, pytest.raises(InvokeError) as caught:
        sdk.generate(MODEL, MESSAGES)
    check_error(caught.value)


def test_a_successful_call_logs_nothing_secret(
    client: OneSDK, debug_logs: pytest.LogCaptureFixture
) -> None:
    client.generate(MODEL, MESSAGES)
    with client.stream_generate(MODEL, MESSAGES) as stream:
        assert stream.text()
    assert client.count_tokens(MODEL, MESSAGES) > 0


@pytest.mark.parametrize("tail", ["\nX-Injected: 1", "\r\n\tx", "\x00", "é"])
def test_a_key_that_cannot_be_a_header_is_refused_without_showing_it(tail: str) -> None:
    # Were it sent, the HTTP library would quote it in its error and its DEBUG log.
    with pytest.raises(InvokeConfigError, match="cannot be sent") as caught:
        OneSDK("kimi", {"api_key": SECRET + tail + "more", "base_url": "http://127.0.0.1:9/v1"})
    check_error(caught.value)


def test_a_key_pasted_with_a_trailing_newline_is_trimmed(secret_sim: KimiSimulator) -> None:
    with OneSDK("kimi", {"api_key": f"  {SECRET}\n", "base_url": secret_sim.base_url}) as sdk:
        assert sdk.generate(MODEL, MESSAGES).text


@pytest.mark.parametrize(
    "config",
    [
        {"base_url": "not a url"},
        {"base_url": "ftp://example.com"},
        {"base_url": "http://api.moonshot.cn/v1"},
        {"timeout": -1},
        {"max_retries": "many"},
        {"unknown_key": SECRET},
    ],
)
def test_configuration_errors_do_not_show_the_key(config: dict[str, Any]) -> None:
    with pytest.raises(InvokeConfigError) as caught:
        OneSDK("kimi", {"api_key": SECRET, **config})
    check_error(caught.value)


def test_client_config_and_transport_do_not_show_the_key(client: OneSDK) -> None:
    for thing in (client, client.config, client.provider, client._transport):
        assert not leaks(repr(thing)), repr(thing)
        assert not leaks(str(thing)), str(thing)
    assert not leaks(repr(client.config.api_key))
    assert SECRET.encode() not in pickle.dumps(client.config)
    assert pickle.loads(pickle.dumps(client.config)).api_key == ""
    with pytest.raises(TypeError):
        pickle.dumps(client)


def test_hooks_see_requests_without_credentials(client: OneSDK) -> None:
    seen: list[Request] = []

    class Spy:
        @hookimpl
        def onesdk_before_request(self, provider: str, operation: str, request: Request) -> None:
            seen.append(request)

    spy = Spy()
    register_plugin(spy, name="secret-spy")
    try:
        client.generate(MODEL, MESSAGES)
    finally:
        unregister_plugin(spy)
    assert seen
    for request in seen:
        assert not leaks(repr(request))


# --- plain http ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://api.moonshot.cn/v1", "http://10.0.0.8:8000/v1", "http://[2001:db8::1]/v1"]
)
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(InvokeConfigError, match="allow_insecure_http") as caught:
        OneSDK("kimi", {"api_key": SECRET, "base_url": url})
    check_error(caught.value)


def test_plain_http_from_the_environment_is_refused_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOONSHOT_BASE_URL", "http://api.moonshot.cn/v1")
    with pytest.raises(InvokeConfigError, match="unencrypted"):
        OneSDK("kimi", {"api_key": SECRET})


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/v1", "http://localhost/v1", "http://[::1]:9/v1"]
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    with OneSDK("kimi", {"api_key": SECRET, "base_url": url}) as sdk:
        assert sdk.config.base_url == url


def test_plain_http_to_a_remote_host_when_explicitly_allowed() -> None:
    config = {"api_key": SECRET, "base_url": "http://10.0.0.8/v1", "allow_insecure_http": True}
    with OneSDK("kimi", config) as sdk:
        assert sdk.config.allow_insecure_http
