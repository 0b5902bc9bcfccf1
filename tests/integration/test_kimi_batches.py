"""Kimi batches over real HTTP against the simulator: create, progress, results, cancel, paging."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from onesdk import (
    AsyncOneSDK,
    Batch,
    InvokeBadRequestError,
    InvokeContextLengthError,
    InvokeError,
    InvokeNotFoundError,
    InvokeTimeoutError,
    OneSDK,
)
from onesdk_kimi.simulator import KimiSimulator

MODEL = "kimi-k2.5"
QUESTIONS = ["What is a batch?", "Why are batches cheaper?", "When are results ready?"]


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


@pytest.fixture
def slow(sim: KimiSimulator) -> Iterator[KimiSimulator]:
    """Lines take an hour each (simulated), so a batch stays in progress until time moves."""
    store = sim.state.batches
    saved = store.line_delay
    store.line_delay = 3600.0
    try:
        yield sim
    finally:
        store.line_delay = saved


@pytest.fixture
def fresh() -> Iterator[OneSDK]:
    """A client on a simulator of its own, so listings only show this test's batches."""
    with (
        KimiSimulator() as own,
        OneSDK("kimi", {"api_key": own.api_key, "base_url": own.base_url}) as client,
    ):
        yield client


def test_create_uploads_jsonl_of_generate_bodies_then_creates(
    kimi: OneSDK, sim: KimiSimulator
) -> None:
    batch = kimi.create_batch(
        [{"messages": user(q), "max_tokens": 50} for q in QUESTIONS],
        model=MODEL,
        completion_window="12h",
        metadata={"job": "docs"},
    )
    assert batch.id.startswith("batch_")
    assert batch.status == "validating"
    assert batch.request_counts.total == 3
    assert batch["metadata"] == {"job": "docs"}
    upload, create = sim.requests
    assert upload.path == "/v1/files"
    assert b'name="purpose"\r\n\r\nbatch' in upload.body
    assert create.path == "/v1/batches"
    assert create.json == {
        "input_file_id": batch.input_file_id,
        "endpoint": "/v1/chat/completions",
        "completion_window": "12h",
        "metadata": {"job": "docs"},
    }
    kimi.generate(MODEL, user(QUESTIONS[0]), max_tokens=50)
    chat_body = sim.requests[-1].json
    lines = kimi.invoke("get_batch_file", batch.input_file_id)
    assert [line["custom_id"] for line in lines] == ["request-1", "request-2", "request-3"]
    assert lines[0] == {
        "custom_id": "request-1",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": chat_body,
    }


def test_wait_reports_progress_and_results_equal_generate(kimi: OneSDK) -> None:
    requests: list[Any] = [("b", user(QUESTIONS[1])), ("a", user(QUESTIONS[0]))]
    requests.append({"custom_id": "c", "messages": user(QUESTIONS[2]), "stop": ["ready"]})
    batch = kimi.create_batch(requests, model=MODEL)
    seen: list[Batch] = []
    done = kimi.wait_for_batch(batch, poll_interval=0.02, on_progress=seen.append)
    assert done.status == "completed"
    assert done.completed_at and done.output_file_id and done.error_file_id is None
    assert done.request_counts.completed == 3 and done.request_counts.failed == 0
    statuses = [b.status for b in seen]
    assert statuses[0] == "validating" and statuses[-1] == "completed"
    order = ["validating", "in_progress", "finalizing", "completed"]
    assert [order.index(s) for s in statuses] == sorted(order.index(s) for s in statuses)
    finished = [b.request_counts.completed for b in seen]
    assert finished == sorted(finished)

    results = kimi.batch_results(done)
    assert [r.custom_id for r in results] == ["b", "a", "c"]
    for result, (messages, params) in zip(
        results,
        [
            (user(QUESTIONS[1]), {}),
            (user(QUESTIONS[0]), {}),
            (user(QUESTIONS[2]), {"stop": ["ready"]}),
        ],
        strict=True,
    ):
        assert result.ok and result.error is None and result.exception is None
        assert result.response is not None
        expected = kimi.generate(MODEL, messages, **params)
        got = result.response
        assert got.text == expected.text
        assert got["choices"][0]["message"]["content"] == expected.text
        assert got.choices[0].finish_reason == expected.choices[0].finish_reason
        assert got.usage == expected.usage
        assert got.model == expected.model == MODEL
        assert got.message.reasoning_content == expected.message.reasoning_content
        assert got.request_id and result.id and result.id.startswith("batch_req_")
    assert (
        results[2].response is not None
        and results[2].response.text == "You said: When are results "
    )


