"""Command line: `python -m onesdk_kimi.simulator --port N` serves the simulator until Ctrl-C.

`main(argv)` is also what other command-line tools call.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys

from .app import SimulatorApp
from .server import HttpServer
from .simulator import DEFAULT_API_KEY, all_routes, check_loopback
from .state import Balance, SimConfig, SimState


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m onesdk_kimi.simulator", description="Serve a local Kimi API simulator."
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (0 picks a free one)")
    parser.add_argument(
        "--api-key", default=DEFAULT_API_KEY, help=f"accepted key (default {DEFAULT_API_KEY})"
    )
    parser.add_argument("--any-key", action="store_true", help="accept any non-empty Bearer token")
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between chunks")
    parser.add_argument(
        "--cache-ready-delay", type=float, default=0.05, help="seconds a cache stays pending"
    )
    parser.add_argument("--balance", type=float, default=100.0, help="account cash balance")
    return parser


async def serve(host: str, port: int, state: SimState) -> None:
    """Serve until cancelled or SIGTERM."""
    server = HttpServer(SimulatorApp(state, all_routes(state)).handle)
    bound = await server.start(host, port)
    shown = f"[{host}]" if ":" in host else host
    try:
        print(f"Kimi simulator listening on http://{shown}:{bound}/v1", flush=True)
    except BrokenPipeError:
        # Nobody reads stdout (e.g. `| head -0`): keep serving, and keep exit quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    stop = asyncio.Event()
    with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows loops
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await stop.wait()
    finally:
        await server.close()


def main(argv: list[str] | None = None) -> int:
    """Run the simulator in the foreground; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        check_loopback(args.host)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    config = SimConfig(
        None if args.any_key else args.api_key, args.chunk_delay, args.cache_ready_delay
    )
    state = SimState(config, Balance(cash=args.balance))
    try:
        asyncio.run(serve(args.host, args.port, state))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
