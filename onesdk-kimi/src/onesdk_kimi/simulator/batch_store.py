"""Batches of the simulated account and their clock-driven lifecycle.

validating -> in_progress (one line finishes every `line_delay` s) -> finalizing -> completed;
cancel: cancelling -> cancelled; expired at `expires_at`. State advances on every read.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock
from .errors import bad_request, not_found
from .http_types import dumps

#: Runs one input line: (its custom_id, its body) -> the result record for the output or
#: error file, and whether it succeeded.
LineRunner = Callable[[str, dict[str, Any]], tuple[dict[str, Any], bool]]
#: Stores a result file: (batch id, "output" or "error", JSONL bytes) -> the new file's id.
FileWriter = Callable[[str, str, bytes], str]

CANCELLABLE = ("validating", "in_progress", "finalizing")


def new_batch_id() -> str:
    """`batch_` + 24 hex digits (Kimi's real id format is undocumented)."""
    return "batch_" + secrets.token_hex(12)


@dataclass
class BatchEntry:
    """One batch: its input lines, timeline (simulated unix seconds) and results so far."""

    id: str
    input_file_id: str
    endpoint: str
    completion_window: str
    metadata: dict[str, str] | None
    lines: list[tuple[str, dict[str, Any]]]
    created: float
    expires: float
    validate_delay: float
    line_delay: float
    finalize_delay: float
    cancel_delay: float
    seq: int = 0
    done_lines: int = 0
    completed: int = 0
    failed: int = 0
    outputs: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    cancelling: float | None = None
    ended: float | None = None
    final_status: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None

    @property
    def in_progress(self) -> float:
        return self.created + self.validate_delay

    def line_due(self, index: int) -> float:
        """When line `index` (0-based) finishes."""
        return self.in_progress + (index + 1) * self.line_delay

    @property
    def finalizing(self) -> float:
        return self.line_due(len(self.lines) - 1)

    @property
    def completes(self) -> float:
        return self.finalizing + self.finalize_delay

    def status(self, now: float) -> str:
        """The status at `now` (after `BatchStore.advance` ran the lines due)."""
        if self.final_status is not None:
            return self.final_status
        if self.cancelling is not None:
            return "cancelling"
        if now < self.in_progress:
            return "validating"
        return "in_progress" if now < self.finalizing else "finalizing"

    def to_json(self, now: float) -> dict[str, Any]:
        """The BatchObject body."""
        status = self.status(now)

        def stamp(moment: float | None, reached: bool = True) -> int | None:
            return int(moment) if moment is not None and reached else None

        ended = self.ended if self.final_status is not None else None
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "errors": None,
            "input_file_id": self.input_file_id,
            "completion_window": self.completion_window,
            "status": status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": int(self.created),
            "in_progress_at": stamp(self.in_progress, now >= self.in_progress),
            "expires_at": int(self.expires),
            "finalizing_at": stamp(
                self.finalizing,
                now >= self.finalizing and (self.cancelling or now) >= self.finalizing,
            ),
            "completed_at": stamp(ended, status == "completed"),
            "failed_at": None,
            "expired_at": stamp(ended, status == "expired"),
            "cancelling_at": stamp(self.cancelling),
            "cancelled_at": stamp(ended, status == "cancelled"),
            "request_counts": {
                "completed": self.completed,
                "failed": self.failed,
                "total": len(self.lines),
            },
            "metadata": self.metadata,
        }


class BatchStore:
    """All batches, oldest first; delays (simulated seconds) are settable by tests."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._batches: dict[str, BatchEntry] = {}
        self._seq = itertools.count()
        self.validate_delay = 0.05
        self.line_delay = 0.02
        self.finalize_delay = 0.05
        self.cancel_delay = 0.05

    def now(self) -> float:
        """Simulated unix time."""
        return self._clock.now()

    def add(
        self,
        input_file_id: str,
        endpoint: str,
        completion_window: str,
        window_seconds: int,
        metadata: dict[str, str] | None,
        lines: list[tuple[str, dict[str, Any]]],
    ) -> BatchEntry:
        """Start a batch of validated lines."""
        now = self.now()
        entry = BatchEntry(
            id=new_batch_id(),
            input_file_id=input_file_id,
            endpoint=endpoint,
            completion_window=completion_window,
            metadata=metadata,
            lines=lines,
            created=now,
            expires=now + window_seconds,
            validate_delay=self.validate_delay,
            line_delay=self.line_delay,
            finalize_delay=self.finalize_delay,
            cancel_delay=self.cancel_delay,
            seq=next(self._seq),
        )
        self._batches[entry.id] = entry
        return entry

    def get(self, batch_id: str) -> BatchEntry:
        """The batch, or 404."""
        entry = self._batches.get(batch_id)
        if entry is None:
            raise not_found(f"Not found the batch {batch_id}")
        return entry

    def batches(self) -> list[BatchEntry]:
        """All batches, oldest first."""
        return sorted(self._batches.values(), key=lambda entry: entry.seq)

    def cancel(self, entry: BatchEntry) -> None:
        """Start cancelling, or 400 when the batch already ended."""
        status = entry.status(self.now())
        if status not in CANCELLABLE:
            raise bad_request(
                f"Invalid request: batch {entry.id} is {status} and cannot be cancelled; only "
                f"{', '.join(CANCELLABLE)} batches can"
            )
        entry.cancelling = self.now()

    def advance(self, entry: BatchEntry, run: LineRunner, write: FileWriter) -> None:
        """Run the lines due by now, and end the batch when its time has come."""
        if entry.final_status is not None:
            return
        now = self.now()
        # Lines stop at a cancel request, at expiry, and at now.
        stop = min(now, entry.cancelling or now, entry.expires)
        while entry.done_lines < len(entry.lines) and entry.line_due(entry.done_lines) <= stop:
            custom_id, body = entry.lines[entry.done_lines]
            record, ok = run(custom_id, body)
            (entry.outputs if ok else entry.errors).append(record)
            entry.completed += ok
            entry.failed += not ok
            entry.done_lines += 1
        if entry.cancelling is not None:
            end, status = entry.cancelling + entry.cancel_delay, "cancelled"
        elif entry.completes < entry.expires:
            end, status = entry.completes, "completed"
        else:
            end, status = entry.expires, "expired"
        if now >= end:
            self._finish(entry, status, end, write)

    @staticmethod
    def _finish(entry: BatchEntry, status: str, end: float, write: FileWriter) -> None:
        if entry.outputs:
            data = b"".join(dumps(record) + b"\n" for record in entry.outputs)
            entry.output_file_id = write(entry.id, "output", data)
        if entry.errors:
            data = b"".join(dumps(record) + b"\n" for record in entry.errors)
            entry.error_file_id = write(entry.id, "error", data)
        entry.final_status, entry.ended = status, end
