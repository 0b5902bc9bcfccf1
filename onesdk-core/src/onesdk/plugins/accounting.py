"""Usage and cost accounting: tokens per model from every reply and every finished stream.

Off by default: ``onesdk.register_plugin(UsageAccounting())`` or ``ONESDK_PLUGINS=onesdk.usage``.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl

if TYPE_CHECKING:
    from ..provider import Request

__all__ = ["ModelUsage", "UsageAccounting", "model_of"]

#: Prices per million tokens: (input, output) or (input, output, cached input).
Price = tuple[float, float] | tuple[float, float, float]


@dataclass
class ModelUsage:
    """What one model used: calls and tokens; ``cost`` when the model has a price."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    #: Prompt tokens served from the provider's context cache (part of ``prompt_tokens``).
    cached_tokens: int = 0
    cost: float | None = None

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def model_of(result: Any, request: Request) -> str | None:
    """The model a call used: as the reply names it, else as the request asked for it."""
    model = getattr(result, "model", None)
    if isinstance(model, str) and model:
        return model
    body = request.json
    asked = body.get("model") if isinstance(body, Mapping) else None
    return asked if isinstance(asked, str) and asked else None


def _tokens(usage: Any, name: str) -> int:
    value = getattr(usage, name, 0)
    return value if isinstance(value, int) else 0


class UsageAccounting:
    """Counts tokens per model, and their cost when ``prices`` names the model.

    ``prices`` maps a model id to its price per million tokens, ``(input, output)`` or
    ``(input, output, cached_input)``; cached prompt tokens cost the input price unless given.
    Thread-safe: one instance may watch every client in the process.
    """

    def __init__(self, prices: Mapping[str, Price] | None = None) -> None:
        self.prices: dict[str, Price] = dict(prices or {})
        self._lock = threading.Lock()
        self._models: dict[str, ModelUsage] = {}

    def __repr__(self) -> str:
        return f"<UsageAccounting models={sorted(self._models)}>"

    # --- hooks ------------------------------------------------------------------------------

    @hookimpl
    def onesdk_on_response(self, request: Request, result: Any) -> None:
        usage = getattr(result, "usage", None)
        if usage is not None:  # chat replies carry usage; token counts and listings do not
            self.add(model_of(result, request) or "(unknown)", usage)

    @hookimpl
    def onesdk_on_stream_end(self, request: Request, response: Any, usage: Any) -> None:
        if usage is not None:
            self.add(model_of(response, request) or "(unknown)", usage)

    # --- the account ------------------------------------------------------------------------

    def add(self, model: str, usage: Any) -> None:
        """Count one call of ``model`` that used ``usage`` (an ``onesdk.Usage``)."""
        with self._lock:
            entry = self._models.setdefault(model, ModelUsage())
            entry.calls += 1
            entry.prompt_tokens += _tokens(usage, "prompt_tokens")
            entry.completion_tokens += _tokens(usage, "completion_tokens")
            entry.cached_tokens += _tokens(usage, "cached_tokens")
            entry.cost = self._cost(model, entry)

    def _cost(self, model: str, entry: ModelUsage) -> float | None:
        price = self.prices.get(model)
        if price is None:
            return None
        cached_price = price[2] if len(price) == 3 else price[0]
        fresh = entry.prompt_tokens - entry.cached_tokens
        return (
            fresh * price[0]
            + entry.cached_tokens * cached_price
            + entry.completion_tokens * price[1]
        ) / 1_000_000

    def totals(self) -> dict[str, ModelUsage]:
        """Usage per model so far (copies: later calls do not change them)."""
        with self._lock:
            return {model: dataclasses.replace(entry) for model, entry in self._models.items()}

    def total(self) -> ModelUsage:
        """Every model together; ``cost`` sums the priced models (None when none is priced)."""
        overall = ModelUsage()
        for entry in self.totals().values():
            overall.calls += entry.calls
            overall.prompt_tokens += entry.prompt_tokens
            overall.completion_tokens += entry.completion_tokens
            overall.cached_tokens += entry.cached_tokens
            if entry.cost is not None:
                overall.cost = (overall.cost or 0.0) + entry.cost
        return overall

    def reset(self) -> None:
        """Forget everything counted so far."""
        with self._lock:
            self._models.clear()

    def report(self) -> str:
        """A plain-text table: one line per model, then the total."""
        rows = [*sorted(self.totals().items()), ("total", self.total())]
        width = max(len(model) for model, _ in rows)
        lines = [
            f"{'model':<{width}}  {'calls':>6}  {'prompt':>9}  {'cached':>9}  "
            f"{'completion':>10}  {'cost':>10}"
        ]
        for model, entry in rows:
            cost = "-" if entry.cost is None else f"{entry.cost:.6f}"
            lines.append(
                f"{model:<{width}}  {entry.calls:>6}  {entry.prompt_tokens:>9}  "
                f"{entry.cached_tokens:>9}  {entry.completion_tokens:>10}  {cost:>10}"
            )
        return "\n".join(lines)
