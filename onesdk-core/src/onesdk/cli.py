"""The ``onesdk`` command: chat, count tokens, list models and providers, run simulators.

Only the standard library loads at import time; the client loads inside the command that needs it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from importlib import import_module
from typing import Any

from . import __version__
from ._cli_batches import add_batch_commands
from ._cli_resources import add_resource_commands
from ._cli_support import (
    Handler,
    Parser,
    add_command,
    client,
    emit,
    global_options,
    positive_int,
    print_json,
    print_record,
    print_table,
    user_messages,
)
from .errors import InvokeConfigError, InvokeError, InvokeUnsupportedError

__all__ = ["build_parser", "main"]

_EPILOG = """\
examples:
  onesdk providers
  onesdk models kimi
  onesdk chat kimi -m kimi-k2-turbo-preview "Hello"
  echo "Hello" | onesdk --json chat kimi -m kimi-k2-turbo-preview
  onesdk tokens kimi -m kimi-k2-turbo-preview "How many tokens is this?"
  onesdk cache create kimi -m moonshot-v1-8k --system "You are terse." --ttl 3600
  onesdk files upload report.pdf
  onesdk batch create kimi -m kimi-k2.5 --file requests.jsonl --wait
  onesdk simulate kimi --port 8000

The API key comes from --api-key or the provider's environment variable
(MOONSHOT_API_KEY for kimi). Exit status: 0 ok, 1 API or input error, 2 usage
error, 130 interrupted.
"""

# --- commands -----------------------------------------------------------------------------


def cmd_providers(args: argparse.Namespace) -> int:
    from . import registry

    registry.plugin_manager()  # load hook plugins, so that broken ones are reported too
    rows: list[dict[str, Any]] = []
    for entry in registry.provider_entries():
        row: dict[str, Any] = {
            "name": entry.name,
            "distribution": entry.distribution,
            "version": entry.version,
            "entry_point": entry.value,
            "status": "ok",
            "error": None,
        }
        try:
            registry.get_provider_class(entry.name)
        except InvokeError as exc:
            row.update(status="broken", error=exc.message)
        rows.append(row)
    listed = {row["name"] for row in rows}
    for name in registry.list_providers():  # registered in-process, by a hook plugin
        if name not in listed:
            rows.append({"name": name, "distribution": None, "version": None, "status": "ok"})
    problems = [
        {"name": p.name, "distribution": p.distribution, "reason": p.reason}
        for p in registry.plugin_problems()
    ]
    plugins = [{"name": name, "distribution": dist} for name, dist in registry.hook_plugins()]

    def human() -> None:
        print_table(rows, ("name", "distribution", "version", "status"))
        if not rows:
            print("no providers installed (pip install onesdk-kimi, for instance)")
        if plugins:
            names = (
                f"{p['name']} ({p['distribution']})" if p["distribution"] else f"{p['name']}"
                for p in plugins
            )
            print("hook plugins: " + ", ".join(names))
        for row in rows:
            if row["status"] != "ok":
                print(f"{row['name']} ({row['distribution']}): {row['error']}", file=sys.stderr)
        shown = {(row["name"], row["distribution"]) for row in rows if row["status"] != "ok"}
        for problem in problems:
            if (problem["name"], problem["distribution"]) not in shown:
                print(
                    f"plugin {problem['name']} ({problem['distribution']}): {problem['reason']}",
                    file=sys.stderr,
                )

    return emit(args, {"providers": rows, "plugins": plugins, "problems": problems}, human)


def cmd_models(args: argparse.Namespace) -> int:
    with client(args, args.provider) as sdk:
        models = [model.to_dict() for model in sdk.list_models()]
    return emit(args, models, lambda: print_table(models, ("id", "context_length", "owned_by")))


def _chat_params(args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key in ("temperature", "max_tokens", "context_id"):
        value = getattr(args, key)
        if value is not None:
            params[key] = value
    return params


def _print_usage(usage: Any) -> None:
    if usage is not None:
        fields = ("prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens")
        print("usage: " + " ".join(f"{k}={getattr(usage, k)}" for k in fields), file=sys.stderr)


def cmd_chat(args: argparse.Namespace) -> int:
    messages = user_messages(args, "prompt")
    params = _chat_params(args)
    with client(args, args.provider) as sdk:
        if args.no_stream:
            response = sdk.generate(args.model, messages, **params)
            if args.json:
                print_json(response.to_dict())
                return 0
            text = response.text
            print(text if text.endswith("\n") else text + "\n", end="", flush=True)
            if args.usage:
                _print_usage(response.usage)
            return 0
        with sdk.stream_generate(args.model, messages, **params) as stream:
            if args.json:
                print_json(stream.final_response().to_dict())
                return 0
            _stream_text(stream)
            if args.usage:
                _print_usage(stream.final_response().usage)
    return 0


def _stream_text(chunks: Any) -> None:
    """Write each chunk's text as it arrives; end on a new line, even when interrupted."""
    out, tail = sys.stdout, ""
    try:
        for chunk in chunks:
            text = chunk.text
            if text:
                out.write(text)
                out.flush()
                tail = text
    except BaseException:
        if tail and not tail.endswith("\n"):
            with contextlib.suppress(OSError, ValueError):
                out.write("\n")
                out.flush()
        raise
    if not tail.endswith("\n"):
        out.write("\n")
        out.flush()


