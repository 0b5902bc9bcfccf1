"""Endpoints `POST /v1/chat/completions` and `POST /v1/tokenizers/estimate-token-count`.

Both count with `tokens.count_prompt` after cache expansion: the estimate equals prompt_tokens
(bar the search results a `$web_search` round adds, which only the chat call knows).
"""

from __future__ import annotations

from .app import Route
from .cache_use import PromptPlan, plan_prompt
from .chat import (
    Completion,
    Generated,
    choice_text,
    generate,
    reasoning_text,
    reply_text,
    sse_events,
)
from .chat_params import ChatParams, check_chat, check_model, context_limit_error, json_body
from .errors import ApiError
from .http_types import SSE_TYPE, Request, Response, StreamResponse, json_response
from .message_rules import check_messages, check_tools
from .state import SimState
from .tokens import count_prompt
from .tool_use import plan_calls, read_tool_results


def _check_quota(state: SimState) -> None:
    available = state.balance.available
    if available <= 0:
        raise ApiError(
            429,
            "exceeded_current_quota_error",
            f"You exceeded your current token quota: <{state.org_id}> {available:.5f}, "
            "please check your account balance",
        )


def _completion_cap(params: ChatParams, prompt_tokens: int) -> int:
    window = params.model.context_length
    requested = prompt_tokens + (params.max_tokens or 0)
    if requested > window:
        raise context_limit_error(params.model, requested)
    # Without max_tokens the reply may use whatever the window leaves.
    return params.max_tokens if params.max_tokens is not None else window - prompt_tokens


def _generate(params: ChatParams, plan: PromptPlan, cap: int) -> list[Generated]:
    if plan.dry_run:  # a dry run checks the cache without generating anything
        return [generate("", params.stop, cap) for _ in range(params.n)]
    messages = plan.messages
    reasoning = reasoning_text(messages) if params.thinking else None
    calls = plan_calls(messages, plan.tools, params.tool_choice, params.model)
    results = read_tool_results(messages)
    base = results.text if results is not None else reply_text(messages)
    texts = [
        "" if calls else choice_text(base, index, params.response_format)
        for index in range(params.n)
    ]
    return [generate(text, params.stop, cap, reasoning=reasoning, calls=calls) for text in texts]


def _search_tokens(plan: PromptPlan) -> int:
    results = read_tool_results(plan.messages) if not plan.dry_run else None
    return results.search_tokens if results is not None else 0


def chat_completions(state: SimState, request: Request) -> Response | StreamResponse:
    """Validate, expand caches, generate the deterministic reply, answer as JSON or SSE."""
    _check_quota(state)
    params = check_chat(json_body(request))
    plan = plan_prompt(state.caches, params.model, params.messages, params.tools, request.headers)
    # Search results of an echoed $web_search call join the prompt (kimi-api.md 10.5).
    prompt_tokens = count_prompt(plan.messages, plan.tools) + _search_tokens(plan)
    cap = _completion_cap(params, prompt_tokens)
    cached = plan.cached_tokens
    if cached is None and params.prompt_cache_key and params.model.auto_cache:
        cached = state.prefix_cache.use(params.prompt_cache_key, plan.messages, plan.tools)
    completion = Completion(params.model.id, _generate(params, plan, cap), prompt_tokens, cached)
    if not params.stream:
        return json_response(completion.body(), headers=plan.headers)
    events = sse_events(
        completion, include_usage=params.include_usage, delay=state.config.chunk_delay
    )
    return StreamResponse(200, events, {"Content-Type": SSE_TYPE, **plan.headers})


def estimate_tokens(state: SimState, request: Request) -> Response:
    """`{"data": {"total_tokens": N}}` with N = chat's prompt_tokens for the same input."""
    body = json_body(request)
    model = check_model(body)
    messages = check_messages(body.get("messages"), model)
    tools = check_tools(body.get("tools"))
    plan = plan_prompt(state.caches, model, messages, tools, request.headers, apply=False)
    return json_response({"data": {"total_tokens": count_prompt(plan.messages, plan.tools)}})


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
