"""Endpoints `POST /v1/chat/completions` and `POST /v1/tokenizers/estimate-token-count`.

Usage is computed with `tokens.count_prompt`, so the estimate equals chat's prompt_tokens.
"""

from __future__ import annotations

from .app import Route
from .chat import Completion, choice_text, generate, reply_text, sse_events
from .chat_params import ChatParams, check_chat, check_model, context_limit_error, json_body
from .errors import ApiError
from .http_types import SSE_TYPE, Request, Response, StreamResponse, json_response
from .message_rules import check_messages, check_tools
from .state import SimState
from .tokens import count_prompt


def _check_quota(state: SimState) -> None:
    available = state.balance.available
    if available <= 0:
        raise ApiError(
            429,
            "exceeded_current_quota_error",
            f"You exceeded your current token quota: <{state.org_id}> {available:.5f}, "
            "please check your account balance",
        )


def _completion(params: ChatParams, prompt_tokens: int, cached: int | None) -> Completion:
    window = params.model.context_length
    requested = prompt_tokens + (params.max_tokens or 0)
    if requested > window:
        raise context_limit_error(params.model, requested)
    # Without max_tokens the reply may use whatever the window leaves.
    cap = params.max_tokens if params.max_tokens is not None else window - prompt_tokens
    base = reply_text(params.messages)
    choices = [
        generate(choice_text(base, index, params.response_format), params.stop, cap)
        for index in range(params.n)
    ]
    return Completion(params.model.id, choices, prompt_tokens, cached)


def chat_completions(state: SimState, request: Request) -> Response | StreamResponse:
    """Validate, generate the deterministic reply, answer as JSON or SSE."""
    _check_quota(state)
    params = check_chat(json_body(request))
    prompt_tokens = count_prompt(params.messages, params.tools)
    completion = _completion(params, prompt_tokens, None)
    if not params.stream:
        return json_response(completion.body())
    events = sse_events(
        completion, include_usage=params.include_usage, delay=state.config.chunk_delay
    )
    return StreamResponse(200, events, {"Content-Type": SSE_TYPE})


def estimate_tokens(state: SimState, request: Request) -> Response:
    """`{"data": {"total_tokens": N}}` with N = chat's prompt_tokens for the same input."""
    body = json_body(request)
    model = check_model(body)
    messages = check_messages(body.get("messages"), model)
    tools = check_tools(body.get("tools"))
    return json_response({"data": {"total_tokens": count_prompt(messages, tools)}})


def chat_routes(state: SimState) -> list[Route]:
    """Routes served by this module."""
    return [
        Route("POST", "/v1/chat/completions", lambda req, _: chat_completions(state, req)),
        Route(
            "POST",
            "/v1/tokenizers/estimate-token-count",
            lambda req, _: estimate_tokens(state, req),
        ),
    ]
