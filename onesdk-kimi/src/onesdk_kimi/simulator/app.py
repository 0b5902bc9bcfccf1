"""Routing, authentication and common response headers for the simulated Kimi API.

`SimulatorApp.handle` turns any request into a response; handlers only raise `ApiError`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .errors import ApiError, not_found
from .faults import BrokenResponse, apply_after, apply_before
from .http_types import Request, Response, StreamResponse, json_response, new_request_id
from .state import SimState

logger = logging.getLogger("onesdk.kimi.simulator")

RouteHandler = Callable[[Request, dict[str, str]], Response | StreamResponse]


@dataclass(frozen=True)
class Route:
    """One endpoint: a method and a path template such as `/v1/caching/{cache_id}`."""

    method: str
    template: str
    handler: RouteHandler

    @property
    def pattern(self) -> re.Pattern[str]:
        """The template compiled; each `{name}` matches one path segment."""
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        return re.compile(f"^{regex}$")


class SimulatorApp:
    """Dispatches requests to route handlers."""

    def __init__(
        self,
        state: SimState,
        routes: Iterable[Route],
        record: Callable[[Request], None] | None = None,
    ) -> None:
        self.state = state
        self._routes = [(route, route.pattern) for route in routes]
        self._record = record

    async def handle(self, request: Request) -> Response | StreamResponse | BrokenResponse:
        """Answer one request (never raises); a scripted fault may break the answer."""
        if self._record is not None:
            self._record(request)
        response: Response | StreamResponse | BrokenResponse
        try:
            handler, params = self._resolve(request)
            self._authenticate(request)
            fault = self.state.faults.take(request)
            early = None if fault is None else await apply_before(fault)
            if early is not None:
                response = early
            else:
                response = handler(request, params)
                if fault is not None:
                    response = apply_after(fault, response)
        except ApiError as exc:
            response = json_response(exc.body(), exc.status, exc.headers)
        except Exception:
            logger.exception("simulator handler failed for %s %s", request.method, request.path)
            body = {"error": {"message": "Internal server error", "type": "server_error"}}
            response = json_response(body, 500)
        response.headers["Msh-Request-Id"] = new_request_id()
        return response

    def _resolve(self, request: Request) -> tuple[RouteHandler, dict[str, str]]:
        path = request.path.rstrip("/") or "/"
        allowed: list[str] = []
        for route, pattern in self._routes:
            match = pattern.match(path)
            if match is None:
                continue
            if route.method == request.method:
                return route.handler, match.groupdict()
            allowed.append(route.method)
        if allowed:
            raise ApiError(
                405,
                "invalid_request_error",
                f"Method {request.method} is not allowed for {path}",
                {"Allow": ", ".join(sorted(set(allowed)))},
            )
        raise not_found(f"Not found: {request.method} {path}")

    def _authenticate(self, request: Request) -> None:
        scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "invalid_authentication_error", "Invalid Authentication")
        expected = self.state.config.api_key
        if expected is not None and token != expected:
            raise ApiError(401, "incorrect_api_key_error", "Incorrect API key provided")
