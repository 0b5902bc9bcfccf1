"""Hook plugins in a running client: the built-ins over real HTTP, a plugin that raises, a
plugin that does not match the contract, and the no-plugin fast path."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from onesdk import (
    AsyncOneSDK,
    InvokeConfigError,
    InvokeConnectionError,
    InvokeModelNotFoundError,
    OneSDK,
    hookimpl,
    register_plugin,
    registry,
    unregister_plugin,
)
from onesdk.plugins import CallLog, UsageAccounting
from onesdk_kimi.simulator import KimiSimulator

MODEL = "kimi-k2-turbo-preview"
MESSAGES = [{"role": "user", "content": "Hi"}]


@pytest.fixture
def client(sim: KimiSimulator) -> Iterator[OneSDK]:
    sim.clear_faults()
    with OneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url}) as sdk:
        transport = sdk._transport
        transport.retry_policy = dataclasses.replace(
            transport.retry_policy, initial_delay=0.001, max_delay=0.005
        )
        yield sdk
    sim.clear_faults()


@pytest.fixture
def plugged() -> Iterator[list[object]]:
    """Plugins appended here are registered by the test and unregistered afterwards."""
    plugins: list[object] = []
    yield plugins
    for plugin in plugins:
        unregister_plugin(plugin)


def plug(plugins: list[object], plugin: object, name: str) -> Any:
    register_plugin(plugin, name=name)
    plugins.append(plugin)
    return plugin


def call_records(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [r.onesdk_call for r in caplog.records if r.name == "onesdk.calls"]  # type: ignore[attr-defined]


def test_no_plugin_means_no_hook_relay_at_all(plugged: list[object]) -> None:
    assert registry.active_hooks() is None
    account = plug(plugged, UsageAccounting(), "usage")
    assert registry.active_hooks() is not None
    unregister_plugin(plugged.pop())
    assert registry.active_hooks() is None
    assert account.totals() == {}


def test_usage_accounting_counts_replies_and_streams(client: OneSDK, plugged: list[object]) -> None:
    account = plug(plugged, UsageAccounting(prices={MODEL: (1.0, 2.0)}), "usage")
    reply = client.generate(MODEL, MESSAGES)
    with client.stream_generate(MODEL, MESSAGES) as stream:
        streamed = stream.final_response()
    client.count_tokens(MODEL, MESSAGES)  # no usage: not counted
    assert reply.usage is not None and streamed.usage is not None
    usage = account.totals()[MODEL]
    assert usage.calls == 2
    assert usage.prompt_tokens == reply.usage.prompt_tokens + streamed.usage.prompt_tokens
    assert usage.completion_tokens == (
        reply.usage.completion_tokens + streamed.usage.completion_tokens
    )
    assert usage.cost == pytest.approx(
        (usage.prompt_tokens * 1.0 + usage.completion_tokens * 2.0) / 1_000_000
    )


async def test_usage_accounting_counts_async_calls(
    sim: KimiSimulator, plugged: list[object]
) -> None:
    account = plug(plugged, UsageAccounting(), "usage")
    async with AsyncOneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url}) as sdk:
        await sdk.generate(MODEL, MESSAGES)
        async with sdk.stream_generate(MODEL, MESSAGES) as stream:
            await stream.text()
    assert account.totals()[MODEL].calls == 2


def test_call_log_writes_one_record_per_call_retries_included(
    client: OneSDK, sim: KimiSimulator, plugged: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    plug(plugged, CallLog(), "call-log")
    sim.inject("overloaded", times=2)
    with caplog.at_level(logging.INFO, logger="onesdk.calls"):
        reply = client.generate(MODEL, MESSAGES)
    (record,) = call_records(caplog)
    assert record["status"] == "ok"
    assert record["retries"] == 2
    assert record["request_id"] == reply.request_id
    assert record["model"] == MODEL
    assert record["usage"]["prompt_tokens"] == reply.usage.prompt_tokens  # type: ignore[union-attr]
    assert record["elapsed"] > 0


def test_call_log_records_a_stream_when_it_ends(
    client: OneSDK, plugged: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    plug(plugged, CallLog(), "call-log")
    with caplog.at_level(logging.INFO, logger="onesdk.calls"):
        stream = client.stream_generate(MODEL, MESSAGES)
        assert call_records(caplog) == []  # nothing sent yet
        with stream:
            stream.text()
    (record,) = call_records(caplog)
    assert (record["operation"], record["status"]) == ("stream_generate", "ok")
    assert record["request_id"] == stream.request_id
    assert record["usage"]["completion_tokens"] > 0


def test_call_log_records_a_failure_with_its_model(
    client: OneSDK, plugged: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    plug(plugged, CallLog(), "call-log")
    with (
        caplog.at_level(logging.INFO, logger="onesdk.calls"),
        pytest.raises(InvokeModelNotFoundError),
    ):
        client.generate("no-such-model", MESSAGES)
    (record,) = call_records(caplog)
    assert record["status"] == "error"
    assert record["model"] == "no-such-model"
    assert record["status_code"] == 404
    assert record["error"].startswith("InvokeModelNotFoundError")


def test_call_log_records_a_stream_retried_before_its_first_chunk(
    client: OneSDK, sim: KimiSimulator, plugged: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    plug(plugged, CallLog(), "call-log")
    sim.inject("drop", times=1)
    with (
        caplog.at_level(logging.INFO, logger="onesdk.calls"),
        client.stream_generate(MODEL, MESSAGES) as stream,
    ):
        stream.text()
    (record,) = call_records(caplog)
    assert (record["status"], record["retries"]) == ("ok", 1)


def test_call_log_records_a_stream_broken_mid_way_once(
    client: OneSDK, plugged: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    plug(plugged, CallLog(), "call-log")
    fault = {"X-Kimi-Sim-Fault": "disconnect;after=2"}
    with (
        caplog.at_level(logging.INFO, logger="onesdk.calls"),
        pytest.raises(InvokeConnectionError),
        client.stream_generate(MODEL, MESSAGES, extra_headers=fault) as stream,
    ):
        stream.text()
    (record,) = call_records(caplog)
    assert (record["operation"], record["status"]) == ("stream_generate", "error")
    assert record["error"].startswith("InvokeConnectionError")
    assert record["request_id"] is not None


def test_a_stream_closed_early_is_not_logged(
    client: OneSDK, plugged: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    plug(plugged, CallLog(), "call-log")
    with (
        caplog.at_level(logging.INFO, logger="onesdk.calls"),
        client.stream_generate(MODEL, MESSAGES) as stream,
    ):
        next(stream)
    assert call_records(caplog) == []


def test_call_log_never_carries_the_key_or_the_prompt(
    client: OneSDK, sim: KimiSimulator, plugged: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    plug(plugged, CallLog(), "call-log")
    secret_prompt = [{"role": "user", "content": "my password is hunter2"}]
    with caplog.at_level(logging.DEBUG, logger="onesdk.calls"):
        client.generate(MODEL, secret_prompt)
    (record,) = [r for r in caplog.records if r.name == "onesdk.calls"]
    text = record.getMessage() + repr(record.__dict__)
    assert sim.api_key not in text
    assert "hunter2" not in text


class Exploding:
    @hookimpl
    def onesdk_before_request(self, provider: str) -> None:
        raise RuntimeError("plugin bug")

    @hookimpl
    def onesdk_after_response(self) -> None:
        raise KeyError("another plugin bug")

    @hookimpl
    def onesdk_on_response(self) -> None:
        raise ValueError("and another")

    @hookimpl
    def onesdk_on_stream_end(self) -> None:
        raise ZeroDivisionError

    @hookimpl
    def onesdk_on_error(self) -> None:
        raise TypeError("even here")


def test_a_raising_plugin_does_not_break_the_call_and_is_named_in_a_warning(
    client: OneSDK, plugged: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    account = plug(plugged, UsageAccounting(), "usage")  # called after the exploding one
    plug(plugged, Exploding(), "exploding")
    later = plug(plugged, UsageAccounting(), "usage-registered-later")  # called before it
    with caplog.at_level(logging.WARNING, logger="onesdk.plugins"):
        assert client.generate(MODEL, MESSAGES).text
        with client.stream_generate(MODEL, MESSAGES) as stream:
            assert stream.text()
        with pytest.raises(InvokeModelNotFoundError):
            client.generate("no-such-model", MESSAGES)
    warnings = [r.getMessage() for r in caplog.records if r.name == "onesdk.plugins"]
    assert all(r.levelno == logging.WARNING for r in caplog.records if r.name == "onesdk.plugins")
    assert any("'exploding'" in w and "onesdk_before_request" in w for w in warnings)
    assert any("RuntimeError: plugin bug" in w for w in warnings)
    for hook in ("onesdk_after_response", "onesdk_on_response", "onesdk_on_stream_end"):
        assert any(hook in w and "'exploding'" in w for w in warnings), hook
    assert any("onesdk_on_error" in w and "TypeError" in w for w in warnings)
    # The other plugins are each told once, whichever side of the raising one they run.
    assert account.totals()[MODEL].calls == 2
    assert later.totals()[MODEL].calls == 2


async def test_a_raising_plugin_does_not_break_async_calls(
    sim: KimiSimulator, plugged: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    plug(plugged, Exploding(), "exploding")
    async with AsyncOneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url}) as sdk:
        with caplog.at_level(logging.WARNING, logger="onesdk.plugins"):
            assert (await sdk.generate(MODEL, MESSAGES)).text
            async with sdk.stream_generate(MODEL, MESSAGES) as stream:
                assert await stream.text()
    assert any("'exploding'" in r.getMessage() for r in caplog.records)


class Misspelt:
    @hookimpl
    def onesdk_befor_request(self, provider: str) -> None:
        pass


class WrongArgument:
    @hookimpl
    def onesdk_before_request(self, provider: str, headers: dict[str, str]) -> None:
        pass


def test_a_misspelt_hook_is_refused_naming_the_plugin_and_the_hook() -> None:
    with pytest.raises(InvokeConfigError) as caught:
        register_plugin(Misspelt(), name="typo-plugin")
    message = caught.value.message
    assert "'typo-plugin'" in message
    assert "'onesdk_befor_request' is no hook" in message
    assert "did you mean 'onesdk_before_request'" in message
    assert registry.active_hooks() is None  # nothing half-registered
    assert registry.plugin_manager().get_plugin("typo-plugin") is None


def test_an_argument_the_hook_does_not_offer_is_refused() -> None:
    with pytest.raises(InvokeConfigError) as caught:
        register_plugin(WrongArgument(), name="wrong-argument")
    assert "'wrong-argument'" in caught.value.message
    assert "headers" in caught.value.message
    assert registry.plugin_manager().get_plugin("wrong-argument") is None


def test_registering_one_plugin_twice_is_a_config_error(plugged: list[object]) -> None:
    account = plug(plugged, UsageAccounting(), "usage")
    with pytest.raises(InvokeConfigError, match="already registered"):
        register_plugin(account, name="usage-again")