def cmd_tokens(args: argparse.Namespace) -> int:
    messages = user_messages(args, "text")
    with client(args, args.provider) as sdk:
        count = sdk.count_tokens(args.model, messages)
    return emit(args, {"model": args.model, "tokens": count}, lambda: print(count))


def cmd_balance(args: argparse.Namespace) -> int:
    with client(args, args.provider) as sdk:
        balance = sdk.get_balance().to_dict()
    return emit(args, balance, lambda: print_record(balance))


def cmd_simulate(args: argparse.Namespace) -> int:
    from . import registry

    cls = registry.get_provider_class(args.provider)
    target = cls.simulator
    if not target:
        raise InvokeUnsupportedError(
            f"provider {args.provider!r} has no simulator", provider=args.provider
        )
    module_name, _, attr = target.partition(":")
    try:
        function: Any = import_module(module_name)
        for part in attr.split("."):
            function = getattr(function, part)
    except Exception as exc:
        raise InvokeConfigError(
            f"the simulator {target!r} of provider {args.provider!r} cannot be loaded: "
            f"{type(exc).__name__}: {exc}",
            provider=args.provider,
        ) from None
    rest = list(args.simulator_args)
    if rest[:1] == ["--"]:
        rest = rest[1:]
    code = function(rest)
    return code if isinstance(code, int) else 0


# --- parser -------------------------------------------------------------------------------


def _add_model_text(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("provider", metavar="PROVIDER", help="provider name, e.g. kimi")
    parser.add_argument("-m", "--model", required=True, help="model id")
    parser.add_argument(
        "text", nargs="?", metavar=what.upper(), help=f"{what}; stdin if omitted or -"
    )
    parser.add_argument("--system", metavar="TEXT", help="a system message to put first")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="onesdk",
        description="OneSDK: one command line for many LLM providers.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    global_options(parser, suppress=False)
    parser.set_defaults(handler=None, parser=parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    add_command(commands, "providers", cmd_providers, "list installed providers and problems")
    sub = add_command(commands, "models", cmd_models, "list the models a provider offers")
    sub.add_argument("provider", metavar="PROVIDER", help="provider name, e.g. kimi")

    sub = add_command(commands, "chat", cmd_chat, "chat with a model, streaming the reply")
    _add_model_text(sub, "prompt")
    sub.add_argument("--temperature", type=float, help="sampling temperature")
    sub.add_argument("--max-tokens", type=positive_int, metavar="N", help="reply length cap")
    sub.add_argument("--context-id", metavar="CACHE_ID", help="use this context cache")
    sub.add_argument("--no-stream", action="store_true", help="wait for the whole reply")
    sub.add_argument("--usage", action="store_true", help="print token usage on stderr")

    sub = add_command(commands, "tokens", cmd_tokens, "count the tokens of a text")
    _add_model_text(sub, "text")

    add_resource_commands(commands)
    add_batch_commands(commands)

    sub = add_command(commands, "balance", cmd_balance, "show the account balance")
    sub.add_argument("provider", metavar="PROVIDER", help="provider name, e.g. kimi")

    sub = add_command(
        commands,
        "simulate",
        cmd_simulate,
        "serve a provider's local simulator (arguments after PROVIDER go to it)",
        options=False,
    )
    sub.add_argument("provider", metavar="PROVIDER", help="provider name, e.g. kimi")
    sub.add_argument(
        "simulator_args",
        nargs=argparse.REMAINDER,
        metavar="...",
        help="simulator options, e.g. --port 8000 --host 127.0.0.1 (see PROVIDER --help)",
    )
    return parser


# --- entry point --------------------------------------------------------------------------


def _exit_status(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def report(exc: InvokeError, as_json: bool) -> None:
    """One line on stderr and, under ``--json``, an error document on stdout."""
    print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    if as_json:
        print_json(
            {
                "error": {
                    "type": type(exc).__name__,
                    "message": exc.message,
                    "status_code": exc.status_code,
                    "error_type": exc.error_type,
                    "request_id": exc.request_id,
                    "provider": exc.provider,
                    "retryable": exc.retryable,
                }
            }
        )


def main(argv: list[str] | None = None) -> int:
    """Run the ``onesdk`` command; returns the exit status."""
    try:
        status = _run(argv)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit flush
        return status
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python's exit flush quiet.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1


def _run(argv: list[str] | None) -> int:
    args: argparse.Namespace | None = None
    try:
        args = build_parser().parse_args(argv)
        if args.handler is None:  # a command group without its subcommand
            args.parser.print_help(sys.stderr)
            return 2
        handler: Handler = args.handler
        return handler(args)
    except SystemExit as exc:  # --help, --version and usage errors
        return _exit_status(exc)
    except InvokeError as exc:
        report(exc, bool(getattr(args, "json", False)))
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