def test_failing_lines_land_in_results_as_errors(kimi: OneSDK) -> None:
    batch = kimi.create_batch(
        [
            {"custom_id": "fine", "messages": user("hi")},
            {"custom_id": "too-long", "messages": user("hi"), "max_tokens": 300_000},
            {"custom_id": "also-fine", "messages": user("bye")},
        ],
        model=MODEL,
    )
    done = kimi.wait_for_batch(batch.id, poll_interval=0.02)
    assert done.request_counts.completed == 2 and done.request_counts.failed == 1
    assert done.error_file_id
    fine, too_long, also_fine = kimi.batch_results(done.id)
    assert fine.ok and also_fine.ok
    assert also_fine.response is not None and also_fine.response.text == "You said: bye"
    assert not too_long.ok and too_long.response is None
    assert too_long.status_code == 400
    assert too_long.error is not None and too_long.error.code == "invalid_request_error"
    assert "exceeded model token limit" in (too_long.error.message or "")
    assert isinstance(too_long.exception, InvokeContextLengthError)
    with pytest.raises(InvokeContextLengthError) as caught:
        too_long.raise_for_error()
    # The same error generate raises for the same request.
    with pytest.raises(InvokeContextLengthError) as direct:
        kimi.generate(MODEL, user("hi"), max_tokens=300_000)
    assert caught.value.message == direct.value.message
    fine.raise_for_error()  # no-op


def test_results_survive_a_deleted_input_file(kimi: OneSDK) -> None:
    done = kimi.wait_for_batch(
        kimi.create_batch([("x", user("one")), ("y", user("two"))], model=MODEL),
        poll_interval=0.02,
    )
    kimi.delete_file(done.input_file_id)
    assert [r.custom_id for r in kimi.batch_results(done)] == ["x", "y"]


def test_partial_mode_results_keep_the_prefill_like_generate(kimi: OneSDK) -> None:
    messages = [*user("Say hello"), {"role": "assistant", "content": "You said: ", "partial": True}]
    done = kimi.wait_for_batch(kimi.create_batch([messages], model=MODEL), poll_interval=0.02)
    (result,) = kimi.batch_results(done)
    expected = kimi.generate(MODEL, messages)
    assert result.response is not None
    assert result.response.text == expected.text == "Say hello"
    assert result.response.prefill == expected.prefill == "You said: "
    assert result.response.full_text == expected.full_text


def test_provider_line_shape_is_accepted(kimi: OneSDK) -> None:
    line = {
        "custom_id": "x",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": MODEL, "messages": user("from a file")},
    }
    done = kimi.wait_for_batch(kimi.create_batch([line]), poll_interval=0.02)
    (result,) = kimi.batch_results(done)
    assert result.custom_id == "x"
    assert result.response is not None and result.response.text == "You said: from a file"


def test_cancel_keeps_finished_results(kimi: OneSDK, slow: KimiSimulator) -> None:
    batch = kimi.create_batch([("a", user("one")), ("b", user("two"))], model=MODEL)
    slow.advance_time(3600.5)  # the first line has run, the second has not
    assert kimi.get_batch(batch.id).request_counts.completed == 1
    cancelling = kimi.cancel_batch(batch.id)
    assert cancelling.status == "cancelling" and cancelling.cancelling_at
    done = kimi.wait_for_batch(batch.id, poll_interval=0.02)
    assert done.status == "cancelled" and done.cancelled_at
    first, second = kimi.batch_results(done)
    assert first.ok and first.response is not None
    assert second.error is not None and second.error.code == "batch_cancelled"
    assert isinstance(second.exception, InvokeError)
    with pytest.raises(InvokeBadRequestError, match="cannot be cancelled"):
        kimi.cancel_batch(batch.id)


def test_expired_batch_reports_unrun_requests(kimi: OneSDK, slow: KimiSimulator) -> None:
    batch = kimi.create_batch(
        [(f"r{i}", user(f"q{i}")) for i in range(20)], model=MODEL, completion_window="12h"
    )
    slow.advance_time(13 * 3600)
    done = kimi.wait_for_batch(batch, poll_interval=0.02)
    assert done.status == "expired" and done.expired_at
    assert done.request_counts.completed == 11
    results = kimi.batch_results(done)
    assert [r.ok for r in results] == [True] * 11 + [False] * 9
    assert {r.error.code for r in results[11:] if r.error} == {"batch_expired"}


