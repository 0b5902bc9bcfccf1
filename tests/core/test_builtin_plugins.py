"""The built-in hook plugins on plain data: UsageAccounting's sums and prices, CallLog's records."""

from __future__ import annotations

import logging

import pytest

from onesdk import ChatResponse, InvokeRateLimitError, Request, Response, Usage
from onesdk.plugins import CallLog, ModelUsage, UsageAccounting

MODEL = "kimi-k2-turbo-preview"
REQUEST = Request("POST", "/chat/completions", json={"model": MODEL, "messages": []})


def reply(prompt: int, completion: int, cached: int = 0, model: str = MODEL) -> ChatResponse:
    usage = Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        cached_tokens=cached,
    )
    return ChatResponse(id="r", model=model, choices=[], usage=usage)


def test_accounting_sums_tokens_and_calls_per_model() -> None:
    account = UsageAccounting()
    account.onesdk_on_response(request=REQUEST, result=reply(10, 5, cached=4))
    account.onesdk_on_stream_end(
        request=REQUEST,
        response=reply(0, 0),
        usage=Usage(prompt_tokens=3, completion_tokens=2, total_tokens=5),
    )
    account.onesdk_on_response(request=REQUEST, result=reply(1, 1, model="other"))
    assert account.totals() == {
        MODEL: ModelUsage(calls=2, prompt_tokens=13, completion_tokens=7, cached_tokens=4),
        "other": ModelUsage(calls=1, prompt_tokens=1, completion_tokens=1),
    }
    assert account.total().total_tokens == 22
    assert account.total().cost is None  # no prices given


def test_accounting_prices_per_million_tokens_with_cheaper_cached_input() -> None:
    account = UsageAccounting(prices={MODEL: (1.0, 4.0, 0.25)})
    account.onesdk_on_response(request=REQUEST, result=reply(1_000_000, 500_000, cached=400_000))
    # 600k fresh input at 1.0/M + 400k cached at 0.25/M + 500k output at 4.0/M
    assert account.totals()[MODEL].cost == pytest.approx(0.6 + 0.1 + 2.0)


def test_accounting_bills_cached_input_at_the_input_price_when_none_is_given() -> None:
    account = UsageAccounting(prices={MODEL: (2.0, 8.0)})
    account.onesdk_on_response(request=REQUEST, result=reply(1_000_000, 0, cached=500_000))
    assert account.totals()[MODEL].cost == pytest.approx(2.0)


def test_accounting_ignores_results_without_usage() -> None:
    account = UsageAccounting()
    account.onesdk_on_response(request=REQUEST, result=42)  # count_tokens returns an int
    account.onesdk_on_stream_end(request=REQUEST, response=reply(0, 0), usage=None)
    assert account.totals() == {}


def test_accounting_names_the_requested_model_when_the_reply_names_none() -> None:
    account = UsageAccounting()
    account.onesdk_on_response(request=REQUEST, result=reply(1, 1, model=""))
    assert list(account.totals()) == [MODEL]


def test_accounting_totals_are_copies_and_reset_forgets() -> None:
    account = UsageAccounting()
    account.onesdk_on_response(request=REQUEST, result=reply(1, 1))
    snapshot = account.totals()
    account.onesdk_on_response(request=REQUEST, result=reply(1, 1))
    assert snapshot[MODEL].calls == 1
    account.reset()
    assert account.totals() == {}


def test_accounting_report_is_a_table_with_a_total_line() -> None:
    account = UsageAccounting(prices={MODEL: (1.0, 1.0)})
    account.onesdk_on_response(request=REQUEST, result=reply(1_000_000, 1_000_000))
    lines = account.report().splitlines()
    assert lines[0].split() == ["model", "calls", "prompt", "cached", "completion", "cost"]
    assert lines[1].split() == [MODEL, "1", "1000000", "0", "1000000", "2.000000"]
    assert lines[2].split()[0] == "total"


def records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "onesdk.calls"]


def test_call_log_writes_one_record_with_every_field(caplog: pytest.LogCaptureFixture) -> None:
    response = Response(200, {"authorization": "Bearer sk-secret"}, b"{}", "req-1")
    with caplog.at_level(logging.INFO, logger="onesdk.calls"):
        CallLog().onesdk_on_response(
            provider="kimi",
            operation="generate",
            request=REQUEST,
            response=response,
            result=reply(7, 3, cached=2),
            elapsed=0.25,
            retries=1,
        )
    (record,) = records(caplog)
    assert record.levelno == logging.INFO
    assert record.onesdk_call == {  # type: ignore[attr-defined]
        "provider": "kimi",
        "operation": "generate",
        "model": MODEL,
        "status": "ok",
        "status_code": 200,
        "elapsed": 0.25,
        "request_id": "req-1",
        "retries": 1,
        "usage": {
            "prompt_tokens": 7,
            "completion_tokens": 3,
            "cached_tokens": 2,
            "total_tokens": 10,
        },
        "error": None,
    }
    assert "sk-secret" not in record.getMessage()


def test_call_log_records_a_failure_at_warning_without_its_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = InvokeRateLimitError(
        "slow down, you sent: my private prompt",
        status_code=429,
        error_type="rate_limit_reached_error",
        request_id="req-2",
    )
    with caplog.at_level(logging.INFO, logger="onesdk.calls"):
        CallLog().onesdk_on_error(
            provider="kimi",
            operation="generate",
            error=error,
            request=REQUEST,
            elapsed=1.5,
            retries=2,
        )
    (record,) = records(caplog)
    assert record.levelno == logging.WARNING
    fields = record.onesdk_call  # type: ignore[attr-defined]
    assert fields["status"] == "error"
    assert fields["error"] == "InvokeRateLimitError (rate_limit_reached_error)"
    assert (fields["status_code"], fields["request_id"], fields["retries"]) == (429, "req-2", 2)
    assert "private prompt" not in record.getMessage()


def test_call_log_costs_nothing_when_its_logger_is_off(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="onesdk.calls"):
        CallLog().log(logging.INFO, usage=None)  # would fail on missing fields if it formatted
    assert records(caplog) == []
