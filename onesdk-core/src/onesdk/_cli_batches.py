"""The ``onesdk batch`` commands: create (from a JSONL file or prompts), list, get, cancel, wait,
results. Part of ``onesdk.cli``; standard library only at import time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._cli_resources import _action, _group, _metadata_option, provider
from ._cli_support import (
    client,
    emit,
    positive_float,
    positive_int,
    print_json,
    print_record,
    print_table,
)
from .errors import InvokeBadRequestError

if TYPE_CHECKING:
    from .client import OneSDK
    from .resources import Batch

__all__ = ["add_batch_commands"]

BATCH_COLUMNS = ("id", "status", "completed", "failed", "total", "created_at")


def _row(batch: Batch) -> dict[str, Any]:
    counts = batch.request_counts
    return {
        "id": batch.id,
        "status": batch.status,
        "completed": counts.completed,
        "failed": counts.failed,
        "total": counts.total,
        "created_at": batch.created_at,
    }


def _show(args: argparse.Namespace, batch: Batch) -> int:
    data = batch.to_dict()
    return emit(args, data, lambda: print_record(data))


def _read_requests(args: argparse.Namespace) -> list[Any]:
    """Requests from ``--file`` (JSON lines; ``-`` is stdin) or ``--prompt``."""
    if args.file and args.prompts:
        args.parser.error("give requests with --file or with --prompt, not both")
    system = [{"role": "system", "content": args.system}] if args.system else []
    if args.prompts:
        return [{"messages": [*system, {"role": "user", "content": p}]} for p in args.prompts]
    if not args.file:
        args.parser.error("give the requests: --file requests.jsonl or --prompt TEXT")
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
    except OSError as exc:
        raise InvokeBadRequestError(f"cannot read {args.file!r}: {exc.strerror}") from None
    requests: list[Any] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise InvokeBadRequestError(f"{args.file} line {number} is not JSON: {exc}") from None
        if not isinstance(item, dict):
            raise InvokeBadRequestError(f"{args.file} line {number} is not a JSON object")
        if system and "messages" in item:
            item["messages"] = [*system, *item["messages"]]
        requests.append(item)
    return requests


class Progress:
    """One status line on stderr, rewritten in place: status, counts, elapsed time."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.monotonic()
        self.width = 0

    def __call__(self, batch: Batch) -> None:
        if not self.enabled:
            return
        counts = batch.request_counts
        text = (
            f"{batch.id}: {batch.status}  completed {counts.completed}  failed {counts.failed}"
            f"  total {counts.total}  {time.monotonic() - self.start:.1f}s"
        )
        pad = " " * max(0, self.width - len(text))
        self.width = len(text)
        sys.stderr.write(f"\r{text}{pad}")
        sys.stderr.flush()

    def end(self) -> None:
        if self.enabled and self.width:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _wait(args: argparse.Namespace, sdk: OneSDK, batch: Batch | str) -> Batch:
    progress = Progress(not args.json)
    try:
        return sdk.wait_for_batch(
            batch, timeout=args.timeout_wait, poll_interval=args.poll_interval, on_progress=progress
        )
    finally:
        progress.end()


def batch_create(args: argparse.Namespace) -> int:
    requests = _read_requests(args)
    metadata = dict(args.metadata) if args.metadata else None
    with client(args, provider(args)) as sdk:
        batch = sdk.create_batch(
            requests,
            model=args.model,
            completion_window=args.completion_window,
            metadata=metadata,
        )
        if args.wait:
            batch = _wait(args, sdk, batch)
    return _show(args, batch)


def batch_list(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        page = sdk.list_batches(after=args.after, limit=args.limit)
    data = {"object": "list", "data": [b.to_dict() for b in page], "has_more": page.has_more}

    def human() -> None:
        print_table([_row(b) for b in page], BATCH_COLUMNS)
        if page.has_more:
            print(f"more: --after {page.last_id}", file=sys.stderr)

    return emit(args, data, human)


def batch_get(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        return _show(args, sdk.get_batch(args.batch_id))


def batch_cancel(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        return _show(args, sdk.cancel_batch(args.batch_id))


def batch_wait(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        return _show(args, _wait(args, sdk, args.batch_id))


def batch_results(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        results = sdk.batch_results(args.batch_id)
    if args.json:
        print_json([result.to_dict() for result in results])
        return 0
    for result in results:
        if result.response is not None:
            print(f"{result.custom_id}: {result.response.text}")
        else:
            message = result.error.message if result.error else "no result"
            print(f"{result.custom_id}: error: {message}")
    return 0


def _wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--poll-interval",
        type=positive_float,
        default=5.0,
        metavar="SECONDS",
        help="longest pause between polls (default 5)",
    )
    parser.add_argument(
        "--wait-timeout",
        dest="timeout_wait",
        type=positive_float,
        metavar="SECONDS",
        help="give up waiting after this long",
    )


def add_batch_commands(commands: Any) -> None:
    """Add ``batch`` to the ``onesdk`` subcommands."""
    actions = _group(commands, "batch", "batches: create, list, get, cancel, wait, results")
    sub = _action(actions, "create", batch_create, "run chat requests as a batch")
    sub.add_argument("-m", "--model", help="model for requests that name none, e.g. kimi-k2.5")
    sub.add_argument(
        "--file",
        metavar="FILE",
        help="JSON lines: {'custom_id'?, 'messages', ...params} or the provider's batch "
        "lines (- for stdin)",
    )
    sub.add_argument(
        "--prompt",
        dest="prompts",
        action="append",
        metavar="TEXT",
        help="one request with this user message (repeatable)",
    )
    sub.add_argument("--system", metavar="TEXT", help="a system message put first in each")
    sub.add_argument(
        "--completion-window", default="24h", metavar="WINDOW", help="12h to 7d (default 24h)"
    )
    _metadata_option(sub, "metadata entry (repeatable)")
    sub.add_argument("--wait", action="store_true", help="wait until it finishes")
    _wait_options(sub)

    sub = _action(actions, "list", batch_list, "list batches, newest first")
    sub.add_argument("--limit", type=positive_int, metavar="N", help="at most N batches")
    sub.add_argument("--after", metavar="ID", help="batches after this one")
    for name, handler, help_text in (
        ("get", batch_get, "show a batch"),
        ("cancel", batch_cancel, "cancel a batch"),
        ("results", batch_results, "print each request's result, in input order"),
    ):
        _action(actions, name, handler, help_text, "BATCH_ID")
    sub = _action(actions, "wait", batch_wait, "wait for a batch, showing progress", "BATCH_ID")
    _wait_options(sub)