def test_wait_times_out_and_results_need_a_finished_batch(
    kimi: OneSDK, slow: KimiSimulator
) -> None:
    batch = kimi.create_batch([user("slow")], model=MODEL)
    with pytest.raises(InvokeTimeoutError, match="still"):
        kimi.wait_for_batch(batch, timeout=0.1, poll_interval=0.02)
    with pytest.raises(InvokeBadRequestError, match="wait_for_batch"):
        kimi.batch_results(batch.id)
    kimi.cancel_batch(batch.id)


def test_list_pages_newest_first(fresh: OneSDK) -> None:
    made = [fresh.create_batch([user(f"batch {i}")], model=MODEL) for i in range(3)]
    first = fresh.list_batches(limit=2)
    assert [b.id for b in first] == [made[2].id, made[1].id]
    assert first.has_more
    rest = fresh.list_batches(after=first.last_id, limit=2)
    assert [b.id for b in rest] == [made[0].id]
    assert not rest.has_more
    assert [b.id for b in fresh.list_batches()] == [b.id for b in reversed(made)]


def test_unknown_batch_is_not_found(kimi: OneSDK) -> None:
    with pytest.raises(InvokeNotFoundError) as caught:
        kimi.get_batch("batch_000000000000000000000000")
    assert caught.value.status_code == 404
    with pytest.raises(InvokeNotFoundError):
        kimi.cancel_batch("batch_000000000000000000000000")


@pytest.mark.parametrize(
    ("requests", "options", "match"),
    [
        ([], {}, "at least one request"),
        ("hello", {}, "must be a list"),
        ([user("a"), {"custom_id": "request-1", "messages": user("b")}], {}, "duplicate custom_id"),
        (
            [{"messages": user("a")}, {"messages": user("b"), "model": "kimi-k2.6"}],
            {},
            "one model",
        ),
        ([user("a")], {"model": "kimi-k2-turbo-preview"}, "kimi-k2.5 or kimi-k2.6"),
        ([{"messages": user("a"), "temperature": 1.0}], {}, "temperature must not be set"),
        ([{"messages": user("a"), "temprature": 0.6}], {}, r"requests\[0\].*unknown parameter"),
        (
            [[{"content": "no role"}]],
            {},
            r"requests\[0\] \(request-1\): messages\[0\] has no 'role'",
        ),
        ([user("a")], {"completion_window": "1h"}, "from 12h to 7d"),
        ([user("a")], {"completion_window": "8d"}, "from 12h to 7d"),
        ([user("a")], {"completion_window": "tomorrow"}, "completion_window"),
        ([user("a")], {"metadata": {"k": 1}}, "metadata"),
        ([("", user("a"))], {}, "custom_id must be a non-empty string"),
        ([42], {}, "must be a dict"),
    ],
)
def test_bad_batches_are_refused_before_sending(
    kimi: OneSDK, sim: KimiSimulator, requests: Any, options: dict[str, Any], match: str
) -> None:
    options.setdefault("model", MODEL)
    with pytest.raises(InvokeBadRequestError, match=match):
        kimi.create_batch(requests, **options)
    assert sim.requests == []


def test_no_model_is_refused(kimi: OneSDK, sim: KimiSimulator) -> None:
    with pytest.raises(InvokeBadRequestError, match="no model"):
        kimi.create_batch([user("a")])
    assert sim.requests == []


def test_simulator_refuses_a_file_with_the_wrong_purpose(kimi: OneSDK) -> None:
    line = {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions"}
    line["body"] = {"model": MODEL, "messages": user("a")}
    uploaded = kimi.upload_file(json.dumps(line).encode(), filename="in.jsonl")
    with pytest.raises(InvokeBadRequestError, match="purpose 'batch'"):
        kimi.invoke("create_batch", uploaded.id)
    kimi.delete_file(uploaded.id)


async def test_async_batch_round_trip(sim: KimiSimulator) -> None:
    async with AsyncOneSDK("kimi", {"api_key": sim.api_key, "base_url": sim.base_url}) as akimi:
        batch = await akimi.create_batch([user("async one"), user("async two")], model=MODEL)
        assert (await akimi.get_batch(batch.id)).id == batch.id
        progress: list[str] = []
        done = await akimi.wait_for_batch(
            batch.id, poll_interval=0.02, on_progress=lambda b: progress.append(b.status)
        )
        assert progress[-1] == "completed"
        results = await akimi.batch_results(done)
        assert [r.response.text for r in results if r.response] == [
            "You said: async one",
            "You said: async two",
        ]
        assert batch.id in {b.id for b in await akimi.list_batches(limit=100)}
        with pytest.raises(InvokeBadRequestError, match="cannot be cancelled"):
            await akimi.cancel_batch(batch.id)
