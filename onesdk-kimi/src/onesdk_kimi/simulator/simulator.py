"""`KimiSimulator`: the simulated Kimi API running on a background thread's event loop.

Use it as a context manager in tests; `python -m onesdk_kimi.simulator` serves it from a shell.
"""

from __future__ import annotations

import asyncio
import ipaddress
import threading
from types import TracebackType

from .account_api import account_routes
from .app import Route, SimulatorApp
from .batches_api import batches_routes
from .caching_api import caching_routes
from .chat_api import chat_routes
from .errors import ApiError
from .faults import parse_fault
from .files_api import files_routes
from .http_types import Request
from .server import HttpServer
from .state import Balance, SimConfig, SimState

DEFAULT_API_KEY = "sk-simulator"
_START_TIMEOUT = 10.0


def all_routes(state: SimState) -> list[Route]:
    """Every endpoint the simulator serves."""
    return [
        *chat_routes(state),
        *account_routes(state),
        *caching_routes(state),
        *files_routes(state),
        *batches_routes(state),
    ]


def check_loopback(host: str) -> None:
    """Refuse to listen anywhere but loopback: the simulator accepts a well-known key."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the Kimi simulator only listens on loopback, not {host!r}")


class KimiSimulator:
    """A faithful local Kimi API server.

    `api_key=None` accepts any non-empty Bearer token. `chunk_delay` is the pause between
    stream chunks; `cache_ready_delay` is how long a new or updated context cache stays
    `pending`; `balance` is the cash balance (chat answers 429 once it is <= 0).
    """

    def __init__(
        self,
        api_key: str | None = DEFAULT_API_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        chunk_delay: float = 0.0,
        cache_ready_delay: float = 0.05,
        balance: float = 100.0,
    ) -> None:
        check_loopback(host)
        self.host = host
        self.port = port
        self.state = SimState(
            SimConfig(api_key, chunk_delay, cache_ready_delay), Balance(cash=balance)
        )
        self._requests: list[Request] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> KimiSimulator:
        """Start serving in a background thread; returns once the port is bound."""
        if self._thread is not None:
            return self
        loop = asyncio.new_event_loop()
        app = SimulatorApp(self.state, all_routes(self.state), self._record)
        server = HttpServer(app.handle)
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                self.port = loop.run_until_complete(server.start(self.host, self.port))
            except BaseException as exc:  # reported to start() below
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(server.close())
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        thread = threading.Thread(target=run, name=f"kimi-simulator-{id(self):x}", daemon=True)
        thread.start()
        if not ready.wait(_START_TIMEOUT):
            raise RuntimeError("the Kimi simulator did not start in time")
        if failure:
            thread.join()
            raise failure[0]
        self._thread, self._loop = thread, loop
        return self

    def stop(self) -> None:
        """Close every connection and stop the thread; calling it again does nothing."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        self._thread = self._loop = None
        if not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(_START_TIMEOUT)

    def __enter__(self) -> KimiSimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- introspection -----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """`http://<host>:<port>/v1`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"

    @property
    def api_key(self) -> str | None:
        """The accepted key (None: any non-empty Bearer token)."""
        return self.state.config.api_key

    @property
    def requests(self) -> list[Request]:
        """A snapshot of every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

    def _record(self, request: Request) -> None:
        with self._lock:
            self._requests.append(request)

    # -- knobs for tests ---------------------------------------------------------------

    @property
    def balance(self) -> float:
        """The cash balance."""
        return self.state.balance.cash

    @balance.setter
    def balance(self, value: float) -> None:
        self.state.balance.cash = value

    def advance_time(self, seconds: float) -> None:
        """Move the simulator's clock forward (cache expiry and readiness follow it)."""
        self.state.clock.advance(seconds)

    def fail_next(
        self,
        status: int = 429,
        error_type: str = "engine_overloaded_error",
        message: str = "The engine is currently overloaded, please try again later",
        *,
        times: int = 1,
        path: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next `times` authenticated requests (to `path`, if given) with an error."""
        params = {"status": status, "type": error_type, "message": message}
        self.inject("error", times=times, path=path, headers=headers, **params)

    def inject(
        self,
        fault: str,
        *,
        times: int = 1,
        path: str | None = None,
        headers: dict[str, str] | None = None,
        **params: object,
    ) -> None:
        """Break the next `times` authenticated requests (to `path`, if given) with `fault`.

        `fault` is a name from `faults.py` (`"slow"`, `"disconnect"`...), optionally with
        `;key=value` parameters; `params` add more (`inject("slow", delay=2)`). `headers` go
        on error answers. A bad name or parameter raises `ValueError` here, not at serve time.
        """
        try:
            parsed = parse_fault(fault, params, path, headers)
        except ApiError as exc:
            raise ValueError(exc.message) from None
        self.state.faults.add(parsed, times)

    def clear_faults(self) -> None:
        """Forget every queued fault."""
        self.state.faults.clear()
