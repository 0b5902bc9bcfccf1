"""Shared pieces of the ``onesdk`` command: option types, output, the client, subcommands.

Standard library only at import time; the client loads when a command asks for it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .errors import InvokeConfigError

if TYPE_CHECKING:
    from .client import OneSDK

Handler = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """A parser whose leaf commands take options and positionals in any order.

    Plain argparse fills an optional positional (``chat kimi -m M "hi"``: PROMPT) with
    nothing in the first run of positionals and then rejects the prompt after ``-m``.
    """

    _intermixing = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        nested = any(a.nargs in (argparse.PARSER, argparse.REMAINDER) for a in self._actions)
        if nested or self._intermixing:
            return super().parse_known_args(args, namespace)
        self._intermixing = True  # parse_known_intermixed_args calls back in (Python < 3.13)
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixing = False


# --- argument types -----------------------------------------------------------------------


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    value = non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected a number > 0, got 0")
    return value


# --- output -------------------------------------------------------------------------------


def print_json(data: Any) -> None:
    """One JSON document on stdout."""
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if key.endswith("_at") and isinstance(value, int) and not isinstance(value, bool) and value:
        moment = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
        return moment.strftime("%Y-%m-%d %H:%M:%SZ")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def print_record(data: dict[str, Any], *, summarize: Sequence[str] = ()) -> None:
    """``key: value`` lines; long list fields in ``summarize`` show only their length."""
    for key, value in data.items():
        if key in summarize and isinstance(value, list):
            print(f"{key}: {len(value)} (see --json)")
        else:
            print(f"{key}: {_cell(key, value)}")


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """Aligned columns with a header; nothing at all for no rows."""
    if not rows:
        return
    cells = [[_cell(col, row.get(col)) for col in columns] for row in rows]
    widths = [max(len(col), *(len(line[i]) for line in cells)) for i, col in enumerate(columns)]
    for line in [[col.upper() for col in columns], *cells]:
        print(
            "  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip()
        )


def emit(args: argparse.Namespace, data: Any, human: Callable[[], None]) -> int:
    """Print ``data`` as JSON under ``--json``, else run ``human``; exit status 0."""
    if args.json:
        print_json(data)
    else:
        human()
    return 0


# --- clients and input --------------------------------------------------------------------


@contextlib.contextmanager
def client(args: argparse.Namespace, provider: str) -> Iterator[OneSDK]:
    """A client for ``provider`` from the global options, closed afterwards."""
    from . import registry
    from .client import OneSDK

    cls = registry.get_provider_class(provider)
    if not args.api_key and not (cls.api_key_env and os.environ.get(cls.api_key_env)):
        where = f" or set {cls.api_key_env}" if cls.api_key_env else ""
        raise InvokeConfigError(
            f"no API key for provider {provider!r}: pass --api-key{where}", provider=provider
        )
    config: dict[str, Any] = {}
    for key in ("api_key", "base_url", "timeout", "max_retries"):
        value = getattr(args, key)
        if value is not None:
            config[key] = value
    with OneSDK(cls, config) as sdk:
        yield sdk


def read_text(args: argparse.Namespace, text: str | None, what: str) -> str:
    """``text``, or standard input when it is omitted or ``-``."""
    if text is None or text == "-":
        if sys.stdin is None or (text is None and sys.stdin.isatty()):
            args.parser.error(f"give the {what} as an argument or on standard input")
        text = sys.stdin.read().rstrip("\r\n")
    if not text.strip():
        args.parser.error(f"the {what} is empty")
    return text


def user_messages(args: argparse.Namespace, what: str) -> list[dict[str, str]]:
    messages = [] if args.system is None else [{"role": "system", "content": args.system}]
    messages.append({"role": "user", "content": read_text(args, args.text, what)})
    return messages


def global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The global options; on subcommands (``suppress``) they only override when given."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("global options")
    group.add_argument(
        "--json", action="store_true", default=default(False), help="print one JSON document"
    )
    group.add_argument(
        "--api-key", metavar="KEY", default=default(None), help="API key (else from env)"
    )
    group.add_argument(
        "--base-url", metavar="URL", default=default(None), help="API base URL (else from env)"
    )
    group.add_argument(
        "--timeout",
        type=positive_float,
        metavar="SECONDS",
        default=default(None),
        help="request timeout",
    )
    group.add_argument(
        "--max-retries",
        type=non_negative_int,
        metavar="N",
        default=default(None),
        help="retries of failed requests",
    )


def add_command(
    subparsers: Any,
    name: str,
    handler: Handler,
    help_text: str,
    *,
    options: bool = True,
    usage: str | None = None,
) -> argparse.ArgumentParser:
    """A subcommand parser; ``options`` adds the global options after it as well."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help_text, description=help_text, usage=usage
    )
    if options:
        global_options(parser, suppress=True)
    parser.set_defaults(handler=handler, parser=parser)
    return parser
